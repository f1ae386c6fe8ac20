/**
 * `deno task build:kernels`: compiles the AssemblyScript sources in kernels/wasm/assembly/ with
 * the pinned compiler (npm:assemblyscript, release target of kernels/wasm/asconfig.json:
 * optimizeLevel 3, noAssert, SIMD, shared imported memory) and writes kernels/wasm/kernels.wasm
 * atomically. `--out` writes elsewhere (the reproducibility test builds into a temp dir);
 * `--check` fails when the committed file differs from a fresh build.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { join } from "node:path";
import asc from "assemblyscript/asc";

const HELP = `Usage: deno task build:kernels [--out FILE] [--check] [--target release|debug]

Compiles kernels/wasm/assembly/index.ts with AssemblyScript 0.28.20.
  --out FILE   where to write the module (default kernels/wasm/kernels.wasm)
  --check      build into memory and fail if it differs from --out
  --target T   asconfig target: release (default, committed) or debug (asserts, wat)
  --help       show this help`;

const wasmDir = new URL("../kernels/wasm/", import.meta.url);

/** Compiles the kernels and returns the module's bytes. */
export async function buildKernels(target = "release"): Promise<Uint8Array> {
  let binary: Uint8Array | undefined;
  let text = "";
  const cwd = wasmDir.pathname;
  const { error, stderr } = await asc.main(
    ["assembly/index.ts", "--config", "asconfig.json", "--target", target, "--outFile", "out.wasm"],
    {
      readFile: (name: string, baseDir: string) => {
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

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      out: { type: "string", default: new URL("kernels.wasm", wasmDir).pathname },
      check: { type: "boolean", default: false },
      target: { type: "string", default: "release" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    Deno.exit(0);
  }
  console.log(`build:kernels target=${values.target} out=${values.out} check=${values.check}`);
  const bytes = await buildKernels(values.target);
  if (values.check) {
    const committed = await Deno.readFile(values.out!);
    const same = committed.length === bytes.length && committed.every((b, i) => b === bytes[i]);
    if (!same) {
      console.error(
        `${values.out} differs from a fresh build (${committed.length} vs ${bytes.length} bytes): run \`deno task build:kernels\` and commit it`,
      );
      Deno.exit(1);
    }
    console.log(`${values.out} matches a fresh build (${bytes.length} bytes)`);
  } else {
    await Deno.writeFile(`${values.out}.tmp`, bytes);
    await Deno.rename(`${values.out}.tmp`, values.out!);
    console.log(`wrote ${values.out} (${bytes.length} bytes)`);
  }
}
