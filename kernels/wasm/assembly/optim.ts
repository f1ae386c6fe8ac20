// Optimizer updates in PyTorch's form, in place over one parameter tensor; match
// kernels/ref/optim.ts (sgdStep, adamStep). Elements split over threads, f32x4 main loops.
//   SGD:  g = grad + wd·p; buf = first ? g : μ·buf + (1 − dampening)·g (when μ ≠ 0);
//         g = nesterov ? g + μ·buf : buf; p −= lr·g
//   Adam: g = grad (+ wd·p unless decoupled); decoupled (AdamW): p ·= 1 − lr·wd;
//         m = β1·m + (1 − β1)·g; v = β2·v + (1 − β2)·g²;
//         p −= (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)

import { splitLo } from "./util";

// @ts-ignore: decorator
@inline function lo4(n: i32, tid: i32, nth: i32): i32 {
  return splitLo(n >> 2, tid, nth) << 2;
}

// @ts-ignore: decorator
@inline function hi4(n: i32, tid: i32, nth: i32): i32 {
  return tid == nth - 1 ? n : splitLo(n >> 2, tid + 1, nth) << 2;
}

/** param, grad, buf: (n); buf unused when momentum is 0. */
export function sgdStep(
  tid: i32,
  nth: i32,
  param: usize,
  grad: usize,
  buf: usize,
  n: i32,
  lr: f64,
  momentum: f64,
  dampening: f64,
  wd: f64,
  nesterov: bool,
  first: bool,
): void {
  const lo = lo4(n, tid, nth), hi = hi4(n, tid, nth);
  const lrF = <f32> lr, mu = <f32> momentum, damp = <f32> (1 - dampening), wdF = <f32> wd;
  for (let i = lo; i < hi; i++) {
    const q = <usize> i << 2;
    const pv = load<f32>(param + q);
    let g = load<f32>(grad + q) + wdF * pv;
    if (mu != 0) {
      const b = first ? g : mu * load<f32>(buf + q) + damp * g;
      store<f32>(buf + q, b);
      g = nesterov ? g + mu * b : b;
    }
    store<f32>(param + q, pv - lrF * g);
  }
}

/** param, grad, m, v: (n); `step` counts from 1. */
export function adamStep(
  tid: i32,
  nth: i32,
  param: usize,
  grad: usize,
  m: usize,
  v: usize,
  n: i32,
  lr: f64,
  beta1: f64,
  beta2: f64,
  eps: f64,
  wd: f64,
  step: i32,
  decoupled: bool,
): void {
  const lo = lo4(n, tid, nth), hi = hi4(n, tid, nth);
  const bc1 = 1 - Math.pow(beta1, <f64> step), bc2 = 1 - Math.pow(beta2, <f64> step);
  const stepSize = <f32> (lr / bc1), invSqrtBc2 = <f32> (1 / Math.sqrt(bc2));
  const b1 = <f32> beta1, b2 = <f32> beta2, epsF = <f32> eps, wdF = <f32> wd;
  const decay = <f32> (1 - lr * wd);
  for (let i = lo; i < hi; i++) {
    const q = <usize> i << 2;
    let pv = load<f32>(param + q);
    let g = load<f32>(grad + q);
    if (decoupled) pv *= decay;
    else g += wdF * pv;
    const mv = b1 * load<f32>(m + q) + (1 - b1) * g;
    const vv = b2 * load<f32>(v + q) + (1 - b2) * g * g;
    store<f32>(m + q, mv);
    store<f32>(v + q, vv);
    store<f32>(param + q, pv - stepSize * mv / (Mathf.sqrt(vv) * invSqrtBc2 + epsF));
  }
}
