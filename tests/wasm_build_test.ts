// The committed kernels.wasm and kernels_relaxed.wasm are exactly what the pinned
// AssemblyScript compiler builds from kernels/wasm/assembly/ (as `deno task build:kernels`).
import { assertEquals, assertTrue } from "./_assert.ts";
import { buildKernels, TARGETS } from "../tasks/build_kernels.ts";

Deno.test("the committed .wasm modules match a fresh build of their sources", async (t) => {
  for (const [target, file] of Object.entries(TARGETS)) {
    await t.step(`${target} → kernels/wasm/${file}`, async () => {
      const fresh = await buildKernels(target);
      const committed = await Deno.readFile(new URL(`../kernels/wasm/${file}`, import.meta.url));
      assertTrue(fresh.length > 1000, `the build wrote ${fresh.length} bytes`);
      const first = fresh.findIndex((b, i) => b !== committed[i]);
      assertEquals(
        {
          length: committed.length,
          firstDifference: committed.length === fresh.length ? first : -2,
        },
        { length: fresh.length, firstDifference: -1 },
        `kernels/wasm/${file} is stale: run \`deno task build:kernels\` and commit it`,
      );
    });
  }
});
