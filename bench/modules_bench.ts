/**
 * Module-API benches: one MyModel training step (forward, smoothed cross-entropy, backward,
 * SGD with Nesterov momentum and weight decay) on float32 at batch 64, with the module kernels
 * (batch norm, average pooling, dropout, smoothed cross-entropy, axpy) running as the reference
 * JavaScript loops on float32 arrays (the baseline: the WASM backend before it implemented
 * them) and in WASM SIMD. Conv, pooling, ReLU, gemm and the optimizer run in WASM in both.
 * Images/s = 64 / (time per step).
 *
 *   deno bench --allow-read --allow-env bench/modules_bench.ts
 *
 * CONVNET_THREADS sets the thread count (default: every core).
 */

import { type Kernels, refKernels, wasmKernels } from "../kernels/mod.ts";
import { crossEntropy } from "../nn/losses.ts";
import { MyModel, MYMODEL_DEFAULTS } from "../nn/models/mymodel.ts";
import { SGD } from "../nn/optim.ts";
import { Rng } from "../nn/random.ts";
import { Tensor } from "../nn/tensor.ts";

const BATCH = 64;
const MODULE_KERNELS = [
  "avgPool2dForward",
  "avgPool2dBackward",
  "batchNorm2dForward",
  "batchNorm2dBackward",
  "dropoutForward",
  "dropoutBackward",
  "softmaxCrossEntropySmoothed",
  "axpy",
] as const;

const rng = new Rng(0);
const net = new MyModel([3, 32, 32], MYMODEL_DEFAULTS.hiddenDim, MYMODEL_DEFAULTS.kernelSize, 10, {
  rng,
});
const opt = new SGD(net.parameters(), {
  lr: 0.01,
  momentum: 0.9,
  nesterov: true,
  weightDecay: 5e-4,
});
const x = Tensor.randn([BATCH, 3, 32, 32], rng, { dtype: "float32" });
const y = Int32Array.from({ length: BATCH }, () => rng.int(10));

function trainStep(): void {
  opt.zeroGrad();
  const logits = net.forward(x);
  const { dlogits } = crossEntropy(logits, y, { labelSmoothing: 0.2 });
  net.backward(dlogits);
  opt.step();
}

// Runs fn with the module kernels of the float32 backend swapped for the reference loops.
function withRefModuleKernels(fn: () => void): void {
  const table = wasmKernels as unknown as Record<string, unknown>;
  const saved = MODULE_KERNELS.map((k) => table[k]);
  for (const k of MODULE_KERNELS) table[k] = (refKernels as Kernels)[k];
  try {
    fn();
  } finally {
    MODULE_KERNELS.forEach((k, i) => (table[k] = saved[i]));
  }
}

const group = `MyModel w=${MYMODEL_DEFAULTS.hiddenDim} train step, batch ${BATCH}, float32`;
Deno.bench({
  group,
  name: "module kernels in reference JS (before)",
  baseline: true,
  fn: () => withRefModuleKernels(trainStep),
});
Deno.bench({ group, name: "module kernels in WASM SIMD", fn: trainStep });
