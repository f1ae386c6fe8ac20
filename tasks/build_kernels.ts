/**
 * `deno task build:kernels`: compiles the AssemblyScript sources in kernels/wasm/assembly/ with
 * the pinned compiler (npm:assemblyscript 0.28.20, targets of kernels/wasm/asconfig.json:
 * optimizeLevel 3, noAssert, SIMD, shared imported memory) and writes, atomically, the
 * committed modules: kernels.wasm (release: multiply + add) and kernels_relaxed.wasm (relaxed:
 * fused relaxed_madd, the default where supported; CONVNET_WASM_RELAXED=0 picks release), and
 * first, from the op table kernels/wasm/_ops.ts, the dispatcher assembly/_dispatch.ts (the
 * build compiles the generated text, not the file on disk) and the job argument types
 * kernels/wasm/_job_args.ts. `--check` fails when a
 * committed file differs from a fresh build.
 *
 * @module
 */

import { writeFileAtomic } from "../nn/_atomic.ts";
import {
  DISPATCH_FILE,
  dispatchSource,
  JOB_ARGS_FILE,
  jobArgsSource,
} from "../kernels/wasm/_ops.ts";
import { parseFlags, runTask } from "../train/cli.ts";
import { join } from "node:path";
import asc from "assemblyscript/asc";

const HELP = `Usage: deno task build:kernels [--target release|relaxed|debug] [--out FILE] [--check]

Generates kernels/wasm/assembly/_dispatch.ts and kernels/wasm/_job_args.ts from the op table
kernels/wasm/_ops.ts and compiles kernels/wasm/assembly/index.ts with AssemblyScript 0.28.20.
  --target T   one asconfig target (default: release and relaxed, the committed modules)
  --out FILE   where to write the module (only with --target)
  --check      build in memory and fail if a committed module or generated file differs
  --help       show this help`;

/** The committed modules: asconfig target → file in kernels/wasm/. */
export const TARGETS: Readonly<Record<string, string>> = {
  release: "kernels.wasm",
  relaxed: "kernels_relaxed.wasm",
};

const wasmDir = new URL("../kernels/wasm/", import.meta.url);

/** Compiles the kernels (the dispatcher generated from the op table) and returns the bytes. */
export async function buildKernels(target = "release"): Promise<Uint8Array> {
  let binary: Uint8Array | undefined;
  let text = "";
  const cwd = wasmDir.pathname;
  const { error, stderr } = await asc.main(
    ["assembly/index.ts", "--config", "asconfig.json", "--target", target, "--outFile", "out.wasm"],
    {
      readFile: (name: string, baseDir: string) => {
        if (join(baseDir, name) === DISPATCH_FILE) return dispatchSource();
        try {
          return Deno.readTextFileSync(join(cwd, baseDir, name));
        } catch {
          return null;
        }
      },
      writeFile: (name: string, contents: Uint8Array | string) => {
        if (name.endsWith(".wasm")) binary = contents as Uint8Array;
        else text += String(contents);
      },
      listFiles: () => [],
    },
  );
  if (error) {
    throw new Error(`Cannot build the WASM kernels: ${error.message}\n${stderr.toString()}${text}`);
  }
  if (!binary) throw new Error("Cannot build the WASM kernels: the compiler wrote no .wasm");
  return binary;
}

async function main(args: string[]): Promise<number> {
  const { values } = parseFlags({
    args,
    options: {
      target: { type: "string" },
      out: { type: "string" },
      check: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const targets = values.target ? [values.target] : Object.keys(TARGETS);
  console.log(
    `build:kernels targets=${targets.join(",")} out=${
      values.out ?? "kernels/wasm/"
    } check=${values.check}`,
  );
  let stale = 0;
  for (
    const [name, source] of [[DISPATCH_FILE, dispatchSource()], [JOB_ARGS_FILE, jobArgsSource()]]
  ) {
    const file = new URL(name, wasmDir).pathname;
    if (values.check) {
      const same = (await Deno.readTextFile(file)) === source;
      console.log(`${file}: ${same ? "matches the op table" : "DIFFERS from the op table"}`);
      if (!same) stale++;
    } else {
      await writeFileAtomic(file, new TextEncoder().encode(source));
      console.log(`wrote ${file}`);
    }
  }
  for (const target of targets) {
    const file = values.out ?? new URL(TARGETS[target] ?? `${target}.wasm`, wasmDir).pathname;
    const bytes = await buildKernels(target);
    if (values.check) {
      const committed = await Deno.readFile(file);
      const same = committed.length === bytes.length && committed.every((b, i) => b === bytes[i]);
      console.log(`${file}: ${same ? "matches a fresh build" : "DIFFERS from a fresh build"}`);
      if (!same) stale++;
    } else {
      await writeFileAtomic(file, bytes);
      console.log(`wrote ${file} (${bytes.length} bytes)`);
    }
  }
  if (stale > 0) {
    console.error("Run `deno task build:kernels` and commit the modules and generated files");
    return 1;
  }
  return 0;
}

if (import.meta.main) await runTask("build:kernels", () => main(Deno.args));
