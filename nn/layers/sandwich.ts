/**
 * "Sandwich" layers: the common chains conv → ReLU, conv → ReLU → max-pool and affine → ReLU
 * as one forward and one backward (the homework's `layer_utils.py`), each with a typed cache
 * holding the caches of its parts. Conv and pool run the naive layers on float64 and the fast
 * WASM layers on float32.
 *
 * @module
 */

import type {
  AffineCache,
  ConvCache,
  ConvParam,
  Forward,
  MaxPoolCache,
  PoolParam,
  ReluCache,
  WeightGrads,
} from "../types.ts";
import type { DType, Tensor } from "../../core/tensor.ts";

/**
 * The conv and pool implementations for a dtype: float64 runs the naive reference layers (so a
 * sandwich can be gradient-checked), float32 the fast WASM ones — as the homework's sandwich
 * layers use its fast layers.
 */
function layersFor(dtype: DType) {
  return dtype === "float64"
    ? {
      convForward: convForwardNaive,
      convBackward: convBackwardNaive,
      maxPoolForward: maxPoolForwardNaive,
      maxPoolBackward: maxPoolBackwardNaive,
    }
    : { convForward, convBackward, maxPoolForward, maxPoolBackward };
}
import { affineBackward, affineForward } from "./affine.ts";
import { convBackwardNaive, convForwardNaive } from "./conv.ts";
import { maxPoolBackwardNaive, maxPoolForwardNaive } from "./pool.ts";
import { convBackward, convForward, maxPoolBackward, maxPoolForward } from "../fast_layers.ts";
import { reluBackward, reluForward } from "./relu.ts";

/** What `convReluForward` keeps for `convReluBackward`. */
export interface ConvReluCache {
  /** The convolution's cache (its input and weights). */
  conv: ConvCache;
  /** The ReLU's cache (its input: the conv output). */
  relu: ReluCache;
}

/** What `convReluPoolForward` keeps for `convReluPoolBackward`. */
export interface ConvReluPoolCache {
  /** The convolution's cache (its input and weights). */
  conv: ConvCache;
  /** The ReLU's cache (its input: the conv output). */
  relu: ReluCache;
  /** The max pool's cache (its input and argmax). */
  pool: MaxPoolCache;
}

/** What `affineReluForward` keeps for `affineReluBackward`. */
export interface AffineReluCache {
  /** The affine layer's cache (its input and weights). */
  affine: AffineCache;
  /** The ReLU's cache (its input: the affine output). */
  relu: ReluCache;
}

/**
 * out = relu(conv(x, w, b)). x: (N, C, H, W)  w: (F, C, KH, KW)  b: (F)  →  out: (N, F, HO, WO)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { convReluBackward, convReluForward, Tensor } from "../../mod.ts";
 * const x = Tensor.linspace(-1, 1, [1, 1, 3, 3]);
 * const w = Tensor.full([1, 1, 1, 1], 2); // a 1×1 filter doubling the input
 * const { out, cache } = convReluForward(x, w, Tensor.zeros([1]), { stride: 1, pad: 0 });
 * assert.deepEqual([...out.data], [0, 0, 0, 0, 0, 0.5, 1, 1.5, 2]);
 * const { dx } = convReluBackward(Tensor.full(out.shape, 1), cache);
 * assert.deepEqual([...dx.data], [0, 0, 0, 0, 0, 2, 2, 2, 2]);
 * ```
 */
export function convReluForward(
  x: Tensor,
  w: Tensor,
  b: Tensor,
  param: ConvParam,
): Forward<ConvReluCache> {
  const conv = layersFor(x.dtype).convForward(x, w, b, param);
  const relu = reluForward(conv.out);
  return { out: relu.out, cache: { conv: conv.cache, relu: relu.cache } };
}

/** The gradients of `convReluForward` given `dout` (N, F, HO, WO). */
export function convReluBackward(dout: Tensor, cache: ConvReluCache): WeightGrads {
  const da = reluBackward(dout, cache.relu);
  return layersFor(da.dtype).convBackward(da, cache.conv);
}

/**
 * out = maxPool(relu(conv(x, w, b))): the homework's `conv_relu_pool_forward`, taking its
 * conv and pool parameters in the same order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { convReluPoolBackward, convReluPoolForward, Tensor } from "../../mod.ts";
 * const x = Tensor.linspace(-1, 2, [1, 1, 4, 4]);
 * const w = Tensor.full([1, 1, 1, 1], 1); // identity filter
 * const pool = { poolHeight: 2, poolWidth: 2, stride: 2 };
 * const { out, cache } = convReluPoolForward(x, w, Tensor.zeros([1]), { stride: 1, pad: 0 }, pool);
 * assert.deepEqual(out.shape, [1, 1, 2, 2]);
 * assert.equal(out.get(0, 0, 1, 1), 2); // the largest pixel
 * const { db } = convReluPoolBackward(Tensor.full(out.shape, 1), cache);
 * assert.equal(db.get(0), 3); // three of the four window maxima are positive
 * ```
 */
export function convReluPoolForward(
  x: Tensor,
  w: Tensor,
  b: Tensor,
  convParam: ConvParam,
  poolParam: PoolParam,
): Forward<ConvReluPoolCache> {
  const layers = layersFor(x.dtype);
  const conv = layers.convForward(x, w, b, convParam);
  const relu = reluForward(conv.out);
  const pool = layers.maxPoolForward(relu.out, poolParam);
  return { out: pool.out, cache: { conv: conv.cache, relu: relu.cache, pool: pool.cache } };
}

/** The gradients of `convReluPoolForward` given `dout` (N, F, HO', WO') after pooling. */
export function convReluPoolBackward(dout: Tensor, cache: ConvReluPoolCache): WeightGrads {
  const ds = layersFor(dout.dtype).maxPoolBackward(dout, cache.pool);
  const da = reluBackward(ds, cache.relu);
  return layersFor(da.dtype).convBackward(da, cache.conv);
}

/**
 * out = relu(x·w + b). x: (N, d1, …, dk)  w: (D, M)  b: (M)  →  out: (N, M)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { affineReluBackward, affineReluForward, Tensor } from "../../mod.ts";
 * const x = new Tensor(new Float64Array([1, -1]), [1, 2]);
 * const w = new Tensor(new Float64Array([1, 1, 1, -1]), [2, 2]);
 * const { out, cache } = affineReluForward(x, w, Tensor.zeros([2]));
 * assert.deepEqual([...out.data], [0, 2]);
 * const { dx, db } = affineReluBackward(Tensor.full([1, 2], 1), cache);
 * assert.deepEqual([...dx.data], [1, -1]);
 * assert.deepEqual([...db.data], [0, 1]);
 * ```
 */
export function affineReluForward(x: Tensor, w: Tensor, b: Tensor): Forward<AffineReluCache> {
  const affine = affineForward(x, w, b);
  const relu = reluForward(affine.out);
  return { out: relu.out, cache: { affine: affine.cache, relu: relu.cache } };
}

/** The gradients of `affineReluForward` given `dout` (N, M). */
export function affineReluBackward(dout: Tensor, cache: AffineReluCache): WeightGrads {
  const da = reluBackward(dout, cache.relu);
  return affineBackward(da, cache.affine);
}
