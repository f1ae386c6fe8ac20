/**
 * convnet.ts — train convolutional networks from scratch in Deno: every forward, backward,
 * optimizer step and data-pipeline stage in plain, readable code, with WebAssembly SIMD
 * kernels for speed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Rng, Tensor } from "./mod.ts";
 * const x = Tensor.randn([2, 3, 8, 8], new Rng(0));
 * assert.deepEqual(x.shape, [2, 3, 8, 8]);
 * ```
 *
 * @module
 */

export { arrayFor, shapeSize, Tensor } from "./nn/tensor.ts";
export type { DType, TensorData } from "./nn/tensor.ts";
export { Rng } from "./nn/random.ts";
export type { AffineDims, ConvDims, LossDims, PoolDims } from "./kernels/dims.ts";
export * from "./nn/layers/mod.ts";
export type {
  AffineCache,
  ConvCache,
  ConvParam,
  Forward,
  Labels,
  LossResult,
  MaxPoolCache,
  PoolParam,
  ReluCache,
  WeightGrads,
} from "./nn/types.ts";
export {
  evalNumericalGradient,
  evalNumericalGradientArray,
  gradientErrors,
  relError,
} from "./nn/gradcheck.ts";
export type { CheckedLayer, GradientErrorsOptions } from "./nn/gradcheck.ts";
export * from "./nn/modules/mod.ts";
export { crossEntropy } from "./nn/losses.ts";
export type { CrossEntropyOptions, CrossEntropyResult } from "./nn/losses.ts";
export { Adam, AdamBase, AdamW, Optimizer, SGD } from "./nn/optim.ts";
export type { AdamOptions, SGDOptions } from "./nn/optim.ts";
export { cosineWithWarmup, oneCycle, stepDecay } from "./nn/schedule.ts";
export type { CosineOptions, OneCycleOptions, Schedule, StepDecayOptions } from "./nn/schedule.ts";
export { CNN, type ModelOptions } from "./nn/models/convnet.ts";
export { MyModel, MYMODEL_DEFAULTS, myModelFlops } from "./nn/models/mymodel.ts";
export type { ImSize } from "./nn/models/_args.ts";
