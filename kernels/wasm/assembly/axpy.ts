// y += α·x over a flat array; matches kernels/ref/axpy.ts (axpy). Elements split over threads
// in blocks of 4, f32x4 main loop with a scalar tail.

import { splitLo } from "./util";

/** y += alpha · x.  y, x: (n) */
export function axpy(tid: i32, nth: i32, y: usize, x: usize, alpha: f32, n: i32): void {
  const lo = splitLo(n >> 2, tid, nth) << 2;
  const hi = tid == nth - 1 ? n : splitLo(n >> 2, tid + 1, nth) << 2;
  const a = f32x4.splat(alpha);
  let i = lo;
  for (; i + 4 <= hi; i += 4) {
    const q = <usize> i << 2;
    v128.store(y + q, f32x4.add(v128.load(y + q), f32x4.mul(a, v128.load(x + q))));
  }
  for (; i < hi; i++) {
    const q = <usize> i << 2;
    store<f32>(y + q, load<f32>(y + q) + alpha * load<f32>(x + q));
  }
}
