/**
 * The lines of `<model>.log` in the homework's format (PyTorch's MNIST example, as the
 * homework's `train.py` prints them), with Python's number formatting:
 *
 * ```
 * Train Epoch: 1 [12800/49000 (26%)]	Train Loss: 1.189539	Val Loss: 1.223467	Val Acc: 57.8125
 * test set: Average loss: 1.2492, Accuracy: 5670/10000 (57%)
 * ```
 *
 * @module
 */

import type { EvalResult } from "./eval.ts";

/**
 * Python's `str(float)` for the accuracy: `57.8125`, `58.0`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pyFloat } from "./log.ts";
 * assert.deepEqual([pyFloat(57.8125), pyFloat(58)], ["57.8125", "58.0"]);
 * ```
 */
export function pyFloat(v: number): string {
  return Number.isInteger(v) ? v.toFixed(1) : String(v);
}

/**
 * A number as Python's `%e` prints it (the Part 1 Solver's `lr 1.000000e-04`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pyExp } from "./log.ts";
 * assert.deepEqual([pyExp(1e-4), pyExp(0.00095), pyExp(123)], ["1.000000e-04", "9.500000e-04", "1.230000e+02"]);
 * ```
 */
export function pyExp(x: number, digits = 6): string {
  const [mantissa, exponent] = x.toExponential(digits).split("e");
  const sign = exponent.startsWith("-") ? "-" : "+";
  return `${mantissa}e${sign}${exponent.replace(/^[-+]/, "").padStart(2, "0")}`;
}

/**
 * Python's `round()` (half to even), as its `{:.0f}` rounds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { roundHalfEven } from "./log.ts";
 * assert.deepEqual([0.5, 1.5, 2.5, 26.1].map(roundHalfEven), [0, 2, 2, 26]);
 * ```
 */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** What a log line shows. */
export interface LogValues {
  /** 1-based. */
  epoch: number;
  /** Training images before this batch in the epoch (PyTorch's batch_idx · batch size). */
  seen: number;
  total: number;
  /** 100 · batch_idx / batches per epoch. */
  percent: number;
  trainLoss: number;
  valLoss: number;
  /** Percent. */
  valAcc: number;
}

/**
 * The homework's log line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { logLine } from "./log.ts";
 * assert.equal(
 *   logLine({
 *     epoch: 1,
 *     seen: 12800,
 *     total: 49000,
 *     percent: 26.1,
 *     trainLoss: 1.1895394,
 *     valLoss: 1.2234671,
 *     valAcc: 57.8125,
 *   }),
 *   "Train Epoch: 1 [12800/49000 (26%)]\tTrain Loss: 1.189539\tVal Loss: 1.223467\tVal Acc: 57.8125",
 * );
 * ```
 */
export function logLine(l: LogValues): string {
  const { epoch, seen, total, percent, trainLoss, valLoss, valAcc } = l;
  return `Train Epoch: ${epoch} [${seen}/${total} (${roundHalfEven(percent)}%)]\tTrain Loss: ${
    trainLoss.toFixed(6)
  }\tVal Loss: ${valLoss.toFixed(6)}\tVal Acc: ${pyFloat(valAcc)}`;
}

/** The homework's last log line. */
export function testLine(r: EvalResult): string {
  return `test set: Average loss: ${r.loss.toFixed(4)}, Accuracy: ${r.correct}/${r.total} (${
    roundHalfEven(100 * r.correct / r.total)
  }%)`;
}
