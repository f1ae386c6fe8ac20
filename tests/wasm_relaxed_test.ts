// The relaxed-SIMD build (kernels_relaxed.wasm, fused multiply-add) passes the same
// differential tests as the default build, with the same tolerances: runs them in a fresh
// `deno test` process with CONVNET_WASM_RELAXED=1.
import { assertEquals } from "./_assert.ts";

Deno.test("the relaxed-SIMD build passes the differential kernel tests", async () => {
  const files = ["wasm_kernels_test.ts", "wasm_dense_test.ts", "wasm_optim_test.ts"];
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "test",
      "--allow-read",
      "--allow-env",
      ...files.map((f) => new URL(f, import.meta.url).pathname),
    ],
    env: { CONVNET_WASM_RELAXED: "1", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  assertEquals(code, 0, `relaxed build failed its tests:\n${out.slice(-3000)}`);
  assertEquals(/ok \| \d+ passed/.test(out), true, out.slice(-500));
});
