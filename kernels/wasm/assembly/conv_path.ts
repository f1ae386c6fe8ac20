// Which path a convolution shape takes, stated once: the kernels (conv2d.ts, conv_pool.ts), their
// scratch sizes and the TypeScript side (kernels/wasm/conv.ts `convPath`, the benches) all ask
// `convPath`. Each path's own `*Fits` (winograd.ts, stride2.ts, gemm.ts) holds its measured
// reasons; this file only orders them.

import { filterDirectFits, NR } from "./gemm";
import { stride2DataFits, stride2FilterFits, stride2ForwardFits } from "./stride2";
import { winogradFilterChunked, winogradFilterFits, winogradFits, winogradPartialFits } from "./winograd";

/** im2col panels (colsᵀ for the filter gradient) + packed GEMM; data: GEMM + col2im. */
export const PATH_IM2COL: i32 = 0;
/** Direct from a zero-padded image, no im2col copy (stride 1; forward and filter gradient). */
export const PATH_DIRECT: i32 = 1;
/** Stride 2 from column-phase planes (stride2.ts). */
export const PATH_STRIDE2: i32 = 2;
/** Winograd F(2×2, 3×3) (winograd.ts). */
export const PATH_WINOGRAD: i32 = 3;

/** Bit offsets of the three 2-bit paths in `convPath`'s answer, and its chunked-filter bit. */
export const FORWARD_SHIFT: i32 = 0;
export const DATA_SHIFT: i32 = 2;
export const FILTER_SHIFT: i32 = 4;
export const FILTER_CHUNKED_BIT: i32 = 64;

/**
 * Byte address of the word that, when nonzero, keeps partial-tile Winograd off (the paths before
 * it existed; the benches' "before"); zero, the default, lets `convPath` take it. It lives in
 * the shared memory's unused first bytes (kernels/wasm/_layout.ts PARTIAL_TILES_OFF) so that every
 * thread's module instance sees the same answer.
 */
export const PARTIAL_TILES_OFF: usize = 240;

/** The most weights F·C·KH·KW of an image-chunked (non-Winograd) filter gradient. */
export const FILTER_CHUNK_MAX_WEIGHTS: i64 = 4096;

/**
 * Whether the forward of one image runs direct (stride 1, output rows of at least NR, and few
 * filters or a wide kernel; `convImage` says why), else im2col panels.
 */
// @ts-ignore: decorator
@inline export function forwardDirect(F: i32, KW: i32, s: i32, WO: i32): bool {
  return s == 1 && WO >= NR && (F <= 32 || KW >= 5);
}

/** Whether the filter gradient of one image runs direct (`filterImage`'s first path). */
// @ts-ignore: decorator
@inline export function filterDirect(s: i32, KW: i32): bool {
  return s == 1 && filterDirectFits(KW);
}

/**
 * The paths of a conv x (N, C, H, W) * w (F, C, KH, KW), stride s, padding pad, output (HO, WO):
 * bits 0–1 the forward, 2–3 the data gradient, 4–5 the filter gradient (each a PATH_*), and
 * FILTER_CHUNKED_BIT when the filter gradient splits the images into chunks whose partial sums
 * are added in chunk order (it then needs `convBackwardSharedBytes`) rather than dw's columns.
 *
 *   forward   Winograd (on a partial tile grid where the exact one does not fit), else
 *             stride-2 planes, else direct, else im2col
 *   data      Winograd of dout with the turned filters (padding 2 − pad ≥ 0; exact or partial
 *             grid), else stride-2 planes, else GEMM + col2im
 *   filter    Winograd (chunked when F·C is small); else, for N > 1, at most 4096 weights and
 *             not direct, image chunks (stride-2 planes or colsᵀ + GEMM); else direct, else colsᵀ
 */
export function convPath(
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
): i32 {
  const partial = load<i32>(PARTIAL_TILES_OFF) == 0;
  let forward = PATH_IM2COL;
  if (winogradFits(C, KH, KW, s, HO, WO) || partial && winogradPartialFits(C, KH, KW, s, HO, WO)) {
    forward = PATH_WINOGRAD;
  }
  else if (stride2ForwardFits(s, C, KH, KW, WO)) forward = PATH_STRIDE2;
  else if (forwardDirect(F, KW, s, WO)) forward = PATH_DIRECT;
  let data = PATH_IM2COL;
  if (pad <= 2 && (winogradFits(F, KH, KW, s, H, W) || partial && winogradPartialFits(F, KH, KW, s, H, W))) {
    data = PATH_WINOGRAD;
  }
  else if (stride2DataFits(s, C, W, pad)) data = PATH_STRIDE2;
  let filter = PATH_IM2COL, chunked = false;
  if (winogradFilterFits(C, F, KH, KW, s, HO, WO, partial)) {
    filter = PATH_WINOGRAD;
    chunked = winogradFilterChunked(C, F, N);
  } else if (filterDirect(s, KW)) {
    filter = PATH_DIRECT;
  } else if (N > 1 && <i64> F * <i64> C * <i64> KH * <i64> KW <= FILTER_CHUNK_MAX_WEIGHTS) {
    chunked = true;
    if (stride2FilterFits(s, WO)) filter = PATH_STRIDE2;
  }
  return (forward << FORWARD_SHIFT) | (data << DATA_SHIFT) | (filter << FILTER_SHIFT) |
    (chunked ? FILTER_CHUNKED_BIT : 0);
}

/** The forward's PATH_* of a `convPath` answer. */
// @ts-ignore: decorator
@inline export function forwardPath(path: i32): i32 {
  return (path >> FORWARD_SHIFT) & 3;
}

/** The data gradient's PATH_* of a `convPath` answer. */
// @ts-ignore: decorator
@inline export function dataPath(path: i32): i32 {
  return (path >> DATA_SHIFT) & 3;
}

/** The filter gradient's PATH_* of a `convPath` answer. */
// @ts-ignore: decorator
@inline export function filterPath(path: i32): i32 {
  return (path >> FILTER_SHIFT) & 3;
}

/** Whether a `convPath` answer's filter gradient is image-chunked. */
// @ts-ignore: decorator
@inline export function filterChunked(path: i32): bool {
  return (path & FILTER_CHUNKED_BIT) != 0;
}
