/**
 * Small dense linear algebra in float64 for initialisation-time work (not for training steps):
 * the eigen-decomposition of a symmetric matrix by the cyclic Jacobi method (Golub and Van Loan,
 * "Matrix Computations", §8.5). Each rotation zeroes one off-diagonal pair; a sweep visits every
 * pair once, and the off-diagonal mass falls quadratically once it is small, so a few sweeps
 * reach float64 precision for the 12 × 12 to 27 × 27 patch covariances of a first conv layer.
 *
 * @module
 */

/** The result of {@link symmetricEigen}. */
export interface SymmetricEigen {
  /** values: (n) the eigenvalues, largest first */
  values: Float64Array;
  /** vectors: (n, n) row-major; column k is the unit eigenvector of values[k] */
  vectors: Float64Array;
  /** The sweeps the iteration took. */
  sweeps: number;
}

/** Jacobi stops when the off-diagonal Frobenius norm is below this fraction of the whole norm. */
export const JACOBI_TOL = 1e-15;
/** Jacobi refuses to go on after this many sweeps (it needs about 6–10 for n ≤ 100). */
export const JACOBI_MAX_SWEEPS = 60;

/**
 * Eigenvalues and eigenvectors of the symmetric matrix a: (n, n), row-major, so that
 * a = V·diag(values)·Vᵀ with V orthogonal. `a` is not modified; only its upper triangle and
 * diagonal are read as given, the lower triangle must mirror them (checked).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { symmetricEigen } from "./linalg.ts";
 * const { values, vectors } = symmetricEigen(new Float64Array([2, 1, 1, 2]), 2);
 * assert.ok(Math.abs(values[0] - 3) < 1e-14 && Math.abs(values[1] - 1) < 1e-14);
 * // the eigenvector of 3 is ±(1, 1)/√2
 * assert.ok(Math.abs(Math.abs(vectors[0]) - Math.SQRT1_2) < 1e-14);
 * assert.ok(Math.abs(vectors[0] - vectors[2]) < 1e-14);
 * ```
 */
export function symmetricEigen(a: Float64Array, n: number): SymmetricEigen {
  if (!Number.isInteger(n) || n < 1 || a.length !== n * n) {
    throw new TypeError(
      `Cannot decompose a matrix of ${a.length} elements as ${n} × ${n}: it needs ${n * n}`,
    );
  }
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const x = a[i * n + j];
      if (!Number.isFinite(x)) {
        throw new RangeError(`Cannot decompose a matrix holding ${x} at (${i}, ${j})`);
      }
      if (j > i && Math.abs(x - a[j * n + i]) > 1e-12 * (Math.abs(x) + Math.abs(a[j * n + i]))) {
        throw new RangeError(
          `Cannot decompose a non-symmetric matrix: a(${i}, ${j}) = ${x} but a(${j}, ${i}) = ${
            a[j * n + i]
          }`,
        );
      }
      total += x * x;
    }
  }
  const m = a.slice(); // m: (n, n) rotated towards diagonal
  const v = new Float64Array(n * n); // v: (n, n) the product of the rotations
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let sweeps = 0;
  while (offDiagonal(m, n) > JACOBI_TOL * JACOBI_TOL * total && total > 0) {
    if (sweeps === JACOBI_MAX_SWEEPS) {
      throw new Error(
        `Cannot decompose: Jacobi did not converge in ${JACOBI_MAX_SWEEPS} sweeps (n = ${n})`,
      );
    }
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) rotate(m, v, n, p, q);
    }
    sweeps++;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => m[j * n + j] - m[i * n + i]);
  const values = new Float64Array(n), vectors = new Float64Array(n * n);
  order.forEach((src, k) => {
    values[k] = m[src * n + src];
    for (let r = 0; r < n; r++) vectors[r * n + k] = v[r * n + src];
  });
  return { values, vectors, sweeps };
}

// Σ_{i≠j} m(i, j)²
function offDiagonal(m: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) if (i !== j) s += m[i * n + j] * m[i * n + j];
  }
  return s;
}

// One Jacobi rotation J(p, q, θ) chosen so that (JᵀmJ)(p, q) = 0: m ← Jᵀ·m·J, v ← v·J. The
// angle follows Golub and Van Loan's symmetric Schur decomposition (the smaller root for t).
function rotate(m: Float64Array, v: Float64Array, n: number, p: number, q: number): void {
  const apq = m[p * n + q];
  if (apq === 0) return;
  const theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
  const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
  const c = 1 / Math.sqrt(t * t + 1), s = t * c;
  for (let k = 0; k < n; k++) { // columns p and q: m ← m·J
    const mkp = m[k * n + p], mkq = m[k * n + q];
    m[k * n + p] = c * mkp - s * mkq;
    m[k * n + q] = s * mkp + c * mkq;
  }
  for (let k = 0; k < n; k++) { // rows p and q: m ← Jᵀ·m
    const mpk = m[p * n + k], mqk = m[q * n + k];
    m[p * n + k] = c * mpk - s * mqk;
    m[q * n + k] = s * mpk + c * mqk;
  }
  m[p * n + q] = m[q * n + p] = 0;
  for (let k = 0; k < n; k++) {
    const vkp = v[k * n + p], vkq = v[k * n + q];
    v[k * n + p] = c * vkp - s * vkq;
    v[k * n + q] = s * vkp + c * vkq;
  }
}
