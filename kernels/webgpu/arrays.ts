/**
 * The WebGPU kernels on CPU arrays, for tests and one-off use: each call uploads its operands
 * (outputs too, since backward kernels add into them), runs the GPU kernel and copies the
 * results back into the output arrays. Same positional signatures as kernels/ref, but async.
 * Training keeps its tensors on the GPU instead (kernels/webgpu/mod.ts).
 *
 * @module
 */

import type { ConvDims, FloatArray, PoolDims } from "../../core/dims.ts";
import { getContext } from "./_context.ts";
import * as conv from "./conv.ts";
import * as dense from "./dense.ts";
import * as norm from "./norm.ts";
import * as optim from "./optim.ts";
import * as pool from "./pool.ts";
import { GpuTensor } from "./tensor.ts";

type Host = FloatArray | Int32Array;

/** Uploads `arrays`, runs `fn` on them, copies the GPU values of `outputs` back, frees all. */
async function onGpu(
  arrays: readonly Host[],
  outputs: readonly number[],
  fn: (t: GpuTensor[]) => void,
): Promise<void> {
  const ctx = await getContext();
  const ts: GpuTensor[] = [];
  try {
    await ctx.record(async () => {
      for (const a of arrays) ts.push(await GpuTensor.fromArray(a, [a.length]));
      await fn(ts);
    });
    for (const i of outputs) {
      const t = ts[i];
      arrays[i].set(t.dtype === "int32" ? await t.readInt32() : await t.read());
    }
  } finally {
    for (const t of ts) t.destroy();
  }
}

function checkLabels(op: string, y: ArrayLike<number>, N: number, C: number): void {
  for (let n = 0; n < N; n++) {
    if (!(Number.isInteger(y[n]) && y[n] >= 0 && y[n] < C)) {
      throw new RangeError(
        `Cannot compute ${op}: label ${y[n]} at index ${n} is not a class in [0, ${C})`,
      );
    }
  }
}

/** The WebGPU kernels on CPU arrays (float32 on the GPU; results copied back). */
export const webgpuArrays = {
  conv2dForward: (out: FloatArray, x: FloatArray, w: FloatArray, b: FloatArray, d: ConvDims) =>
    onGpu([out, x, w, b], [0], (t) => conv.conv2dForward(t[0], t[1], t[2], t[3], d)),
  conv2dBackwardData: (dx: FloatArray, dout: FloatArray, w: FloatArray, d: ConvDims) =>
    onGpu([dx, dout, w], [0], (t) => conv.conv2dBackwardData(t[0], t[1], t[2], d)),
  conv2dBackwardFilter: (
    dw: FloatArray,
    db: FloatArray,
    dout: FloatArray,
    x: FloatArray,
    d: ConvDims,
  ) =>
    onGpu(
      [dw, db, dout, x],
      [0, 1],
      (t) => conv.conv2dBackwardFilter(t[0], t[1], t[2], t[3], d),
    ),
  maxPool2dForward: (out: FloatArray, argmax: Int32Array, x: FloatArray, d: PoolDims) =>
    onGpu([out, argmax, x], [0, 1], (t) => pool.maxPool2dForward(t[0], t[1], t[2], d)),
  maxPool2dBackward: (dx: FloatArray, dout: FloatArray, argmax: Int32Array, d: PoolDims) =>
    onGpu([dx, dout, argmax], [0], (t) => pool.maxPool2dBackward(t[0], t[1], t[2], d)),
  avgPool2dForward: (out: FloatArray, x: FloatArray, d: PoolDims) =>
    onGpu([out, x], [0], (t) => pool.avgPool2dForward(t[0], t[1], d)),
  avgPool2dBackward: (dx: FloatArray, dout: FloatArray, d: PoolDims) =>
    onGpu([dx, dout], [0], (t) => pool.avgPool2dBackward(t[0], t[1], d)),
  batchNorm2dForward: (
    out: FloatArray,
    saveMean: FloatArray,
    saveInvStd: FloatArray,
    runningMean: FloatArray,
    runningVar: FloatArray,
    x: FloatArray,
    gamma: FloatArray,
    beta: FloatArray,
    N: number,
    C: number,
    HW: number,
    eps: number,
    momentum: number,
    training: boolean,
  ) =>
    onGpu(
      [out, saveMean, saveInvStd, runningMean, runningVar, x, gamma, beta],
      [0, 1, 2, 3, 4],
      (t) =>
        norm.batchNorm2dForward(
          t[0],
          t[1],
          t[2],
          t[3],
          t[4],
          t[5],
          t[6],
          t[7],
          N,
          C,
          HW,
          eps,
          momentum,
          training,
        ),
    ),
  batchNorm2dBackward: (
    dx: FloatArray,
    dgamma: FloatArray,
    dbeta: FloatArray,
    dout: FloatArray,
    x: FloatArray,
    gamma: FloatArray,
    saveMean: FloatArray,
    saveInvStd: FloatArray,
    N: number,
    C: number,
    HW: number,
    training: boolean,
  ) =>
    onGpu(
      [dx, dgamma, dbeta, dout, x, gamma, saveMean, saveInvStd],
      [0, 1, 2],
      (t) =>
        norm.batchNorm2dBackward(
          t[0],
          t[1],
          t[2],
          t[3],
          t[4],
          t[5],
          t[6],
          t[7],
          N,
          C,
          HW,
          training,
        ),
    ),
  gemm: (
    c: FloatArray,
    a: FloatArray,
    b: FloatArray,
    M: number,
    N: number,
    K: number,
    transA: boolean,
    transB: boolean,
    accumulate: boolean,
  ) =>
    onGpu(
      [c, a, b],
      [0],
      (t) => dense.gemm(t[0], t[1], t[2], M, N, K, transA, transB, accumulate),
    ),
  addRowBias: (out: FloatArray, bias: FloatArray, rows: number, cols: number) =>
    onGpu([out, bias], [0], (t) => dense.addRowBias(t[0], t[1], rows, cols)),
  sumRows: (sums: FloatArray, m: FloatArray, rows: number, cols: number) =>
    onGpu([sums, m], [0], (t) => dense.sumRows(t[0], t[1], rows, cols)),
  reluForward: (out: FloatArray, x: FloatArray, n: number) =>
    onGpu([out, x], [0], (t) => dense.reluForward(t[0], t[1], n)),
  reluBackward: (dx: FloatArray, dout: FloatArray, x: FloatArray, n: number) =>
    onGpu([dx, dout, x], [0], (t) => dense.reluBackward(t[0], t[1], t[2], n)),
  axpy: (y: FloatArray, x: FloatArray, alpha: number, n: number) =>
    onGpu([y, x], [0], (t) => dense.axpy(t[0], t[1], alpha, n)),
  /** Returns the mean loss (the per-row losses summed in float64 on the CPU). */
  async softmaxCrossEntropySmoothed(
    dx: FloatArray,
    x: FloatArray,
    y: ArrayLike<number>,
    N: number,
    C: number,
    smoothing: number,
  ): Promise<number> {
    checkLabels("softmaxCrossEntropySmoothed", y, N, C);
    const losses = new Float32Array(N);
    await onGpu(
      [dx, losses, x, Int32Array.from(y)],
      [0, 1],
      (t) => dense.softmaxCrossEntropySmoothed(t[0], t[1], t[2], t[3], N, C, smoothing),
    );
    return losses.reduce((s, v) => s + v, 0) / N;
  },
  /** Returns the mean loss (the per-row losses summed in float64 on the CPU). */
  async softmaxCrossEntropy(
    dx: FloatArray,
    x: FloatArray,
    y: ArrayLike<number>,
    N: number,
    C: number,
  ): Promise<number> {
    checkLabels("softmaxCrossEntropy", y, N, C);
    const losses = new Float32Array(N);
    await onGpu(
      [dx, losses, x, Int32Array.from(y)],
      [0, 1],
      (t) => dense.softmaxCrossEntropy(t[0], t[1], t[2], t[3], N, C),
    );
    return losses.reduce((s, v) => s + v, 0) / N;
  },
  sgdStep: (
    w: FloatArray,
    g: FloatArray,
    v: FloatArray,
    n: number,
    lr: number,
    momentum: number,
    weightDecay: number,
    nesterov: boolean,
  ) =>
    onGpu(
      [w, g, v],
      [0, 2],
      (t) => optim.sgdStep(t[0], t[1], t[2], n, lr, momentum, weightDecay, nesterov),
    ),
  adamStep: (
    w: FloatArray,
    g: FloatArray,
    m: FloatArray,
    v: FloatArray,
    n: number,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    step: number,
    weightDecay: number,
    decoupled: boolean,
  ) =>
    onGpu(
      [w, g, m, v],
      [0, 2, 3],
      (t) =>
        optim.adamStep(
          t[0],
          t[1],
          t[2],
          t[3],
          n,
          lr,
          beta1,
          beta2,
          eps,
          step,
          weightDecay,
          decoupled,
        ),
    ),
};
