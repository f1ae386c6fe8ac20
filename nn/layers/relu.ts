/**
 * The ReLU layer, out = max(x, 0) (the homework's `relu_forward` / `relu_backward`), run by
 * the backend `kernelsFor(x.dtype)` picks. The gradient at exactly 0 is taken as 0.
 *
 * @module
 */

import { checkShapeIs } from "../../core/dims.ts";
import { kernelsFor } from "../../kernels/mod.ts";
import { Tensor } from "../../core/tensor.ts";
import type { Forward, ReluCache } from "../types.ts";
import { sameDType } from "./_check.ts";

/**
 * out = max(x, 0), element-wise; x and out of any shape.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { reluForward, Tensor } from "../../mod.ts";
 * const { out } = reluForward(new Tensor(new Float64Array([-2, 0, 3]), [3]));
 * assert.deepEqual([...out.data], [0, 0, 3]);
 * ```
 */
export function reluForward(x: Tensor): Forward<ReluCache> {
  const dtype = sameDType("reluForward", { x });
  const out = Tensor.zeros(x.shape, dtype); // out: x's shape
  kernelsFor(dtype).reluForward(out.data, x.data, x.size);
  return { out, cache: { x } };
}

/**
 * dx = dout where the forward's input was positive, else 0; dout and dx have x's shape.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { reluBackward, reluForward, Tensor } from "../../mod.ts";
 * const { cache } = reluForward(new Tensor(new Float64Array([-2, 0, 3]), [3]));
 * const dx = reluBackward(new Tensor(new Float64Array([5, 6, 7]), [3]), cache);
 * assert.deepEqual([...dx.data], [0, 0, 7]);
 * ```
 */
export function reluBackward(dout: Tensor, cache: ReluCache): Tensor {
  const op = "reluBackward";
  const { x } = cache;
  const dtype = sameDType(op, { x, dout });
  checkShapeIs(op, "dout", dout.shape, x.shape);
  const dx = Tensor.zeros(x.shape, dtype); // dx: x's shape
  kernelsFor(dtype).reluBackward(dx.data, dout.data, x.data, x.size);
  return dx;
}
