/**
 * WASM softmax cross-entropy with label smoothing, with the reference's positional signature
 * (kernels/ref/cross_entropy.ts): float32 scores in, float64 arithmetic inside, one thread
 * (N×C is small). Labels are checked before any memory is touched.
 *
 * @module
 */

import type { FloatArray } from "../dims.ts";
import { carve, copyIn, copyOut, heapI32 } from "./_arena.ts";
import { Op } from "./_layout.ts";
import { runJob } from "./_runtime.ts";

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
  for (let n = 0; n < N; n++) {
    const label = y[n];
    if (!Number.isInteger(label) || label < 0 || label >= C) {
      throw new RangeError(
        `Cannot run ${op}: label y[${n}] = ${label} is not a class in [0, ${C})`,
      );
    }
  }
  const [pdx, px, py] = carve(op, [
    { name: `dx (${N}, ${C})`, bytes: 4 * N * C },
    { name: `x (${N}, ${C})`, bytes: 4 * N * C },
    { name: `y (${N})`, bytes: 4 * N },
  ]);
  copyIn(px, x, N * C);
  const labels = heapI32();
  for (let n = 0; n < N; n++) labels[py / 4 + n] = y[n];
  const loss = runJob(Op.softmaxCrossEntropySmoothed, [pdx, px, py, N, C, smoothing], 1);
  copyOut(dx, pdx, N * C);
  return loss;
}
