/**
 * Reference optimizer updates, in place over one parameter tensor, in PyTorch's form (the
 * specification for kernels/wasm/assembly/optim.ts):
 *
 * - SGD: g = grad + wd·p; with momentum μ ≠ 0: buf = g on the first step, else
 *   buf = μ·buf + (1 − dampening)·g; then g = g + μ·buf (Nesterov) or g = buf; p −= lr·g.
 * - Adam: g = grad + wd·p (L2, Adam) or p ·= 1 − lr·wd (decoupled, AdamW);
 *   m = β1·m + (1 − β1)·g; v = β2·v + (1 − β2)·g²;
 *   p −= lr / (1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + ε), with t the step count from 1.
 *
 * @module
 */

import type { FloatArray } from "../dims.ts";

/** param, grad, buf: (n); buf is unused when momentum is 0. */
export function sgdStep(
  param: FloatArray,
  grad: FloatArray,
  buf: FloatArray,
  n: number,
  lr: number,
  momentum: number,
  dampening: number,
  weightDecay: number,
  nesterov: boolean,
  first: boolean,
): void {
  for (let i = 0; i < n; i++) {
    let g = grad[i] + weightDecay * param[i];
    if (momentum !== 0) {
      buf[i] = first ? g : momentum * buf[i] + (1 - dampening) * g;
      g = nesterov ? g + momentum * buf[i] : buf[i];
    }
    param[i] -= lr * g;
  }
}

/** param, grad, m, v: (n); `step` counts from 1. */
export function adamStep(
  param: FloatArray,
  grad: FloatArray,
  m: FloatArray,
  v: FloatArray,
  n: number,
  lr: number,
  beta1: number,
  beta2: number,
  eps: number,
  weightDecay: number,
  step: number,
  decoupled: boolean,
): void {
  const stepSize = lr / (1 - beta1 ** step);
  const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
  for (let i = 0; i < n; i++) {
    let g = grad[i];
    if (decoupled) param[i] *= 1 - lr * weightDecay;
    else g += weightDecay * param[i];
    m[i] = beta1 * m[i] + (1 - beta1) * g;
    v[i] = beta2 * v[i] + (1 - beta2) * g * g;
    param[i] -= stepSize * m[i] / (Math.sqrt(v[i]) / bc2Sqrt + eps);
  }
}
