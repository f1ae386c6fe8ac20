/**
 * Numerical gradient checking, as in the homework's `gradient_check.py`: centred differences
 * (f(x + h) − f(x − h)) / 2h, one element of x at a time, and the relative error used to
 * compare them with analytic gradients. Use float64 inputs: in float32 the differences drown
 * in rounding.
 *
 * @module
 */

import type { Rng } from "../core/random.ts";
import { Tensor } from "../core/tensor.ts";
import type { WeightGrads } from "./types.ts";

function checkStep(op: string, h: number): void {
  if (!(h > 0) || !Number.isFinite(h)) {
    throw new RangeError(`Cannot run ${op}: the step h must be a positive finite number, got ${h}`);
  }
}

function checkTensor(op: string, name: string, t: unknown): void {
  if (!(t instanceof Tensor)) throw new TypeError(`Cannot run ${op}: ${name} must be a Tensor`);
}

/**
 * The numerical gradient of a scalar function at `x`: grad[i] = (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h.
 * `x` is perturbed in place, one element at a time, and restored exactly before returning, so
 * `f` must read `x` afresh on every call. Returns a tensor of x's shape and dtype.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { evalNumericalGradient, Tensor } from "../mod.ts";
 * const x = new Tensor(new Float64Array([1, -2, 3]), [3]);
 * const sumOfSquares = (t: Tensor) => {
 *   let sum = 0;
 *   for (const v of t.data) sum += v * v;
 *   return sum;
 * };
 * const grad = evalNumericalGradient(sumOfSquares, x); // d/dx Σ x² = 2x
 * grad.data.forEach((g, i) => assert.ok(Math.abs(g - 2 * x.data[i]) < 1e-8));
 * assert.deepEqual([...x.data], [1, -2, 3]); // x is restored
 * ```
 */
export function evalNumericalGradient(
  f: (x: Tensor) => number,
  x: Tensor,
  h = 1e-5,
): Tensor {
  const op = "evalNumericalGradient";
  checkTensor(op, "x", x);
  checkStep(op, h);
  const grad = Tensor.zeros(x.shape, x.dtype); // grad: x's shape
  for (let i = 0; i < x.size; i++) {
    const old = x.data[i];
    x.data[i] = old + h;
    const plus = f(x);
    x.data[i] = old - h;
    const minus = f(x);
    x.data[i] = old;
    grad.data[i] = (plus - minus) / (2 * h);
  }
  return grad;
}

/**
 * The numerical gradient of Σ f(x) ⊙ dout at `x`, for a tensor-valued `f` and an upstream
 * gradient `dout` of f's output shape: grad[i] = Σ_j (f(x + h·eᵢ)_j − f(x − h·eᵢ)_j) · dout_j / 2h.
 * `x` is perturbed in place and restored, as in `evalNumericalGradient`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { evalNumericalGradientArray, reluForward, Tensor } from "../mod.ts";
 * const x = new Tensor(new Float64Array([-1, 2, 3]), [3]);
 * const dout = new Tensor(new Float64Array([10, 20, 30]), [3]);
 * const grad = evalNumericalGradientArray((t) => reluForward(t).out, x, dout);
 * [0, 20, 30].forEach((g, i) => assert.ok(Math.abs(grad.data[i] - g) < 1e-8));
 * ```
 */
export function evalNumericalGradientArray(
  f: (x: Tensor) => Tensor,
  x: Tensor,
  dout: Tensor,
  h = 1e-5,
): Tensor {
  const op = "evalNumericalGradientArray";
  checkTensor(op, "x", x);
  checkTensor(op, "dout", dout);
  checkStep(op, h);
  const grad = Tensor.zeros(x.shape, x.dtype); // grad: x's shape
  for (let i = 0; i < x.size; i++) {
    const old = x.data[i];
    x.data[i] = old + h;
    const plus = f(x).data.slice(); // copied: f may return a view of storage it reuses
    x.data[i] = old - h;
    const minus = f(x);
    x.data[i] = old;
    if (minus.size !== dout.size || plus.length !== dout.size) {
      throw new TypeError(
        `Cannot run ${op}: f returned ${minus.size} elements (shape [${
          minus.shape.join(", ")
        }]) but dout has ${dout.size} (shape [${dout.shape.join(", ")}])`,
      );
    }
    let sum = 0;
    for (let j = 0; j < dout.size; j++) sum += (plus[j] - minus.data[j]) * dout.data[j];
    grad.data[i] = sum / (2 * h);
  }
  return grad;
}

/**
 * The homework's `rel_error`: max over elements of |a − b| / max(1e-8, |a| + |b|). Takes
 * tensors of one shape, or arrays of one length.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { relError } from "../mod.ts";
 * assert.equal(relError([1, 2], [1, 2]), 0);
 * assert.equal(relError([1, 0], [3, 0]), 0.5); // |1 − 3| / (1 + 3); 0 vs 0 counts as 0
 * ```
 */
export function relError(a: Tensor | ArrayLike<number>, b: Tensor | ArrayLike<number>): number {
  if (a instanceof Tensor && b instanceof Tensor) {
    const same = a.rank === b.rank && a.shape.every((d, axis) => d === b.shape[axis]);
    if (!same) {
      throw new TypeError(
        `Cannot run relError: shapes [${a.shape.join(", ")}] and [${b.shape.join(", ")}] differ`,
      );
    }
  }
  const x = a instanceof Tensor ? a.data : a;
  const y = b instanceof Tensor ? b.data : b;
  if (x.length !== y.length) {
    throw new TypeError(`Cannot run relError: lengths ${x.length} and ${y.length} differ`);
  }
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const error = Math.abs(x[i] - y[i]) / Math.max(1e-8, Math.abs(x[i]) + Math.abs(y[i]));
    if (!(error <= worst)) worst = Number.isNaN(error) ? NaN : error;
    if (Number.isNaN(worst)) return NaN;
  }
  return worst;
}

/** A layer as `gradientErrors` sees it: a forward over fixed inputs and its backward. */
export interface CheckedLayer<C> {
  /** Runs the forward on the current values of the inputs. */
  forward: () => { out: Tensor; cache: C };
  /** Returns the gradients, named `d` + input name (`{ dx, dw, db }`), or just dx. */
  backward: (dout: Tensor, cache: C) => Tensor | WeightGrads | Record<string, Tensor>;
}

/** Options of `gradientErrors`: the upstream gradient, or a generator to draw it from. */
export interface GradientErrorsOptions {
  /** The upstream gradient, of the forward's output shape. */
  dout?: Tensor;
  /** Draws dout ~ N(0, 1) when `dout` is not given. */
  rng?: Rng;
  /** The centred-difference step (default 1e-5). */
  h?: number;
}

/**
 * Checks a layer's backward against numerical gradients: runs the forward once, the backward
 * on `dout`, and for each gradient `dname` it returns (named `name`, with the input it
 * belongs to in `inputs`) returns `relError(analytic, numerical)`, the numerical one from
 * `evalNumericalGradientArray` perturbing that input in place.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { affineBackward, affineForward, gradientErrors, Rng, Tensor } from "../mod.ts";
 * const rng = new Rng(0);
 * const x = Tensor.randn([3, 4], rng), w = Tensor.randn([4, 2], rng), b = Tensor.randn([2], rng);
 * const errors = gradientErrors(
 *   { forward: () => affineForward(x, w, b), backward: affineBackward },
 *   { x, w, b },
 *   { rng },
 * );
 * assert.deepEqual(Object.keys(errors), ["x", "w", "b"]);
 * for (const e of Object.values(errors)) assert.ok(e < 1e-8);
 * ```
 */
export function gradientErrors<C>(
  layer: CheckedLayer<C>,
  inputs: Record<string, Tensor>,
  options: GradientErrorsOptions,
): Record<string, number> {
  const op = "gradientErrors";
  const { out, cache } = layer.forward();
  const dout = options.dout ?? (options.rng
    ? Tensor.randn(out.shape, options.rng, {
      dtype: out.dtype,
    })
    : undefined);
  if (dout === undefined) throw new TypeError(`Cannot run ${op}: pass options.dout or options.rng`);
  const result = layer.backward(dout, cache);
  const grads = (result instanceof Tensor ? { dx: result } : result) as Record<string, Tensor>;
  const errors: Record<string, number> = {};
  for (const [gradName, analytic] of Object.entries(grads)) {
    const name = gradName.replace(/^d/, "");
    const input = inputs[name];
    if (input === undefined) {
      throw new TypeError(
        `Cannot run ${op}: the backward returned ${gradName} but inputs has no "${name}" ` +
          `(it has ${Object.keys(inputs).join(", ")})`,
      );
    }
    const numerical = evalNumericalGradientArray(() => layer.forward().out, input, dout, options.h);
    errors[name] = relError(analytic, numerical);
  }
  return errors;
}
