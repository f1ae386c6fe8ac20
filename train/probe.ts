/**
 * `--backend auto`'s measured choice: times a few training steps of the run's own model and
 * batch on WASM and on WebGPU, then puts the weights and the optimizer state back exactly as
 * they were, so a probed run gives the same numbers as an unprobed one. WebGPU is not assumed
 * faster: on an H100 its training step measured slower than 2-thread WASM.
 *
 * @module
 */

import { makeBatch } from "../data/batches.ts";
import { encodeTrainCheckpoint, loadTrainCheckpoint } from "../nn/checkpoint.ts";
import { cpuStep, type StepRunner, type TrainData, type TrainSession } from "./loop.ts";

/** Timed training steps per backend, after one untimed warm-up step (compilation, uploads). */
export const PROBE_STEPS = 3;

/** Milliseconds per training step on each backend (the median of `PROBE_STEPS`). */
export interface ProbeTimes {
  wasmMs: number;
  webgpuMs: number;
}

async function msPerStep(step: () => unknown): Promise<number> {
  await step(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < PROBE_STEPS; i++) {
    const t0 = performance.now();
    await step();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[PROBE_STEPS >> 1];
}

/**
 * Times `PROBE_STEPS` training steps of session `s` on the first batch of the training images,
 * on the CPU model (WASM) and through `makeRunner` (WebGPU), at learning rate 0; restores the
 * model and optimizer state afterwards.
 */
export async function probeStepTimes(
  s: TrainSession,
  data: TrainData,
  makeRunner: (s: TrainSession) => Promise<StepRunner>,
): Promise<ProbeTimes> {
  const saved = encodeTrainCheckpoint(s.model, s.optimizer, {
    config: s.modelConfig,
    progress: {},
  });
  const c = s.progress.config;
  const b = Math.min(c.batchSize, data.train.labels.length);
  const batch = makeBatch(data.train, Int32Array.from({ length: b }, (_, i) => i), {
    normalize: s.normalization,
    out: s.buffers,
  });
  try {
    const wasmMs = await msPerStep(() => cpuStep(s, batch, 0));
    const runner = await makeRunner(s);
    try {
      const x = batch.x.data as Float32Array;
      const webgpuMs = await msPerStep(() => runner.step(x, batch.y, 0));
      return { wasmMs, webgpuMs };
    } finally {
      await runner.sync(); // the model back on the CPU, where the saved weights are restored
      runner.destroy();
    }
  } finally {
    loadTrainCheckpoint(saved, s.model, s.optimizer);
  }
}
