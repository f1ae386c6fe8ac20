// The WASM runtime: the arena grows to the largest request and is then reused; thread counts
// are validated; one thread runs without workers.
import { assertEquals, assertThrows } from "./_assert.ts";
import { convDims } from "../core/dims.ts";
import { getThreads, setThreads, wasmKernels } from "../kernels/wasm/mod.ts";
import { memory } from "../kernels/wasm/_runtime.ts";

Deno.test("the arena does not grow across repeated calls of the same sizes", () => {
  const d = convDims("test", [4, 8, 20, 20], [16, 8, 3, 3], 1, 1);
  const x = new Float32Array(4 * 8 * 400).fill(0.5), w = new Float32Array(16 * 72).fill(0.25);
  const out = new Float32Array(4 * 16 * 400), b = new Float32Array(16);
  wasmKernels.conv2dForward(out, x, w, b, d);
  const size = memory.buffer.byteLength;
  for (let i = 0; i < 5; i++) wasmKernels.conv2dForward(out, x, w, b, d);
  assertEquals(memory.buffer.byteLength, size);
  assertEquals(out[16 * 400 + 21], 8 * 9 * 0.5 * 0.25); // an interior output of image 0, filter 1
});

Deno.test("setThreads()", async (t) => {
  const before = getThreads();
  await t.step("rejects counts outside [1, 64]", () => {
    assertThrows(() => setThreads(0), RangeError, "need an integer in [1, 64], got 0");
    assertThrows(() => setThreads(1.5), RangeError);
    assertEquals(getThreads(), before);
  });
  await t.step("one thread computes what every thread computes", () => {
    const a = new Float32Array(33 * 17).map((_, i) => Math.sin(i));
    const b = new Float32Array(17 * 41).map((_, i) => Math.cos(i));
    const results = [1, Math.max(2, before)].map((n) => {
      setThreads(n);
      const c = new Float32Array(33 * 41);
      wasmKernels.gemm(c, a, b, 33, 41, 17, false, false, false);
      return c;
    });
    setThreads(before);
    assertEquals(results[1], results[0]);
  });
});
