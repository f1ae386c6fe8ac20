/**
 * `Conv2d`: a 2-D convolution layer over (N, C, H, W) inputs, PyTorch's `nn.Conv2d` with square
 * kernels, one stride and symmetric zero padding, and PyTorch's output sizes. It calls the active backend's conv kernels.
 *
 * @module
 */

import { type ConvDims, convDims } from "../../core/dims.ts";
import { kernelsFor } from "../../kernels/mod.ts";
import { Rng } from "../../core/random.ts";
import { type DType, Tensor } from "../../core/tensor.ts";
import { checkSize, kaimingUniform, readOptions } from "./_init.ts";
import { cached, checkDout, checkDType, Module, type Parameter, webgpuOf } from "./module.ts";

/** Options of `Conv2d`. */
export interface Conv2dOptions {
  /** Side of the square kernel (default 3). */
  kernelSize?: number;
  /** Step between windows (default 1). */
  stride?: number;
  /** Zero padding on every side (default 0). */
  padding?: number;
  /** Whether to add a bias per output channel (default true). */
  bias?: boolean;
  /** Generator for the initial weights (default `new Rng(0)`; pass one shared Rng per model). */
  rng?: Rng;
  /** Element type of the parameters and the expected input (default "float32"). */
  dtype?: DType;
  /**
   * Whether backward computes the input gradient (default true). A convolution that reads the
   * images themselves can skip it: nobody uses the images' gradient (see skipInputGradient).
   */
  inputGrad?: boolean;
}

const CONV2D_OPTIONS = [
  "kernelSize",
  "stride",
  "padding",
  "bias",
  "rng",
  "dtype",
  "inputGrad",
] as const;

/**
 * A 2-D convolution: out[n,f] = b[f] + Σ_c w[f,c] ⋆ x[n,c]. Parameters `weight` (F, C, K, K) and
 * `bias` (F), initialised as PyTorch does (U(−1/√fanIn, 1/√fanIn), fanIn = C·K·K). The output
 * is (N, F, HO, WO) with HO = ⌊(H + 2·padding − K) / stride⌋ + 1 and WO likewise, PyTorch's
 * sizes: input rows and columns that no window reaches get a zero gradient.
 *
 * The third argument is an options object or, as PyTorch's `nn.Conv2d(3, 16, 5)`, the kernel
 * size: accepted rather than refused because that positional order is what PyTorch users write
 * and it has one meaning (it used to be read as an empty object, silently building a 3×3 conv).
 * PyTorch's further positional arguments (stride, padding) and unknown option names
 * (`kernel_size`) throw a TypeError showing the options form.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Conv2d, Rng, Tensor } from "../../mod.ts";
 * const conv = new Conv2d(3, 8, { kernelSize: 3, padding: 1, rng: new Rng(0) });
 * const y = conv.forward(Tensor.zeros([2, 3, 5, 5], "float32"));
 * assert.deepEqual(y.shape, [2, 8, 5, 5]);
 * assert.equal(conv.toString(), "Conv2d(3→8, k=3, p=1)");
 * // PyTorch's order and sizes: kernel 5 positionally; 3×3 stride 2 pad 1 floors 32 to 16
 * assert.equal(new Conv2d(3, 16, 5).kernelSize, 5);
 * const down = new Conv2d(3, 4, { kernelSize: 3, stride: 2, padding: 1 });
 * assert.deepEqual(down.forward(Tensor.zeros([1, 3, 32, 32], "float32")).shape, [1, 4, 16, 16]);
 * ```
 */
export class Conv2d extends Module {
  /** Input channels C. */
  readonly inChannels: number;
  /** Output channels F (filters). */
  readonly outChannels: number;
  /** Side K of the square kernel (default 3). */
  readonly kernelSize: number;
  /** Step between windows (default 1). */
  readonly stride: number;
  /** Zero padding on every side (default 0). */
  readonly padding: number;
  /** Element type of the parameters and the expected input. */
  readonly dtype: DType;
  /** w: (F, C, K, K). */
  readonly weight: Parameter;
  /** b: (F), or null when built with `bias: false`. */
  readonly bias: Parameter | null;
  /** Whether backward computes dx; when false it returns an empty tensor of shape (0). */
  inputGrad: boolean;
  #x?: Tensor;
  #dims?: ConvDims;
  #zeroBias?: Tensor;

  /**
   * A convolution from `inChannels` to `outChannels` channels; see `Conv2dOptions` for the
   * defaults.
   *
   * @param options the options, or the kernel size (PyTorch's third positional argument)
   * @param extra nothing: PyTorch's positional stride and padding are refused, pass options
   */
  constructor(
    inChannels: number,
    outChannels: number,
    options: Conv2dOptions | number = {},
    ...extra: never[]
  ) {
    super();
    const o = readOptions<Conv2dOptions>("Conv2d", options, CONV2D_OPTIONS, extra, {
      name: "kernelSize",
      type: "number",
    });
    const { kernelSize = 3, stride = 1, padding = 0, bias = true, inputGrad = true } = o;
    const { rng = new Rng(0), dtype = "float32" } = o;
    checkSize("Conv2d", "inChannels", inChannels);
    checkSize("Conv2d", "outChannels", outChannels);
    checkSize("Conv2d", "kernelSize", kernelSize);
    checkSize("Conv2d", "stride", stride);
    checkSize("Conv2d", "padding", padding, 0);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = kernelSize;
    this.stride = stride;
    this.padding = padding;
    this.dtype = dtype;
    this.inputGrad = inputGrad;
    const fanIn = inChannels * kernelSize * kernelSize;
    const wShape = [outChannels, inChannels, kernelSize, kernelSize];
    this.weight = this.addParameter("weight", kaimingUniform(wShape, fanIn, rng, dtype));
    this.bias = bias
      ? this.addParameter("bias", kaimingUniform([outChannels], fanIn, rng, dtype))
      : null;
  }

  /**
   * out = conv(x, weight) + bias; keeps x for `backward`.
   *
   * x: (N, C, H, W) → out: (N, F, HO, WO)
   */
  forward(x: Tensor): Tensor {
    checkDType("Conv2d", x, this.dtype);
    const w = this.weight.value;
    const d = convDims("Conv2d", x.shape, w.shape, this.stride, this.padding);
    this.#x = x;
    this.#dims = d;
    const g = webgpuOf(x);
    if (g) {
      const out = this.deviceTensor("out", [d.N, d.F, d.HO, d.WO], false); // every element set
      const b = this.bias ? this.bias.value : this.deviceTensor("zeroBias", [d.F], false);
      const s = g.storageOf;
      g.kernels.conv2dForward(s(out), s(x), s(w), s(b), d);
      return out;
    }
    const out = this.workTensor("out", [d.N, d.F, d.HO, d.WO], this.dtype, false);
    kernelsFor(this.dtype).conv2dForward(out.data, x.data, w.data, this.#biasValue().data, d);
    return out;
  }

  /**
   * Returns dx and adds ∂L/∂w, ∂L/∂b into the parameters' `grad`.
   *
   * dout: (N, F, HO, WO) → dx: (N, C, H, W), or (0) without inputGrad; weight.grad, bias.grad += …
   */
  backward(dout: Tensor): Tensor {
    const x = cached("Conv2d", this.#x), d = this.#dims!;
    checkDout("Conv2d", dout, [d.N, d.F, d.HO, d.WO]);
    const g = webgpuOf(dout);
    if (g) {
      const s = g.storageOf, w = this.weight;
      // the GPU's backward kernels add: dx starts at zero
      const dx = this.deviceTensor("dx", this.inputGrad ? x.shape : [0]);
      if (this.inputGrad) g.kernels.conv2dBackwardData(s(dx), s(dout), s(w.value), d);
      const db = this.bias ? s(this.bias.grad) : null;
      g.kernels.conv2dBackwardFilter(s(w.grad), db, s(dout), s(x), d);
      return dx;
    }
    const k = kernelsFor(this.dtype);
    // dx is set, not added to: its old values are never read (nor zeroed first)
    const dx = this.workTensor("dx", this.inputGrad ? x.shape : [0], this.dtype, false);
    if (this.inputGrad) k.conv2dBackwardData(dx.data, dout.data, this.weight.value.data, d, true);
    // Without a bias, the filter kernel's bias gradient goes to a scratch vector.
    const db = this.bias ? this.bias.grad : Tensor.zeros([d.F], this.dtype);
    k.conv2dBackwardFilter(this.weight.grad.data, db.data, dout.data, x.data, d);
    return dx;
  }

  #biasValue(): Tensor {
    if (this.bias) return this.bias.value;
    this.#zeroBias ??= Tensor.zeros([this.outChannels], this.dtype);
    return this.#zeroBias;
  }

  /** `Conv2d(C→F, k=K)`, with `s=`, `p=` and `bias=false` where they differ from the defaults. */
  toString(): string {
    const parts = [`${this.inChannels}→${this.outChannels}`, `k=${this.kernelSize}`];
    if (this.stride !== 1) parts.push(`s=${this.stride}`);
    if (this.padding !== 0) parts.push(`p=${this.padding}`);
    if (!this.bias) parts.push("bias=false");
    return `Conv2d(${parts.join(", ")})`;
  }
}
