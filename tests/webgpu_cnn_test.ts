// The GPU-resident CNN training step (nn/webgpu/cnn.ts) against the module API on the WASM
// backend: same seed, same batches, same SGD; the losses of the first steps and the final
// weights agree to float32 noise.
import { assertAllClose, assertEquals, assertRejects, assertTrue } from "./_assert.ts";
import { gpuTest, TOL_WEBGPU } from "./_webgpu.ts";
import { CNN } from "../nn/models/convnet.ts";
import { crossEntropy } from "../nn/losses.ts";
import { SGD } from "../nn/optim.ts";
import { Rng } from "../core/random.ts";
import { Tensor } from "../core/tensor.ts";
import { GpuCNN } from "../nn/webgpu/cnn.ts";

/** Loss agreement between the float32 GPU and WASM runs (relative). */
const TOL_LOSS = 1e-4;
const STEPS = 6;
const SGD_OPTIONS = { lr: 0.05, momentum: 0.9, weightDecay: 1e-3, nesterov: false };

/** The same random batch every step (so the loss falls), the last step on a shorter prefix. */
function batches(n: number, size: number, rng: Rng): { x: Float32Array; y: Int32Array }[] {
  const x = new Float32Array(size * 3 * 8 * 8).map(() => 2 * rng.uniform() - 1);
  const y = Int32Array.from({ length: size }, () => rng.int(10));
  return Array.from({ length: n }, (_, s) => {
    const N = s === n - 1 ? size - 1 : size;
    return { x: x.slice(0, N * 3 * 8 * 8), y: y.slice(0, N) };
  });
}

gpuTest("GpuCNN matches the WASM training step", async (t) => {
  const data = batches(STEPS, 5, new Rng(3));
  const cpu = new CNN([3, 8, 8], 6, 3, 10, { rng: new Rng(1) });
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
  const model = new CNN([3, 8, 8], 6, 3, 10, { rng: new Rng(1) });
  const gpu = await GpuCNN.fromModel(model, 5, { ...SGD_OPTIONS, lossEvery: 4 });
  const got: number[] = [];
  try {
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
      await gpu.copyToModel();
      const cpuParams = cpu.namedParameters();
      for (const [name, value] of model.namedParameters()) {
        assertAllClose(value.data, cpuParams.get(name)!.data, TOL_WEBGPU, name);
      }
      const velocities = await gpu.velocities();
      for (const [name, v] of opt.stateDict()) {
        const param = name.replace(".momentum_buffer", "");
        assertAllClose(velocities.get(param)!.data, v.data, TOL_WEBGPU, name);
      }
    });
    await t.step("a GpuCNN resumed from weights and momentum continues the run", async () => {
      // a fresh run: 3 steps, then weights and momentum handed to a second GpuCNN for 3 more
      const fresh = new CNN([3, 8, 8], 6, 3, 10, { rng: new Rng(1) });
      const first = await GpuCNN.fromModel(fresh, 5, { ...SGD_OPTIONS, lossEvery: 100 });
      for (const b of data.slice(0, 3)) await first.step(b.x, b.y);
      const losses = await first.readLosses();
      await first.copyToModel();
      const velocities = await first.velocities();
      first.destroy();
      const second = await GpuCNN.fromModel(fresh, 5, SGD_OPTIONS, velocities);
      for (const b of data.slice(3)) await second.step(b.x, b.y);
      losses.push(...await second.readLosses());
      second.destroy();
      assertAllClose(losses, want, TOL_LOSS, "resumed losses");
    });
    await t.step("stepAndRead() returns the step's loss and scores", async () => {
      const fresh = new CNN([3, 8, 8], 6, 3, 10, { rng: new Rng(1) });
      const logits = fresh.forward(new Tensor(data[0].x, [5, 3, 8, 8])); // before the update
      const net = await GpuCNN.fromModel(fresh, 5, SGD_OPTIONS);
      const r = await net.stepAndRead(data[0].x, data[0].y);
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
  } finally {
    gpu.destroy();
  }
});
