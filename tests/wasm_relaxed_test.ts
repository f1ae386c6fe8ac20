// The strict build (kernels.wasm: separate multiply and add, chosen by CONVNET_WASM_RELAXED=0 or
// where relaxed SIMD is missing) passes the same differential tests as the default relaxed
// build, with the same tolerances: runs them in a fresh `deno test` process.
import { assertEquals } from "./_assert.ts";

Deno.test("the strict build passes the differential kernel tests", async () => {
  const files = [
    "wasm_kernels_test.ts",
    "wasm_dense_test.ts",
    "wasm_optim_test.ts",
    "conv_pool_relu_test.ts",
  ];
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "test",
      "--allow-read",
      "--allow-env",
      ...files.map((f) => new URL(f, import.meta.url).pathname),
    ],
    env: { CONVNET_WASM_RELAXED: "0", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  assertEquals(code, 0, `strict build failed its tests:\n${out.slice(-3000)}`);
  assertEquals(/ok \| \d+ passed/.test(out), true, out.slice(-500));
});
