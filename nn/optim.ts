/**
 * Optimizers over a model's `Parameter` list, ordered by complexity as in tinygrad's
 * `optim.py`: `SGD` (plain, momentum, Nesterov, weight decay), then `Adam` and `AdamW`. The
 * update maths of each is one kernel call per parameter (kernels/ref/optim.ts, PyTorch's
 * formulas). `lr` is a public field, so a schedule can set it before each `step()`. On
 * parameters that live on the GPU (`await model.to("webgpu")`) each update is one WebGPU
 * kernel, recorded without waiting; the optimizer's state follows the parameters (`to()`).
 *
 * Every optimizer takes either a parameter list or parameter groups, as PyTorch's
 * `param_groups`: `new SGD([{ params: biases, lrScale: 64 }, { params: rest }], { lr })`. A
 * group's learning rate is `lrScale × lr` (so one schedule setting `lr` drives every group) and
 * its weight decay is its own `weightDecay` or the optimizer's. A plain list is one group with
 * `lrScale` 1, and steps exactly as before groups existed.
 *
 * @module
 */

import { backends, kernelsFor } from "../kernels/mod.ts";
import { type ModulePlacement, type Parameter, webgpuOf, zeroFill } from "./modules/module.ts";
import { Tensor } from "../core/tensor.ts";

function checkNonNegative(op: string, name: string, value: number): void {
  if (!(value >= 0) || !Number.isFinite(value)) {
    throw new RangeError(`Cannot create ${op}: ${name} must be a finite number ≥ 0, got ${value}`);
  }
}

/** Parameters that share a learning-rate scale and a weight decay. */
export interface ParamGroup {
  /** The group's parameters (each in one group only). */
  params: readonly Parameter[];
  /** The group's learning rate is lrScale × the optimizer's `lr` (default 1). */
  lrScale?: number;
  /** The group's weight decay (default: the optimizer's `weightDecay` option). */
  weightDecay?: number;
}

/** A checked group: its parameters, its scale, and its weight decay or undefined (the default). */
export interface OptimizerGroup {
  /** The group's parameters, in the order given. */
  readonly params: readonly Parameter[];
  /**
   * The group's learning-rate scale; a recipe may change it between steps, e.g. 0 freezes the
   * group's values (airbench trains its whitening layer's bias for the first 3 epochs only;
   * unlike PyTorch's `requires_grad = False`, the momentum buffers still take the gradients).
   */
  lrScale: number;
  /** The group's weight decay, or undefined for the optimizer's own `weightDecay`. */
  readonly weightDecay: number | undefined;
}

const GROUP_KEYS = ["params", "lrScale", "weightDecay"];

// Checks a parameter list or group list and returns the groups (a list is one group).
function readGroups(
  op: string,
  given: readonly Parameter[] | readonly ParamGroup[],
): OptimizerGroup[] {
  if (!Array.isArray(given)) {
    throw new TypeError(`Cannot create ${op}: expected an array of parameters or of groups`);
  }
  const isGroup = (g: unknown) => typeof g === "object" && g !== null && "params" in g;
  const groupCount = given.filter(isGroup).length;
  if (groupCount === 0) {
    return [{ params: given as Parameter[], lrScale: 1, weightDecay: undefined }];
  }
  if (groupCount !== given.length) {
    throw new TypeError(
      `Cannot create ${op}: the array mixes ${groupCount} groups ({ params, … }) with ${
        given.length - groupCount
      } parameters; put every parameter in a group`,
    );
  }
  const seen = new Set<unknown>();
  return (given as readonly ParamGroup[]).map((g, i) => {
    for (const key of Object.keys(g)) {
      if (!GROUP_KEYS.includes(key)) {
        throw new TypeError(
          `Cannot create ${op}: group ${i} has unknown key "${key}"; a group has ${
            GROUP_KEYS.join(", ")
          }`,
        );
      }
    }
    const { params, lrScale = 1, weightDecay } = g;
    checkNonNegative(op, `group ${i}'s lrScale`, lrScale);
    if (weightDecay !== undefined) checkNonNegative(op, `group ${i}'s weightDecay`, weightDecay);
    for (const p of params) {
      if (seen.has(p.value)) {
        throw new RangeError(`Cannot create ${op}: parameter "${p.name}" is in two groups`);
      }
      seen.add(p.value);
    }
    return { params, lrScale, weightDecay };
  });
}

/** What every optimizer shares: the parameters, the learning rate, and `zeroGrad()`. */
export abstract class Optimizer {
  /** Every parameter, group after group. */
  readonly params: readonly Parameter[];
  /** The parameter groups (one, with lrScale 1, when a plain list was given). */
  readonly groups: readonly OptimizerGroup[];
  /** The learning rate used by the next `step()` (times each group's `lrScale`). */
  lr: number;

  /** Checks the parameters or groups and the learning rate; `op` names the optimizer in errors. */
  constructor(params: readonly Parameter[] | readonly ParamGroup[], lr: number, op: string) {
    this.groups = readGroups(op, params);
    this.params = this.groups.flatMap((g) => g.params);
    if (this.params.length === 0) {
      throw new RangeError(`Cannot create ${op}: the parameter list is empty`);
    }
    checkNonNegative(op, "lr", lr);
    this.lr = lr;
  }

  /** Sets every parameter's gradient to zero (wherever it lives). */
  zeroGrad(): void {
    for (const p of this.params) zeroFill(p.grad);
  }

  /** The float32 state tensors that live with the parameters (moved by `to`). */
  protected abstract placedState(): Tensor[];

  /**
   * Moves the optimizer's per-parameter state (momentum buffers, moment averages) to
   * `placement`, in place, as `Module.to` moves the parameters; `step()` also uploads it by
   * itself the first time it meets parameters on the GPU.
   */
  async to(placement: ModulePlacement): Promise<this> {
    const g = backends.webgpu;
    if (placement === "webgpu") {
      await g.open();
      for (const t of this.placedState()) g.upload(t);
    } else if (placement === "cpu") {
      for (const t of this.placedState()) await g.download(t);
    } else {
      throw new RangeError(`Cannot move an optimizer to "${placement}": use "cpu" or "webgpu"`);
    }
    return this;
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
  /**
   * Decoupled weight decay (default false): w ← w·(1 − lr·wd) before the gradient step, as
   * AdamW (Loshchilov and Hutter, 2019) and PyTorch's `SGD(…, weight_decay)` differ; the decay
   * then bypasses the momentum buffer. With groups, lr and wd are each group's.
   */
  decoupledWeightDecay?: boolean;
}

/**
 * Stochastic gradient descent, PyTorch's `torch.optim.SGD` (dampening 0), with parameter groups
 * and optionally decoupled weight decay.
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
 * // groups: the bias at 10× the rate; decoupled decay shrinks the weight by lr·wd = 1%
 * const [weight, bias] = fc.parameters();
 * bias.value.data[0] = 0;
 * bias.grad.data[0] = 1;
 * fc.weight.grad.data[0] = 0;
 * const opt = new SGD([{ params: [bias], lrScale: 10, weightDecay: 0 }, { params: [weight] }], {
 *   lr: 0.1,
 *   weightDecay: 0.1,
 *   decoupledWeightDecay: true,
 * });
 * opt.step();
 * assert.ok(Math.abs(bias.value.data[0] + 1) < 1e-15);
 * assert.ok(Math.abs(fc.weight.value.data[0] - 0.8 * 0.99) < 1e-15);
 * ```
 */
export class SGD extends Optimizer {
  /** Momentum factor μ (default 0: plain SGD). */
  readonly momentum: number;
  /**
   * L2 penalty λ added to the gradient, or with `decoupledWeightDecay` w ← w·(1 − lr·λ)
   * (default 0).
   */
  readonly weightDecay: number;
  /** Nesterov momentum (default false; needs momentum > 0). */
  readonly nesterov: boolean;
  /** Decay the weights directly, as AdamW does, not through the gradient (default false). */
  readonly decoupledWeightDecay: boolean;
  readonly #velocity: Tensor[];
  readonly #scratch: Tensor[] = []; // GPU velocities of a momentum-free SGD (never read)

  /** Creates the optimizer; `options` as `SGDOptions`, with PyTorch's defaults except lr 0.01. */
  constructor(params: readonly Parameter[] | readonly ParamGroup[], options: SGDOptions = {}) {
    const { lr = 0.01, momentum = 0, weightDecay = 0, nesterov = false } = options;
    const { decoupledWeightDecay = false } = options;
    super(params, lr, "SGD");
    checkNonNegative("SGD", "momentum", momentum);
    checkNonNegative("SGD", "weightDecay", weightDecay);
    if (nesterov && momentum === 0) {
      throw new RangeError("Cannot create SGD: Nesterov momentum needs momentum > 0");
    }
    this.momentum = momentum;
    this.weightDecay = weightDecay;
    this.nesterov = nesterov;
    this.decoupledWeightDecay = decoupledWeightDecay;
    this.#velocity = momentum > 0 ? this.zerosLike() : [];
  }

  /** The momentum buffers (and the GPU's zero scratch of a momentum-free SGD). */
  protected placedState(): Tensor[] {
    return [...this.#velocity, ...this.#scratch.filter((t) => t !== undefined)];
  }

  /** The momentum buffers under PyTorch's names (`<param>.momentum_buffer`), if any. */
  stateDict(): Map<string, Tensor> {
    return new Map(this.#velocity.map((v, i) => [`${this.params[i].name}.momentum_buffer`, v]));
  }

  /** One update of every parameter from its `grad`, group by group. */
  step(): void {
    let i = 0;
    for (const g of this.groups) {
      const lr = this.lr * g.lrScale, wd = g.weightDecay ?? this.weightDecay;
      const decay = this.decoupledWeightDecay ? 1 - lr * wd : 1;
      for (const p of g.params) {
        if (webgpuOf(p.value)) {
          this.#stepGpu(p, i++, lr, wd, decay);
          continue;
        }
        const w = p.value.data, v = this.#velocity[i++]?.data ?? w.subarray(0, 0);
        // No kernel scales a vector: the decoupled decay is this one loop, elementwise, so the
        // result does not depend on the thread count.
        if (decay !== 1) { for (let k = 0; k < w.length; k++) w[k] *= decay; }
        kernelsFor(p.value.dtype).sgdStep(
          w,
          p.grad.data,
          v,
          w.length,
          lr,
          this.momentum,
          this.decoupledWeightDecay ? 0 : wd,
          this.nesterov,
        );
      }
    }
  }

  // One parameter's update on the GPU (its momentum buffer uploaded the first time).
  #stepGpu(p: Parameter, i: number, lr: number, wd: number, decay: number): void {
    const g = backends.webgpu, s = g.storageOf;
    if (decay !== 1) {
      throw new RangeError(
        "Cannot run SGD with decoupledWeightDecay on webgpu: no GPU kernel scales the weights " +
          "yet; use weightDecay without decoupledWeightDecay, or train on the CPU",
      );
    }
    // without momentum the kernel still binds a velocity: a zero scratch of the same size
    const v = this.#velocity[i] ?? (this.#scratch[i] ??= Tensor.zeros(p.value.shape, "float32"));
    g.upload(v);
    g.kernels.sgdStep(
      s(p.value),
      s(p.grad),
      s(v),
      p.value.size,
      lr,
      this.momentum,
      wd,
      this.nesterov,
    );
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
  /** β₁, the decay of the first-moment average (default 0.9). */
  readonly beta1: number;
  /** β₂, the decay of the second-moment average (default 0.999). */
  readonly beta2: number;
  /** Added to the denominator √v̂ + eps (default 1e-8). */
  readonly eps: number;
  /** Weight decay λ: added to the gradient (Adam) or decoupled (AdamW). */
  readonly weightDecay: number;
  // step: (1) float64, the steps taken so far (the bias correction uses t = step after the
  // increment); a tensor so that it is saved with the rest of the state.
  readonly #step = Tensor.zeros([1], "float64");
  readonly #m: Tensor[];
  readonly #v: Tensor[];
  readonly #decoupled: boolean;

  /** Shared by `Adam` (`decoupled` false) and `AdamW` (true). */
  protected constructor(
    params: readonly Parameter[] | readonly ParamGroup[],
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

  /** The moment averages (the step count stays a float64 CPU tensor). */
  protected placedState(): Tensor[] {
    return [...this.#m, ...this.#v];
  }

  /** Steps taken so far. */
  get stepCount(): number {
    return this.#step.data[0];
  }

  /** `step` and the moment averages under PyTorch's names (`<param>.exp_avg`, `.exp_avg_sq`). */
  stateDict(): Map<string, Tensor> {
    const out = new Map<string, Tensor>([["step", this.#step]]);
    this.params.forEach((p, i) => {
      out.set(`${p.name}.exp_avg`, this.#m[i]);
      out.set(`${p.name}.exp_avg_sq`, this.#v[i]);
    });
    return out;
  }

  /** One Adam update of every parameter from its `grad`, group by group (t = steps so far). */
  step(): void {
    const t = ++this.#step.data[0];
    let i = 0;
    for (const g of this.groups) {
      const lr = this.lr * g.lrScale, wd = g.weightDecay ?? this.weightDecay;
      for (const p of g.params) {
        const gpu = webgpuOf(p.value);
        if (gpu) {
          const m = this.#m[i], v = this.#v[i], s = gpu.storageOf;
          gpu.upload(m);
          gpu.upload(v);
          gpu.kernels.adamStep(
            s(p.value),
            s(p.grad),
            s(m),
            s(v),
            p.value.size,
            lr,
            this.beta1,
            this.beta2,
            this.eps,
            t,
            wd,
            this.#decoupled,
          );
          i++;
          continue;
        }
        const w = p.value.data;
        kernelsFor(p.value.dtype).adamStep(
          w,
          p.grad.data,
          this.#m[i].data,
          this.#v[i].data,
          w.length,
          lr,
          this.beta1,
          this.beta2,
          this.eps,
          t,
          wd,
          this.#decoupled,
        );
        i++;
      }
    }
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
  /** Creates Adam; `options` as `AdamOptions` (PyTorch's defaults). */
  constructor(params: readonly Parameter[] | readonly ParamGroup[], options: AdamOptions = {}) {
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
  /** Creates AdamW; `options` as `AdamOptions` (PyTorch's defaults, weight decay 0.01). */
  constructor(params: readonly Parameter[] | readonly ParamGroup[], options: AdamOptions = {}) {
    super(params, options, true);
  }
}
