/**
 * The training library's front door: a {@linkcode Trainer} runs a session (`./loop.ts`) as an
 * async iterable of progress events (`./events.ts`), can be paused, resumed and stopped between
 * two steps, and keeps a run folder (`./files.ts`) up to date when it has one. The command line
 * (`tasks/train.ts`), the page's trainer worker (`web/src/trainer.ts`) and the notebooks all
 * train through it; they only print or post what it yields.
 *
 * A paused run takes, once resumed, exactly the steps of an uninterrupted one: the batches,
 * augmentations and learning rates depend only on the seed, the epoch and the batch index. A
 * stopped run with a folder leaves its `checkpoint.safetensors`, from which
 * {@linkcode resumeSession} continues it with the same numbers.
 *
 * @module
 */

import { evaluate } from "./eval.ts";
import type { RunFolder } from "./files.ts";
import {
  createSession,
  runEpochs,
  sessionCheckpoint,
  sessionWeights,
  type TrainData,
  type TrainProgress,
  type TrainSession,
} from "./loop.ts";
import type { TrainConfig } from "./config.ts";
import type { CheckpointEvent, DoneEvent, TrainEvent } from "./events.ts";
import { loadTrainCheckpoint, peekTrainCheckpoint } from "../nn/checkpoint.ts";
import type { NormalizationJSON } from "../data/normalize.ts";

/** How a {@linkcode Trainer} runs. */
export interface TrainerOptions {
  /**
   * The run folder to keep up to date: config.json at the start, the checkpoint (also at the
   * start of a new run and when stopped), the weights, metrics.csv, timing.csv and the pictures
   * every epoch, test_metrics.json at the end. None: nothing is written.
   */
  folder?: RunFolder;
  /** The run's resolved configuration, for config.json and the report (default: its recipe). */
  record?: Record<string, unknown>;
  /** Evaluate the test images after the last epoch (default: when there are any). */
  test?: boolean;
}

/** Where a {@linkcode Trainer} is. */
export type TrainerStatus = "ready" | "running" | "paused" | "stopped" | "done" | "failed";

/**
 * Trains a session to its last epoch, yielding its progress events; iterate it once.
 * `pause()`, `resume()` and `stop()` may be called at any time (from the loop body, a message
 * handler, a signal listener); they take effect between two steps. Throws what the loop
 * throws (a `DivergedError` when the loss diverges), after which the session keeps the
 * progress of its last step. A GPU step runner on the session is destroyed when the iteration
 * ends. Leaving the loop early (`break`) ends the run at that event, as `stop()` would but
 * without writing the stop's files.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createSession, DEFAULTS, Trainer } from "../mod.ts";
 * const set = (n: number) => ({
 *   images: Uint8Array.from({ length: n * 3072 }, (_, i) => (i * 7) & 255),
 *   labels: Uint8Array.from({ length: n }, (_, i) => i % 10),
 * });
 * const data = { train: set(32), val: set(8), test: set(8), classes: [..."abcdefghij"] };
 * const config = {
 *   ...DEFAULTS.convnet,
 *   hiddenDim: 2,
 *   kernelSize: 3,
 *   batchSize: 16,
 *   testBatchSize: 8,
 *   epochs: 2,
 *   numTrain: 32,
 *   numVal: 8,
 *   numTest: 8,
 * };
 * const trainer = new Trainer(createSession(config, data), data);
 * const seen: string[] = [];
 * for await (const event of trainer) {
 *   seen.push(event.type);
 *   if (event.type === "step" && event.step === 1) trainer.pause(); // takes effect now
 *   if (event.type === "paused") trainer.resume();
 *   if (event.type === "done") assert.equal(event.test!.total, 8);
 * }
 * assert.deepEqual(seen, [
 *   "validation", "step", "paused", "resumed", "validation", "step", "epochEnd",
 *   "validation", "step", "validation", "step", "epochEnd", "done",
 * ]);
 * assert.equal(trainer.status, "done");
 * ```
 */
export class Trainer implements AsyncIterable<TrainEvent> {
  /** The model, optimizer and progress being trained. */
  readonly session: TrainSession;
  /** The images it trains, validates and tests on. */
  readonly data: TrainData;
  #folder?: RunFolder;
  #record: Record<string, unknown>;
  #test: boolean;
  #status: TrainerStatus = "ready";
  #pauseAsked = false;
  #stopAsked = false;
  #wake?: () => void;

  /** A trainer of `session` on `data`; nothing runs before it is iterated. */
  constructor(session: TrainSession, data: TrainData, options: TrainerOptions = {}) {
    this.session = session;
    this.data = data;
    this.#folder = options.folder;
    this.#record = options.record ?? { ...session.progress.config };
    this.#test = options.test ?? data.test.labels.length > 0;
  }

  /** Where the run is. */
  get status(): TrainerStatus {
    return this.#status;
  }

  /** Pauses after the step in progress (a `paused` event), until `resume()` or `stop()`. */
  pause(): void {
    if (this.#status === "ready" || this.#status === "running") this.#pauseAsked = true;
  }

  /** Continues a paused run (a `resumed` event); cancels a pause not yet reached. */
  resume(): void {
    this.#pauseAsked = false;
    this.#wake?.();
  }

  /** Stops after the step in progress (or at once when paused): a `stopped` event, last. */
  stop(): void {
    this.#stopAsked = true;
    this.#wake?.();
  }

  /**
   * The training checkpoint's bytes now (what a run folder's `checkpoint.safetensors` holds);
   * {@linkcode resumeSession} continues from them. With a GPU step runner, take it while
   * paused or after the run, when the CPU model holds the synced weights.
   */
  checkpoint(): Uint8Array {
    return sessionCheckpoint(this.session);
  }

  /** The weights file's bytes now (`<model>.safetensors`, which `deno task predict` reads). */
  weights(): Uint8Array {
    return sessionWeights(this.session, this.data.classes);
  }

  /** The events of the run (see `./events.ts`); the same as {@linkcode Trainer.events}. */
  [Symbol.asyncIterator](): AsyncGenerator<TrainEvent, void> {
    return this.events();
  }

  /** Runs the training, yielding its events; a trainer runs once. */
  async *events(): AsyncGenerator<TrainEvent, void> {
    if (this.#status !== "ready") {
      throw new Error(
        `Cannot run this trainer again: it is ${this.#status}; make a new Trainer (from ` +
          "trainer.checkpoint() with resumeSession() to continue a stopped run)",
      );
    }
    this.#status = "running";
    const s = this.session, folder = this.#folder;
    try {
      if (folder) {
        await folder.saveConfig(this.#record);
        if (s.progress.step === 0) yield await this.#saveCheckpoint(folder);
      }
      for (;;) {
        const loop = runEpochs(s, this.data, () => this.#stopAsked || this.#pauseAsked);
        let next;
        while (!(next = await loop.next()).done) {
          yield next.value;
          if (next.value.type === "epochEnd" && folder) yield* this.#epochFiles(folder);
        }
        if (next.value === "done") break;
        if (!this.#stopAsked) {
          this.#status = "paused";
          yield { type: "paused", step: s.progress.step };
          if (this.#pauseAsked && !this.#stopAsked) {
            await new Promise<void>((resolve) => (this.#wake = resolve));
          }
          this.#wake = undefined;
          if (!this.#stopAsked) {
            this.#status = "running";
            yield { type: "resumed", step: s.progress.step };
            continue;
          }
        }
        yield* this.#stopped();
        return;
      }
      yield await this.#done();
    } catch (e) {
      this.#status = "failed";
      throw e;
    } finally {
      // Left early (a `break` in the loop): the run ends where it is, without stop()'s files.
      if (this.#status === "running" || this.#status === "paused") this.#status = "stopped";
      s.runner?.destroy(); // the CPU model holds the weights synced at the last measure
    }
  }

  async #saveCheckpoint(folder: RunFolder): Promise<CheckpointEvent> {
    await folder.saveCheckpoint(this.session);
    return { type: "checkpoint", path: folder.checkpointPath, step: this.session.progress.step };
  }

  // The files of an epoch's end. While the loss is above the divergence bar, the last good
  // checkpoint and weights stay.
  async *#epochFiles(folder: RunFolder): AsyncGenerator<CheckpointEvent> {
    const s = this.session, good = (s.progress.watch?.over ?? 0) === 0;
    let saved: CheckpointEvent | undefined;
    if (good) {
      saved = await this.#saveCheckpoint(folder);
      await folder.saveWeights(s, this.data.classes);
    }
    await folder.writePictures(s, this.#record);
    await folder.saveTiming(s);
    if (saved) yield saved;
  }

  async *#stopped(): AsyncGenerator<TrainEvent> {
    const s = this.session, p = s.progress, folder = this.#folder;
    if (folder) {
      const saved = await this.#saveCheckpoint(folder);
      await folder.saveWeights(s, this.data.classes);
      await folder.writePictures(s, this.#record);
      yield saved;
    }
    this.#status = "stopped";
    yield { type: "stopped", step: p.step, epoch: p.epoch + 1, batch: p.batch };
  }

  async #done(): Promise<DoneEvent> {
    const s = this.session, c = s.progress.config, folder = this.#folder;
    let test;
    if (this.#test) {
      test = await evaluate(s.model, this.data.test, {
        normalize: s.normalization,
        batchSize: c.testBatchSize,
        tta: c.tta,
        ttaTranslate: c.ttaTranslate,
        nClasses: this.data.classes.length,
      });
      if (folder) {
        const metrics = await folder.saveTestMetrics(test, this.data.classes);
        await folder.writePictures(s, this.#record, metrics);
      }
    }
    this.#status = "done";
    return {
      type: "done",
      step: s.progress.step,
      seconds: s.progress.seconds,
      ...(test ? { test } : {}),
    };
  }
}

/**
 * A session that continues a saved run: its recipe, normalisation and progress from the
 * checkpoint's metadata, its weights, optimizer state and lookahead average from its tensors.
 * `source` names the checkpoint in errors (e.g. its path).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createSession, DEFAULTS, resumeSession, sessionCheckpoint } from "../mod.ts";
 * const set = (n: number) => ({
 *   images: Uint8Array.from({ length: n * 3072 }, (_, i) => (i * 7) & 255),
 *   labels: Uint8Array.from({ length: n }, (_, i) => i % 10),
 * });
 * const data = { train: set(16), val: set(8), test: set(0), classes: [..."abcdefghij"] };
 * const config = { ...DEFAULTS.convnet, hiddenDim: 2, kernelSize: 3, batchSize: 16, numTrain: 16 };
 * const saved = createSession(config, data);
 * const again = resumeSession(sessionCheckpoint(saved), data);
 * assert.deepEqual(again.progress, saved.progress);
 * ```
 */
export function resumeSession(
  checkpoint: Uint8Array,
  data: TrainData,
  source = "the checkpoint",
): TrainSession {
  const state = peekTrainCheckpoint(checkpoint, source);
  const progress = state.progress as TrainProgress | null;
  if (progress === null || typeof progress !== "object" || progress.config === undefined) {
    throw new TypeError(
      `Cannot resume from ${source}: it holds no training progress (is it a checkpoint of ` +
        "deno task train?)",
    );
  }
  const config: TrainConfig = progress.config;
  const normalization = state.normalization as NormalizationJSON;
  const session = createSession(config, data, { normalization });
  loadTrainCheckpoint(checkpoint, session.model, session.optimizer, {
    source,
    expect: config.model,
    extra: session.average,
  });
  session.progress = progress;
  return session;
}
