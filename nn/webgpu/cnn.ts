/**
 * `GpuCNN`: a GPU-resident training step for the homework's `CNN` (nn/models/convnet.ts):
 * conv – ReLU – 2×2 max-pool – linear – softmax cross-entropy, backward, and SGD with momentum,
 * recorded into one command buffer per step with no read-back. Each step's per-image losses go
 * into a ring on the GPU; `step()` reads the ring only when it is full (every `lossEvery`
 * steps) and returns those steps' mean losses. `copyToModel()` brings the weights back.
 *
 * It computes exactly what the module API computes with `crossEntropy` and `SGD` (same kernels'
 * semantics, float32), so its losses match the WASM path's to float32 noise (tests/webgpu_cnn_test.ts).
 *
 * @module
 */

import { type ConvDims, convDims, type PoolDims, poolDims } from "../../core/dims.ts";
import { getContext, type GpuContext } from "../../kernels/webgpu/_context.ts";
import { gpuKernels as k } from "../../kernels/webgpu/mod.ts";
import { GpuTensor } from "../../kernels/webgpu/tensor.ts";
import type { CNN } from "../models/convnet.ts";
import { Tensor } from "../../core/tensor.ts";

/** SGD settings of `GpuCNN` (torch.optim.SGD's, as nn/optim.ts). */
export interface GpuCNNOptions {
  /** Learning rate (required; `step` may override it per batch). */
  lr: number;
  /** Momentum μ of torch.optim.SGD (default 0). */
  momentum?: number;
  /** L2 weight decay added to each gradient (default 0). */
  weightDecay?: number;
  /** Nesterov momentum (default false). */
  nesterov?: boolean;
  /** Steps between loss read-backs (default 10). */
  lossEvery?: number;
}

const PARAMS = ["conv.weight", "conv.bias", "fc.weight", "fc.bias"] as const;
type ParamName = (typeof PARAMS)[number];

interface Slot {
  value: GpuTensor;
  grad: GpuTensor;
  velocity: GpuTensor;
}

/** The CNN's parameters and activations on the GPU, with one recorded step per batch. */
export class GpuCNN {
  /** The WebGPU context (device) holding every buffer of this model. */
  readonly ctx: GpuContext;
  /**
   * The CPU model this was uploaded from; `copyToModel` writes the trained weights back into it.
   */
  readonly model: CNN;
  /** Most images a step takes; buffers are sized for it. */
  readonly batchSize: number;
  /** The options with their defaults filled in. */
  readonly options: Required<GpuCNNOptions>;
  readonly #p: Record<ParamName, Slot>;
  readonly #a: Record<string, GpuTensor>; // activations and their gradients, sized for batchSize
  readonly #ring: GpuTensor; // losses: (lossEvery, batchSize)
  readonly #ringN: number[] = []; // images in each step held by the ring
  #destroyed = false;
  #lastN = 0;

  private constructor(
    ctx: GpuContext,
    model: CNN,
    batchSize: number,
    options: Required<GpuCNNOptions>,
    p: Record<ParamName, Slot>,
    a: Record<string, GpuTensor>,
    ring: GpuTensor,
  ) {
    this.ctx = ctx;
    this.model = model;
    this.batchSize = batchSize;
    this.options = options;
    this.#p = p;
    this.#a = a;
    this.#ring = ring;
  }

  /**
   * Uploads `model`'s weights (and SGD momentum buffers, keyed by parameter name, when resuming)
   * and allocates everything a step of up to `batchSize` images needs.
   */
  static async fromModel(
    model: CNN,
    batchSize: number,
    options: GpuCNNOptions,
    velocities: ReadonlyMap<string, Tensor> = new Map(),
  ): Promise<GpuCNN> {
    const ctx = await getContext();
    const opts = { momentum: 0, weightDecay: 0, nesterov: false, lossEvery: 10, ...options };
    const named = model.namedParameters();
    const p = {} as Record<ParamName, Slot>;
    for (const name of PARAMS) {
      const t = named.get(name);
      if (t === undefined) throw new TypeError(`Cannot put the CNN on the GPU: no ${name}`);
      p[name] = {
        value: await GpuTensor.fromArray(t.data, t.shape),
        grad: await GpuTensor.zeros(t.shape),
        velocity: velocities.has(name)
          ? await GpuTensor.fromTensor(velocities.get(name)!)
          : await GpuTensor.zeros(t.shape),
      };
    }
    const { conv, pool } = GpuCNN.#dims(model, batchSize);
    const B = batchSize, K = model.nClasses, D = conv.F * pool.HO * pool.WO;
    const shapes: Record<string, number[]> = {
      x: [B, conv.C, conv.H, conv.W], // input batch
      y: [B], // labels (int32)
      conv: [B, conv.F, conv.HO, conv.WO], // conv output (ReLU input)
      relu: [B, conv.F, conv.HO, conv.WO], // ReLU output, then ∂L/∂relu
      dconv: [B, conv.F, conv.HO, conv.WO], // ∂L/∂conv
      pool: [B, D], // pooled (N, F·HO/2·WO/2)
      argmax: [B, D],
      dpool: [B, D],
      scores: [B, K],
      dscores: [B, K],
      losses: [B],
    };
    const a: Record<string, GpuTensor> = {};
    for (const [name, shape] of Object.entries(shapes)) {
      a[name] = await GpuTensor.zeros(
        shape,
        name === "y" || name === "argmax" ? "int32" : "float32",
      );
    }
    const ring = await GpuTensor.zeros([opts.lossEvery, B]);
    return new GpuCNN(ctx, model, batchSize, opts, p, a, ring);
  }

  static #dims(model: CNN, N: number): { conv: ConvDims; pool: PoolDims } {
    const [C, H, W] = model.imSize, F = model.hiddenDim, k = model.kernelSize;
    const conv = convDims("GpuCNN conv", [N, C, H, W], [F, C, k, k], 1, (k - 1) / 2);
    return { conv, pool: poolDims("GpuCNN pool", [N, F, conv.HO, conv.WO], 2, 2, 2) };
  }

  /**
   * One SGD step on a batch (x: (N, C, H, W) normalised images, y: (N) labels, N ≤ batchSize),
   * recorded and submitted without waiting. Every `lossEvery` steps it reads the loss ring and
   * returns the mean loss of each of those steps; otherwise it returns null.
   */
  async step(x: Float32Array, y: Int32Array, lr = this.options.lr): Promise<number[] | null> {
    await this.#record(x, y, lr);
    return this.#ringN.length === this.options.lossEvery ? await this.readLosses() : null;
  }

  /**
   * One step whose loss and scores come back at once (one wait): what a loop that logs every
   * batch needs. scores: (N, nClasses)
   */
  async stepAndRead(
    x: Float32Array,
    y: Int32Array,
    lr = this.options.lr,
  ): Promise<{ loss: number; scores: Tensor }> {
    await this.#record(x, y, lr);
    const { losses, scores } = await this.readLossesAndScores();
    return { loss: losses[losses.length - 1], scores };
  }

  async #record(x: Float32Array, y: Int32Array, lr: number): Promise<void> {
    if (this.#destroyed) throw new Error("Cannot step a GpuCNN after destroy()");
    const N = y.length, { conv, pool } = GpuCNN.#dims(this.model, N);
    if (N < 1 || N > this.batchSize || x.length !== N * conv.C * conv.H * conv.W) {
      throw new RangeError(
        `Cannot run GpuCNN.step: ${N} labels and ${x.length} values for a batch of at most ` +
          `${this.batchSize} images of (${this.model.imSize})`,
      );
    }
    const a = this.#a, p = this.#p, K = this.model.nClasses, D = conv.F * pool.HO * pool.WO;
    const bad = y.findIndex((label) => !(label >= 0 && label < K));
    if (bad >= 0) {
      throw new RangeError(
        `Cannot run GpuCNN.step: label ${y[bad]} at index ${bad} is not a class in [0, ${K})`,
      );
    }
    await this.ctx.record(async () => {
      a.x.write(padTo(x, a.x.size));
      a.y.write(padTo(y, a.y.size));
      const enc = this.ctx.encoder;
      for (const name of PARAMS) enc.clearBuffer(p[name].grad.buffer);
      // forward
      await k.conv2dForward(a.conv, a.x, p["conv.weight"].value, p["conv.bias"].value, conv);
      await this.#forwardRest(N, K, D, conv, pool);
      // loss: per-image losses into the ring slot of this step
      await k.softmaxCrossEntropy(a.dscores, a.losses, a.scores, a.y, N, K);
      this.ctx.encoder.copyBufferToBuffer(
        a.losses.buffer,
        0,
        this.#ring.buffer,
        4 * this.#ringN.length * this.batchSize,
        4 * N,
      );
      // backward
      await k.gemm(a.dpool, a.dscores, p["fc.weight"].value, N, D, K, false, false, false);
      await k.gemm(p["fc.weight"].grad, a.dscores, a.pool, K, D, N, true, false, true);
      await k.sumRows(p["fc.bias"].grad, a.dscores, N, K);
      await k.maxPool2dBackward(a.relu, a.dpool, a.argmax, pool);
      await k.reluBackward(a.dconv, a.relu, a.conv, N * conv.F * conv.HO * conv.WO);
      await k.conv2dBackwardFilter(p["conv.weight"].grad, p["conv.bias"].grad, a.dconv, a.x, conv);
      // update
      const o = this.options;
      for (const name of PARAMS) {
        const s = p[name];
        await k.sgdStep(
          s.value,
          s.grad,
          s.velocity,
          s.value.size,
          lr,
          o.momentum,
          o.weightDecay,
          o.nesterov,
        );
      }
    });
    this.#ringN.push(N);
    this.#lastN = N;
  }

  async #forwardRest(N: number, K: number, D: number, conv: ConvDims, pool: PoolDims) {
    const a = this.#a, p = this.#p;
    await k.reluForward(a.relu, a.conv, N * conv.F * conv.HO * conv.WO);
    await k.maxPool2dForward(a.pool, a.argmax, a.relu, pool);
    await k.gemm(a.scores, a.pool, p["fc.weight"].value, N, K, D, false, true, false);
    await k.addRowBias(a.scores, p["fc.bias"].value, N, K);
    // ∂L/∂relu is accumulated by the pool backward: clear what the forward used as output
    this.ctx.encoder.clearBuffer(a.relu.buffer, 0, 4 * N * conv.F * conv.HO * conv.WO);
  }

  /** Reads the mean loss of each step since the last read (waits for the GPU). */
  async readLosses(): Promise<number[]> {
    return (await this.#read(false)).losses;
  }

  /**
   * Reads the losses since the last read and the last step's scores with one wait.
   * scores: (N, nClasses)
   */
  async readLossesAndScores(): Promise<{ losses: number[]; scores: Tensor }> {
    const r = await this.#read(true);
    return { losses: r.losses, scores: r.scores! };
  }

  async #read(withScores: boolean): Promise<{ losses: number[]; scores?: Tensor }> {
    const N = this.#lastN, K = this.model.nClasses;
    const reads: [GPUBuffer, number][] = [[this.#ring.buffer, 4 * this.#ring.size]];
    if (withScores) reads.push([this.#a.scores.buffer, 4 * N * K]);
    if (this.#ringN.length === 0 && !withScores) return { losses: [] };
    const [ring, scores] = await this.ctx.readMany(reads);
    const all = new Float32Array(ring);
    const losses = this.#ringN.map((n, s) => {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += all[s * this.batchSize + i];
      return sum / n;
    });
    this.#ringN.length = 0;
    return { losses, scores: scores && new Tensor(new Float32Array(scores), [N, K]) };
  }

  /** Copies the GPU weights back into the model's parameters (e.g. before a checkpoint). */
  async copyToModel(): Promise<void> {
    const named = this.model.namedParameters();
    for (const name of PARAMS) named.get(name)!.data.set(await this.#p[name].value.read());
  }

  /** The SGD momentum buffers, by parameter name, read back. */
  async velocities(): Promise<Map<string, Tensor>> {
    const out = new Map<string, Tensor>();
    for (const name of PARAMS) out.set(name, await this.#p[name].velocity.toTensor());
    return out;
  }

  /** Frees every GPU buffer. */
  destroy(): void {
    this.#destroyed = true;
    for (const s of Object.values(this.#p)) for (const t of Object.values(s)) t.destroy();
    for (const t of Object.values(this.#a)) t.destroy();
    this.#ring.destroy();
  }
}

function padTo<T extends Float32Array | Int32Array>(a: T, n: number): T {
  if (a.length === n) return a;
  const out = new (a.constructor as new (n: number) => T)(n);
  out.set(a);
  return out;
}
