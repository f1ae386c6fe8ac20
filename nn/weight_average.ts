/**
 * An exponential moving average of a model's weights, and lookahead (Zhang et al., 2019) built
 * on it, as the fast CIFAR-10 recipes use them: airbench keeps an average of the whole state
 * (parameters and batch-norm statistics), updates it every 5 steps with a decay that grows
 * over the run, and copies it back into the model each time (lookahead); a plain EMA leaves
 * the model alone and is swapped in only for evaluation.
 *
 * The update is avg ← avg + (1 − decay)·(live − avg), in the tensors' own dtype, elementwise
 * (so it does not depend on the thread count).
 *
 * @module
 */

import type { Module } from "./modules/module.ts";
import { Tensor } from "../core/tensor.ts";

/** Options of {@link WeightAverage}. */
export interface WeightAverageOptions {
  /** Update on every `every`-th call of `step()` (default 1; airbench's lookahead: 5). */
  every?: number;
  /** After each update, copy the average into the model: lookahead (default false: an EMA). */
  lookahead?: boolean;
  /** Average the buffers too, e.g. batch norm's running statistics (default true). */
  buffers?: boolean;
}

/**
 * A copy of a model's parameters (and buffers) that follows them as an exponential moving
 * average.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Linear, Tensor } from "../mod.ts";
 * import { WeightAverage } from "./weight_average.ts";
 * const fc = new Linear(1, 1, { dtype: "float64" });
 * fc.weight.value.data[0] = 1;
 * const ema = new WeightAverage(fc); // starts as a copy: 1
 * fc.weight.value.data[0] = 3;
 * ema.step(0.75); // avg = 1 + 0.25·(3 − 1)
 * ema.swap(); // evaluate with the average
 * assert.equal(fc.weight.value.data[0], 1.5);
 * ema.swap(); // and back
 * assert.equal(fc.weight.value.data[0], 3);
 * ```
 */
export class WeightAverage {
  /** Updates happen on every `every`-th call of `step()`. */
  readonly every: number;
  /** Whether each update copies the average back into the model (lookahead), not an EMA. */
  readonly lookahead: boolean;
  /** The averaged tensors' names, as the model's `stateDict()` names them. */
  readonly names: readonly string[];
  readonly #live: Tensor[];
  readonly #avg: Tensor[];
  // calls: (1) float64, the calls of step() so far (a tensor so that it is saved and resumed)
  readonly #calls = Tensor.zeros([1], "float64");
  #swapped = false;

  /** Copies the model's parameters (and, with `buffers`, its buffers) as the starting average. */
  constructor(model: Module, options: WeightAverageOptions = {}) {
    const { every = 1, lookahead = false, buffers = true } = options;
    if (!Number.isInteger(every) || every < 1) {
      throw new RangeError(
        `Cannot create WeightAverage: every must be an integer ≥ 1, got ${every}`,
      );
    }
    this.every = every;
    this.lookahead = lookahead;
    const own = buffers
      ? [...model.stateDict()]
      : model.parameters().map((p) => [p.name, p.value] as const);
    if (own.length === 0) {
      throw new RangeError(`Cannot create WeightAverage: ${model} has no parameters`);
    }
    this.names = own.map(([name]) => name);
    this.#live = own.map(([, t]) => t);
    this.#avg = this.#live.map((t) => t.clone());
  }

  /** Calls of `step()` so far. */
  get calls(): number {
    return this.#calls.data[0];
  }

  /** Whether the model holds the average now (between two `swap()` calls). */
  get swapped(): boolean {
    return this.#swapped;
  }

  /**
   * Counts a training step and, on every `every`-th, updates with `decay` (the weight of the
   * old average, in [0, 1]); returns whether it updated. Call it after the optimizer's step.
   */
  step(decay: number): boolean {
    const calls = ++this.#calls.data[0];
    if (calls % this.every !== 0) return false;
    this.update(decay);
    return true;
  }

  /**
   * avg ← avg + (1 − decay)·(live − avg) now; with lookahead the model then takes the average.
   * `update(1)` with lookahead resets the model to the average (airbench's last step).
   */
  update(decay: number): void {
    if (!(decay >= 0 && decay <= 1)) {
      throw new RangeError(`Cannot update WeightAverage: decay must be in [0, 1], got ${decay}`);
    }
    if (this.#swapped) {
      throw new Error("Cannot update WeightAverage while it is swapped in: call swap() first");
    }
    const rate = 1 - decay;
    this.#live.forEach((t, i) => {
      const live = t.data, avg = this.#avg[i].data;
      for (let k = 0; k < avg.length; k++) avg[k] += rate * (live[k] - avg[k]);
      if (this.lookahead) live.set(avg);
    });
  }

  /** Exchanges the model's values with the average: call once to evaluate, again to go back. */
  swap(): void {
    this.#live.forEach((t, i) => {
      const keep = t.data.slice();
      t.data.set(this.#avg[i].data);
      this.#avg[i].data.set(keep);
    });
    this.#swapped = !this.#swapped;
  }

  /** The state to checkpoint: `average.<name>` for each tensor and `average.calls`. */
  stateDict(): Map<string, Tensor> {
    if (this.#swapped) {
      throw new Error("Cannot save WeightAverage while it is swapped in: call swap() first");
    }
    const out = new Map(this.names.map((name, i) => [`average.${name}`, this.#avg[i]]));
    out.set("average.calls", this.#calls);
    return out;
  }

  /** Restores a saved state after checking every name and shape (nothing copied on error). */
  loadStateDict(state: Map<string, Tensor>): void {
    const own = this.stateDict();
    const missing = [...own.keys()].filter((k) => !state.has(k));
    const unexpected = [...state.keys()].filter((k) => !own.has(k));
    if (missing.length > 0 || unexpected.length > 0) {
      throw new TypeError(
        `Cannot load WeightAverage state: missing keys [${missing.join(", ")}], unexpected keys [${
          unexpected.join(", ")
        }]; was it saved for another model?`,
      );
    }
    for (const [name, t] of own) {
      const s = state.get(name)!;
      if (s.shape.join(",") !== t.shape.join(",")) {
        throw new TypeError(
          `Cannot load WeightAverage state "${name}": shape [${
            s.shape.join(", ")
          }] does not match [${t.shape.join(", ")}]`,
        );
      }
    }
    for (const [name, t] of own) t.data.set(state.get(name)!.data);
  }
}

/** Options of {@link lookaheadDecay}. */
export interface LookaheadDecayOptions {
  /** The decay at the end of the run (default 0.95⁵, airbench's). */
  final?: number;
  /** How fast the decay grows: final·(step/total)^power (default 3). */
  power?: number;
}

/**
 * airbench's decay schedule for lookahead: final·(step / totalSteps)^power, near 0 early (the
 * average follows the model) and `final` at the end.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lookaheadDecay } from "./weight_average.ts";
 * assert.equal(lookaheadDecay(0, 100), 0);
 * assert.equal(lookaheadDecay(50, 100, { final: 0.8 }), 0.1);
 * ```
 */
export function lookaheadDecay(
  step: number,
  totalSteps: number,
  options: LookaheadDecayOptions = {},
): number {
  const { final = 0.95 ** 5, power = 3 } = options;
  if (!(totalSteps > 0) || !(step >= 0 && step <= totalSteps)) {
    throw new RangeError(
      `Cannot compute the lookahead decay of step ${step} of ${totalSteps}: ` +
        `it needs 0 ≤ step ≤ totalSteps and totalSteps > 0`,
    );
  }
  return final * (step / totalSteps) ** power;
}
