/**
 * `Scale`: multiplies its input by a constant (David Page's `Mul`, which scales the logits of
 * his fast CIFAR-10 ResNet by 1/8). No parameters.
 *
 * @module
 */

import { kernelsFor } from "../../kernels/mod.ts";
import type { Tensor } from "../../core/tensor.ts";
import { cached, checkDout, Module, webgpuOf } from "./module.ts";

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
    this.#shape = x.shape;
    return scaled(this.workLike("out", x.shape, x), x, this.factor);
  }

  /** dx = factor · dout. */
  backward(dout: Tensor): Tensor {
    checkDout("Scale", dout, cached("Scale", this.#shape));
    return scaled(this.workLike("dx", dout.shape, dout), dout, this.factor);
  }

  /** `Scale(factor)`. */
  toString(): string {
    return `Scale(${this.factor})`;
  }
}

/** out += factor · x (out zeroed by the caller), on whichever backend holds x. */
function scaled(out: Tensor, x: Tensor, factor: number): Tensor {
  const g = webgpuOf(x);
  if (g) g.kernels.axpy(g.storageOf(out), g.storageOf(x), factor, x.size);
  else kernelsFor(x.dtype).axpy(out.data, x.data, factor, x.size);
  return out;
}
