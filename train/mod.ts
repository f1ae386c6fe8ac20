/**
 * The training library: what `deno task train`, the page's trainer worker and the notebooks
 * share. A {@linkcode Trainer} runs a session (`createSession`, or `resumeSession` from a
 * checkpoint) and yields its progress events; it pauses, resumes and stops between two steps,
 * and keeps a run folder ({@linkcode RunFolder}) up to date. Evaluation with flip (and
 * translate) test-time augmentation, the backend choice, the log format and the configuration
 * defaults sit beside it.
 *
 * The charts (`./viz/mod.ts`: npm Vega and resvg) are not part of this entry, so importing it
 * (or `mod.ts`, which re-exports it) loads no npm package; a run folder draws its pictures with
 * the charts its creator passes in.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createSession, DEFAULTS, Trainer, type TrainEvent } from "./mod.ts";
 * const set = (n: number) => ({
 *   images: Uint8Array.from({ length: n * 3072 }, (_, i) => (i * 3) & 255),
 *   labels: Uint8Array.from({ length: n }, (_, i) => i % 10),
 * });
 * const data = { train: set(16), val: set(8), test: set(8), classes: [..."abcdefghij"] };
 * const config = { ...DEFAULTS.convnet, hiddenDim: 2, kernelSize: 3, batchSize: 8, numTrain: 16 };
 * const events: TrainEvent[] = [];
 * for await (const e of new Trainer(createSession({ ...config, epochs: 1 }, data), data)) {
 *   events.push(e);
 * }
 * assert.equal(events.filter((e) => e.type === "step").length, 2);
 * assert.equal(events.at(-1)!.type, "done");
 * ```
 *
 * @module
 */

export { resumeSession, Trainer } from "./trainer.ts";
export type { TrainerOptions, TrainerStatus } from "./trainer.ts";
export type {
  CheckpointEvent,
  DoneEvent,
  EpochEndEvent,
  LoopEvent,
  PausedEvent,
  ResumedEvent,
  StepEvent,
  StoppedEvent,
  TrainEvent,
  ValidationEvent,
} from "./events.ts";
export {
  createSession,
  DivergedError,
  NonFiniteLossError,
  runEpochs,
  sessionCheckpoint,
  sessionWeights,
} from "./loop.ts";
export type { LossWatch, StepRunner, TrainData, TrainProgress, TrainSession } from "./loop.ts";
export { checkTrainConfig, DEFAULTS, SCHEDULES } from "./config.ts";
export type { RecipeSwitches, ScheduleName, TrainConfig } from "./config.ts";
export { countCorrect, evaluate, perClassAccuracy, predictSet } from "./eval.ts";
export type { EvalOptions, EvalResult } from "./eval.ts";
export { BACKENDS, selectBackend, selectTrainBackend } from "./backend.ts";
export type {
  BackendName,
  SelectedBackend,
  SelectTrainBackendOptions,
  StepTimes,
} from "./backend.ts";
export { CHECKPOINT_FILE, claimRunDir, RunFolder, StepBar } from "./files.ts";
export type { RunCharts, RunFolderOptions } from "./files.ts";
export { testLine } from "./log.ts";
export type { ConvWeights, MetricsRow, RunData, TestMetrics } from "./viz/metrics.ts";
export { readSavedRun } from "./saved_run.ts";
export type { RecordedRun, SavedRun } from "./saved_run.ts";
