/**
 * Reference matrix multiply, the specification for the WASM and WebGPU GEMMs that affine
 * layers use:
 *
 *   C (M×N) = [C +] op(A) · op(B),  op(A): M×K,  op(B): K×N,
 *
 * where op(A) = A (stored M×K) or Aᵀ (A stored K×M), and likewise for B. All matrices are
 * row-major and dense. With `accumulate` the product is added to C; otherwise C is overwritten.
 *
 * @module
 */

import type { FloatArray } from "../../core/dims.ts";

/** c: (M, N)  a: (M, K) or (K, M) when transA  b: (K, N) or (N, K) when transB */
export function gemm(
  c: FloatArray,
  a: FloatArray,
  b: FloatArray,
  M: number,
  N: number,
  K: number,
  transA: boolean,
  transB: boolean,
  accumulate: boolean,
): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let sum = 0;
      for (let k = 0; k < K; k++) {
        const aik = transA ? a[k * M + i] : a[i * K + k];
        const bkj = transB ? b[j * K + k] : b[k * N + j];
        sum += aik * bkj;
      }
      c[i * N + j] = accumulate ? c[i * N + j] + sum : sum;
    }
  }
}

/** out[r, c] += bias[c] for every row.  out: (rows, cols)  bias: (cols) */
export function addRowBias(out: FloatArray, bias: FloatArray, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[r * cols + c] += bias[c];
  }
}

/** sums[c] += Σ_r m[r, c] (column sums, e.g. the bias gradient).  m: (rows, cols)  sums: (cols) */
export function sumRows(sums: FloatArray, m: FloatArray, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) sums[c] += m[r * cols + c];
  }
}
