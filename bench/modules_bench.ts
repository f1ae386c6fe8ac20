/**
 * Module-API benches: one MyModel training step (forward, smoothed cross-entropy, backward,
 * SGD with Nesterov momentum and weight decay) on float32 at batch 64, with the module kernels
 * (batch norm, average pooling, dropout, smoothed cross-entropy, axpy) running as the reference
 * JavaScript loops on float32 arrays (the baseline: the WASM backend before it implemented
 * them) and in WASM SIMD. Conv, pooling, ReLU, gemm and the optimizer run in WASM in both.
 * Images/s = 64 / (time per step). A second group times the training tasks' batch-512 step with
 * fresh tensors against `Module.reuseBuffers` (tensors kept in WASM memory, no copies).
 *
 *   deno bench --allow-read --allow-env bench/modules_bench.ts
 *
 * A third group times the 93% fast recipe's step (issue 24): AirNet at widths 64/128/128, batch
 * 512, whitening weights left out of the optimizer, frozen batch-norm scales, batch-norm biases
 * at 64× the rate, Nesterov SGD with decoupled weight decay and the lookahead average (every 5
 * steps), with the MyModel step as its baseline, twice: with its odd-map convs on the paths
 * before partial-tile Winograd (`setPartialTiles(false)`) and after. Effective GFLOP/s = 3 × airNetFlops × 512 /
 * (time per step): the direct convolutions' count, forward and backward.
 *
 * CONVNET_THREADS sets the thread count (default: every core).
 */

import { type Kernels, refKernels, wasmKernels } from "../kernels/mod.ts";
import { setPartialTiles } from "../kernels/wasm/mod.ts";
import { crossEntropy } from "../nn/losses.ts";
import { MyModel, MYMODEL_DEFAULTS } from "../nn/models/mymodel.ts";
import { AirNet, AIRNET_WIDTHS } from "../nn/models/airnet.ts";
import { batchNormGroups } from "../nn/param_groups.ts";
import { skipInputGradient } from "../nn/modules/sequential.ts";
import { lookaheadDecay, WeightAverage } from "../nn/weight_average.ts";
import { SGD } from "../nn/optim.ts";
import { Rng } from "../core/random.ts";
import { Tensor } from "../core/tensor.ts";

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

// The training tasks' batch of 512: fresh tensors every step, copied into and out of the WASM
// memory by every kernel (baseline), against Module.reuseBuffers (each layer's tensors reused in
// WASM memory, used in place). The same bits either way.
{
  const B = 512, stepRng = new Rng(2);
  const xs = Tensor.randn([B, 3, 32, 32], stepRng, { dtype: "float32" });
  const ys = Int32Array.from({ length: B }, () => stepRng.int(10));
  const group = `MyModel w=${MYMODEL_DEFAULTS.hiddenDim} train step, batch ${B}, float32`;
  for (const reuse of [false, true]) {
    const model = new MyModel(
      [3, 32, 32],
      MYMODEL_DEFAULTS.hiddenDim,
      MYMODEL_DEFAULTS.kernelSize,
      10,
      {
        rng: new Rng(0),
      },
    );
    if (reuse) model.reuseBuffers();
    const sgd = new SGD(model.parameters(), {
      lr: 0.01,
      momentum: 0.9,
      nesterov: true,
      weightDecay: 5e-4,
    });
    Deno.bench({
      group,
      name: reuse
        ? "reuseBuffers: tensors stay in WASM memory"
        : "fresh tensors, copied in and out",
      baseline: !reuse,
      n: 8,
      warmup: 2,
      fn: () => {
        sgd.zeroGrad();
        const { dlogits } = crossEntropy(model.forward(xs), ys, { labelSmoothing: 0.2 });
        model.backward(dlogits);
        sgd.step();
      },
    });
  }
}

// The fast recipe's step (airbench93's shapes) against the MyModel step, both at batch 512 with
// the training tasks' settings (reuseBuffers, no input gradient).
{
  const B = 512, stepRng = new Rng(3);
  const xs = Tensor.randn([B, 3, 32, 32], stepRng, { dtype: "float32" });
  const ys = Int32Array.from({ length: B }, () => stepRng.int(10));
  const group = `fast recipe train step, batch ${B}, float32`;
  const mymodel = new MyModel([3, 32, 32], MYMODEL_DEFAULTS.hiddenDim, 3, 10, { rng: new Rng(0) });
  skipInputGradient(mymodel);
  mymodel.reuseBuffers();
  const sgd = new SGD(mymodel.parameters(), { lr: 0.01, momentum: 0.9, nesterov: true });
  Deno.bench({
    group,
    name: `MyModel w=${MYMODEL_DEFAULTS.hiddenDim} (48 MFLOP/image)`,
    baseline: true,
    n: 4,
    warmup: 1,
    fn: () => {
      sgd.zeroGrad();
      const { dlogits } = crossEntropy(mymodel.forward(xs), ys, { labelSmoothing: 0.2 });
      mymodel.backward(dlogits);
      sgd.step();
    },
  });
  const air = new AirNet([3, 32, 32], AIRNET_WIDTHS, 10, { rng: new Rng(0) });
  skipInputGradient(air);
  air.reuseBuffers();
  const [bn, rest] = batchNormGroups(air, { biasLrScale: 64, biasWeightDecay: 1e-4 });
  const groups = [bn, { params: rest.params.filter((p) => p.name !== "whiten.weight") }];
  const opt = new SGD(groups, {
    lr: 0.01,
    momentum: 0.85,
    nesterov: true,
    weightDecay: 5e-3,
    decoupledWeightDecay: true,
  });
  const lookahead = new WeightAverage(air, { every: 5, lookahead: true });
  let step = 0;
  // before/after issue 24's partial-tile Winograd (odd maps: 31, 15, 7, 3), the same net and
  // optimizer alternating in one run
  for (const partial of [false, true]) {
    Deno.bench({
      group,
      name: `AirNet ${AIRNET_WIDTHS.join("/")} (108 MFLOP/image), groups, lookahead, ${
        partial ? "partial-tile Winograd" : "no partial tiles (before)"
      }`,
      n: 5,
      warmup: 1,
      fn: () => {
        setPartialTiles(partial);
        try {
          opt.zeroGrad();
          const { dlogits } = crossEntropy(air.forward(xs), ys, { labelSmoothing: 0.2 });
          air.backward(dlogits);
          opt.step();
          lookahead.step(lookaheadDecay(++step % 100, 100));
        } finally {
          setPartialTiles(true);
        }
      },
    });
  }
}

// The module kernels alone, on MyModel-sized activations: reference loops on float32 arrays
// (baseline) vs WASM SIMD on every core.
const kernelRng = new Rng(1);
function rand32(n: number): Float32Array {
  return Float32Array.from({ length: n }, () => 2 * kernelRng.uniform() - 1);
}

{
  const [N, C, HW] = [128, 32, 256]; // MyModel w=16 layer1: (128, 32, 16, 16)
  const n = N * C * HW, x = rand32(n), dout = rand32(n), out = new Float32Array(n);
  const dx = new Float32Array(n), gamma = rand32(C), beta = rand32(C);
  const [mean, invStd, rm, rv, dg, db] = [0, 0, 0, 0, 0, 0].map(() => new Float32Array(C));
  rv.fill(1);
  const group = `batchNorm2d fwd+bwd (${N}, ${C}, ${HW}) train`;
  for (const [name, k] of [["ref", refKernels], ["wasm", wasmKernels]] as const) {
    Deno.bench({
      group,
      name,
      baseline: name === "ref",
      fn: () => {
        k.batchNorm2dForward(out, mean, invStd, rm, rv, x, gamma, beta, N, C, HW, 1e-5, 0.1, true);
        k.batchNorm2dBackward(dx, dg, db, dout, x, gamma, mean, invStd, N, C, HW, true);
      },
    });
  }
}

{
  const n = 128 * 32 * 256, x = rand32(n), dout = rand32(n);
  const out = new Float32Array(n), mask = new Float32Array(n), dx = new Float32Array(n);
  const group = `dropout fwd+bwd (${n}) p=0.5`;
  for (const [name, k] of [["ref", refKernels], ["wasm", wasmKernels]] as const) {
    Deno.bench({
      group,
      name,
      baseline: name === "ref",
      fn: () => {
        k.dropoutForward(out, mask, x, n, 0.5, 12345);
        k.dropoutBackward(dx, dout, mask, n);
      },
    });
  }
  const groupAxpy = `axpy (${n})`;
  for (const [name, k] of [["ref", refKernels], ["wasm", wasmKernels]] as const) {
    Deno.bench({
      group: groupAxpy,
      name,
      baseline: name === "ref",
      fn: () => k.axpy(out, x, 1, n),
    });
  }
}

{
  const d = { N: 128, C: 32, H: 16, W: 16, PH: 2, PW: 2, stride: 2, HO: 8, WO: 8 };
  const nx = d.N * d.C * d.H * d.W, no = nx / 4;
  const x = rand32(nx), dout = rand32(no), out = new Float32Array(no), dx = new Float32Array(nx);
  const group = `avgPool2d 2×2 s2 fwd+bwd (${d.N}, ${d.C}, ${d.H}, ${d.W})`;
  for (const [name, k] of [["ref", refKernels], ["wasm", wasmKernels]] as const) {
    Deno.bench({
      group,
      name,
      baseline: name === "ref",
      fn: () => {
        k.avgPool2dForward(out, x, d);
        k.avgPool2dBackward(dx, dout, d);
      },
    });
  }
}
