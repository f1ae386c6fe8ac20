// 2-D convolution (cross-correlation) forward and backward as packed SIMD GEMMs, one image at a
// time; matches kernels/ref/conv2d.ts (conv2dForward, conv2dBackwardData,
// conv2dBackwardFilter). Threads split the images for the forward and the data gradient, and
// the filter gradient's work items (column panels, or direct groups; over all images, in image
// order) — or, for a small dw, a fixed set of image chunks whose partial sums are added in
// chunk order — so every thread count sums in the same order and gives bit-identical results.
//
// Per image, with K = C·KH·KW and P = HO·WO:
//   forward        out_n (F×P)  = b + W (F×K) · cols_n (K×P)
//   backward data  dcols (K×P)  = Wᵀ (K×F) · dout_n (F×P), then col2im adds dcols into dx_n
//   backward filt. dW (F×K)    += dout_n (F×P) · cols_nᵀ (P×K),  db += Σ_p dout_n
// cols_n is either written straight into the GEMM's packed-B layout (no plain im2col matrix) or,
// for stride 1 (`convImage`, `filterImage` say when), never built: the microkernels read its
// rows from a zero-padded copy of the image. Stride 2 with few channels runs from column-phase
// planes instead (stride2.ts, where each of its `*Fits` says), and 3×3 stride 1 as Winograd.
// Which path a shape takes is decided in one place, `convPath` (conv_path.ts).

import {
  convPath,
  dataPath,
  filterChunked,
  filterDirect,
  filterPath,
  forwardDirect,
  forwardPath,
  PATH_STRIDE2,
  PATH_WINOGRAD,
} from "./conv_path";
import { convDirect, convFilterDirect, gemmPacked, MR, NR, packA, packB } from "./gemm";
import { col2im, im2colPanels, im2colT, padImage } from "./im2col";
import {
  stride2Data,
  stride2DataScratch,
  stride2FilterImage,
  stride2FilterPartials,
  stride2FilterScratch,
  stride2Forward,
  stride2ForwardScratch,
  sumLanes,
} from "./stride2";
import { addPartials, bytes64, splitLo, up } from "./util";
import {
  flipFilters,
  winogradFilterGrad,
  winogradFilterSharedBytes,
  winogradFilterScratch,
  winogradImages,
  winogradLayout,
  winogradPackFilters,
  winogradScratch,
} from "./winograd";

/** Per-thread scratch bytes of `convForward` on the path `convPath` picks. */
export function convForwardScratch(
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
): usize {
  const gemm = gemmForwardScratch(C, KH, KW, F, HO, WO, s);
  const path = forwardPath(convPath(N, C, H, W, F, KH, KW, s, pad, HO, WO));
  if (path == PATH_STRIDE2) return max(gemm, stride2ForwardScratch(C, KH, KW, F, HO, WO));
  return path == PATH_WINOGRAD ? max(gemm, winogradScratch(C, F, HO, WO)) : gemm;
}

/** Per-thread scratch bytes of `convImage` (the direct and im2col paths) and its packed filters. */
export function gemmForwardScratch(C: i32, KH: i32, KW: i32, F: i32, HO: i32, WO: i32, s: i32): usize {
  const K = C * KH * KW;
  return bytes64(up(F, MR) * K) + forwardBBytes(C, KH, KW, HO, WO) + bytes64(MR * NR) +
    bytes64(2 * NR) + paddedBytes(C, KH, KW, HO, WO, s);
}

/** Bytes of one zero-padded image (C, Hp, Wp) + NR floats of slack, for stride s. */
export function paddedBytes(C: i32, KH: i32, KW: i32, HO: i32, WO: i32, s: i32): usize {
  return bytes64(C * ((HO - 1) * s + KH) * ((WO - 1) * s + KW) + NR);
}

/**
 * Whether the windows read the whole zero-padded image, (H + 2·pad) × (W + 2·pad), so that it
 * fits the `paddedBytes` of its output size; not when ⌊(H + 2·pad − KH) / s⌋ drops a remainder.
 */
// @ts-ignore: decorator
@inline function paddedFits(H: i32, W: i32, KH: i32, KW: i32, s: i32, pad: i32, HO: i32, WO: i32): bool {
  return (HO - 1) * s + KH == H + 2 * pad && (WO - 1) * s + KW == W + 2 * pad;
}

/** Bytes of the forward's B scratch: the im2col panels, or (stride 1) the padded image. */
export function forwardBBytes(C: i32, KH: i32, KW: i32, HO: i32, WO: i32): usize {
  const panels = C * KH * KW * up(HO * WO, NR);
  const padded = C * (HO + KH - 1) * (WO + KW - 1) + NR; // (C, Hp, Wp) + slack
  return bytes64(max(panels, padded));
}

/**
 * conv_n (F×P, row stride P) = b + W · cols(x_n) for one image, with W already packed at ap:
 * direct from a zero-padded copy of the image (stride 1, output rows of at least NR, and few
 * filters or a wide kernel), im2col panels otherwise; both sum in the same order, so they give
 * identical results. bp is the B scratch of `convForwardScratch`, tile and lanes its small
 * buffers, xpad its `paddedBytes`. With padding, im2col reads a zero-padded copy of the image
 * (xpad) so that every panel takes its vector path (no per-element bounds tests).
 *
 * Direct saves the im2col copy, whose cost per FLOP grows as F shrinks, but reads B unaligned
 * from C·KH image rows per tile, which thrashes L1 when F and C are large. Measured forward
 * GFLOP/s on 2 threads (im2col → direct): x (50,3,32,32) w (32,3,7,7) 49 → 59; (64,3,32,32)
 * (16,3,3,3) 22 → 40; (64,32,16,16) (32,32,3,3) 47 → 58; but (32,64,32,32) (64,64,3,3)
 * 65 → 57 and (64,32,16,16) (64,32,3,3) 60 → 54, and 4-wide outputs waste half the lanes.
 */
export function convImage(
  conv: usize,
  ap: usize,
  bp: usize,
  x: usize,
  b: usize,
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
  tile: usize,
  lanes: usize,
  xpad: usize,
): void {
  const K = C * KH * KW, P = HO * WO;
  if (forwardDirect(F, KW, s, WO)) {
    padImage(bp, x, C, H, W, pad);
    convDirect(conv, P, ap, bp, F, C, KH, KW, H + 2 * pad, W + 2 * pad, HO, WO, tile, b);
    return;
  }
  if (pad > 0 && paddedFits(H, W, KH, KW, s, pad, HO, WO)) {
    padImage(xpad, x, C, H, W, pad);
    im2colPanels(bp, xpad, C, H + 2 * pad, W + 2 * pad, KH, KW, s, 0, HO, WO, lanes);
  } else {
    // no padding, or windows that leave padded rows or columns unread (xpad holds only the
    // rows and columns the windows read): im2col tests the bounds itself; same values
    im2colPanels(bp, x, C, H, W, KH, KW, s, pad, HO, WO, lanes);
  }
  gemmPacked(conv, P, ap, bp, F, P, K, false, 0, (P + NR - 1) / NR, tile, b);
}

/** Per-thread scratch bytes of `convBackward` (data and filter) on the paths `convPath` picks. */
export function convBackwardScratch(
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
): usize {
  const K = C * KH * KW, P = HO * WO;
  const gemm = bytes64(up(K, MR) * F) + bytes64(F * up(P, NR)) + bytes64(K * P) +
    filterBBytes(C, KH, KW, HO, WO) + bytes64(up(F, MR) * P) + bytes64(MR * NR);
  const path = convPath(N, C, H, W, F, KH, KW, s, pad, HO, WO);
  let data: usize = 0, filter: usize = 0;
  if (dataPath(path) == PATH_WINOGRAD) data = winogradScratch(F, C, H, W) + bytes64(9 * C * F);
  else if (dataPath(path) == PATH_STRIDE2) data = stride2DataScratch(C, H, W, F, KH, KW, pad, HO, WO);
  if (filterPath(path) == PATH_WINOGRAD) filter = winogradFilterScratch(C, F, HO, WO);
  else if (filterPath(path) == PATH_STRIDE2) filter = stride2FilterScratch(C, KH, KW, F, HO, WO);
  return max(gemm, max(data, filter));
}

/** Bytes of the filter gradient's B scratch: colsᵀ panels, or the padded image (direct). */
export function filterBBytes(C: i32, KH: i32, KW: i32, HO: i32, WO: i32): usize {
  const panels = up(C * KH * KW, NR) * HO * WO;
  const padded = C * (HO + KH - 1) * (WO + KW - 1) + NR; // (C, Hp, Wp) + slack
  return bytes64(max(panels, padded));
}

/** Image chunks of the small-filter gradient (a constant: results do not depend on threads). */
const FILTER_CHUNKS = 24;

/**
 * Bytes of the job-wide (not per-thread) scratch of `convBackward`: a counter and one partial
 * dw and db (or Winograd M) per image chunk when `convPath`'s filter gradient is chunked, else 0.
 * Without it (`shared` = 0) `convBackward` does not chunk.
 */
export function convBackwardSharedBytes(
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
): usize {
  const path = convPath(N, C, H, W, F, KH, KW, s, pad, HO, WO);
  if (!filterChunked(path)) return 0;
  if (filterPath(path) == PATH_WINOGRAD) return winogradFilterSharedBytes(C, F, N);
  return 64 + <usize> min(N, FILTER_CHUNKS) * bytes64(F * C * KH * KW + F);
}

/** The number of work items the filter gradient splits over threads. */
export function filterItems(C: i32, KH: i32, KW: i32, s: i32): i32 {
  return filterDirect(s, KW) ? C * KH * ((KW + NR - 1) / NR) : (C * KH * KW + NR - 1) / NR;
}

/**
 * dw (F×K) += dout_n · cols(x_n)ᵀ for one image, on the work items [g0, g1) of
 * `filterItems`, with dout_n already packed as A panels at apD. Direct from a zero-padded
 * image (stride 1, kernel widths that fill most of the NR lanes: groups (c, kh, kw block)),
 * colsᵀ panels otherwise (items = column panels of dw). bpX is the B scratch of
 * `filterBBytes`.
 */
export function filterImage(
  dw: usize,
  apD: usize,
  bpX: usize,
  x: usize,
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
  g0: i32,
  g1: i32,
  tile: usize,
): void {
  if (filterDirect(s, KW)) {
    padImage(bpX, x, C, H, W, pad);
    convFilterDirect(dw, apD, bpX, F, C, KH, KW, H + 2 * pad, W + 2 * pad, HO, WO, g0, g1, tile);
    return;
  }
  const K = C * KH * KW, P = HO * WO;
  im2colT(bpX, x, C, H, W, KH, KW, s, pad, HO, WO, g0, g1);
  gemmPacked(dw, K, apD, bpX, F, K, P, true, g0, g1, tile, 0);
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
  const path = forwardPath(convPath(N, C, H, W, F, KH, KW, s, pad, HO, WO));
  if (path == PATH_WINOGRAD) {
    winogradPackFilters(scratch, winogradLayout(scratch, C, F, HO, WO, 0), w, F, C);
    const vp = winogradLayout(scratch, C, F, HO, WO, 1), mp = winogradLayout(scratch, C, F, HO, WO, 2);
    const wtile = winogradLayout(scratch, C, F, HO, WO, 3), xp = winogradLayout(scratch, C, F, HO, WO, 4);
    const xn = x + (<usize> n0 * <usize> (C * H * W) << 2);
    const o = out + (<usize> n0 * <usize> (F * P) << 2);
    winogradImages(o, scratch, xn, b, C, H, W, F, pad, HO, WO, n1 - n0, vp, mp, wtile, xp, false);
    return;
  }
  if (path == PATH_STRIDE2) {
    const xn = x + (<usize> n0 * <usize> (C * H * W) << 2);
    const o = out + (<usize> n0 * <usize> (F * P) << 2);
    stride2Forward(o, xn, w, b, n1 - n0, C, H, W, F, KH, KW, pad, HO, WO, scratch);
    return;
  }
  const ap = scratch, bp = ap + bytes64(up(F, MR) * K);
  const tile = bp + forwardBBytes(C, KH, KW, HO, WO), lanes = tile + bytes64(MR * NR);
  const xpad = lanes + bytes64(2 * NR);
  packA(ap, w, F, K, K, 1);
  for (let n = n0; n < n1; n++) {
    const xn = x + (<usize> n * <usize> (C * H * W) << 2);
    const o = out + (<usize> n * <usize> (F * P) << 2);
    convImage(o, ap, bp, xn, b, C, H, W, F, KH, KW, s, pad, HO, WO, tile, lanes, xpad);
  }
}

/**
 * Backward. With `doData`, dx: (N, C, H, W) += ∂L/∂x (with `overwriteData`, dx = ∂L/∂x: its
 * old values are never read, each image is set by the thread that owns it), images split
 * over threads. With
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
  shared: usize,
  overwriteData: bool,
): void {
  const K = C * KH * KW, P = HO * WO, CHW = C * H * W;
  const apT = scratch, bpD = apT + bytes64(up(K, MR) * F), dcols = bpD + bytes64(F * up(P, NR));
  const bpX = dcols + bytes64(K * P), apD = bpX + filterBBytes(C, KH, KW, HO, WO);
  const tile = apD + bytes64(up(F, MR) * P);
  const n0 = splitLo(N, tid, nth), n1 = splitLo(N, tid + 1, nth);
  const path = convPath(N, C, H, W, F, KH, KW, s, pad, HO, WO);
  if (doData && n0 < n1 && dataPath(path) == PATH_WINOGRAD) {
    // dx_n += conv(dout_n, w turned by 180°, channels swapped), padding 2 − pad, by Winograd
    const flipped = scratch + winogradScratch(F, C, H, W);
    flipFilters(flipped, w, F, C);
    winogradPackFilters(scratch, winogradLayout(scratch, F, C, H, W, 0), flipped, C, F);
    const vp = winogradLayout(scratch, F, C, H, W, 1), mp = winogradLayout(scratch, F, C, H, W, 2);
    const wtile = winogradLayout(scratch, F, C, H, W, 3), xp = winogradLayout(scratch, F, C, H, W, 4);
    const dn = dout + (<usize> n0 * <usize> (F * P) << 2), dxn = dx + (<usize> n0 * <usize> CHW << 2);
    winogradImages(dxn, scratch, dn, 0, F, HO, WO, C, 2 - pad, H, W, n1 - n0, vp, mp, wtile, xp, !overwriteData);
  } else if (doData && n0 < n1 && dataPath(path) == PATH_STRIDE2) {
    const dn = dout + (<usize> n0 * <usize> (F * P) << 2), dxn = dx + (<usize> n0 * <usize> CHW << 2);
    stride2Data(dxn, dn, w, n1 - n0, C, H, W, F, KH, KW, pad, HO, WO, scratch, overwriteData);
  } else if (doData && n0 < n1) {
    packA(apT, w, K, F, 1, K); // op(A) = Wᵀ: (K, F)
    for (let n = n0; n < n1; n++) {
      packB(bpD, dout + (<usize> n * <usize> (F * P) << 2), P, F, P, 1);
      gemmPacked(dcols, P, apT, bpD, K, P, F, false, 0, (P + NR - 1) / NR, tile, 0);
      const dxn = dx + (<usize> n * <usize> CHW << 2);
      if (overwriteData) memory.fill(dxn, 0, <usize> CHW << 2); // in cache, just before col2im
      col2im(dxn, dcols, C, H, W, KH, KW, s, pad, HO, WO);
    }
  }
  if (!doFilter) return;
  const items = filterItems(C, KH, KW, s);
  const g0 = splitLo(items, tid, nth), g1 = splitLo(items, tid + 1, nth);
  if (filterPath(path) == PATH_WINOGRAD) {
    winogradFilterGrad(tid, nth, dw, dout, x, N, C, H, W, F, pad, HO, WO, scratch, shared);
  } else if (shared != 0 && filterChunked(path)) {
    // image chunks: each sums its images into a partial dw and db (while the image's dout is
    // in cache); the last thread to finish adds the partials in chunk order (the same sums for
    // any thread count)
    const chunks = min(N, FILTER_CHUNKS), partBytes = bytes64(F * K + F);
    const strided = filterPath(path) == PATH_STRIDE2;
    const V = stride2FilterPartials(scratch, C, KH, KW, HO, WO);
    for (let j = splitLo(chunks, tid, nth); j < splitLo(chunks, tid + 1, nth); j++) {
      const part = shared + 64 + <usize> j * partBytes, dbPart = part + (<usize> (F * K) << 2);
      memory.fill(dbPart, 0, <usize> F << 2);
      for (let n = splitLo(N, j, chunks); n < splitLo(N, j + 1, chunks); n++) {
        rowSums(dbPart, dout + (<usize> n * <usize> (F * P) << 2), F, P);
      }
      if (strided) {
        // lane-wise partials over the chunk's images, the lanes added at the end
        memory.fill(V, 0, <usize> (F * K) << 4);
        for (let n = splitLo(N, j, chunks); n < splitLo(N, j + 1, chunks); n++) {
          const dn = dout + (<usize> n * <usize> (F * P) << 2), xn = x + (<usize> n * <usize> CHW << 2);
          stride2FilterImage(dn, xn, C, H, W, F, KH, KW, pad, HO, WO, scratch, n == splitLo(N, j, chunks));
        }
        sumLanes(part, V, F * K);
        continue;
      }
      memory.fill(part, 0, <usize> (F * K) << 2);
      for (let n = splitLo(N, j, chunks); n < splitLo(N, j + 1, chunks); n++) {
        packA(apD, dout + (<usize> n * <usize> (F * P) << 2), F, P, P, 1);
        const xn = x + (<usize> n * <usize> CHW << 2);
        filterImage(part, apD, bpX, xn, C, H, W, F, KH, KW, s, pad, HO, WO, 0, items, tile);
      }
    }
    if (atomic.add<i32>(shared, 1) == nth - 1) {
      addPartials(dw, shared + 64, partBytes, chunks, F * K);
      addPartials(db, shared + 64 + (<usize> (F * K) << 2), partBytes, chunks, F);
    }
    return;
  } else if (g0 < g1) {
    for (let n = 0; n < N; n++) {
      const dn = dout + (<usize> n * <usize> (F * P) << 2);
      packA(apD, dn, F, P, P, 1);
      const xn = x + (<usize> n * <usize> CHW << 2);
      filterImage(dw, apD, bpX, xn, C, H, W, F, KH, KW, s, pad, HO, WO, g0, g1, tile);
    }
  }
  const f0 = splitLo(F, tid, nth), f1 = splitLo(F, tid + 1, nth);
  for (let f = f0; f < f1; f++) {
    let sum: f32 = 0;
    for (let n = 0; n < N; n++) sum += rowSum(dout + (<usize> (n * F + f) * <usize> P << 2), P);
    const q = db + (<usize> f << 2);
    store<f32>(q, load<f32>(q) + sum);
  }
}

/** Σ of the P floats at row (four lanes, then the lanes and the tail added in order). */
// @ts-ignore: decorator
@inline function rowSum(row: usize, P: i32): f32 {
  let v4 = f32x4.splat(0);
  let p = 0;
  for (; p + 4 <= P; p += 4) v4 = f32x4.add(v4, v128.load(row + (<usize> p << 2)));
  let sum = f32x4.extract_lane(v4, 0) + f32x4.extract_lane(v4, 1) + f32x4.extract_lane(v4, 2) +
    f32x4.extract_lane(v4, 3);
  for (; p < P; p++) sum += load<f32>(row + (<usize> p << 2));
  return sum;
}

/** dst[f] += Σ_p m[f, p] for the F rows of P floats at m. */
function rowSums(dst: usize, m: usize, F: i32, P: i32): void {
  for (let f = 0; f < F; f++) {
    const q = dst + (<usize> f << 2);
    store<f32>(q, load<f32>(q) + rowSum(m + (<usize> (f * P) << 2), P));
  }
}
