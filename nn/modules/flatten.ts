/**
 * `Flatten`: (N, d1, …, dk) → (N, d1·…·dk), PyTorch's `nn.Flatten()`. A reshape: no copy.
 *
 * @module
 */

import { shapeSize, type Tensor } from "../../core/tensor.ts";
import { cached, checkDout, Module } from "./module.ts";

/**
 * Flattens every axis after the first, so a conv stack can feed a `Linear`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Flatten, Tensor } from "../../mod.ts";
 * const y = new Flatten().forward(Tensor.zeros([2, 3, 4, 4]));
 * assert.deepEqual(y.shape, [2, 48]);
 * ```
 */
export class Flatten extends Module {
  #inShape?: readonly number[];
  #outShape?: readonly number[];

  /**
   * Reshapes x, keeping the batch axis.
   *
   * x: (N, d1, …, dk) → out: (N, d1·…·dk), sharing x's storage
   */
  forward(x: Tensor): Tensor {
    if (x.rank < 1) throw new TypeError("Cannot run Flatten: input must have a batch axis");
    this.#inShape = x.shape;
    this.#outShape = [x.shape[0], shapeSize(x.shape.slice(1))];
    return x.reshape(this.#outShape);
  }

  /** Reshapes dout back to the last input's shape (no copy). */
  backward(dout: Tensor): Tensor {
    const shape = cached("Flatten", this.#inShape);
    checkDout("Flatten", dout, this.#outShape!);
    return dout.reshape(shape);
  }

  /** `Flatten`. */
  toString(): string {
    return "Flatten";
  }
}
