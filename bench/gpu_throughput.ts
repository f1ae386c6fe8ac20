/**
 * Prints, on a hardware WebGPU adapter, our conv forward+backward GFLOP/s for the issue's
 * target layer (x (128, 64, 32, 32), w (64, 64, 3, 3), stride 1, pad 1), the `convnet`
 * training throughput (images/s, batch 128, synthetic data) and the `mymodel` one
 * (train:mymodel's recipe: width 16, batch 512, label smoothing 0.2, Nesterov SGD with weight
 * decay; synthetic data) — one line each, for bench/gpu_machine.sh to print next to PyTorch's.
 * A timing script, not a test: it refuses to run on a software adapter, whose numbers mean
 * nothing; `--allow-software --smoke` runs it there on tiny shapes (a check that it runs).
 *
 *   deno run --allow-read --allow-env bench/gpu_throughput.ts [--allow-software [--smoke]]
 */

import { convDims } from "../core/dims.ts";
import { getContext, gpuKernels, GpuTensor, webgpuAvailable } from "../kernels/webgpu/mod.ts";
import { CNN } from "../nn/models/convnet.ts";
import { MyModel, MYMODEL_DEFAULTS } from "../nn/models/mymodel.ts";
import { Rng } from "../core/random.ts";
import { SGD } from "../nn/optim.ts";
import { GpuTrainStep } from "../train/gpu.ts";

const adapter = await webgpuAvailable();
if (adapter === null || (adapter.isFallback && !Deno.args.includes("--allow-software"))) {
  console.error(
    `gpu_throughput: no hardware WebGPU adapter (${
      adapter?.description ?? "none"
    }); nothing measured`,
  );
  Deno.exit(2);
}
console.log(`adapter: ${adapter.description}`);
const ctx = await getContext();
const REPEATS = adapter.isFallback ? 1 : 20;
const SMOKE = Deno.args.includes("--smoke"); // tiny shapes: checks that the script runs

async function seconds(fn: () => Promise<void>, repeats: number): Promise<number> {
  await fn(); // warm-up: compiles the pipelines
  await ctx.device.queue.onSubmittedWorkDone();
  const t0 = performance.now();
  for (let i = 0; i < repeats; i++) await fn();
  await ctx.device.queue.onSubmittedWorkDone();
  return (performance.now() - t0) / 1000 / repeats;
}

// conv layer: forward + backward data + backward filter, recorded in one command buffer
const CB = SMOKE ? 2 : 128, CC = SMOKE ? 4 : 64, CS = SMOKE ? 8 : 32;
const d = convDims("bench", [CB, CC, CS, CS], [CC, CC, 3, 3], 1, 1);
const nx = CB * CC * CS * CS, nw = CC * CC * 9;
const t = {
  x: await GpuTensor.zeros([nx]),
  w: await GpuTensor.zeros([nw]),
  b: await GpuTensor.zeros([CC]),
  dout: await GpuTensor.zeros([nx]),
  out: await GpuTensor.zeros([nx]),
  dx: await GpuTensor.zeros([nx]),
  dw: await GpuTensor.zeros([nw]),
  db: await GpuTensor.zeros([CC]),
};
const convS = await seconds(() =>
  ctx.record(async () => {
    await gpuKernels.conv2dForward(t.out, t.x, t.w, t.b, d);
    await gpuKernels.conv2dBackwardData(t.dx, t.dout, t.w, d);
    await gpuKernels.conv2dBackwardFilter(t.dw, t.db, t.dout, t.x, d);
  }), REPEATS);
const flops = 3 * 2 * d.N * d.F * d.HO * d.WO * d.C * d.KH * d.KW;
console.log(
  `ours conv fwd+bwd (${CB},${CC},${CS},${CS})x(${CC},${CC},3,3): ${
    (convS * 1e3).toFixed(2)
  } ms, ` +
    `${(flops / convS / 1e9).toFixed(0)} GFLOP/s`,
);

// each conv kernel alone (the first H100 run gave 220 ms for the three together: which one?)
const parts: [string, () => Promise<void>][] = [
  ["forward", () => gpuKernels.conv2dForward(t.out, t.x, t.w, t.b, d)],
  ["backward data", () => gpuKernels.conv2dBackwardData(t.dx, t.dout, t.w, d)],
  ["backward filter", () => gpuKernels.conv2dBackwardFilter(t.dw, t.db, t.dout, t.x, d)],
];
for (const [name, run] of parts) {
  const s = await seconds(() => ctx.record(run), REPEATS);
  console.log(
    `ours conv ${name}: ${(s * 1e3).toFixed(2)} ms, ${(flops / 3 / s / 1e9).toFixed(0)} GFLOP/s`,
  );
}

for (const g of Object.values(t)) g.destroy();

/** B synthetic normalised images and labels. */
function batch(B: number, side: number): { x: Float32Array; y: Int32Array } {
  const rng = new Rng(0);
  const x = new Float32Array(B * 3 * side * side).map(() => 2 * rng.uniform() - 1);
  return { x, y: Int32Array.from({ length: B }, () => rng.int(10)) };
}

// convnet training step, batch 128, synthetic images; loss read every 10 steps
const B = SMOKE ? 4 : 128, S = SMOKE ? 8 : 32, cb = batch(B, S);
const cnn = new CNN([3, S, S], SMOKE ? 4 : 32, 7, 10);
const net = await GpuTrainStep.create(cnn, new SGD(cnn.parameters(), { lr: 1e-3, momentum: 0.9 }), {
  batchSize: B,
  imageShape: [3, S, S],
  nClasses: 10,
  lossEvery: 10,
});
const stepS = await seconds(async () => {
  await net.step(cb.x, cb.y);
}, REPEATS * 5);
console.log(`ours convnet train step B=${B}: ${(B / stepS).toFixed(0)} images/s`);
net.destroy();

// mymodel (ResNet-9) training step with train:mymodel's recipe; loss read every 10 steps
const MB = SMOKE ? 4 : 512, MW = SMOKE ? 4 : MYMODEL_DEFAULTS.hiddenDim, mb = batch(MB, S);
const resnet = new MyModel([3, S, S], MW, 3, 10);
const sgd = new SGD(resnet.parameters(), {
  lr: 0.4,
  momentum: 0.9,
  weightDecay: 5e-4,
  nesterov: true,
});
const res = await GpuTrainStep.create(resnet, sgd, {
  batchSize: MB,
  imageShape: [3, S, S],
  nClasses: 10,
  labelSmoothing: 0.2,
  lossEvery: 10,
});
const resS = await seconds(async () => {
  await res.step(mb.x, mb.y);
}, REPEATS);
console.log(`ours mymodel (w=${MW}) train step B=${MB}: ${(MB / resS).toFixed(0)} images/s`);
const losses = await res.readLosses();
if (!losses.every(Number.isFinite)) console.log(`mymodel losses not finite: ${losses}`);
res.destroy();
