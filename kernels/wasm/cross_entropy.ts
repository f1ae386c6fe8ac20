/**
 * WASM softmax cross-entropy with label smoothing, with the reference's positional signature
 * (kernels/ref/cross_entropy.ts): float32 scores in, float64 arithmetic inside, one thread
 * (N×C is small). Labels are checked before any memory is touched.
 *
 * @module
 */

import type { FloatArray } from "../../core/dims.ts";
import { runLoss } from "./dense.ts";

/** Returns the mean loss; overwrites dx.  dx, x: (N, C)  y: (N) in [0, C)  smoothing in [0, 1] */
export function softmaxCrossEntropySmoothed(
  dx: FloatArray,
  x: FloatArray,
  y: ArrayLike<number>,
  N: number,
  C: number,
  smoothing: number,
): number {
  const op = "softmaxCrossEntropySmoothed";
  if (!(smoothing >= 0 && smoothing <= 1)) {
    throw new RangeError(`Cannot run ${op}: smoothing must be in [0, 1], got ${smoothing}`);
  }
  return runLoss(op, dx, x, y, N, C, { smoothing });
}
