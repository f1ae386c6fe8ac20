// General matrix multiply for the affine layers; matches kernels/ref/gemm.ts:
//   C (M×N) = [C +] op(A) · op(B), op(A) = A (M×K) or Aᵀ (A stored K×M), likewise op(B).
// Threads split C's column panels; each packs all of op(A) and its own columns of op(B).

import { gemmPacked, MR, NR, packA, packB } from "./gemm";
import { splitLo } from "./util";

// @ts-ignore: decorator
@inline function bytes64(floats: i32): usize {
  return (<usize> floats * 4 + 63) & ~<usize> 63;
}

/** Per-thread scratch bytes of `gemm`. */
export function gemmScratch(M: i32, N: i32, K: i32): usize {
  return bytes64((M + MR - 1) / MR * MR * K) + bytes64((N + NR - 1) / NR * NR * K) +
    bytes64(MR * NR);
}

/** c: (M, N)  a: (M, K) or (K, M) when transA  b: (K, N) or (N, K) when transB. */
export function gemm(
  tid: i32,
  nth: i32,
  c: usize,
  a: usize,
  b: usize,
  M: i32,
  N: i32,
  K: i32,
  transA: bool,
  transB: bool,
  acc: bool,
  scratch: usize,
): void {
  const panels = (N + NR - 1) / NR;
  const j0 = splitLo(panels, tid, nth), j1 = splitLo(panels, tid + 1, nth);
  if (j0 >= j1) return;
  const t0 = j0 * NR, t1 = min(j1 * NR, N);
  const ap = scratch, bp = ap + bytes64((M + MR - 1) / MR * MR * K);
  const tile = bp + bytes64((N + NR - 1) / NR * NR * K);
  if (K == 0) {
    if (!acc) {
      for (let i = 0; i < M; i++) {
        memory.fill(c + (<usize> (i * N + t0) << 2), 0, <usize> (t1 - t0) << 2);
      }
    }
    return;
  }
  if (transA) packA(ap, a, M, K, 1, M);
  else packA(ap, a, M, K, K, 1);
  if (transB) packB(bp, b + (<usize> (t0 * K) << 2), t1 - t0, K, 1, K);
  else packB(bp, b + (<usize> t0 << 2), t1 - t0, K, N, 1);
  gemmPacked(c + (<usize> t0 << 2), N, ap, bp, M, t1 - t0, K, acc, 0, j1 - j0, tile, 0);
}
