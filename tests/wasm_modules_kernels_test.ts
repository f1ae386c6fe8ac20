// The WASM module kernels (average pooling, batch norm, dropout, smoothed cross-entropy, axpy)
// against the float64 reference, with one thread and with all threads (which must agree bit
// for bit); dropout masks must equal the reference's exactly.
import { withThreads } from "./_threads.ts";
import { assertAllClose, assertAlmostEquals, assertEquals, assertThrows } from "./_assert.ts";
import { poolDims } from "../core/dims.ts";
import * as ref from "../kernels/ref/mod.ts";
import { getThreads, wasmKernels } from "../kernels/wasm/mod.ts";
import { wasmMissing } from "../kernels/mod.ts";
import { Rng } from "../core/random.ts";

/** Normalised max error allowed between float32 WASM and the float64 reference. */
const TOL_F32 = 1e-4;
const THREADS = Math.max(2, getThreads());

// float32-representable values in [offset − 1, offset + 1)
function randArray(n: number, rng: Rng, offset = 0): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.fround(offset + 2 * rng.uniform() - 1);
  return a;
}

// Runs fn with one thread and with all threads, asserts they agree, returns the first.
function oneAndAll<T>(fn: () => T): T {
  const one = withThreads(1, fn), all = withThreads(THREADS, fn);
  assertEquals(all, one, `${THREADS} threads vs 1`);
  return one;
}

Deno.test("the WASM backend implements every kernel", () => {
  assertEquals([...wasmMissing], []);
});

// [x shape, PH, PW, stride, ceilMode?]: odd sizes, overlapping and global windows, the 2×2 fast
// path with tails, enough planes for every thread, and PyTorch's floored and ceil_mode sizes
// (the last windows clipped at the edge and divided by the part inside)
const AVG_CASES: [number[], number, number, number, boolean?][] = [
  [[2, 3, 5, 5], 2, 2, 2],
  [[2, 3, 5, 5], 2, 2, 2, true],
  [[1, 2, 7, 7], 3, 3, 3, true],
  [[2, 4, 9, 18], 2, 2, 2, true],
  [[1, 3, 17, 17], 2, 2, 2, true],
  [[1, 2, 5, 5], 1, 1, 3, true],
  [[1, 1, 4, 4], 2, 2, 2],
  [[1, 3, 7, 9], 3, 3, 2],
  [[2, 5, 8, 8], 8, 8, 1],
  [[3, 7, 10, 18], 2, 2, 2],
  [[4, 6, 5, 5], 2, 2, 1],
  [[2, 3, 9, 11], 3, 5, 2],
  [[2, 1, 32, 32], 4, 4, 4],
  [[8, 13, 6, 6], 6, 6, 1],
  [[16, 33, 16, 16], 2, 2, 2],
  [[64, 64, 4, 4], 4, 4, 1],
];

Deno.test("wasm avgPool2d kernels match the reference", async (t) => {
  for (const [xs, ph, pw, stride, ceil = false] of AVG_CASES) {
    await t.step(`x=(${xs}) ${ph}×${pw} s=${stride}${ceil ? " ceil" : ""}`, () => {
      const d = poolDims("test", xs, ph, pw, stride, ceil);
      const rng = new Rng(xs[0] * 1000 + xs[1] * 10 + ph);
      const nx = d.N * d.C * d.H * d.W, no = d.N * d.C * d.HO * d.WO;
      const x = randArray(nx, rng), dout = randArray(no, rng), dx0 = randArray(nx, rng);
      const want = { out: new Float64Array(no), dx: dx0.slice() };
      ref.avgPool2dForward(want.out, x, d);
      ref.avgPool2dBackward(want.dx, dout, d);
      const got = oneAndAll(() => {
        const r = { out: new Float32Array(no), dx: Float32Array.from(dx0) };
        wasmKernels.avgPool2dForward(r.out, x, d);
        wasmKernels.avgPool2dBackward(r.dx, dout, d);
        return r;
      });
      assertAllClose(got.out, want.out, TOL_F32, "out");
      assertAllClose(got.dx, want.dx, TOL_F32, "dx");
    });
  }
});

// [N, C, HW]: batch 1, one value per image, channels not a multiple of 4, odd planes, and a
// large case for every thread
const BN_CASES: [number, number, number][] = [
  [1, 1, 2],
  [1, 3, 7],
  [2, 5, 9],
  [4, 6, 1],
  [3, 7, 33],
  [16, 13, 17],
  [8, 64, 64],
  [4, 32, 1024],
];

function bnCase(N: number, C: number, HW: number, rng: Rng) {
  const n = N * C * HW;
  return {
    x: randArray(n, rng, 3), // a mean far from 0, so a one-pass variance would cancel
    gamma: randArray(C, rng, 1),
    beta: randArray(C, rng),
    rm: randArray(C, rng),
    rv: randArray(C, rng, 1.5),
    dout: randArray(n, rng),
    dx0: randArray(n, rng),
    dg0: randArray(C, rng),
    db0: randArray(C, rng),
  };
}

function bnRun(
  k: typeof ref | typeof wasmKernels,
  make: (n: number) => Float32Array | Float64Array,
  [N, C, HW]: [number, number, number],
  v: ReturnType<typeof bnCase>,
  training: boolean,
  relu = false,
) {
  const r = {
    out: make(N * C * HW),
    mean: make(C),
    invStd: make(C),
    rm: make(C),
    rv: make(C),
    dx: make(N * C * HW),
    dg: make(C),
    db: make(C),
  };
  r.rm.set(v.rm), r.rv.set(v.rv), r.dx.set(v.dx0), r.dg.set(v.dg0), r.db.set(v.db0);
  k.batchNorm2dForward(
    r.out,
    r.mean,
    r.invStd,
    r.rm,
    r.rv,
    v.x,
    v.gamma,
    v.beta,
    N,
    C,
    HW,
    1e-5,
    0.1,
    training,
    relu,
  );
  k.batchNorm2dBackward(
    r.dx,
    r.dg,
    r.db,
    v.dout,
    v.x,
    v.gamma,
    r.mean,
    r.invStd,
    N,
    C,
    HW,
    training,
    relu ? v.beta : undefined,
  );
  return r;
}

// BN then ReLU as two kernels (the layers' composition that the fused pass must equal).
function bnThenRelu(
  k: typeof ref | typeof wasmKernels,
  make: (n: number) => Float32Array | Float64Array,
  [N, C, HW]: [number, number, number],
  v: ReturnType<typeof bnCase>,
  training: boolean,
) {
  const n = N * C * HW;
  const r = bnRun(k, make, [N, C, HW], { ...v, dout: new Float64Array(n) }, training); // BN out
  const y = r.out, out = make(n), g = make(n);
  k.reluForward(out, y, n);
  k.reluBackward(g, make(n).map((_, i) => v.dout[i]), y, n);
  const dx = make(n), dg = make(C), db = make(C);
  dx.set(v.dx0), dg.set(v.dg0), db.set(v.db0);
  k.batchNorm2dBackward(dx, dg, db, g, v.x, v.gamma, r.mean, r.invStd, N, C, HW, training);
  return { out, dx, dg, db };
}

Deno.test("wasm batchNorm2d kernels match the reference", async (t) => {
  for (const shape of BN_CASES) {
    for (const training of [true, false]) {
      const [N, C, HW] = shape;
      if (training && N * HW < 2) continue;
      await t.step(`N=${N} C=${C} HW=${HW} ${training ? "train" : "eval"}`, () => {
        const v = bnCase(N, C, HW, new Rng(N * 100 + C * 10 + HW));
        const want = bnRun(ref, (n) => new Float64Array(n), shape, v, training);
        const got = oneAndAll(() =>
          bnRun(wasmKernels, (n) => new Float32Array(n), shape, v, training)
        );
        for (const key of Object.keys(want) as (keyof typeof want)[]) {
          assertAllClose(got[key], want[key], TOL_F32, key);
        }
      });
    }
  }
});

Deno.test("batchNorm2d with a fused ReLU equals BN then ReLU, bit for bit", async (t) => {
  for (const shape of BN_CASES) {
    for (const training of [true, false]) {
      const [N, C, HW] = shape;
      if (training && N * HW < 2) continue;
      await t.step(`N=${N} C=${C} HW=${HW} ${training ? "train" : "eval"}`, () => {
        const v = bnCase(N, C, HW, new Rng(N * 100 + C * 10 + HW + 7));
        const f32 = (n: number) => new Float32Array(n), f64 = (n: number) => new Float64Array(n);
        for (const [k, make] of [[wasmKernels, f32], [ref, f64]] as const) {
          const fused = oneAndAll(() => bnRun(k, make, shape, v, training, true));
          const split = bnThenRelu(k, make, shape, v, training);
          const name = k === ref ? "ref" : "wasm";
          assertEquals(fused.out, split.out, `${name} out`);
          assertEquals(fused.dx, split.dx, `${name} dx`);
          assertEquals(fused.dg, split.dg, `${name} dgamma`);
          assertEquals(fused.db, split.db, `${name} dbeta`);
          // in training BN centres each channel, so the mask really cuts: some outputs are 0
          if (training && N * C * HW >= 64) assertEquals(fused.out.some((y) => y === 0), true);
        }
        const want = bnRun(ref, f64, shape, v, training, true);
        const got = bnRun(wasmKernels, f32, shape, v, training, true);
        for (const key of ["out", "dx", "dg", "db"] as const) {
          assertAllClose(got[key], want[key], TOL_F32, `fused ${key}`);
        }
      });
    }
  }
});

// [n, p, seed]: tails of 1–3, p = 0, p at a power of two, p so close to 1 that nothing is kept,
// the largest seed, and sizes for every thread
const DROPOUT_CASES: [number, number, number][] = [
  [1, 0.5, 1],
  [3, 0.1, 7],
  [7, 0, 12345],
  [1000, 0.5, 0xffffffff],
  [1001, 0.9, 42],
  [4097, 1 - 2 ** -40, 3],
  [200003, 0.3, 0x9e3779b9],
  [131072 * 2 + 5, 0.25, 2024],
];

Deno.test("wasm dropout kernels match the reference, masks bit for bit", async (t) => {
  for (const [n, p, seed] of DROPOUT_CASES) {
    await t.step(`n=${n} p=${p} seed=${seed}`, () => {
      const rng = new Rng(n + seed);
      const x = randArray(n, rng), dout = randArray(n, rng), dx0 = randArray(n, rng);
      // the reference on float32 arrays: what WASM must equal exactly (mask and output)
      const exact = { out: new Float32Array(n), mask: new Float32Array(n) };
      ref.dropoutForward(exact.out, exact.mask, x, n, p, seed);
      const want = { out: new Float64Array(n), mask: new Float64Array(n), dx: dx0.slice() };
      ref.dropoutForward(want.out, want.mask, x, n, p, seed);
      ref.dropoutBackward(want.dx, dout, want.mask, n);
      const got = oneAndAll(() => {
        const r = {
          out: new Float32Array(n),
          mask: new Float32Array(n),
          dx: Float32Array.from(dx0),
        };
        wasmKernels.dropoutForward(r.out, r.mask, x, n, p, seed);
        wasmKernels.dropoutBackward(r.dx, dout, r.mask, n);
        return r;
      });
      assertEquals(got.mask, exact.mask, "mask");
      assertEquals(got.out, exact.out, "out");
      assertAllClose(got.dx, want.dx, TOL_F32, "dx");
      const kept = got.mask.filter((m) => m !== 0).length;
      if (n >= 1000) assertAlmostEquals(kept / n, 1 - p, 0.05, "kept fraction");
    });
  }
  await t.step("a bad p or seed is rejected", () => {
    const a = new Float32Array(4);
    assertThrows(
      () => wasmKernels.dropoutForward(a, a, a, 4, 1, 0),
      RangeError,
      "p must be in [0, 1), got 1",
    );
    assertThrows(
      () => wasmKernels.dropoutForward(a, a, a, 4, 0.5, -1),
      RangeError,
      "seed must be an integer in [0, 2³²), got -1",
    );
  });
});

// [N, C, smoothing]
const CE_CASES: [number, number, number][] = [
  [1, 1, 0],
  [1, 10, 0.1],
  [7, 3, 0.5],
  [128, 10, 0.2],
  [50, 1001, 1],
  [3, 17, 0],
];

Deno.test("wasm softmaxCrossEntropySmoothed matches the reference", async (t) => {
  for (const [N, C, smoothing] of CE_CASES) {
    await t.step(`N=${N} C=${C} ε=${smoothing}`, () => {
      const rng = new Rng(N * C);
      const x = randArray(N * C, rng).map((v) => 20 * v); // large scores test the shift
      const y = Int32Array.from({ length: N }, () => rng.int(C));
      const want = new Float64Array(N * C);
      const lw = ref.softmaxCrossEntropySmoothed(want, x, y, N, C, smoothing);
      const got = oneAndAll(() => {
        const dx = new Float32Array(N * C);
        return { loss: wasmKernels.softmaxCrossEntropySmoothed(dx, x, y, N, C, smoothing), dx };
      });
      assertAlmostEquals(got.loss, lw, 1e-5 * Math.max(1, Math.abs(lw)), "loss");
      assertAllClose(got.dx, want, TOL_F32, "dx");
    });
  }
  await t.step("a label outside [0, C) is rejected", () => {
    const a = new Float32Array(4);
    assertThrows(
      () => wasmKernels.softmaxCrossEntropySmoothed(a, a, [0, 2], 2, 2, 0.1),
      RangeError,
      "label y[1] = 2 is not a class in [0, 2)",
    );
  });
});

Deno.test("wasm axpy matches the reference", async (t) => {
  for (const n of [1, 5, 1024, 200003]) {
    for (const alpha of [1, -0.5, 0.125]) {
      await t.step(`n=${n} α=${alpha}`, () => {
        const rng = new Rng(n);
        const x = randArray(n, rng), y0 = randArray(n, rng);
        const want = y0.slice();
        ref.axpy(want, x, alpha, n);
        const got = oneAndAll(() => {
          const y = Float32Array.from(y0);
          wasmKernels.axpy(y, x, alpha, n);
          return y;
        });
        assertAllClose(got, want, TOL_F32, "y");
      });
    }
  }
});
