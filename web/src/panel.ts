/**
 * The page's panel of test images: for the first few images of a set, the true class, the
 * predicted class (the argmax `deno task predict` takes, with the same flip TTA) and the three
 * most probable classes with their softmax probabilities.
 *
 * @module
 */

import { IMAGE_BYTES, type ImageSet } from "../../data/cifar10.ts";
import { makeBatch } from "../../data/batches.ts";
import type { Normalization } from "../../data/normalize.ts";
import type { Module } from "../../nn/modules/module.ts";
import { predictBatch } from "../../train/eval.ts";

/** How many test images the panel shows. */
export const PANEL_IMAGES = 8;
/** How many classes each image lists, most probable first. */
export const PANEL_TOP = 3;

/** One image of the panel. */
export interface PanelEntry {
  /** The true class. */
  label: number;
  /** The predicted class (the argmax of the logits). */
  predicted: number;
  /** The {@linkcode PANEL_TOP} most probable classes, most probable first. */
  top: { k: number; p: number }[];
  /** The image: (3, 32, 32) bytes. */
  image: Uint8Array;
}

/**
 * Softmax probabilities of one row of logits, in float64.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { softmaxRow } from "./panel.ts";
 * const p = softmaxRow([0, Math.log(3)]);
 * assert.ok(Math.abs(p[0] - 0.25) < 1e-12 && Math.abs(p[1] - 0.75) < 1e-12);
 * ```
 */
export function softmaxRow(logits: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  const e = Array.from(logits, (v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** The panel of the first `count` images of `set` (fewer when the set is smaller). */
export function predictPanel(
  model: Module,
  set: ImageSet,
  options: { normalize: Normalization; tta: boolean; count?: number },
): PanelEntry[] {
  const n = Math.min(options.count ?? PANEL_IMAGES, set.labels.length);
  if (n === 0) return [];
  const indices = Int32Array.from({ length: n }, (_, i) => i);
  const wasTraining = model.training;
  model.eval();
  try {
    const { x } = makeBatch(set, indices, { normalize: options.normalize });
    const logits = predictBatch(model, x, options.tta); // logits: (n, K)
    const K = logits.shape[1];
    return Array.from({ length: n }, (_, i) => {
      const row = logits.data.subarray(i * K, (i + 1) * K);
      let predicted = 0;
      for (let k = 1; k < K; k++) if (row[k] > row[predicted]) predicted = k;
      const p = softmaxRow(row);
      const top = p.map((v, k) => ({ k, p: v })).sort((a, b) => b.p - a.p || a.k - b.k)
        .slice(0, PANEL_TOP);
      const image = set.images.slice(i * IMAGE_BYTES, (i + 1) * IMAGE_BYTES);
      return { label: set.labels[i], predicted, top, image };
    });
  } finally {
    model.train(wasTraining);
  }
}
