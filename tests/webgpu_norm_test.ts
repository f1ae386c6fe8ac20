// The WebGPU average-pool and batch-norm kernels against the float64 reference: average pooling
// on the pool case table of tests/_wasm_cases.ts, batch norm in training and evaluation.
import { assertAllClose } from "./_assert.ts";
import { POOL_CASES } from "./_wasm_cases.ts";
import { gpuTest, randArray, size, TOL_WEBGPU } from "./_webgpu.ts";
import { poolDims } from "../core/dims.ts";
import * as ref from "../kernels/ref/mod.ts";
import { webgpuArrays as gpu } from "../kernels/webgpu/mod.ts";
import { Rng } from "../core/random.ts";

gpuTest("webgpu avgPool2d kernels match the reference", async (t) => {
  for (const [xs, ph, pw, stride, fill, ceil = false] of POOL_CASES) {
    await t.step(`x=(${xs}) ${ph}×${pw} s=${stride} ${fill}${ceil ? " ceil" : ""}`, async () => {
      const d = poolDims("test", xs, ph, pw, stride, ceil);
      const rng = new Rng(size(xs) + pw);
      const x = randArray(size(xs), rng, fill);
      const no = d.N * d.C * d.HO * d.WO;
      const dout = randArray(no, rng), dx0 = randArray(size(xs), rng);
      const want = { out: new Float64Array(no), dx: dx0.slice() };
      ref.avgPool2dForward(want.out, x, d);
      ref.avgPool2dBackward(want.dx, dout, d);
      const got = { out: new Float32Array(no), dx: Float32Array.from(dx0) };
      await gpu.avgPool2dForward(got.out, x, d);
      await gpu.avgPool2dBackward(got.dx, dout, d);
      assertAllClose(got.out, want.out, TOL_WEBGPU, "out");
      assertAllClose(got.dx, want.dx, TOL_WEBGPU, "dx");
    });
  }
});

const BN_CASES = [[2, 3, 16], [1, 1, 2], [4, 8, 25], [3, 64, 1], [8, 5, 300]] as const;

gpuTest("webgpu batchNorm2d kernels match the reference", async (t) => {
  for (const [N, C, HW] of BN_CASES) {
    for (const training of [true, false]) {
      await t.step(`x=(${N}, ${C}, ${HW}) training=${training}`, async () => {
        const rng = new Rng(N * 100 + C * 10 + HW);
        const n = N * C * HW;
        // an offset and a scale per channel, so the statistics matter
        const x = randArray(n, rng).map((v, i) => Math.fround(3 * v + (i % C) - 1));
        const gamma = randArray(C, rng), beta = randArray(C, rng), dout = randArray(n, rng);
        const rm0 = randArray(C, rng), rv0 = randArray(C, rng).map((v) => Math.fround(1 + v / 2));
        const dx0 = randArray(n, rng), dg0 = randArray(C, rng), db0 = randArray(C, rng);
        const want = {
          out: new Float64Array(n),
          mean: new Float64Array(C),
          inv: new Float64Array(C),
          rm: rm0.slice(),
          rv: rv0.slice(),
          dx: dx0.slice(),
          dg: dg0.slice(),
          db: db0.slice(),
        };
        ref.batchNorm2dForward(
          want.out,
          want.mean,
          want.inv,
          want.rm,
          want.rv,
          x,
          gamma,
          beta,
          N,
          C,
          HW,
          1e-5,
          0.1,
          training,
        );
        ref.batchNorm2dBackward(
          want.dx,
          want.dg,
          want.db,
          dout,
          x,
          gamma,
          want.mean,
          want.inv,
          N,
          C,
          HW,
          training,
        );
        const got = {
          out: new Float32Array(n),
          mean: new Float32Array(C),
          inv: new Float32Array(C),
          rm: Float32Array.from(rm0),
          rv: Float32Array.from(rv0),
          dx: Float32Array.from(dx0),
          dg: Float32Array.from(dg0),
          db: Float32Array.from(db0),
        };
        await gpu.batchNorm2dForward(
          got.out,
          got.mean,
          got.inv,
          got.rm,
          got.rv,
          x,
          gamma,
          beta,
          N,
          C,
          HW,
          1e-5,
          0.1,
          training,
        );
        await gpu.batchNorm2dBackward(
          got.dx,
          got.dg,
          got.db,
          dout,
          x,
          gamma,
          got.mean,
          got.inv,
          N,
          C,
          HW,
          training,
        );
        for (const key of Object.keys(want) as (keyof typeof want)[]) {
          assertAllClose(got[key], want[key], TOL_WEBGPU, key);
        }
      });
    }
  }
});
