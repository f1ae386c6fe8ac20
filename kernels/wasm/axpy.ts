/**
 * WASM y += α·x with the reference's positional signature (kernels/ref/axpy.ts): float32
 * inside, elements split over the threads.
 *
 * @module
 */

import type { FloatArray } from "../../core/dims.ts";
import { job } from "./_job.ts";
import { carve, copyIn, copyOut } from "./_arena.ts";

const PER_THREAD = 65536;

/** y += alpha · x.  y, x: (n) */
export function axpy(y: FloatArray, x: FloatArray, alpha: number, n: number): void {
  if (n === 0) return;
  const [py, px] = carve("axpy", [
    { name: `y (${n})`, bytes: 4 * n },
    { name: `x (${n})`, bytes: 4 * n },
  ]);
  copyIn(py, y, n);
  copyIn(px, x, n);
  job("axpy", { y: py, x: px, alpha, n }, Math.ceil(n / PER_THREAD));
  copyOut(y, py, n);
}
