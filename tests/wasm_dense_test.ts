// The WASM affine, activation and loss kernels against the float64 reference.
import { assertAllClose, assertAlmostEquals, assertEquals, assertThrows } from "./_assert.ts";
import * as ref from "../kernels/ref/mod.ts";
import { getThreads, setThreads, wasmKernels } from "../kernels/wasm/mod.ts";
import { kernelsFor } from "../kernels/mod.ts";
import { Rng } from "../core/random.ts";

const TOL_F32 = 1e-4;

function randArray(n: number, rng: Rng): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.fround(2 * rng.uniform() - 1);
  return a;
}

Deno.test("wasm gemm matches the reference", async (t) => {
  const shapes = [[1, 1, 1], [3, 5, 7], [10, 17, 9], [64, 33, 100], [5, 200, 3], [100, 10, 0]];
  for (const [M, N, K] of shapes) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        for (const accumulate of [false, true]) {
          await t.step(`M=${M} N=${N} K=${K} tA=${transA} tB=${transB} acc=${accumulate}`, () => {
            const rng = new Rng(M * 1000 + N * 10 + K);
            const a = randArray(M * K, rng), b = randArray(K * N, rng), c0 = randArray(M * N, rng);
            const want = c0.slice();
            ref.gemm(want, a, b, M, N, K, transA, transB, accumulate);
            const results = [1, Math.max(2, getThreads())].map((threads) => {
              const before = getThreads();
              setThreads(threads);
              const got = Float32Array.from(c0);
              wasmKernels.gemm(got, a, b, M, N, K, transA, transB, accumulate);
              setThreads(before);
              return got;
            });
            assertAllClose(results[0], want, TOL_F32, "c");
            assertEquals(results[1], results[0], "threads vs 1");
          });
        }
      }
    }
  }
});

Deno.test("wasm row, ReLU and loss kernels match the reference", async (t) => {
  const rng = new Rng(7);
  for (const [rows, cols] of [[1, 1], [3, 10], [50, 7], [128, 100], [2, 1001]]) {
    await t.step(`addRowBias and sumRows (${rows}, ${cols})`, () => {
      const m = randArray(rows * cols, rng), bias = randArray(cols, rng);
      const want = m.slice(), got = Float32Array.from(m);
      ref.addRowBias(want, bias, rows, cols);
      wasmKernels.addRowBias(got, bias, rows, cols);
      assertAllClose(got, want, TOL_F32, "addRowBias");
      const s0 = randArray(cols, rng), sWant = s0.slice(), sGot = Float32Array.from(s0);
      ref.sumRows(sWant, m, rows, cols);
      wasmKernels.sumRows(sGot, m, rows, cols);
      assertAllClose(sGot, sWant, TOL_F32, "sumRows");
    });
    await t.step(`reluForward and reluBackward (${rows * cols})`, () => {
      const n = rows * cols, x = randArray(n, rng), dout = randArray(n, rng);
      const want = new Float64Array(n), got = new Float32Array(n);
      ref.reluForward(want, x, n);
      wasmKernels.reluForward(got, x, n);
      assertEquals([...got], [...want]);
      ref.reluBackward(want, dout, x, n);
      wasmKernels.reluBackward(got, dout, x, n);
      assertEquals([...got], [...want]);
    });
    await t.step(`softmaxCrossEntropy and svmLoss (${rows}, ${cols})`, () => {
      const x = randArray(rows * cols, rng).map((v) => 5 * v);
      const y = Int32Array.from({ length: rows }, () => rng.int(cols));
      for (const loss of ["softmaxCrossEntropy", "svmLoss"] as const) {
        const want = new Float64Array(rows * cols), got = new Float32Array(rows * cols);
        const lw = ref[loss](want, x, y, rows, cols);
        const lg = wasmKernels[loss](got, x, y, rows, cols);
        assertAlmostEquals(lg, lw, 1e-5 * Math.max(1, Math.abs(lw)));
        assertAllClose(got, want, TOL_F32, `${loss} dx`);
      }
    });
  }
  await t.step("a label outside [0, C) is rejected", () => {
    assertThrows(
      () => wasmKernels.softmaxCrossEntropy(new Float32Array(4), new Float32Array(4), [0, 2], 2, 2),
      RangeError,
      "label y[1] = 2 is not a class in [0, 2)",
    );
  });
  await t.step("kernelsFor picks wasm for float32 and ref for float64", () => {
    assertEquals(kernelsFor("float32").name, "wasm");
    assertEquals(kernelsFor("float64").name, "ref");
  });
});
