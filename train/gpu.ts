/**
 * Training on WebGPU: `GpuTrainStep` runs the training step of ANY model built from the
 * modules — the model's own `forward`/`backward`, `crossEntropy` and the optimizer's `step`,
 * on the tensors `model.to("webgpu")` put in GPU buffers — recorded into one command buffer
 * per step with no read-back. Each step's per-sample losses are copied into a ring on the GPU
 * (kernels/webgpu/ring.ts) that is read every `lossEvery` steps, or with the step's scores by
 * `stepAndRead` (one wait). `toCpu()` brings the weights, buffers and optimizer state back.
 *
 * `createGpuRunner` is `--backend webgpu` in the training loop: the loop writes a metrics row
 * (loss and accuracy) every batch, so its runner reads the loss and the scores after every
 * step; reading every N steps needs the loop to fill those rows later.
 *
 * @module
 */

import { shapeSize, Tensor } from "../core/tensor.ts";
import { backends } from "../kernels/mod.ts";
import { LossRing } from "../kernels/webgpu/ring.ts";
import { crossEntropy } from "../nn/losses.ts";
import type { Module } from "../nn/modules/module.ts";
import { skipInputGradient } from "../nn/modules/sequential.ts";
import type { Optimizer } from "../nn/optim.ts";
import { countCorrect } from "./eval.ts";
import type { StepRunner, TrainSession } from "./loop.ts";

/** Options of `GpuTrainStep`. */
export interface GpuTrainStepOptions {
  /** Most images a step takes (the input buffer and the loss ring are sized for it). */
  batchSize: number;
  /** (C, H, W) of one input image. */
  imageShape: readonly [number, number, number];
  /** Number of classes: labels must lie in [0, nClasses). */
  nClasses: number;
  /** ε of the label-smoothed cross-entropy (default 0). */
  labelSmoothing?: number;
  /** Steps between loss read-backs in `step` (default 10). */
  lossEvery?: number;
}

/** One training step of a model and its optimizer on WebGPU, read back every N steps. */
export class GpuTrainStep {
  /** The model; its tensors live on the GPU between `step`s (`toCpu()` brings them back). */
  readonly model: Module;
  /** The optimizer over the model's parameters; its state follows them. */
  readonly optimizer: Optimizer;
  /** The options with their defaults filled in. */
  readonly options: Required<GpuTrainStepOptions>;
  readonly #ring: LossRing;
  readonly #x: ReturnType<typeof backends.webgpu.buffer>; // x: (batchSize, C, H, W)
  #scores: Tensor | null = null; // the last step's logits, on the GPU
  readonly #pending: number[] = []; // losses read by toCpu() and not yet returned
  #onGpu = true;
  #destroyed = false;

  private constructor(
    model: Module,
    optimizer: Optimizer,
    options: Required<GpuTrainStepOptions>,
    ring: LossRing,
  ) {
    this.model = model;
    this.optimizer = optimizer;
    this.options = options;
    this.#ring = ring;
    this.#x = backends.webgpu.buffer(options.batchSize * shapeSize(options.imageShape));
  }

  /**
   * Moves `model` and `optimizer` to the GPU and allocates the input and the loss ring. The
   * convolution reading the images stops computing their gradient (`skipInputGradient`, as
   * the training loop does): nobody reads it.
   */
  static async create(
    model: Module,
    optimizer: Optimizer,
    options: GpuTrainStepOptions,
  ): Promise<GpuTrainStep> {
    const o = { labelSmoothing: 0, lossEvery: 10, ...options };
    if (!Number.isInteger(o.batchSize) || o.batchSize < 1) {
      throw new RangeError(
        `Cannot create a GpuTrainStep: batchSize must be an integer ≥ 1, got ${o.batchSize}`,
      );
    }
    skipInputGradient(model);
    await model.to("webgpu");
    await optimizer.to("webgpu");
    const ring = await LossRing.create(backends.webgpu.context(), o.lossEvery, o.batchSize);
    return new GpuTrainStep(model, optimizer, o, ring);
  }

  /**
   * One step on a batch (x: (N, C, H, W) normalised images, y: (N) labels, N ≤ batchSize),
   * recorded and submitted without waiting, at learning rate `lr` (default: the optimizer's).
   * Every `lossEvery` steps it reads the ring and returns those steps' mean losses, else null.
   */
  async step(x: Float32Array, y: Int32Array, lr = this.optimizer.lr): Promise<number[] | null> {
    await this.#record(x, y, lr);
    return this.#ring.full ? await this.readLosses() : null;
  }

  /** One step whose loss and (N, nClasses) scores come back at once (one wait). */
  async stepAndRead(
    x: Float32Array,
    y: Int32Array,
    lr = this.optimizer.lr,
  ): Promise<{ loss: number; scores: Tensor }> {
    await this.#record(x, y, lr);
    const g = backends.webgpu, K = this.options.nClasses;
    const { losses, scores } = await this.#ring.read(g.storageOf(this.#scores!), K);
    return { loss: losses[losses.length - 1], scores: scores! };
  }

  /** The mean loss of each step since the last read (waits for the GPU). */
  async readLosses(): Promise<number[]> {
    const read = (await this.#ring.read(null, this.options.nClasses)).losses;
    return [...this.#pending.splice(0), ...read];
  }

  /**
   * Brings the model's tensors and the optimizer's state back to the CPU (e.g. to evaluate
   * or save a checkpoint); the next step moves them to the GPU again.
   */
  async toCpu(): Promise<void> {
    if (!this.#onGpu) return;
    // steps not read yet stay readable
    this.#pending.push(...(await this.#ring.read(null, this.options.nClasses)).losses);
    this.#scores = null;
    await this.model.to("cpu");
    await this.optimizer.to("cpu");
    this.#onGpu = false;
  }

  #check(x: Float32Array, y: Int32Array): void {
    if (this.#destroyed) throw new Error("Cannot step a GpuTrainStep after destroy()");
    const o = this.options, N = y.length, per = shapeSize(o.imageShape);
    if (N < 1 || N > o.batchSize || x.length !== N * per) {
      throw new RangeError(
        `Cannot run a GPU training step: ${N} labels and ${x.length} values for a batch of 1 ` +
          `to ${o.batchSize} images of (${o.imageShape})`,
      );
    }
    const bad = y.findIndex((label) =>
      !(Number.isInteger(label) && label >= 0 && label < o.nClasses)
    );
    if (bad >= 0) {
      throw new RangeError(
        `Cannot run a GPU training step: label ${y[bad]} at index ${bad} is not a class in ` +
          `[0, ${o.nClasses})`,
      );
    }
  }

  async #record(x: Float32Array, y: Int32Array, lr: number): Promise<void> {
    this.#check(x, y);
    if (!this.#onGpu) {
      await this.model.to("webgpu");
      await this.optimizer.to("webgpu");
      this.#onGpu = true;
    }
    const g = backends.webgpu, N = y.length, { model, optimizer, options: o } = this;
    await g.context().record(() => {
      g.write(this.#x, x);
      const input = Tensor.onDevice(this.#x, [N, ...o.imageShape]);
      const logits = model.forward(input);
      const { dlogits, losses } = crossEntropy(logits, y, { labelSmoothing: o.labelSmoothing });
      this.#ring.push(g.storageOf(losses!), N);
      optimizer.zeroGrad();
      model.backward(dlogits);
      optimizer.lr = lr;
      optimizer.step();
      this.#scores = logits;
    });
  }

  /** Frees the loss ring and the input buffer (the model keeps its tensors: `toCpu()` first). */
  destroy(): void {
    this.#destroyed = true;
    this.#ring.destroy();
    this.#x.destroy();
  }
}

/**
 * The session's step runner on the GPU. The model and optimizer move there at the first step
 * (so a checkpoint written before still reads the CPU model) and come back on `sync()`.
 */
export function createGpuRunner(s: TrainSession): Promise<StepRunner> {
  const c = s.progress.config, m = s.modelConfig;
  let gpu: GpuTrainStep | null = null;
  const runner: StepRunner = {
    async step(x, y, lr) {
      gpu ??= await GpuTrainStep.create(s.model, s.optimizer, {
        batchSize: c.batchSize,
        imageShape: m.imSize,
        nClasses: m.nClasses,
        labelSmoothing: c.labelSmoothing,
      });
      const { loss, scores } = await gpu.stepAndRead(x, y, lr); // one wait per step
      return { loss, acc: countCorrect(scores, y) / y.length };
    },
    sync: async () => await gpu?.toCpu(), // evaluation and checkpoints read the CPU model
    destroy: () => gpu?.destroy(),
  };
  return Promise.resolve(runner);
}
