/**
 * Gradient checks for modules: centred differences in float64 against `backward`.
 *
 * The loss is L = Σ forward(x) ⊙ R for a fixed random R, so ∂L/∂out = R is what `backward`
 * receives, and every input and parameter element is perturbed by ±h in turn.
 *
 * @module
 */

import type { Module, Rng, TensorData } from "../mod.ts";
import { Tensor } from "../mod.ts";

/** Gradient checks pass at this relative error (the brief's bound). */
export const TOL_GRAD = 1e-6;

/** max_i |a_i − b_i| / max(1e-8, |a_i| + |b_i|), the homework's relative error. */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`relError: lengths ${a.length} and ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i] - b[i]) / Math.max(1e-8, Math.abs(a[i]) + Math.abs(b[i]));
    if (e > worst) worst = e;
  }
  return worst;
}

/**
 * ∂f/∂v_i by centred differences, perturbing `v` in place and restoring it; for the indices
 * in `only` when given (the other entries stay 0).
 */
export function numericalGradient(
  f: () => number,
  v: TensorData,
  h = 1e-5,
  only?: readonly number[],
): Float64Array {
  const grad = new Float64Array(v.length);
  for (const i of only ?? v.keys()) {
    const old = v[i];
    v[i] = old + h;
    const plus = f();
    v[i] = old - h;
    const minus = f();
    v[i] = old;
    grad[i] = (plus - minus) / (2 * h);
  }
  return grad;
}

function dot(a: TensorData, b: TensorData): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function pick<T extends ArrayLike<number>>(a: T, idx: readonly number[]): number[] {
  return idx.map((i) => a[i]);
}

/**
 * Relative errors of dx and of every parameter gradient, keyed "x" and by parameter name.
 * With `sample`, each tensor is checked at that many random elements (for larger models).
 */
export function gradCheck(
  m: Module,
  x: Tensor,
  rng: Rng,
  sample?: number,
): Record<string, number> {
  const probe = m.forward(x);
  const R = Tensor.randn(probe.shape, rng); // R: the output's shape
  m.zeroGrad();
  m.forward(x);
  const dx = m.backward(R);
  const loss = () => dot(m.forward(x).data, R.data);
  const check = (analytic: TensorData, v: TensorData) => {
    const idx = sample === undefined || sample >= v.length
      ? [...v.keys()]
      : Array.from({ length: sample }, () => rng.int(v.length));
    return relError(pick(analytic, idx), pick(numericalGradient(loss, v, 1e-5, idx), idx));
  };
  const errors: Record<string, number> = { x: check(dx.data, x.data) };
  for (const p of m.parameters()) errors[p.name] = check(p.grad.data, p.value.data);
  return errors;
}

/** An input whose elements are at least `gap` from 0 and from each other (no kinks or ties). */
export function spreadInput(shape: number[], rng: Rng, gap = 0.05): Tensor {
  const t = Tensor.zeros(shape, "float64");
  const order = rng.permutation(t.size);
  const half = t.size / 2;
  for (let i = 0; i < t.size; i++) t.data[i] = (order[i] - half + 0.5) * gap;
  return t;
}
