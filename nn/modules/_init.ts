/**
 * Weight initialisation shared by the layers with weights.
 *
 * @module
 */

import type { Rng } from "../../core/random.ts";
import { type DType, Tensor } from "../../core/tensor.ts";

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

/**
 * The options object of a module's constructor, checked at run time: PyTorch passes its
 * hyper-parameters positionally (`nn.Conv2d(3, 16, 5)`), where a module here takes an options
 * object, and a number in its place used to be read as an empty object, silently building the
 * default layer. `positional` names the option that a value of type `type` in that place means
 * (PyTorch's next positional argument, e.g. Conv2d's kernel size); any other non-object, an
 * unknown option name (e.g. PyTorch's `kernel_size`) and further positional arguments (`extra`)
 * throw a TypeError that shows the options form.
 */
export function readOptions<T extends object>(
  op: string,
  options: unknown,
  known: readonly (keyof T & string)[],
  extra: readonly unknown[],
  positional?: { name: keyof T & string; type: "number" | "boolean" },
): Partial<T> {
  const form = `new ${op}(…, { ${known.join(", ")} })`;
  if (extra.length > 0) {
    throw new TypeError(
      `Cannot create ${op}: it takes ${extra.length} positional argument${
        extra.length > 1 ? "s" : ""
      } too many (${extra.map(String).join(", ")}); pass them as options: ${form}`,
    );
  }
  if (options === undefined) return {};
  if (positional && typeof options === positional.type) {
    return { [positional.name]: options } as Partial<T>;
  }
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    const what = positional ? ` or a ${positional.type} (${positional.name})` : "";
    throw new TypeError(
      `Cannot create ${op}: expected an options object${what}, got ${
        Array.isArray(options) ? "an array" : `${String(options)} (${typeof options})`
      }; use ${form}`,
    );
  }
  for (const key of Object.keys(options)) {
    if (!(known as readonly string[]).includes(key)) {
      throw new TypeError(`Cannot create ${op}: unknown option "${key}"; the options are ${form}`);
    }
  }
  return options as Partial<T>;
}
