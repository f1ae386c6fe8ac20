/**
 * WASM kernels of the Part 1 Solver with the reference's positional signatures:
 * `rmspropStep` (kernels/ref/optim.ts) and `sumOfSquares` (kernels/ref/elementwise.ts).
 * float32 inside; rmsprop splits elements over the threads, the sum runs on one.
 *
 * @module
 */

import type { FloatArray } from "../../core/dims.ts";
import { job } from "./_job.ts";
import { carve, copyIn, copyOut } from "./_arena.ts";

const PER_THREAD = 65536;

/** w, g, cache: (n), updated in place. */
export function rmspropStep(
  w: FloatArray,
  g: FloatArray,
  cache: FloatArray,
  n: number,
  lr: number,
  decayRate: number,
  eps: number,
): void {
  if (n === 0) return;
  const [pw, pg, pc] = carve("rmspropStep", [
    { name: `w (${n})`, bytes: 4 * n },
    { name: `g (${n})`, bytes: 4 * n },
    { name: `cache (${n})`, bytes: 4 * n },
  ]);
  copyIn(pw, w, n);
  copyIn(pg, g, n);
  copyIn(pc, cache, n);
  const args = { w: pw, g: pg, cache: pc, n, lr, decayRate, eps };
  job("rmspropStep", args, Math.ceil(n / PER_THREAD));
  copyOut(w, pw, n);
  copyOut(cache, pc, n);
}

/** Returns Σ x[i]², accumulated in float64.  x: (n) */
export function sumOfSquares(x: FloatArray, n: number): number {
  if (n === 0) return 0;
  const [px] = carve("sumOfSquares", [{ name: `x (${n})`, bytes: 4 * n }]);
  copyIn(px, x, n);
  return job("sumOfSquares", { x: px, n }, 1);
}
