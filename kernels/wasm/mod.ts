/**
 * The WASM SIMD backend: AssemblyScript kernels (kernels/wasm/assembly/) compiled to
 * kernels.wasm, running on every core through Workers that share one memory. Ready once this
 * module is imported (top-level await). Float32 inside; accepts float32 or float64 arrays.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { wasmKernels } from "./mod.ts";
 * const c = new Float32Array(4);
 * // (2×3) · (3×2)
 * wasmKernels.gemm(c, new Float32Array([1, 2, 3, 4, 5, 6]), new Float32Array([1, 0, 0, 1, 1, 1]), 2, 2, 3, false, false, false);
 * assert.deepEqual([...c], [4, 5, 10, 11]);
 * ```
 *
 * @module
 */

import * as conv from "./conv.ts";
import * as pool from "./pool.ts";
import * as dense from "./dense.ts";
import * as optim from "./optim.ts";
import * as solver from "./solver.ts";
import * as avgpool from "./avgpool.ts";
import * as batchnorm from "./batchnorm.ts";
import * as dropout from "./dropout.ts";
import * as crossEntropy from "./cross_entropy.ts";
import { axpy } from "./axpy.ts";
import * as convPool from "./conv_pool.ts";

export { build as wasmBuild, getThreads, MAX_PAGES, setThreads } from "./_runtime.ts";
export { freeWasmArray, wasmArray } from "./_arena.ts";
export {
  checkConvBackwardFits,
  checkConvForwardFits,
  conv2dBackward,
  type ConvPath,
  convPath,
  type ConvPathName,
  setPartialTiles,
} from "./conv.ts";
export { maxPool2dBackward } from "./pool.ts";
export { checkConvPoolReluFits } from "./conv_pool.ts";
export {
  batchNormBackward,
  type BatchNormBackwardArrays,
  type BatchNormDims,
  batchNormForward,
  type BatchNormForwardArrays,
  type BatchNormForwardOptions,
} from "./batchnorm.ts";
export {
  adam,
  type AdamArrays,
  type AdamOptions,
  sgd,
  type SgdArrays,
  type SgdOptions,
} from "./optim.ts";

/** Every kernel of the `Kernels` interface, in WASM. */
export const wasmKernels = {
  name: "wasm",
  conv2dForward: conv.conv2dForward,
  conv2dBackwardData: conv.conv2dBackwardData,
  conv2dBackwardFilter: conv.conv2dBackwardFilter,
  maxPool2dForward: pool.maxPool2dForward,
  maxPool2dBackward: pool.maxPool2dBackward,
  gemm: dense.gemm,
  addRowBias: dense.addRowBias,
  sumRows: dense.sumRows,
  reluForward: dense.reluForward,
  reluBackward: dense.reluBackward,
  softmaxCrossEntropy: dense.softmaxCrossEntropy,
  svmLoss: dense.svmLoss,
  sgdStep: optim.sgdStep,
  adamStep: optim.adamStep,
  rmspropStep: solver.rmspropStep,
  sumOfSquares: solver.sumOfSquares,
  avgPool2dForward: avgpool.avgPool2dForward,
  avgPool2dBackward: avgpool.avgPool2dBackward,
  batchNorm2dForward: batchnorm.batchNorm2dForward,
  batchNorm2dBackward: batchnorm.batchNorm2dBackward,
  dropoutForward: dropout.dropoutForward,
  dropoutBackward: dropout.dropoutBackward,
  softmaxCrossEntropySmoothed: crossEntropy.softmaxCrossEntropySmoothed,
  axpy,
  convPoolRelu2dForward: convPool.convPoolRelu2dForward,
  convPoolRelu2dBackwardFilter: convPool.convPoolRelu2dBackwardFilter,
} as const;
