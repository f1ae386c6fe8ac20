/**
 * Pooling modules over (N, C, H, W): `MaxPool2d` and `AvgPool2d` (PyTorch's, without padding;
 * the stride defaults to the window size) and `GlobalAvgPool` (the mean over H and W, giving
 * (N, C)). They call the active backend's pooling kernels.
 *
 * @module
 */

import { type PoolDims, poolDims } from "../../kernels/dims.ts";
import { kernelsFor } from "../../kernels/mod.ts";
import type { Tensor } from "../tensor.ts";
import { checkSize } from "./_init.ts";
import { cached, checkDout, checkRank, Module } from "./module.ts";

/** Options of the pooling modules. */
export interface PoolOptions {
  /** Step between windows (default: the window size, as PyTorch). */
  stride?: number;
}

function windowText(name: string, size: number, stride: number): string {
  return stride === size ? `${name}(${size})` : `${name}(${size}, s=${stride})`;
}

/**
 * Max pooling over square windows. Ties go to the first element of the window.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MaxPool2d, Tensor } from "../../mod.ts";
 * const x = new Tensor(new Float64Array([-4, -3, -2, -1]), [1, 1, 2, 2]);
 * assert.deepEqual([...new MaxPool2d(2).forward(x).data], [-1]);
 * ```
 */
export class MaxPool2d extends Module {
  readonly kernelSize: number;
  readonly stride: number;
  #x?: Tensor;
  #argmax?: Int32Array;
  #dims?: PoolDims;

  constructor(kernelSize: number, options: PoolOptions = {}) {
    super();
    const { stride = kernelSize } = options;
    checkSize("MaxPool2d", "kernelSize", kernelSize);
    checkSize("MaxPool2d", "stride", stride);
    this.kernelSize = kernelSize;
    this.stride = stride;
  }

  // x: (N, C, H, W) → out: (N, C, HO, WO)
  forward(x: Tensor): Tensor {
    const k = this.kernelSize;
    const d = poolDims("MaxPool2d", x.shape, k, k, this.stride);
    const out = this.workTensor("out", [d.N, d.C, d.HO, d.WO], x.dtype, false);
    const argmax = new Int32Array(out.size); // argmax: (N, C, HO, WO) flat indices into x
    kernelsFor(x.dtype).maxPool2dForward(out.data, argmax, x.data, d);
    this.#x = x;
    this.#argmax = argmax;
    this.#dims = d;
    return out;
  }

  backward(dout: Tensor): Tensor {
    const x = cached("MaxPool2d", this.#x), d = this.#dims!;
    checkDout("MaxPool2d", dout, [d.N, d.C, d.HO, d.WO]);
    // dx is set, not added to: its old values are never read (nor zeroed first)
    const dx = this.workTensor("dx", x.shape, x.dtype, false);
    kernelsFor(x.dtype).maxPool2dBackward(dx.data, dout.data, this.#argmax!, d, true);
    return dx;
  }

  toString(): string {
    return windowText("MaxPool2d", this.kernelSize, this.stride);
  }
}

/**
 * Average pooling over square windows (each divided by its full size).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AvgPool2d, Tensor } from "../../mod.ts";
 * const x = new Tensor(new Float64Array([1, 2, 3, 6]), [1, 1, 2, 2]);
 * assert.deepEqual([...new AvgPool2d(2).forward(x).data], [3]);
 * ```
 */
export class AvgPool2d extends Module {
  readonly kernelSize: number;
  readonly stride: number;
  #x?: Tensor;
  #dims?: PoolDims;

  constructor(kernelSize: number, options: PoolOptions = {}) {
    super();
    const { stride = kernelSize } = options;
    checkSize("AvgPool2d", "kernelSize", kernelSize);
    checkSize("AvgPool2d", "stride", stride);
    this.kernelSize = kernelSize;
    this.stride = stride;
  }

  // x: (N, C, H, W) → out: (N, C, HO, WO)
  forward(x: Tensor): Tensor {
    const k = this.kernelSize;
    const d = poolDims("AvgPool2d", x.shape, k, k, this.stride);
    const out = this.workTensor("out", [d.N, d.C, d.HO, d.WO], x.dtype);
    kernelsFor(x.dtype).avgPool2dForward(out.data, x.data, d);
    this.#x = x;
    this.#dims = d;
    return out;
  }

  backward(dout: Tensor): Tensor {
    const x = cached("AvgPool2d", this.#x), d = this.#dims!;
    checkDout("AvgPool2d", dout, [d.N, d.C, d.HO, d.WO]);
    const dx = this.workTensor("dx", x.shape, x.dtype);
    kernelsFor(x.dtype).avgPool2dBackward(dx.data, dout.data, d);
    return dx;
  }

  toString(): string {
    return windowText("AvgPool2d", this.kernelSize, this.stride);
  }
}

/**
 * The mean of each channel over its H×W plane: (N, C, H, W) → (N, C), PyTorch's
 * `x.mean(dim=(2, 3))` (an `AdaptiveAvgPool2d(1)` followed by a flatten).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GlobalAvgPool, Tensor } from "../../mod.ts";
 * const x = new Tensor(new Float64Array([1, 2, 3, 6, 0, 0, 0, 4]), [1, 2, 2, 2]);
 * const y = new GlobalAvgPool().forward(x);
 * assert.deepEqual(y.shape, [1, 2]);
 * assert.deepEqual([...y.data], [3, 1]);
 * ```
 */
export class GlobalAvgPool extends Module {
  #x?: Tensor;
  #dims?: PoolDims;

  // x: (N, C, H, W) → out: (N, C)
  forward(x: Tensor): Tensor {
    checkRank("GlobalAvgPool", x, 4, "(N, C, H, W)");
    const [N, C, H, W] = x.shape;
    const d = poolDims("GlobalAvgPool", x.shape, H, W, 1);
    const out = this.workTensor("out", [N, C], x.dtype);
    kernelsFor(x.dtype).avgPool2dForward(out.data, x.data, d);
    this.#x = x;
    this.#dims = d;
    return out;
  }

  backward(dout: Tensor): Tensor {
    const x = cached("GlobalAvgPool", this.#x), d = this.#dims!;
    checkDout("GlobalAvgPool", dout, [d.N, d.C]);
    const dx = this.workTensor("dx", x.shape, x.dtype);
    kernelsFor(x.dtype).avgPool2dBackward(dx.data, dout.data, d);
    return dx;
  }

  toString(): string {
    return "GlobalAvgPool";
  }
}
