// 2-D convolution (cross-correlation) forward and backward as im2col + packed SIMD GEMM, one
// image at a time; matches kernels/ref/conv2d.ts (conv2dForward, conv2dBackwardData,
// conv2dBackwardFilter). Threads split the images for the forward and the data gradient, and
// the filter gradient's column panels (over all images, in image order), so every thread
// count sums in the same order and gives bit-identical results.
//
// Per image, with K = C·KH·KW and P = HO·WO:
//   forward        out_n (F×P)  = b + W (F×K) · cols_n (K×P)
//   backward data  dcols (K×P)  = Wᵀ (K×F) · dout_n (F×P), then col2im adds dcols into dx_n
//   backward filt. dW (F×K)    += dout_n (F×P) · cols_nᵀ (P×K),  db += Σ_p dout_n
// cols_n is written straight into the GEMM's packed-B layout (no plain im2col matrix).

import { gemmPacked, MR, NR, packA, packB } from "./gemm";

// @ts-ignore: decorator
@inline function up(n: i32, m: i32): i32 {
  return (n + m - 1) / m * m;
}

// @ts-ignore: decorator
@inline function bytes64(floats: i32): usize {
  return (<usize> floats * 4 + 63) & ~<usize> 63;
}

/** The byte range [lo, hi) of items a thread handles out of `total`. */
// @ts-ignore: decorator
@inline export function splitLo(total: i32, tid: i32, nth: i32): i32 {
  return <i32> (<i64> total * tid / nth);
}

/** Per-thread scratch bytes of `convForward`. */
export function convForwardScratch(C: i32, KH: i32, KW: i32, F: i32, HO: i32, WO: i32): usize {
  const K = C * KH * KW, P = HO * WO;
  return bytes64(up(F, MR) * K) + bytes64(K * up(P, NR)) + bytes64(MR * NR) + bytes64(2 * NR);
}

/** Per-thread scratch bytes of `convBackward` (data and filter). */
export function convBackwardScratch(C: i32, KH: i32, KW: i32, F: i32, HO: i32, WO: i32): usize {
  const K = C * KH * KW, P = HO * WO;
  return bytes64(up(K, MR) * F) + bytes64(F * up(P, NR)) + bytes64(K * P) +
    bytes64(up(K, NR) * P) + bytes64(up(F, MR) * P) + bytes64(MR * NR);
}

// Writes x_n's patches as the GEMM's packed B = cols (K×P): panel jb holds, for every k, the
// 8 columns p = 8·jb … 8·jb + 7 (element (k, p) at (jb·K + k)·NR + p % NR). With stride 1
// and a panel inside one output row, each k is two v128 copies when the source row segment
// is in bounds. `lanes` is 2·NR i32 of scratch: the top row and left column of each lane.
function im2colPanels(
  bp: usize,
  x: usize,
  C: i32,
  H: i32,
  W: i32,
  KH: i32,
  KW: i32,
  s: i32,
  pad: i32,
  HO: i32,
  WO: i32,
  lanes: usize,
): void {
  const P = HO * WO, panels = (P + NR - 1) / NR;
  let dst = bp;
  for (let jb = 0; jb < panels; jb++) {
    const p0 = jb * NR, i0 = p0 / WO, j0 = p0 - i0 * WO;
    if (j0 + NR <= WO) {
      dst = rowPanel(dst, x, C, H, W, KH, KW, s, i0 * s - pad, j0 * s - pad);
      continue;
    }
    for (let t = 0; t < NR; t++) {
      const p = p0 + t, i = p / WO, j = p - i * WO;
      store<i32>(lanes + (<usize> t << 2), p < P ? i * s - pad : -0x40000000);
      store<i32>(lanes + (<usize> (NR + t) << 2), j * s - pad);
    }
    for (let c = 0; c < C; c++) {
      for (let kh = 0; kh < KH; kh++) {
        for (let kw = 0; kw < KW; kw++) {
          for (let t = 0; t < NR; t++) {
            const ht = load<i32>(lanes + (<usize> t << 2)) + kh;
            const wt = load<i32>(lanes + (<usize> (NR + t) << 2)) + kw;
            const v: f32 = ht >= 0 && ht < H && wt >= 0 && wt < W
              ? load<f32>(x + (<usize> ((c * H + ht) * W + wt) << 2))
              : 0;
            store<f32>(dst + (<usize> t << 2), v);
          }
          dst += <usize> NR << 2;
        }
      }
    }
  }
}

// One panel whose 8 lanes lie in one output row: lane t reads input row h0 + kh, column
// w0 + t·s + kw. In-bounds segments are two v128 copies (stride 1), four loads and two
// shuffles (stride 2) or eight plain loads; returns the next panel address.
function rowPanel(
  dst: usize,
  x: usize,
  C: i32,
  H: i32,
  W: i32,
  KH: i32,
  KW: i32,
  s: i32,
  h0: i32,
  w0: i32,
): usize {
  const zero = f32x4.splat(0);
  for (let c = 0; c < C; c++) {
    for (let kh = 0; kh < KH; kh++) {
      const h = h0 + kh;
      if (h < 0 || h >= H) {
        for (let kw = 0; kw < KW; kw++) {
          v128.store(dst, zero);
          v128.store(dst, zero, 16);
          dst += <usize> NR << 2;
        }
        continue;
      }
      const xRow = x + (<usize> ((c * H + h) * W) << 2);
      for (let kw = 0; kw < KW; kw++) {
        const col0 = w0 + kw;
        const src = xRow + (<usize> col0 << 2);
        if (col0 >= 0 && col0 + (NR - 1) * s < W) {
          if (s == 1) {
            v128.store(dst, v128.load(src));
            v128.store(dst, v128.load(src, 16), 16);
          } else if (s == 2) {
            const l0 = v128.load(src), l1 = v128.load(src, 16);
            const l2 = v128.load(src, 32), l3 = v128.load(src, 48);
            v128.store(dst, i32x4.shuffle(l0, l1, 0, 2, 4, 6));
            v128.store(dst, i32x4.shuffle(l2, l3, 0, 2, 4, 6), 16);
          } else {
            for (let t = 0; t < NR; t++) {
              store<f32>(dst + (<usize> t << 2), load<f32>(src + (<usize> (t * s) << 2)));
            }
          }
        } else {
          for (let t = 0; t < NR; t++) {
            const col = col0 + t * s;
            const v: f32 = col >= 0 && col < W ? load<f32>(xRow + (<usize> col << 2)) : 0;
            store<f32>(dst + (<usize> t << 2), v);
          }
        }
        dst += <usize> NR << 2;
      }
    }
  }
  return dst;
}

// Writes x_n's patches as packed B = colsᵀ (P×K) for the column panels [kb0, kb1): element
// (p, k) at ((k / NR)·P + p)·NR + k % NR.
function im2colT(
  bp: usize,
  x: usize,
  C: i32,
  H: i32,
  W: i32,
  KH: i32,
  KW: i32,
  s: i32,
  pad: i32,
  HO: i32,
  WO: i32,
  kb0: i32,
  kb1: i32,
): void {
  const K = C * KH * KW, P = HO * WO, KK = KH * KW;
  const k1 = min(kb1 * NR, K);
  for (let k = kb0 * NR; k < k1; k++) {
    const c = k / KK, r = k - c * KK, kh = r / KW, kw = r - kh * KW;
    let jlo = pad - kw > 0 ? (pad - kw + s - 1) / s : 0;
    let jhi = (W - 1 + pad - kw) >= 0 ? (W - 1 + pad - kw) / s + 1 : 0;
    if (jhi > WO) jhi = WO;
    if (jlo > jhi) jlo = jhi;
    let dst = bp + ((<usize> (k / NR) * <usize> P * NR + <usize> (k % NR)) << 2);
    const step = <usize> NR << 2;
    for (let i = 0; i < HO; i++) {
      const h = i * s + kh - pad;
      let q = dst;
      if (h < 0 || h >= H) {
        for (let j = 0; j < WO; j++, q += step) store<f32>(q, 0);
      } else {
        let src = x + (<usize> ((c * H + h) * W + kw - pad + jlo * s) << 2);
        for (let j = 0; j < jlo; j++, q += step) store<f32>(q, 0);
        let j = jlo;
        if (s == 1) {
          // four lanes per load, each stored to its own p row of the panel
          for (; j + 4 <= jhi; j += 4, q += step << 2, src += 16) {
            const v = v128.load(src);
            v128.store32_lane(q, v, 0);
            v128.store32_lane(q + step, v, 1);
            v128.store32_lane(q + 2 * step, v, 2);
            v128.store32_lane(q + 3 * step, v, 3);
          }
        }
        const srcStep = <usize> s << 2;
        for (; j < jhi; j++, q += step, src += srcStep) store<f32>(q, load<f32>(src));
        for (; j < WO; j++, q += step) store<f32>(q, 0);
      }
      dst += <usize> (WO * NR) << 2;
    }
  }
}

// dx_n (C, H, W) += col2im(dcols), dcols: (K, P) row-major.
function col2im(
  dx: usize,
  dcols: usize,
  C: i32,
  H: i32,
  W: i32,
  KH: i32,
  KW: i32,
  s: i32,
  pad: i32,
  HO: i32,
  WO: i32,
): void {
  const P = HO * WO;
  for (let c = 0; c < C; c++) {
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) {
        const k = (c * KH + kh) * KW + kw;
        const jlo = pad - kw > 0 ? (pad - kw + s - 1) / s : 0;
        let jhi = (W - 1 + pad - kw) >= 0 ? (W - 1 + pad - kw) / s + 1 : 0;
        if (jhi > WO) jhi = WO;
        for (let i = 0; i < HO; i++) {
          const h = i * s + kh - pad;
          if (h < 0 || h >= H) continue;
          const dRow = dx + (<usize> ((c * H + h) * W + kw - pad) << 2);
          const src = dcols + (<usize> (k * P + i * WO) << 2);
          let j = jlo;
          if (s == 1) {
            for (; j + 4 <= jhi; j += 4) {
              const q = dRow + (<usize> j << 2);
              v128.store(q, f32x4.add(v128.load(q), v128.load(src + (<usize> j << 2))));
            }
          }
          for (; j < jhi; j++) {
            const q = dRow + (<usize> (j * s) << 2);
            store<f32>(q, load<f32>(q) + load<f32>(src + (<usize> j << 2)));
          }
        }
      }
    }
  }
}

/** out: (N, F, HO, WO) = conv(x: (N, C, H, W), w: (F, C, KH, KW)) + b: (F), images split. */
export function convForward(
  tid: i32,
  nth: i32,
  out: usize,
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
  const K = C * KH * KW, P = HO * WO;
  const ap = scratch, bp = ap + bytes64(up(F, MR) * K), tile = bp + bytes64(K * up(P, NR));
  const lanes = tile + bytes64(MR * NR);
  packA(ap, w, F, K, K, 1);
  for (let n = n0; n < n1; n++) {
    im2colPanels(
      bp,
      x + (<usize> n * <usize> (C * H * W) << 2),
      C,
      H,
      W,
      KH,
      KW,
      s,
      pad,
      HO,
      WO,
      lanes,
    );
    const o = out + (<usize> n * <usize> (F * P) << 2);
    gemmPacked(o, P, ap, bp, F, P, K, false, 0, (P + NR - 1) / NR, tile, b);
  }
}

/**
 * Backward. With `doData`, dx: (N, C, H, W) += ∂L/∂x, images split over threads. With
 * `doFilter`, dw: (F, C, KH, KW) += ∂L/∂w with dw's column panels split, and db: (F) += ∂L/∂b
 * with filters split, each summed over all images in order. dout: (N, F, HO, WO).
 */
export function convBackward(
  tid: i32,
  nth: i32,
  dx: usize,
  dout: usize,
  x: usize,
  w: usize,
  dw: usize,
  db: usize,
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
  doData: bool,
  doFilter: bool,
): void {
  const K = C * KH * KW, P = HO * WO, CHW = C * H * W;
  const apT = scratch, bpD = apT + bytes64(up(K, MR) * F), dcols = bpD + bytes64(F * up(P, NR));
  const bpX = dcols + bytes64(K * P), apD = bpX + bytes64(up(K, NR) * P);
  const tile = apD + bytes64(up(F, MR) * P);
  const n0 = splitLo(N, tid, nth), n1 = splitLo(N, tid + 1, nth);
  if (doData && n0 < n1) {
    packA(apT, w, K, F, 1, K); // op(A) = Wᵀ: (K, F)
    for (let n = n0; n < n1; n++) {
      packB(bpD, dout + (<usize> n * <usize> (F * P) << 2), P, F, P, 1);
      gemmPacked(dcols, P, apT, bpD, K, P, F, false, 0, (P + NR - 1) / NR, tile, 0);
      col2im(dx + (<usize> n * <usize> CHW << 2), dcols, C, H, W, KH, KW, s, pad, HO, WO);
    }
  }
  if (!doFilter) return;
  const kPanels = (K + NR - 1) / NR;
  const kb0 = splitLo(kPanels, tid, nth), kb1 = splitLo(kPanels, tid + 1, nth);
  if (kb0 < kb1) {
    for (let n = 0; n < N; n++) {
      const dn = dout + (<usize> n * <usize> (F * P) << 2);
      im2colT(bpX, x + (<usize> n * <usize> CHW << 2), C, H, W, KH, KW, s, pad, HO, WO, kb0, kb1);
      packA(apD, dn, F, P, P, 1);
      gemmPacked(dw, K, apD, bpX, F, K, P, true, kb0, kb1, tile, 0);
    }
  }
  const f0 = splitLo(F, tid, nth), f1 = splitLo(F, tid + 1, nth);
  for (let f = f0; f < f1; f++) {
    let sum: f32 = 0;
    for (let n = 0; n < N; n++) {
      const row = dout + (<usize> (n * F + f) * <usize> P << 2);
      let v4 = f32x4.splat(0);
      let p = 0;
      for (; p + 4 <= P; p += 4) v4 = f32x4.add(v4, v128.load(row + (<usize> p << 2)));
      let part = f32x4.extract_lane(v4, 0) + f32x4.extract_lane(v4, 1) +
        f32x4.extract_lane(v4, 2) + f32x4.extract_lane(v4, 3);
      for (; p < P; p++) part += load<f32>(row + (<usize> p << 2));
      sum += part;
    }
    const q = db + (<usize> f << 2);
    store<f32>(q, load<f32>(q) + sum);
  }
}
