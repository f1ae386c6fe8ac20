/**
 * Classification losses over a batch of scores (the homework's `softmax_loss` and
 * `svm_loss`): each returns the mean loss over the batch and its gradient with respect to the
 * scores, computed by the backend `kernelsFor(x.dtype)` picks.
 *
 * @module
 */

import { lossDims } from "../../core/dims.ts";
import { kernelsFor } from "../../kernels/mod.ts";
import { Tensor } from "../../core/tensor.ts";
import type { Labels, LossResult } from "../types.ts";
import { sameDType } from "./_check.ts";

/**
 * Softmax cross-entropy: loss = −(1/N) Σ_n log softmax(x_n)[y_n], dx = (softmax(x) −
 * onehot(y)) / N. x: (N, C) scores  y: (N) integers in [0, C)  →  dx: (N, C).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { softmaxLoss, Tensor } from "../../mod.ts";
 * const { loss, dx } = softmaxLoss(Tensor.zeros([2, 4]), [1, 3]); // uniform scores
 * assert.ok(Math.abs(loss - Math.log(4)) < 1e-12);
 * assert.deepEqual([...dx.data.slice(0, 4)], [0.125, -0.375, 0.125, 0.125]);
 * ```
 */
export function softmaxLoss(x: Tensor, y: Labels): LossResult {
  const op = "softmaxLoss";
  const dtype = sameDType(op, { x });
  const { N, C } = lossDims(op, x.shape, y);
  const dx = Tensor.zeros([N, C], dtype); // dx: (N, C)
  const loss = kernelsFor(dtype).softmaxCrossEntropy(dx.data, x.data, y, N, C);
  return { loss, dx };
}

/**
 * Multiclass SVM (hinge) loss with margin 1: loss = (1/N) Σ_n Σ_{j≠y_n} max(0, x_nj − x_ny + 1).
 * x: (N, C) scores  y: (N) integers in [0, C)  →  dx: (N, C).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { svmLoss, Tensor } from "../../mod.ts";
 * const x = new Tensor(new Float64Array([3, 1, 2.5]), [1, 3]); // correct class 0 scores 3
 * const { loss, dx } = svmLoss(x, [0]); // margins: 1 − 2 = −1 (no loss), 2.5 − 3 + 1 = 0.5
 * assert.equal(loss, 0.5);
 * assert.deepEqual([...dx.data], [-1, 0, 1]);
 * ```
 */
export function svmLoss(x: Tensor, y: Labels): LossResult {
  const op = "svmLoss";
  const dtype = sameDType(op, { x });
  const { N, C } = lossDims(op, x.shape, y);
  const dx = Tensor.zeros([N, C], dtype); // dx: (N, C)
  const loss = kernelsFor(dtype).svmLoss(dx.data, x.data, y, N, C);
  return { loss, dx };
}
