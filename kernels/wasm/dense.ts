/**
 * WASM kernels of the affine layers and losses with the reference's positional signatures
 * (kernels/ref/gemm.ts, elementwise.ts, loss.ts): gemm with transposed variants, addRowBias,
 * sumRows, ReLU forward/backward, softmax cross-entropy and SVM loss. Float32 inside.
 *
 * @module
 */

import type { FloatArray } from "../../core/dims.ts";
import { job, type JobArgs } from "./_job.ts";
import { carve, copyIn, copyOut, heapI32 } from "./_arena.ts";
import { exports } from "./_runtime.ts";

/** c: (M, N) = [c +] op(a) · op(b).  a: (M, K) or (K, M) when transA  b: (K, N) or (N, K) */
export function gemm(
  c: FloatArray,
  a: FloatArray,
  b: FloatArray,
  M: number,
  N: number,
  K: number,
  transA: boolean,
  transB: boolean,
  accumulate: boolean,
): void {
  if (M === 0 || N === 0) return;
  const nth = Math.ceil(N / 8);
  const scratch = exports.gemmScratch(M, N, K);
  const [pc, pa, pb, ps] = carve("gemm", [
    { name: `c (${M}, ${N})`, bytes: 4 * M * N, array: c },
    { name: `a (${M}·${K})`, bytes: 4 * M * K, array: a },
    { name: `b (${K}·${N})`, bytes: 4 * K * N, array: b },
    { name: `scratch ${Math.min(nth, 64)}×${scratch} B`, bytes: Math.min(nth, 64) * scratch },
  ]);
  if (accumulate) copyIn(pc, c, M * N);
  copyIn(pa, a, M * K);
  copyIn(pb, b, K * N);
  const args = { c: pc, a: pa, b: pb, M, N, K, transA, transB, acc: accumulate };
  job("gemm", { ...args, scratch: ps, scratchBytes: scratch }, nth);
  copyOut(c, pc, M * N);
}

/** out[r, c] += bias[c] for every row.  out: (rows, cols)  bias: (cols) */
export function addRowBias(out: FloatArray, bias: FloatArray, rows: number, cols: number): void {
  if (rows * cols === 0) return;
  const [po, pb] = carve("addRowBias", [
    { name: `out (${rows}, ${cols})`, bytes: 4 * rows * cols, array: out },
    { name: `bias (${cols})`, bytes: 4 * cols, array: bias },
  ]);
  copyIn(po, out, rows * cols);
  copyIn(pb, bias, cols);
  job("addRowBias", { out: po, bias: pb, rows, cols }, rows);
  copyOut(out, po, rows * cols);
}

/** sums[c] += Σ_r m[r, c].  m: (rows, cols)  sums: (cols) */
export function sumRows(sums: FloatArray, m: FloatArray, rows: number, cols: number): void {
  if (cols === 0) return;
  const [ps, pm] = carve("sumRows", [
    { name: `sums (${cols})`, bytes: 4 * cols, array: sums },
    { name: `m (${rows}, ${cols})`, bytes: 4 * rows * cols, array: m },
  ]);
  copyIn(ps, sums, cols);
  copyIn(pm, m, rows * cols);
  job("sumRows", { sums: ps, m: pm, rows, cols }, Math.ceil(cols / 4));
  copyOut(sums, ps, cols);
}

/** out = max(x, 0).  out, x: (n) */
export function reluForward(out: FloatArray, x: FloatArray, n: number): void {
  if (n === 0) return;
  const [po, px] = carve("reluForward", [
    { name: `out (${n})`, bytes: 4 * n, array: out },
    { name: `x (${n})`, bytes: 4 * n, array: x },
  ]);
  copyIn(px, x, n);
  job("reluForward", { out: po, x: px, n }, Math.ceil(n / 65536));
  copyOut(out, po, n);
}

/** dx = dout where x > 0, else 0 (overwrites dx).  dx, dout, x: (n) */
export function reluBackward(dx: FloatArray, dout: FloatArray, x: FloatArray, n: number): void {
  if (n === 0) return;
  const [pdx, pdo, px] = carve("reluBackward", [
    { name: `dx (${n})`, bytes: 4 * n, array: dx },
    { name: `dout (${n})`, bytes: 4 * n, array: dout },
    { name: `x (${n})`, bytes: 4 * n, array: x },
  ]);
  copyIn(pdo, dout, n);
  copyIn(px, x, n);
  job("reluBackward", { dx: pdx, dout: pdo, x: px, n }, Math.ceil(n / 65536));
  copyOut(dx, pdx, n);
}

/**
 * Runs one loss kernel on one thread: checks the labels before any memory is touched, copies
 * the scores and labels in, and dx out; `extra` are the op's other arguments by name.
 */
export function runLoss(
  op: "softmaxCrossEntropy" | "svmLoss" | "softmaxCrossEntropySmoothed",
  dx: FloatArray,
  x: FloatArray,
  y: ArrayLike<number>,
  N: number,
  C: number,
  extra: JobArgs = {},
): number {
  for (let n = 0; n < N; n++) {
    const label = y[n];
    if (!Number.isInteger(label) || label < 0 || label >= C) {
      throw new RangeError(
        `Cannot run ${op}: label y[${n}] = ${label} is not a class in [0, ${C})`,
      );
    }
  }
  const [pdx, px, py] = carve(op, [
    { name: `dx (${N}, ${C})`, bytes: 4 * N * C, array: dx },
    { name: `x (${N}, ${C})`, bytes: 4 * N * C, array: x },
    { name: `y (${N})`, bytes: 4 * N },
  ]);
  copyIn(px, x, N * C);
  const labels = heapI32();
  for (let n = 0; n < N; n++) labels[py / 4 + n] = y[n];
  const result = job(op, { dx: pdx, x: px, y: py, N, C, ...extra }, 1);
  copyOut(dx, pdx, N * C);
  return result;
}

/** Returns the mean softmax cross-entropy.  dx, x: (N, C)  y: (N) class indices in [0, C) */
export function softmaxCrossEntropy(
  dx: FloatArray,
  x: FloatArray,
  y: ArrayLike<number>,
  N: number,
  C: number,
): number {
  return runLoss("softmaxCrossEntropy", dx, x, y, N, C);
}

/** Returns the mean hinge loss.  dx, x: (N, C)  y: (N) class indices in [0, C) */
export function svmLoss(
  dx: FloatArray,
  x: FloatArray,
  y: ArrayLike<number>,
  N: number,
  C: number,
): number {
  return runLoss("svmLoss", dx, x, y, N, C);
}
