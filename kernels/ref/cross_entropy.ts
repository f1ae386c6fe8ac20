/**
 * Reference softmax cross-entropy with label smoothing, the specification for the WASM
 * version. It matches PyTorch's `F.cross_entropy(x, y, label_smoothing=ε)` with mean reduction:
 * the target of sample n is q_n = (1 − ε)·onehot(y_n) + ε/C, and
 *
 *   L = −(1/N) Σ_n Σ_c q_nc · log softmax(x_n)_c,   ∂L/∂x_n = (softmax(x_n) − q_n) / N.
 *
 * With ε = 0 it equals `softmaxCrossEntropy`. Scores are shifted by the row maximum so large
 * values do not overflow.
 *
 * @module
 */

import type { FloatArray } from "../../core/dims.ts";

/** Returns the mean loss; overwrites dx.  dx, x: (N, C)  y: (N) in [0, C)  smoothing in [0, 1] */
export function softmaxCrossEntropySmoothed(
  dx: FloatArray,
  x: FloatArray,
  y: ArrayLike<number>,
  N: number,
  C: number,
  smoothing: number,
): number {
  const off = smoothing / C, on = 1 - smoothing + off;
  let loss = 0;
  for (let n = 0; n < N; n++) {
    const row = n * C;
    let max = x[row];
    for (let c = 1; c < C; c++) if (x[row + c] > max) max = x[row + c];
    let sum = 0;
    for (let c = 0; c < C; c++) sum += Math.exp(x[row + c] - max);
    const logSum = Math.log(sum) + max;
    for (let c = 0; c < C; c++) {
      const q = c === y[n] ? on : off;
      const logP = x[row + c] - logSum;
      loss -= q * logP;
      dx[row + c] = (Math.exp(logP) - q) / N;
    }
  }
  return loss / N;
}
