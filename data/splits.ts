/**
 * The homework's splits of CIFAR-10: train = the first 49,000 training images, val = the last
 * 1,000, test = the 10,000 test images — as views into the loaded stores (no copies).
 *
 * @module
 */

import { type Cifar10, IMAGE_BYTES, type ImageSet } from "./cifar10.ts";

/** Train, validation and test sets, and the class names. */
export interface Cifar10Splits {
  /** train: (numTrain, 3, 32, 32) */
  train: ImageSet;
  /** val: (numVal, 3, 32, 32) */
  val: ImageSet;
  /** test: (numTest, 3, 32, 32) */
  test: ImageSet;
  /** The class names, in label order. */
  classes: string[];
}

/** How to split. Every count takes the first images of its split. */
export interface SplitOptions {
  /** Images at the end of the training set kept for validation (default 1000). */
  valSize?: number;
  /** How many training images to use (default: all that are not validation, 49,000). */
  numTrain?: number;
  /** How many validation images to use (default: `valSize`). */
  numVal?: number;
  /** How many test images to use (default: all, 10,000). */
  numTest?: number;
}

/** Images `start … end-1` of a set, as views (no copy). */
export function sliceImages(set: ImageSet, start: number, end: number): ImageSet {
  const n = set.labels.length;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > n) {
    throw new RangeError(`Cannot slice images ${start} … ${end} out of a set of ${n} images`);
  }
  return {
    images: set.images.subarray(start * IMAGE_BYTES, end * IMAGE_BYTES),
    labels: set.labels.subarray(start, end),
  };
}

function count(name: string, value: number | undefined, fallback: number, max: number): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < 0 || n > max) {
    throw new RangeError(
      `Cannot split CIFAR-10 with ${name}=${n}: it must be an integer in 0 … ${max}`,
    );
  }
  return n;
}

/**
 * Splits loaded CIFAR-10 as the homework does: with the defaults, train = training images
 * 0 … 48,999, val = 49,000 … 49,999, test = all 10,000 test images. `numTrain`, `numVal` and
 * `numTest` take the first N of each split for quick runs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitCifar10 } from "./splits.ts";
 * const set = (n: number) => ({ images: new Uint8Array(n * 3072), labels: new Uint8Array(n) });
 * const data = { train: set(50000), test: set(10000), classes: [] };
 * const { train, val, test } = splitCifar10(data);
 * const sizes = [train, val, test].map((s) => s.labels.length);
 * assert.deepEqual(sizes, [49000, 1000, 10000]);
 * const small = splitCifar10(data, { numTrain: 100, numVal: 10, numTest: 20 });
 * assert.equal(small.val.labels.byteOffset, 49000); // still the last 1,000's first 10
 * ```
 */
export function splitCifar10(
  data: Pick<Cifar10, "train" | "test" | "classes">,
  options: SplitOptions = {},
): Cifar10Splits {
  const total = data.train.labels.length;
  const valSize = count("valSize", options.valSize, Math.min(1000, total), total);
  const trainSize = total - valSize;
  const numTrain = count("numTrain", options.numTrain, trainSize, trainSize);
  const numVal = count("numVal", options.numVal, valSize, valSize);
  const numTest = count(
    "numTest",
    options.numTest,
    data.test.labels.length,
    data.test.labels.length,
  );
  return {
    train: sliceImages(data.train, 0, numTrain),
    val: sliceImages(data.train, trainSize, trainSize + numVal),
    test: sliceImages(data.test, 0, numTest),
    classes: data.classes,
  };
}
