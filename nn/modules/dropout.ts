/**
 * `Dropout`: inverted dropout, PyTorch's `nn.Dropout(p)`. In training each element is zeroed
 * with probability p and the rest are scaled by 1/(1 − p); in evaluation it is the identity.
 * Each forward draws one 32-bit seed from the module's `Rng`, and the kernel derives the mask
 * from it (see kernels/ref/dropout.ts), so runs with the same seed repeat exactly.
 *
 * @module
 */

import { kernelsFor } from "../../kernels/mod.ts";
import { Rng } from "../../core/random.ts";
import type { Tensor } from "../../core/tensor.ts";
import { readOptions } from "./_init.ts";
import { cached, checkDout, Module, webgpuOf } from "./module.ts";

/** Options of `Dropout`. */
export interface DropoutOptions {
  /** Generator of the per-forward mask seeds (default `new Rng(0)`). */
  rng?: Rng;
}

/**
 * Zeroes elements with probability `p` in training, scaling the rest by 1/(1 − p).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Dropout, Rng, Tensor } from "../../mod.ts";
 * const drop = new Dropout(0.5, { rng: new Rng(1) });
 * const y = drop.forward(Tensor.full([1000], 1));
 * assert.ok(y.data.every((v) => v === 0 || v === 2));
 * assert.deepEqual([...drop.eval().forward(Tensor.full([3], 1)).data], [1, 1, 1]);
 * ```
 */
export class Dropout extends Module {
  /** Probability of zeroing an element in training, in [0, 1) (default 0.5). */
  readonly p: number;
  readonly #rng: Rng;
  #mask?: Tensor | null;
  #shape?: readonly number[];

  /**
   * Dropout with probability `p`; the mask comes from `options.rng` (default `new Rng(0)`).
   *
   * @param options the options (PyTorch's positional `inplace` has no meaning here: refused)
   * @param extra nothing: further positional arguments are refused
   */
  constructor(p = 0.5, options: DropoutOptions = {}, ...extra: never[]) {
    super();
    const o = readOptions<DropoutOptions>("Dropout", options, ["rng"], extra);
    if (!(p >= 0 && p < 1)) {
      throw new RangeError(`Cannot create Dropout: p must be in [0, 1), got ${p}`);
    }
    this.p = p;
    this.#rng = o.rng ?? new Rng(0);
  }

  /**
   * Training mode: zeroes each element with probability p and scales the rest by 1/(1 − p);
   * evaluation mode: returns x.
   *
   * x: any shape → out: same shape
   */
  forward(x: Tensor): Tensor {
    this.#shape = x.shape;
    if (!this.training || this.p === 0) {
      this.#mask = null;
      return x;
    }
    const seed = this.#rng.nextUint32(); // the same mask on every backend
    const g = webgpuOf(x);
    if (g) {
      const out = this.deviceTensor("out", x.shape, false), s = g.storageOf; // every element set
      const mask = this.deviceTensor("mask", x.shape, false);
      g.kernels.dropoutForward(s(out), s(mask), s(x), x.size, this.p, seed);
      this.#mask = mask;
      return out;
    }
    const out = this.workTensor("out", x.shape, x.dtype);
    const mask = this.workTensor("mask", x.shape, x.dtype); // mask: 0 or 1/(1 − p), x's shape
    kernelsFor(x.dtype).dropoutForward(out.data, mask.data, x.data, x.size, this.p, seed);
    this.#mask = mask;
    return out;
  }

  /** dx = dout masked and scaled as the last forward was (dout itself in evaluation mode). */
  backward(dout: Tensor): Tensor {
    const shape = cached("Dropout", this.#shape);
    checkDout("Dropout", dout, shape);
    const mask = this.#mask;
    if (!mask) return dout;
    const dx = this.workLike("dx", shape, dout);
    const g = webgpuOf(dout);
    if (g) {
      g.kernels.dropoutBackward(g.storageOf(dx), g.storageOf(dout), g.storageOf(mask), dx.size);
    } else kernelsFor(dout.dtype).dropoutBackward(dx.data, dout.data, mask.data, dout.size);
    return dx;
  }

  /** `Dropout(p)`. */
  toString(): string {
    return `Dropout(p=${this.p})`;
  }
}
