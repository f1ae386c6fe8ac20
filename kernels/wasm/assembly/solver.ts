// The Part 1 Solver's kernels: rmsprop's update and the sum of squares behind L2
// regularisation. Match kernels/ref/optim.ts (rmspropStep) and kernels/ref/elementwise.ts
// (sumOfSquares). rmsprop splits elements over threads in blocks of 4 (f32x4 main loop, scalar
// tail); the sum of squares runs on one thread and accumulates in float64 (f64x2 lanes).

import { splitLo } from "./util";

/** w, g, cache: (n).  cache = ρ·cache + (1 − ρ)·g²;  w −= lr·g / (√cache + ε) */
export function rmspropStep(
  tid: i32,
  nth: i32,
  w: usize,
  g: usize,
  cache: usize,
  n: i32,
  lr: f32,
  decayRate: f32,
  eps: f32,
): void {
  const lo = splitLo(n >> 2, tid, nth) << 2;
  const hi = tid == nth - 1 ? n : splitLo(n >> 2, tid + 1, nth) << 2;
  const rho = f32x4.splat(decayRate), keep = f32x4.splat(1 - decayRate);
  const rate = f32x4.splat(lr), epsilon = f32x4.splat(eps);
  let i = lo;
  for (; i + 4 <= hi; i += 4) {
    const q = <usize> i << 2;
    const gv = v128.load(g + q);
    const c = f32x4.add(f32x4.mul(rho, v128.load(cache + q)), f32x4.mul(keep, f32x4.mul(gv, gv)));
    v128.store(cache + q, c);
    const step = f32x4.div(f32x4.mul(rate, gv), f32x4.add(f32x4.sqrt(c), epsilon));
    v128.store(w + q, f32x4.sub(v128.load(w + q), step));
  }
  for (; i < hi; i++) {
    const q = <usize> i << 2;
    const gs = load<f32>(g + q);
    const c = decayRate * load<f32>(cache + q) + (1 - decayRate) * gs * gs;
    store<f32>(cache + q, c);
    store<f32>(w + q, load<f32>(w + q) - lr * gs / (Mathf.sqrt(c) + eps));
  }
}

/** Returns Σ x[i]² in float64.  x: (n) */
export function sumOfSquares(x: usize, n: i32): f64 {
  let acc0 = f64x2.splat(0), acc1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize> i << 2));
    const lo = f64x2.promote_low_f32x4(v);
    const hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
    acc0 = f64x2.add(acc0, f64x2.mul(lo, lo));
    acc1 = f64x2.add(acc1, f64x2.mul(hi, hi));
  }
  const acc = f64x2.add(acc0, acc1);
  let sum = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; i < n; i++) {
    const v = <f64> load<f32>(x + (<usize> i << 2));
    sum += v * v;
  }
  return sum;
}
