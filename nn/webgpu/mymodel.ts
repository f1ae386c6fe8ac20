/**
 * `GpuMyModel`: a GPU-resident training step for `MyModel` (nn/models/mymodel.ts, Page's
 * ResNet-9): ten conv – [max-pool] – BN – ReLU units (nn/webgpu/_units.ts) with the two
 * residual adds, the global max-pool, the bias-free linear layer and the ×1/8 scale; the
 * label-smoothed cross-entropy; backward; and SGD (momentum, Nesterov, weight decay, the rate
 * set per step) — recorded into one command buffer per step with no read-back. Batch-norm
 * running statistics move on the GPU as the CPU modules move them. Each step's per-image
 * losses go into a ring on the GPU, read every `lossEvery` steps; `copyToModel()` brings the
 * weights and running statistics back, so evaluation can run on the CPU.
 *
 * It computes what `deno task train:mymodel` computes on the CPU (crossEntropy with label
 * smoothing, SGD; float32), so the losses match to float32 noise (tests/webgpu_mymodel_test.ts).
 *
 * @module
 */

import { type PoolDims, poolDims } from "../../core/dims.ts";
import { getContext, type GpuContext } from "../../kernels/webgpu/_context.ts";
import { gpuKernels as k } from "../../kernels/webgpu/mod.ts";
import { GpuTensor } from "../../kernels/webgpu/tensor.ts";
import { BatchNorm2d } from "../modules/batchnorm.ts";
import { Conv2d } from "../modules/conv.ts";
import { MaxPool2d } from "../modules/pool.ts";
import type { Parameter } from "../modules/module.ts";
import { Residual } from "../modules/residual.ts";
import type { Sequential } from "../modules/sequential.ts";
import type { MyModel } from "../models/mymodel.ts";
import type { Tensor } from "../../core/tensor.ts";
import type { GpuCNNOptions } from "./cnn.ts";
import { ConvUnit, makeSlot, type Slot } from "./_units.ts";
import { LossRing } from "./_ring.ts";

/** SGD settings of `GpuMyModel` (nn/optim.ts's), the label smoothing, the read-back period. */
export interface GpuMyModelOptions extends GpuCNNOptions {
  /** ε of the label-smoothed cross-entropy (default 0). */
  labelSmoothing?: number;
}

const STAGES = ["prep", "layer1", "res1", "layer2", "layer3", "res3"] as const;

/** MyModel's parameters, statistics and activations on the GPU, one recorded step per batch. */
export class GpuMyModel {
  /** The WebGPU context (device) holding every buffer of this model. */
  readonly ctx: GpuContext;
  /**
   * The CPU model this was uploaded from; `copyToModel` writes the trained weights back into it.
   */
  readonly model: MyModel;
  /** Most images a step takes; buffers are sized for it. */
  readonly batchSize: number;
  /** The options with their defaults filled in. */
  readonly options: Required<GpuMyModelOptions>;
  readonly #units: ConvUnit[];
  readonly #residuals: [ConvUnit, ConvUnit][]; // (first, last) unit of each residual body
  readonly #fc: Slot;
  readonly #a: Record<string, GpuTensor>; // the head's activations and gradients
  readonly #ring: LossRing;
  #destroyed = false;

  private constructor(
    ctx: GpuContext,
    model: MyModel,
    batchSize: number,
    options: Required<GpuMyModelOptions>,
    parts: { units: ConvUnit[]; residuals: [ConvUnit, ConvUnit][]; fc: Slot },
    a: Record<string, GpuTensor>,
    ring: LossRing,
  ) {
    this.ctx = ctx;
    this.model = model;
    this.batchSize = batchSize;
    this.options = options;
    this.#units = parts.units;
    this.#residuals = parts.residuals;
    this.#fc = parts.fc;
    this.#a = a;
    this.#ring = ring;
  }

  /**
   * Uploads `model`'s weights and BN statistics (and SGD momentum buffers, keyed by parameter
   * name, when resuming) and allocates everything a step of up to `batchSize` images needs.
   */
  static async fromModel(
    model: MyModel,
    batchSize: number,
    options: GpuMyModelOptions,
    velocities: ReadonlyMap<string, Tensor> = new Map(),
  ): Promise<GpuMyModel> {
    const ctx = await getContext();
    const opts = {
      momentum: 0,
      weightDecay: 0,
      nesterov: false,
      lossEvery: 10,
      labelSmoothing: 0,
      ...options,
    };
    const names = new Map([...model.namedParameters()].map(([n, t]) => [t, n]));
    const velocity = (p: Parameter) => velocities.get(names.get(p.value) ?? "");
    const B = batchSize, K = model.nClasses, [C, H, W] = model.imSize;
    const x = await GpuTensor.zeros([B, C, H, W]); // x: (B, C, H, W) the batch
    const units: ConvUnit[] = [], residuals: [ConvUnit, ConvUnit][] = [];
    let input = x, dInput: GpuTensor | null = null, size = [C, H, W] as [number, number, number];
    for (const stage of STAGES) {
      const m = model.get(stage);
      const body = m instanceof Residual ? m.body as Sequential : m as Sequential;
      const first = units.length;
      for (const [conv, bn, pooled] of unitsOf(stage, body)) {
        const u = await ConvUnit.create(conv, bn, pooled, size, B, input, dInput, velocity);
        units.push(u);
        [input, dInput, size] = [u.out, u.dout, u.outSize];
      }
      if (m instanceof Residual) residuals.push([units[first], units[units.length - 1]]);
    }
    const fcWeight = model.get("fc").parameters()[0]; // (K, 8w): no bias
    const fc = await makeSlot(fcWeight, velocity(fcWeight));
    const D = size[0];
    const shapes: Record<string, number[]> = {
      y: [B], // labels (int32)
      pooled: [B, D], // global max-pool output (B, 8w)
      argmax: [B, D],
      dpooled: [B, D],
      fcOut: [B, K], // linear output, before the ×1/8
      dfcOut: [B, K],
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
    a.x = x;
    const ring = await LossRing.create(ctx, opts.lossEvery, B);
    return new GpuMyModel(ctx, model, B, opts, { units, residuals, fc }, a, ring);
  }

  /** The global max-pool over the last unit's (8w, H/8, W/8) output, for N images. */
  #globalPool(N: number): PoolDims {
    const [C, H, W] = this.#units[this.#units.length - 1].outSize;
    return poolDims("GpuMyModel global pool", [N, C, H, W], H, W, H);
  }

  /** Every parameter slot, in the model's order. */
  get #slots(): Slot[] {
    return [...this.#units.flatMap((u) => u.slots), this.#fc];
  }

  /**
   * One SGD step on a batch (x: (N, C, H, W) normalised images, y: (N) labels, N ≤ batchSize),
   * recorded and submitted without waiting. Every `lossEvery` steps it reads the loss ring and
   * returns the mean loss of each of those steps; otherwise it returns null.
   */
  async step(x: Float32Array, y: Int32Array, lr = this.options.lr): Promise<number[] | null> {
    await this.#record(x, y, lr);
    return this.#ring.full ? await this.readLosses() : null;
  }

  /** One step whose loss and scores come back at once (one wait).  scores: (N, nClasses) */
  async stepAndRead(
    x: Float32Array,
    y: Int32Array,
    lr = this.options.lr,
  ): Promise<{ loss: number; scores: Tensor }> {
    await this.#record(x, y, lr);
    const { losses, scores } = await this.#ring.read(this.#a.scores, this.model.nClasses);
    return { loss: losses[losses.length - 1], scores: scores! };
  }

  /** Reads the mean loss of each step since the last read (waits for the GPU). */
  async readLosses(): Promise<number[]> {
    return (await this.#ring.read(null, this.model.nClasses)).losses;
  }

  #check(x: Float32Array, y: Int32Array): void {
    if (this.#destroyed) throw new Error("Cannot step a GpuMyModel after destroy()");
    const N = y.length, [C, H, W] = this.model.imSize, K = this.model.nClasses;
    if (N < 2 || N > this.batchSize || x.length !== N * C * H * W) {
      throw new RangeError(
        `Cannot run GpuMyModel.step: ${N} labels and ${x.length} values for a batch of 2 to ` +
          `${this.batchSize} images of (${this.model.imSize}) (batch norm needs 2 or more)`,
      );
    }
    const bad = y.findIndex((label) => !(label >= 0 && label < K));
    if (bad >= 0) {
      throw new RangeError(
        `Cannot run GpuMyModel.step: label ${y[bad]} at index ${bad} is not a class in [0, ${K})`,
      );
    }
  }

  async #record(x: Float32Array, y: Int32Array, lr: number): Promise<void> {
    this.#check(x, y);
    const N = y.length, a = this.#a;
    await this.ctx.record(async () => {
      a.x.write(padTo(x, a.x.size));
      a.y.write(padTo(y, a.y.size));
      const enc = this.ctx.encoder;
      for (const u of this.#units) u.clearGrads(enc);
      enc.clearBuffer(this.#fc.grad.buffer);
      await this.#forward(N);
      const o = this.options, K = this.model.nClasses;
      await k.softmaxCrossEntropySmoothed(
        a.dscores,
        a.losses,
        a.scores,
        a.y,
        N,
        K,
        o.labelSmoothing,
      );
      this.#ring.push(a.losses, N);
      await this.#backward(N);
      for (const s of this.#slots) {
        const n = s.value.size;
        await k.sgdStep(s.value, s.grad, s.velocity, n, lr, o.momentum, o.weightDecay, o.nesterov);
      }
    });
  }

  async #forward(N: number): Promise<void> {
    const a = this.#a, K = this.model.nClasses, gp = this.#globalPool(N), D = gp.C;
    const ends = new Map(this.#residuals.map(([first, last]) => [last, first]));
    for (const u of this.#units) {
      await u.forward(N);
      const first = ends.get(u); // the residual add: out = body(x) + x
      if (first) await k.axpy(u.out, first.x, 1, (first.x.size / this.batchSize) * N);
    }
    await k.maxPool2dForward(a.pooled, a.argmax, this.#units.at(-1)!.out, gp);
    await k.gemm(a.fcOut, a.pooled, this.#fc.value, N, K, D, false, true, false);
    this.ctx.encoder.clearBuffer(a.scores.buffer); // Scale: scores = fcOut / 8
    await k.axpy(a.scores, a.fcOut, SCALE, N * K);
  }

  async #backward(N: number): Promise<void> {
    const a = this.#a, K = this.model.nClasses, gp = this.#globalPool(N), D = gp.C;
    const enc = this.ctx.encoder;
    enc.clearBuffer(a.dfcOut.buffer);
    await k.axpy(a.dfcOut, a.dscores, SCALE, N * K);
    await k.gemm(a.dpooled, a.dfcOut, this.#fc.value, N, D, K, false, false, false);
    await k.gemm(this.#fc.grad, a.dfcOut, a.pooled, K, D, N, true, false, true);
    await k.maxPool2dBackward(this.#units.at(-1)!.dout, a.dpooled, a.argmax, gp);
    const starts = new Map(this.#residuals.map(([first, last]) => [first, last]));
    for (let i = this.#units.length - 1; i >= 0; i--) {
      const u = this.#units[i];
      await u.backward(N);
      const last = starts.get(u); // the residual's skip: ∂L/∂x += ∂L/∂out
      if (last) await k.axpy(u.dx!, last.dout, 1, (u.x.size / this.batchSize) * N);
    }
  }

  /** Copies the GPU weights and BN running statistics back into the model. */
  async copyToModel(): Promise<void> {
    for (const s of this.#slots) s.param.value.data.set(await s.value.read());
    for (const u of this.#units) await u.copyStatsToModule();
  }

  /** The SGD momentum buffers, by parameter name, read back. */
  async velocities(): Promise<Map<string, Tensor>> {
    const names = new Map([...this.model.namedParameters()].map(([n, t]) => [t, n]));
    const out = new Map<string, Tensor>();
    for (const s of this.#slots) out.set(names.get(s.param.value)!, await s.velocity.toTensor());
    return out;
  }

  /** Frees every GPU buffer. */
  destroy(): void {
    this.#destroyed = true;
    for (const u of this.#units) u.destroy();
    for (const t of [this.#fc.value, this.#fc.grad, this.#fc.velocity]) t.destroy();
    for (const t of Object.values(this.#a)) t.destroy();
    this.#ring.destroy();
  }
}

const SCALE = 0.125; // MyModel's final Scale(1/8)

/** The (conv, bn, pooled) units of a stage's Sequential: conv [maxpool 2] BN ReLU, repeated. */
function unitsOf(stage: string, seq: Sequential): [Conv2d, BatchNorm2d, boolean][] {
  const out: [Conv2d, BatchNorm2d, boolean][] = [];
  const layers = seq.layers;
  for (let i = 0; i < layers.length;) {
    const conv = layers[i], pooled = layers[i + 1] instanceof MaxPool2d;
    const bn = layers[i + (pooled ? 2 : 1)];
    if (!(conv instanceof Conv2d) || conv.bias !== null || !(bn instanceof BatchNorm2d)) {
      throw new TypeError(
        `Cannot put MyModel on the GPU: ${stage} is not conv (no bias) – [max-pool] – BN – ReLU`,
      );
    }
    out.push([conv, bn, pooled]);
    i += pooled ? 4 : 3;
  }
  return out;
}

function padTo<T extends Float32Array | Int32Array>(a: T, n: number): T {
  if (a.length === n) return a;
  const out = new (a.constructor as new (n: number) => T)(n);
  out.set(a);
  return out;
}
