/**
 * `Scale`: multiplies its input by a constant (David Page's `Mul`, which scales the logits of
 * his fast CIFAR-10 ResNet by 1/8). No parameters.
 *
 * @module
 */

import { kernelsFor } from "../../kernels/mod.ts";
import type { Tensor } from "../../core/tensor.ts";
import { cached, checkDout, Module } from "./module.ts";

/**
 * out = factor · x, on any shape.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Scale, Tensor } from "../../mod.ts";
 * const s = new Scale(0.125);
 * assert.deepEqual([...s.forward(Tensor.full([2], 8)).data], [1, 1]);
 * assert.equal(s.toString(), "Scale(0.125)");
 * ```
 */
export class Scale extends Module {
  /** The constant multiplier (finite). */
  readonly factor: number;
  #shape?: readonly number[];

  /** Multiplies by `factor`, which must be finite (a RangeError otherwise). */
  constructor(factor: number) {
    super();
    if (!Number.isFinite(factor)) {
      throw new RangeError(`Cannot create Scale: factor must be a finite number, got ${factor}`);
    }
    this.factor = factor;
  }

  /**
   * out = factor · x.
   *
   * x: any shape → out: same shape
   */
  forward(x: Tensor): Tensor {
    const out = this.workTensor("out", x.shape, x.dtype);
    kernelsFor(x.dtype).axpy(out.data, x.data, this.factor, x.size);
    this.#shape = x.shape;
    return out;
  }

  /** dx = factor · dout. */
  backward(dout: Tensor): Tensor {
    checkDout("Scale", dout, cached("Scale", this.#shape));
    const dx = this.workTensor("dx", dout.shape, dout.dtype);
    kernelsFor(dout.dtype).axpy(dx.data, dout.data, this.factor, dout.size);
    return dx;
  }

  /** `Scale(factor)`. */
  toString(): string {
    return `Scale(${this.factor})`;
  }
}
