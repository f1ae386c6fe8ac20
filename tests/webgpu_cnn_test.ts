// The homework's CNN trained on WebGPU by the module API itself (train/gpu.ts's GpuTrainStep:
// the model's own forward/backward, crossEntropy and SGD on tensors moved with
// model.to("webgpu")) against the same modules on the WASM backend: same seed, same batches,
// same SGD; the losses of the first steps and the final weights agree to float32 noise.
import { assertAllClose, assertEquals, assertRejects, assertTrue } from "./_assert.ts";
import { gpuTest, TOL_WEBGPU } from "./_webgpu.ts";
import { CNN } from "../nn/models/convnet.ts";
import { crossEntropy } from "../nn/losses.ts";
import { SGD } from "../nn/optim.ts";
import { Rng } from "../core/random.ts";
import { Tensor } from "../core/tensor.ts";
import { GpuTrainStep, type GpuTrainStepOptions } from "../train/gpu.ts";
import { GpuCNN } from "../train/gpu_legacy.ts";

/** Loss agreement between the float32 GPU and WASM runs (relative). */
const TOL_LOSS = 1e-4;
const STEPS = 6;
const SGD_OPTIONS = { lr: 0.05, momentum: 0.9, weightDecay: 1e-3, nesterov: false };
const STEP_OPTIONS: GpuTrainStepOptions = { batchSize: 5, imageShape: [3, 8, 8], nClasses: 10 };

/** The same random batch every step (so the loss falls), the last step on a shorter prefix. */
function batches(n: number, size: number, rng: Rng): { x: Float32Array; y: Int32Array }[] {
  const x = new Float32Array(size * 3 * 8 * 8).map(() => 2 * rng.uniform() - 1);
  const y = Int32Array.from({ length: size }, () => rng.int(10));
  return Array.from({ length: n }, (_, s) => {
    const N = s === n - 1 ? size - 1 : size;
    return { x: x.slice(0, N * 3 * 8 * 8), y: y.slice(0, N) };
  });
}

const newModel = () => new CNN([3, 8, 8], 6, 3, 10, { rng: new Rng(1) });

gpuTest("GpuTrainStep on a CNN matches the WASM training step", async (t) => {
  const data = batches(STEPS, 5, new Rng(3));
  const cpu = newModel();
  const want: number[] = [];
  const opt = new SGD(cpu.parameters(), SGD_OPTIONS);
  for (const b of data) {
    const logits = cpu.forward(new Tensor(b.x, [b.y.length, 3, 8, 8]));
    const { loss, dlogits } = crossEntropy(logits, b.y);
    want.push(loss);
    opt.zeroGrad();
    cpu.backward(dlogits);
    opt.step();
  }
  const model = newModel();
  const sgd = new SGD(model.parameters(), SGD_OPTIONS);
  const gpu = await GpuTrainStep.create(model, sgd, { ...STEP_OPTIONS, lossEvery: 4 });
  const got: number[] = [];
  try {
    await t.step("the model's tensors live on the GPU", () => {
      for (const p of model.parameters()) assertEquals(p.value.placement, "webgpu", p.name);
    });
    await t.step("losses come back every lossEvery steps", async () => {
      for (const [s, b] of data.entries()) {
        const losses = await gpu.step(b.x, b.y);
        assertEquals(losses === null, (s + 1) % 4 !== 0, `read-back at step ${s + 1}`);
        if (losses) got.push(...losses);
      }
      got.push(...await gpu.readLosses());
      assertEquals(got.length, STEPS);
    });
    await t.step("losses match the WASM run", () => {
      assertTrue(want[STEPS - 1] < want[0], `the loss falls (${want})`);
      assertAllClose(got, want, TOL_LOSS, "losses");
    });
    await t.step("weights and momentum match the WASM run", async () => {
      await gpu.toCpu();
      const cpuParams = cpu.namedParameters();
      for (const [name, value] of model.namedParameters()) {
        assertEquals(value.placement, "cpu", name);
        assertAllClose(value.data, cpuParams.get(name)!.data, TOL_WEBGPU, name);
      }
      const velocities = sgd.stateDict();
      for (const [name, v] of opt.stateDict()) {
        assertAllClose(velocities.get(name)!.data, v.data, TOL_WEBGPU, name);
      }
    });
    await t.step("a run moved to the CPU and back continues the run", async () => {
      // a fresh run: 3 steps, toCpu(), then a second GpuTrainStep on the same model and SGD
      const fresh = newModel(), freshSgd = new SGD(fresh.parameters(), SGD_OPTIONS);
      const options = { ...STEP_OPTIONS, lossEvery: 100 };
      const first = await GpuTrainStep.create(fresh, freshSgd, options);
      for (const b of data.slice(0, 3)) await first.step(b.x, b.y);
      await first.toCpu();
      const losses = await first.readLosses(); // read by toCpu(), kept for this call
      first.destroy();
      const second = await GpuTrainStep.create(fresh, freshSgd, options);
      for (const b of data.slice(3)) await second.step(b.x, b.y);
      losses.push(...await second.readLosses());
      await second.toCpu();
      second.destroy();
      assertAllClose(losses, want, TOL_LOSS, "resumed losses");
    });
    await t.step("stepAndRead() returns the step's loss and scores", async () => {
      const fresh = newModel();
      const logits = fresh.forward(new Tensor(data[0].x, [5, 3, 8, 8])); // before the update
      const net = await GpuTrainStep.create(fresh, new SGD(fresh.parameters()), STEP_OPTIONS);
      const r = await net.stepAndRead(data[0].x, data[0].y, SGD_OPTIONS.lr);
      net.destroy();
      assertAllClose([r.loss], [want[0]], TOL_LOSS, "loss");
      assertEquals(r.scores.shape, [5, 10]);
      assertAllClose(r.scores.data, logits.data, TOL_WEBGPU, "scores");
    });
    await t.step("a label outside [0, nClasses) is refused before anything runs", async () => {
      const y = data[0].y.slice();
      y[2] = 10;
      await assertRejects(() => gpu.step(data[0].x, y), RangeError, "label 10 at index 2");
    });
    await t.step("the deprecated GpuCNN still trains (a wrapper over GpuTrainStep)", async () => {
      const fresh = newModel();
      const old = await GpuCNN.fromModel(fresh, 5, { ...SGD_OPTIONS, lossEvery: 2 });
      const losses = [await old.step(data[0].x, data[0].y), await old.step(data[1].x, data[1].y)];
      await old.copyToModel();
      assertEquals((await old.velocities()).size, 4);
      old.destroy();
      assertEquals(losses[0], null);
      assertAllClose(losses[1]!, want.slice(0, 2), TOL_LOSS, "GpuCNN losses");
    });
  } finally {
    gpu.destroy();
  }
});
