/**
 * Reference optimizer updates, in place over flat parameter arrays; the specification for
 * the WASM versions. Each reads the gradient g and updates the weights w and its state.
 *
 * - `sgdStep` (PyTorch's SGD): g' = g + wd·w; with momentum μ > 0: v = μ·v + g' (v starts at
 *   0), g' = nesterov ? g' + μ·v : v; then w −= lr·g'.
 * - `rmspropStep` (the homework's rmsprop): c = ρ·c + (1 − ρ)·g²; w −= lr·g / (√c + ε).
 * - `adamStep` (PyTorch's Adam / AdamW): Adam adds wd·w to g; AdamW first scales w by
 *   1 − lr·wd. m = β1·m + (1 − β1)·g; v = β2·v + (1 − β2)·g²;
 *   w −= lr · (m / (1 − β1^t)) / (√(v / (1 − β2^t)) + ε), with t counted from 1.
 *
 * @module
 */

import type { FloatArray } from "../dims.ts";

/** w, g, v: (n) */
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
      v[i] = momentum * v[i] + d;
      d = nesterov ? d + momentum * v[i] : v[i];
    }
    w[i] -= lr * d;
  }
}

/** w, g, cache: (n) */
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

/** w, g, m, v: (n); step counts from 1 */
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
  const bc1 = 1 - beta1 ** step, bc2 = 1 - beta2 ** step;
  for (let i = 0; i < n; i++) {
    let d = g[i];
    if (decoupled) w[i] *= 1 - lr * weightDecay;
    else d += weightDecay * w[i];
    m[i] = beta1 * m[i] + (1 - beta1) * d;
    v[i] = beta2 * v[i] + (1 - beta2) * d * d;
    w[i] -= lr * (m[i] / bc1) / (Math.sqrt(v[i] / bc2) + eps);
  }
}
