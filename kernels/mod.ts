/**
 * The kernel backends and the seam between `nn` and them.
 *
 * `Kernels` lists every kernel a layer may call; each backend implements all of it with the
 * same positional signatures as the reference (outputs first, then inputs, then sizes;
 * backward kernels add into their outputs). `kernelsFor(dtype)` picks the backend for a dtype:
 * float64 always runs the reference loops (they are the specification, used for gradient
 * checks); float32 runs the fastest backend available.
 *
 * @module
 */

import type { DType } from "../nn/tensor.ts";
import * as ref from "./ref/mod.ts";

/** Every kernel a layer may call, with the reference's signatures. */
export interface Kernels {
  readonly name: string;
  conv2dForward: typeof ref.conv2dForward;
  conv2dBackwardData: typeof ref.conv2dBackwardData;
  conv2dBackwardFilter: typeof ref.conv2dBackwardFilter;
  maxPool2dForward: typeof ref.maxPool2dForward;
  maxPool2dBackward: typeof ref.maxPool2dBackward;
  gemm: typeof ref.gemm;
  addRowBias: typeof ref.addRowBias;
  sumRows: typeof ref.sumRows;
  reluForward: typeof ref.reluForward;
  reluBackward: typeof ref.reluBackward;
  softmaxCrossEntropy: typeof ref.softmaxCrossEntropy;
  svmLoss: typeof ref.svmLoss;
  softmaxCrossEntropySmoothed: typeof ref.softmaxCrossEntropySmoothed;
  axpy: typeof ref.axpy;
  avgPool2dForward: typeof ref.avgPool2dForward;
  avgPool2dBackward: typeof ref.avgPool2dBackward;
  batchNorm2dForward: typeof ref.batchNorm2dForward;
  batchNorm2dBackward: typeof ref.batchNorm2dBackward;
  dropoutForward: typeof ref.dropoutForward;
  dropoutBackward: typeof ref.dropoutBackward;
  sgdStep: typeof ref.sgdStep;
  adamStep: typeof ref.adamStep;
  rmspropStep: typeof ref.rmspropStep;
  sumOfSquares: typeof ref.sumOfSquares;
}

/** The reference backend: plain loops, any precision. */
export const refKernels: Kernels = { name: "ref", ...ref };

/** The backend that computes in `dtype`. */
export function kernelsFor(_dtype: DType): Kernels {
  return refKernels;
}
