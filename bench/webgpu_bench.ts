/**
 * WebGPU benches, run only on a hardware adapter (they register nothing, saying why, on a
 * software one such as llvmpipe, or without an adapter): the conv layer of the issue's target
 * (x (128, 64, 32, 32), w (64, 64, 3, 3), forward + backward data + backward filter) and a
 * `convnet` training step at batch 128, each against the WASM path as the baseline.
 *
 *   deno bench --allow-read --allow-env bench/webgpu_bench.ts
 *
 * bench/gpu_machine.sh prints GFLOP/s next to PyTorch's on the same GPU.
 */

import { convDims } from "../core/dims.ts";
import { wasmKernels } from "../kernels/mod.ts";
import { getContext, gpuKernels, GpuTensor, webgpuAvailable } from "../kernels/webgpu/mod.ts";
import { crossEntropy } from "../nn/losses.ts";
import { CNN } from "../nn/models/convnet.ts";
import { SGD } from "../nn/optim.ts";
import { Rng } from "../core/random.ts";
import { Tensor } from "../core/tensor.ts";
import { GpuTrainStep } from "../train/gpu.ts";

const adapter = await webgpuAvailable();
if (adapter === null || adapter.isFallback) {
  console.error(
    `webgpu_bench: skipped (${adapter ? `software adapter ${adapter.description}` : "no adapter"})`,
  );
} else {
  console.error(`webgpu_bench: adapter ${adapter.description}`);
  await registerConv();
  await registerTrainStep();
}

function random(n: number, rng: Rng): Float32Array {
  return new Float32Array(n).map(() => 2 * rng.uniform() - 1);
}

async function registerConv() {
  const d = convDims("bench", [128, 64, 32, 32], [64, 64, 3, 3], 1, 1);
  const group = "conv fwd+bwd x=(128,64,32,32) w=(64,64,3,3)";
  const rng = new Rng(0), nx = 128 * 64 * 1024, nw = 64 * 64 * 9;
  const x = random(nx, rng), w = random(nw, rng), b = random(64, rng), dout = random(nx, rng);
  const host = {
    out: new Float32Array(nx),
    dx: new Float32Array(nx),
    dw: new Float32Array(nw),
    db: new Float32Array(64),
  };
  Deno.bench({
    group,
    name: "wasm",
    baseline: true,
    n: 2,
    warmup: 1,
    fn: () => {
      wasmKernels.conv2dForward(host.out, x, w, b, d);
      wasmKernels.conv2dBackwardData(host.dx, dout, w, d);
      wasmKernels.conv2dBackwardFilter(host.dw, host.db, dout, x, d);
    },
  });
  const ctx = await getContext();
  const g = {
    x: await GpuTensor.fromArray(x, [nx]),
    w: await GpuTensor.fromArray(w, [nw]),
    b: await GpuTensor.fromArray(b, [64]),
    dout: await GpuTensor.fromArray(dout, [nx]),
    out: await GpuTensor.zeros([nx]),
    dx: await GpuTensor.zeros([nx]),
    dw: await GpuTensor.zeros([nw]),
    db: await GpuTensor.zeros([64]),
  };
  Deno.bench({
    group,
    name: "webgpu (one submit, waits for the GPU)",
    fn: async () => {
      await ctx.record(async () => {
        await gpuKernels.conv2dForward(g.out, g.x, g.w, g.b, d);
        await gpuKernels.conv2dBackwardData(g.dx, g.dout, g.w, d);
        await gpuKernels.conv2dBackwardFilter(g.dw, g.db, g.dout, g.x, d);
      });
      await ctx.device.queue.onSubmittedWorkDone();
    },
  });
}

async function registerTrainStep() {
  const B = 128, rng = new Rng(1);
  const group = "convnet train step B=128 (hidden 32, k=7)";
  const x = random(B * 3 * 32 * 32, rng);
  const y = Int32Array.from({ length: B }, () => rng.int(10));
  const cpu = new CNN([3, 32, 32], 32, 7, 10);
  const opt = new SGD(cpu.parameters(), { lr: 1e-3, momentum: 0.9 });
  const xt = new Tensor(x, [B, 3, 32, 32]);
  Deno.bench({
    group,
    name: "wasm",
    baseline: true,
    n: 3,
    warmup: 1,
    fn: () => {
      const { dlogits } = crossEntropy(cpu.forward(xt), y);
      opt.zeroGrad();
      cpu.backward(dlogits);
      opt.step();
    },
  });
  const cnn = new CNN([3, 32, 32], 32, 7, 10);
  const sgd = new SGD(cnn.parameters(), { lr: 1e-3, momentum: 0.9 });
  const gpu = await GpuTrainStep.create(cnn, sgd, {
    batchSize: B,
    imageShape: [3, 32, 32],
    nClasses: 10,
    lossEvery: 10,
  });
  Deno.bench({
    group,
    name: "webgpu (loss read every 10 steps)",
    fn: async () => {
      await gpu.step(x, y);
    },
  });
}
