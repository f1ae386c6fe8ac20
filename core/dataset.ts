/**
 * `Dataset`: what the Solver trains on — a length, labels, and a way to gather a batch of
 * samples by index. Large image sets implement it over their compact uint8 store (see data/);
 * `TensorDataset` wraps a tensor already in memory.
 *
 * @module
 */

import { Tensor } from "./tensor.ts";
import type { Labels } from "./dims.ts";

/** Indexable labelled samples. */
export interface Dataset {
  /** Number of samples; valid indices are [0, length). */
  readonly length: number;
  /** One class index per sample. */
  readonly labels: ArrayLike<number>;
  /** The samples at `indices`, stacked: (B, …sample shape). */
  gather(indices: ArrayLike<number>): Tensor;
}

/**
 * A dataset held as one tensor x: (N, …) with labels y: (N).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Tensor } from "./tensor.ts";
 * import { TensorDataset } from "./dataset.ts";
 * const d = new TensorDataset(Tensor.linspace(0, 5, [3, 2]), [0, 1, 0]);
 * assert.deepEqual([...d.gather([2, 0]).data], [4, 5, 0, 1]);
 * ```
 */
export class TensorDataset implements Dataset {
  readonly labels: Int32Array;
  /**
   * Wraps `x` (N, …) without copying and copies the N labels `y` into an Int32Array; throws a
   * TypeError when their counts differ.
   */
  constructor(readonly x: Tensor, y: Labels) {
    if (x.rank < 1 || x.shape[0] !== y.length) {
      throw new TypeError(
        `Cannot make a dataset: x has ${x.shape[0] ?? 0} samples but y has ${y.length} labels`,
      );
    }
    this.labels = Int32Array.from(y);
  }

  /** Number of samples: x's first axis. */
  get length(): number {
    return this.x.shape[0];
  }

  gather(indices: ArrayLike<number>): Tensor {
    const sample = this.x.size / this.length;
    const out = Tensor.zeros([indices.length, ...this.x.shape.slice(1)], this.x.dtype);
    for (let i = 0; i < indices.length; i++) {
      const j = indices[i];
      if (!Number.isInteger(j) || j < 0 || j >= this.length) {
        throw new RangeError(`Cannot gather sample ${j} from a dataset of ${this.length}`);
      }
      out.data.set(this.x.data.subarray(j * sample, (j + 1) * sample), i * sample);
    }
    return out;
  }
}
