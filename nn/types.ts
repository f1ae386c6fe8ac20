/**
 * Parameters and caches of the functional layer API (the homework's Part 1 API in camelCase).
 * Naive (reference) and fast (WASM) layers share these types, so a cache made by one forward
 * is read by the matching backward of the same family.
 *
 * @module
 */

import type { ConvDims, PoolDims } from "../kernels/dims.ts";
import type { Tensor } from "./tensor.ts";

/** Convolution hyper-parameters (the homework's `conv_param`). */
export interface ConvParam {
  stride: number;
  pad: number;
}

/**
 * Max-pool hyper-parameters (the homework's `pool_param`). The output is (N, C, HO, WO) with
 * HO = ⌊(H − poolHeight) / stride⌋ + 1 and WO likewise (PyTorch's sizes; the homework's Python
 * 2 integer division).
 */
export interface PoolParam {
  poolHeight: number;
  poolWidth: number;
  stride: number;
  /**
   * PyTorch's `ceil_mode` (default false): ⌈…⌉ instead of ⌊…⌋, the last windows clipped at the
   * input's edge and kept only if they start inside it.
   */
  ceilMode?: boolean;
}

/** What `convForward*` keeps for `convBackward*`. x: (N, C, H, W)  w: (F, C, KH, KW)  b: (F) */
export interface ConvCache {
  x: Tensor;
  w: Tensor;
  b: Tensor;
  param: ConvParam;
  dims: ConvDims;
}

/** What `maxPoolForward*` keeps. x: (N, C, H, W)  argmax: (N, C, HO, WO) flat indices into x */
export interface MaxPoolCache {
  x: Tensor;
  argmax: Int32Array;
  param: PoolParam;
  dims: PoolDims;
}

/** What `affineForward` keeps. x: (N, d1, …, dk)  w: (D, M) with D = d1·…·dk  b: (M) */
export interface AffineCache {
  x: Tensor;
  w: Tensor;
  b: Tensor;
}

/** What `reluForward` keeps: its input. */
export interface ReluCache {
  x: Tensor;
}

/** A forward result: the output and what the backward needs. */
export interface Forward<C> {
  out: Tensor;
  cache: C;
}

/** Gradients of a layer with weights. */
export interface WeightGrads {
  dx: Tensor;
  dw: Tensor;
  db: Tensor;
}

/** A loss and its gradient with respect to the scores. */
export interface LossResult {
  loss: number;
  dx: Tensor;
}

/** Class labels: one integer in [0, C) per sample. */
export type Labels = Int32Array | Uint8Array | readonly number[];
