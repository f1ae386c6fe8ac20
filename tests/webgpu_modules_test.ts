// A model the old hand-written GPU copies never covered — a user-defined Sequential with
// average pooling, dropout, a residual block, batch norm and a scaled linear head — trained on
// WebGPU by the modules themselves (model.to("webgpu") and train/gpu.ts's GpuTrainStep), against
// the same model on WASM (float32) and on the reference loops (float64).
//
// Dropout: every backend derives its mask from the per-forward seed the module draws from its
// Rng (kernels/ref/dropout.ts's hash of seed and index), so models built with equal Rngs drop
// the same elements on every backend; the first test checks the WGSL kernel's mask against the
// reference's bit for bit.
import { assertAllClose, assertEquals, assertTrue } from "./_assert.ts";
import { gpuTest, randArray, TOL_WEBGPU } from "./_webgpu.ts";
import { Rng } from "../core/random.ts";
import { type DType, Tensor } from "../core/tensor.ts";
import * as ref from "../kernels/ref/mod.ts";
import { backends } from "../kernels/mod.ts";
import { crossEntropy } from "../nn/losses.ts";
import {
  AvgPool2d,
  BatchNorm2d,
  Conv2d,
  Dropout,
  Flatten,
  Linear,
  ReLU,
  Residual,
  Scale,
  Sequential,
} from "../nn/modules/mod.ts";
import { Adam, type Optimizer, SGD } from "../nn/optim.ts";
import { GpuTrainStep } from "../train/gpu.ts";

/** Loss agreement between the float32 GPU run and the WASM / float64 reference runs. */
const TOL_LOSS = 1e-4;
const STEPS = 4, B = 6, S = 8, K = 10;
const SGD_OPTIONS = { lr: 0.05, momentum: 0.9, weightDecay: 5e-4, nesterov: true };

/** The user's model: nothing in it was written for the GPU. */
function userModel(dtype: DType): Sequential {
  const rng = new Rng(7);
  return new Sequential([
    new Conv2d(3, 8, { kernelSize: 3, padding: 1, rng, dtype }),
    new BatchNorm2d(8, { dtype }),
    new ReLU(),
    new AvgPool2d(2), // (B, 8, 4, 4)
    new Dropout(0.25, { rng: new Rng(11) }),
    new Residual(
      new Sequential([new Conv2d(8, 8, { kernelSize: 3, padding: 1, bias: false, rng, dtype })]),
    ),
    new AvgPool2d(3, { stride: 1 }), // (B, 8, 2, 2)
    new Flatten(),
    new Linear(32, K, { rng, dtype }),
    new Scale(0.5),
  ]);
}

function batch(rng: Rng): { x: Float32Array; y: Int32Array } {
  const x = new Float32Array(B * 3 * S * S).map(() => 2 * rng.uniform() - 1);
  return { x, y: Int32Array.from({ length: B }, () => rng.int(K)) };
}

/** Losses of STEPS CPU steps (WASM for float32, the reference loops for float64). */
function cpuLosses(dtype: DType, makeOpt: (m: Sequential) => Optimizer): number[] {
  const model = userModel(dtype), opt = makeOpt(model), data = batch(new Rng(3)), out = [];
  const x = new Tensor(Float64Array.from(data.x), [B, 3, S, S]);
  for (let s = 0; s < STEPS; s++) {
    const logits = model.forward(dtype === "float32" ? x.astype("float32") : x);
    const { loss, dlogits } = crossEntropy(logits, data.y);
    out.push(loss);
    opt.zeroGrad();
    model.backward(dlogits);
    opt.step();
  }
  return out;
}

async function gpuLosses(makeOpt: (m: Sequential) => Optimizer): Promise<number[]> {
  const model = userModel("float32"), data = batch(new Rng(3));
  const options = { batchSize: B, imageShape: [3, S, S] as const, nClasses: K, lossEvery: 100 };
  const gpu = await GpuTrainStep.create(model, makeOpt(model), options);
  for (let s = 0; s < STEPS; s++) await gpu.step(data.x, data.y);
  const losses = await gpu.readLosses();
  await gpu.toCpu();
  gpu.destroy();
  return losses;
}

gpuTest("dropoutForward/dropoutBackward on WebGPU match kernels/ref", async () => {
  const g = backends.webgpu, n = 1000, p = 0.3, seed = 0x9e3779b9;
  const x = Float32Array.from(randArray(n, new Rng(5)));
  const dout = Float32Array.from(randArray(n, new Rng(6)));
  const want = { out: new Float64Array(n), mask: new Float64Array(n), dx: new Float64Array(n) };
  ref.dropoutForward(want.out, want.mask, x, n, p, seed);
  ref.dropoutBackward(want.dx, dout, want.mask, n);
  await g.open();
  const t = (a: Float32Array) => {
    const tensor = new Tensor(a.slice(), [n]);
    g.upload(tensor);
    return tensor;
  };
  const out = g.zeros([n]), mask = g.zeros([n]), dx = g.zeros([n]), s = g.storageOf;
  g.kernels.dropoutForward(s(out), s(mask), s(t(x)), n, p, seed);
  g.kernels.dropoutBackward(s(dx), s(t(dout)), s(mask), n);
  const gotMask = await mask.read();
  assertEquals([...gotMask], [...Float32Array.from(want.mask)], "the same mask, bit for bit");
  assertAllClose(await out.read(), want.out, TOL_WEBGPU, "out");
  assertAllClose(await dx.read(), want.dx, TOL_WEBGPU, "dx");
});

gpuTest("a user-defined Sequential with avg pooling and dropout trains on WebGPU", async (t) => {
  await t.step("SGD (Nesterov, weight decay): the losses match WASM and ref", async () => {
    const sgd = (m: Sequential) => new SGD(m.parameters(), SGD_OPTIONS);
    const wasm = cpuLosses("float32", sgd), reference = cpuLosses("float64", sgd);
    const got = await gpuLosses(sgd);
    assertTrue(wasm[STEPS - 1] < wasm[0], `the loss falls (${wasm})`);
    assertAllClose(got, wasm, TOL_LOSS, "WebGPU vs WASM losses");
    assertAllClose(got, reference, TOL_LOSS, "WebGPU vs ref losses");
  });
  await t.step("plain SGD (no momentum): the losses match WASM", async () => {
    const plain = (m: Sequential) => new SGD(m.parameters(), { lr: 0.1 });
    assertAllClose(await gpuLosses(plain), cpuLosses("float32", plain), TOL_LOSS, "losses");
  });
  await t.step("Adam: the losses match WASM", async () => {
    const adam = (m: Sequential) => new Adam(m.parameters(), { lr: 1e-3 });
    assertAllClose(await gpuLosses(adam), cpuLosses("float32", adam), TOL_LOSS, "losses");
  });
  await t.step("evaluation mode on the GPU gives the CPU's logits", async () => {
    const model = userModel("float32").eval(), x = batch(new Rng(3)).x;
    const want = model.forward(new Tensor(x, [B, 3, S, S])).data.slice();
    await model.to("webgpu");
    const xg = new Tensor(x.slice(), [B, 3, S, S]);
    backends.webgpu.upload(xg);
    const got = await model.forward(xg).read();
    await model.to("cpu");
    assertAllClose(got, want, TOL_WEBGPU, "eval logits");
  });
  await t.step("a CPU input to a model on the GPU says what to do", async () => {
    const model = await userModel("float32").to("webgpu");
    let message = "";
    try {
      model.forward(new Tensor(new Float32Array(3 * S * S), [1, 3, S, S]));
    } catch (e) {
      message = (e as Error).message;
    }
    await model.to("cpu");
    assertTrue(message.includes('to("webgpu")') || message.includes("model.to"), message);
  });
});
