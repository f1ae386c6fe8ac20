/**
 * Prints, on a hardware WebGPU adapter, our conv forward+backward GFLOP/s for the issue's
 * target layer (x (128, 64, 32, 32), w (64, 64, 3, 3), stride 1, pad 1) and the `convnet`
 * training throughput (images/s, batch 128, synthetic data) — one line each, for
 * bench/gpu_machine.sh to print next to PyTorch's. A timing script, not a test: it refuses to
 * run on a software adapter, whose numbers mean nothing.
 *
 *   deno run --allow-read --allow-env bench/gpu_throughput.ts [--allow-software]
 */

import { convDims } from "../kernels/dims.ts";
import { getContext, gpuKernels, GpuTensor, webgpuAvailable } from "../kernels/webgpu/mod.ts";
import { CNN } from "../nn/models/convnet.ts";
import { Rng } from "../nn/random.ts";
import { GpuCNN } from "../nn/webgpu/cnn.ts";

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

async function seconds(fn: () => Promise<void>, repeats: number): Promise<number> {
  await fn(); // warm-up: compiles the pipelines
  await ctx.device.queue.onSubmittedWorkDone();
  const t0 = performance.now();
  for (let i = 0; i < repeats; i++) await fn();
  await ctx.device.queue.onSubmittedWorkDone();
  return (performance.now() - t0) / 1000 / repeats;
}

// conv layer: forward + backward data + backward filter, recorded in one command buffer
const d = convDims("bench", [128, 64, 32, 32], [64, 64, 3, 3], 1, 1);
const nx = 128 * 64 * 1024, nw = 64 * 64 * 9;
const t = {
  x: await GpuTensor.zeros([nx]),
  w: await GpuTensor.zeros([nw]),
  b: await GpuTensor.zeros([64]),
  dout: await GpuTensor.zeros([nx]),
  out: await GpuTensor.zeros([nx]),
  dx: await GpuTensor.zeros([nx]),
  dw: await GpuTensor.zeros([nw]),
  db: await GpuTensor.zeros([64]),
};
const convS = await seconds(() =>
  ctx.record(async () => {
    await gpuKernels.conv2dForward(t.out, t.x, t.w, t.b, d);
    await gpuKernels.conv2dBackwardData(t.dx, t.dout, t.w, d);
    await gpuKernels.conv2dBackwardFilter(t.dw, t.db, t.dout, t.x, d);
  }), REPEATS);
const flops = 3 * 2 * d.N * d.F * d.HO * d.WO * d.C * d.KH * d.KW;
console.log(
  `ours conv fwd+bwd (128,64,32,32)x(64,64,3,3): ${(convS * 1e3).toFixed(2)} ms, ` +
    `${(flops / convS / 1e9).toFixed(0)} GFLOP/s`,
);

// convnet training step, batch 128, synthetic images; loss read every 10 steps
const B = 128, rng = new Rng(0);
const x = new Float32Array(B * 3 * 32 * 32).map(() => 2 * rng.uniform() - 1);
const y = Int32Array.from({ length: B }, () => rng.int(10));
const net = await GpuCNN.fromModel(new CNN([3, 32, 32], 32, 7, 10), B, {
  lr: 1e-3,
  momentum: 0.9,
  lossEvery: 10,
});
const stepS = await seconds(async () => {
  await net.step(x, y);
}, REPEATS * 5);
console.log(`ours convnet train step B=128: ${(B / stepS).toFixed(0)} images/s`);
net.destroy();
