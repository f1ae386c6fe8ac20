/**
 * Parameters and caches of the functional layer API (the homework's Part 1 API in camelCase).
 * Naive (reference) and fast (WASM) layers share these types, so a cache made by one forward
 * is read by the matching backward of the same family.
 *
 * @module
 */

import type { ConvDims, PoolDims } from "../core/dims.ts";
import type { Tensor } from "../core/tensor.ts";

/** Convolution hyper-parameters (the homework's `conv_param`). */
export interface ConvParam {
  /** Step between windows (≥ 1). */
  stride: number;
  /** Zero rows and columns added on every side (≥ 0). */
  pad: number;
}

/**
 * Max-pool hyper-parameters (the homework's `pool_param`). The output is (N, C, HO, WO) with
 * HO = ⌊(H − poolHeight) / stride⌋ + 1 and WO likewise (PyTorch's sizes; the homework's Python
 * 2 integer division).
 */
export interface PoolParam {
  /** Window height PH. */
  poolHeight: number;
  /** Window width PW. */
  poolWidth: number;
  /** Step between windows, in both directions (≥ 1). */
  stride: number;
  /**
   * PyTorch's `ceil_mode` (default false): ⌈…⌉ instead of ⌊…⌋, the last windows clipped at the
   * input's edge and kept only if they start inside it.
   */
  ceilMode?: boolean;
}

/** What `convForward*` keeps for `convBackward*`. x: (N, C, H, W)  w: (F, C, KH, KW)  b: (F) */
export interface ConvCache {
  /** x: (N, C, H, W), the input. */
  x: Tensor;
  /** w: (F, C, KH, KW), the filters. */
  w: Tensor;
  /** b: (F), the biases. */
  b: Tensor;
  /** The stride and padding used. */
  param: ConvParam;
  /** The sizes the forward computed. */
  dims: ConvDims;
}

/** What `maxPoolForward*` keeps. x: (N, C, H, W)  argmax: (N, C, HO, WO) flat indices into x */
export interface MaxPoolCache {
  /** x: (N, C, H, W), the input. */
  x: Tensor;
  /** argmax: (N, C, HO, WO), the flat index into x of each window's maximum. */
  argmax: Int32Array;
  /** The window and stride used. */
  param: PoolParam;
  /** The sizes the forward computed. */
  dims: PoolDims;
}

/** What `affineForward` keeps. x: (N, d1, …, dk)  w: (D, M) with D = d1·…·dk  b: (M) */
export interface AffineCache {
  /** x: (N, d1, …, dk), the input as given (not flattened). */
  x: Tensor;
  /** w: (D, M). */
  w: Tensor;
  /** b: (M). */
  b: Tensor;
}

/** What `reluForward` keeps: its input. */
export interface ReluCache {
  /** x: any shape, the input. */
  x: Tensor;
}

/** A forward result: the output and what the backward needs. */
export interface Forward<C> {
  /** The layer's output. */
  out: Tensor;
  /** What the matching backward needs. */
  cache: C;
}

/** Gradients of a layer with weights. */
export interface WeightGrads {
  /** ∂L/∂x, x's shape. */
  dx: Tensor;
  /** ∂L/∂w, w's shape. */
  dw: Tensor;
  /** ∂L/∂b, b's shape. */
  db: Tensor;
}

/** A loss and its gradient with respect to the scores. */
export interface LossResult {
  /** Mean loss over the batch (data loss only, no regularisation). */
  loss: number;
  /** ∂loss/∂scores: (N, C). */
  dx: Tensor;
}

export type { Labels } from "../core/dims.ts";
