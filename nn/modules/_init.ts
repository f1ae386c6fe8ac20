/**
 * Weight initialisation shared by the layers with weights.
 *
 * @module
 */

import type { Rng } from "../random.ts";
import { type DType, Tensor } from "../tensor.ts";

/**
 * PyTorch's default for `nn.Conv2d` and `nn.Linear`: weights and biases from U(−b, b) with
 * b = 1/√fanIn, which is `kaiming_uniform_(w, a=√5)` (gain √(2/(1+5)), bound gain·√(3/fanIn)).
 */
export function kaimingUniform(
  shape: readonly number[],
  fanIn: number,
  rng: Rng,
  dtype: DType,
): Tensor {
  const bound = 1 / Math.sqrt(fanIn);
  return Tensor.rand(shape, rng, { low: -bound, high: bound, dtype });
}

/** Checks a size argument is a positive integer, naming the module and the argument. */
export function checkSize(op: string, name: string, value: number, min = 1): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`Cannot create ${op}: ${name} must be an integer ≥ ${min}, got ${value}`);
  }
}
