/**
 * Reference classification losses over a batch of scores, each returning the mean loss and
 * writing its gradient with respect to the scores (overwriting dx):
 *
 * - softmax cross-entropy: L = −(1/N) Σ_n log softmax(x_n)[y_n], computed with the row maximum
 *   subtracted so large scores do not overflow; dx = (softmax(x) − onehot(y)) / N.
 * - multiclass SVM (hinge, margin 1): L = (1/N) Σ_n Σ_{j≠y_n} max(0, x_nj − x_ny + 1).
 *
 * The homework's `softmax_loss` and `svm_loss` are the specification.
 *
 * @module
 */

import type { FloatArray } from "../../core/dims.ts";

/** Returns the mean loss.  dx, x: (N, C)  y: (N) class indices in [0, C) */
export function softmaxCrossEntropy(
  dx: FloatArray,
  x: FloatArray,
  y: ArrayLike<number>,
  N: number,
  C: number,
): number {
  let loss = 0;
  for (let n = 0; n < N; n++) {
    const row = n * C;
    let max = x[row];
    for (let c = 1; c < C; c++) if (x[row + c] > max) max = x[row + c];
    let sum = 0;
    for (let c = 0; c < C; c++) sum += Math.exp(x[row + c] - max);
    const logSum = Math.log(sum);
    loss -= x[row + y[n]] - max - logSum;
    for (let c = 0; c < C; c++) dx[row + c] = Math.exp(x[row + c] - max - logSum) / N;
    dx[row + y[n]] -= 1 / N;
  }
  return loss / N;
}

/** Returns the mean hinge loss.  dx, x: (N, C)  y: (N) class indices in [0, C) */
export function svmLoss(
  dx: FloatArray,
  x: FloatArray,
  y: ArrayLike<number>,
  N: number,
  C: number,
): number {
  let loss = 0;
  dx.fill(0, 0, N * C);
  for (let n = 0; n < N; n++) {
    const row = n * C;
    const correct = x[row + y[n]];
    let positives = 0;
    for (let c = 0; c < C; c++) {
      if (c === y[n]) continue;
      const margin = x[row + c] - correct + 1;
      if (margin > 0) {
        loss += margin;
        dx[row + c] = 1 / N;
        positives++;
      }
    }
    dx[row + y[n]] = -positives / N;
  }
  return loss / N;
}
