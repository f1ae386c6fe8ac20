/**
 * Minibatches made on the fly from the uint8 store: each batch is normalised (and, for
 * training, augmented) into one reusable Float32Array, so the float32 training set (600 MB for
 * 49,000 images) is never materialised. Shuffling is seeded: one permutation per epoch, drawn
 * from the `Rng` the caller passes, so a run is reproducible from its seed.
 *
 * @module
 */

import type { Rng } from "../core/random.ts";
import { type DType, Tensor } from "../core/tensor.ts";
import { IMAGE_BYTES, IMAGE_SHAPE, type ImageSet } from "./cifar10.ts";
import {
  alternatingFlip,
  augmentDefaults,
  augmentImage,
  type AugmentOptions,
  drawAugment,
} from "./augment.ts";
import { Normalization } from "./normalize.ts";

/** A minibatch: inputs and labels. */
export interface Batch {
  /** x: (B, 3, 32, 32) float32 */
  x: Tensor<Float32Array>;
  /** y: (B) class indices */
  y: Int32Array;
  /** indices: (B) which images of the set this batch holds */
  indices: Int32Array;
}

/** How to turn images into floats. */
export interface ConvertOptions {
  /** Default: {@link Normalization.none} (raw 0 … 255). */
  normalize?: Normalization;
  /**
   * Random crop and flip (training only); needs `rng`. `true` means pad 4 and flips. With
   * `flip: "alternate"` an image's flip comes from its index in the set, `seed` and `epoch`.
   */
  augment?: AugmentOptions | boolean;
  /** The generator for augmentation (and shuffling). */
  rng?: Rng;
}

/** How to batch an epoch. */
export interface BatchOptions extends ConvertOptions {
  /** Images per batch (the last batch may be smaller; see `dropLast`). */
  batchSize: number;
  /** A fresh seeded permutation of the set for this epoch (default false); needs `rng`. */
  shuffle?: boolean;
  /** Skip the last batch when it is smaller than `batchSize` (default false). */
  dropLast?: boolean;
}

/** Reusable output buffers for {@link makeBatch}. */
export interface BatchBuffers {
  /** x: (≥B, 3, 32, 32) */
  x: Float32Array;
  /** y: (≥B) */
  y: Int32Array;
}

let rawValues: Normalization | null = null;
function noNormalization(): Normalization {
  return rawValues ??= Normalization.none();
}

/**
 * The images `indices` of `set` as one float32 batch — the building block for custom samplers
 * (e.g. the homework Solver's random minibatches). With `out`, the batch is written into those
 * buffers (no allocation) and its `x` and `y` are views of them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeBatch } from "./batches.ts";
 * import { Rng } from "../core/random.ts";
 * const labels = Uint8Array.from([4, 3, 2, 1, 0]);
 * const set = { images: new Uint8Array(5 * 3072).fill(255), labels };
 * const rng = new Rng(0);
 * const indices = Array.from({ length: 3 }, () => rng.int(5)); // with replacement, as the Solver
 * const { x, y } = makeBatch(set, indices);
 * assert.deepEqual(x.shape, [3, 3, 32, 32]);
 * assert.deepEqual([...y], indices.map((i) => 4 - i));
 * assert.equal(x.data[0], 255);
 * ```
 */
export function makeBatch(
  set: ImageSet,
  indices: ArrayLike<number>,
  options: ConvertOptions & { out?: BatchBuffers } = {},
): Batch {
  const b = indices.length, n = set.labels.length;
  const x = options.out
    ? options.out.x.subarray(0, b * IMAGE_BYTES)
    : new Float32Array(b * IMAGE_BYTES);
  const y = options.out ? options.out.y.subarray(0, b) : new Int32Array(b);
  if (x.length < b * IMAGE_BYTES || y.length < b) {
    throw new TypeError(
      `Cannot make a batch of ${b} images in buffers of ${options.out!.x.length} floats and ` +
        `${options.out!.y.length} labels: they must hold ${b * IMAGE_BYTES} and ${b}`,
    );
  }
  const norm = options.normalize ?? noNormalization();
  const aug = options.augment ? augmentDefaults(options.augment) : null;
  if (aug !== null && options.rng === undefined) {
    throw new TypeError("Cannot augment without a seeded generator: pass rng (an Rng)");
  }
  for (let k = 0; k < b; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= n) {
      throw new RangeError(`Cannot take image ${i} of a set of ${n} images`);
    }
    y[k] = set.labels[i];
    if (aug === null) norm.apply(set.images, i, x, k * IMAGE_BYTES);
    else {
      const draw = drawAugment(options.rng!, aug);
      if (aug.flip === "alternate") draw.flip = alternatingFlip(aug.seed, i, aug.epoch);
      augmentImage(set.images, i, x, k * IMAGE_BYTES, norm, draw, aug.pad, aug.padMode);
    }
  }
  const ids = indices instanceof Int32Array ? indices : Int32Array.from(indices);
  return { x: new Tensor(x, [b, ...IMAGE_SHAPE]), y, indices: ids };
}

/** The number of batches one epoch of {@link batches} yields. */
export function batchCount(
  set: ImageSet,
  options: Pick<BatchOptions, "batchSize" | "dropLast">,
): number {
  const n = set.labels.length;
  return options.dropLast ? Math.floor(n / options.batchSize) : Math.ceil(n / options.batchSize);
}

/**
 * One epoch of minibatches. The yielded `x`, `y` and `indices` share buffers that the next
 * batch overwrites: use each batch before asking for the next (copy it to keep it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { batches } from "./batches.ts";
 * import { Rng } from "../core/random.ts";
 * const labels = Uint8Array.from({ length: 10 }, (_, i) => i);
 * const set = { images: new Uint8Array(10 * 3072), labels };
 * const seen: number[] = [];
 * for (const { x, y } of batches(set, { batchSize: 4, shuffle: true, rng: new Rng(0) })) {
 *   assert.equal(x.shape[1], 3);
 *   seen.push(...y);
 * }
 * assert.deepEqual(seen.sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
 * ```
 */
export function* batches(set: ImageSet, options: BatchOptions): Generator<Batch> {
  const { batchSize, shuffle = false, dropLast = false, rng } = options;
  if (!Number.isInteger(batchSize) || batchSize <= 0) {
    throw new RangeError(`Cannot make batches of size ${batchSize}: it must be a positive integer`);
  }
  if (shuffle && rng === undefined) {
    throw new TypeError("Cannot shuffle without a seeded generator: pass rng (an Rng)");
  }
  const n = set.labels.length;
  const order = new Int32Array(n); // order: (N) the epoch's image order
  if (shuffle) order.set(rng!.permutation(n));
  else for (let i = 0; i < n; i++) order[i] = i;
  const out = {
    x: new Float32Array(Math.min(batchSize, n) * IMAGE_BYTES), // x: (B, 3, 32, 32)
    y: new Int32Array(Math.min(batchSize, n)), // y: (B)
  };
  for (let start = 0; start < n; start += batchSize) {
    const b = Math.min(batchSize, n - start);
    if (b < batchSize && dropLast) return;
    yield makeBatch(set, order.subarray(start, start + b), { ...options, out });
  }
}

/**
 * A whole set as one tensor (N, 3, 32, 32), normalised — for validation, testing and Part 1's
 * small runs. float32 unless `dtype: "float64"` (for the naive float64 layers). 49,000 images
 * take 602 MB in float32: prefer {@link batches} for training.
 */
export function toTensor(
  set: ImageSet,
  options?: { normalize?: Normalization; dtype?: "float32" },
): Tensor<Float32Array>;
/** The same, in float64 (for the naive float64 layers). */
export function toTensor(
  set: ImageSet,
  options: { normalize?: Normalization; dtype: "float64" },
): Tensor<Float64Array>;
export function toTensor(
  set: ImageSet,
  options: { normalize?: Normalization; dtype?: DType } = {},
): Tensor {
  const n = set.labels.length;
  const norm = options.normalize ?? noNormalization();
  const x = new Float32Array(n * IMAGE_BYTES); // x: (N, 3, 32, 32)
  for (let i = 0; i < n; i++) norm.apply(set.images, i, x, i * IMAGE_BYTES);
  const t = new Tensor(x, [n, ...IMAGE_SHAPE]);
  return options.dtype === "float64" ? t.astype("float64") : t;
}

/** The labels of a set as Int32Array (N), the type the losses take. */
export function labelsInt32(set: ImageSet): Int32Array {
  return Int32Array.from(set.labels);
}
