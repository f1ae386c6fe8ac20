/**
 * The homework's Part 1 ConvNet classifiers, built from the functional layers:
 *
 * - `TwoLayerConvNet`:   conv – relu – 2×2 max pool – affine – softmax
 * - `ThreeLayerConvNet`: conv – relu – 2×2 max pool – affine – relu – affine – softmax
 *
 * The convolution keeps the spatial size (stride 1, pad (K − 1) / 2). Weights start as
 * `weightScale · N(0, 1)` and biases at zero, as in the homework; the loss adds
 * ½·reg·Σ W² over the weight matrices. float64 networks run the reference kernels (so the
 * whole network can be gradient-checked); float32 networks run the WASM kernels.
 *
 * @module
 */

import { type ConvDims, convDims } from "../core/dims.ts";
import { kernelsFor } from "../kernels/mod.ts";
import { checkConvPoolReluFits } from "../kernels/wasm/mod.ts";
import {
  affineBackward,
  affineForward,
  reluBackward,
  reluForward,
  softmaxLoss,
} from "./layers/mod.ts";
import { Rng } from "../core/random.ts";
import type { Classifier } from "./solver.ts";
import { type DType, Tensor } from "../core/tensor.ts";
import type { AffineCache, Forward, ReluCache } from "./types.ts";

/** Options shared by both networks; each has the homework's default. */
export interface ConvNetOptions {
  /** (C, H, W) of one input image. */
  inputDim?: [number, number, number];
  /** Filters of the conv layer (default 32). */
  numFilters?: number;
  /** Side of the square conv filters, odd so that padding (K − 1) / 2 keeps H×W (default 7). */
  filterSize?: number;
  /** Width of the hidden affine layer (three-layer net only). */
  hiddenDim?: number;
  /** Number of classes: width of the scores (default 10). */
  numClasses?: number;
  /** Standard deviation of the initial weights, drawn as weightScale · N(0, 1) (default 1e-3). */
  weightScale?: number;
  /** L2 strength: the loss adds ½·reg·Σ W² over the weight matrices (default 0). */
  reg?: number;
  /**
   * Element type: float64 runs the reference kernels (for gradient checks), float32 the WASM ones
   * (default "float32").
   */
  dtype?: DType;
  /** Seed of the weight initialisation (default 0). */
  seed?: number;
}

function resolve(o: ConvNetOptions) {
  const r = {
    inputDim: o.inputDim ?? [3, 32, 32] as [number, number, number],
    numFilters: o.numFilters ?? 32,
    filterSize: o.filterSize ?? 7,
    hiddenDim: o.hiddenDim ?? 100,
    numClasses: o.numClasses ?? 10,
    weightScale: o.weightScale ?? 1e-3,
    reg: o.reg ?? 0,
    dtype: o.dtype ?? "float32" as DType,
    seed: o.seed ?? 0,
  };
  const [C, H, W] = r.inputDim;
  for (
    const [name, v] of [
      ["numFilters", r.numFilters],
      ["hiddenDim", r.hiddenDim],
      [
        "numClasses",
        r.numClasses,
      ],
      ["C", C],
      ["H", H],
      ["W", W],
    ] as const
  ) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`Invalid ${name} ${v}: it must be an integer ≥ 1`);
    }
  }
  if (!Number.isInteger(r.filterSize) || r.filterSize < 1 || r.filterSize % 2 === 0) {
    throw new RangeError(
      `Invalid filter size ${r.filterSize}: it must be an odd integer ≥ 1 so that padding ` +
        `(K − 1) / 2 keeps the image size`,
    );
  }
  if (r.filterSize > H || r.filterSize > W) {
    throw new RangeError(
      `Invalid filter size ${r.filterSize}: it must not exceed the ${H}×${W} image`,
    );
  }
  if (H % 2 !== 0 || W % 2 !== 0) {
    throw new RangeError(`Cannot 2×2-pool a ${H}×${W} image: H and W must be even`);
  }
  if (!(r.weightScale > 0)) {
    throw new RangeError(`Invalid weight scale ${r.weightScale}: it must be > 0`);
  }
  if (!(r.reg >= 0)) throw new RangeError(`Invalid regularisation ${r.reg}: it must be ≥ 0`);
  return r;
}

/** What the fused first layer keeps for its backward pass. */
interface ConvPoolCache {
  x: Tensor;
  dims: ConvDims;
  argmax: Int32Array; // argmax: (N, F, H/2, W/2) flat conv indices, −1 where relu blocks
}

/**
 * conv – relu – 2×2 max-pool, computed by the fused kernel as conv – pool – relu: ReLU is
 * monotonic, so max(relu(a)) = relu(max(a)), and the gradient reaches the same element (the
 * window's first maximum when it is positive, nothing otherwise). The full-size conv output
 * never leaves the kernel.
 */
function convReluPool(x: Tensor, w: Tensor, b: Tensor, pad: number) {
  const dims = convDims("convReluPool", x.shape, w.shape, 1, pad);
  if (x.dtype === "float32") checkConvPoolReluFits(dims);
  const out = Tensor.zeros([dims.N, dims.F, dims.HO / 2, dims.WO / 2], x.dtype);
  const argmax = new Int32Array(out.size);
  kernelsFor(x.dtype).convPoolRelu2dForward(out.data, argmax, x.data, w.data, b.data, dims);
  const cache: ConvPoolCache = { x, dims, argmax };
  return { out, cache };
}

/**
 * Backward of conv – relu – pool for the first layer: the input images need no gradient, so
 * only the filter and bias gradients are computed (a third of the backward work saved).
 */
function convReluPoolBack(dout: Tensor, cache: ConvPoolCache): { dw: Tensor; db: Tensor } {
  const { x, dims, argmax } = cache;
  const dw = Tensor.zeros([dims.F, dims.C, dims.KH, dims.KW], dout.dtype); // dw: (F, C, K, K)
  const db = Tensor.zeros([dims.F], dout.dtype); // db: (F)
  kernelsFor(dout.dtype).convPoolRelu2dBackwardFilter(
    dw.data,
    db.data,
    dout.data,
    argmax,
    x.data,
    dims,
  );
  return { dw, db };
}

/** Adds ½·reg·Σ W² to the loss and reg·W to each weight gradient. */
function regularise(
  reg: number,
  params: Record<string, Tensor>,
  grads: Record<string, Tensor>,
  names: string[],
): number {
  let penalty = 0;
  if (reg === 0) return 0;
  for (const name of names) {
    const w = params[name];
    const k = kernelsFor(w.dtype);
    penalty += 0.5 * reg * k.sumOfSquares(w.data, w.size);
    k.axpy(grads[name].data, w.data, reg, w.size);
  }
  return penalty;
}

function scaled(shape: number[], rng: Rng, scale: number, dtype: DType): Tensor {
  return Tensor.randn(shape, rng, { std: scale, dtype });
}

/**
 * conv – relu – 2×2 max pool – affine – softmax.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TwoLayerConvNet } from "./classifiers.ts";
 * import { Rng } from "../core/random.ts";
 * import { Tensor } from "../core/tensor.ts";
 * const net = new TwoLayerConvNet({ inputDim: [3, 8, 8], numFilters: 4, filterSize: 3, dtype: "float64" });
 * const x = Tensor.randn([2, 3, 8, 8], new Rng(0));
 * const { loss } = net.loss(x, new Int32Array([1, 7]));
 * assert.ok(Math.abs(loss - Math.log(10)) < 0.01); // small weights: uniform scores
 * ```
 */
export class TwoLayerConvNet implements Classifier {
  readonly params: Record<string, Tensor>;
  /** The L2 strength the loss adds (½·reg·Σ W² over W1 and W2). */
  readonly reg: number;
  private readonly pad: number;

  /**
   * Draws W1: (F, C, K, K) and W2: (F·H/2·W/2, numClasses) from `options` (the homework's
   * defaults); b1 and b2 start at zero.
   */
  constructor(options: ConvNetOptions = {}) {
    const o = resolve(options);
    const [C, H, W] = o.inputDim;
    const rng = new Rng(o.seed);
    const F = o.numFilters, K = o.filterSize;
    this.reg = o.reg;
    this.pad = (K - 1) / 2;
    this.params = {
      W1: scaled([F, C, K, K], rng, o.weightScale, o.dtype),
      b1: Tensor.zeros([F], o.dtype),
      W2: scaled([F * (H / 2) * (W / 2), o.numClasses], rng, o.weightScale, o.dtype),
      b2: Tensor.zeros([o.numClasses], o.dtype),
    };
  }

  scores(x: Tensor): Tensor {
    const p = this.params;
    const hidden = convReluPool(x, p.W1, p.b1, this.pad);
    return affineForward(hidden.out, p.W2, p.b2).out;
  }

  loss(x: Tensor, y: Int32Array): { loss: number; grads: Record<string, Tensor> } {
    const p = this.params;
    const hidden = convReluPool(x, p.W1, p.b1, this.pad);
    const fc = affineForward(hidden.out, p.W2, p.b2);
    const { loss, dx: dScores } = softmaxLoss(fc.out, y);
    const dFc = affineBackward(dScores, fc.cache);
    const dConv = convReluPoolBack(dFc.dx, hidden.cache); // x: (N, C, H, W) needs no dx
    const grads = { W1: dConv.dw, b1: dConv.db, W2: dFc.dw, b2: dFc.db };
    return { loss: loss + regularise(this.reg, p, grads, ["W1", "W2"]), grads };
  }
}

/** conv – relu – 2×2 max pool – affine – relu – affine – softmax. */
export class ThreeLayerConvNet implements Classifier {
  readonly params: Record<string, Tensor>;
  /** The L2 strength the loss adds (½·reg·Σ W² over W1, W2 and W3). */
  readonly reg: number;
  private readonly pad: number;

  /**
   * Draws W1: (F, C, K, K), W2: (F·H/2·W/2, hiddenDim) and W3: (hiddenDim, numClasses) from
   * `options` (the homework's defaults); biases start at zero.
   */
  constructor(options: ConvNetOptions = {}) {
    const o = resolve(options);
    const [C, H, W] = o.inputDim;
    const rng = new Rng(o.seed);
    const F = o.numFilters, K = o.filterSize, D = o.hiddenDim;
    this.reg = o.reg;
    this.pad = (K - 1) / 2;
    this.params = {
      W1: scaled([F, C, K, K], rng, o.weightScale, o.dtype),
      b1: Tensor.zeros([F], o.dtype),
      W2: scaled([F * (H / 2) * (W / 2), D], rng, o.weightScale, o.dtype),
      b2: Tensor.zeros([D], o.dtype),
      W3: scaled([D, o.numClasses], rng, o.weightScale, o.dtype),
      b3: Tensor.zeros([o.numClasses], o.dtype),
    };
  }

  /** The forward pass with every stage's output and cache, shared by `scores` and `loss`. */
  private forward(x: Tensor): {
    conv: { out: Tensor; cache: ConvPoolCache };
    fc1: Forward<AffineCache>;
    relu: Forward<ReluCache>;
    fc2: Forward<AffineCache>;
  } {
    const p = this.params;
    const conv = convReluPool(x, p.W1, p.b1, this.pad);
    const fc1 = affineForward(conv.out, p.W2, p.b2);
    const relu = reluForward(fc1.out);
    const fc2 = affineForward(relu.out, p.W3, p.b3);
    return { conv, fc1, relu, fc2 };
  }

  scores(x: Tensor): Tensor {
    return this.forward(x).fc2.out;
  }

  loss(x: Tensor, y: Int32Array): { loss: number; grads: Record<string, Tensor> } {
    const { conv, fc1, relu, fc2 } = this.forward(x);
    const { loss, dx: dScores } = softmaxLoss(fc2.out, y);
    const d2 = affineBackward(dScores, fc2.cache);
    const d1 = affineBackward(reluBackward(d2.dx, relu.cache), fc1.cache);
    const d0 = convReluPoolBack(d1.dx, conv.cache);
    const grads = { W1: d0.dw, b1: d0.db, W2: d1.dw, b2: d1.db, W3: d2.dw, b3: d2.db };
    return { loss: loss + regularise(this.reg, this.params, grads, ["W1", "W2", "W3"]), grads };
  }
}
