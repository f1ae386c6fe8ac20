// The fused first layer of the homework's Part 1 ConvNets: conv – 2×2 max-pool – relu (equal
// to conv – relu – pool, relu being monotonic), forward and filter gradient; matches
// kernels/ref/conv_pool_relu.ts (convPoolRelu2dForward, convPoolRelu2dBackwardFilter).
//
// The (F×HO×WO) conv output of an image lives only in per-thread scratch: forward pools it at
// once, and backward scatters the pooled gradient straight into the GEMM's packed-A panels, so
// the full-size conv activation and its gradient never exist. argmax: (N, F, HO/2, WO/2) holds
// the flat index into the conv output (N, F, HO, WO) of each window's first maximum, or −1
// where relu blocks the gradient (the pooled value is not > 0).
//
//   forward   conv_n (F×P) = b + W (F×K) · cols_n (K×P); out_n = relu(pool(conv_n))
//   backward  dW (F×K) += dconv_n (F×P) · cols_nᵀ (P×K); db += Σ dout where argmax ≥ 0

import { convImage, forwardBBytes, gemmForwardScratch, paddedBytes } from "./conv2d";
import { madd, MR, NR, packA } from "./gemm";
import { padImage } from "./im2col";
import { bytes64, splitLo, up } from "./util";

/**
 * Per-thread scratch bytes of `convPoolReluForward`: `convImage`'s (direct or im2col, as
 * `forwardDirect` in conv_path.ts says), plus one image's output.
 */
export function convPoolReluForwardScratch(
  C: i32,
  KH: i32,
  KW: i32,
  F: i32,
  HO: i32,
  WO: i32,
  s: i32,
): usize {
  return gemmForwardScratch(C, KH, KW, F, HO, WO, s) + bytes64(F * HO * WO);
}

/** Per-thread scratch bytes of `convPoolReluBackwardFilter`. */
export function convPoolReluBackwardScratch(
  C: i32,
  KH: i32,
  KW: i32,
  F: i32,
  HO: i32,
  WO: i32,
  Hp: i32,
  Wp: i32,
): usize {
  const Q = (HO >> 1) * (WO >> 1), G = groupCount(C, KH, KW);
  return bytes64(C * Hp * Wp + NR) + bytes64(G) + 2 * bytes64(Q) + bytes64(F * G * NR);
}

// One output row of 2×2/stride-2 pooling and relu over the conv rows at `top` and
// `top + WO` (floats of one plane): four windows per step, compared in row-major order with
// strict >, so ties and NaN keep the earlier element. `at` is the flat conv index of `top`.
function poolReluRow(out: usize, argmax: usize, top: usize, WO: i32, WO2: i32, at: i32): void {
  const one = i32x4.splat(1), down = i32x4.splat(WO), zero = f32x4.splat(0);
  const none = i32x4.splat(-1);
  let idx = i32x4.add(i32x4.splat(at), i32x4(0, 2, 4, 6));
  let j = 0;
  for (; j + 4 <= WO2; j += 4) {
    const r0 = top + (<usize> (2 * j) << 2), r1 = r0 + (<usize> WO << 2);
    const a0 = v128.load(r0), a1 = v128.load(r0, 16);
    const b0 = v128.load(r1), b1 = v128.load(r1, 16);
    let best = i32x4.shuffle(a0, a1, 0, 2, 4, 6);
    let arg = idx;
    let v = i32x4.shuffle(a0, a1, 1, 3, 5, 7);
    let m = f32x4.gt(v, best);
    best = v128.bitselect(v, best, m);
    arg = v128.bitselect(i32x4.add(idx, one), arg, m);
    v = i32x4.shuffle(b0, b1, 0, 2, 4, 6);
    m = f32x4.gt(v, best);
    best = v128.bitselect(v, best, m);
    arg = v128.bitselect(i32x4.add(idx, down), arg, m);
    v = i32x4.shuffle(b0, b1, 1, 3, 5, 7);
    m = f32x4.gt(v, best);
    best = v128.bitselect(v, best, m);
    arg = v128.bitselect(i32x4.add(i32x4.add(idx, down), one), arg, m);
    const live = f32x4.gt(best, zero);
    v128.store(out + (<usize> j << 2), v128.and(best, live));
    v128.store(argmax + (<usize> j << 2), v128.bitselect(arg, none, live));
    idx = i32x4.add(idx, i32x4.splat(8));
  }
  for (; j < WO2; j++) {
    const r0 = top + (<usize> (2 * j) << 2), r1 = r0 + (<usize> WO << 2);
    let best = load<f32>(r0);
    let arg = at + 2 * j;
    let v = load<f32>(r0, 4);
    if (v > best) {
      best = v;
      arg = at + 2 * j + 1;
    }
    v = load<f32>(r1);
    if (v > best) {
      best = v;
      arg = at + 2 * j + WO;
    }
    v = load<f32>(r1, 4);
    if (v > best) {
      best = v;
      arg = at + 2 * j + WO + 1;
    }
    const live = best > 0;
    store<f32>(out + (<usize> j << 2), live ? best : 0);
    store<i32>(argmax + (<usize> j << 2), live ? arg : -1);
  }
}

/**
 * out, argmax: (N, F, HO/2, WO/2) = relu(pool2×2(conv(x: (N, C, H, W), w: (F, C, KH, KW)) +
 * b: (F))), images split over threads; HO and WO are even.
 */
export function convPoolReluForward(
  tid: i32,
  nth: i32,
  out: usize,
  argmax: usize,
  x: usize,
  w: usize,
  b: usize,
  N: i32,
  C: i32,
  H: i32,
  W: i32,
  F: i32,
  KH: i32,
  KW: i32,
  s: i32,
  pad: i32,
  HO: i32,
  WO: i32,
  scratch: usize,
): void {
  const n0 = splitLo(N, tid, nth), n1 = splitLo(N, tid + 1, nth);
  if (n0 >= n1) return;
  const K = C * KH * KW, P = HO * WO, HO2 = HO >> 1, WO2 = WO >> 1;
  const ap = scratch, bp = ap + bytes64(up(F, MR) * K);
  const tile = bp + forwardBBytes(C, KH, KW, HO, WO);
  const lanes = tile + bytes64(MR * NR), xpad = lanes + bytes64(2 * NR);
  const conv = xpad + paddedBytes(C, KH, KW, HO, WO, s);
  packA(ap, w, F, K, K, 1);
  for (let n = n0; n < n1; n++) {
    const xn = x + (<usize> n * <usize> (C * H * W) << 2);
    convImage(conv, ap, bp, xn, b, C, H, W, F, KH, KW, s, pad, HO, WO, tile, lanes, xpad);
    for (let f = 0; f < F; f++) {
      for (let i = 0; i < HO2; i++) {
        const o = <usize> ((n * F + f) * HO2 + i) * <usize> WO2 << 2;
        const top = conv + (<usize> (f * P + 2 * i * WO) << 2);
        poolReluRow(out + o, argmax + o, top, WO, WO2, (n * F + f) * P + 2 * i * WO);
      }
    }
  }
}

// Groups of the sparse filter gradient: (c, kh, block of NR kw), NR lanes each.
// @ts-ignore: decorator
@inline function groupCount(C: i32, KH: i32, KW: i32): i32 {
  return C * KH * ((KW + NR - 1) / NR);
}

/**
 * dw: (F, C, KH, KW) += ∂L/∂w and db: (F) += ∂L/∂b of `convPoolReluForward`, given
 * dout: (N, F, HO/2, WO/2) and its argmax. Sparse: at most one conv position per pooled
 * window carries a gradient (none where relu blocked it), so each such position adds g times
 * its input patch, read as NR-float row segments of the zero-padded image, to its filter's
 * gradient — a quarter or less of the dense product's work. Filters are split over threads;
 * each sums its images in order and their positions in window order, so every thread count
 * gives the same bits. An argmax outside its conv plane is left out and its index + 1 written
 * to `error` (f64).
 */
export function convPoolReluBackwardFilter(
  tid: i32,
  nth: i32,
  dw: usize,
  db: usize,
  dout: usize,
  argmax: usize,
  x: usize,
  N: i32,
  C: i32,
  H: i32,
  W: i32,
  F: i32,
  KH: i32,
  KW: i32,
  s: i32,
  pad: i32,
  HO: i32,
  WO: i32,
  scratch: usize,
  error: usize,
): void {
  const f0 = splitLo(F, tid, nth), f1 = splitLo(F, tid + 1, nth);
  if (f0 >= f1) return;
  const P = HO * WO, Q = (HO >> 1) * (WO >> 1), CHW = C * H * W;
  const Hp = H + 2 * pad, Wp = W + 2 * pad, G = groupCount(C, KH, KW), kwBlocks = G / (C * KH);
  // scratch: padded image, group offsets (i32), positions (i32 offset, f32 g), dW in groups
  const xp = scratch, offs = xp + bytes64(C * Hp * Wp + NR);
  const at = offs + bytes64(G), gs = at + bytes64(Q), acc = gs + bytes64(Q);
  for (let g = 0; g < G; g++) {
    const ckh = g / kwBlocks, kw0 = (g - ckh * kwBlocks) * NR, c = ckh / KH, kh = ckh - c * KH;
    store<i32>(offs + (<usize> g << 2), ((c * Hp + kh) * Wp + kw0) << 2);
  }
  memory.fill(acc + (<usize> (f0 * G * NR) << 2), 0, <usize> ((f1 - f0) * G * NR) << 2);
  for (let n = 0; n < N; n++) {
    padImage(xp, x + (<usize> n * <usize> CHW << 2), C, H, W, pad);
    for (let f = f0; f < f1; f++) {
      // the live positions of (n, f): byte offset of the patch's corner in xp, and g
      const lo = (n * F + f) * P, o = (n * F + f) * Q;
      let m = 0;
      let bias: f32 = 0;
      for (let q = 0; q < Q; q++) {
        const a = load<i32>(argmax + (<usize> (o + q) << 2));
        if (a == -1) continue; // relu blocked this window
        const p = a - lo;
        if (<u32> p >= <u32> P) {
          store<f64>(error, <f64> (o + q) + 1);
          continue;
        }
        const g = load<f32>(dout + (<usize> (o + q) << 2));
        const oh = p / WO, ow = p - oh * WO;
        store<i32>(at + (<usize> m << 2), (oh * s * Wp + ow * s) << 2);
        store<f32>(gs + (<usize> m << 2), g);
        bias += g;
        m++;
      }
      const dbf = db + (<usize> f << 2);
      store<f32>(dbf, load<f32>(dbf) + bias);
      const accF = acc + (<usize> (f * G * NR) << 2);
      let g = 0;
      for (; g + 4 <= G; g += 4) sparseGroups4(accF, g, offs, xp, at, gs, m);
      for (; g < G; g++) sparseGroup(accF, g, offs, xp, at, gs, m);
    }
  }
  // fold the NR-lane groups into dw (F, C, KH, KW)
  for (let f = f0; f < f1; f++) {
    for (let g = 0; g < G; g++) {
      const ckh = g / kwBlocks, kw0 = (g - ckh * kwBlocks) * NR, lanes = min(NR, KW - kw0);
      const src = acc + (<usize> ((f * G + g) * NR) << 2);
      const dst = dw + (<usize> ((f * C * KH + ckh) * KW + kw0) << 2);
      for (let t = 0; t < lanes; t++) {
        const q = dst + (<usize> t << 2);
        store<f32>(q, load<f32>(q) + load<f32>(src + (<usize> t << 2)));
      }
    }
  }
}

// acc groups g … g + 3 (NR floats each) += Σ_e gs[e] · xp[at[e] + offs[g + j] …], e < m.
function sparseGroups4(
  acc: usize,
  g: i32,
  offs: usize,
  xp: usize,
  at: usize,
  gs: usize,
  m: i32,
): void {
  const o0 = <usize> load<i32>(offs + (<usize> g << 2));
  const o1 = <usize> load<i32>(offs + (<usize> g << 2), 4);
  const o2 = <usize> load<i32>(offs + (<usize> g << 2), 8);
  const o3 = <usize> load<i32>(offs + (<usize> g << 2), 12);
  const a = acc + (<usize> (g * NR) << 2);
  let c00 = v128.load(a), c01 = v128.load(a, 16), c10 = v128.load(a, 32);
  let c11 = v128.load(a, 48), c20 = v128.load(a, 64), c21 = v128.load(a, 80);
  let c30 = v128.load(a, 96), c31 = v128.load(a, 112);
  for (let e = 0; e < m; e++) {
    const base = xp + <usize> load<i32>(at + (<usize> e << 2));
    const gv = v128.load32_splat(gs + (<usize> e << 2));
    c00 = madd(gv, v128.load(base + o0), c00);
    c01 = madd(gv, v128.load(base + o0, 16), c01);
    c10 = madd(gv, v128.load(base + o1), c10);
    c11 = madd(gv, v128.load(base + o1, 16), c11);
    c20 = madd(gv, v128.load(base + o2), c20);
    c21 = madd(gv, v128.load(base + o2, 16), c21);
    c30 = madd(gv, v128.load(base + o3), c30);
    c31 = madd(gv, v128.load(base + o3, 16), c31);
  }
  v128.store(a, c00);
  v128.store(a, c01, 16);
  v128.store(a, c10, 32);
  v128.store(a, c11, 48);
  v128.store(a, c20, 64);
  v128.store(a, c21, 80);
  v128.store(a, c30, 96);
  v128.store(a, c31, 112);
}

// One group of `sparseGroups4`.
function sparseGroup(acc: usize, g: i32, offs: usize, xp: usize, at: usize, gs: usize, m: i32): void {
  const o0 = <usize> load<i32>(offs + (<usize> g << 2));
  const a = acc + (<usize> (g * NR) << 2);
  let c0 = v128.load(a), c1 = v128.load(a, 16);
  for (let e = 0; e < m; e++) {
    const base = xp + <usize> load<i32>(at + (<usize> e << 2)) + o0;
    const gv = v128.load32_splat(gs + (<usize> e << 2));
    c0 = madd(gv, v128.load(base), c0);
    c1 = madd(gv, v128.load(base, 16), c1);
  }
  v128.store(a, c0);
  v128.store(a, c1, 16);
}
