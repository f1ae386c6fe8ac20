/**
 * Reference element-wise accumulation, out += a: the join of a residual connection (forward:
 * body(x) + shortcut(x); backward: the two branches' input gradients). The specification the
 * WASM kernel must match.
 *
 * @module
 */

import type { FloatArray } from "../dims.ts";

/** out += a.  out, a: (n) */
export function addInPlace(out: FloatArray, a: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) out[i] += a[i];
}
