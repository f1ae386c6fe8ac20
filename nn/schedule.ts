/**
 * Learning-rate schedules: pure functions of the step number (0, 1, 2, …) giving the learning
 * rate to use for that step. A training loop sets `optimizer.lr = schedule(step)` before each
 * `optimizer.step()`.
 *
 * - `stepDecay`: PyTorch's `StepLR` (lr · γ^⌊step/stepSize⌋), with an optional linear warm-up.
 * - `cosineWithWarmup`: linear warm-up from 0, then a half cosine down to `minLr`, as Hugging
 *   Face's `get_cosine_schedule_with_warmup` (with `minLr` = 0).
 * - `oneCycle`: PyTorch's `OneCycleLR` (Smith and Topin, 2019): from maxLr/divFactor up to maxLr
 *   over the first `pctStart` of the steps, then down to maxLr/(divFactor·finalDivFactor),
 *   linearly or along a cosine.
 *
 * @module
 */

/** The learning rate for a step (0-based). */
export type Schedule = (step: number) => number;

function checkPositive(op: string, name: string, value: number, allowZero = false): void {
  const ok = Number.isFinite(value) && (allowZero ? value >= 0 : value > 0);
  if (!ok) {
    throw new RangeError(
      `Cannot create ${op}: ${name} must be ${allowZero ? "≥ 0" : "> 0"}, got ${value}`,
    );
  }
}

function checkStep(op: string, step: number): void {
  if (!Number.isInteger(step) || step < 0) {
    throw new RangeError(`Cannot evaluate ${op}: step must be an integer ≥ 0, got ${step}`);
  }
}

/** Options of `stepDecay`. */
export interface StepDecayOptions {
  /** The base learning rate. */
  lr: number;
  /** Steps between decays. */
  stepSize: number;
  /** Factor applied at each decay (default 0.1). */
  gamma?: number;
  /** Steps of linear warm-up from 0 (default 0). */
  warmupSteps?: number;
}

/**
 * lr · γ^⌊step/stepSize⌋, after `warmupSteps` of lr · step / warmupSteps.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stepDecay } from "../mod.ts";
 * const s = stepDecay({ lr: 0.1, stepSize: 10, gamma: 0.5 });
 * assert.deepEqual([s(0), s(9), s(10), s(25)], [0.1, 0.1, 0.05, 0.025]);
 * ```
 */
export function stepDecay(options: StepDecayOptions): Schedule {
  const { lr, stepSize, gamma = 0.1, warmupSteps = 0 } = options;
  checkPositive("stepDecay", "lr", lr, true);
  checkPositive("stepDecay", "stepSize", stepSize);
  checkPositive("stepDecay", "gamma", gamma);
  checkPositive("stepDecay", "warmupSteps", warmupSteps, true);
  return (step) => {
    checkStep("stepDecay", step);
    if (step < warmupSteps) return lr * step / warmupSteps;
    return lr * gamma ** Math.floor(step / stepSize);
  };
}

/** Options of `cosineWithWarmup`. */
export interface CosineOptions {
  /** The peak learning rate, reached at the end of the warm-up. */
  lr: number;
  /** Total number of steps; from there on the rate stays at `minLr`. */
  totalSteps: number;
  /** Steps of linear warm-up from 0 (default 0). */
  warmupSteps?: number;
  /** The final learning rate (default 0). */
  minLr?: number;
}

/**
 * lr · step / warmupSteps during the warm-up, then minLr + (lr − minLr) · ½(1 + cos(π·t)) with
 * t = (step − warmupSteps) / (totalSteps − warmupSteps), clamped to 1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cosineWithWarmup } from "../mod.ts";
 * const s = cosineWithWarmup({ lr: 1, totalSteps: 12, warmupSteps: 2 });
 * assert.deepEqual([s(0), s(1), s(2), s(12)], [0, 0.5, 1, 0]);
 * assert.ok(Math.abs(s(7) - 0.5) < 1e-15);
 * ```
 */
export function cosineWithWarmup(options: CosineOptions): Schedule {
  const { lr, totalSteps, warmupSteps = 0, minLr = 0 } = options;
  checkPositive("cosineWithWarmup", "lr", lr, true);
  checkPositive("cosineWithWarmup", "totalSteps", totalSteps);
  checkPositive("cosineWithWarmup", "warmupSteps", warmupSteps, true);
  checkPositive("cosineWithWarmup", "minLr", minLr, true);
  if (warmupSteps >= totalSteps) {
    throw new RangeError(
      `Cannot create cosineWithWarmup: warmupSteps (${warmupSteps}) must be below totalSteps (${totalSteps})`,
    );
  }
  return (step) => {
    checkStep("cosineWithWarmup", step);
    if (step < warmupSteps) return lr * step / warmupSteps;
    const t = Math.min(1, (step - warmupSteps) / (totalSteps - warmupSteps));
    return minLr + (lr - minLr) * 0.5 * (1 + Math.cos(Math.PI * t));
  };
}

/** Options of `oneCycle` (PyTorch's `OneCycleLR` names and defaults). */
export interface OneCycleOptions {
  /** The peak learning rate. */
  maxLr: number;
  /** Total number of steps; later steps keep the final rate. */
  totalSteps: number;
  /** Fraction of the steps spent rising (default 0.3). */
  pctStart?: number;
  /** The first rate is maxLr / divFactor (default 25). */
  divFactor?: number;
  /** The last rate is maxLr / (divFactor · finalDivFactor) (default 1e4). */
  finalDivFactor?: number;
  /** How each phase moves between its ends (default "cos", as PyTorch). */
  anneal?: "cos" | "linear";
}

/**
 * The one-cycle policy, step for step as PyTorch's `OneCycleLR` (three_phase off): phase 1 ends
 * at step pctStart·totalSteps − 1, phase 2 at totalSteps − 1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { oneCycle } from "../mod.ts";
 * const s = oneCycle({ maxLr: 1, totalSteps: 11, pctStart: 0.5, anneal: "linear", divFactor: 10, finalDivFactor: 1 });
 * assert.ok(Math.abs(s(0) - 0.1) < 1e-15 && Math.abs(s(10) - 0.1) < 1e-15);
 * assert.ok(Math.abs(s(5) - (1 - 0.9 * 0.5 / 5.5)) < 1e-12);
 * ```
 */
export function oneCycle(options: OneCycleOptions): Schedule {
  const { maxLr, totalSteps, pctStart = 0.3, divFactor = 25, finalDivFactor = 1e4 } = options;
  const { anneal = "cos" } = options;
  checkPositive("oneCycle", "maxLr", maxLr, true);
  checkPositive("oneCycle", "totalSteps", totalSteps);
  checkPositive("oneCycle", "divFactor", divFactor);
  checkPositive("oneCycle", "finalDivFactor", finalDivFactor);
  if (!(pctStart > 0 && pctStart < 1)) {
    throw new RangeError(`Cannot create oneCycle: pctStart must be in (0, 1), got ${pctStart}`);
  }
  const initialLr = maxLr / divFactor, minLr = initialLr / finalDivFactor;
  const peakStep = pctStart * totalSteps - 1, lastStep = totalSteps - 1;
  if (peakStep < 1 || lastStep <= peakStep) {
    throw new RangeError(
      `Cannot create oneCycle: pctStart·totalSteps − 1 = ${peakStep} must be ≥ 1 and below ` +
        `totalSteps − 1 = ${lastStep}; use more steps or another pctStart`,
    );
  }
  const move = (from: number, to: number, pct: number) =>
    anneal === "cos"
      ? to + (from - to) / 2 * (Math.cos(Math.PI * pct) + 1)
      : from + (to - from) * pct;
  return (step) => {
    checkStep("oneCycle", step);
    const s = Math.min(step, lastStep);
    if (s <= peakStep) return move(initialLr, maxLr, s / peakStep);
    return move(maxLr, minLr, (s - peakStep) / (lastStep - peakStep));
  };
}
