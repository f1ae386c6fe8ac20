/**
 * Pooling modules over (N, C, H, W): `MaxPool2d` and `AvgPool2d` (PyTorch's, without padding;
 * the stride defaults to the window size; PyTorch's output sizes, `ceil_mode` as `ceilMode`)
 * and `GlobalAvgPool` (the mean over H and W, giving (N, C)). They call the active backend's
 * pooling kernels.
 *
 * @module
 */

import { type PoolDims, poolDims } from "../../core/dims.ts";
import { kernelsFor } from "../../kernels/mod.ts";
import type { Tensor } from "../../core/tensor.ts";
import { checkSize, readOptions } from "./_init.ts";
import { cached, checkDout, checkRank, Module, webgpuOf } from "./module.ts";

/** Options of the pooling modules. */
export interface PoolOptions {
  /** Step between windows (default: the window size, as PyTorch). */
  stride?: number;
  /**
   * PyTorch's `ceil_mode` (default false): HO = ⌈(H − K) / stride⌉ + 1 instead of
   * ⌊(H − K) / stride⌋ + 1, the last window clipped at the input's edge and kept only if it
   * starts inside the input.
   */
  ceilMode?: boolean;
}

const POOL_OPTIONS = ["stride", "ceilMode"] as const;

/**
 * The checked options of a pooling module; a number in their place is PyTorch's positional
 * stride (`nn.MaxPool2d(3, 2)`).
 */
function poolOptions(op: string, kernelSize: number, options: unknown, extra: readonly unknown[]) {
  const o = readOptions<PoolOptions>(op, options, POOL_OPTIONS, extra, {
    name: "stride",
    type: "number",
  });
  const { stride = kernelSize, ceilMode = false } = o;
  checkSize(op, "kernelSize", kernelSize);
  checkSize(op, "stride", stride);
  if (typeof ceilMode !== "boolean") {
    throw new TypeError(`Cannot create ${op}: ceilMode must be true or false, got ${ceilMode}`);
  }
  return { stride, ceilMode };
}

function windowText(name: string, size: number, stride: number, ceilMode: boolean): string {
  const parts = [String(size)];
  if (stride !== size) parts.push(`s=${stride}`);
  if (ceilMode) parts.push("ceil");
  return `${name}(${parts.join(", ")})`;
}

/**
 * Max pooling over square windows. Ties go to the first element of the window. The output is
 * (N, C, HO, WO) with HO = ⌊(H − kernelSize) / stride⌋ + 1 (PyTorch's; `ceilMode` for
 * `ceil_mode`); input rows and columns that no window reaches get a zero gradient. The second
 * argument is an options object or, as in PyTorch's `nn.MaxPool2d(3, 2)`, the stride (it used
 * to be read as an empty object, silently pooling with stride = kernel size): accepted for the
 * same reason as `Conv2d`'s kernel size.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MaxPool2d, Tensor } from "../../mod.ts";
 * const x = new Tensor(new Float64Array([-4, -3, -2, -1]), [1, 1, 2, 2]);
 * assert.deepEqual([...new MaxPool2d(2).forward(x).data], [-1]);
 * const map = Tensor.zeros([1, 1, 5, 5]);
 * assert.deepEqual(new MaxPool2d(2).forward(map).shape, [1, 1, 2, 2]); // PyTorch floors
 * assert.deepEqual(new MaxPool2d(2, { ceilMode: true }).forward(map).shape, [1, 1, 3, 3]);
 * ```
 */
export class MaxPool2d extends Module {
  /** Side of the square window. */
  readonly kernelSize: number;
  /** Step between windows (default: the kernel size). */
  readonly stride: number;
  /** PyTorch's `ceil_mode`: see `PoolOptions.ceilMode`. */
  readonly ceilMode: boolean;
  #x?: Tensor;
  #argmax?: Int32Array;
  #dims?: PoolDims;

  /**
   * Max pooling over `kernelSize`×`kernelSize` windows; see `PoolOptions` for the defaults.
   *
   * @param options the options, or the stride (PyTorch's second positional argument)
   * @param extra nothing: PyTorch's positional padding and later arguments are refused
   */
  constructor(kernelSize: number, options: PoolOptions | number = {}, ...extra: never[]) {
    super();
    const { stride, ceilMode } = poolOptions("MaxPool2d", kernelSize, options, extra);
    this.kernelSize = kernelSize;
    this.stride = stride;
    this.ceilMode = ceilMode;
  }

  /**
   * The maximum of each window; keeps its position (argmax) for `backward`.
   *
   * x: (N, C, H, W) → out: (N, C, HO, WO)
   */
  forward(x: Tensor): Tensor {
    const k = this.kernelSize;
    const d = poolDims("MaxPool2d", x.shape, k, k, this.stride, this.ceilMode);
    this.#x = x;
    this.#dims = d;
    const g = webgpuOf(x);
    if (g) {
      const out = this.deviceTensor("out", [d.N, d.C, d.HO, d.WO], false); // every element set
      const argmax = this.deviceBuffer("argmax", out.size, "int32"); // flat indices into x
      g.kernels.maxPool2dForward(g.storageOf(out), argmax, g.storageOf(x), d);
      return out;
    }
    const out = this.workTensor("out", [d.N, d.C, d.HO, d.WO], x.dtype, false);
    const argmax = new Int32Array(out.size); // argmax: (N, C, HO, WO) flat indices into x
    kernelsFor(x.dtype).maxPool2dForward(out.data, argmax, x.data, d);
    this.#argmax = argmax;
    return out;
  }

  /** Routes each dout element to its window's maximum: dout: (N, C, HO, WO) → dx: (N, C, H, W). */
  backward(dout: Tensor): Tensor {
    const x = cached("MaxPool2d", this.#x), d = this.#dims!;
    checkDout("MaxPool2d", dout, [d.N, d.C, d.HO, d.WO]);
    const g = webgpuOf(dout);
    if (g) {
      const dx = this.deviceTensor("dx", x.shape); // the GPU's backward adds
      const argmax = this.deviceBuffer("argmax", dout.size, "int32");
      g.kernels.maxPool2dBackward(g.storageOf(dx), g.storageOf(dout), argmax, d);
      return dx;
    }
    // dx is set, not added to: its old values are never read (nor zeroed first)
    const dx = this.workTensor("dx", x.shape, x.dtype, false);
    kernelsFor(x.dtype).maxPool2dBackward(dx.data, dout.data, this.#argmax!, d, true);
    return dx;
  }

  /** `MaxPool2d(k)`, with `s=` when the stride differs and `ceil` in ceil mode. */
  toString(): string {
    return windowText("MaxPool2d", this.kernelSize, this.stride, this.ceilMode);
  }
}

/**
 * Average pooling over square windows, each divided by its size (PyTorch's `count_include_pad`
 * without padding); with `ceilMode`, the last windows are clipped at the input's edge and
 * divided by the part inside, as PyTorch does. Output sizes, the positional stride and the
 * zero gradient of unreached rows as `MaxPool2d`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AvgPool2d, Tensor } from "../../mod.ts";
 * const x = new Tensor(new Float64Array([1, 2, 3, 6]), [1, 1, 2, 2]);
 * assert.deepEqual([...new AvgPool2d(2).forward(x).data], [3]);
 * // a 2×3 map: floor keeps one window; ceil mode adds the clipped last column, divided by 2
 * const m = new Tensor(new Float64Array([1, 2, 3, 4, 5, 6]), [1, 1, 2, 3]);
 * assert.deepEqual([...new AvgPool2d(2).forward(m).data], [3]);
 * const ceil = new AvgPool2d(2, { ceilMode: true });
 * assert.deepEqual([...ceil.forward(m).data], [3, 4.5]);
 * assert.equal(ceil.toString(), "AvgPool2d(2, ceil)");
 * ```
 */
export class AvgPool2d extends Module {
  /** Side of the square window. */
  readonly kernelSize: number;
  /** Step between windows (default: the kernel size). */
  readonly stride: number;
  /** PyTorch's `ceil_mode`: see `PoolOptions.ceilMode`. */
  readonly ceilMode: boolean;
  #x?: Tensor;
  #dims?: PoolDims;

  /**
   * Average pooling over `kernelSize`×`kernelSize` windows; see `PoolOptions` for the defaults.
   *
   * @param options the options, or the stride (PyTorch's second positional argument)
   * @param extra nothing: PyTorch's positional padding and later arguments are refused
   */
  constructor(kernelSize: number, options: PoolOptions | number = {}, ...extra: never[]) {
    super();
    const { stride, ceilMode } = poolOptions("AvgPool2d", kernelSize, options, extra);
    this.kernelSize = kernelSize;
    this.stride = stride;
    this.ceilMode = ceilMode;
  }

  /**
   * The mean of each window (of its part inside x in ceil mode).
   *
   * x: (N, C, H, W) → out: (N, C, HO, WO)
   */
  forward(x: Tensor): Tensor {
    const k = this.kernelSize;
    const d = poolDims("AvgPool2d", x.shape, k, k, this.stride, this.ceilMode);
    this.#x = x;
    this.#dims = d;
    return avgPoolForward(this.workLike("out", [d.N, d.C, d.HO, d.WO], x), x, d);
  }

  /** Spreads each dout element evenly over its window: dout: (N, C, HO, WO) → dx: (N, C, H, W). */
  backward(dout: Tensor): Tensor {
    const x = cached("AvgPool2d", this.#x), d = this.#dims!;
    checkDout("AvgPool2d", dout, [d.N, d.C, d.HO, d.WO]);
    return avgPoolBackward(this.workLike("dx", x.shape, dout), dout, d);
  }

  /** `AvgPool2d(k)`, with `s=` when the stride differs and `ceil` in ceil mode. */
  toString(): string {
    return windowText("AvgPool2d", this.kernelSize, this.stride, this.ceilMode);
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

  /**
   * The mean of each channel's H×W plane.
   *
   * x: (N, C, H, W) → out: (N, C)
   */
  forward(x: Tensor): Tensor {
    checkRank("GlobalAvgPool", x, 4, "(N, C, H, W)");
    const [N, C, H, W] = x.shape;
    const d = poolDims("GlobalAvgPool", x.shape, H, W, 1);
    this.#x = x;
    this.#dims = d;
    return avgPoolForward(this.workLike("out", [N, C], x), x, d);
  }

  /** Spreads each dout element evenly over its plane: dout: (N, C) → dx: (N, C, H, W). */
  backward(dout: Tensor): Tensor {
    const x = cached("GlobalAvgPool", this.#x), d = this.#dims!;
    checkDout("GlobalAvgPool", dout, [d.N, d.C]);
    return avgPoolBackward(this.workLike("dx", x.shape, dout), dout, d);
  }

  /** `GlobalAvgPool`. */
  toString(): string {
    return "GlobalAvgPool";
  }
}

/** out = the window means of x, on whichever backend holds x. */
function avgPoolForward(out: Tensor, x: Tensor, d: PoolDims): Tensor {
  const g = webgpuOf(x);
  if (g) g.kernels.avgPool2dForward(g.storageOf(out), g.storageOf(x), d);
  else kernelsFor(x.dtype).avgPool2dForward(out.data, x.data, d);
  return out;
}

/** dx += each dout element spread evenly over its window (dx zeroed by the caller). */
function avgPoolBackward(dx: Tensor, dout: Tensor, d: PoolDims): Tensor {
  const g = webgpuOf(dout);
  if (g) g.kernels.avgPool2dBackward(g.storageOf(dx), g.storageOf(dout), d);
  else kernelsFor(dout.dtype).avgPool2dBackward(dx.data, dout.data, d);
  return dx;
}
