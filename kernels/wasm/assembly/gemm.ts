// Packed-panel SIMD GEMM, the engine under every conv and affine kernel of this backend.
//
//   C (M×N) [+]= op(A) (M×Kd) · op(B) (Kd×N)
//
// matches kernels/ref/gemm.ts. op(A) and op(B) are read through element strides, so one
// packing routine covers both the plain and the transposed storage:
//   op(A)[r, k] = A[r·rs + k·cs]     op(B)[k, t] = B[k·rs + t·cs]
// Packed A: ⌈M/MR⌉ panels of (Kd, MR); packed B: ⌈N/NR⌉ panels of (Kd, NR); rows and columns
// beyond M and N are zero. The 5×8 microkernel keeps 10 f32x4 accumulators in registers
// (10 independent mul+add chains) and reads one 8-float B row and five A values per k.

export const MR: i32 = 5;
export const NR: i32 = 8;

/** Ap: (⌈M/MR⌉, Kd, MR) ← op(A), op(A)[r, k] = a[r·rs + k·cs]. */
export function packA(ap: usize, a: usize, M: i32, Kd: i32, rs: i32, cs: i32): void {
  const panels = (M + MR - 1) / MR;
  for (let ib = 0; ib < panels; ib++) {
    const r0 = ib * MR;
    let dst = ap + (<usize> ib * <usize> Kd * <usize> MR << 2);
    if (r0 + MR <= M && cs == 1) {
      // rows contiguous: four k at a time, a 4×4 transpose of rows 0–3 and row 4's lanes
      const step = <usize> rs << 2;
      let src = a + (<usize> (r0 * rs) << 2);
      let k = 0;
      for (; k + 4 <= Kd; k += 4, src += 16, dst += <usize> (4 * MR) << 2) {
        const v0 = v128.load(src), v1 = v128.load(src + step), v2 = v128.load(src + 2 * step);
        const v3 = v128.load(src + 3 * step), v4 = v128.load(src + 4 * step);
        const u0 = i32x4.shuffle(v0, v1, 0, 4, 1, 5), u1 = i32x4.shuffle(v2, v3, 0, 4, 1, 5);
        const u2 = i32x4.shuffle(v0, v1, 2, 6, 3, 7), u3 = i32x4.shuffle(v2, v3, 2, 6, 3, 7);
        v128.store(dst, i32x4.shuffle(u0, u1, 0, 1, 4, 5));
        v128.store32_lane(dst, v4, 0, 16);
        v128.store(dst, i32x4.shuffle(u0, u1, 2, 3, 6, 7), 20);
        v128.store32_lane(dst, v4, 1, 36);
        v128.store(dst, i32x4.shuffle(u2, u3, 0, 1, 4, 5), 40);
        v128.store32_lane(dst, v4, 2, 56);
        v128.store(dst, i32x4.shuffle(u2, u3, 2, 3, 6, 7), 60);
        v128.store32_lane(dst, v4, 3, 76);
      }
      for (; k < Kd; k++, src += 4, dst += <usize> MR << 2) {
        store<f32>(dst, load<f32>(src));
        store<f32>(dst, load<f32>(src + step), 4);
        store<f32>(dst, load<f32>(src + 2 * step), 8);
        store<f32>(dst, load<f32>(src + 3 * step), 12);
        store<f32>(dst, load<f32>(src + 4 * step), 16);
      }
    } else if (r0 + MR <= M) {
      for (let k = 0; k < Kd; k++) {
        const src = a + (<usize> (r0 * rs + k * cs) << 2);
        const step = <usize> rs << 2;
        store<f32>(dst, load<f32>(src));
        store<f32>(dst, load<f32>(src + step), 4);
        store<f32>(dst, load<f32>(src + 2 * step), 8);
        store<f32>(dst, load<f32>(src + 3 * step), 12);
        store<f32>(dst, load<f32>(src + 4 * step), 16);
        dst += <usize> MR << 2;
      }
    } else {
      for (let k = 0; k < Kd; k++) {
        for (let r = 0; r < MR; r++) {
          const row = r0 + r;
          const v: f32 = row < M ? load<f32>(a + (<usize> (row * rs + k * cs) << 2)) : 0;
          store<f32>(dst + (<usize> r << 2), v);
        }
        dst += <usize> MR << 2;
      }
    }
  }
}

/** Bp: (⌈N/NR⌉, Kd, NR) ← op(B), op(B)[k, t] = b[k·rs + t·cs]. */
export function packB(bp: usize, b: usize, N: i32, Kd: i32, rs: i32, cs: i32): void {
  const panels = (N + NR - 1) / NR;
  for (let jb = 0; jb < panels; jb++) {
    const t0 = jb * NR;
    let dst = bp + (<usize> jb * <usize> Kd * <usize> NR << 2);
    if (t0 + NR <= N && cs == 1) {
      for (let k = 0; k < Kd; k++) {
        const src = b + (<usize> (k * rs + t0) << 2);
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        dst += <usize> NR << 2;
      }
    } else {
      for (let k = 0; k < Kd; k++) {
        for (let t = 0; t < NR; t++) {
          const col = t0 + t;
          const v: f32 = col < N ? load<f32>(b + (<usize> (k * rs + col * cs) << 2)) : 0;
          store<f32>(dst + (<usize> t << 2), v);
        }
        dst += <usize> NR << 2;
      }
    }
  }
}

// c + a·b: one fused multiply-add in the relaxed-SIMD build (kernels_relaxed.wasm, the default
// where supported; engines without FMA hardware may round twice), a multiply and an add in the
// strict build (kernels.wasm).
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// One MR×NR tile: dst rows r at dst + r·ldd floats; with `acc` the tile starts from dst.
// Four A values come in one v128 load and are broadcast by shuffles, the fifth by a splat
// load: V8 bounds-checks every load, so fewer loads per multiply-add is what counts (measured:
// 5×8 with shuffles 38 GFLOP/s/core, 6×8 with six splat loads 29, 4×8 35).
// @ts-ignore: decorator
@inline function micro(
  ap: usize,
  bp: usize,
  Kd: i32,
  dst: usize,
  ldd: usize,
  acc: bool,
  bias: usize,
): void {
  const ld = ldd << 2;
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  if (acc) {
    c00 = v128.load(dst);
    c01 = v128.load(dst, 16);
    c10 = v128.load(dst + ld);
    c11 = v128.load(dst + ld, 16);
    c20 = v128.load(dst + 2 * ld);
    c21 = v128.load(dst + 2 * ld, 16);
    c30 = v128.load(dst + 3 * ld);
    c31 = v128.load(dst + 3 * ld, 16);
    c40 = v128.load(dst + 4 * ld);
    c41 = v128.load(dst + 4 * ld, 16);
  } else if (bias != 0) {
    c00 = c01 = v128.load32_splat(bias);
    c10 = c11 = v128.load32_splat(bias, 4);
    c20 = c21 = v128.load32_splat(bias, 8);
    c30 = c31 = v128.load32_splat(bias, 12);
    c40 = c41 = v128.load32_splat(bias, 16);
  }
  let a = ap, b = bp;
  const bEnd = bp + (<usize> Kd << 5); // a pointer compare ends the loop (3 % faster than a counter)
  while (b < bEnd) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    const a4 = v128.load(a);
    let av = i32x4.shuffle(a4, a4, 0, 0, 0, 0);
    c00 = madd(av, b0, c00);
    c01 = madd(av, b1, c01);
    av = i32x4.shuffle(a4, a4, 1, 1, 1, 1);
    c10 = madd(av, b0, c10);
    c11 = madd(av, b1, c11);
    av = i32x4.shuffle(a4, a4, 2, 2, 2, 2);
    c20 = madd(av, b0, c20);
    c21 = madd(av, b1, c21);
    av = i32x4.shuffle(a4, a4, 3, 3, 3, 3);
    c30 = madd(av, b0, c30);
    c31 = madd(av, b1, c31);
    av = v128.load32_splat(a, 16);
    c40 = madd(av, b0, c40);
    c41 = madd(av, b1, c41);
    a += 20;
    b += 32;
  }
  v128.store(dst, c00);
  v128.store(dst, c01, 16);
  v128.store(dst + ld, c10);
  v128.store(dst + ld, c11, 16);
  v128.store(dst + 2 * ld, c20);
  v128.store(dst + 2 * ld, c21, 16);
  v128.store(dst + 3 * ld, c30);
  v128.store(dst + 3 * ld, c31, 16);
  v128.store(dst + 4 * ld, c40);
  v128.store(dst + 4 * ld, c41, 16);
}

/**
 * c: (M, N) with row stride ldc [+]= packed A · packed B, over the column panels
 * [jb0, jb1). `tile` is MR·NR floats of per-thread scratch for the edge tiles. Without `acc`,
 * a non-zero `bias` (M floats) starts row r of the product at bias[r] instead of 0.
 */
export function gemmPacked(
  c: usize,
  ldc: i32,
  ap: usize,
  bp: usize,
  M: i32,
  N: i32,
  Kd: i32,
  acc: bool,
  jb0: i32,
  jb1: i32,
  tile: usize,
  bias: usize,
): void {
  const mPanels = (M + MR - 1) / MR;
  const aStride = <usize> Kd * <usize> MR << 2, bStride = <usize> Kd * <usize> NR << 2;
  for (let jb = jb0; jb < jb1; jb++) {
    const t0 = jb * NR, bpj = bp + <usize> jb * bStride;
    const cols = min(NR, N - t0);
    for (let ib = 0; ib < mPanels; ib++) {
      const r0 = ib * MR, apj = ap + <usize> ib * aStride;
      const rows = min(MR, M - r0);
      const cij = c + (<usize> (r0 * ldc + t0) << 2);
      const biasRow = bias != 0 ? bias + (<usize> r0 << 2) : 0;
      if (rows == MR && cols == NR) {
        if (acc) micro(apj, bpj, Kd, cij, ldc, true, 0);
        else micro(apj, bpj, Kd, cij, ldc, false, biasRow);
      } else {
        micro(apj, bpj, Kd, tile, NR, false, acc ? 0 : biasRow);
        for (let r = 0; r < rows; r++) {
          for (let t = 0; t < cols; t++) {
            const p = cij + (<usize> (r * ldc + t) << 2);
            const v = load<f32>(tile + (<usize> (r * NR + t) << 2));
            store<f32>(p, acc ? load<f32>(p) + v : v);
          }
        }
      }
    }
  }
}

// One MR×NR tile of a stride-1 convolution read straight from a zero-padded image (no im2col):
// rows are MR filters (packed A, k = (c, kh, kw) in order), the NR lanes are NR consecutive
// output columns of one output row, so B's row k is the NR floats of the padded image at
// (c, kh, kw) from `src`, the top-left corner of lane 0's window. The products are summed in the
// same k order as `micro` over im2col panels, so both give identical results.
// @ts-ignore: decorator
@inline function microDirect(
  ap: usize,
  src: usize,
  C: i32,
  KH: i32,
  KW: i32,
  planeBytes: usize,
  rowBytes: usize,
  dst: usize,
  ldd: usize,
  bias: usize,
): void {
  const ld = ldd << 2;
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  if (bias != 0) {
    c00 = c01 = v128.load32_splat(bias);
    c10 = c11 = v128.load32_splat(bias, 4);
    c20 = c21 = v128.load32_splat(bias, 8);
    c30 = c31 = v128.load32_splat(bias, 12);
    c40 = c41 = v128.load32_splat(bias, 16);
  }
  let a = ap;
  const kwBytes = <usize> KW << 2;
  for (let c = 0; c < C; c++) {
    let row = src + <usize> c * planeBytes;
    for (let kh = 0; kh < KH; kh++, row += rowBytes) {
      let b = row;
      const bEnd = row + kwBytes;
      while (b < bEnd) {
        const b0 = v128.load(b), b1 = v128.load(b, 16);
        const a4 = v128.load(a);
        let av = i32x4.shuffle(a4, a4, 0, 0, 0, 0);
        c00 = madd(av, b0, c00);
        c01 = madd(av, b1, c01);
        av = i32x4.shuffle(a4, a4, 1, 1, 1, 1);
        c10 = madd(av, b0, c10);
        c11 = madd(av, b1, c11);
        av = i32x4.shuffle(a4, a4, 2, 2, 2, 2);
        c20 = madd(av, b0, c20);
        c21 = madd(av, b1, c21);
        av = i32x4.shuffle(a4, a4, 3, 3, 3, 3);
        c30 = madd(av, b0, c30);
        c31 = madd(av, b1, c31);
        av = v128.load32_splat(a, 16);
        c40 = madd(av, b0, c40);
        c41 = madd(av, b1, c41);
        a += 20;
        b += 4;
      }
    }
  }
  v128.store(dst, c00);
  v128.store(dst, c01, 16);
  v128.store(dst + ld, c10);
  v128.store(dst + ld, c11, 16);
  v128.store(dst + 2 * ld, c20);
  v128.store(dst + 2 * ld, c21, 16);
  v128.store(dst + 3 * ld, c30);
  v128.store(dst + 3 * ld, c31, 16);
  v128.store(dst + 4 * ld, c40);
  v128.store(dst + 4 * ld, c41, 16);
}

/**
 * out (F×HO·WO, row stride ldo) = bias + conv of one zero-padded image xp: (C, Hp, Wp) with the
 * packed filters ap (F×K panels), stride 1, direct (no im2col). xp needs NR − 1 readable floats
 * of slack past its end. `tile` is MR·NR floats of scratch for the edge tiles.
 */
export function convDirect(
  out: usize,
  ldo: i32,
  ap: usize,
  xp: usize,
  F: i32,
  C: i32,
  KH: i32,
  KW: i32,
  Hp: i32,
  Wp: i32,
  HO: i32,
  WO: i32,
  tile: usize,
  bias: usize,
): void {
  const K = C * KH * KW, mPanels = (F + MR - 1) / MR;
  const aStride = <usize> K * <usize> MR << 2;
  const planeBytes = <usize> (Hp * Wp) << 2, rowBytes = <usize> Wp << 2;
  for (let i = 0; i < HO; i++) {
    for (let j0 = 0; j0 < WO; j0 += NR) {
      const cols = min(NR, WO - j0);
      const src = xp + (<usize> (i * Wp + j0) << 2);
      for (let ib = 0; ib < mPanels; ib++) {
        const r0 = ib * MR, apj = ap + <usize> ib * aStride;
        const rows = min(MR, F - r0);
        const dst = out + (<usize> (r0 * ldo + i * WO + j0) << 2);
        const biasRow = bias != 0 ? bias + (<usize> r0 << 2) : 0;
        if (rows == MR && cols == NR) {
          microDirect(apj, src, C, KH, KW, planeBytes, rowBytes, dst, ldo, biasRow);
        } else {
          microDirect(apj, src, C, KH, KW, planeBytes, rowBytes, tile, NR, biasRow);
          for (let r = 0; r < rows; r++) {
            for (let t = 0; t < cols; t++) {
              const v = load<f32>(tile + (<usize> (r * NR + t) << 2));
              store<f32>(dst + (<usize> (r * ldo + t) << 2), v);
            }
          }
        }
      }
    }
  }
}

// One MR×NR tile of a stride-1 convolution's filter gradient, read straight from a zero-padded
// image: rows are MR filters (packed A = dout's panel, one row of MR values per output
// position p), the NR lanes are NR consecutive kw of one (c, kh), so B's row p is the NR floats
// of the padded image at output position p shifted by (kh, kw0) from `src`. The tile starts
// from and ends in `tile` (MR rows of NR floats); products are added in p order, as `micro`
// adds them over im2col panels, so both give identical results.
// @ts-ignore: decorator
@inline function microFilterDirect(
  ap: usize,
  src: usize,
  HO: i32,
  WO: i32,
  rowBytes: usize,
  tile: usize,
): void {
  let c00 = v128.load(tile), c01 = v128.load(tile, 16);
  let c10 = v128.load(tile, 32), c11 = v128.load(tile, 48);
  let c20 = v128.load(tile, 64), c21 = v128.load(tile, 80);
  let c30 = v128.load(tile, 96), c31 = v128.load(tile, 112);
  let c40 = v128.load(tile, 128), c41 = v128.load(tile, 144);
  let a = ap, row = src;
  const woBytes = <usize> WO << 2;
  for (let i = 0; i < HO; i++, row += rowBytes) {
    let b = row;
    const bEnd = row + woBytes;
    while (b < bEnd) {
      const b0 = v128.load(b), b1 = v128.load(b, 16);
      const a4 = v128.load(a);
      let av = i32x4.shuffle(a4, a4, 0, 0, 0, 0);
      c00 = madd(av, b0, c00);
      c01 = madd(av, b1, c01);
      av = i32x4.shuffle(a4, a4, 1, 1, 1, 1);
      c10 = madd(av, b0, c10);
      c11 = madd(av, b1, c11);
      av = i32x4.shuffle(a4, a4, 2, 2, 2, 2);
      c20 = madd(av, b0, c20);
      c21 = madd(av, b1, c21);
      av = i32x4.shuffle(a4, a4, 3, 3, 3, 3);
      c30 = madd(av, b0, c30);
      c31 = madd(av, b1, c31);
      av = v128.load32_splat(a, 16);
      c40 = madd(av, b0, c40);
      c41 = madd(av, b1, c41);
      a += 20;
      b += 4;
    }
  }
  v128.store(tile, c00);
  v128.store(tile, c01, 16);
  v128.store(tile, c10, 32);
  v128.store(tile, c11, 48);
  v128.store(tile, c20, 64);
  v128.store(tile, c21, 80);
  v128.store(tile, c30, 96);
  v128.store(tile, c31, 112);
  v128.store(tile, c40, 128);
  v128.store(tile, c41, 144);
}

/** Whether `convFilterDirect` suits a kernel width: at least 3/4 of its NR lanes are used. */
export function filterDirectFits(KW: i32): bool {
  const r = KW % NR;
  return r == 0 || r >= 6;
}

/**
 * dw: (F, C, KH, KW) += dout_n · colsᵀ for one image, stride 1, direct (no im2col): ap holds
 * dout_n (F×P) packed as A panels, xp the image zero-padded to (C, Hp, Wp) with NR floats of
 * slack. Handles the groups (c, kh, kw block of NR) in [g0, g1), of C·KH·⌈KW/NR⌉. `tile` is
 * MR·NR floats of scratch.
 */
export function convFilterDirect(
  dw: usize,
  ap: usize,
  xp: usize,
  F: i32,
  C: i32,
  KH: i32,
  KW: i32,
  Hp: i32,
  Wp: i32,
  HO: i32,
  WO: i32,
  g0: i32,
  g1: i32,
  tile: usize,
): void {
  const K = C * KH * KW, P = HO * WO, kwBlocks = (KW + NR - 1) / NR;
  const mPanels = (F + MR - 1) / MR, rowBytes = <usize> Wp << 2;
  for (let ib = 0; ib < mPanels; ib++) {
    const r0 = ib * MR, rows = min(MR, F - r0);
    const apj = ap + (<usize> ib * <usize> P * MR << 2);
    for (let g = g0; g < g1; g++) {
      const ckh = g / kwBlocks, kw0 = (g - ckh * kwBlocks) * NR;
      const c = ckh / KH, kh = ckh - c * KH, lanes = min(NR, KW - kw0);
      const src = xp + (<usize> ((c * Hp + kh) * Wp + kw0) << 2);
      const dst = dw + (<usize> (r0 * K + ckh * KW + kw0) << 2);
      for (let r = 0; r < MR; r++) {
        for (let t = 0; t < NR; t++) {
          const v: f32 = r < rows && t < lanes ? load<f32>(dst + (<usize> (r * K + t) << 2)) : 0;
          store<f32>(tile + (<usize> (r * NR + t) << 2), v);
        }
      }
      microFilterDirect(apj, src, HO, WO, rowBytes, tile);
      for (let r = 0; r < rows; r++) {
        for (let t = 0; t < lanes; t++) {
          store<f32>(dst + (<usize> (r * K + t) << 2), load<f32>(tile + (<usize> (r * NR + t) << 2)));
        }
      }
    }
  }
}
