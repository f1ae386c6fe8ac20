/**
 * `Residual`: out = body(x) + shortcut(x), the join of a residual network (He et al., 2016);
 * the shortcut is the identity unless one is given (e.g. a 1×1 conv when shapes change).
 * Backward sends dout through both branches and adds their input gradients.
 *
 * @module
 */

import { kernelsFor } from "../../kernels/mod.ts";
import type { Tensor } from "../../core/tensor.ts";
import { cached, checkDout, Module, webgpuOf } from "./module.ts";

/** Options of `Residual`. */
export interface ResidualOptions {
  /** The second branch (default: the identity). */
  shortcut?: Module;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * A residual connection around `body`. Children are named "body" and, when given, "shortcut".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ReLU, Residual, Tensor } from "../../mod.ts";
 * const block = new Residual(new ReLU());
 * const y = block.forward(new Tensor(new Float64Array([-1, 2]), [2]));
 * assert.deepEqual([...y.data], [-1, 4]);
 * assert.equal(block.toString(), "Residual(ReLU)");
 * ```
 */
export class Residual extends Module {
  /** The main branch, e.g. two conv–BN–ReLU units. */
  readonly body: Module;
  /** The second branch, or null for the identity. */
  readonly shortcut: Module | null;
  #outShape?: readonly number[];

  /**
   * A residual connection around `body`, with `options.shortcut` as the second branch (default: the
   * identity).
   */
  constructor(body: Module, options: ResidualOptions = {}) {
    super();
    this.body = this.addChild("body", body);
    this.shortcut = options.shortcut ? this.addChild("shortcut", options.shortcut) : null;
  }

  /** out = body(x) + shortcut(x); both branches must give the same shape. */
  forward(x: Tensor): Tensor {
    const y = this.body.forward(x);
    const s = this.shortcut ? this.shortcut.forward(x) : x;
    if (!sameShape(y.shape, s.shape)) {
      throw new TypeError(
        `Cannot run Residual: the body gives shape [${y.shape.join(", ")}] but the shortcut ` +
          `gives [${s.shape.join(", ")}]; give a shortcut that maps to the body's shape`,
      );
    }
    this.#outShape = y.shape;
    return this.#add(y, s, x, "out");
  }

  /** Sends dout through both branches and returns the sum of their input gradients. */
  backward(dout: Tensor): Tensor {
    checkDout("Residual", dout, cached("Residual", this.#outShape));
    const dxBody = this.body.backward(dout);
    const dxShort = this.shortcut ? this.shortcut.backward(dout) : dout;
    return this.#add(dxBody, dxShort, dout, "dx");
  }

  // a + b, into a unless a shares storage with `input` (an identity or reshaping branch).
  #add(a: Tensor, b: Tensor, input: Tensor, role: string): Tensor {
    const g = webgpuOf(a);
    if (g) {
      const s = g.storageOf;
      let sum = a;
      if (a.device === input.device) { // a copy: the GPU cannot bind one buffer twice
        sum = this.deviceTensor(role, a.shape);
        g.kernels.axpy(s(sum), s(a), 1, a.size);
      }
      g.kernels.axpy(s(sum), s(b), 1, a.size);
      return sum;
    }
    const sum = a.data === input.data ? a.clone() : a;
    kernelsFor(sum.dtype).axpy(sum.data, b.data, 1, sum.size);
    return sum;
  }

  /** `Residual(body)`, or `Residual(body, shortcut=…)`. */
  toString(): string {
    const inner = this.shortcut ? `${this.body}, shortcut=${this.shortcut}` : `${this.body}`;
    return `Residual(${inner})`;
  }
}
