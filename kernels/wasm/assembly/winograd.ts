// 3×3 stride-1 convolution by Winograd's minimal filtering (Lavin & Gray, "Fast Algorithms for
// Convolutional Neural Networks", 2016): the forward and (through the 180°-turned filters) the
// data gradient by F(2×2, 3×3), the filter gradient by F(3×3, 2×2) (second half of this file).
// Matches kernels/ref/conv2d.ts (conv2dForward, conv2dBackwardData, conv2dBackwardFilter) up to
// float32 rounding: the transforms reorder the sums, so results are not bit-identical to the
// GEMM path.
//
// Each 2×2 output tile comes from a 4×4 input tile d: Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A, with
//   Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]   G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]
//   Aᵀ = [1 1 1 0; 0 1 −1 −1].
// Summed over channels, the 16 element-wise products become 16 GEMMs, one per position ξ of
// the 4×4 transform: M_ξ (F×T) = U_ξ (F×C) · V_ξ (C×T) over T tiles, 16 multiply-adds per
// tile and channel instead of 36 for the four outputs (2.25× fewer). The input is transformed
// straight into the GEMM's packed-B panels, four tiles per SIMD vector, a band of about 64 tiles
// at a time so that V and M stay in L2: four tiles along a tile row when the output rows are
// 8·k wide; on 4-wide maps (the last stage of a ResNet on CIFAR), the 2×2 tiles of two tile
// rows, with the band made of several images. Other output sizes (the odd maps of a net whose
// stem has no padding: 31, 15, 7, 3) run on the tile grid rounded up to those shapes
// (`winogradGridH`, `winogradGridW`): the padded input is read with zeros beyond its edge, the
// outputs past the map are dropped, and the filter gradient's dout is zero there.

import { gemmPacked, MR, NR, packA } from "./gemm";
import { addPartials, bytes64, splitLo, up } from "./util";

/**
 * Whether the Winograd path takes a conv on its exact tile grid: 3×3, stride 1, at least 8
 * channels, an even output height and output rows of 8·k, or 4-wide rows with a height of 4·k.
 */
export function winogradFits(C: i32, KH: i32, KW: i32, s: i32, HO: i32, WO: i32): bool {
  return KH == 3 && KW == 3 && s == 1 && C >= 8 && winogradExact(HO, WO);
}

/** Whether the 2×2 tiles cover an HO×WO output exactly (rows of 8·k and an even height, or 4×4·k). */
// @ts-ignore: decorator
@inline export function winogradExact(HO: i32, WO: i32): bool {
  return (HO & 1) == 0 && ((WO & 7) == 0 || (WO == 4 && (HO & 3) == 0));
}

/**
 * The most outputs a partial tile grid may compute per output it keeps: grid area ÷ map area.
 * At 2, the grid's 4 multiplies per computed output are still under the direct convolution's 9
 * per kept one (31-wide maps: 1.07, 15: 1.14, 7: 1.31, 3: 1.78, 5: 1.92, 9: 1.98).
 */
const PARTIAL_MAX_WASTE: f64 = 2;

/**
 * Whether the Winograd path takes a conv on a partial tile grid (`winogradGridH` ×
 * `winogradGridW`, larger than the output): 3×3, stride 1, at least 8 channels, an output the
 * exact grid does not cover, and at most `PARTIAL_MAX_WASTE` computed outputs per kept one.
 */
export function winogradPartialFits(C: i32, KH: i32, KW: i32, s: i32, HO: i32, WO: i32): bool {
  if (KH != 3 || KW != 3 || s != 1 || C < 8 || HO < 1 || WO < 1 || winogradExact(HO, WO)) return false;
  const grid = <f64> winogradGridH(HO, WO) * <f64> winogradGridW(HO, WO);
  return grid <= PARTIAL_MAX_WASTE * <f64> HO * <f64> WO;
}

/** The tile grid's output width: WO when exact, else 4 for rows of at most 4, else WO rounded up to 8. */
// @ts-ignore: decorator
@inline export function winogradGridW(HO: i32, WO: i32): i32 {
  return winogradExact(HO, WO) ? WO : WO <= 4 ? 4 : up(WO, 8);
}

/** The tile grid's output height: HO when exact, else HO rounded up to 4 on 4-wide grids, else to 2. */
// @ts-ignore: decorator
@inline export function winogradGridH(HO: i32, WO: i32): i32 {
  return winogradExact(HO, WO) ? HO : up(HO, WO <= 4 ? 4 : 2);
}

// Images per band on 4-wide maps (HO tiles each): about 64 tiles.
// @ts-ignore: decorator
@inline function smallImages(HO: i32): i32 {
  return max(1, 64 / HO);
}

// Tiles per band (the most; the last band may hold fewer).
// @ts-ignore: decorator
@inline function bandTiles(HO: i32, WO: i32): i32 {
  return WO == 4 ? smallImages(HO) * HO : bandRows(WO >> 1, HO >> 1) * (WO >> 1);
}

// Tile rows per band: about 64 tiles (whole rows), so V and M of a band stay in L2.
// @ts-ignore: decorator
@inline function bandRows(TW: i32, TH: i32): i32 {
  return min(TH, max(1, 64 / TW));
}

// Bytes from one ξ plane of a transform buffer (V, M, U) to the next, for planes of `floats`:
// an odd number of whole cache lines. The transforms write (or read) all 16 planes at once, and
// planes a multiple of 4 KiB apart (64 channels × 64 tiles) all fall into one L1 set, evicting
// each other: the input transform of 64 channels took 40% of a forward against the GEMMs' 25%.
// @ts-ignore: decorator
@inline function planeBytes(floats: i32): usize {
  return <usize> (((floats + 15) >> 4) | 1) << 6;
}

// `planeBytes` of V_ξ for C channels and T tiles: packed B of C×T, or of T×C (`transposed`).
// @ts-ignore: decorator
@inline function vPlane(C: i32, T: i32, transposed: bool): usize {
  return planeBytes(transposed ? up(C, NR) * T : C * up(T, NR));
}

/** Per-thread scratch bytes of the Winograd forward (the padded image is (C, HOg + 2, WOg + 2) on the grid HOg × WOg). */
export function winogradScratch(C: i32, F: i32, HO: i32, WO: i32): usize {
  const HOg = winogradGridH(HO, WO), WOg = winogradGridW(HO, WO);
  const images = WOg == 4 ? smallImages(HOg) : 1;
  return winogradLayout(0, C, F, HO, WO, 4) + bytes64(images * C * (HOg + 2) * (WOg + 2) + NR);
}

/** U_ξ = (G g Gᵀ)_ξ for every filter and channel, packed as 16 A operands (F×C each). */
export function winogradPackFilters(ap: usize, tmp: usize, w: usize, F: i32, C: i32): void {
  // tmp: (16, F, C)
  const FC = F * C;
  for (let fc = 0; fc < FC; fc++) {
    const g = w + (<usize> (fc * 9) << 2);
    // rows of G·g (4×3), then (G·g)·Gᵀ (4×4)
    for (let r = 0; r < 4; r++) {
      let g0: f32, g1: f32, g2: f32;
      if (r == 0 || r == 3) {
        const row = g + (<usize> (r == 0 ? 0 : 6) << 2);
        g0 = load<f32>(row);
        g1 = load<f32>(row, 4);
        g2 = load<f32>(row, 8);
      } else {
        const sign: f32 = r == 1 ? 1 : -1;
        g0 = 0.5 * (load<f32>(g) + sign * load<f32>(g, 12) + load<f32>(g, 24));
        g1 = 0.5 * (load<f32>(g, 4) + sign * load<f32>(g, 16) + load<f32>(g, 28));
        g2 = 0.5 * (load<f32>(g, 8) + sign * load<f32>(g, 20) + load<f32>(g, 32));
      }
      const u0 = g0, u1: f32 = 0.5 * (g0 + g1 + g2), u2: f32 = 0.5 * (g0 - g1 + g2), u3 = g2;
      store<f32>(tmp + (<usize> ((r * 4) * FC + fc) << 2), u0);
      store<f32>(tmp + (<usize> ((r * 4 + 1) * FC + fc) << 2), u1);
      store<f32>(tmp + (<usize> ((r * 4 + 2) * FC + fc) << 2), u2);
      store<f32>(tmp + (<usize> ((r * 4 + 3) * FC + fc) << 2), u3);
    }
  }
  const panel = <usize> up(F, MR) * <usize> C << 2;
  for (let xi = 0; xi < 16; xi++) {
    packA(ap + <usize> xi * panel, tmp + (<usize> (xi * FC) << 2), F, C, C, 1);
  }
}

// V_ξ = Bᵀ d B for channels [c0, c1) and tile rows [ti0, ti0 + rows) of the padded image
// xp (C, Hp, Wp), four tiles per vector, written as 16 packed GEMM operands:
// - forward (`transposed` false): packed B of the C×T product's right side, panels of NR
//   tiles (a last panel of four tiles leaves its other lanes unused): element (c, t) of V_ξ at
//   vp + ξ·C·⌈T/NR⌉·NR + ((t / NR)·C + c)·NR + t % NR;
// - filter gradient (`transposed`): packed B of T×C, panels of NR channels over the tiles:
//   element (t, c) at vp + ξ·⌈C/NR⌉·NR·T + ((c / NR)·T + t)·NR + c % NR.
function inputTransform(
  vp: usize,
  xp: usize,
  C: i32,
  c0: i32,
  c1: i32,
  Hp: i32,
  Wp: i32,
  TW: i32,
  ti0: i32,
  rows: i32,
  transposed: bool,
): void {
  const T = rows * TW, rowBytes = <usize> Wp << 2, step = <usize> NR << 2;
  const opBytes = vPlane(C, T, transposed);
  for (let c = c0; c < c1; c++) {
    for (let i = 0; i < rows; i++) {
      const top = xp + (<usize> ((c * Hp + 2 * (ti0 + i)) * Wp) << 2);
      for (let tj = 0; tj < TW; tj += 4) {
        // four tiles: input columns 2·tj … 2·tj + 9 of four rows, deinterleaved into d[r][j]
        let p = top + (<usize> (2 * tj) << 2);
        let d00: v128, d01: v128, d02: v128, d03: v128, d10: v128, d11: v128, d12: v128;
        let d13: v128, d20: v128, d21: v128, d22: v128, d23: v128, d30: v128, d31: v128;
        let d32: v128, d33: v128;
        {
          const a = v128.load(p), b = v128.load(p, 16), e = v128.load(p, 32);
          d00 = i32x4.shuffle(a, b, 0, 2, 4, 6);
          d01 = i32x4.shuffle(a, b, 1, 3, 5, 7);
          const be = i32x4.shuffle(b, e, 0, 2, 4, 6), bo = i32x4.shuffle(b, e, 1, 3, 5, 7);
          d02 = i32x4.shuffle(d00, be, 1, 2, 3, 6);
          d03 = i32x4.shuffle(d01, bo, 1, 2, 3, 6);
        }
        p += rowBytes;
        {
          const a = v128.load(p), b = v128.load(p, 16), e = v128.load(p, 32);
          d10 = i32x4.shuffle(a, b, 0, 2, 4, 6);
          d11 = i32x4.shuffle(a, b, 1, 3, 5, 7);
          const be = i32x4.shuffle(b, e, 0, 2, 4, 6), bo = i32x4.shuffle(b, e, 1, 3, 5, 7);
          d12 = i32x4.shuffle(d10, be, 1, 2, 3, 6);
          d13 = i32x4.shuffle(d11, bo, 1, 2, 3, 6);
        }
        p += rowBytes;
        {
          const a = v128.load(p), b = v128.load(p, 16), e = v128.load(p, 32);
          d20 = i32x4.shuffle(a, b, 0, 2, 4, 6);
          d21 = i32x4.shuffle(a, b, 1, 3, 5, 7);
          const be = i32x4.shuffle(b, e, 0, 2, 4, 6), bo = i32x4.shuffle(b, e, 1, 3, 5, 7);
          d22 = i32x4.shuffle(d20, be, 1, 2, 3, 6);
          d23 = i32x4.shuffle(d21, bo, 1, 2, 3, 6);
        }
        p += rowBytes;
        {
          const a = v128.load(p), b = v128.load(p, 16), e = v128.load(p, 32);
          d30 = i32x4.shuffle(a, b, 0, 2, 4, 6);
          d31 = i32x4.shuffle(a, b, 1, 3, 5, 7);
          const be = i32x4.shuffle(b, e, 0, 2, 4, 6), bo = i32x4.shuffle(b, e, 1, 3, 5, 7);
          d32 = i32x4.shuffle(d30, be, 1, 2, 3, 6);
          d33 = i32x4.shuffle(d31, bo, 1, 2, 3, 6);
        }
        const q = operandAt(vp, C, T, c, i * TW + tj, transposed);
        transformTiles(q, opBytes, step, transposed, d00, d01, d02, d03, d10, d11, d12, d13, d20, d21, d22, d23, d30, d31, d32, d33);
      }
    }
  }
}

// The address of element (c, t) of V_ξ0 in `inputTransform`'s layouts, for a band of T tiles.
// @ts-ignore: decorator
@inline function operandAt(vp: usize, C: i32, T: i32, c: i32, t: i32, transposed: bool): usize {
  return transposed
    ? vp + (<usize> (((c / NR) * T + t) * NR + c % NR) << 2)
    : vp + (<usize> (((t / NR) * C + c) * NR + (t & (NR - 1))) << 2);
}

// Bᵀ d B for four tiles (d_rj: element (r, j) of each tile, one tile per lane), stored as the
// 16 operands ξ = 4·row + column at q: packed B (`storeRow`) or its transpose (`storeRowT`).
// @ts-ignore: decorator
@inline function transformTiles(
  q: usize,
  opBytes: usize,
  step: usize,
  transposed: bool,
  d00: v128,
  d01: v128,
  d02: v128,
  d03: v128,
  d10: v128,
  d11: v128,
  d12: v128,
  d13: v128,
  d20: v128,
  d21: v128,
  d22: v128,
  d23: v128,
  d30: v128,
  d31: v128,
  d32: v128,
  d33: v128,
): void {
  // Bᵀ d: rows (d0 − d2, d1 + d2, d2 − d1, d1 − d3), per column j
  const e00 = f32x4.sub(d00, d20), e01 = f32x4.sub(d01, d21);
  const e02 = f32x4.sub(d02, d22), e03 = f32x4.sub(d03, d23);
  const e10 = f32x4.add(d10, d20), e11 = f32x4.add(d11, d21);
  const e12 = f32x4.add(d12, d22), e13 = f32x4.add(d13, d23);
  const e20 = f32x4.sub(d20, d10), e21 = f32x4.sub(d21, d11);
  const e22 = f32x4.sub(d22, d12), e23 = f32x4.sub(d23, d13);
  const e30 = f32x4.sub(d10, d30), e31 = f32x4.sub(d11, d31);
  const e32 = f32x4.sub(d12, d32), e33 = f32x4.sub(d13, d33);
  // (Bᵀ d) B: the same on columns; V_ξ with ξ = 4·row + column
  if (transposed) {
    storeRowT(q, opBytes, step, 0, e00, e01, e02, e03);
    storeRowT(q, opBytes, step, 4, e10, e11, e12, e13);
    storeRowT(q, opBytes, step, 8, e20, e21, e22, e23);
    storeRowT(q, opBytes, step, 12, e30, e31, e32, e33);
  } else {
    storeRow(q, opBytes, 0, e00, e01, e02, e03);
    storeRow(q, opBytes, 4, e10, e11, e12, e13);
    storeRow(q, opBytes, 8, e20, e21, e22, e23);
    storeRow(q, opBytes, 12, e30, e31, e32, e33);
  }
}

// V_ξ of channels [c0, c1) of `images` consecutive padded 4-wide images xp (images, C, HO + 2,
// 6), in either layout of `inputTransform`, tile t = g·HO + 2·ti + tj of image g. One vector holds the 2×2 tiles of
// tile rows ti and ti + 1: element (r, j) of the four tiles is P[2ti + r][j], P[2ti + r][j + 2],
// P[2ti + r + 2][j], P[2ti + r + 2][j + 2], i.e. column j of the 4×4 block whose rows are
// P[R][0…3], P[R][2…5], P[R + 2][0…3], P[R + 2][2…5] (R = 2ti + r): a 4×4 transpose.
function inputTransformSmall(
  vp: usize,
  xp: usize,
  C: i32,
  c0: i32,
  c1: i32,
  HO: i32,
  images: i32,
  transposed: bool,
): void {
  const T = images * HO, row: usize = 24, step = <usize> NR << 2; // rows of 6 floats
  const opBytes = vPlane(C, T, transposed);
  for (let g = 0; g < images; g++) {
    for (let c = c0; c < c1; c++) {
      const img = xp + (<usize> ((g * C + c) * (HO + 2) * 6) << 2);
      for (let ti = 0; ti < HO >> 1; ti += 2) {
        const p = img + <usize> (2 * ti) * row;
        const a0 = v128.load(p), b0 = v128.load(p, 8), a1 = v128.load(p + row), b1 = v128.load(p + row, 8);
        const a2 = v128.load(p + 2 * row), b2 = v128.load(p + 2 * row, 8);
        const a3 = v128.load(p + 3 * row), b3 = v128.load(p + 3 * row, 8);
        const a4 = v128.load(p + 4 * row), b4 = v128.load(p + 4 * row, 8);
        const a5 = v128.load(p + 5 * row), b5 = v128.load(p + 5 * row, 8);
        // rows r and r + 2 interleaved, then their halves joined: d_rj for j = 0 … 3
        const l0 = i32x4.shuffle(a0, b0, 0, 4, 1, 5), h0 = i32x4.shuffle(a0, b0, 2, 6, 3, 7);
        const l1 = i32x4.shuffle(a1, b1, 0, 4, 1, 5), h1 = i32x4.shuffle(a1, b1, 2, 6, 3, 7);
        const l2 = i32x4.shuffle(a2, b2, 0, 4, 1, 5), h2 = i32x4.shuffle(a2, b2, 2, 6, 3, 7);
        const l3 = i32x4.shuffle(a3, b3, 0, 4, 1, 5), h3 = i32x4.shuffle(a3, b3, 2, 6, 3, 7);
        const l4 = i32x4.shuffle(a4, b4, 0, 4, 1, 5), h4 = i32x4.shuffle(a4, b4, 2, 6, 3, 7);
        const l5 = i32x4.shuffle(a5, b5, 0, 4, 1, 5), h5 = i32x4.shuffle(a5, b5, 2, 6, 3, 7);
        const q = operandAt(vp, C, T, c, g * HO + 2 * ti, transposed);
        transformTiles(
          q,
          opBytes,
          step,
          transposed,
          i32x4.shuffle(l0, l2, 0, 1, 4, 5),
          i32x4.shuffle(l0, l2, 2, 3, 6, 7),
          i32x4.shuffle(h0, h2, 0, 1, 4, 5),
          i32x4.shuffle(h0, h2, 2, 3, 6, 7),
          i32x4.shuffle(l1, l3, 0, 1, 4, 5),
          i32x4.shuffle(l1, l3, 2, 3, 6, 7),
          i32x4.shuffle(h1, h3, 0, 1, 4, 5),
          i32x4.shuffle(h1, h3, 2, 3, 6, 7),
          i32x4.shuffle(l2, l4, 0, 1, 4, 5),
          i32x4.shuffle(l2, l4, 2, 3, 6, 7),
          i32x4.shuffle(h2, h4, 0, 1, 4, 5),
          i32x4.shuffle(h2, h4, 2, 3, 6, 7),
          i32x4.shuffle(l3, l5, 0, 1, 4, 5),
          i32x4.shuffle(l3, l5, 2, 3, 6, 7),
          i32x4.shuffle(h3, h5, 0, 1, 4, 5),
          i32x4.shuffle(h3, h5, 2, 3, 6, 7),
        );
      }
    }
  }
}

// Column transform of one row of Bᵀ d and its four stores (operands ξ0 … ξ0 + 3).
// @ts-ignore: decorator
@inline function storeRow(q: usize, opBytes: usize, xi0: i32, a: v128, b: v128, c: v128, d: v128): void {
  const base = q + <usize> xi0 * opBytes;
  v128.store(base, f32x4.sub(a, c));
  v128.store(base + opBytes, f32x4.add(b, c));
  v128.store(base + 2 * opBytes, f32x4.sub(c, b));
  v128.store(base + 3 * opBytes, f32x4.sub(b, d));
}

// out rows 2·ti0 … of every filter ← Aᵀ M A + b (with `acc`, added to out), M: (16, F, T) for
// the band's T tiles on the grid HOg × WOg; on 4-wide grids (WOg = 4) the band is images of HOg
// tiles from out on. Outputs of a partial grid that fall outside (HO, WO) are dropped.
function outputTransform(
  out: usize,
  mp: usize,
  b: usize,
  F: i32,
  HO: i32,
  WO: i32,
  HOg: i32,
  WOg: i32,
  ti0: i32,
  rows: i32,
  acc: bool,
): void {
  const TW = WOg >> 1, exact = HOg == HO && WOg == WO;
  const T = rows * TW, opBytes = planeBytes(F * T), rowBytes = <usize> WO << 2;
  for (let f = 0; f < F; f++) {
    const bias = b != 0 ? v128.load32_splat(b + (<usize> f << 2)) : f32x4.splat(0);
    for (let t = 0; t < T; t += 4) {
      const m = mp + (<usize> (f * T + t) << 2);
      // Aᵀ M: rows (m0 + m1 + m2, m1 − m2 − m3) per column, then the same on columns
      const m0 = v128.load(m), m1 = v128.load(m + opBytes);
      const m2 = v128.load(m + 2 * opBytes), m3 = v128.load(m + 3 * opBytes);
      const m4 = v128.load(m + 4 * opBytes), m5 = v128.load(m + 5 * opBytes);
      const m6 = v128.load(m + 6 * opBytes), m7 = v128.load(m + 7 * opBytes);
      const m8 = v128.load(m + 8 * opBytes), m9 = v128.load(m + 9 * opBytes);
      const m10 = v128.load(m + 10 * opBytes), m11 = v128.load(m + 11 * opBytes);
      const m12 = v128.load(m + 12 * opBytes), m13 = v128.load(m + 13 * opBytes);
      const m14 = v128.load(m + 14 * opBytes), m15 = v128.load(m + 15 * opBytes);
      const r00 = f32x4.add(f32x4.add(m0, m4), m8), r01 = f32x4.add(f32x4.add(m1, m5), m9);
      const r02 = f32x4.add(f32x4.add(m2, m6), m10), r03 = f32x4.add(f32x4.add(m3, m7), m11);
      const r10 = f32x4.sub(f32x4.sub(m4, m8), m12), r11 = f32x4.sub(f32x4.sub(m5, m9), m13);
      const r12 = f32x4.sub(f32x4.sub(m6, m10), m14), r13 = f32x4.sub(f32x4.sub(m7, m11), m15);
      const y00 = f32x4.add(f32x4.add(f32x4.add(r00, r01), r02), bias);
      const y01 = f32x4.add(f32x4.sub(f32x4.sub(r01, r02), r03), bias);
      const y10 = f32x4.add(f32x4.add(f32x4.add(r10, r11), r12), bias);
      const y11 = f32x4.add(f32x4.sub(f32x4.sub(r11, r12), r13), bias);
      // four tiles side by side: row a of the outputs is y_a0[k], y_a1[k] for k = 0 … 3:
      // z0, z1 hold row 0 of lanes 0–1 and 2–3, z2, z3 row 1. Along a tile row those are
      // (row 2ti, cols 2tj …), (row 2ti, cols 2tj + 4 …), (row 2ti + 1, …), …; on 4-wide
      // maps, lanes 2–3 are the next tile row, so z0 z2 z1 z3 are four whole output rows.
      let z0 = i32x4.shuffle(y00, y01, 0, 4, 1, 5), z1 = i32x4.shuffle(y00, y01, 2, 6, 3, 7);
      let z2 = i32x4.shuffle(y10, y11, 0, 4, 1, 5), z3 = i32x4.shuffle(y10, y11, 2, 6, 3, 7);
      if (!exact) {
        storePartial(out, F, HO, WO, HOg, WOg, ti0, t, f, z0, z1, z2, z3, acc);
        continue;
      }
      let o0: usize, o1: usize, o2: usize, o3: usize;
      if (WO == 4) {
        const g = t / HO, ti = (t - g * HO) >> 1;
        o0 = out + (<usize> ((g * F + f) * HO + 2 * ti) * 16);
        o1 = o0 + 32;
        o2 = o0 + 16;
        o3 = o0 + 48;
      } else {
        const ti = ti0 + t / TW, tj = t % TW;
        o0 = out + (<usize> ((f * HO + 2 * ti) * WO + 2 * tj) << 2);
        o1 = o0 + 16;
        o2 = o0 + rowBytes;
        o3 = o2 + 16;
      }
      if (acc) {
        z0 = f32x4.add(v128.load(o0), z0);
        z1 = f32x4.add(v128.load(o1), z1);
        z2 = f32x4.add(v128.load(o2), z2);
        z3 = f32x4.add(v128.load(o3), z3);
      }
      v128.store(o0, z0);
      v128.store(o1, z1);
      v128.store(o2, z2);
      v128.store(o3, z3);
    }
  }
}

// `outputTransform`'s stores of tile group t (z0 … z3, laid out as there) for filter f on a
// partial grid: each 4-float row piece goes to its place in out (F, HO, WO per image) with what
// falls outside the map dropped.
function storePartial(
  out: usize,
  F: i32,
  HO: i32,
  WO: i32,
  HOg: i32,
  WOg: i32,
  ti0: i32,
  t: i32,
  f: i32,
  z0: v128,
  z1: v128,
  z2: v128,
  z3: v128,
  acc: bool,
): void {
  if (WOg == 4) {
    // lanes 2–3 are the next tile row: z0 z2 z1 z3 are grid rows r … r + 3 of image g
    const g = t / HOg, r = t - g * HOg;
    const map = out + (<usize> ((g * F + f) * HO) * <usize> WO << 2);
    storeClipped(map, HO, WO, r, 0, z0, acc);
    storeClipped(map, HO, WO, r + 1, 0, z2, acc);
    storeClipped(map, HO, WO, r + 2, 0, z1, acc);
    storeClipped(map, HO, WO, r + 3, 0, z3, acc);
    return;
  }
  const TW = WOg >> 1, r = 2 * (ti0 + t / TW), c = 2 * (t % TW);
  const map = out + (<usize> (f * HO) * <usize> WO << 2);
  storeClipped(map, HO, WO, r, c, z0, acc);
  storeClipped(map, HO, WO, r, c + 4, z1, acc);
  storeClipped(map, HO, WO, r + 1, c, z2, acc);
  storeClipped(map, HO, WO, r + 1, c + 4, z3, acc);
}

// Row r, columns c … c + 3 of the (HO, WO) map at `map` ← v (with `acc`, += v); the lanes
// outside the map are dropped.
// @ts-ignore: decorator
@inline function storeClipped(map: usize, HO: i32, WO: i32, r: i32, c: i32, v: v128, acc: bool): void {
  if (r >= HO || c >= WO) return;
  const o = map + (<usize> (r * WO + c) << 2);
  if (c + 4 <= WO) {
    v128.store(o, acc ? f32x4.add(v128.load(o), v) : v);
    return;
  }
  const n = WO - c; // 1 … 3 lanes inside
  store<f32>(o, acc ? load<f32>(o) + f32x4.extract_lane(v, 0) : f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(o, acc ? load<f32>(o, 4) + f32x4.extract_lane(v, 1) : f32x4.extract_lane(v, 1), 4);
  if (n > 2) store<f32>(o, acc ? load<f32>(o, 8) + f32x4.extract_lane(v, 2) : f32x4.extract_lane(v, 2), 8);
}

/**
 * out_n (F, HO, WO) = b + conv3×3(x_n (C, H, W)) for `count` consecutive images from x and out,
 * stride 1, padding `pad`, with the filters already transformed by `winogradPackFilters` into
 * ap; with `acc` the result is added to out_n (b may be 0: no bias). `scratch` follows ap and
 * its transform buffer in the layout of `winogradScratch`. Every image gets the same sums
 * whichever band it shares, so the result does not depend on how images are split.
 */
export function winogradImages(
  out: usize,
  ap: usize,
  x: usize,
  b: usize,
  C: i32,
  H: i32,
  W: i32,
  F: i32,
  pad: i32,
  HO: i32,
  WO: i32,
  count: i32,
  vp: usize,
  mp: usize,
  tile: usize,
  xp: usize,
  acc: bool,
): void {
  const HOg = winogradGridH(HO, WO), WOg = winogradGridW(HO, WO);
  const TH = HOg >> 1, TW = WOg >> 1;
  const Hp = HOg + 2, Wp = WOg + 2, aOp = <usize> up(F, MR) * <usize> C << 2;
  const xBytes = <usize> (C * H * W) << 2, outBytes = <usize> (F * HO * WO) << 2;
  if (WOg == 4) {
    const G = smallImages(HOg);
    for (let n0 = 0; n0 < count; n0 += G) {
      const images = min(G, count - n0), T = images * HOg;
      padImages(xp, x + <usize> n0 * xBytes, images, C, H, W, pad, Hp, Wp);
      inputTransformSmall(vp, xp, C, 0, C, HOg, images, false);
      bandProducts(mp, ap, vp, aOp, F, C, T, tile);
      outputTransform(out + <usize> n0 * outBytes, mp, b, F, HO, WO, HOg, WOg, 0, T / TW, acc);
    }
    return;
  }
  const band = bandRows(TW, TH);
  for (let n = 0; n < count; n++) {
    const xn = x + <usize> n * xBytes, on = out + <usize> n * outBytes;
    padImages(xp, xn, 1, C, H, W, pad, Hp, Wp);
    for (let ti0 = 0; ti0 < TH; ti0 += band) {
      const rows = min(band, TH - ti0), T = rows * TW;
      inputTransform(vp, xp, C, 0, C, Hp, Wp, TW, ti0, rows, false);
      bandProducts(mp, ap, vp, aOp, F, C, T, tile);
      outputTransform(on, mp, b, F, HO, WO, HOg, WOg, ti0, rows, acc);
    }
  }
}

// xp (images, C, Hp, Wp) ← `images` consecutive images from x (C, H, W each), each at row and
// column `pad` inside zeros (Hp ≥ H + 2·pad, Wp ≥ W + 2·pad: the grid's extra rows and columns
// are zeros too), then NR floats of zeros.
function padImages(xp: usize, x: usize, images: i32, C: i32, H: i32, W: i32, pad: i32, Hp: i32, Wp: i32): void {
  const padded = C * Hp * Wp;
  memory.fill(xp, 0, <usize> (images * padded + NR) << 2);
  for (let g = 0; g < images; g++) {
    for (let c = 0; c < C; c++) {
      const src = x + (<usize> ((g * C + c) * H * W) << 2);
      for (let h = 0; h < H; h++) {
        const dst = xp + (<usize> (g * padded + (c * Hp + h + pad) * Wp + pad) << 2);
        memory.copy(dst, src + (<usize> (h * W) << 2), <usize> W << 2);
      }
    }
  }
}

// M_ξ (F×T) = U_ξ (F×C) · V_ξ (C×T) for the 16 positions ξ of a band of T tiles.
function bandProducts(mp: usize, ap: usize, vp: usize, aOp: usize, F: i32, C: i32, T: i32, tile: usize): void {
  const vOp = vPlane(C, T, false), mOp = planeBytes(F * T);
  for (let xi = 0; xi < 16; xi++) {
    const a = ap + <usize> xi * aOp, v = vp + <usize> xi * vOp, m = mp + <usize> xi * mOp;
    gemmPacked(m, T, a, v, F, T, C, false, 0, (T + NR - 1) / NR, tile, 0);
  }
}

/** The byte offsets of `winogradScratch`'s buffers after ap: tmp, vp, mp, tile, xp. */
export function winogradLayout(scratch: usize, C: i32, F: i32, HO: i32, WO: i32, which: i32): usize {
  const T = bandTiles(winogradGridH(HO, WO), winogradGridW(HO, WO));
  let at = scratch + bytes64(16 * up(F, MR) * C); // after ap
  if (which == 0) return at; // tmp
  at += bytes64(16 * F * C);
  if (which == 1) return at; // vp
  at += 16 * vPlane(C, T, false);
  if (which == 2) return at; // mp
  at += 16 * planeBytes(F * T);
  if (which == 3) return at; // tile
  return at + bytes64(MR * NR); // xp
}

/**
 * w': (C, F, 3, 3) ← w: (F, C, 3, 3) with channels swapped and each kernel turned by 180°: the
 * data gradient of a 3×3 stride-1 convolution with padding p is the convolution of dout with
 * w' and padding 2 − p.
 */
export function flipFilters(dst: usize, w: usize, F: i32, C: i32): void {
  for (let f = 0; f < F; f++) {
    for (let c = 0; c < C; c++) {
      const src = w + (<usize> ((f * C + c) * 9) << 2), d = dst + (<usize> ((c * F + f) * 9) << 2);
      for (let k = 0; k < 9; k++) store<f32>(d + (<usize> k << 2), load<f32>(src + (<usize> (8 - k) << 2)));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Filter gradient by F(3×3, 2×2), the transpose of F(2×2, 3×3): for a 2×2 tile δ of dout and
// the 4×4 input tile d under it, the tile's share of dw (3×3) is
//   Gᵀ [(A δ Aᵀ) ⊙ (Bᵀ d B)] G,   A = (Aᵀ)ᵀ = [1 0; 1 1; 1 −1; 0 −1],
// so summed over images and tiles, 16 GEMMs with the tiles as the reduction:
//   M_ξ (F×C) += U_ξ (F×T) · V_ξᵀ (T×C),   U = A δ Aᵀ,  V = Bᵀ d B,
// and dw += Gᵀ M G. Threads split the channels in panels of NR; each sums its images and tiles
// in order, so every thread count gives the same bits.

/**
 * Whether the Winograd filter gradient takes a conv: 3×3, stride 1, enough channels and filters,
 * the output shapes of `winogradFits` (or, with `partial`, of `winogradPartialFits`).
 */
export function winogradFilterFits(C: i32, F: i32, KH: i32, KW: i32, s: i32, HO: i32, WO: i32, partial: bool): bool {
  return F >= MR && C >= NR &&
    (winogradFits(C, KH, KW, s, HO, WO) || partial && winogradPartialFits(C, KH, KW, s, HO, WO));
}

// Per-thread layout of the filter gradient's scratch; `which`: 0 U, 1 V, 2 M, 3 tile, 4 xp,
// 5 dout on the grid (partial grids only).
function filterLayout(scratch: usize, C: i32, F: i32, HO: i32, WO: i32, which: i32): usize {
  const HOg = winogradGridH(HO, WO), WOg = winogradGridW(HO, WO);
  const T = bandTiles(HOg, WOg);
  let at = scratch;
  if (which == 0) return at;
  at += 16 * planeBytes(up(F, MR) * T);
  if (which == 1) return at;
  at += 16 * vPlane(C, T, true);
  if (which == 2) return at;
  at += bytes64(16 * F * C);
  if (which == 3) return at;
  at += bytes64(MR * NR);
  if (which == 4) return at;
  const images = WOg == 4 ? smallImages(HOg) : 1;
  return at + bytes64(images * C * (HOg + 2) * (WOg + 2) + NR);
}

/**
 * Per-thread scratch bytes of `winogradFilterGrad`: the padded image is (C, HOg + 2, WOg + 2)
 * on the grid HOg × WOg, and a partial grid adds dout on the grid (F, HOg, WOg).
 */
export function winogradFilterScratch(C: i32, F: i32, HO: i32, WO: i32): usize {
  const HOg = winogradGridH(HO, WO), WOg = winogradGridW(HO, WO);
  if (winogradExact(HO, WO)) return filterLayout(0, C, F, HO, WO, 5);
  const images = WOg == 4 ? smallImages(HOg) : 1;
  return filterLayout(0, C, F, HO, WO, 5) + bytes64(images * F * HOg * WOg + NR);
}

// Stores lanes 0–3 of v at q, q + step, q + 2·step, q + 3·step.
// @ts-ignore: decorator
@inline function scatter4(q: usize, step: usize, v: v128): void {
  v128.store32_lane(q, v, 0);
  v128.store32_lane(q + step, v, 1);
  v128.store32_lane(q + 2 * step, v, 2);
  v128.store32_lane(q + 3 * step, v, 3);
}

// U_ξ = A δ Aᵀ for every filter and the band's tiles, as 16 packed-A operands (F×T, panels of
// MR filters over the tiles): element (f, t) of U_ξ at up + ξ·⌈F/MR⌉·MR·T + ((f / MR)·T + t)·MR
// + f % MR. dout_n: (F, HO, WO).
function doutTransform(up_: usize, dout: usize, F: i32, HO: i32, WO: i32, TW: i32, ti0: i32, rows: i32): void {
  const T = rows * TW, opBytes = planeBytes(up(F, MR) * T), step = <usize> MR << 2;
  for (let f = 0; f < F; f++) {
    const panel = up_ + (<usize> ((f / MR) * T * MR + f % MR) << 2);
    for (let i = 0; i < rows; i++) {
      const r0 = dout + (<usize> ((f * HO + 2 * (ti0 + i)) * WO) << 2), r1 = r0 + (<usize> WO << 2);
      for (let tj = 0; tj < TW; tj += 4) {
        const a = v128.load(r0 + (<usize> (2 * tj) << 2)), b = v128.load(r0 + (<usize> (2 * tj) << 2), 16);
        const c = v128.load(r1 + (<usize> (2 * tj) << 2)), e = v128.load(r1 + (<usize> (2 * tj) << 2), 16);
        const d00 = i32x4.shuffle(a, b, 0, 2, 4, 6), d01 = i32x4.shuffle(a, b, 1, 3, 5, 7);
        const d10 = i32x4.shuffle(c, e, 0, 2, 4, 6), d11 = i32x4.shuffle(c, e, 1, 3, 5, 7);
        // A δ: rows (δ0, δ0 + δ1, δ0 − δ1, −δ1), per column
        const q = panel + (<usize> ((i * TW + tj) * MR) << 2);
        storeURow(q, opBytes, step, 0, d00, d01);
        storeURow(q, opBytes, step, 4, f32x4.add(d00, d10), f32x4.add(d01, d11));
        storeURow(q, opBytes, step, 8, f32x4.sub(d00, d10), f32x4.sub(d01, d11));
        storeURow(q, opBytes, step, 12, f32x4.neg(d10), f32x4.neg(d11));
      }
    }
  }
}

// `doutTransform` for `images` consecutive 4-wide douts (images, F, HO, 4), tile t = g·HO + 2·ti
// + tj of image g: one vector holds the 2×2 tiles of tile rows ti and ti + 1, so δ_rj is
// (D[R][j], D[R][j + 2], D[R + 2][j], D[R + 2][j + 2]) with R = 2ti + r.
function doutTransformSmall(up_: usize, dout: usize, F: i32, HO: i32, images: i32): void {
  const T = images * HO, opBytes = planeBytes(up(F, MR) * T), step = <usize> MR << 2;
  for (let g = 0; g < images; g++) {
    for (let f = 0; f < F; f++) {
      const panel = up_ + (<usize> ((f / MR) * T * MR + f % MR) << 2);
      const map = dout + (<usize> ((g * F + f) * HO) << 4);
      for (let ti = 0; ti < HO >> 1; ti += 2) {
        const r = map + (<usize> ti << 5); // row 2·ti, 16 bytes a row
        const a = v128.load(r), b = v128.load(r, 16), c = v128.load(r, 32), e = v128.load(r, 48);
        const d00 = i32x4.shuffle(a, c, 0, 2, 4, 6), d01 = i32x4.shuffle(a, c, 1, 3, 5, 7);
        const d10 = i32x4.shuffle(b, e, 0, 2, 4, 6), d11 = i32x4.shuffle(b, e, 1, 3, 5, 7);
        const q = panel + (<usize> ((g * HO + 2 * ti) * MR) << 2);
        storeURow(q, opBytes, step, 0, d00, d01);
        storeURow(q, opBytes, step, 4, f32x4.add(d00, d10), f32x4.add(d01, d11));
        storeURow(q, opBytes, step, 8, f32x4.sub(d00, d10), f32x4.sub(d01, d11));
        storeURow(q, opBytes, step, 12, f32x4.neg(d10), f32x4.neg(d11));
      }
    }
  }
}

// (A δ) Aᵀ of one row (r0, r1) → U_ξ0 … U_ξ0+3, four tiles each.
// @ts-ignore: decorator
@inline function storeURow(q: usize, opBytes: usize, step: usize, xi0: i32, r0: v128, r1: v128): void {
  const base = q + <usize> xi0 * opBytes;
  scatter4(base, step, r0);
  scatter4(base + opBytes, step, f32x4.add(r0, r1));
  scatter4(base + 2 * opBytes, step, f32x4.sub(r0, r1));
  scatter4(base + 3 * opBytes, step, f32x4.neg(r1));
}

// `storeRow` for the transposed layout: each result's four tiles go NR floats apart.
// @ts-ignore: decorator
@inline function storeRowT(
  q: usize,
  opBytes: usize,
  step: usize,
  xi0: i32,
  a: v128,
  b: v128,
  c: v128,
  d: v128,
): void {
  const base = q + <usize> xi0 * opBytes;
  scatter4(base, step, f32x4.sub(a, c));
  scatter4(base + opBytes, step, f32x4.add(b, c));
  scatter4(base + 2 * opBytes, step, f32x4.sub(c, b));
  scatter4(base + 3 * opBytes, step, f32x4.sub(b, d));
}

/** Image chunks of a filter gradient split by images (a constant: results do not depend on threads). */
const FILTER_IMAGE_CHUNKS = 8;

/**
 * Whether the Winograd filter gradient splits the images into chunks rather than the channel
 * panels over threads (where the chunks' partial M stay small): split by panels, every thread
 * transforms every image's dout. 2 threads, ms (panels → chunks): (512,16,32,32)×(32,16,3,3)
 * 83 → 66, (512,32,16,16)×(32,32,3,3) 31 → 27, (128,64,32,32)×(64,64,3,3) 89.8 → 81.9.
 */
export function winogradFilterChunked(C: i32, F: i32, N: i32): bool {
  return N >= 2 && F * C <= 16384;
}

/** Bytes of the job-wide scratch of an image-chunked Winograd filter gradient: a counter and a partial M per chunk. */
export function winogradFilterSharedBytes(C: i32, F: i32, N: i32): usize {
  return 64 + <usize> min(N, FILTER_IMAGE_CHUNKS) * bytes64(16 * F * C);
}

/**
 * dw: (F, C, 3, 3) += ∂L/∂w of a 3×3 stride-1 convolution with padding `pad`, over all N images,
 * by F(3×3, 2×2); x: (N, C, H, W), dout: (N, F, HO, WO). Threads split the channels in panels
 * of NR; or, when `winogradFilterChunked` and `shared` (its `winogradFilterSharedBytes`, the
 * counter zeroed) is given, fixed image chunks whose partial sums the last thread to finish adds
 * in chunk order. `scratch` is this thread's `winogradFilterScratch`.
 */
export function winogradFilterGrad(
  tid: i32,
  nth: i32,
  dw: usize,
  dout: usize,
  x: usize,
  N: i32,
  C: i32,
  H: i32,
  W: i32,
  F: i32,
  pad: i32,
  HO: i32,
  WO: i32,
  scratch: usize,
  shared: usize,
): void {
  const panels = (C + NR - 1) / NR, mOp = <usize> (F * C) << 2;
  if (shared != 0 && winogradFilterChunked(C, F, N)) {
    const chunks = min(N, FILTER_IMAGE_CHUNKS), part = bytes64(16 * F * C), parts = shared + 64;
    for (let j = splitLo(chunks, tid, nth); j < splitLo(chunks, tid + 1, nth); j++) {
      const mj = parts + <usize> j * part;
      memory.fill(mj, 0, 16 * mOp);
      const n0 = splitLo(N, j, chunks), n1 = splitLo(N, j + 1, chunks);
      filterSums(mj, dout, x, n0, n1, C, H, W, F, pad, HO, WO, 0, panels, scratch);
    }
    if (atomic.add<i32>(shared, 1) == nth - 1) {
      // M = ((M_0 + M_1) + M_2) + …, then dw += Gᵀ M G
      addPartials(parts, parts + part, part, chunks - 1, 16 * F * C);
      addGtMG(dw, parts, mOp, F, C, 0, C);
    }
    return;
  }
  const p0 = splitLo(panels, tid, nth), p1 = splitLo(panels, tid + 1, nth);
  if (p0 >= p1) return;
  const mp = filterLayout(scratch, C, F, HO, WO, 2);
  memory.fill(mp, 0, 16 * mOp);
  filterSums(mp, dout, x, 0, N, C, H, W, F, pad, HO, WO, p0, p1, scratch);
  addGtMG(dw, mp, mOp, F, C, p0 * NR, min(p1 * NR, C));
}

// M_ξ (F×C, 16 planes mOp bytes apart at mp) += Σ over images [n0, n1) of U_ξ · V_ξᵀ, on the
// channel panels [p0, p1) (the other channels' columns untouched).
function filterSums(
  mp: usize,
  dout: usize,
  x: usize,
  n0: i32,
  n1: i32,
  C: i32,
  H: i32,
  W: i32,
  F: i32,
  pad: i32,
  HO: i32,
  WO: i32,
  p0: i32,
  p1: i32,
  scratch: usize,
): void {
  const c0 = p0 * NR, c1 = min(p1 * NR, C);
  const HOg = winogradGridH(HO, WO), WOg = winogradGridW(HO, WO), exact = HOg == HO && WOg == WO;
  const TH = HOg >> 1, TW = WOg >> 1, band = bandRows(TW, TH);
  const Hp = HOg + 2, Wp = WOg + 2;
  const up_ = filterLayout(scratch, C, F, HO, WO, 0), vp = filterLayout(scratch, C, F, HO, WO, 1);
  const tile = filterLayout(scratch, C, F, HO, WO, 3), xp = filterLayout(scratch, C, F, HO, WO, 4);
  const dp = filterLayout(scratch, C, F, HO, WO, 5); // dout on a partial grid, zeros outside
  const mOp = <usize> (F * C) << 2, xBytes = <usize> (C * H * W) << 2, dBytes = <usize> (F * HO * WO) << 2;
  if (WOg == 4) {
    const G = smallImages(HOg);
    for (let i0 = n0; i0 < n1; i0 += G) {
      const images = min(G, n1 - i0), T = images * HOg;
      padImages(xp, x + <usize> i0 * xBytes, images, C, H, W, pad, Hp, Wp);
      let dn = dout + <usize> i0 * dBytes;
      if (!exact) {
        padImages(dp, dn, images, F, HO, WO, 0, HOg, WOg);
        dn = dp;
      }
      doutTransformSmall(up_, dn, F, HOg, images);
      inputTransformSmall(vp, xp, C, c0, c1, HOg, images, true);
      filterProducts(mp, up_, vp, mOp, F, C, T, p0, p1, tile);
    }
    return;
  }
  for (let n = n0; n < n1; n++) {
    padImages(xp, x + <usize> n * xBytes, 1, C, H, W, pad, Hp, Wp);
    let dn = dout + <usize> n * dBytes;
    if (!exact) {
      padImages(dp, dn, 1, F, HO, WO, 0, HOg, WOg);
      dn = dp;
    }
    for (let ti0 = 0; ti0 < TH; ti0 += band) {
      const rows = min(band, TH - ti0), T = rows * TW;
      doutTransform(up_, dn, F, HOg, WOg, TW, ti0, rows);
      inputTransform(vp, xp, C, c0, c1, Hp, Wp, TW, ti0, rows, true);
      filterProducts(mp, up_, vp, mOp, F, C, T, p0, p1, tile);
    }
  }
}

// dw += Gᵀ M G for every f and the channels [c0, c1); M: 16 planes (F×C) mOp bytes apart.
function addGtMG(dw: usize, mp: usize, mOp: usize, F: i32, C: i32, c0: i32, c1: i32): void {
  for (let f = 0; f < F; f++) {
    for (let c = c0; c < c1; c++) {
      const m = mp + (<usize> (f * C + c) << 2);
      const m0 = load<f32>(m), m1 = load<f32>(m + mOp), m2 = load<f32>(m + 2 * mOp);
      const m3 = load<f32>(m + 3 * mOp), m4 = load<f32>(m + 4 * mOp), m5 = load<f32>(m + 5 * mOp);
      const m6 = load<f32>(m + 6 * mOp), m7 = load<f32>(m + 7 * mOp), m8 = load<f32>(m + 8 * mOp);
      const m9 = load<f32>(m + 9 * mOp), m10 = load<f32>(m + 10 * mOp);
      const m11 = load<f32>(m + 11 * mOp), m12 = load<f32>(m + 12 * mOp);
      const m13 = load<f32>(m + 13 * mOp), m14 = load<f32>(m + 14 * mOp);
      const m15 = load<f32>(m + 15 * mOp);
      // Gᵀ M: rows (M0 + ½M1 + ½M2, ½M1 − ½M2, ½M1 + ½M2 + M3), per column
      const h: f32 = 0.5;
      const k00 = m0 + h * (m4 + m8), k01 = m1 + h * (m5 + m9);
      const k02 = m2 + h * (m6 + m10), k03 = m3 + h * (m7 + m11);
      const k10 = h * (m4 - m8), k11 = h * (m5 - m9), k12 = h * (m6 - m10), k13 = h * (m7 - m11);
      const k20 = h * (m4 + m8) + m12, k21 = h * (m5 + m9) + m13;
      const k22 = h * (m6 + m10) + m14, k23 = h * (m7 + m11) + m15;
      const g = dw + (<usize> ((f * C + c) * 9) << 2);
      addG(g, k00, k01, k02, k03);
      addG(g + 12, k10, k11, k12, k13);
      addG(g + 24, k20, k21, k22, k23);
    }
  }
}

// M_ξ (F×C) += U_ξ (F×T) · V_ξᵀ (T×C) for the 16 positions ξ, on the channel panels [p0, p1).
function filterProducts(
  mp: usize,
  up_: usize,
  vp: usize,
  mOp: usize,
  F: i32,
  C: i32,
  T: i32,
  p0: i32,
  p1: i32,
  tile: usize,
): void {
  const uOp = planeBytes(up(F, MR) * T), vOp = vPlane(C, T, true);
  for (let xi = 0; xi < 16; xi++) {
    const u = up_ + <usize> xi * uOp, v = vp + <usize> xi * vOp, m = mp + <usize> xi * mOp;
    gemmPacked(m, C, u, v, F, C, T, true, p0, p1, tile, 0);
  }
}

// dw row += (R0 + ½R1 + ½R2, ½R1 − ½R2, ½R1 + ½R2 + R3).
// @ts-ignore: decorator
@inline function addG(g: usize, r0: f32, r1: f32, r2: f32, r3: f32): void {
  const h: f32 = 0.5;
  store<f32>(g, load<f32>(g) + r0 + h * (r1 + r2));
  store<f32>(g, load<f32>(g, 4) + h * (r1 - r2), 4);
  store<f32>(g, load<f32>(g, 8) + h * (r1 + r2) + r3, 8);
}
