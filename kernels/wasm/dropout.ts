/**
 * WASM inverted dropout with the reference's positional signatures (kernels/ref/dropout.ts).
 * The mask is the reference's, bit for bit: the same counter hash of (seed, index), computed
 * four lanes at a time, so the same seed drops the same elements on any backend and thread
 * count. Float32 inside; elements split over the threads. The backward adds into dx.
 *
 * @module
 */

import type { FloatArray } from "../../core/dims.ts";
import { job } from "./_job.ts";
import { carve, copyIn, copyOut } from "./_arena.ts";

const PER_THREAD = 65536;
const TWO_32 = 4294967296;

/** out = x · mask, mask = 0 or 1/(1 − p).  out, mask, x: (n)  p in [0, 1)  seed: uint32 */
export function dropoutForward(
  out: FloatArray,
  mask: FloatArray,
  x: FloatArray,
  n: number,
  p: number,
  seed: number,
): void {
  if (!(p >= 0 && p < 1)) {
    throw new RangeError(`Cannot run dropoutForward: p must be in [0, 1), got ${p}`);
  }
  if (!Number.isInteger(seed) || seed < 0 || seed >= TWO_32) {
    throw new RangeError(
      `Cannot run dropoutForward: seed must be an integer in [0, 2³²), got ${seed}`,
    );
  }
  if (n === 0) return;
  const [po, pm, px] = carve("dropoutForward", [
    { name: `out (${n})`, bytes: 4 * n },
    { name: `mask (${n})`, bytes: 4 * n },
    { name: `x (${n})`, bytes: 4 * n },
  ]);
  copyIn(px, x, n);
  // hash ≥ p·2³² ⇔ hash ≥ ⌈p·2³²⌉ for an integer hash; ⌈p·2³²⌉ = 2³² keeps nothing
  const T = Math.ceil(p * TWO_32), keepNone = T >= TWO_32;
  const args = {
    out: po,
    mask: pm,
    x: px,
    n,
    seed,
    T: keepNone ? 0 : T,
    keepNone,
    scale: 1 / (1 - p),
  };
  job("dropoutForward", args, Math.ceil(n / PER_THREAD));
  copyOut(out, po, n);
  copyOut(mask, pm, n);
}

/** dx += dout · mask.  dx, dout, mask: (n) */
export function dropoutBackward(
  dx: FloatArray,
  dout: FloatArray,
  mask: FloatArray,
  n: number,
): void {
  if (n === 0) return;
  const [pdx, pdo, pm] = carve("dropoutBackward", [
    { name: `dx (${n})`, bytes: 4 * n },
    { name: `dout (${n})`, bytes: 4 * n },
    { name: `mask (${n})`, bytes: 4 * n },
  ]);
  copyIn(pdx, dx, n);
  copyIn(pdo, dout, n);
  copyIn(pm, mask, n);
  job("dropoutBackward", { dx: pdx, dout: pdo, mask: pm, n }, Math.ceil(n / PER_THREAD));
  copyOut(dx, pdx, n);
}
