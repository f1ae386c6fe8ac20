/**
 * The naive convolution layer (the homework's `conv_forward_naive` / `conv_backward_naive`):
 * always the reference loops of `kernels/ref`, in the dtype it is given, so float64 gives
 * gradients exact enough for numerical checks. The fast layers (`convForward`) share its
 * cache type.
 *
 * @module
 */

import { checkShapeIs, convDims } from "../../core/dims.ts";
import * as ref from "../../kernels/ref/mod.ts";
import { Tensor } from "../../core/tensor.ts";
import type { ConvCache, ConvParam, Forward, WeightGrads } from "../types.ts";
import { checkParam, sameDType } from "./_check.ts";

/**
 * Convolves (cross-correlates) `x` with the filters `w` and adds the bias `b`:
 * out[n,f,i,j] = b[f] + Σ_{c,kh,kw} w[f,c,kh,kw] · x[n, c, i·stride + kh − pad, j·stride + kw − pad],
 * with x zero outside its bounds. x: (N, C, H, W)  w: (F, C, KH, KW)  b: (F)  →  out: (N, F, HO, WO)
 * where HO = ⌊(H + 2·pad − KH) / stride⌋ + 1 and WO likewise (PyTorch's sizes and the homework's
 * integer division: padded rows and columns that no window reaches are left out, and input
 * elements there get a zero gradient).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { convForwardNaive, Tensor } from "../../mod.ts";
 * // A 3×3 box filter summing a 3×3 image of ones, padded by 1: corners see 4 ones, the centre 9.
 * const x = Tensor.full([1, 1, 3, 3], 1);
 * const w = Tensor.full([1, 1, 3, 3], 1);
 * const b = Tensor.zeros([1]);
 * const { out } = convForwardNaive(x, w, b, { stride: 1, pad: 1 });
 * assert.deepEqual(out.shape, [1, 1, 3, 3]);
 * assert.deepEqual([...out.data], [4, 6, 4, 6, 9, 6, 4, 6, 4]);
 * // 3×3 stride 2 pad 1 on 32×32: ⌊31 / 2⌋ + 1 = 16, as PyTorch
 * const down = convForwardNaive(Tensor.zeros([1, 1, 32, 32]), w, b, { stride: 2, pad: 1 });
 * assert.deepEqual(down.out.shape, [1, 1, 16, 16]);
 * ```
 */
export function convForwardNaive(
  x: Tensor,
  w: Tensor,
  b: Tensor,
  param: ConvParam,
): Forward<ConvCache> {
  const op = "convForwardNaive";
  const dtype = sameDType(op, { x, w, b });
  checkParam(op, param, "{ stride, pad }");
  const { stride, pad } = param;
  const dims = convDims(op, x.shape, w.shape, stride, pad);
  checkShapeIs(op, "b", b.shape, [dims.F]);
  // out: (N, F, HO, WO)
  const out = Tensor.zeros([dims.N, dims.F, dims.HO, dims.WO], dtype);
  ref.conv2dForward(out.data, x.data, w.data, b.data, dims);
  return { out, cache: { x, w, b, param: { stride, pad }, dims } };
}

/**
 * The gradients of a convolution given the upstream gradient `dout` (N, F, HO, WO):
 * dx (N, C, H, W), dw (F, C, KH, KW) and db (F), in the dtype of the forward's inputs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { convBackwardNaive, convForwardNaive, Tensor } from "../../mod.ts";
 * const x = Tensor.linspace(-1, 1, [1, 1, 3, 3]);
 * const w = Tensor.full([2, 1, 2, 2], 0.5);
 * const { out, cache } = convForwardNaive(x, w, Tensor.zeros([2]), { stride: 1, pad: 0 });
 * const { dx, dw, db } = convBackwardNaive(Tensor.full(out.shape, 1), cache);
 * assert.deepEqual([...db.data], [4, 4]); // each filter has 2×2 outputs
 * assert.deepEqual(dw.shape, [2, 1, 2, 2]);
 * assert.equal(dx.get(0, 0, 1, 1), 4); // the centre pixel is in all 4 windows of both filters
 * ```
 */
export function convBackwardNaive(dout: Tensor, cache: ConvCache): WeightGrads {
  const op = "convBackwardNaive";
  const { x, w, dims } = cache;
  const dtype = sameDType(op, { x, w, dout });
  checkShapeIs(op, "dout", dout.shape, [dims.N, dims.F, dims.HO, dims.WO]);
  const dx = Tensor.zeros(x.shape, dtype); // dx: (N, C, H, W)
  const dw = Tensor.zeros(w.shape, dtype); // dw: (F, C, KH, KW)
  const db = Tensor.zeros([dims.F], dtype); // db: (F)
  ref.conv2dBackwardData(dx.data, dout.data, w.data, dims);
  ref.conv2dBackwardFilter(dw.data, db.data, dout.data, x.data, dims);
  return { dx, dw, db };
}
