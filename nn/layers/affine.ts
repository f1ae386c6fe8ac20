/**
 * The affine (fully connected) layer: out = x·w + b with x flattened to one row per sample
 * (the homework's `affine_forward` / `affine_backward`). The arithmetic runs in the backend
 * `kernelsFor(x.dtype)` picks (GEMM, row bias, column sums).
 *
 * @module
 */

import { affineDims, checkShapeIs } from "../../core/dims.ts";
import { kernelsFor } from "../../kernels/mod.ts";
import { Tensor } from "../../core/tensor.ts";
import type { AffineCache, Forward, WeightGrads } from "../types.ts";
import { sameDType } from "./_check.ts";

/**
 * out = x·w + b. x: (N, d1, …, dk), read as (N, D) with D = d1·…·dk  w: (D, M)  b: (M)
 * →  out: (N, M).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { affineForward, Tensor } from "../../mod.ts";
 * const x = new Tensor(new Float64Array([1, 2, 3, 4]), [1, 2, 2]); // one sample of 2×2
 * const w = new Tensor(new Float64Array([1, 0, 0, 1, 1, 0, 0, 1]), [4, 2]);
 * const b = new Tensor(new Float64Array([10, 20]), [2]);
 * const { out } = affineForward(x, w, b);
 * assert.deepEqual(out.shape, [1, 2]);
 * assert.deepEqual([...out.data], [1 + 3 + 10, 2 + 4 + 20]);
 * ```
 */
export function affineForward(x: Tensor, w: Tensor, b: Tensor): Forward<AffineCache> {
  const op = "affineForward";
  const dtype = sameDType(op, { x, w, b });
  const { N, D, M } = affineDims(op, x.shape, w.shape, b.shape);
  const k = kernelsFor(dtype);
  const out = Tensor.zeros([N, M], dtype); // out: (N, M)
  k.gemm(out.data, x.data, w.data, N, M, D, false, false, false);
  k.addRowBias(out.data, b.data, N, M);
  return { out, cache: { x, w, b } };
}

/**
 * The gradients of an affine layer given `dout` (N, M): dx = dout·wᵀ in x's own shape
 * (N, d1, …, dk), dw = xᵀ·dout (D, M), db = Σ_n dout (M).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { affineBackward, affineForward, Tensor } from "../../mod.ts";
 * const x = new Tensor(new Float64Array([1, 2, 3, 4]), [2, 2]);
 * const w = new Tensor(new Float64Array([1, 2, 3, 4]), [2, 2]);
 * const { cache } = affineForward(x, w, Tensor.zeros([2]));
 * const { dx, dw, db } = affineBackward(Tensor.full([2, 2], 1), cache);
 * assert.deepEqual([...dx.data], [3, 7, 3, 7]); // rows of w summed
 * assert.deepEqual([...dw.data], [4, 4, 6, 6]); // columns of x summed
 * assert.deepEqual([...db.data], [2, 2]);
 * ```
 */
export function affineBackward(dout: Tensor, cache: AffineCache): WeightGrads {
  const op = "affineBackward";
  const { x, w, b } = cache;
  const dtype = sameDType(op, { x, w, dout });
  const { N, D, M } = affineDims(op, x.shape, w.shape, b.shape);
  checkShapeIs(op, "dout", dout.shape, [N, M]);
  const k = kernelsFor(dtype);
  const dx = Tensor.zeros(x.shape, dtype); // dx: (N, d1, …, dk), computed as (N, D)
  const dw = Tensor.zeros([D, M], dtype); // dw: (D, M)
  const db = Tensor.zeros([M], dtype); // db: (M)
  k.gemm(dx.data, dout.data, w.data, N, D, M, false, true, false);
  k.gemm(dw.data, x.data, dout.data, D, M, N, true, false, false);
  k.sumRows(db.data, dout.data, N, M);
  return { dx, dw, db };
}
