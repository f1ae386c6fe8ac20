// The fused conv – 2×2 max-pool – relu kernels: the reference against the unfused reference
// layers, the WASM kernels against the float64 reference (values, argmax, thread counts), and
// their bad-input errors.
import { withThreads } from "./_threads.ts";
import { assertAllClose, assertEquals, assertThrows, assertTrue } from "./_assert.ts";
import { convDims, poolDims } from "../core/dims.ts";
import * as ref from "../kernels/ref/mod.ts";
import { getThreads, wasmKernels } from "../kernels/wasm/mod.ts";
import { Rng } from "../core/random.ts";

const TOL_F32 = 1e-4;
const THREADS = Math.max(2, getThreads());

// x (N, C, H, W), w (F, C, KH, KW), stride, pad: odd channel and filter counts (edge panels),
// pooled widths below and above 4 (scalar and SIMD pooling), strides 1 and 2, kernels up to
// 9 wide.
const CASES: readonly [number[], number[], number, number][] = [
  [[2, 3, 32, 32], [32, 3, 7, 7], 1, 3],
  [[1, 1, 4, 4], [1, 1, 3, 3], 1, 1],
  [[3, 2, 10, 6], [7, 2, 3, 3], 1, 1],
  [[2, 5, 12, 14], [6, 5, 5, 5], 1, 2],
  [[1, 4, 15, 15], [3, 4, 3, 3], 2, 1],
  [[2, 3, 9, 11], [4, 3, 2, 4], 1, 0],
  [[1, 2, 12, 12], [3, 2, 9, 9], 1, 4], // kernel wider than NR = 8 lanes: two lane blocks
  [[2, 4, 16, 16], [40, 4, 3, 3], 1, 1], // more filters than lanes of 4-group blocks
];

function randArray(n: number, rng: Rng): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.fround(2 * rng.uniform() - 1);
  return a;
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

Deno.test("reference convPoolRelu equals conv, max-pool and relu run one after another", () => {
  const [xs, ws, stride, pad] = CASES[2];
  const d = convDims("test", xs, ws, stride, pad);
  const rng = new Rng(7);
  const x = randArray(size(xs), rng), w = randArray(size(ws), rng), b = randArray(d.F, rng);
  const conv = new Float64Array(d.N * d.F * d.HO * d.WO);
  ref.conv2dForward(conv, x, w, b, d);
  const pd = poolDims("test", [d.N, d.F, d.HO, d.WO], 2, 2, 2);
  const pooled = new Float64Array(conv.length / 4), argmax = new Int32Array(conv.length / 4);
  ref.maxPool2dForward(pooled, argmax, conv, pd);
  const relu = new Float64Array(pooled.length);
  ref.reluForward(relu, pooled, pooled.length);
  const out = new Float64Array(pooled.length), fusedArgmax = new Int32Array(pooled.length);
  ref.convPoolRelu2dForward(out, fusedArgmax, x, w, b, d);
  assertEquals([...out], [...relu]);
  let blocked = 0;
  for (let o = 0; o < out.length; o++) {
    const want = pooled[o] > 0 ? argmax[o] : -1;
    assertEquals(fusedArgmax[o], want, `argmax[${o}]`);
    if (want === -1) blocked++;
  }
  assertTrue(blocked > 0 && blocked < out.length, "some windows blocked by relu, not all");

  const dout = randArray(out.length, rng);
  const dRelu = new Float64Array(out.length);
  ref.reluBackward(dRelu, dout, pooled, out.length);
  const dConv = new Float64Array(conv.length);
  ref.maxPool2dBackward(dConv, dRelu, argmax, pd);
  const want = { dw: new Float64Array(size(ws)), db: new Float64Array(d.F) };
  ref.conv2dBackwardFilter(want.dw, want.db, dConv, x, d);
  const got = { dw: new Float64Array(size(ws)), db: new Float64Array(d.F) };
  ref.convPoolRelu2dBackwardFilter(got.dw, got.db, dout, fusedArgmax, x, d);
  assertAllClose(got.dw, want.dw, 1e-12, "dw");
  assertAllClose(got.db, want.db, 1e-12, "db");
});

Deno.test("wasm convPoolRelu kernels match the float64 reference on every thread count", async (t) => {
  for (const [xs, ws, stride, pad] of CASES) {
    await t.step(`x=(${xs}) w=(${ws}) s=${stride} p=${pad}`, () => {
      const d = convDims("test", xs, ws, stride, pad);
      const rng = new Rng(size(xs) + size(ws));
      const x = randArray(size(xs), rng), w = randArray(size(ws), rng);
      const b = randArray(d.F, rng);
      const nOut = d.N * d.F * (d.HO / 2) * (d.WO / 2);
      const dout = randArray(nOut, rng), dw0 = randArray(size(ws), rng);
      const db0 = randArray(d.F, rng);
      const want = { out: new Float64Array(nOut), argmax: new Int32Array(nOut) };
      ref.convPoolRelu2dForward(want.out, want.argmax, x, w, b, d);
      const run = (threads: number) =>
        withThreads(threads, () => {
          const out = new Float32Array(nOut), argmax = new Int32Array(nOut);
          wasmKernels.convPoolRelu2dForward(out, argmax, x, w, b, d);
          const dw = Float32Array.from(dw0), db = Float32Array.from(db0);
          // the reference's argmax, so that near-ties decided differently in float32 do not
          // move gradients between positions
          wasmKernels.convPoolRelu2dBackwardFilter(dw, db, dout, want.argmax, x, d);
          return { out, argmax, dw, db };
        });
      const one = run(1), all = run(THREADS);
      assertAllClose(one.out, want.out, TOL_F32, "out");
      let sameArgmax = 0;
      for (let o = 0; o < nOut; o++) if (one.argmax[o] === want.argmax[o]) sameArgmax++;
      assertTrue(sameArgmax >= nOut - 2, `argmax agrees on ${sameArgmax} of ${nOut}`);
      const wantDw = dw0.slice(), wantDb = db0.slice();
      ref.convPoolRelu2dBackwardFilter(wantDw, wantDb, dout, want.argmax, x, d);
      assertAllClose(one.dw, wantDw, TOL_F32, "dw");
      assertAllClose(one.db, wantDb, TOL_F32, "db");
      for (const k of ["out", "argmax", "dw", "db"] as const) {
        assertEquals([...all[k]], [...one[k]], `${k}: ${THREADS} threads vs 1`);
      }
    });
  }
});

Deno.test("wasm convPoolRelu equals the unfused WASM kernels (forward bit for bit)", () => {
  const [xs, ws, stride, pad] = CASES[0];
  const d = convDims("test", xs, ws, stride, pad);
  const rng = new Rng(3);
  const x = Float32Array.from(randArray(size(xs), rng));
  const w = Float32Array.from(randArray(size(ws), rng));
  const b = Float32Array.from(randArray(d.F, rng));
  const nOut = d.N * d.F * (d.HO / 2) * (d.WO / 2);
  const out = new Float32Array(nOut), argmax = new Int32Array(nOut);
  wasmKernels.convPoolRelu2dForward(out, argmax, x, w, b, d);
  const conv = new Float32Array(nOut * 4);
  wasmKernels.conv2dForward(conv, x, w, b, d);
  const pd = poolDims("test", [d.N, d.F, d.HO, d.WO], 2, 2, 2);
  const pooled = new Float32Array(nOut), poolArgmax = new Int32Array(nOut);
  wasmKernels.maxPool2dForward(pooled, poolArgmax, conv, pd);
  for (let o = 0; o < nOut; o++) {
    assertEquals(out[o], pooled[o] > 0 ? pooled[o] : 0, `out[${o}]`);
    assertEquals(argmax[o], pooled[o] > 0 ? poolArgmax[o] : -1, `argmax[${o}]`);
  }
  const dout = Float32Array.from(randArray(nOut, rng));
  const dRelu = new Float32Array(nOut);
  wasmKernels.reluBackward(dRelu, dout, pooled, nOut);
  const dConv = new Float32Array(conv.length);
  wasmKernels.maxPool2dBackward(dConv, dRelu, poolArgmax, pd);
  const want = { dw: new Float32Array(w.length), db: new Float32Array(d.F) };
  wasmKernels.conv2dBackwardFilter(want.dw, want.db, dConv, x, d);
  const got = { dw: new Float32Array(w.length), db: new Float32Array(d.F) };
  wasmKernels.convPoolRelu2dBackwardFilter(got.dw, got.db, dout, argmax, x, d);
  // the sparse filter gradient sums in window order, the dense one in position order
  assertAllClose(got.dw, want.dw, 1e-6, "dw");
  assertAllClose(got.db, want.db, 1e-6, "db");
});

Deno.test("convPoolRelu kernels refuse odd conv outputs and foreign argmax", () => {
  const d = convDims("test", [1, 1, 5, 5], [1, 1, 3, 3], 1, 1); // conv output 5×5
  for (const k of [ref, wasmKernels]) {
    assertThrows(
      () =>
        k.convPoolRelu2dForward(
          new Float32Array(4),
          new Int32Array(4),
          new Float32Array(25),
          new Float32Array(9),
          new Float32Array(1),
          d,
        ),
      RangeError,
      "must have even height and width",
    );
  }
  const e = convDims("test", [1, 1, 4, 4], [1, 1, 3, 3], 1, 1);
  const dw = new Float32Array(9), db = new Float32Array(1);
  for (const k of [ref, wasmKernels]) {
    assertThrows(
      () =>
        k.convPoolRelu2dBackwardFilter(
          dw,
          db,
          new Float32Array(4),
          new Int32Array([0, 1, 99, 2]),
          new Float32Array(16),
          e,
        ),
      RangeError,
      "lies outside its conv plane",
    );
    assertEquals([...dw], new Array(9).fill(0), "dw untouched");
  }
});
