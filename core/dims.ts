/**
 * Shape arithmetic and validation shared by every backend: a layer computes its dims once,
 * here, and hands them to whichever kernel runs. Errors name the operation, the values and
 * what was expected.
 *
 * @module
 */

/** The typed arrays kernels read and write. */
export type FloatArray = Float32Array | Float64Array;

/** Sizes of a 2-D convolution. out: (N, F, HO, WO)  x: (N, C, H, W)  w: (F, C, KH, KW) */
export interface ConvDims {
  /** Batch size: images in x and out. */
  N: number;
  /** Input channels (x's and w's axis 1). */
  C: number;
  /** Input height, before padding. */
  H: number;
  /** Input width, before padding. */
  W: number;
  /** Filters: output channels (w's axis 0). */
  F: number;
  /** Filter height. */
  KH: number;
  /** Filter width. */
  KW: number;
  /** Step between windows, in both directions (≥ 1). */
  stride: number;
  /** Zero rows and columns added on every side of x (≥ 0). */
  pad: number;
  /** Output height: ⌊(H + 2·pad − KH) / stride⌋ + 1. */
  HO: number;
  /** Output width: ⌊(W + 2·pad − KW) / stride⌋ + 1. */
  WO: number;
}

/**
 * Sizes of a 2-D pooling. out: (N, C, HO, WO)  x: (N, C, H, W)  window: (PH, PW). Window (i, j)
 * covers rows [i·stride, min(i·stride + PH, H)) and columns likewise: only PyTorch's
 * `ceil_mode` sizes (`poolDims`) make the last windows stick out and be clipped.
 */
export interface PoolDims {
  /** Batch size. */
  N: number;
  /** Channels, pooled independently. */
  C: number;
  /** Input height. */
  H: number;
  /** Input width. */
  W: number;
  /** Window height. */
  PH: number;
  /** Window width. */
  PW: number;
  /** Step between windows, in both directions (≥ 1). */
  stride: number;
  /**
   * Output height: ⌊(H − PH) / stride⌋ + 1, or ⌈…⌉ + 1 in ceil mode (last window starting inside
   * x).
   */
  HO: number;
  /** Output width, as HO. */
  WO: number;
}

function fmt(shape: readonly number[]): string {
  return `(${shape.join(", ")})`;
}

function checkPositiveInt(op: string, name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`Cannot run ${op}: ${name} must be an integer ≥ ${min}, got ${value}`);
  }
}

/**
 * Validates a convolution's shapes and parameters and returns its dims: HO = ⌊(H + 2·pad − KH) /
 * stride⌋ + 1 and WO likewise, PyTorch's sizes (and the homework's Python 2 integer division):
 * padded rows and columns past the last window are not read, and their input elements get a
 * zero gradient.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { convDims } from "./dims.ts";
 * const d = convDims("conv", [1, 3, 32, 32], [16, 3, 3, 3], 2, 1); // 3×3 stride 2 pad 1
 * assert.deepEqual([d.HO, d.WO], [16, 16]); // ⌊31 / 2⌋ + 1
 * ```
 */
export function convDims(
  op: string,
  xShape: readonly number[],
  wShape: readonly number[],
  stride: number,
  pad: number,
): ConvDims {
  if (xShape.length !== 4) {
    throw new TypeError(`Cannot run ${op}: x must have rank 4 (N, C, H, W), got ${fmt(xShape)}`);
  }
  if (wShape.length !== 4) {
    throw new TypeError(
      `Cannot run ${op}: w must have rank 4 (F, C, KH, KW), got ${fmt(wShape)}`,
    );
  }
  checkPositiveInt(op, "stride", stride, 1);
  checkPositiveInt(op, "pad", pad, 0);
  const [N, C, H, W] = xShape;
  const [F, wC, KH, KW] = wShape;
  if (C !== wC) {
    throw new RangeError(
      `Cannot run ${op}: input has ${C} channels but the weights expect ${wC} (x ${
        fmt(xShape)
      }, w ${fmt(wShape)})`,
    );
  }
  const spanH = H + 2 * pad - KH, spanW = W + 2 * pad - KW;
  if (spanH < 0 || spanW < 0) {
    throw new RangeError(
      `Cannot run ${op}: the ${KH}×${KW} kernel is larger than the padded ${H + 2 * pad}×${
        W + 2 * pad
      } input`,
    );
  }
  // PyTorch's rule (and the homework's integer division): rows and columns that no window
  // reaches are left out, and their gradient is zero
  const HO = Math.floor(spanH / stride) + 1, WO = Math.floor(spanW / stride) + 1;
  return { N, C, H, W, F, KH, KW, stride, pad, HO, WO };
}

/**
 * The number of windows of `size` elements, `stride` apart, along an input of `length`
 * elements (no padding): ⌊(length − size) / stride⌋ + 1, PyTorch's output size; with
 * `ceilMode`, ⌈(length − size) / stride⌉ + 1, less one when the last window would start past
 * the input (PyTorch's `ceil_mode`: the last window must start inside the input, and it is
 * clipped at its edge). `length` ≥ `size` ≥ 1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { windowCount } from "./dims.ts";
 * assert.equal(windowCount(5, 2, 2, false), 2);
 * assert.equal(windowCount(5, 2, 2, true), 3); // the third window holds only the last element
 * assert.equal(windowCount(5, 1, 3, true), 2); // a third would start at 6, past the input
 * ```
 */
export function windowCount(
  length: number,
  size: number,
  stride: number,
  ceilMode: boolean,
): number {
  const span = length - size;
  if (!ceilMode) return Math.floor(span / stride) + 1;
  const count = Math.ceil(span / stride) + 1;
  return (count - 1) * stride >= length ? count - 1 : count;
}

/**
 * Validates a pooling's shapes and parameters and returns its dims. HO = ⌊(H − poolHeight) /
 * stride⌋ + 1 and WO likewise (PyTorch's sizes); with `ceilMode`, PyTorch's `ceil_mode` sizes
 * (see `windowCount`), whose last windows are clipped at the input's edge.
 */
export function poolDims(
  op: string,
  xShape: readonly number[],
  poolHeight: number,
  poolWidth: number,
  stride: number,
  ceilMode = false,
): PoolDims {
  if (xShape.length !== 4) {
    throw new TypeError(`Cannot run ${op}: x must have rank 4 (N, C, H, W), got ${fmt(xShape)}`);
  }
  checkPositiveInt(op, "poolHeight", poolHeight, 1);
  checkPositiveInt(op, "poolWidth", poolWidth, 1);
  checkPositiveInt(op, "stride", stride, 1);
  if (typeof ceilMode !== "boolean") {
    throw new TypeError(`Cannot run ${op}: ceilMode must be true or false, got ${ceilMode}`);
  }
  const [N, C, H, W] = xShape;
  if (poolHeight > H || poolWidth > W) {
    throw new RangeError(
      `Cannot run ${op}: the ${poolHeight}×${poolWidth} window is larger than the ${H}×${W} input`,
    );
  }
  return {
    N,
    C,
    H,
    W,
    PH: poolHeight,
    PW: poolWidth,
    stride,
    HO: windowCount(H, poolHeight, stride, ceilMode),
    WO: windowCount(W, poolWidth, stride, ceilMode),
  };
}

/** Sizes of an affine layer. out: (N, M)  x: (N, D) once flattened  w: (D, M)  b: (M) */
export interface AffineDims {
  /** Batch size: rows of x and out. */
  N: number;
  /** Features per sample: the product of x's axes after the first (rows of w). */
  D: number;
  /** Output features (columns of w, length of b). */
  M: number;
}

/**
 * Validates an affine layer's shapes and returns its dims: x (N, d1, …, dk) is read as
 * (N, D) with D = d1·…·dk, w must be (D, M) and b (M).
 */
export function affineDims(
  op: string,
  xShape: readonly number[],
  wShape: readonly number[],
  bShape: readonly number[],
): AffineDims {
  if (xShape.length < 2) {
    throw new TypeError(
      `Cannot run ${op}: x must have rank ≥ 2 (N, d1, …, dk), got ${fmt(xShape)}; ` +
        `reshape a single sample to (1, D)`,
    );
  }
  if (wShape.length !== 2) {
    throw new TypeError(`Cannot run ${op}: w must have rank 2 (D, M), got ${fmt(wShape)}`);
  }
  const N = xShape[0];
  let D = 1;
  for (let axis = 1; axis < xShape.length; axis++) D *= xShape[axis];
  const [wD, M] = wShape;
  if (wD !== D) {
    throw new TypeError(
      `Cannot run ${op}: x ${fmt(xShape)} has ${D} features per sample but w ${
        fmt(wShape)
      } expects ${wD}`,
    );
  }
  checkShapeIs(op, "b", bShape, [M]);
  return { N, D, M };
}

/** Sizes of a classification loss. x: (N, C) scores  y: (N) labels */
export interface LossDims {
  /** Batch size: rows of x, length of y. */
  N: number;
  /** Classes: columns of x; every label is in [0, C). */
  C: number;
}

/**
 * Validates a loss's scores and labels and returns its dims: x must be (N, C) with N ≥ 1 and
 * C ≥ 1, and y must hold N integers in [0, C).
 */
export function lossDims(op: string, xShape: readonly number[], y: ArrayLike<number>): LossDims {
  if (xShape.length !== 2) {
    throw new TypeError(`Cannot run ${op}: x must have rank 2 (N, C), got ${fmt(xShape)}`);
  }
  const [N, C] = xShape;
  if (N < 1 || C < 1) {
    throw new RangeError(
      `Cannot run ${op}: x ${fmt(xShape)} needs at least one sample and one class`,
    );
  }
  if (y === null || typeof y !== "object" || typeof y.length !== "number") {
    throw new TypeError(`Cannot run ${op}: y must be an Int32Array, Uint8Array or number[]`);
  }
  if (y.length !== N) {
    throw new TypeError(
      `Cannot run ${op}: x ${fmt(xShape)} has ${N} samples but y has ${y.length} labels`,
    );
  }
  for (let n = 0; n < N; n++) {
    const label = y[n];
    if (!Number.isInteger(label) || label < 0 || label >= C) {
      throw new RangeError(
        `Cannot run ${op}: label y[${n}] = ${label} must be an integer in [0, ${C}) ` +
          `(x has ${C} classes)`,
      );
    }
  }
  return { N, C };
}

/** Throws a TypeError unless `shape` equals `expected` (e.g. a gradient matching its output). */
export function checkShapeIs(
  op: string,
  name: string,
  shape: readonly number[],
  expected: readonly number[],
): void {
  if (shape.length !== expected.length || shape.some((d, axis) => d !== expected[axis])) {
    throw new TypeError(
      `Cannot run ${op}: ${name} must have shape ${fmt(expected)}, got ${fmt(shape)}`,
    );
  }
}

/** Class labels: one integer in [0, C) per sample. */
export type Labels = Int32Array | Uint8Array | readonly number[];
