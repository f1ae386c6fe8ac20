/**
 * `deno task build:web`: the browser build of the library in web/dist/, which any static server
 * can serve (`deno task serve` adds the headers that allow threads):
 *
 * - `convnet.js`: an ES-module bundle of the library (web/src/convnet.ts: `mod.ts`, the training
 *   loop of `deno task train`, CIFAR-10 from bytes);
 * - `trainer.js`: the page's trainer Worker (web/src/trainer.ts), the same library inside;
 * - `charts.js`: the page's charts (web/src/charts.ts): report.html's Vega-Lite specs, Vega;
 * - `kernel_worker.js`: one WASM kernel thread (kernels/wasm/_worker.ts);
 * - `kernels.wasm`, `kernels_relaxed.wasm`: copies of the committed modules.
 *
 * `deno bundle --platform browser` leaves `new URL("./x", import.meta.url)` as it is, so the
 * `.wasm` files and `kernel_worker.js` sit next to the bundles (the one worker URL is renamed
 * from `./_worker.ts`), and `node:worker_threads` maps to web Workers (web/import_map.json).
 * Every file is written atomically; `--check` fails when a file in the folder differs from a
 * fresh build. The folder is not committed (a build of every library change would be): `deno
 * task serve` builds the same files in memory when it starts, so what it serves is never stale.
 *
 * @module
 */

import { parseFlags, runTask } from "../train/cli.ts";
import { writeFileAtomic } from "../nn/_atomic.ts";

const HELP = `Usage: deno task build:web [--out DIR] [--check]

Builds the browser bundle of the library (deno bundle --platform browser) into web/dist/:
convnet.js, trainer.js, charts.js, kernel_worker.js, kernels.wasm and kernels_relaxed.wasm.
  --out DIR   where to write the files (default web/dist)
  --check     build in memory and fail if a file in the folder differs
  --help      show this help`;

const root = new URL("../", import.meta.url);
/** The default output folder (git-ignored). */
export const WEB_DIST = new URL("web/dist/", root);

/**
 * The bundles: output file → entry and import map, relative to the project root, and whether
 * the bundle starts the kernel workers (its worker URL is renamed).
 */
const BUNDLES: Readonly<
  Record<string, { entry: string; importMap: string; startsWorkers: boolean }>
> = {
  "convnet.js": {
    entry: "web/src/convnet.ts",
    importMap: "web/import_map.json",
    startsWorkers: true,
  },
  "trainer.js": {
    entry: "web/src/trainer.ts",
    importMap: "web/import_map.json",
    startsWorkers: true,
  },
  "charts.js": {
    entry: "web/src/charts.ts",
    importMap: "web/import_map.json",
    startsWorkers: false,
  },
  "kernel_worker.js": {
    entry: "kernels/wasm/_worker.ts",
    importMap: "web/import_map_worker.json",
    startsWorkers: false,
  },
};
const WASM_FILES = ["kernels.wasm", "kernels_relaxed.wasm"];
const WORKER_URL = 'new URL("./_worker.ts", import.meta.url)';
const WORKER_URL_WEB = 'new URL("./kernel_worker.js", import.meta.url)';

async function bundle(entry: string, importMap: string): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", "--platform", "browser", "--import-map", importMap, entry],
    cwd: root.pathname,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const err = new TextDecoder().decode(stderr);
  if (code !== 0) throw new Error(`Cannot bundle ${entry}: deno bundle exited ${code}\n${err}`);
  return new TextDecoder().decode(stdout);
}

/** Builds every file of web/dist in memory: file name → contents. */
export async function buildWeb(): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const [name, { entry, importMap, startsWorkers }] of Object.entries(BUNDLES)) {
    let js = await bundle(entry, importMap);
    if (startsWorkers) {
      const uses = js.split(WORKER_URL).length - 1;
      if (uses !== 1) {
        throw new Error(
          `Cannot build ${name}: expected the kernel worker's URL (${WORKER_URL}) once in the ` +
            `bundle, found it ${uses} times; update tasks/build_web.ts to kernels/wasm/_runtime.ts`,
        );
      }
      js = js.replace(WORKER_URL, WORKER_URL_WEB);
    }
    if (/^\s*import\b[^;]*"node:/m.test(js)) {
      throw new Error(`Cannot build ${name}: the bundle still imports a node: module`);
    }
    const header = `// ${name}: built by \`deno task build:web\` from ${entry}; do not edit.\n`;
    files.set(name, new TextEncoder().encode(header + js));
  }
  for (const name of WASM_FILES) {
    files.set(name, await Deno.readFile(new URL(`kernels/wasm/${name}`, root)));
  }
  return files;
}

/** The names of the files of `dir` that differ from `built` (or are missing). */
export async function staleFiles(built: Map<string, Uint8Array>, dir: URL | string) {
  const stale: string[] = [];
  const base = typeof dir === "string" ? dir : dir.pathname;
  for (const [name, bytes] of built) {
    let have: Uint8Array | null = null;
    try {
      have = await Deno.readFile(`${base}/${name}`);
    } catch { /* missing */ }
    const same = have !== null && have.length === bytes.length &&
      have.every((b, i) => b === bytes[i]);
    if (!same) stale.push(name);
  }
  return stale;
}

async function main(args: string[]): Promise<number> {
  const { values } = parseFlags({
    args,
    options: {
      out: { type: "string" },
      check: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const out = values.out ?? WEB_DIST.pathname.replace(/\/$/, "");
  const built = await buildWeb();
  if (values.check) {
    const stale = await staleFiles(built, out);
    for (const name of built.keys()) {
      console.log(
        `${out}/${name}: ${stale.includes(name) ? "DIFFERS from" : "matches"} a fresh build`,
      );
    }
    if (stale.length > 0) {
      console.error("Run `deno task build:web` to rebuild it");
      return 1;
    }
  } else {
    await Deno.mkdir(out, { recursive: true });
    for (const [name, bytes] of built) {
      await writeFileAtomic(`${out}/${name}`, bytes);
      console.log(`wrote ${out}/${name} (${bytes.length} bytes)`);
    }
  }
  return 0;
}

if (import.meta.main) await runTask("build:web", () => main(Deno.args));
