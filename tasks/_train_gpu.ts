/**
 * `--backend webgpu` in the training loop: a `StepRunner` that runs each training step of a
 * `convnet` on the GPU (nn/webgpu/cnn.ts) and brings the weights and SGD momentum back into
 * the CPU model and optimizer when the loop evaluates, logs or saves a checkpoint.
 *
 * The loop writes a metrics row (loss and accuracy) every batch, so this runner reads the
 * loss and the scores back after every step (one wait); reading every N steps (GpuCNN's `lossEvery`) needs
 * the loop to fill those rows later, and is the next speed step.
 *
 * @module
 */

import { CNN } from "../nn/models/convnet.ts";
import { GpuCNN } from "../nn/webgpu/cnn.ts";
import type { StepRunner, TrainSession } from "./_train_loop.ts";
import { countCorrect } from "./_train_eval.ts";

const MOMENTUM_SUFFIX = ".momentum_buffer";

/** Puts the session's model and SGD state on the GPU and returns its step runner. */
export async function createGpuRunner(s: TrainSession): Promise<StepRunner> {
  const c = s.progress.config;
  if (!(s.model instanceof CNN)) {
    throw new RangeError(
      `Cannot train ${c.model} with --backend webgpu: only convnet has a GPU training step; ` +
        "use --backend wasm",
    );
  }
  if (c.labelSmoothing !== 0) {
    throw new RangeError(
      `Cannot train with --backend webgpu and --label-smoothing ${c.labelSmoothing}: the GPU ` +
        "loss has no label smoothing yet; use --backend wasm",
    );
  }
  const state = s.optimizer.stateDict(); // live momentum buffers, "<param>.momentum_buffer"
  const velocities = new Map(
    [...state].map(([name, t]) => [name.slice(0, -MOMENTUM_SUFFIX.length), t]),
  );
  const gpu = await GpuCNN.fromModel(s.model, c.batchSize, {
    lr: s.optimizer.lr,
    momentum: s.optimizer.momentum,
    weightDecay: s.optimizer.weightDecay,
    nesterov: s.optimizer.nesterov,
  }, velocities);
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
