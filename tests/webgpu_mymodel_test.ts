// MyModel (ResNet-9) trained on WebGPU by the module API itself (train/gpu.ts's GpuTrainStep on
// tensors moved with model.to("webgpu"): Sequential, Residual, BatchNorm2d fused with ReLU,
// MaxPool2d, Linear, Scale, the smoothed loss and SGD) against the same modules on WASM: same seed, same batches, label-smoothed loss, Nesterov SGD with
// weight decay and a rate changed every step; the losses of the first steps, the weights, the
// momentum and the batch-norm running statistics agree to float32 noise, and the CPU model
// evaluates the same after toCpu().
import { assertAllClose, assertEquals, assertRejects, assertTrue } from "./_assert.ts";
import { gpuTest, TOL_WEBGPU } from "./_webgpu.ts";
import { MyModel } from "../nn/models/mymodel.ts";
import { crossEntropy } from "../nn/losses.ts";
import { SGD } from "../nn/optim.ts";
import { Rng } from "../core/random.ts";
import { Tensor } from "../core/tensor.ts";
import { GpuTrainStep, type GpuTrainStepOptions } from "../train/gpu.ts";

/** Loss agreement between the float32 GPU and WASM runs (relative). */
const TOL_LOSS = 1e-4;
/**
 * Weights, momentum and running statistics after STEPS steps. Batch norm over 4 values per
 * channel (the 1×1 maps of res3 at batch 4) amplifies float32 rounding: after 5 steps the WASM
 * run's momentum is itself up to 1.2e-2 (normalised) from a float64 run, and the GPU's 1.2e-2;
 * after one step both are within 3e-5 of it (so the first step's momentum is held to TOL_WEBGPU).
 */
const TOL_STATE = 1e-3;
const TOL_MOMENTUM = 3e-2;
const STEPS = 5, B = 4, S = 8, WIDTH = 4;
const SGD_OPTIONS = { lr: 0.05, momentum: 0.9, weightDecay: 5e-4, nesterov: true };
const SMOOTHING = 0.2;
const lrAt = (s: number) => 0.05 * (1 + s) / STEPS; // a rising rate, as the warm-up

/** The same random batch every step (so the loss falls), the last step on a shorter prefix. */
function batches(n: number, size: number, rng: Rng): { x: Float32Array; y: Int32Array }[] {
  const x = new Float32Array(size * 3 * S * S).map(() => 2 * rng.uniform() - 1);
  const y = Int32Array.from({ length: size }, () => rng.int(10));
  return Array.from({ length: n }, (_, s) => {
    const N = s === n - 1 ? size - 1 : size;
    return { x: x.slice(0, N * 3 * S * S), y: y.slice(0, N) };
  });
}

const newModel = () => new MyModel([3, S, S], WIDTH, 3, 10, { rng: new Rng(1) });
const STEP_OPTIONS: GpuTrainStepOptions = {
  batchSize: B,
  imageShape: [3, S, S],
  nClasses: 10,
  labelSmoothing: SMOOTHING,
};

gpuTest("GpuTrainStep on MyModel matches the WASM training step", async (t) => {
  const data = batches(STEPS, B, new Rng(3));
  const cpu = newModel();
  const want: number[] = [];
  const opt = new SGD(cpu.parameters(), SGD_OPTIONS);
  const firstVelocities = new Map<string, Float32Array>(); // after step 1: the first gradients
  for (const [s, b] of data.entries()) {
    const logits = cpu.forward(new Tensor(b.x, [b.y.length, 3, S, S]));
    const { loss, dlogits } = crossEntropy(logits, b.y, { labelSmoothing: SMOOTHING });
    want.push(loss);
    opt.zeroGrad();
    cpu.backward(dlogits);
    opt.lr = lrAt(s);
    opt.step();
    if (s === 0) {
      for (const [n, v] of opt.stateDict()) {
        firstVelocities.set(n, v.data.slice() as Float32Array);
      }
    }
  }
  const model = newModel();
  const sgd = new SGD(model.parameters(), SGD_OPTIONS);
  const gpu = await GpuTrainStep.create(model, sgd, { ...STEP_OPTIONS, lossEvery: 3 });
  const got: number[] = [];
  try {
    await t.step("losses come back every lossEvery steps and match the WASM run", async () => {
      for (const [s, b] of data.entries()) {
        const losses = await gpu.step(b.x, b.y, lrAt(s));
        assertEquals(losses === null, (s + 1) % 3 !== 0, `read-back at step ${s + 1}`);
        if (losses) got.push(...losses);
      }
      got.push(...await gpu.readLosses());
      assertEquals(got.length, STEPS);
      assertTrue(want[STEPS - 1] < want[0], `the loss falls (${want})`);
      // the first steps to float32 noise; later ones drift as BN amplifies it (4.9e-5 at step 5)
      assertAllClose(got.slice(0, 3), want.slice(0, 3), TOL_LOSS, "losses of steps 1-3");
      assertAllClose(got, want, TOL_STATE, "losses");
    });
    await t.step("weights, momentum and BN statistics match the WASM run", async () => {
      await gpu.toCpu();
      const cpuState = cpu.stateDict();
      for (const [name, value] of model.stateDict()) {
        assertAllClose(value.data, cpuState.get(name)!.data, TOL_STATE, name);
      }
      const velocities = sgd.stateDict();
      assertEquals(velocities.size, opt.stateDict().size);
      for (const [name, v] of opt.stateDict()) {
        assertAllClose(velocities.get(name)!.data, v.data, TOL_MOMENTUM, name);
      }
    });
    await t.step("the CPU model evaluates the same after toCpu()", () => {
      const x = new Tensor(data[0].x, [B, 3, S, S]);
      cpu.eval();
      model.eval();
      assertAllClose(model.forward(x).data, cpu.forward(x).data, TOL_STATE, "eval logits");
    });
    await t.step("stepAndRead() returns the step's loss, scores and gradients", async () => {
      const fresh = newModel();
      const logits = fresh.forward(new Tensor(data[0].x, [B, 3, S, S])); // training mode
      const freshSgd = new SGD(fresh.parameters(), SGD_OPTIONS);
      const net = await GpuTrainStep.create(fresh, freshSgd, STEP_OPTIONS);
      const r = await net.stepAndRead(data[0].x, data[0].y, lrAt(0));
      await net.toCpu();
      net.destroy();
      const velocities = freshSgd.stateDict();
      for (const [name, v] of firstVelocities) {
        assertAllClose(velocities.get(name)!.data, v, TOL_WEBGPU, `step 1 ${name}`);
      }
      assertAllClose([r.loss], [want[0]], TOL_LOSS, "loss");
      assertEquals(r.scores.shape, [B, 10]);
      assertAllClose(r.scores.data, logits.data, TOL_WEBGPU, "scores");
    });
    await t.step("a bad label is refused, and a one-image batch by batch norm", async () => {
      const y = data[0].y.slice();
      y[2] = 10;
      await assertRejects(() => gpu.step(data[0].x, y), RangeError, "label 10 at index 2");
      model.train(); // the step before evaluated the model
      await assertRejects(
        () => gpu.step(data[0].x.slice(0, 3 * S * S), y.slice(0, 1)),
        RangeError,
        "use a batch of 2 or more",
      );
    });
  } finally {
    gpu.destroy();
  }
});
