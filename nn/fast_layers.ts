/**
 * The fast functional layers (the homework's `fast_layers.py`): the same signatures and caches
 * as the naive layers, computed in float32 by the WASM SIMD kernels on every core. Inputs may
 * be float32 or float64; outputs are float32. Shapes are validated (core/dims.ts) before any
 * memory is touched.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { convBackward, convForward, Tensor } from "../mod.ts";
 * const x = Tensor.full([1, 1, 3, 3], 1, "float32");
 * const w = Tensor.full([2, 1, 3, 3], 0.5, "float32");
 * const b = new Tensor(new Float32Array([0, 1]), [2]);
 * const { out, cache } = convForward(x, w, b, { stride: 1, pad: 0 });
 * assert.deepEqual([...out.data], [4.5, 5.5]);
 * const { dw, db } = convBackward(Tensor.full([1, 2, 1, 1], 1, "float32"), cache);
 * assert.equal(dw.data[0], 1);
 * assert.deepEqual([...db.data], [1, 1]);
 * ```
 *
 * @module
 */

import { convDims, poolDims } from "../core/dims.ts";
import {
  checkConvBackwardFits,
  checkConvForwardFits,
  conv2dBackward,
  maxPool2dBackward,
  wasmKernels,
} from "../kernels/wasm/mod.ts";
import { Tensor } from "../core/tensor.ts";
import type {
  ConvCache,
  ConvParam,
  Forward,
  MaxPoolCache,
  PoolParam,
  WeightGrads,
} from "./types.ts";

function checkTensor(op: string, name: string, t: unknown): asserts t is Tensor {
  if (!(t instanceof Tensor)) {
    throw new TypeError(`Cannot run ${op}: ${name} must be a Tensor, got ${typeof t}`);
  }
}

function checkShape(op: string, name: string, t: Tensor, want: readonly number[]): void {
  if (t.shape.length !== want.length || t.shape.some((d, i) => d !== want[i])) {
    throw new TypeError(
      `Cannot run ${op}: ${name} has shape (${t.shape.join(", ")}) but (${
        want.join(", ")
      }) is expected`,
    );
  }
}

/**
 * Convolution forward. x: (N, C, H, W)  w: (F, C, KH, KW)  b: (F)  →  out: (N, F, HO, WO)
 * float32, with the cache that `convBackward` reads.
 */
export function convForward(
  x: Tensor,
  w: Tensor,
  b: Tensor,
  param: ConvParam,
): Forward<ConvCache> {
  const op = "convForward";
  checkTensor(op, "x", x);
  checkTensor(op, "w", w);
  checkTensor(op, "b", b);
  const dims = convDims(op, x.shape, w.shape, param.stride, param.pad);
  checkShape(op, "b", b, [dims.F]);
  checkConvForwardFits(dims);
  const out = Tensor.zeros([dims.N, dims.F, dims.HO, dims.WO], "float32");
  wasmKernels.conv2dForward(out.data, x.data, w.data, b.data, dims);
  return { out, cache: { x, w, b, param: { ...param }, dims } };
}

/** Convolution backward: dx: (N, C, H, W), dw: (F, C, KH, KW), db: (F), all float32. */
export function convBackward(dout: Tensor, cache: ConvCache): WeightGrads {
  const op = "convBackward";
  checkTensor(op, "dout", dout);
  const { x, w, dims } = cache;
  checkShape(op, "dout", dout, [dims.N, dims.F, dims.HO, dims.WO]);
  checkConvBackwardFits(dims);
  const dx = Tensor.zeros(x.shape, "float32");
  const dw = Tensor.zeros(w.shape, "float32");
  const db = Tensor.zeros([dims.F], "float32");
  conv2dBackward(dx.data, dw.data, db.data, dout.data, x.data, w.data, dims, true);
  return { dx, dw, db };
}

/** Max-pool forward. x: (N, C, H, W)  →  out: (N, C, HO, WO) float32, with its cache. */
export function maxPoolForward(x: Tensor, param: PoolParam): Forward<MaxPoolCache> {
  const op = "maxPoolForward";
  checkTensor(op, "x", x);
  const { poolHeight, poolWidth, stride, ceilMode = false } = param;
  const dims = poolDims(op, x.shape, poolHeight, poolWidth, stride, ceilMode);
  const out = Tensor.zeros([dims.N, dims.C, dims.HO, dims.WO], "float32");
  const argmax = new Int32Array(out.size);
  wasmKernels.maxPool2dForward(out.data, argmax, x.data, dims);
  return { out, cache: { x, argmax, param: { ...param }, dims } };
}

/** Max-pool backward: dx: (N, C, H, W) float32. */
export function maxPoolBackward(dout: Tensor, cache: MaxPoolCache): Tensor {
  const op = "maxPoolBackward";
  checkTensor(op, "dout", dout);
  const { x, argmax, dims } = cache;
  checkShape(op, "dout", dout, [dims.N, dims.C, dims.HO, dims.WO]);
  const dx = Tensor.zeros(x.shape, "float32");
  maxPool2dBackward(dx.data, dout.data, argmax, dims, true);
  return dx;
}
