/**
 * `GpuCNN` and `GpuMyModel`, kept so that code written against them keeps working: they were
 * hand-written GPU copies of the `convnet` and `mymodel` training steps, and are now thin
 * wrappers over `GpuTrainStep` (train/gpu.ts), which trains any model built from the modules.
 *
 * @module
 */

import type { Tensor } from "../core/tensor.ts";
import type { Module } from "../nn/modules/module.ts";
import { SGD } from "../nn/optim.ts";
import { GpuTrainStep } from "./gpu.ts";

/**
 * SGD settings of `GpuCNN` (torch.optim.SGD's, as nn/optim.ts).
 *
 * @deprecated Pass an `SGD` to `GpuTrainStep.create` instead.
 */
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

/**
 * `GpuCNNOptions` with label smoothing.
 *
 * @deprecated Pass an `SGD` and `labelSmoothing` to `GpuTrainStep.create` instead.
 */
export interface GpuMyModelOptions extends GpuCNNOptions {
  /** ε of the label-smoothed cross-entropy (default 0). */
  labelSmoothing?: number;
}

/** A model that knows its input's (C, H, W) and its class count (`CNN`, `MyModel`). */
export type ImageClassifier = Module & {
  readonly imSize: readonly [number, number, number];
  readonly nClasses: number;
};

const MOMENTUM_SUFFIX = ".momentum_buffer";

/**
 * The training step of a `CNN` on the GPU, SGD included.
 *
 * Unlike the old copy, the model's own tensors move to the GPU (`model.to("webgpu")`) until
 * `copyToModel()` brings them back.
 *
 * @deprecated Use `GpuTrainStep.create(model, new SGD(model.parameters(), options), …)`
 * (train/gpu.ts): any model built from the modules trains on WebGPU.
 */
export class GpuCNN {
  /** The step every method forwards to. */
  readonly trainer: GpuTrainStep;
  /** The model being trained. */
  readonly model: ImageClassifier;

  /** Wraps a `GpuTrainStep`; use `fromModel`. */
  constructor(trainer: GpuTrainStep, model: ImageClassifier) {
    this.trainer = trainer;
    this.model = model;
  }

  /**
   * Moves `model` to the GPU with an SGD of `options` (its momentum buffers from `velocities`,
   * keyed by parameter name, when resuming), for batches of up to `batchSize` images.
   */
  static async fromModel(
    model: ImageClassifier,
    batchSize: number,
    options: GpuMyModelOptions,
    velocities: ReadonlyMap<string, Tensor> = new Map(),
  ): Promise<GpuCNN> {
    const { lr, momentum = 0, weightDecay = 0, nesterov = false } = options;
    const sgd = new SGD(model.parameters(), { lr, momentum, weightDecay, nesterov });
    const state = sgd.stateDict();
    for (const [name, v] of velocities) state.get(name + MOMENTUM_SUFFIX)?.data.set(v.data);
    const trainer = await GpuTrainStep.create(model, sgd, {
      batchSize,
      imageShape: model.imSize,
      nClasses: model.nClasses,
      labelSmoothing: options.labelSmoothing ?? 0,
      lossEvery: options.lossEvery ?? 10,
    });
    return new this(trainer, model);
  }

  /** One step; every `lossEvery` steps the mean losses of those steps, else null. */
  step(x: Float32Array, y: Int32Array, lr?: number): Promise<number[] | null> {
    return this.trainer.step(x, y, lr);
  }

  /** One step whose loss and scores come back at once (one wait). scores: (N, nClasses) */
  stepAndRead(
    x: Float32Array,
    y: Int32Array,
    lr?: number,
  ): Promise<{ loss: number; scores: Tensor }> {
    return this.trainer.stepAndRead(x, y, lr);
  }

  /** The mean loss of each step since the last read. */
  readLosses(): Promise<number[]> {
    return this.trainer.readLosses();
  }

  /** Brings the weights (and batch-norm statistics) back into the model on the CPU. */
  copyToModel(): Promise<void> {
    return this.trainer.toCpu();
  }

  /** The SGD momentum buffers, by parameter name (copies, read back). */
  async velocities(): Promise<Map<string, Tensor>> {
    await this.trainer.toCpu();
    const out = new Map<string, Tensor>();
    for (const [name, v] of this.trainer.optimizer.stateDict()) {
      out.set(name.slice(0, -MOMENTUM_SUFFIX.length), v.clone());
    }
    return out;
  }

  /** Frees the step's buffers (the model's tensors stay where they are: `copyToModel` first). */
  destroy(): void {
    this.trainer.destroy();
  }
}

/**
 * The training step of a `MyModel` on the GPU: the same wrapper as `GpuCNN`.
 *
 * @deprecated Use `GpuTrainStep.create(model, new SGD(model.parameters(), options), …)`
 * (train/gpu.ts): any model built from the modules trains on WebGPU.
 */
export class GpuMyModel extends GpuCNN {}
