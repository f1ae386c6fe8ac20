// Stride-2 convolution from column-phase planes, one image at a time: forward, data gradient and
// filter gradient without im2col; matches kernels/ref/conv2d.ts (conv2dForward,
// conv2dBackwardData, conv2dBackwardFilter), x[n, c, 2i + kh − p, 2j + kw − p], zero outside.
//
// Output column j reads padded column z = 2j + kw. Splitting the padded image's columns by
// parity into two planes, planes[c, y, r, m] = xpad[c, y, 2m + r], turns that into plane
// kw mod 2 at column j + ⌊kw / 2⌋: consecutive outputs read consecutive floats, so every tap is
// a plain v128 load, driven by one flat table of tap offsets (no short (c, kh, kw) loops).
//   forward  out[f, i, j … j + 8) = b[f] + Σ_k w[f, k] · planes[tap k at row 2i, j + ⌊kw / 2⌋ …]
//            tiles of 5 filters × 8 columns (10 accumulators), weights packed as the GEMM's A.
//   filter   dw[f, k] += Σ_(i, j) dout[f, i, j] · planes[tap k at row 2i, j + ⌊kw / 2⌋]
//            tiles of 5 filters × 2 taps, summed lane-wise into f32x4 partials whose lanes are
//            added once per image chunk.
//   data     dx[c, y − p, 2m + r − p] = Σ_(f, kh ≡ y, kw ≡ r) w[f, c, kh, kw] · dout[f, ho, m − q]
//            (y = 2·ho + kh, kw = 2q + r): tiles of 3 channels × 8 columns m, both phases, whose
//            sums are zipped into 16 consecutive dx columns; dout is copied with zero margins so
//            every tap reads in bounds.
// Each path runs only where it measured faster than im2col + GEMM (the *Fits functions);
// conv2d.ts chooses.

import { madd } from "./gemm";
import { bytes64, up } from "./util";

// ---- planes ----

/** Floats per plane row: the WO columns of whole vectors plus ⌊(KW − 1) / 2⌋. */
// @ts-ignore: decorator
@inline function planeWidth(KW: i32, WO: i32): i32 {
  return up(WO + (KW - 1) / 2, 4);
}

/** Padded rows the taps read: 2·(HO − 1) + KH. */
// @ts-ignore: decorator
@inline function planeRows(KH: i32, HO: i32): i32 {
  return 2 * (HO - 1) + KH;
}

/** Bytes of one image's planes (C, Hr, 2, PW). */
// @ts-ignore: decorator
@inline function planeBytes(C: i32, KH: i32, KW: i32, HO: i32, WO: i32): usize {
  return bytes64(C * planeRows(KH, HO) * 2 * planeWidth(KW, WO));
}

/**
 * planes: (C, Hr, 2, PW), planes[c, y, r, m] = xpad[c, y, 2m + r] for the image x: (C, H, W)
 * zero-padded by `pad`, for the padded rows y < Hr and columns m < PW. Every image of a shape
 * writes the same positions, so the zeros around them need writing only `first`.
 */
function phasePlanes(dst: usize, x: usize, C: i32, H: i32, W: i32, pad: i32, Hr: i32, PW: i32, first: bool): void {
  if (first) memory.fill(dst, 0, <usize> (C * Hr * 2 * PW) << 2);
  const rows = min(H, Hr - pad), cols = min(W, 2 * PW - pad); // image column col: m = (col + pad) / 2 < PW
  const r0 = pad & 1; // the plane of even image columns
  for (let c = 0; c < C; c++) {
    for (let h = 0; h < rows; h++) {
      const row = dst + (<usize> ((c * Hr + h + pad) * 2 * PW) << 2);
      const src = x + (<usize> ((c * H + h) * W) << 2);
      // eight columns at a time: the even ones are four of one plane, the odd ones of the other
      const even = row + (<usize> (r0 * PW + (pad >> 1)) << 2);
      const odd = row + (<usize> ((r0 ^ 1) * PW + ((pad + 1) >> 1)) << 2);
      let col = 0;
      for (; col + 8 <= cols; col += 8) {
        const l0 = v128.load(src + (<usize> col << 2)), l1 = v128.load(src + (<usize> col << 2), 16);
        v128.store(even + (<usize> col << 1), i32x4.shuffle(l0, l1, 0, 2, 4, 6));
        v128.store(odd + (<usize> col << 1), i32x4.shuffle(l0, l1, 1, 3, 5, 7));
      }
      for (; col < cols; col++) {
        const at = (col & 1) == 0 ? even : odd;
        store<f32>(at + (<usize> (col >> 1) << 2), load<f32>(src + (<usize> col << 2)));
      }
    }
  }
}

/** tab: K i32, the byte offset of tap k = (c, kh, kw) in the planes, from output row 0. */
function tapTable(tab: usize, C: i32, KH: i32, KW: i32, Hr: i32, PW: i32): void {
  let k = 0;
  for (let c = 0; c < C; c++) {
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) {
        store<i32>(tab + (<usize> k << 2), (((c * Hr + kh) * 2 + (kw & 1)) * PW + (kw >> 1)) << 2);
        k++;
      }
    }
  }
}

// ---- forward ----

/**
 * Whether the forward runs here: stride 2, whole 8-column tiles, and a short reduction (the
 * GEMM wins past it). 2 threads, ms (im2col + GEMM → here): x (100,3,31,31) w (25,3,3,3)
 * p1 0.59 → 0.53 (job only); (64,8,31,31) (16,8,3,3) p1 0.94 → 0.87; (64,4,33,33) (16,4,3,3)
 * 0.52 → 0.49; but (64,32,15,15) (64,32,3,3) p1 1.98 → 2.14 and 17-wide outputs lose.
 */
export function stride2ForwardFits(s: i32, C: i32, KH: i32, KW: i32, WO: i32): bool {
  return s == 2 && WO % 8 == 0 && C * KH * KW <= 80;
}

/** Per-thread scratch bytes of `stride2Forward`. */
export function stride2ForwardScratch(C: i32, KH: i32, KW: i32, F: i32, HO: i32, WO: i32): usize {
  const K = C * KH * KW;
  return planeBytes(C, KH, KW, HO, WO) + bytes64(up(F, 5) * K) + bytes64(K);
}

/**
 * out: (count, F, HO, WO) = conv(x: (count, C, H, W), w: (F, C, KH, KW)) + b: (F), stride 2.
 * `scratch` is `stride2ForwardScratch` bytes.
 */
export function stride2Forward(
  out: usize,
  x: usize,
  w: usize,
  b: usize,
  count: i32,
  C: i32,
  H: i32,
  W: i32,
  F: i32,
  KH: i32,
  KW: i32,
  pad: i32,
  HO: i32,
  WO: i32,
  scratch: usize,
): void {
  const K = C * KH * KW, PW = planeWidth(KW, WO), Hr = planeRows(KH, HO);
  const planes = scratch, wp = planes + planeBytes(C, KH, KW, HO, WO);
  const tab = wp + bytes64(up(F, 5) * K);
  // wp: (⌈F/5⌉, K, 5), the GEMM's packed A layout: four weights by one v128 load, one splat
  for (let f0 = 0; f0 < F; f0 += 5) {
    for (let k = 0; k < K; k++) {
      for (let i = 0; i < 5; i++) {
        const v: f32 = f0 + i < F ? load<f32>(w + (<usize> ((f0 + i) * K + k) << 2)) : 0;
        store<f32>(wp + (<usize> (f0 * K + 5 * k + i) << 2), v);
      }
    }
  }
  tapTable(tab, C, KH, KW, Hr, PW);
  const rowStep = <usize> (4 * PW) << 2; // output row i + 1 reads two padded rows further
  const tabEnd = tab + (<usize> K << 2), fs = <usize> (HO * WO) << 2;
  for (let n = 0; n < count; n++) {
    phasePlanes(planes, x + (<usize> n * <usize> (C * H * W) << 2), C, H, W, pad, Hr, PW, n == 0);
    const on = out + (<usize> n * <usize> (F * HO * WO) << 2);
    for (let i = 0; i < HO; i++) {
      const base = planes + <usize> i * rowStep;
      for (let f0 = 0; f0 < F; f0 += 5) {
        const wb = wp + (<usize> (f0 * K) << 2);
        for (let j0 = 0; j0 < WO; j0 += 8) {
          let a00 = f32x4.splat(0), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00;
          let a30 = a00, a31 = a00, a40 = a00, a41 = a00;
          const src0 = base + (<usize> j0 << 2);
          let t = tab, wk = wb;
          while (t < tabEnd) {
            const src = src0 + <usize> load<i32>(t);
            const x0 = v128.load(src), x1 = v128.load(src, 16);
            const w4 = v128.load(wk);
            let wv = i32x4.shuffle(w4, w4, 0, 0, 0, 0);
            a00 = madd(wv, x0, a00);
            a01 = madd(wv, x1, a01);
            wv = i32x4.shuffle(w4, w4, 1, 1, 1, 1);
            a10 = madd(wv, x0, a10);
            a11 = madd(wv, x1, a11);
            wv = i32x4.shuffle(w4, w4, 2, 2, 2, 2);
            a20 = madd(wv, x0, a20);
            a21 = madd(wv, x1, a21);
            wv = i32x4.shuffle(w4, w4, 3, 3, 3, 3);
            a30 = madd(wv, x0, a30);
            a31 = madd(wv, x1, a31);
            wv = v128.load32_splat(wk, 16);
            a40 = madd(wv, x0, a40);
            a41 = madd(wv, x1, a41);
            t += 4;
            wk += 20;
          }
          const o = on + (<usize> (f0 * HO * WO + i * WO + j0) << 2);
          storeBiased(o, a00, a01, b, f0);
          if (f0 + 1 < F) storeBiased(o + fs, a10, a11, b, f0 + 1);
          if (f0 + 2 < F) storeBiased(o + 2 * fs, a20, a21, b, f0 + 2);
          if (f0 + 3 < F) storeBiased(o + 3 * fs, a30, a31, b, f0 + 3);
          if (f0 + 4 < F) storeBiased(o + 4 * fs, a40, a41, b, f0 + 4);
        }
      }
    }
  }
}

/** dst[0 … 8) = b[f] + (v0, v1). */
// @ts-ignore: decorator
@inline function storeBiased(dst: usize, v0: v128, v1: v128, b: usize, f: i32): void {
  const bias = v128.load32_splat(b + (<usize> f << 2));
  v128.store(dst, f32x4.add(bias, v0));
  v128.store(dst, f32x4.add(bias, v1), 16);
}

// ---- filter gradient ----

/**
 * Whether a small (image-chunked) filter gradient runs here: stride 2 and whole-vector output
 * rows. 2 threads, ms (im2colᵀ + GEMM → here): x (100,3,31,31) w (25,3,3,3) p1 0.74 → 0.64
 * (job only); (64,4,33,33) (16,4,3,3) 0.73 → 0.61; (64,8,31,31) (16,8,3,3) p1 1.16 → 1.05; but
 * 17-wide outputs lose ((100,3,33,33) (64,3,3,3) p1 2.45 → 2.87).
 */
export function stride2FilterFits(s: i32, WO: i32): bool {
  return s == 2 && WO % 4 == 0;
}

/** Per-thread scratch bytes of `stride2FilterImage`, its f32x4 partials included. */
export function stride2FilterScratch(C: i32, KH: i32, KW: i32, F: i32, HO: i32, WO: i32): usize {
  const K = C * KH * KW;
  return planeBytes(C, KH, KW, HO, WO) + bytes64(K) + bytes64(4 * F * K);
}

/** The f32x4 partials (F, K) inside `stride2FilterScratch`. */
export function stride2FilterPartials(scratch: usize, C: i32, KH: i32, KW: i32, HO: i32, WO: i32): usize {
  return scratch + planeBytes(C, KH, KW, HO, WO) + bytes64(C * KH * KW);
}

/**
 * V: (F, K) f32x4 += one image's products, lane l summing the output columns j ≡ l (mod 4):
 * V[f, k] += Σ_(i, j) dout_n[f, i, j] · x tap k at (i, j), x_n: (C, H, W), dout_n: (F, HO, WO).
 * `scratch` is `stride2FilterScratch` bytes (V inside it); `first` (the first image since the
 * scratch was used otherwise) builds the tap table and zeroes the planes.
 */
export function stride2FilterImage(
  dout: usize,
  x: usize,
  C: i32,
  H: i32,
  W: i32,
  F: i32,
  KH: i32,
  KW: i32,
  pad: i32,
  HO: i32,
  WO: i32,
  scratch: usize,
  first: bool,
): void {
  const K = C * KH * KW, PW = planeWidth(KW, WO), Hr = planeRows(KH, HO);
  const planes = scratch, tab = planes + planeBytes(C, KH, KW, HO, WO), V = tab + bytes64(K);
  if (first) tapTable(tab, C, KH, KW, Hr, PW);
  phasePlanes(planes, x, C, H, W, pad, Hr, PW, first);
  const rowStep = <usize> (4 * PW) << 2, dRow = <usize> WO << 2;
  const dFilt = <usize> (HO * WO) << 2, fk = <usize> K << 4;
  for (let f0 = 0; f0 < F; f0 += 5) {
    // filters past F repeat the last one; their sums are not stored
    const d0 = dout + <usize> f0 * dFilt, d1 = dout + <usize> min(f0 + 1, F - 1) * dFilt;
    const d2 = dout + <usize> min(f0 + 2, F - 1) * dFilt, d3 = dout + <usize> min(f0 + 3, F - 1) * dFilt;
    const d4 = dout + <usize> min(f0 + 4, F - 1) * dFilt;
    for (let k0 = 0; k0 < K; k0 += 2) {
      const o0 = <usize> load<i32>(tab + (<usize> k0 << 2));
      const o1 = <usize> load<i32>(tab + (<usize> min(k0 + 1, K - 1) << 2));
      let a00 = f32x4.splat(0), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00;
      let a30 = a00, a31 = a00, a40 = a00, a41 = a00;
      for (let i = 0; i < HO; i++) {
        const xb = planes + <usize> i * rowStep;
        let p = xb + o0, q = xb + o1, e = <usize> i * dRow;
        const end = p + dRow;
        while (p < end) {
          const x0 = v128.load(p), x1 = v128.load(q);
          let dv = v128.load(d0 + e);
          a00 = madd(dv, x0, a00);
          a01 = madd(dv, x1, a01);
          dv = v128.load(d1 + e);
          a10 = madd(dv, x0, a10);
          a11 = madd(dv, x1, a11);
          dv = v128.load(d2 + e);
          a20 = madd(dv, x0, a20);
          a21 = madd(dv, x1, a21);
          dv = v128.load(d3 + e);
          a30 = madd(dv, x0, a30);
          a31 = madd(dv, x1, a31);
          dv = v128.load(d4 + e);
          a40 = madd(dv, x0, a40);
          a41 = madd(dv, x1, a41);
          p += 16;
          q += 16;
          e += 16;
        }
      }
      const v0 = V + (<usize> (f0 * K + k0) << 4), two = k0 + 1 < K;
      addPair(v0, a00, a01, two);
      if (f0 + 1 < F) addPair(v0 + fk, a10, a11, two);
      if (f0 + 2 < F) addPair(v0 + 2 * fk, a20, a21, two);
      if (f0 + 3 < F) addPair(v0 + 3 * fk, a30, a31, two);
      if (f0 + 4 < F) addPair(v0 + 4 * fk, a40, a41, two);
    }
  }
}

/** v[0] += a and, with `two`, v[1] += b (consecutive f32x4 partials). */
// @ts-ignore: decorator
@inline function addPair(v: usize, a: v128, b: v128, two: bool): void {
  v128.store(v, f32x4.add(v128.load(v), a));
  if (two) v128.store(v, f32x4.add(v128.load(v, 16), b), 16);
}

/** dst: (n floats) = the lane sums (l0 + l1) + (l2 + l3) of the n f32x4 partials at V. */
export function sumLanes(dst: usize, V: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const v = v128.load(V + (<usize> i << 4));
    const lo = f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1);
    store<f32>(dst + (<usize> i << 2), lo + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3)));
  }
}

// ---- data gradient ----

// Both phases r of a padded dx row run over the same columns m ∈ [mLo, mHi): phase r's image
// columns are those with 0 ≤ 2m + r − pad < W, and the range covers both, in whole 8-column
// tiles. D, dout with zero margins, spans dout rows [dLo, dLo + dRows) (padded row y reads rows
// ⌊y / 2⌋ − t, t ≤ ⌊(KH − 1) / 2⌋) and holds dout column j at j + Q, Q = ⌊(KW − 1) / 2⌋ (tiles
// read columns m − q, q ≤ Q). (Plain functions: the kernels' stub runtime never frees objects.)

/** The first column m of either phase inside the image. */
// @ts-ignore: decorator
@inline function mLo(pad: i32): i32 {
  return pad >> 1; // phase 1 starts there, phase 0 at ⌈pad / 2⌉
}

/** One past the last column m of either phase inside the image. */
// @ts-ignore: decorator
@inline function mHi(W: i32, pad: i32): i32 {
  return ((pad + W - 1) >> 1) + 1; // phase 0 ends there, phase 1 at ⌊(pad + W − 2) / 2⌋ + 1
}

/** D's first dout row (≤ 0). */
// @ts-ignore: decorator
@inline function dLo(KH: i32, pad: i32): i32 {
  return min(0, (pad >> 1) - (KH - 1) / 2);
}

/** D's rows. */
// @ts-ignore: decorator
@inline function dRows(H: i32, KH: i32, pad: i32, HO: i32): i32 {
  return max(HO - 1, (pad + H - 1) >> 1) - dLo(KH, pad) + 1;
}

/** Floats per row of D. */
// @ts-ignore: decorator
@inline function dWidth(W: i32, KW: i32, pad: i32, WO: i32): i32 {
  return up(max(mHi(W, pad), WO) + (KW - 1) / 2, 4);
}

/**
 * Whether every tap of every dx value inside the image reads a dout value inside dout: then
 * the tiles can read dout in place (its out-of-range reads feed only the lanes outside the
 * image, which are dropped) instead of a zero-margined copy. True for the usual odd sizes with
 * pad = (K − 1) / 2, e.g. x (100,3,31,31) w (25,3,3,3) p1.
 */
function readsInside(H: i32, W: i32, KH: i32, KW: i32, pad: i32, HO: i32, WO: i32): bool {
  // rows: padded row y reads dout rows ⌊y / 2⌋ − t, t = 0 … ⌊(KH − 1 − y mod 2) / 2⌋
  for (let y = pad; y < pad + H; y++) {
    const last = KH - 1 - (y & 1);
    if (last < 0) continue;
    if ((y >> 1) - (last >> 1) < 0 || (y >> 1) > HO - 1) return false;
  }
  // columns: phase r's columns m inside the image read m − q, q = 0 … ⌊(KW − 1 − r) / 2⌋
  for (let r = 0; r < 2; r++) {
    const last = KW - 1 - r;
    if (last < 0) continue;
    const lo = (pad - r + 1) >> 1, hi = ((pad + W - 1 - r) >> 1) + 1; // [lo, hi) inside
    if (hi > lo && (lo - (last >> 1) < 0 || hi - 1 > WO - 1)) return false;
  }
  return true;
}

/**
 * Whether the data gradient runs here: stride 2, whole 8-column tiles, few channels. 2 threads,
 * ms (GEMM + col2im → here): x (100,3,31,31) w (25,3,3,3) p1 0.74 → 0.56 (job only);
 * (64,8,31,31) (16,8,3,3) p1 1.09 → 0.87; (64,32,15,15) (64,32,3,3) p1 2.36 → 2.14; but
 * (32,64,31,31) (128,64,3,3) p1 14.9 → 17.0, and partial tiles lose ((64,4,33,33) (16,4,3,3)
 * 0.63 → 0.84).
 */
export function stride2DataFits(s: i32, C: i32, W: i32, pad: i32): bool {
  return s == 2 && C <= 32 && (mHi(W, pad) - mLo(pad)) % 8 == 0;
}

/** Per-thread scratch bytes of `stride2Data`. */
export function stride2DataScratch(C: i32, H: i32, W: i32, F: i32, KH: i32, KW: i32, pad: i32, HO: i32, WO: i32): usize {
  const taps = F * KH * KW;
  return bytes64(F * dRows(H, KH, pad, HO) * dWidth(W, KW, pad, WO)) + bytes64(taps) +
    bytes64(((C + 2) / 3) * taps * 4) + bytes64(8) + bytes64(48);
}

/**
 * dx: (count, C, H, W) += the data gradient of dout: (count, F, HO, WO) through w:
 * (F, C, KH, KW), stride 2 (with `clear`, dx = it: each image is zeroed just before its rows
 * are added). `scratch` is `stride2DataScratch` bytes.
 */
export function stride2Data(
  dx: usize,
  dout: usize,
  w: usize,
  count: i32,
  C: i32,
  H: i32,
  W: i32,
  F: i32,
  KH: i32,
  KW: i32,
  pad: i32,
  HO: i32,
  WO: i32,
  scratch: usize,
  clear: bool,
): void {
  // dout is read in place when no kept column reads outside it (D's geometry is then dout's)
  const direct = readsInside(H, W, KH, KW, pad, HO, WO);
  const DR = direct ? HO : dRows(H, KH, pad, HO), DW = direct ? WO : dWidth(W, KW, pad, WO);
  const Q = direct ? 0 : (KW - 1) / 2, lo = direct ? 0 : dLo(KH, pad);
  const taps = F * KH * KW, KK = KH * KW;
  const D = scratch, tab = D + bytes64(F * DR * DW), wpk = tab + bytes64(taps);
  const index = wpk + bytes64(((C + 2) / 3) * taps * 4), tile = index + bytes64(8);
  // For each row parity ry and phase r, the taps (f, kh = ry + 2t, kw = r + 2q) in that order:
  // the byte offset of dout[f, ⌊y / 2⌋ − t, m − q] from D's (⌊y / 2⌋, m), and per block of
  // three channels their weights (and a zero) as one v128; index holds each list's [start, end).
  let e = 0;
  for (let ry = 0; ry < 2; ry++) {
    for (let r = 0; r < 2; r++) {
      store<i32>(index + (<usize> (ry * 2 + r) << 3), e);
      for (let f = 0; f < F; f++) {
        for (let kh = ry; kh < KH; kh += 2) {
          for (let kw = r; kw < KW; kw += 2) {
            store<i32>(tab + (<usize> e << 2), ((f * DR - (kh >> 1)) * DW - (kw >> 1)) << 2);
            for (let cb = 0; cb < C; cb += 3) {
              const to = wpk + (<usize> (((cb / 3) * taps + e) * 4) << 2);
              for (let i = 0; i < 4; i++) {
                const c = cb + i, at = w + (<usize> ((f * C + c) * KK + kh * KW + kw) << 2);
                store<f32>(to + (<usize> i << 2), i < 3 && c < C ? load<f32>(at) : 0);
              }
            }
            e++;
          }
        }
      }
      store<i32>(index + (<usize> (ry * 2 + r) << 3), e, 4);
    }
  }
  // the margins stay zero across images; each image copies its rows inside them
  if (!direct) memory.fill(D, 0, <usize> (F * DR * DW) << 2);
  const P = HO * WO, CHW = C * H * W, m0lo = mLo(pad), m0hi = mHi(W, pad);
  for (let n = 0; n < count; n++) {
    const dn = dout + (<usize> n * <usize> (F * P) << 2);
    const src = direct ? dn : D;
    for (let f = 0; f < F && !direct; f++) {
      for (let i = 0; i < HO; i++) {
        const to = D + (<usize> ((f * DR + i - lo) * DW + Q) << 2), from = dn + (<usize> ((f * HO + i) * WO) << 2);
        let j = 0;
        for (; j + 4 <= WO; j += 4) v128.store(to + (<usize> j << 2), v128.load(from + (<usize> j << 2)));
        for (; j < WO; j++) store<f32>(to + (<usize> j << 2), load<f32>(from + (<usize> j << 2)));
      }
    }
    const dxn = dx + (<usize> n * <usize> CHW << 2);
    if (clear) memory.fill(dxn, 0, <usize> CHW << 2);
    for (let y = pad; y < pad + H; y++) {
      const ry = y & 1, h = y - pad;
      const rowBase = src + (<usize> (((y >> 1) - lo) * DW + Q) << 2);
      const lists = index + (<usize> ry << 4); // (start, end) of phase 0, then of phase 1
      for (let cb = 0; cb < C; cb += 3) {
        const wb = wpk + (<usize> ((cb / 3) * taps * 4) << 2);
        for (let m0 = m0lo; m0 < m0hi; m0 += 8) {
          const base = rowBase + (<usize> m0 << 2);
          phaseTile(tile, base, tab, wb, load<i32>(lists), load<i32>(lists, 4));
          phaseTile(tile + 96, base, tab, wb, load<i32>(lists, 8), load<i32>(lists, 12));
          const col0 = 2 * m0 - pad; // dx column of (m0, phase 0)
          for (let i = 0; i < min(3, C - cb); i++) {
            const dRow = dxn + (<usize> (((cb + i) * H + h) * W) << 2);
            const e0 = v128.load(tile + (<usize> i << 5)), e1 = v128.load(tile + (<usize> i << 5), 16);
            const o0 = v128.load(tile + (<usize> i << 5), 96), o1 = v128.load(tile + (<usize> i << 5), 112);
            addFour(dRow, col0, W, i32x4.shuffle(e0, o0, 0, 4, 1, 5));
            addFour(dRow, col0 + 4, W, i32x4.shuffle(e0, o0, 2, 6, 3, 7));
            addFour(dRow, col0 + 8, W, i32x4.shuffle(e1, o1, 0, 4, 1, 5));
            addFour(dRow, col0 + 12, W, i32x4.shuffle(e1, o1, 2, 6, 3, 7));
          }
        }
      }
    }
  }
}

/**
 * One data tile: T (3 channels × 8 floats) = Σ over the taps [e0, e1) of the channel block's
 * weights (wb: its packed weights from tap 0) × the 8 D values at base + the tap's offset.
 */
// @ts-ignore: decorator
@inline function phaseTile(T: usize, base: usize, tab: usize, wb: usize, e0: i32, e1: i32): void {
  let a00 = f32x4.splat(0), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00;
  let t = tab + (<usize> e0 << 2), wq = wb + (<usize> e0 << 4);
  const tEnd = tab + (<usize> e1 << 2);
  while (t < tEnd) {
    const p = base + <usize> load<i32>(t);
    const d0 = v128.load(p), d1 = v128.load(p, 16);
    const w4 = v128.load(wq);
    let wv = i32x4.shuffle(w4, w4, 0, 0, 0, 0);
    a00 = madd(wv, d0, a00);
    a01 = madd(wv, d1, a01);
    wv = i32x4.shuffle(w4, w4, 1, 1, 1, 1);
    a10 = madd(wv, d0, a10);
    a11 = madd(wv, d1, a11);
    wv = i32x4.shuffle(w4, w4, 2, 2, 2, 2);
    a20 = madd(wv, d0, a20);
    a21 = madd(wv, d1, a21);
    t += 4;
    wq += 16;
  }
  v128.store(T, a00);
  v128.store(T, a01, 16);
  v128.store(T, a10, 32);
  v128.store(T, a11, 48);
  v128.store(T, a20, 64);
  v128.store(T, a21, 80);
}

/** row[col … col + 4) += v, the lanes outside [0, W) dropped. */
// @ts-ignore: decorator
@inline function addFour(row: usize, col: i32, W: i32, v: v128): void {
  const at = row + (<usize> col << 2);
  if (col >= 0 && col + 4 <= W) {
    v128.store(at, f32x4.add(v128.load(at), v));
    return;
  }
  if (col >= 0 && col < W) store<f32>(at, load<f32>(at) + f32x4.extract_lane(v, 0));
  if (col + 1 >= 0 && col + 1 < W) store<f32>(at, load<f32>(at, 4) + f32x4.extract_lane(v, 1), 4);
  if (col + 2 >= 0 && col + 2 < W) store<f32>(at, load<f32>(at, 8) + f32x4.extract_lane(v, 2), 8);
  if (col + 3 >= 0 && col + 3 < W) store<f32>(at, load<f32>(at, 12) + f32x4.extract_lane(v, 3), 12);
}
