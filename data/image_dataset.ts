/**
 * `ImageSetDataset`: a CIFAR-10 split as the Solver's `Dataset` — batches gathered by index
 * from the uint8 store and normalised on the fly into float32, so the float32 split is never
 * held in memory.
 *
 * @module
 */

import type { Dataset } from "../core/dataset.ts";
import type { Tensor } from "../core/tensor.ts";
import { makeBatch } from "./batches.ts";
import type { ImageSet } from "./cifar10.ts";
import type { Normalization } from "./normalize.ts";

/** A split of images with labels, normalised when gathered. */
export class ImageSetDataset implements Dataset {
  constructor(readonly set: ImageSet, readonly normalize: Normalization) {}

  get length(): number {
    return this.set.labels.length;
  }

  get labels(): Uint8Array {
    return this.set.labels;
  }

  /** x: (B, 3, 32, 32) float32 for the images at `indices`. */
  gather(indices: ArrayLike<number>): Tensor {
    return makeBatch(this.set, indices, { normalize: this.normalize }).x;
  }
}
