/**
 * What a training run reports while it runs: the events a {@linkcode "./trainer.ts"} `Trainer`
 * yields (and the loop's share of them, `runEpochs` in `./loop.ts`). Epochs are 1-based, as
 * the log prints them; `step` counts the optimizer steps taken, over all sessions of a resumed
 * run.
 *
 * In a run, per batch: a `validation` event when the batch is measured (every
 * `logInterval` batches and the last of each epoch), then its `step` event; after the last
 * batch of an epoch its `epochEnd` event; `checkpoint` whenever a run folder got a checkpoint;
 * `paused` and `resumed` around a pause; last `stopped` or `done`.
 *
 * @module
 */

import type { MetricsRow } from "./viz/metrics.ts";
import type { EvalResult } from "./eval.ts";

/** After every training step. */
export interface StepEvent {
  /** The kind of event. */
  type: "step";
  /** Optimizer steps taken, this one included. */
  step: number;
  /** The epoch of the step, 1-based. */
  epoch: number;
  /** The batch of the epoch just trained, 0-based. */
  batch: number;
  /** Training images done in this epoch. */
  seen: number;
  /** Training images per epoch. */
  total: number;
  /** The batch's training loss (with label smoothing, as optimised). */
  loss: number;
  /** The batch's training accuracy (a fraction). */
  acc: number;
  /** The learning rate of the step. */
  lr: number;
  /** Training images per second so far: images trained over training seconds. */
  imagesPerSecond: number;
  /** The step's row of `metrics.csv` (with the validation measures on a measured step). */
  row: MetricsRow;
}

/** A measured batch: the validation loss and accuracy, and the log line. */
export interface ValidationEvent {
  /** The kind of event. */
  type: "validation";
  /** Optimizer steps taken, the measured one included. */
  step: number;
  /** 1-based. */
  epoch: number;
  /** The validation loss (mean cross-entropy). */
  valLoss: number;
  /** A fraction. */
  valAcc: number;
  /** The homework's log line (`Train Epoch: 1 [0/49000 (0%)]\tTrain Loss: …`). */
  line: string;
  /** The step's row of `metrics.csv`. */
  row: MetricsRow;
}

/** After the last batch of an epoch. */
export interface EpochEndEvent {
  /** The kind of event. */
  type: "epochEnd";
  /** The epoch just finished, 1-based. */
  epoch: number;
  /** The run's epochs. */
  epochs: number;
  /** Training seconds so far (validation included), over all sessions of the run. */
  seconds: number;
  /** The validation loss of the epoch's last measure. */
  valLoss: number;
  /** A fraction. */
  valAcc: number;
}

/** A training checkpoint was written into the run folder. */
export interface CheckpointEvent {
  /** The kind of event. */
  type: "checkpoint";
  /** The file written. */
  path: string;
  /** Optimizer steps taken when it was saved. */
  step: number;
}

/** The run paused between two steps (`Trainer.pause()`); it waits for `resume()` or `stop()`. */
export interface PausedEvent {
  /** The kind of event. */
  type: "paused";
  /** Optimizer steps taken. */
  step: number;
}

/** The run goes on after a pause. */
export interface ResumedEvent {
  /** The kind of event. */
  type: "resumed";
  /** Optimizer steps taken. */
  step: number;
}

/** The run stopped before its end (`Trainer.stop()`); a run folder holds its checkpoint. */
export interface StoppedEvent {
  /** The kind of event. */
  type: "stopped";
  /** Optimizer steps taken. */
  step: number;
  /** The epoch in progress, 1-based. */
  epoch: number;
  /** The next batch of that epoch, 0-based. */
  batch: number;
}

/** The run trained its last epoch (and was tested, where it has test images). */
export interface DoneEvent {
  /** The kind of event. */
  type: "done";
  /** Optimizer steps taken. */
  step: number;
  /** Training seconds, over all sessions of the run. */
  seconds: number;
  /** The test set's loss, accuracy and confusion matrix (absent: not tested). */
  test?: EvalResult;
}

/** What the training loop itself yields (`runEpochs`). */
export type LoopEvent = StepEvent | ValidationEvent | EpochEndEvent;

/** Everything a `Trainer` yields. */
export type TrainEvent =
  | LoopEvent
  | CheckpointEvent
  | PausedEvent
  | ResumedEvent
  | StoppedEvent
  | DoneEvent;
