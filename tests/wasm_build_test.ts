// The committed kernels.wasm is exactly what the pinned AssemblyScript compiler builds from
// kernels/wasm/assembly/ (the same build as `deno task build:kernels`).
import { assertEquals, assertTrue } from "./_assert.ts";
import { buildKernels } from "../tasks/build_kernels.ts";

Deno.test("kernels.wasm matches a fresh build of its sources", async () => {
  const fresh = await buildKernels("release");
  const committed = await Deno.readFile(new URL("../kernels/wasm/kernels.wasm", import.meta.url));
  assertTrue(fresh.length > 1000, `the build wrote ${fresh.length} bytes`);
  const first = fresh.findIndex((b, i) => b !== committed[i]);
  assertEquals(
    { length: committed.length, firstDifference: committed.length === fresh.length ? first : -2 },
    { length: fresh.length, firstDifference: -1 },
    "kernels/wasm/kernels.wasm is stale: run `deno task build:kernels` and commit it",
  );
});
