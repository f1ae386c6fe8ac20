import { assertAllClose, assertAtMost, assertEquals, assertThrows } from "./_assert.ts";
import { Conv2d, Rng, Tensor } from "../mod.ts";
import { JACOBI_MAX_SWEEPS, symmetricEigen } from "../nn/linalg.ts";
import { diracInit, whiteningInit } from "../nn/init.ts";

/** Eigen-decomposition and reconstruction agree to this (float64, n ≤ 27). */
const TOL_EIGEN = 1e-12;
/** A float64 whitening layer's output covariance is I to this, with eps 1e-12. */
const TOL_WHITE_F64 = 1e-9;
/** A float32 whitening layer (weights and conv rounded to float32) is I to this. */
const TOL_WHITE_F32 = 2e-4;

/** A random orthogonal n × n matrix (Gram–Schmidt on Gaussian columns), row-major. */
function orthogonal(n: number, rng: Rng): Float64Array {
  const q = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const v = Array.from({ length: n }, () => rng.normal());
    for (let j = 0; j < k; j++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += v[i] * q[i * n + j];
      for (let i = 0; i < n; i++) v[i] -= dot * q[i * n + j];
    }
    const norm = Math.hypot(...v);
    for (let i = 0; i < n; i++) q[i * n + k] = v[i] / norm;
  }
  return q;
}

/** q·diag(values)·qᵀ */
function compose(q: Float64Array, values: ArrayLike<number>, n: number): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += q[i * n + k] * values[k] * q[j * n + k];
      a[i * n + j] = s;
    }
  }
  return a;
}

Deno.test("symmetricEigen()", async (t) => {
  for (const n of [1, 2, 5, 12, 27]) {
    await t.step(`n=${n}: a known spectrum (some repeated), reconstruction, orthogonality`, () => {
      const rng = new Rng(n);
      const spectrum = Array.from({ length: n }, (_, k) => (k % 4 === 3 ? 0.5 : 10 / (k + 1)));
      const a = compose(orthogonal(n, rng), spectrum, n);
      const { values, vectors, sweeps } = symmetricEigen(a, n);
      assertAtMost(sweeps, JACOBI_MAX_SWEEPS, "sweeps");
      const sorted = [...spectrum].sort((x, y) => y - x);
      assertAllClose(values, sorted, TOL_EIGEN, "eigenvalues");
      assertAllClose(compose(vectors, values, n), a, TOL_EIGEN, "V·Λ·Vᵀ");
      const identity = new Float64Array(n * n).map((_, i) => (i % (n + 1) === 0 ? 1 : 0));
      assertAllClose(compose(vectors, new Float64Array(n).fill(1), n), identity, TOL_EIGEN, "V·Vᵀ");
    });
  }
  await t.step("a diagonal matrix needs no sweep; zero matrix", () => {
    const r = symmetricEigen(new Float64Array([1, 0, 0, 3]), 2);
    assertEquals([[...r.values], r.sweeps], [[3, 1], 0]);
    assertEquals([...symmetricEigen(new Float64Array(4), 2).values], [0, 0]);
  });
  await t.step("refuses bad input", () => {
    assertThrows(() => symmetricEigen(new Float64Array(3), 2), TypeError, "needs 4");
    assertThrows(() => symmetricEigen(new Float64Array([1, 2, 0, 1]), 2), RangeError, "non-sym");
    assertThrows(() => symmetricEigen(new Float64Array([NaN]), 1), RangeError, "NaN");
  });
});

/** The covariance (F, F) over (N, HO, WO) of y: (N, F, HO, WO), and the largest |mean|. */
function outputMoments(y: Tensor): { cov: Float64Array; maxMean: number } {
  const [N, F, HO, WO] = y.shape, P = HO * WO, count = N * P;
  const mean = new Float64Array(F), cov = new Float64Array(F * F);
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      for (let p = 0; p < P; p++) mean[f] += y.data[(n * F + f) * P + p] / count;
    }
  }
  for (let n = 0; n < N; n++) {
    for (let p = 0; p < P; p++) {
      for (let i = 0; i < F; i++) {
        const yi = y.data[(n * F + i) * P + p] - mean[i];
        for (let j = 0; j < F; j++) cov[i * F + j] += yi * (y.data[(n * F + j) * P + p] - mean[j]);
      }
    }
  }
  return { cov: cov.map((v) => v / count), maxMean: Math.max(...mean.map(Math.abs)) };
}

/** Correlated images: smoothed noise shared by the channels plus noise of each channel's own. */
function correlatedImages(n: number, size: number, dtype: "float32" | "float64"): Tensor {
  const rng = new Rng(11), P = size * size;
  const base = Tensor.randn([n, 4, size, size], rng, { dtype: "float64" });
  const x = Tensor.zeros([n, 3, size, size], dtype);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < P; p++) {
        const shared = i * 4 * P + 3 * P;
        const smooth = base.data[shared + p] + 0.8 * base.data[shared + ((p + 1) % P)];
        x.data[(i * 3 + c) * P + p] = 2 + (c + 1) * smooth + 0.5 * base.data[(i * 4 + c) * P + p];
      }
    }
  }
  return x;
}

Deno.test("whiteningInit()", async (t) => {
  await t.step("float64, k=2, 2d filters: output covariance = I, mean 0 (eps 1e-12)", () => {
    const x = correlatedImages(20, 9, "float64");
    const conv = new Conv2d(3, 24, { kernelSize: 2, dtype: "float64", rng: new Rng(2) });
    const { eigenvalues } = whiteningInit(conv, x, { eps: 1e-12 });
    const { cov, maxMean } = outputMoments(conv.forward(x));
    // the first 12 channels are white; channels 12 + k are their negatives
    const expected = new Float64Array(24 * 24).map((_, i) => {
      const r = Math.floor(i / 24), c = i % 24;
      return r % 12 === c % 12 ? (r < 12 === c < 12 ? 1 : -1) : 0;
    });
    assertAllClose(cov, expected, TOL_WHITE_F64, "output covariance");
    assertAtMost(maxMean, TOL_WHITE_F64, "largest |output mean|");
    assertAtMost(eigenvalues[11], eigenvalues[0], "eigenvalues sorted");
  });
  await t.step("float32, k=3 p=1 s=2, d filters, default eps: diag(λ/(λ+eps)) ≈ I", () => {
    const x = correlatedImages(16, 10, "float32");
    const conv = new Conv2d(3, 27, { kernelSize: 3, padding: 1, stride: 2, rng: new Rng(3) });
    const { eigenvalues, patches } = whiteningInit(conv, x);
    assertEquals(patches, 16 * 5 * 5);
    const { cov } = outputMoments(conv.forward(x));
    const expected = new Float64Array(27 * 27);
    for (let k = 0; k < 27; k++) expected[k * 28] = eigenvalues[k] / (eigenvalues[k] + 5e-4);
    assertAllClose(cov, expected, TOL_WHITE_F32, "output covariance");
    const identity = new Float64Array(27 * 27).map((_, i) => (i % 28 === 0 ? 1 : 0));
    const worst = Math.max(...cov.map((v, i) => Math.abs(v - identity[i])));
    assertAtMost(worst, 5e-4 / eigenvalues[26] + TOL_WHITE_F32, "max |cov − I|");
  });
  await t.step("refuses a conv of the wrong width and a singular covariance without eps", () => {
    const x = correlatedImages(2, 5, "float64");
    const conv = new Conv2d(3, 10, { kernelSize: 2, dtype: "float64" });
    assertThrows(() => whiteningInit(conv, x), RangeError, "needs C·K·K = 12 or 24 filters");
    const flat = Tensor.zeros([2, 3, 5, 5], "float64");
    const c2 = new Conv2d(3, 12, { kernelSize: 2, dtype: "float64" });
    assertThrows(() => whiteningInit(c2, flat, { eps: 0 }), RangeError, "larger eps");
  });
});

Deno.test("diracInit()", async (t) => {
  await t.step("C = F = 4, k=3 p=1: returns the input exactly", () => {
    const conv = new Conv2d(4, 4, { kernelSize: 3, padding: 1, rng: new Rng(5) });
    diracInit(conv);
    const x = Tensor.randn([2, 4, 5, 5], new Rng(6), { dtype: "float32" });
    assertEquals(conv.forward(x).data, x.data);
  });
  await t.step("F > C: the first C channels copy the input, the rest keep their weights", () => {
    const conv = new Conv2d(2, 3, { kernelSize: 5, padding: 2, bias: false, rng: new Rng(7) });
    const before = conv.weight.value.data.slice();
    diracInit(conv);
    assertEquals(conv.weight.value.data.subarray(100), before.subarray(100));
    const x = Tensor.randn([1, 2, 6, 6], new Rng(8), { dtype: "float32" });
    assertEquals(conv.forward(x).data.subarray(0, 72), x.data);
  });
});
