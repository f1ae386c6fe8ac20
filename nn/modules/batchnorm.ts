/**
 * `BatchNorm2d`: batch normalisation over (N, H, W) per channel, PyTorch's `nn.BatchNorm2d`.
 * Training mode normalises with the batch statistics and moves the running ones (momentum 0.1,
 * unbiased running variance); evaluation mode normalises with the running statistics. The
 * maths lives in the reference kernels (kernels/ref/batchnorm.ts).
 *
 * @module
 */

import { kernelsFor } from "../../kernels/mod.ts";
import { type DType, Tensor } from "../../core/tensor.ts";
import { checkSize, readOptions } from "./_init.ts";
import {
  type Buffer,
  cached,
  checkDout,
  checkDType,
  checkRank,
  Module,
  type Parameter,
  webgpuOf,
} from "./module.ts";

/** Options of `BatchNorm2d`. */
export interface BatchNorm2dOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Weight of the new batch in the running statistics (default 0.1). */
  momentum?: number;
  /** Element type of the parameters, buffers and expected input (default "float32"). */
  dtype?: DType;
  /**
   * Whether the scale γ (`weight`) is trained (default true). With false it stays at 1: it is
   * still saved under `weight`, as PyTorch's `weight.requires_grad = False` (the fast CIFAR-10
   * recipes' frozen scale), but it is a buffer, not a parameter, so no optimizer sees it.
   */
  trainWeight?: boolean;
}

/**
 * Batch normalisation with a learnt scale `weight` (γ, starts at 1) and shift `bias` (β, starts
 * at 0) per channel, and buffers `running_mean` (starts at 0) and `running_var` (starts at 1).
 * With `trainWeight: false` the scale stays 1 and is listed among the buffers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BatchNorm2d, Tensor } from "../../mod.ts";
 * const bn = new BatchNorm2d(1, { dtype: "float64" });
 * const y = bn.forward(new Tensor(new Float64Array([1, 3]), [2, 1, 1, 1]));
 * assert.ok(Math.abs(y.data[0] + 1) < 1e-4 && Math.abs(y.data[1] - 1) < 1e-4);
 * assert.deepEqual([...bn.buffers()[0].value.data], [0.2]); // 0.9·0 + 0.1·2
 * assert.equal(bn.toString(), "BatchNorm2d(1)");
 * const frozen = new BatchNorm2d(4, { trainWeight: false });
 * assert.deepEqual(frozen.parameters().map((p) => p.name), ["bias"]);
 * assert.deepEqual([...frozen.stateDict().keys()].sort(), [
 *   "bias",
 *   "running_mean",
 *   "running_var",
 *   "weight",
 * ]);
 * ```
 */
export class BatchNorm2d extends Module {
  /** Channels C of the (N, C, H, W) input. */
  readonly numFeatures: number;
  /** Added to the variance before the square root (default 1e-5). */
  readonly eps: number;
  /** Weight of the new batch in the running statistics (default 0.1). */
  readonly momentum: number;
  /** Element type of the parameters, buffers and expected input. */
  readonly dtype: DType;
  /** Whether `weight` is a trained parameter (else a buffer held at 1). */
  readonly trainWeight: boolean;
  /**
   * γ: (C), the learnt scale, starts at 1; with `trainWeight: false` it stays 1 and its `grad`
   * is scratch that backward overwrites.
   */
  readonly weight: Parameter;
  /** β: (C), the learnt shift, starts at 0. */
  readonly bias: Parameter;
  /** `running_mean`: (C), starts at 0; used in evaluation mode. */
  readonly runningMean: Buffer;
  /** `running_var`: (C), unbiased, starts at 1; used in evaluation mode. */
  readonly runningVar: Buffer;
  #x?: Tensor;
  #saveMean: Tensor;
  #saveInvStd: Tensor;
  #trainedForward = true;
  #fusedRelu = false;

  /**
   * Batch normalisation over `numFeatures` channels.
   *
   * @param options the options, or eps (PyTorch's second positional argument,
   * `nn.BatchNorm2d(16, 1e-3)`; it used to be read as an empty object, silently keeping 1e-5)
   * @param extra nothing: PyTorch's positional momentum and later arguments are refused
   */
  constructor(numFeatures: number, options: BatchNorm2dOptions | number = {}, ...extra: never[]) {
    super();
    const o = readOptions<BatchNorm2dOptions>(
      "BatchNorm2d",
      options,
      ["eps", "momentum", "dtype", "trainWeight"],
      extra,
      { name: "eps", type: "number" },
    );
    const { eps = 1e-5, momentum = 0.1, dtype = "float32", trainWeight = true } = o;
    checkSize("BatchNorm2d", "numFeatures", numFeatures);
    if (!(eps > 0)) throw new RangeError(`Cannot create BatchNorm2d: eps must be > 0, got ${eps}`);
    if (!(momentum >= 0 && momentum <= 1)) {
      throw new RangeError(
        `Cannot create BatchNorm2d: momentum must be in [0, 1], got ${momentum}`,
      );
    }
    this.numFeatures = numFeatures;
    this.eps = eps;
    this.momentum = momentum;
    this.dtype = dtype;
    this.trainWeight = trainWeight;
    const C = numFeatures;
    const gamma = Tensor.full([C], 1, dtype);
    this.weight = trainWeight
      ? this.addParameter("weight", gamma)
      : { ...this.addBuffer("weight", gamma), grad: Tensor.zeros([C], dtype) };
    this.bias = this.addParameter("bias", Tensor.zeros([C], dtype));
    this.runningMean = this.addBuffer("running_mean", Tensor.zeros([C], dtype));
    this.runningVar = this.addBuffer("running_var", Tensor.full([C], 1, dtype));
    this.#saveMean = Tensor.zeros([C], dtype);
    this.#saveInvStd = Tensor.zeros([C], dtype);
  }

  /**
   * Training mode: normalises with the batch's mean and variance per channel and moves the running
   * statistics; evaluation mode: normalises with the running ones.
   *
   * x: (N, C, H, W) → out: same shape
   */
  forward(x: Tensor): Tensor {
    return this.#forward(x, false);
  }

  /**
   * relu(this.forward(x)) in one pass: `Sequential` calls it for a BatchNorm2d followed by a
   * ReLU. The next `backward` then takes the gradient of that ReLU's output.
   * x: (N, C, H, W) → out: same shape
   */
  forwardRelu(x: Tensor): Tensor {
    return this.#forward(x, true);
  }

  /** Whether the last forward was `forwardRelu` (so `backward` expects the ReLU's gradient). */
  get fusedRelu(): boolean {
    return this.#fusedRelu;
  }

  #forward(x: Tensor, relu: boolean): Tensor {
    checkDType("BatchNorm2d", x, this.dtype);
    checkRank("BatchNorm2d", x, 4, "(N, C, H, W)");
    const [N, C, H, W] = x.shape;
    if (C !== this.numFeatures) {
      throw new TypeError(
        `Cannot run BatchNorm2d(${this.numFeatures}): input has ${C} channels (shape [${
          x.shape.join(", ")
        }])`,
      );
    }
    if (this.training && N * H * W < 2) {
      throw new RangeError(
        `Cannot run BatchNorm2d in training mode on one value per channel (shape [${
          x.shape.join(", ")
        }]): use a batch of 2 or more, or eval()`,
      );
    }
    this.#x = x;
    this.#trainedForward = this.training;
    this.#fusedRelu = relu;
    if (webgpuOf(x)) return this.#forwardGpu(x, relu);
    const out = this.workTensor("out", x.shape, this.dtype, false);
    kernelsFor(this.dtype).batchNorm2dForward(
      out.data,
      this.#saveMean.data,
      this.#saveInvStd.data,
      this.runningMean.value.data,
      this.runningVar.value.data,
      x.data,
      this.weight.value.data,
      this.bias.value.data,
      N,
      C,
      H * W,
      this.eps,
      this.momentum,
      this.training,
      relu,
    );
    return out;
  }

  // The WebGPU forward: batch norm into "bn", then (fused with a ReLU) max(bn, 0) into "out".
  #forwardGpu(x: Tensor, relu: boolean): Tensor {
    const g = webgpuOf(x)!, s = g.storageOf, [N, C, H, W] = x.shape;
    const bn = this.deviceTensor("bn", x.shape, false); // every element set
    g.kernels.batchNorm2dForward(
      s(bn),
      s(this.deviceTensor("saveMean", [C], false)),
      s(this.deviceTensor("saveInvStd", [C], false)),
      s(this.runningMean.value),
      s(this.runningVar.value),
      s(x),
      s(this.weight.value),
      s(this.bias.value),
      N,
      C,
      H * W,
      this.eps,
      this.momentum,
      this.training,
    );
    if (!relu) return bn;
    const out = this.deviceTensor("out", x.shape, false);
    g.kernels.reluForward(s(out), s(bn), x.size);
    return out;
  }

  // The WebGPU backward: through the fused ReLU (on "bn", kept by the forward), then BN's.
  #backwardGpu(dout: Tensor, x: Tensor): Tensor {
    const g = webgpuOf(dout)!, s = g.storageOf, [N, C, H, W] = x.shape;
    let dbn = dout;
    if (this.#fusedRelu) {
      dbn = this.deviceTensor("dbn", x.shape, false); // relu backward overwrites
      g.kernels.reluBackward(s(dbn), s(dout), s(this.deviceTensor("bn", x.shape, false)), x.size);
    }
    const dx = this.deviceTensor("dx", x.shape); // BN backward adds
    // a frozen scale's gradient goes to scratch (cleared: the kernel adds)
    const dgamma = this.trainWeight ? this.weight.grad : this.deviceTensor("dgamma", [C]);
    g.kernels.batchNorm2dBackward(
      s(dx),
      s(dgamma),
      s(this.bias.grad),
      s(dbn),
      s(x),
      s(this.weight.value),
      s(this.deviceTensor("saveMean", [C], false)),
      s(this.deviceTensor("saveInvStd", [C], false)),
      N,
      C,
      H * W,
      this.#trainedForward,
    );
    return dx;
  }

  /**
   * Returns dx and adds ∂L/∂γ, ∂L/∂β into `weight.grad`, `bias.grad`.
   *
   * dout: (N, C, H, W) → dx: same shape; weight.grad, bias.grad += … (after `forwardRelu`, dout is
   * the gradient of the ReLU's output)
   */
  backward(dout: Tensor): Tensor {
    const x = cached("BatchNorm2d", this.#x);
    checkDout("BatchNorm2d", dout, x.shape);
    if (webgpuOf(dout)) return this.#backwardGpu(dout, x);
    const [N, C, H, W] = x.shape;
    const dx = this.workTensor("dx", x.shape, this.dtype);
    if (!this.trainWeight) this.weight.grad.data.fill(0); // scratch: keep it from growing
    kernelsFor(this.dtype).batchNorm2dBackward(
      dx.data,
      this.weight.grad.data,
      this.bias.grad.data,
      dout.data,
      x.data,
      this.weight.value.data,
      this.#saveMean.data,
      this.#saveInvStd.data,
      N,
      C,
      H * W,
      this.#trainedForward,
      this.#fusedRelu ? this.bias.value.data : undefined,
    );
    return dx;
  }

  /** `BatchNorm2d(C)`, or `BatchNorm2d(C, weight frozen)`. */
  toString(): string {
    return `BatchNorm2d(${this.numFeatures}${this.trainWeight ? "" : ", weight frozen"})`;
  }
}
