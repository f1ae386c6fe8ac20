// Inverted dropout forward and backward; matches kernels/ref/dropout.ts (dropoutForward,
// dropoutBackward) bit for bit on float32: element i is kept when
// hash32(seed, i) = fmix32(i · 0x9E3779B9 + seed) ≥ T, where T = ⌈p · 2³²⌉ (so the integer test
// equals the reference's hash ≥ p · 2³²; T = 2³² keeps nothing), and the kept output is
// x · (1/(1 − p)) rounded once from float64, as the reference stores it. The hash runs on four
// lanes at once (i32x4 multiply, shift, xor). Elements split over threads in blocks of 4.

import { splitLo } from "./util";

const GOLDEN: u32 = 0x9e3779b9;
const M1: u32 = 0x85ebca6b;
const M2: u32 = 0xc2b2ae35;

// MurmurHash3's fmix32 of i · 0x9E3779B9 + seed, one lane.
// @ts-ignore: decorator
@inline
function hash(seed: u32, i: u32): u32 {
  let h = i * GOLDEN + seed;
  h ^= h >>> 16;
  h *= M1;
  h ^= h >>> 13;
  h *= M2;
  h ^= h >>> 16;
  return h;
}

// The same hash on four lanes of indices.
// @ts-ignore: decorator
@inline
function hash4(seed: v128, idx: v128): v128 {
  let h = i32x4.add(i32x4.mul(idx, i32x4.splat(GOLDEN)), seed);
  h = v128.xor(h, i32x4.shr_u(h, 16));
  h = i32x4.mul(h, i32x4.splat(M1));
  h = v128.xor(h, i32x4.shr_u(h, 13));
  h = i32x4.mul(h, i32x4.splat(M2));
  return v128.xor(h, i32x4.shr_u(h, 16));
}

/**
 * out = x · mask, mask = 0 or 1/(1 − p).  out, mask, x: (n)  T = ⌈p · 2³²⌉ as u32 unless
 * keepNone (T = 2³²)  scale = 1/(1 − p) in float64.
 */
export function dropoutForward(
  tid: i32,
  nth: i32,
  out: usize,
  mask: usize,
  x: usize,
  n: i32,
  seed: u32,
  T: u32,
  keepNone: bool,
  scale: f64,
): void {
  const lo = splitLo(n >> 2, tid, nth) << 2;
  const hi = tid == nth - 1 ? n : splitLo(n >> 2, tid + 1, nth) << 2;
  const scale32 = <f32> scale;
  const sv = f64x2.splat(scale), mv = f32x4.splat(scale32);
  const seedv = i32x4.splat(seed), tv = i32x4.splat(T);
  const none = keepNone ? i32x4.splat(0) : i32x4.splat(-1);
  let idx = i32x4(lo, lo + 1, lo + 2, lo + 3);
  const four = i32x4.splat(4);
  let i = lo;
  for (; i + 4 <= hi; i += 4) {
    const q = <usize> i << 2;
    const keep = v128.and(i32x4.ge_u(hash4(seedv, idx), tv), none);
    const v = v128.load(x + q);
    const a = f32x4.demote_f64x2_zero(f64x2.mul(f64x2.promote_low_f32x4(v), sv));
    const hiHalf = v128.shuffle<f32>(v, v, 2, 3, 2, 3);
    const b = f32x4.demote_f64x2_zero(f64x2.mul(f64x2.promote_low_f32x4(hiHalf), sv));
    v128.store(out + q, v128.and(v128.shuffle<f32>(a, b, 0, 1, 4, 5), keep));
    v128.store(mask + q, v128.and(mv, keep));
    idx = i32x4.add(idx, four);
  }
  for (; i < hi; i++) {
    const q = <usize> i << 2;
    const keep = !keepNone && hash(seed, <u32> i) >= T;
    store<f32>(mask + q, keep ? scale32 : 0);
    store<f32>(out + q, keep ? <f32> (<f64> load<f32>(x + q) * scale) : 0);
  }
}

/** dx += dout · mask.  dx, dout, mask: (n) */
export function dropoutBackward(
  tid: i32,
  nth: i32,
  dx: usize,
  dout: usize,
  mask: usize,
  n: i32,
): void {
  const lo = splitLo(n >> 2, tid, nth) << 2;
  const hi = tid == nth - 1 ? n : splitLo(n >> 2, tid + 1, nth) << 2;
  let i = lo;
  for (; i + 4 <= hi; i += 4) {
    const q = <usize> i << 2;
    const g = f32x4.mul(v128.load(dout + q), v128.load(mask + q));
    v128.store(dx + q, f32x4.add(v128.load(dx + q), g));
  }
  for (; i < hi; i++) {
    const q = <usize> i << 2;
    store<f32>(dx + q, load<f32>(dx + q) + load<f32>(dout + q) * load<f32>(mask + q));
  }
}
