/**
 * `ReLU`: max(x, 0) element-wise, on any shape, through the active backend's ReLU kernels.
 *
 * @module
 */

import { kernelsFor } from "../../kernels/mod.ts";
import type { Tensor } from "../../core/tensor.ts";
import { cached, checkDout, Module, webgpuOf } from "./module.ts";

/**
 * The rectified linear unit. The gradient at exactly 0 is taken as 0 (as PyTorch does).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ReLU, Tensor } from "../../mod.ts";
 * const y = new ReLU().forward(new Tensor(new Float64Array([-1, 0, 2]), [3]));
 * assert.deepEqual([...y.data], [0, 0, 2]);
 * ```
 */
export class ReLU extends Module {
  #x?: Tensor;

  /**
   * out = max(x, 0); keeps x for `backward`.
   *
   * x: any shape → out: same shape
   */
  forward(x: Tensor): Tensor {
    this.#x = x;
    const g = webgpuOf(x);
    if (g) {
      const out = this.deviceTensor("out", x.shape, false);
      g.kernels.reluForward(g.storageOf(out), g.storageOf(x), x.size);
      return out;
    }
    const out = this.workTensor("out", x.shape, x.dtype, false);
    kernelsFor(x.dtype).reluForward(out.data, x.data, x.size);
    return out;
  }

  /** dx = dout where x > 0, else 0. dout, dx: x's shape. */
  backward(dout: Tensor): Tensor {
    const x = cached("ReLU", this.#x);
    checkDout("ReLU", dout, x.shape);
    const g = webgpuOf(dout);
    if (g) {
      const s = g.storageOf, dx = this.deviceTensor("dx", x.shape, false); // overwritten
      g.kernels.reluBackward(s(dx), s(dout), s(x), x.size);
      return dx;
    }
    const dx = this.workTensor("dx", x.shape, x.dtype, false);
    kernelsFor(x.dtype).reluBackward(dx.data, dout.data, x.data, x.size);
    return dx;
  }

  /** `ReLU`. */
  toString(): string {
    return "ReLU";
  }
}
