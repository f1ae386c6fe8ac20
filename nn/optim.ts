/**
 * Optimizers over a model's `Parameter` list, ordered by complexity as in tinygrad's
 * `optim.py`: `SGD` (plain, momentum, Nesterov, weight decay), then `Adam` and `AdamW`. The
 * update maths of each is one kernel call per parameter (kernels/ref/optim.ts, PyTorch's
 * formulas). `lr` is a public field, so a schedule can set it before each `step()`.
 *
 * @module
 */

import { kernelsFor } from "../kernels/mod.ts";
import type { Parameter } from "./modules/module.ts";
import { Tensor } from "./tensor.ts";

function checkNonNegative(op: string, name: string, value: number): void {
  if (!(value >= 0) || !Number.isFinite(value)) {
    throw new RangeError(`Cannot create ${op}: ${name} must be a finite number ≥ 0, got ${value}`);
  }
}

/** What every optimizer shares: the parameters, the learning rate, and `zeroGrad()`. */
export abstract class Optimizer {
  readonly params: readonly Parameter[];
  /** The learning rate used by the next `step()`. */
  lr: number;

  constructor(params: readonly Parameter[], lr: number, op: string) {
    if (params.length === 0) {
      throw new RangeError(`Cannot create ${op}: the parameter list is empty`);
    }
    checkNonNegative(op, "lr", lr);
    this.params = params;
    this.lr = lr;
  }

  /** Sets every parameter's gradient to zero. */
  zeroGrad(): void {
    for (const p of this.params) p.grad.data.fill(0);
  }

  /** Updates every parameter from its gradient. */
  abstract step(): void;

  /**
   * The optimizer's state (momentum buffers, moment estimates, step count), name → live tensor,
   * named after the parameters as PyTorch names its state (`fc.weight.momentum_buffer`), so a
   * checkpoint can save it and `--resume` can continue exactly.
   */
  abstract stateDict(): Map<string, Tensor>;

  /** Copies a saved state in, after checking every name and shape (nothing copied on error). */
  loadStateDict(state: Map<string, Tensor>): void {
    const own = this.stateDict(), op = this.constructor.name;
    const missing = [...own.keys()].filter((k) => !state.has(k));
    const unexpected = [...state.keys()].filter((k) => !own.has(k));
    if (missing.length > 0 || unexpected.length > 0) {
      throw new TypeError(
        `Cannot load ${op} state: missing keys [${missing.join(", ")}], unexpected keys [${
          unexpected.join(", ")
        }]; was it saved for another model or optimizer?`,
      );
    }
    for (const [name, t] of own) {
      const s = state.get(name)!;
      if (s.shape.join(",") !== t.shape.join(",")) {
        throw new TypeError(
          `Cannot load ${op} state "${name}": shape [${s.shape.join(", ")}] does not match [${
            t.shape.join(", ")
          }]`,
        );
      }
    }
    for (const [name, t] of own) t.data.set(state.get(name)!.data);
  }

  /** A state tensor per parameter, zero-filled, with the parameter's shape and dtype. */
  protected zerosLike(): Tensor[] {
    return this.params.map((p) => Tensor.zeros(p.value.shape, p.value.dtype));
  }
}

/** Options of `SGD`. */
export interface SGDOptions {
  /** Learning rate (default 0.01). */
  lr?: number;
  /** Momentum factor (default 0: plain SGD). */
  momentum?: number;
  /** L2 penalty added to the gradient, PyTorch's `weight_decay` (default 0). */
  weightDecay?: number;
  /** Nesterov momentum (default false; needs momentum > 0). */
  nesterov?: boolean;
}

/**
 * Stochastic gradient descent, PyTorch's `torch.optim.SGD` (dampening 0).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Linear, SGD } from "../mod.ts";
 * const fc = new Linear(1, 1, { dtype: "float64" });
 * fc.weight.value.data[0] = 1;
 * fc.weight.grad.data[0] = 2;
 * new SGD([fc.parameters()[0]], { lr: 0.1 }).step();
 * assert.ok(Math.abs(fc.weight.value.data[0] - 0.8) < 1e-15);
 * ```
 */
export class SGD extends Optimizer {
  readonly momentum: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  readonly #velocity: Tensor[];

  constructor(params: readonly Parameter[], options: SGDOptions = {}) {
    const { lr = 0.01, momentum = 0, weightDecay = 0, nesterov = false } = options;
    super(params, lr, "SGD");
    checkNonNegative("SGD", "momentum", momentum);
    checkNonNegative("SGD", "weightDecay", weightDecay);
    if (nesterov && momentum === 0) {
      throw new RangeError("Cannot create SGD: Nesterov momentum needs momentum > 0");
    }
    this.momentum = momentum;
    this.weightDecay = weightDecay;
    this.nesterov = nesterov;
    this.#velocity = momentum > 0 ? this.zerosLike() : [];
  }

  stateDict(): Map<string, Tensor> {
    return new Map(this.#velocity.map((v, i) => [`${this.params[i].name}.momentum_buffer`, v]));
  }

  step(): void {
    this.params.forEach((p, i) => {
      const w = p.value.data, v = this.#velocity[i]?.data ?? w.subarray(0, 0);
      kernelsFor(p.value.dtype).sgdStep(
        w,
        p.grad.data,
        v,
        w.length,
        this.lr,
        this.momentum,
        this.weightDecay,
        this.nesterov,
      );
    });
  }
}

/** Options of `Adam` and `AdamW`. */
export interface AdamOptions {
  /** Learning rate (default 0.001). */
  lr?: number;
  /** Decay rates of the first and second moment estimates (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Added to the denominator (default 1e-8). */
  eps?: number;
  /** Weight decay (default 0 for Adam, 0.01 for AdamW, as PyTorch). */
  weightDecay?: number;
}

/** The shared state and step of `Adam` and `AdamW`, which differ only in the weight decay. */
export abstract class AdamBase extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  // step: (1) float64, the steps taken so far (the bias correction uses t = step after the
  // increment); a tensor so that it is saved with the rest of the state.
  readonly #step = Tensor.zeros([1], "float64");
  readonly #m: Tensor[];
  readonly #v: Tensor[];
  readonly #decoupled: boolean;

  protected constructor(
    params: readonly Parameter[],
    options: AdamOptions,
    decoupled: boolean,
  ) {
    const name = decoupled ? "AdamW" : "Adam";
    const { lr = 0.001, betas = [0.9, 0.999], eps = 1e-8 } = options;
    const { weightDecay = decoupled ? 0.01 : 0 } = options;
    super(params, lr, name);
    for (const [i, b] of betas.entries()) {
      if (!(b >= 0 && b < 1)) {
        throw new RangeError(`Cannot create ${name}: betas[${i}] must be in [0, 1), got ${b}`);
      }
    }
    checkNonNegative(name, "eps", eps);
    checkNonNegative(name, "weightDecay", weightDecay);
    [this.beta1, this.beta2] = betas;
    this.eps = eps;
    this.weightDecay = weightDecay;
    this.#decoupled = decoupled;
    this.#m = this.zerosLike();
    this.#v = this.zerosLike();
  }

  /** Steps taken so far. */
  get stepCount(): number {
    return this.#step.data[0];
  }

  stateDict(): Map<string, Tensor> {
    const out = new Map<string, Tensor>([["step", this.#step]]);
    this.params.forEach((p, i) => {
      out.set(`${p.name}.exp_avg`, this.#m[i]);
      out.set(`${p.name}.exp_avg_sq`, this.#v[i]);
    });
    return out;
  }

  step(): void {
    const t = ++this.#step.data[0];
    this.params.forEach((p, i) => {
      const w = p.value.data;
      kernelsFor(p.value.dtype).adamStep(
        w,
        p.grad.data,
        this.#m[i].data,
        this.#v[i].data,
        w.length,
        this.lr,
        this.beta1,
        this.beta2,
        this.eps,
        t,
        this.weightDecay,
        this.#decoupled,
      );
    });
  }
}

/**
 * Adam (Kingma and Ba, 2015), PyTorch's `torch.optim.Adam`: weight decay is an L2 term added
 * to the gradient.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Adam, Linear } from "../mod.ts";
 * const fc = new Linear(1, 1, { dtype: "float64" });
 * fc.weight.value.data[0] = 1;
 * fc.weight.grad.data[0] = 5;
 * new Adam([fc.parameters()[0]], { lr: 0.1 }).step(); // the first step moves by ≈ lr
 * assert.ok(Math.abs(fc.weight.value.data[0] - 0.9) < 1e-8);
 * ```
 */
export class Adam extends AdamBase {
  constructor(params: readonly Parameter[], options: AdamOptions = {}) {
    super(params, options, false);
  }
}

/**
 * AdamW (Loshchilov and Hutter, 2019), PyTorch's `torch.optim.AdamW`: Adam with the weight
 * decay decoupled from the gradient (w ← w·(1 − lr·wd) before the Adam update).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AdamW, Linear } from "../mod.ts";
 * const fc = new Linear(1, 1, { dtype: "float64" });
 * fc.weight.value.data[0] = 1;
 * new AdamW([fc.parameters()[0]], { lr: 0.1, weightDecay: 0.5 }).step(); // zero gradient
 * assert.ok(Math.abs(fc.weight.value.data[0] - 0.95) < 1e-15);
 * ```
 */
export class AdamW extends AdamBase {
  constructor(params: readonly Parameter[], options: AdamOptions = {}) {
    super(params, options, true);
  }
}
