// The WebGPU conv and max-pool kernels against the float64 reference on the WASM kernels' case
// table (tests/_wasm_cases.ts), on whatever adapter Deno finds (llvmpipe in CI).
import { assertAllClose, assertEquals } from "./_assert.ts";
import { CONV_CASES, POOL_CASES } from "./_wasm_cases.ts";
import { gpuTest, randArray, size, TOL_WEBGPU } from "./_webgpu.ts";
import { convDims, poolDims } from "../core/dims.ts";
import * as ref from "../kernels/ref/mod.ts";
import { webgpuArrays as gpu } from "../kernels/webgpu/mod.ts";
import { Rng } from "../core/random.ts";

gpuTest("webgpu conv2d kernels match the reference", async (t) => {
  for (const [xs, ws, stride, pad] of CONV_CASES) {
    await t.step(`x=(${xs}) w=(${ws}) s=${stride} p=${pad}`, async () => {
      const d = convDims("test", xs, ws, stride, pad);
      const rng = new Rng(size(xs) + size(ws));
      const x = randArray(size(xs), rng), w = randArray(size(ws), rng);
      const b = randArray(d.F, rng), dout = randArray(d.N * d.F * d.HO * d.WO, rng);
      const dx0 = randArray(size(xs), rng), dw0 = randArray(size(ws), rng);
      const db0 = randArray(d.F, rng);
      const want = {
        out: new Float64Array(dout.length),
        dx: dx0.slice(),
        dw: dw0.slice(),
        db: db0.slice(),
      };
      ref.conv2dForward(want.out, x, w, b, d);
      ref.conv2dBackwardData(want.dx, dout, w, d);
      ref.conv2dBackwardFilter(want.dw, want.db, dout, x, d);
      const got = {
        out: new Float32Array(dout.length),
        dx: Float32Array.from(dx0),
        dw: Float32Array.from(dw0),
        db: Float32Array.from(db0),
      };
      await gpu.conv2dForward(got.out, x, w, b, d);
      await gpu.conv2dBackwardData(got.dx, dout, w, d);
      await gpu.conv2dBackwardFilter(got.dw, got.db, dout, x, d);
      assertAllClose(got.out, want.out, TOL_WEBGPU, "out");
      assertAllClose(got.dx, want.dx, TOL_WEBGPU, "dx");
      assertAllClose(got.dw, want.dw, TOL_WEBGPU, "dw");
      assertAllClose(got.db, want.db, TOL_WEBGPU, "db");
    });
  }
});

gpuTest("webgpu maxPool2d kernels match the reference", async (t) => {
  for (const [xs, ph, pw, stride, fill, ceil = false] of POOL_CASES) {
    await t.step(`x=(${xs}) ${ph}×${pw} s=${stride} ${fill}${ceil ? " ceil" : ""}`, async () => {
      const d = poolDims("test", xs, ph, pw, stride, ceil);
      const rng = new Rng(size(xs) + ph);
      const x = randArray(size(xs), rng, fill);
      const no = d.N * d.C * d.HO * d.WO;
      const dout = randArray(no, rng), dx0 = randArray(size(xs), rng);
      const want = { out: new Float64Array(no), argmax: new Int32Array(no), dx: dx0.slice() };
      ref.maxPool2dForward(want.out, want.argmax, x, d);
      ref.maxPool2dBackward(want.dx, dout, want.argmax, d);
      const got = {
        out: new Float32Array(no),
        argmax: new Int32Array(no),
        dx: Float32Array.from(dx0),
      };
      await gpu.maxPool2dForward(got.out, got.argmax, x, d);
      await gpu.maxPool2dBackward(got.dx, dout, got.argmax, d);
      assertEquals([...got.out], [...want.out], "out");
      assertEquals(got.argmax, want.argmax, "argmax");
      assertAllClose(got.dx, want.dx, TOL_WEBGPU, "dx");
    });
  }
});
