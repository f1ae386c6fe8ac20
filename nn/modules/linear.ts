/**
 * `Linear`: a fully connected layer, PyTorch's `nn.Linear` on (N, in) inputs: out = x · Wᵀ + b
 * with `weight` (out, in) and `bias` (out). It calls the active backend's gemm kernels.
 *
 * @module
 */

import { kernelsFor } from "../../kernels/mod.ts";
import { Rng } from "../../core/random.ts";
import type { DType, Tensor } from "../../core/tensor.ts";
import { checkSize, kaimingUniform, readOptions } from "./_init.ts";
import {
  cached,
  checkDout,
  checkDType,
  checkRank,
  Module,
  type Parameter,
  webgpuOf,
} from "./module.ts";

/** Options of `Linear`. */
export interface LinearOptions {
  /** Whether to add a bias (default true). */
  bias?: boolean;
  /** Generator for the initial weights (default `new Rng(0)`; pass one shared Rng per model). */
  rng?: Rng;
  /** Element type of the parameters and the expected input (default "float32"). */
  dtype?: DType;
}

/**
 * A fully connected layer on (N, inFeatures) inputs; put a `Flatten` before it for images.
 * Initialised as PyTorch does (U(−1/√in, 1/√in)).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Linear, Rng, Tensor } from "../../mod.ts";
 * const fc = new Linear(4, 2, { rng: new Rng(0), dtype: "float64" });
 * fc.weight.value.data.set([1, 0, 0, 0, 0, 1, 1, 1]);
 * fc.bias!.value.data.set([0.5, -1]);
 * const y = fc.forward(new Tensor(new Float64Array([1, 2, 3, 4]), [1, 4]));
 * assert.deepEqual([...y.data], [1.5, 8]);
 * ```
 */
export class Linear extends Module {
  /** Input features per sample. */
  readonly inFeatures: number;
  /** Output features per sample. */
  readonly outFeatures: number;
  /** Element type of the parameters and the expected input. */
  readonly dtype: DType;
  /** w: (out, in), PyTorch's layout. */
  readonly weight: Parameter;
  /** b: (out), or null when built with `bias: false`. */
  readonly bias: Parameter | null;
  #x?: Tensor;

  /**
   * A layer mapping `inFeatures` to `outFeatures` per sample; see `LinearOptions` for the defaults.
   *
   * @param options the options, or whether to add a bias (PyTorch's third positional argument,
   * `nn.Linear(10, 5, False)`; it used to be read as an empty object, silently keeping the bias)
   * @param extra nothing: further positional arguments are refused, pass options
   */
  constructor(
    inFeatures: number,
    outFeatures: number,
    options: LinearOptions | boolean = {},
    ...extra: never[]
  ) {
    super();
    const o = readOptions<LinearOptions>("Linear", options, ["bias", "rng", "dtype"], extra, {
      name: "bias",
      type: "boolean",
    });
    const { bias = true, rng = new Rng(0), dtype = "float32" } = o;
    checkSize("Linear", "inFeatures", inFeatures);
    checkSize("Linear", "outFeatures", outFeatures);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.dtype = dtype;
    const w = kaimingUniform([outFeatures, inFeatures], inFeatures, rng, dtype);
    this.weight = this.addParameter("weight", w);
    this.bias = bias
      ? this.addParameter("bias", kaimingUniform([outFeatures], inFeatures, rng, dtype))
      : null;
  }

  /**
   * out = x · wᵀ + b; keeps x for `backward`.
   *
   * x: (N, in) → out: (N, out)
   */
  forward(x: Tensor): Tensor {
    checkDType("Linear", x, this.dtype);
    checkRank("Linear", x, 2, "(N, inFeatures); put a Flatten before it");
    const [N, D] = x.shape;
    if (D !== this.inFeatures) {
      throw new TypeError(
        `Cannot run Linear(${this.inFeatures}→${this.outFeatures}): input has ${D} features`,
      );
    }
    this.#x = x;
    const g = webgpuOf(x);
    if (g) {
      const s = g.storageOf, out = this.deviceTensor("out", [N, this.outFeatures], false);
      const O = this.outFeatures;
      g.kernels.gemm(s(out), s(x), s(this.weight.value), N, O, D, false, true, false);
      if (this.bias) g.kernels.addRowBias(s(out), s(this.bias.value), N, O);
      return out;
    }
    const k = kernelsFor(this.dtype);
    const out = this.workTensor("out", [N, this.outFeatures], this.dtype);
    // out (N, out) = x (N, in) · Wᵀ (in, out)
    k.gemm(out.data, x.data, this.weight.value.data, N, this.outFeatures, D, false, true, false);
    if (this.bias) k.addRowBias(out.data, this.bias.value.data, N, this.outFeatures);
    return out;
  }

  /**
   * Returns dx and adds ∂L/∂w, ∂L/∂b into the parameters' `grad`.
   *
   * dout: (N, out) → dx: (N, in); weight.grad (out, in) += doutᵀ · x; bias.grad += Σ_n dout
   */
  backward(dout: Tensor): Tensor {
    const x = cached("Linear", this.#x);
    const N = x.shape[0], O = this.outFeatures, D = this.inFeatures;
    checkDout("Linear", dout, [N, O]);
    const g = webgpuOf(dout);
    if (g) {
      const s = g.storageOf, dx = this.deviceTensor("dx", [N, D], false); // gemm overwrites
      g.kernels.gemm(s(dx), s(dout), s(this.weight.value), N, D, O, false, false, false);
      g.kernels.gemm(s(this.weight.grad), s(dout), s(x), O, D, N, true, false, true);
      if (this.bias) g.kernels.sumRows(s(this.bias.grad), s(dout), N, O);
      return dx;
    }
    const k = kernelsFor(this.dtype);
    const dx = this.workTensor("dx", [N, D], this.dtype);
    k.gemm(dx.data, dout.data, this.weight.value.data, N, D, O, false, false, false);
    k.gemm(this.weight.grad.data, dout.data, x.data, O, D, N, true, false, true);
    if (this.bias) k.sumRows(this.bias.grad.data, dout.data, N, O);
    return dx;
  }

  /** `Linear(in→out)`, with `bias=false` when built without a bias. */
  toString(): string {
    return `Linear(${this.inFeatures}→${this.outFeatures}${this.bias ? "" : ", bias=false"})`;
  }
}
