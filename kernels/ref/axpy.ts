/**
 * Reference y += α·x (BLAS's axpy), the specification the WASM kernel must match. Modules use
 * it for the join of a residual connection (α = 1, forward and backward) and for scaling by a
 * constant (`Scale`: into a zeroed y).
 *
 * @module
 */

import type { FloatArray } from "../../core/dims.ts";

/** y += alpha · x.  y, x: (n) */
export function axpy(y: FloatArray, x: FloatArray, alpha: number, n: number): void {
  for (let i = 0; i < n; i++) y[i] += alpha * x[i];
}
