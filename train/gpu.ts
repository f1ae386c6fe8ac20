/**
 * `--backend webgpu` in the training loop: a `StepRunner` that runs each training step of a
 * `convnet` (nn/webgpu/cnn.ts) or a `mymodel` (nn/webgpu/mymodel.ts) on the GPU and brings the
 * weights, batch-norm statistics and SGD momentum back into the CPU model and optimizer when
 * the loop evaluates, logs or saves a checkpoint.
 *
 * The loop writes a metrics row (loss and accuracy) every batch, so this runner reads the
 * loss and the scores back after every step (one wait); reading every N steps (GpuCNN's `lossEvery`) needs
 * the loop to fill those rows later, and is the next speed step.
 *
 * @module
 */

import { CNN } from "../nn/models/convnet.ts";
import { MyModel } from "../nn/models/mymodel.ts";
import { GpuCNN } from "../nn/webgpu/cnn.ts";
import { GpuMyModel } from "../nn/webgpu/mymodel.ts";
import type { StepRunner, TrainSession } from "./loop.ts";
import { countCorrect } from "./eval.ts";

const MOMENTUM_SUFFIX = ".momentum_buffer";

/** Puts the session's model and SGD state on the GPU and returns its step runner. */
export async function createGpuRunner(s: TrainSession): Promise<StepRunner> {
  const c = s.progress.config;
  const state = s.optimizer.stateDict(); // live momentum buffers, "<param>.momentum_buffer"
  const velocities = new Map(
    [...state].map(([name, t]) => [name.slice(0, -MOMENTUM_SUFFIX.length), t]),
  );
  const sgd = {
    lr: s.optimizer.lr,
    momentum: s.optimizer.momentum,
    weightDecay: s.optimizer.weightDecay,
    nesterov: s.optimizer.nesterov,
  };
  let gpu: GpuCNN | GpuMyModel;
  if (s.model instanceof MyModel) {
    const options = { ...sgd, labelSmoothing: c.labelSmoothing };
    gpu = await GpuMyModel.fromModel(s.model, c.batchSize, options, velocities);
  } else if (s.model instanceof CNN) {
    if (c.labelSmoothing !== 0) {
      throw new RangeError(
        `Cannot train convnet with --backend webgpu and --label-smoothing ${c.labelSmoothing}: ` +
          "its GPU loss has no label smoothing yet; use --backend wasm",
      );
    }
    gpu = await GpuCNN.fromModel(s.model, c.batchSize, sgd, velocities);
  } else {
    throw new RangeError(
      `Cannot train ${c.model} with --backend webgpu: only convnet and mymodel have a GPU ` +
        "training step; use --backend wasm",
    );
  }
  return {
    async step(x, y, lr) {
      const { loss, scores } = await gpu.stepAndRead(x, y, lr); // one wait per step
      return { loss, acc: countCorrect(scores, y) / y.length };
    },
    async sync() {
      await gpu.copyToModel();
      for (const [name, v] of await gpu.velocities()) {
        state.get(name + MOMENTUM_SUFFIX)?.data.set(v.data);
      }
    },
    destroy: () => gpu.destroy(),
  };
}
