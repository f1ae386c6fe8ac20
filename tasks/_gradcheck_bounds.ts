/**
 * The bounds, steps and margins of the gradient checks, shared by `deno task gradcheck` and
 * the layer tests: how far a correct backward may stray from centred differences, and how
 * inputs to kinked layers (ReLU, max-pool, hinge) are kept away from their kinks and ties.
 *
 * @module
 */

import type { PoolParam, Tensor } from "../mod.ts";

/** Bounds on the relative error, per layer family (the issue's: 1e-7 conv/affine, 1e-9 pool). */
export const BOUNDS = {
  conv: 1e-7,
  pool: 1e-9,
  affine: 1e-7,
  relu: 1e-9,
  loss: 1e-7,
  sandwich: 1e-7,
} as const;

/**
 * The step for piecewise-linear layers. Centred differences are exact on a linear piece, so
 * the only error is rounding, about 1e-16·|out| / h per element: with the homework's 1e-5 an
 * element whose true gradient is ~1e-5 (a product of two small draws) already shows a
 * relative error ~1e-6. A larger step shrinks that 100-fold, and `MARGIN` keeps every kink
 * and tie farther away than one step can reach.
 */
export const H_LINEAR = 1e-3;
/** The step for smooth layers (the losses): the homework's 1e-5, balancing truncation. */
export const H_SMOOTH = 1e-5;
/**
 * The least distance from a kink (a pre-activation at 0) or a tie (the top two values of a
 * pooling window) that kinked cases accept; inputs are redrawn until they keep it. It must
 * exceed twice H_LINEAR times the largest derivative of a pre-activation (|w|, |x| ≤ ~4 for
 * these draws), since one step can move both sides of a tie.
 */
export const MARGIN = 1e-2;

/** Draws inputs until `margin(inputs)` ≥ MARGIN (at most 10 000 tries). */
export function drawAwayFromKinks<T>(draw: () => T, margin: (inputs: T) => number): T {
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const inputs = draw();
    if (margin(inputs) >= MARGIN) return inputs;
  }
  throw new RangeError(`Cannot draw inputs ${MARGIN} away from kinks in 10000 tries`);
}

/** The smallest |v| in t: how close a ReLU input comes to its kink. */
export function minAbs(t: Tensor): number {
  let m = Infinity;
  for (const v of t.data) m = Math.min(m, Math.abs(v));
  return m;
}

/** The smallest gap between the two largest values of any pooling window of t (N, C, H, W). */
export function minWindowGap(t: Tensor, p: PoolParam): number {
  const [N, C, H, W] = t.shape;
  let gap = Infinity;
  for (let nc = 0; nc < N * C; nc++) {
    for (let i = 0; i + p.poolHeight <= H; i += p.stride) {
      for (let j = 0; j + p.poolWidth <= W; j += p.stride) {
        let first = -Infinity, second = -Infinity;
        for (let ph = 0; ph < p.poolHeight; ph++) {
          for (let pw = 0; pw < p.poolWidth; pw++) {
            const v = t.data[(nc * H + i + ph) * W + j + pw];
            if (v > first) [first, second] = [v, first];
            else if (v > second) second = v;
          }
        }
        gap = Math.min(gap, first - second);
      }
    }
  }
  return gap;
}
