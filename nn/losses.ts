/**
 * Losses of the module API. `crossEntropy` is PyTorch's `F.cross_entropy` (mean over the batch)
 * with optional label smoothing, returning the loss and its gradient with respect to the
 * logits, ready for `model.backward(dlogits)`.
 *
 * @module
 */

import { kernelsFor } from "../kernels/mod.ts";
import { Tensor } from "../core/tensor.ts";
import type { Labels } from "./types.ts";

/** Options of `crossEntropy`. */
export interface CrossEntropyOptions {
  /**
   * ε in [0, 1]: the target becomes (1 − ε)·onehot(y) + ε/C, as PyTorch's `label_smoothing`
   * (default 0).
   */
  labelSmoothing?: number;
}

/** The mean loss over the batch and ∂loss/∂logits. */
export interface CrossEntropyResult {
  /** Mean loss over the batch, in nats. */
  loss: number;
  /** dlogits: (N, C) */
  dlogits: Tensor;
}

/**
 * Softmax cross-entropy of (N, C) logits against integer labels, averaged over the batch.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { crossEntropy, Tensor } from "../mod.ts";
 * const logits = Tensor.zeros([1, 4]); // uniform softmax: loss = log 4
 * const { loss, dlogits } = crossEntropy(logits, [2]);
 * assert.ok(Math.abs(loss - Math.log(4)) < 1e-12);
 * assert.deepEqual([...dlogits.data], [0.25, 0.25, -0.75, 0.25]);
 * ```
 */
export function crossEntropy(
  logits: Tensor,
  y: Labels,
  options: CrossEntropyOptions = {},
): CrossEntropyResult {
  const { labelSmoothing = 0 } = options;
  if (logits.rank !== 2) {
    throw new TypeError(
      `Cannot compute crossEntropy: logits must have shape (N, C), got [${
        logits.shape.join(", ")
      }]`,
    );
  }
  const [N, C] = logits.shape;
  if (y.length !== N) {
    throw new TypeError(`Cannot compute crossEntropy: ${N} rows of logits but ${y.length} labels`);
  }
  for (let n = 0; n < N; n++) {
    if (!Number.isInteger(y[n]) || y[n] < 0 || y[n] >= C) {
      throw new RangeError(
        `Cannot compute crossEntropy: label ${y[n]} at index ${n} is not a class in [0, ${C})`,
      );
    }
  }
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
    throw new RangeError(
      `Cannot compute crossEntropy: labelSmoothing must be in [0, 1], got ${labelSmoothing}`,
    );
  }
  if (N === 0) throw new RangeError("Cannot compute crossEntropy of an empty batch");
  const k = kernelsFor(logits.dtype);
  const dlogits = Tensor.zeros([N, C], logits.dtype);
  const loss = labelSmoothing === 0
    ? k.softmaxCrossEntropy(dlogits.data, logits.data, y, N, C)
    : k.softmaxCrossEntropySmoothed(dlogits.data, logits.data, y, N, C, labelSmoothing);
  return { loss, dlogits };
}
