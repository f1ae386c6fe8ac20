// The patch gathers of the conv kernels in kernels/wasm/assembly/conv2d.ts (they match the
// indexing of kernels/ref/conv2d.ts, x[n, c, i·s + kh − p, j·s + kw − p], zero outside):
// im2col straight into the GEMM's packed-B panels (forward), into packed colsᵀ panels (filter
// gradient), and col2im, which adds a (K×P) column matrix back into dx (data gradient).

import { NR } from "./gemm";

// Writes x_n's patches as the GEMM's packed B = cols (K×P): panel jb holds, for every k, the
// 8 columns p = 8·jb … 8·jb + 7 (element (k, p) at (jb·K + k)·NR + p % NR). With stride 1
// and a panel inside one output row, each k is two v128 copies when the source row segment
// is in bounds. `lanes` is 2·NR i32 of scratch: the top row and left column of each lane.
export function im2colPanels(
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
export function im2colT(
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

// dx_n (C, H, W) += col2im(dcols), dcols: (K, P) row-major. Every dx element receives its
// terms in (kh, kw) order, as in the reference, whichever path runs.
export function col2im(
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
  if (s == 2) {
    col2imStride2(dx, dcols, C, H, W, KH, KW, pad, HO, WO);
    return;
  }
  const P = HO * WO;
  for (let c = 0; c < C; c++) {
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) {
        const k = (c * KH + kh) * KW + kw;
        const jlo = colLo(kw, s, pad), jhi = colHi(kw, s, pad, W, WO);
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

/** The first output column j whose tap kw lands inside the image row (j·s + kw − pad ≥ 0). */
// @ts-ignore: decorator
@inline function colLo(kw: i32, s: i32, pad: i32): i32 {
  return pad - kw > 0 ? (pad - kw + s - 1) / s : 0;
}

/** One past the last output column j whose tap kw lands inside the row (j·s + kw − pad < W). */
// @ts-ignore: decorator
@inline function colHi(kw: i32, s: i32, pad: i32, W: i32, WO: i32): i32 {
  const hi = (W - 1 + pad - kw) >= 0 ? (W - 1 + pad - kw) / s + 1 : 0;
  return min(hi, WO);
}

// col2im for stride 2, row by row: taps kw and kw + 1 land on interleaved columns
// (kw − pad + 2j and kw − pad + 2j + 1), so one zip of their dcols rows adds 8 consecutive dx
// values (a lone last tap is zipped with zeros, kept inside the row). Terms still arrive in
// (kh, kw) order for every element.
function col2imStride2(
  dx: usize,
  dcols: usize,
  C: i32,
  H: i32,
  W: i32,
  KH: i32,
  KW: i32,
  pad: i32,
  HO: i32,
  WO: i32,
): void {
  const P = HO * WO, zero = f32x4.splat(0);
  for (let c = 0; c < C; c++) {
    for (let kh = 0; kh < KH; kh++) {
      for (let i = 0; i < HO; i++) {
        const h = 2 * i + kh - pad;
        if (h < 0 || h >= H) continue;
        const row = dx + (<usize> ((c * H + h) * W) << 2);
        for (let kw = 0; kw < KW; kw += 2) {
          const paired = kw + 1 < KW;
          const srcA = dcols + (<usize> (((c * KH + kh) * KW + kw) * P + i * WO) << 2);
          const srcB = srcA + (<usize> P << 2);
          const loA = colLo(kw, 2, pad), hiA = colHi(kw, 2, pad, W, WO);
          const loB = colLo(kw + 1, 2, pad), hiB = colHi(kw + 1, 2, pad, W, WO);
          const j0 = max(loA, loB);
          let j1 = min(hiA, hiB);
          if (j1 < j0) j1 = j0;
          const rowA = row + (<usize> (kw - pad) << 2);
          // head: the columns before the shared range, one tap at a time
          for (let j = loA; j < min(j0, hiA); j++) addAt(rowA, 2 * j, srcA, j);
          if (paired) for (let j = loB; j < min(j0, hiB); j++) addAt(rowA, 2 * j + 1, srcB, j);
          let j = j0;
          for (; j + 4 <= j1; j += 4) {
            const a = v128.load(srcA + (<usize> j << 2));
            const b = paired ? v128.load(srcB + (<usize> j << 2)) : zero;
            const q = rowA + (<usize> (2 * j) << 2);
            v128.store(q, f32x4.add(v128.load(q), i32x4.shuffle(a, b, 0, 4, 1, 5)));
            v128.store(q, f32x4.add(v128.load(q, 16), i32x4.shuffle(a, b, 2, 6, 3, 7)), 16);
          }
          // tail: tap kw's element before tap kw + 1's at every column keeps the order
          for (; j < max(hiA, paired ? hiB : 0); j++) {
            if (j < hiA) addAt(rowA, 2 * j, srcA, j);
            if (paired && j < hiB) addAt(rowA, 2 * j + 1, srcB, j);
          }
        }
      }
    }
  }
}

/** row[col] += src[j] (float32 element offsets). */
// @ts-ignore: decorator
@inline function addAt(row: usize, col: i32, src: usize, j: i32): void {
  const q = row + (<usize> col << 2);
  store<f32>(q, load<f32>(q) + load<f32>(src + (<usize> j << 2)));
}

// xp (C, H + 2·pad, W + 2·pad) ← x_n (C, H, W) inside a zero border, for the direct stride-1
// convolution (gemm.ts convDirect); NR floats of slack past the end are zeroed too.
export function padImage(xp: usize, x: usize, C: i32, H: i32, W: i32, pad: i32): void {
  const Hp = H + 2 * pad, Wp = W + 2 * pad;
  memory.fill(xp, 0, <usize> (C * Hp * Wp + NR) << 2);
  for (let c = 0; c < C; c++) {
    for (let h = 0; h < H; h++) {
      const dst = xp + (<usize> ((c * Hp + h + pad) * Wp + pad) << 2);
      memory.copy(dst, x + (<usize> ((c * H + h) * W) << 2), <usize> W << 2);
    }
  }
}
