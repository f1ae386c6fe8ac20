/**
 * Reference optimizer updates, one parameter tensor per call, in plain loops: the
 * specification the WASM kernels must match. Both follow PyTorch's `torch.optim` exactly.
 *
 * SGD (`torch.optim.SGD`, dampening 0):
 *   g' = g + wd·w;  if momentum > 0: v ← momentum·v + g' (v starts at 0, so the first step
 *   gives v = g' as PyTorch's buffer does), g' = nesterov ? g' + momentum·v : v;  w ← w − lr·g'.
 *
 * Adam / AdamW (`torch.optim.Adam`, `torch.optim.AdamW`, amsgrad off):
 *   AdamW (decoupled): w ← w·(1 − lr·wd);  Adam: g ← g + wd·w.
 *   m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;
 *   w ← w − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε),  with t = step ≥ 1.
 *
 * @module
 */

import type { FloatArray } from "../../core/dims.ts";

/** One SGD step.  w, v: (n) updated  g: (n) read */
export function sgdStep(
  w: FloatArray,
  g: FloatArray,
  v: FloatArray,
  n: number,
  lr: number,
  momentum: number,
  weightDecay: number,
  nesterov: boolean,
): void {
  for (let i = 0; i < n; i++) {
    let d = g[i] + weightDecay * w[i];
    if (momentum > 0) {
      const vi = momentum * v[i] + d;
      v[i] = vi;
      d = nesterov ? d + momentum * vi : vi;
    }
    w[i] -= lr * d;
  }
}

/** One Adam (decoupled = false) or AdamW (decoupled = true) step.  w, m, v: (n) updated  g: (n) */
export function adamStep(
  w: FloatArray,
  g: FloatArray,
  m: FloatArray,
  v: FloatArray,
  n: number,
  lr: number,
  beta1: number,
  beta2: number,
  eps: number,
  step: number,
  weightDecay: number,
  decoupled: boolean,
): void {
  const stepSize = lr / (1 - beta1 ** step);
  const sqrtBias2 = Math.sqrt(1 - beta2 ** step);
  const decay = decoupled ? 1 - lr * weightDecay : 1;
  const l2 = decoupled ? 0 : weightDecay;
  for (let i = 0; i < n; i++) {
    const wi = w[i] * decay;
    const gi = g[i] + l2 * wi;
    const mi = beta1 * m[i] + (1 - beta1) * gi;
    const vi = beta2 * v[i] + (1 - beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    w[i] = wi - stepSize * mi / (Math.sqrt(vi) / sqrtBias2 + eps);
  }
}

/**
 * The homework's rmsprop: c = ρ·c + (1 − ρ)·g²; w −= lr·g / (√c + ε).
 * w, g, cache: (n)
 */
export function rmspropStep(
  w: FloatArray,
  g: FloatArray,
  cache: FloatArray,
  n: number,
  lr: number,
  decayRate: number,
  eps: number,
): void {
  for (let i = 0; i < n; i++) {
    cache[i] = decayRate * cache[i] + (1 - decayRate) * g[i] * g[i];
    w[i] -= lr * g[i] / (Math.sqrt(cache[i]) + eps);
  }
}
