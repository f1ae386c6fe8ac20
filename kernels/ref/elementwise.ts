/**
 * Reference element-wise kernels: ReLU forward and backward. The specification for the WASM
 * and WebGPU versions.
 *
 * @module
 */

import type { FloatArray } from "../../core/dims.ts";

/** out = max(x, 0).  out, x: (n) */
export function reluForward(out: FloatArray, x: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? x[i] : 0;
}

/** dx = dout where x > 0, else 0 (overwrites dx).  dx, dout, x: (n) */
export function reluBackward(dx: FloatArray, dout: FloatArray, x: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) dx[i] = x[i] > 0 ? dout[i] : 0;
}

/** Returns Σ x[i]² (for L2 regularisation).  x: (n) */
export function sumOfSquares(x: FloatArray, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += x[i] * x[i];
  return sum;
}
