/**
 * Turning uint8 images into float32 network inputs.
 *
 * Every normalisation here is one affine map per pixel position, `out[p] = byte[p] · scale[p] +
 * shift[p]` over the 3072 positions of an image, so one fused loop serves them all:
 * - `none`: the raw values 0 … 255 as floats;
 * - `meanImage` (Part 1 of the homework): `x − mean[p]`, the per-pixel mean image of the
 *   training split (values stay in 0 … 255 units);
 * - `channel` (Part 2): `(x/255 − mean[c]) / std[c]` with the per-channel mean and standard
 *   deviation of the training split (mean and std in 0 … 1 units, as torchvision writes them).
 *
 * Statistics are always computed from the training split and then applied to every split.
 * `toJSON`/`fromJSON` keep them with a checkpoint so predictions use the same numbers.
 *
 * @module
 */

import { IMAGE_BYTES, type ImageSet } from "./cifar10.ts";

const PLANE = 1024;

/** A normalisation as plain data, for checkpoints. */
export type NormalizationJSON =
  | { kind: "none" }
  | { kind: "meanImage"; mean: number[] }
  | { kind: "channel"; mean: number[]; std: number[] };

/** The per-pixel mean of a set: mean: (3, 32, 32) in 0 … 255 units. */
export function meanImage(set: ImageSet): Float32Array {
  const n = set.labels.length;
  if (n === 0) throw new RangeError("Cannot compute the mean image of an empty set");
  const sum = new Float64Array(IMAGE_BYTES); // sum: (3, 32, 32)
  const { images } = set;
  for (let i = 0; i < n; i++) {
    const base = i * IMAGE_BYTES;
    for (let p = 0; p < IMAGE_BYTES; p++) sum[p] += images[base + p];
  }
  const mean = new Float32Array(IMAGE_BYTES);
  for (let p = 0; p < IMAGE_BYTES; p++) mean[p] = sum[p] / n;
  return mean;
}

/** The per-channel mean and (population) standard deviation of a set, in 0 … 1 units. */
export function channelMeanStd(set: ImageSet): { mean: number[]; std: number[] } {
  const n = set.labels.length;
  if (n === 0) throw new RangeError("Cannot compute channel statistics of an empty set");
  // Exact integer sums: 50,000 × 1024 × 255² < 2^53.
  const sum = [0, 0, 0], sumSq = [0, 0, 0];
  const hist = new Float64Array(3 * 256); // hist: (3, 256) value counts per channel
  const { images } = set;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const base = i * IMAGE_BYTES + c * PLANE, h = c * 256;
      for (let p = 0; p < PLANE; p++) hist[h + images[base + p]]++;
    }
  }
  for (let c = 0; c < 3; c++) {
    for (let v = 0; v < 256; v++) {
      sum[c] += hist[c * 256 + v] * v;
      sumSq[c] += hist[c * 256 + v] * v * v;
    }
  }
  const count = n * PLANE;
  const mean = sum.map((s) => s / count);
  const std = sumSq.map((s, c) => Math.sqrt(Math.max(0, s / count - mean[c] * mean[c])));
  return { mean: mean.map((m) => m / 255), std: std.map((s) => s / 255) };
}

/**
 * How images become floats: `out[p] = byte[p] · scale[p] + shift[p]` for the 3072 positions.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Normalization } from "./normalize.ts";
 * const train = { images: new Uint8Array(2 * 3072), labels: new Uint8Array(2) };
 * train.images.fill(100, 0, 3072); // image 0: all 100, image 1: all 0
 * const norm = Normalization.meanImage(train);
 * const out = new Float32Array(3072);
 * norm.apply(train.images, 0, out, 0);
 * assert.equal(out[0], 50); // 100 − mean 50
 * ```
 */
export class Normalization {
  /** scale: (3, 32, 32) */
  readonly scale: Float32Array;
  /** shift: (3, 32, 32) */
  readonly shift: Float32Array;

  private constructor(readonly json: NormalizationJSON) {
    this.scale = new Float32Array(IMAGE_BYTES).fill(1);
    this.shift = new Float32Array(IMAGE_BYTES);
    if (json.kind === "meanImage") {
      for (let p = 0; p < IMAGE_BYTES; p++) this.shift[p] = -json.mean[p];
    } else if (json.kind === "channel") {
      for (let c = 0; c < 3; c++) {
        const scale = 1 / (255 * json.std[c]), shift = -json.mean[c] / json.std[c];
        this.scale.fill(scale, c * PLANE, (c + 1) * PLANE);
        this.shift.fill(shift, c * PLANE, (c + 1) * PLANE);
      }
    }
  }

  /** Which normalisation this is. */
  get kind(): NormalizationJSON["kind"] {
    return this.json.kind;
  }

  /** The raw values 0 … 255 as floats. */
  static none(): Normalization {
    return new Normalization({ kind: "none" });
  }

  /** Subtracts the per-pixel mean image of `train` (Part 1). */
  static meanImage(train: ImageSet): Normalization {
    return new Normalization({ kind: "meanImage", mean: Array.from(meanImage(train)) });
  }

  /** `(x/255 − mean[c]) / std[c]` with `train`'s per-channel statistics (Part 2). */
  static channel(train: ImageSet): Normalization {
    const { mean, std } = channelMeanStd(train);
    return Normalization.fromJSON({ kind: "channel", mean, std });
  }

  /** A normalisation saved with {@link Normalization.toJSON}, checked. */
  static fromJSON(json: NormalizationJSON): Normalization {
    const bad = (why: string) => new TypeError(`Cannot restore a normalisation: ${why}`);
    if (json.kind === "meanImage" && json.mean?.length !== IMAGE_BYTES) {
      throw bad(`a mean image needs ${IMAGE_BYTES} values, got ${json.mean?.length}`);
    }
    if (json.kind === "channel") {
      if (json.mean?.length !== 3 || json.std?.length !== 3) throw bad("needs 3 means and 3 stds");
      if (json.std.some((s) => !(s > 0))) {
        throw new RangeError(`Cannot normalise by std [${json.std.join(", ")}]: each must be > 0`);
      }
    }
    if (!["none", "meanImage", "channel"].includes(json.kind)) {
      throw bad(`unknown kind "${(json as { kind: unknown }).kind}"`);
    }
    return new Normalization(json);
  }

  /** The parameters as plain data (`JSON.stringify` uses this). */
  toJSON(): NormalizationJSON {
    return this.json;
  }

  /** Writes image `index` of `images` as floats into `out` at `offset`. */
  apply(images: Uint8Array, index: number, out: Float32Array, offset: number): void {
    const { scale, shift } = this;
    const src = index * IMAGE_BYTES;
    for (let p = 0; p < IMAGE_BYTES; p++) out[offset + p] = images[src + p] * scale[p] + shift[p];
  }

  /** A short description, e.g. `Normalization(channel)`. */
  toString(): string {
    return `Normalization(${this.kind})`;
  }
}
