/**
 * Reference inverted dropout (Srivastava et al., 2014, as PyTorch's `nn.Dropout` scales it),
 * forward and backward, in plain loops: the specification the WASM kernels must match.
 *
 * Element i is dropped when u_i < p, where u_i = hash32(seed, i) / 2³² and
 * hash32(seed, i) = fmix32((i · 0x9E3779B9 + seed) mod 2³²), MurmurHash3's 32-bit finaliser.
 * A counter-based mask like this needs no generator state, so every backend draws the same
 * mask from the same seed, in any order and on any number of threads. Kept elements are scaled
 * by 1 / (1 − p), so the expected output equals the input and evaluation is the identity.
 *
 * @module
 */

import type { FloatArray } from "../../core/dims.ts";

/** MurmurHash3's fmix32 applied to i · 0x9E3779B9 + seed: a uniform 32-bit word per element. */
export function dropoutHash(seed: number, i: number): number {
  let h = (Math.imul(i, 0x9e3779b9) + seed) | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** out = x · mask, mask = 0 or 1/(1 − p).  out, mask, x: (n)  p in [0, 1)  seed: uint32 */
export function dropoutForward(
  out: FloatArray,
  mask: FloatArray,
  x: FloatArray,
  n: number,
  p: number,
  seed: number,
): void {
  const threshold = p * 4294967296;
  const scale = 1 / (1 - p);
  for (let i = 0; i < n; i++) {
    const keep = dropoutHash(seed, i) >= threshold;
    mask[i] = keep ? scale : 0;
    out[i] = keep ? x[i] * scale : 0;
  }
}

/** dx += dout · mask.  dx, dout, mask: (n) */
export function dropoutBackward(
  dx: FloatArray,
  dout: FloatArray,
  mask: FloatArray,
  n: number,
): void {
  for (let i = 0; i < n; i++) dx[i] += dout[i] * mask[i];
}
