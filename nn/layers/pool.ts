/**
 * The naive max-pool layer (the homework's `max_pool_forward_naive` /
 * `max_pool_backward_naive`): always the reference loops of `kernels/ref`, in the dtype it is
 * given. Ties go to the first maximum in row-major window order, and the backward routes each
 * gradient to that one element.
 *
 * @module
 */

import { checkShapeIs, poolDims } from "../../core/dims.ts";
import * as ref from "../../kernels/ref/mod.ts";
import { Tensor } from "../../core/tensor.ts";
import type { Forward, MaxPoolCache, PoolParam } from "../types.ts";
import { checkParam, sameDType } from "./_check.ts";

/**
 * The maximum of each `poolHeight`×`poolWidth` window of `x`, windows `stride` apart.
 * x: (N, C, H, W)  →  out: (N, C, HO, WO) with HO = ⌊(H − poolHeight) / stride⌋ + 1 and WO
 * likewise (PyTorch's sizes and the homework's integer division: rows and columns that no
 * window reaches are left out, and get a zero gradient); with `ceilMode`, PyTorch's
 * `ceil_mode` sizes, the last windows clipped at the input's edge.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { maxPoolForwardNaive, Tensor } from "../../mod.ts";
 * const x = new Tensor(new Float64Array([1, 2, 5, 0, 3, 4, -1, -2, 0, 0, -3, -4, 8, 0, -5, -6]), [
 *   1, 1, 4, 4,
 * ]);
 * const { out } = maxPoolForwardNaive(x, { poolHeight: 2, poolWidth: 2, stride: 2 });
 * assert.deepEqual([...out.data], [4, 5, 8, -3]); // the last window is all negative
 * const five = Tensor.zeros([1, 1, 5, 5]);
 * const param = { poolHeight: 2, poolWidth: 2, stride: 2 };
 * assert.deepEqual(maxPoolForwardNaive(five, param).out.shape, [1, 1, 2, 2]);
 * const ceil = maxPoolForwardNaive(five, { ...param, ceilMode: true });
 * assert.deepEqual(ceil.out.shape, [1, 1, 3, 3]);
 * ```
 */
export function maxPoolForwardNaive(x: Tensor, param: PoolParam): Forward<MaxPoolCache> {
  const op = "maxPoolForwardNaive";
  const dtype = sameDType(op, { x });
  checkParam(op, param, "{ poolHeight, poolWidth, stride }");
  const { poolHeight, poolWidth, stride, ceilMode = false } = param;
  const dims = poolDims(op, x.shape, poolHeight, poolWidth, stride, ceilMode);
  const outShape = [dims.N, dims.C, dims.HO, dims.WO];
  const out = Tensor.zeros(outShape, dtype); // out: (N, C, HO, WO)
  const argmax = new Int32Array(out.size); // argmax: (N, C, HO, WO) flat indices into x
  ref.maxPool2dForward(out.data, argmax, x.data, dims);
  return { out, cache: { x, argmax, param: { poolHeight, poolWidth, stride, ceilMode }, dims } };
}

/**
 * The gradient of a max-pool with respect to its input: each element of `dout`
 * (N, C, HO, WO) goes to the maximum of its window; dx: (N, C, H, W), zero elsewhere
 * (overlapping windows add up).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { maxPoolBackwardNaive, maxPoolForwardNaive, Tensor } from "../../mod.ts";
 * const x = new Tensor(new Float64Array([1, 7, 3, 2]), [1, 1, 2, 2]);
 * const { cache } = maxPoolForwardNaive(x, { poolHeight: 2, poolWidth: 2, stride: 2 });
 * const dx = maxPoolBackwardNaive(Tensor.full([1, 1, 1, 1], 10), cache);
 * assert.deepEqual([...dx.data], [0, 10, 0, 0]);
 * ```
 */
export function maxPoolBackwardNaive(dout: Tensor, cache: MaxPoolCache): Tensor {
  const op = "maxPoolBackwardNaive";
  const { x, argmax, dims } = cache;
  const dtype = sameDType(op, { x, dout });
  checkShapeIs(op, "dout", dout.shape, [dims.N, dims.C, dims.HO, dims.WO]);
  const dx = Tensor.zeros(x.shape, dtype); // dx: (N, C, H, W)
  ref.maxPool2dBackward(dx.data, dout.data, argmax, dims);
  return dx;
}
