// The WebGPU matmul, bias, column-sum, ReLU, softmax cross-entropy and optimizer kernels
// against the float64 reference (the shapes of tests/wasm_dense_test.ts, fewer and smaller).
import { assertAllClose, assertAlmostEquals, assertEquals, assertRejects } from "./_assert.ts";
import { gpuTest, randArray, TOL_WEBGPU } from "./_webgpu.ts";
import { convDims } from "../core/dims.ts";
import * as ref from "../kernels/ref/mod.ts";
import { webgpuArrays as gpu } from "../kernels/webgpu/mod.ts";
import { Rng } from "../core/random.ts";

gpuTest("webgpu gemm matches the reference", async (t) => {
  const shapes = [[1, 1, 1], [3, 5, 7], [10, 17, 9], [64, 33, 100], [5, 200, 3], [100, 10, 0]];
  for (const [M, N, K] of shapes) {
    for (
      const [transA, transB, accumulate] of [[false, false, false], [true, false, true], [
        false,
        true,
        true,
      ], [true, true, false]]
    ) {
      await t.step(`M=${M} N=${N} K=${K} tA=${transA} tB=${transB} acc=${accumulate}`, async () => {
        const rng = new Rng(M * 1000 + N * 10 + K);
        const a = randArray(M * K, rng), b = randArray(K * N, rng), c0 = randArray(M * N, rng);
        const want = c0.slice(), got = Float32Array.from(c0);
        ref.gemm(want, a, b, M, N, K, transA, transB, accumulate);
        await gpu.gemm(got, a, b, M, N, K, transA, transB, accumulate);
        assertAllClose(got, want, TOL_WEBGPU, "c");
      });
    }
  }
});

gpuTest("webgpu row, ReLU and loss kernels match the reference", async (t) => {
  const rng = new Rng(7);
  for (const [rows, cols] of [[1, 1], [3, 10], [50, 7], [128, 100], [2, 1001]]) {
    await t.step(`addRowBias and sumRows (${rows}, ${cols})`, async () => {
      const m = randArray(rows * cols, rng), bias = randArray(cols, rng);
      const want = m.slice(), got = Float32Array.from(m);
      ref.addRowBias(want, bias, rows, cols);
      await gpu.addRowBias(got, bias, rows, cols);
      assertAllClose(got, want, TOL_WEBGPU, "addRowBias");
      const s0 = randArray(cols, rng), sWant = s0.slice(), sGot = Float32Array.from(s0);
      ref.sumRows(sWant, m, rows, cols);
      await gpu.sumRows(sGot, m, rows, cols);
      assertAllClose(sGot, sWant, TOL_WEBGPU, "sumRows");
    });
    await t.step(`reluForward and reluBackward (${rows * cols})`, async () => {
      const n = rows * cols, x = randArray(n, rng), dout = randArray(n, rng);
      const want = new Float64Array(n), got = new Float32Array(n);
      ref.reluForward(want, x, n);
      await gpu.reluForward(got, x, n);
      assertEquals([...got], [...want]);
      ref.reluBackward(want, dout, x, n);
      await gpu.reluBackward(got, dout, x, n);
      assertEquals([...got], [...want]);
    });
    await t.step(`softmaxCrossEntropy (${rows}, ${cols})`, async () => {
      const x = randArray(rows * cols, rng).map((v) => 5 * v);
      const y = Int32Array.from({ length: rows }, () => rng.int(cols));
      const want = new Float64Array(rows * cols), got = new Float32Array(rows * cols);
      const lw = ref.softmaxCrossEntropy(want, x, y, rows, cols);
      const lg = await gpu.softmaxCrossEntropy(got, x, y, rows, cols);
      assertAlmostEquals(lg, lw, 1e-5 * Math.max(1, Math.abs(lw)));
      assertAllClose(got, want, TOL_WEBGPU, "dx");
    });
  }
});

/** Label smoothings of the smoothed loss's cases: none, train:mymodel's 0.2, and all. */
const SMOOTHINGS = [0, 0.2, 1];

gpuTest("webgpu softmaxCrossEntropySmoothed and axpy match the reference", async (t) => {
  const rng = new Rng(11);
  for (const [rows, cols] of [[1, 1], [3, 10], [50, 7], [128, 100], [2, 1001]]) {
    for (const eps of SMOOTHINGS) {
      await t.step(`softmaxCrossEntropySmoothed (${rows}, ${cols}) ε=${eps}`, async () => {
        const x = randArray(rows * cols, rng).map((v) => 5 * v);
        const y = Int32Array.from({ length: rows }, () => rng.int(cols));
        const want = new Float64Array(rows * cols), got = new Float32Array(rows * cols);
        const lw = ref.softmaxCrossEntropySmoothed(want, x, y, rows, cols, eps);
        const lg = await gpu.softmaxCrossEntropySmoothed(got, x, y, rows, cols, eps);
        assertAlmostEquals(lg, lw, 1e-5 * Math.max(1, Math.abs(lw)));
        assertAllClose(got, want, TOL_WEBGPU, "dx");
      });
    }
    await t.step(`axpy (${rows * cols})`, async () => {
      const n = rows * cols, x = randArray(n, rng), y0 = randArray(n, rng);
      for (const alpha of [1, 0.125, -3]) {
        const want = y0.slice(), got = Float32Array.from(y0);
        ref.axpy(want, x, alpha, n);
        await gpu.axpy(got, x, alpha, n);
        assertAllClose(got, want, TOL_WEBGPU, `axpy alpha=${alpha}`);
      }
    });
  }
});

gpuTest("webgpu softmaxCrossEntropySmoothed refuses a smoothing outside [0, 1]", async () => {
  await assertRejects(
    () =>
      gpu.softmaxCrossEntropySmoothed(new Float32Array(6), new Float32Array(6), [0, 1], 2, 3, 1.5),
    RangeError,
    "smoothing must be in [0, 1], got 1.5",
  );
});

gpuTest("webgpu softmaxCrossEntropy refuses a label outside [0, C)", async () => {
  await assertRejects(
    () => gpu.softmaxCrossEntropy(new Float32Array(6), new Float32Array(6), [0, 3], 2, 3),
    RangeError,
    "label 3 at index 1 is not a class in [0, 3)",
  );
});

const N_PARAMS = 70_001; // odd, so the last workgroup is partly idle
const STEPS = 3;

gpuTest("webgpu sgdStep and adamStep match the reference", async (t) => {
  const sgd = [
    { lr: 0.1, momentum: 0, wd: 0, nesterov: false },
    { lr: 0.05, momentum: 0.9, wd: 5e-4, nesterov: false },
    { lr: 0.05, momentum: 0.9, wd: 1e-3, nesterov: true },
  ];
  for (const c of sgd) {
    await t.step(`sgdStep ${JSON.stringify(c)}`, async () => {
      const rng = new Rng(11), n = N_PARAMS;
      const p0 = randArray(n, rng);
      const want = { p: p0.slice(), v: new Float64Array(n) };
      const got = { p: Float32Array.from(p0), v: new Float32Array(n) };
      for (let s = 0; s < STEPS; s++) {
        const g = randArray(n, rng);
        ref.sgdStep(want.p, g, want.v, n, c.lr, c.momentum, c.wd, c.nesterov);
        await gpu.sgdStep(got.p, g, got.v, n, c.lr, c.momentum, c.wd, c.nesterov);
      }
      assertAllClose(got.p, want.p, TOL_WEBGPU, "param");
      assertAllClose(got.v, want.v, TOL_WEBGPU, "momentum buffer");
    });
  }
  for (const [decoupled, wd] of [[false, 0], [false, 0.01], [true, 0.01]] as const) {
    await t.step(`adamStep decoupled=${decoupled} weightDecay=${wd}`, async () => {
      const rng = new Rng(12), n = N_PARAMS;
      const p0 = randArray(n, rng);
      const want = { p: p0.slice(), m: new Float64Array(n), v: new Float64Array(n) };
      const got = { p: Float32Array.from(p0), m: new Float32Array(n), v: new Float32Array(n) };
      for (let step = 1; step <= STEPS; step++) {
        const g = randArray(n, rng);
        const args = [n, 1e-2, 0.9, 0.999, 1e-8, step, wd, decoupled] as const;
        ref.adamStep(want.p, g, want.m, want.v, ...args);
        await gpu.adamStep(got.p, g, got.m, got.v, ...args);
      }
      assertAllClose(got.p, want.p, TOL_WEBGPU, "param");
      assertAllClose(got.m, want.m, TOL_WEBGPU, "m");
      assertAllClose(got.v, want.v, TOL_WEBGPU, "v");
    });
  }
});

gpuTest("webgpu gemm and conv sum over long K (llvmpipe's loop limiter)", async (t) => {
  // llvmpipe stops a loop nest after 65535 iterations; the kernels split K there (kSlices).
  await t.step("gemm K=40000 of ones sums to 40000", async () => {
    const K = 40_000, c = new Float32Array(2);
    await gpu.gemm(
      c,
      new Float32Array(K).fill(1),
      new Float32Array(2 * K).fill(1),
      1,
      2,
      K,
      false,
      false,
      false,
    );
    assertEquals([...c], [K, K]);
  });
  await t.step("conv2dBackwardFilter over N·HO·WO = 25600", async () => {
    const d = convDims("test", [25, 1, 32, 32], [2, 1, 3, 3], 1, 1);
    const rng = new Rng(9);
    const x = randArray(25 * 1024, rng), dout = randArray(25 * 2 * 1024, rng);
    const want = { dw: new Float64Array(18), db: new Float64Array(2) };
    ref.conv2dBackwardFilter(want.dw, want.db, dout, x, d);
    const got = { dw: new Float32Array(18), db: new Float32Array(2) };
    await gpu.conv2dBackwardFilter(got.dw, got.db, dout, x, d);
    assertAllClose(got.dw, want.dw, TOL_WEBGPU, "dw");
    assertAllClose(got.db, want.db, TOL_WEBGPU, "db");
  });
});
