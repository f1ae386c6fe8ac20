/**
 * Evaluation for the training and prediction tasks: logits over a set of images in batches,
 * with optional flip test-time augmentation (the mean of the logits of each image and its
 * mirror image), then loss, accuracy and the confusion matrix.
 *
 * @module
 */

import { argmaxRows } from "../nn/solver.ts";
import { IMAGE_BYTES, type ImageSet } from "../data/cifar10.ts";
import { makeBatch } from "../data/batches.ts";
import type { Normalization } from "../data/normalize.ts";
import { kernelsFor } from "../kernels/mod.ts";
import { crossEntropy } from "../nn/losses.ts";
import type { Module } from "../nn/modules/module.ts";
import { Tensor } from "../core/tensor.ts";
import { predictTta } from "../nn/tta.ts";

/** How to run a model over images. */
export interface EvalOptions {
  /** How images are normalised before the model sees them. */
  normalize: Normalization;
  /** Images per batch. */
  batchSize: number;
  /** Average the logits with those of the horizontally flipped images. */
  tta: boolean;
  /**
   * With `tta`, also average over the images shifted ±N pixels diagonally (`predictTta`'s
   * `translate`; default 0: flips only).
   */
  ttaTranslate?: number;
}

/**
 * Mirror images: every row of x: (N, C, H, W) reversed, into a copy.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Tensor } from "../core/tensor.ts";
 * import { flipHorizontal } from "./eval.ts";
 * const x = new Tensor(new Float32Array([1, 2, 3, 4, 5, 6]), [1, 1, 2, 3]);
 * assert.deepEqual([...flipHorizontal(x).data], [3, 2, 1, 6, 5, 4]);
 * ```
 */
export function flipHorizontal(x: Tensor<Float32Array>): Tensor<Float32Array> {
  const W = x.shape[3];
  const out = x.data.slice(); // out: (N, C, H, W)
  for (let r = 0; r < out.length; r += W) out.subarray(r, r + W).reverse();
  return new Tensor(out, x.shape);
}

/**
 * logits: (B, K) for a batch x: (B, C, H, W), in evaluation mode, with flip TTA if asked, and
 * with `translate` > 0 also over shifted copies (`predictTta`).
 */
export function predictBatch(
  model: Module,
  x: Tensor<Float32Array>,
  tta: boolean,
  translate = 0,
): Tensor {
  if (tta && translate > 0) return predictTta(model, x, { flip: true, translate });
  const logits = model.forward(x).clone();
  if (!tta) return logits;
  const flipped = model.forward(flipHorizontal(x));
  const k = kernelsFor(logits.dtype);
  k.axpy(logits.data, flipped.data, 1, logits.size);
  // logits ← a + b, then ← (a + b) − ½(a + b): the mean of the two, with the axpy kernel.
  k.axpy(logits.data, logits.data.slice(), -0.5, logits.size);
  return logits;
}

/**
 * The number of rows of logits: (B, K) whose argmax is the label.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Tensor } from "../core/tensor.ts";
 * import { countCorrect } from "./eval.ts";
 * const logits = new Tensor(new Float32Array([0, 2, 1, 5, 0, 0]), [2, 3]);
 * assert.equal(countCorrect(logits, [1, 1]), 1);
 * ```
 */
export function countCorrect(logits: Tensor, y: ArrayLike<number>): number {
  const predicted = argmaxRows(logits); // predicted: (B)
  let correct = 0;
  for (let b = 0; b < predicted.length; b++) if (predicted[b] === y[b]) correct++;
  return correct;
}

/** The predicted class of every image of `set` (labels are not used). */
export async function predictSet(
  model: Module,
  set: ImageSet,
  options: EvalOptions & { onBatch?: (done: number) => void },
): Promise<Int32Array> {
  const n = set.labels.length;
  const preds = new Int32Array(n); // preds: (N)
  await forEachBatch(model, set, options, (logits, start) => {
    preds.set(argmaxRows(logits), start);
    options.onBatch?.(start + logits.shape[0]);
  });
  return preds;
}

/** Loss (mean cross-entropy, no smoothing), accuracy and confusion matrix on a set. */
export interface EvalResult {
  /** Mean cross-entropy. */
  loss: number;
  /** Images classified right. */
  correct: number;
  /** Images evaluated. */
  total: number;
  /** confusion[true][predicted]: counts */
  confusion: number[][];
}

/** Evaluates `model` on a labelled set. */
export async function evaluate(
  model: Module,
  set: ImageSet,
  options: EvalOptions & { nClasses: number },
): Promise<EvalResult> {
  const K = options.nClasses, n = set.labels.length;
  const confusion = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  const preds = new Int32Array(Math.min(n, options.batchSize)); // preds: (B)
  let lossSum = 0, correct = 0;
  await forEachBatch(model, set, options, (logits, start) => {
    const B = logits.shape[0], y = set.labels.subarray(start, start + B);
    lossSum += crossEntropy(logits, y).loss * B;
    preds.set(argmaxRows(logits));
    for (let b = 0; b < B; b++) {
      confusion[y[b]][preds[b]]++;
      if (preds[b] === y[b]) correct++;
    }
  });
  return { loss: lossSum / n, correct, total: n, confusion };
}

async function forEachBatch(
  model: Module,
  set: ImageSet,
  options: EvalOptions,
  visit: (logits: Tensor, start: number) => void,
): Promise<void> {
  const n = set.labels.length, bs = options.batchSize;
  const wasTraining = model.training;
  model.eval();
  const out = {
    x: new Float32Array(Math.min(n, bs) * IMAGE_BYTES), // x: (B, 3, 32, 32)
    y: new Int32Array(Math.min(n, bs)), // y: (B)
  };
  const indices = new Int32Array(Math.min(n, bs)); // indices: (B)
  try {
    for (let start = 0; start < n; start += bs) {
      const b = Math.min(bs, n - start);
      for (let i = 0; i < b; i++) indices[i] = start + i;
      const batch = makeBatch(set, indices.subarray(0, b), { normalize: options.normalize, out });
      visit(predictBatch(model, batch.x, options.tta, options.ttaTranslate), start);
      await yieldToEventLoop();
    }
  } finally {
    model.train(wasTraining);
  }
}

/** Lets pending events (a Ctrl-C, say) run between batches. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Per-class accuracy (fractions) from a confusion matrix; NaN for a class with no images.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { perClassAccuracy } from "./eval.ts";
 * assert.deepEqual(perClassAccuracy([[3, 1], [0, 0]]), [0.75, NaN]);
 * ```
 */
export function perClassAccuracy(confusion: number[][]): number[] {
  return confusion.map((row, k) => {
    const total = row.reduce((a, v) => a + v, 0);
    return total === 0 ? NaN : row[k] / total;
  });
}
