/**
 * Checks shared by the layers that are about tensors rather than shapes (shapes are checked
 * in `core/dims.ts`): every argument is a `Tensor`, all of them share one dtype, and
 * hyper-parameters come as an object.
 *
 * @module
 */

import { type DType, Tensor } from "../../core/tensor.ts";

/**
 * Returns the one dtype shared by `tensors`, or throws a TypeError naming the operation, the
 * argument that differs and how to fix it.
 */
export function sameDType(op: string, tensors: Record<string, Tensor>): DType {
  let first: [string, DType] | undefined;
  for (const [name, t] of Object.entries(tensors)) {
    if (!(t instanceof Tensor)) {
      throw new TypeError(`Cannot run ${op}: ${name} must be a Tensor, got ${describe(t)}`);
    }
    if (first === undefined) {
      first = [name, t.dtype];
    } else if (t.dtype !== first[1]) {
      throw new TypeError(
        `Cannot run ${op}: ${first[0]} is ${first[1]} but ${name} is ${t.dtype}; ` +
          `convert one with .astype("${first[1]}") so that all inputs share one dtype`,
      );
    }
  }
  if (first === undefined) throw new TypeError(`Cannot run ${op}: no tensors given`);
  return first[1];
}

/** Throws a TypeError unless `param` is an object (the layer's hyper-parameters). */
export function checkParam(op: string, param: unknown, expected: string): void {
  if (param === null || typeof param !== "object") {
    throw new TypeError(`Cannot run ${op}: param must be ${expected}, got ${describe(param)}`);
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return (value as object).constructor?.name ?? "an object";
  return typeof value;
}
