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

import { bytes64, convForwardScratch, convImage, forwardBBytes, splitLo, up } from "./conv2d";
import { gemmPacked, MR, NR, packA } from "./gemm";
import { im2colT } from "./im2col";

/** Per-thread scratch bytes of `convPoolReluForward`: the conv's, plus one image's output. */
export function convPoolReluForwardScratch(
  C: i32,
  KH: i32,
  KW: i32,
  F: i32,
  HO: i32,
  WO: i32,
): usize {
  return convForwardScratch(C, KH, KW, F, HO, WO) + bytes64(F * HO * WO);
}

/** Per-thread scratch bytes of `convPoolReluBackwardFilter`. */
export function convPoolReluBackwardScratch(C: i32, KH: i32, KW: i32, F: i32, HO: i32, WO: i32): usize {
  const K = C * KH * KW, P = HO * WO;
  return bytes64(up(F, MR) * P) + bytes64(up(K, NR) * P) + bytes64(MR * NR) + bytes64(P);
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
  const lanes = tile + bytes64(MR * NR), conv = lanes + bytes64(2 * NR);
  packA(ap, w, F, K, K, 1);
  for (let n = n0; n < n1; n++) {
    const xn = x + (<usize> n * <usize> (C * H * W) << 2);
    convImage(conv, ap, bp, xn, b, C, H, W, F, KH, KW, s, pad, HO, WO, tile, lanes);
    for (let f = 0; f < F; f++) {
      for (let i = 0; i < HO2; i++) {
        const o = <usize> ((n * F + f) * HO2 + i) * <usize> WO2 << 2;
        const top = conv + (<usize> (f * P + 2 * i * WO) << 2);
        poolReluRow(out + o, argmax + o, top, WO, WO2, (n * F + f) * P + 2 * i * WO);
      }
    }
  }
}

/**
 * dw: (F, C, KH, KW) += ∂L/∂w and db: (F) += ∂L/∂b of `convPoolReluForward`, given
 * dout: (N, F, HO/2, WO/2) and its argmax. dw's column panels are split over threads and db's
 * filters, each summed over all images in order (bit-identical for every thread count). An
 * argmax outside its conv plane is left out and its index + 1 written to `error` (f64).
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
  const K = C * KH * KW, P = HO * WO, Q = (HO >> 1) * (WO >> 1), CHW = C * H * W;
  const apD = scratch, bpX = apD + bytes64(up(F, MR) * P), tile = bpX + bytes64(up(K, NR) * P);
  const kPanels = (K + NR - 1) / NR;
  const kb0 = splitLo(kPanels, tid, nth), kb1 = splitLo(kPanels, tid + 1, nth);
  if (kb0 < kb1) {
    const panelFloats = up(F, MR) * P;
    for (let n = 0; n < N; n++) {
      // dconv_n as packed A: element (f, p) at ((f / MR)·P + p)·MR + f % MR
      memory.fill(apD, 0, <usize> panelFloats << 2);
      for (let f = 0; f < F; f++) {
        const lo = (n * F + f) * P;
        const a = argmax + (<usize> ((n * F + f) * Q) << 2);
        const g = dout + (<usize> ((n * F + f) * Q) << 2);
        const panel = apD + (<usize> ((f / MR) * P * MR + f % MR) << 2);
        for (let q = 0; q < Q; q++) {
          const at = load<i32>(a + (<usize> q << 2));
          if (at == -1) continue; // relu blocked this window
          const p = at - lo;
          if (<u32> p >= <u32> P) {
            store<f64>(error, <f64> ((n * F + f) * Q + q) + 1);
            continue;
          }
          const dst = panel + (<usize> (p * MR) << 2);
          store<f32>(dst, load<f32>(dst) + load<f32>(g + (<usize> q << 2)));
        }
      }
      im2colT(bpX, x + (<usize> n * <usize> CHW << 2), C, H, W, KH, KW, s, pad, HO, WO, kb0, kb1);
      gemmPacked(dw, K, apD, bpX, F, K, P, true, kb0, kb1, tile, 0);
    }
  }
  // db as conv2d.ts sums it (four lanes over the dense plane, then across images), so that
  // the fused layer's gradients equal the unfused kernels' bit for bit
  const plane = tile + bytes64(MR * NR);
  const f0 = splitLo(F, tid, nth), f1 = splitLo(F, tid + 1, nth);
  for (let f = f0; f < f1; f++) {
    let sum: f32 = 0;
    for (let n = 0; n < N; n++) {
      const lo = (n * F + f) * P;
      const a = argmax + (<usize> ((n * F + f) * Q) << 2);
      const g = dout + (<usize> ((n * F + f) * Q) << 2);
      memory.fill(plane, 0, <usize> P << 2);
      for (let q = 0; q < Q; q++) {
        const p = load<i32>(a + (<usize> q << 2)) - lo;
        if (<u32> p >= <u32> P) continue; // relu-blocked (or flagged above)
        const dst = plane + (<usize> p << 2);
        store<f32>(dst, load<f32>(dst) + load<f32>(g + (<usize> q << 2)));
      }
      let v4 = f32x4.splat(0);
      let p = 0;
      for (; p + 4 <= P; p += 4) v4 = f32x4.add(v4, v128.load(plane + (<usize> p << 2)));
      let part = f32x4.extract_lane(v4, 0) + f32x4.extract_lane(v4, 1) +
        f32x4.extract_lane(v4, 2) + f32x4.extract_lane(v4, 3);
      for (; p < P; p++) part += load<f32>(plane + (<usize> p << 2));
      sum += part;
    }
    const at = db + (<usize> f << 2);
    store<f32>(at, load<f32>(at) + sum);
  }
}
