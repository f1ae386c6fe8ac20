/**
 * Training sessions run in this process for the resume tests: a tiny configuration on synthetic
 * images, one run straight through, and
 * the same run stopped after some batches, saved as `--resume` saves it (`sessionCheckpoint`)
 * and continued from those bytes in a new session (`resumeSession`), which must be the same run.
 *
 * @module
 */

import { assertEquals } from "./_assert.ts";
import { syntheticSet } from "./_data_fixtures.ts";
import { CIFAR10_CLASSES } from "../data/cifar10.ts";
import { DEFAULTS, type TrainConfig } from "../train/config.ts";
import {
  createSession,
  sessionCheckpoint,
  type TrainData,
  trainEpochs,
  type TrainSession,
} from "../train/loop.ts";
import { resumeSession } from "../train/trainer.ts";

/** 48 synthetic training images, 16 for validation and 16 for the test. */
export const TINY_DATA: TrainData = {
  train: syntheticSet(48, 1),
  val: syntheticSet(16, 2),
  test: syntheticSet(16, 3),
  classes: [...CIFAR10_CLASSES],
};

/**
 * A run of `model` on TINY_DATA that takes a second: 3 batches of 16 an epoch, measured at batches
 * 0 and 2, for 2 epochs, width 2; `more` overrides any of it.
 */
export function tiny(
  model: "convnet" | "mymodel",
  more: Partial<TrainConfig> = {},
): TrainConfig {
  return {
    ...DEFAULTS[model],
    hiddenDim: 2,
    kernelSize: 3,
    batchSize: 16,
    testBatchSize: 16,
    epochs: 2,
    logInterval: 2,
    lr: 0.01,
    warmup: 0.3,
    numTrain: 48,
    numVal: 16,
    numTest: 16,
    ...more,
  };
}

/** A session and the log lines it printed. */
export interface LoggedRun {
  /** The session at its end. */
  s: TrainSession;
  /** Its log lines, in order (a resumed run: both parts'). */
  lines: string[];
}

/** `config` trained on `data` from start to end. */
export async function straight(config: TrainConfig, data: TrainData): Promise<LoggedRun> {
  const s = createSession(config, data), lines: string[] = [];
  assertEquals(await trainEpochs(s, data, { log: (l) => void lines.push(l) }), "done");
  return { s, lines };
}

/** Stops after `stopAfter` batches, saves a checkpoint, resumes from its bytes in a new session. */
export async function interrupted(
  config: TrainConfig,
  data: TrainData,
  stopAfter: number,
): Promise<LoggedRun> {
  const first = createSession(config, data), lines: string[] = [];
  let batches = 0;
  const out = await trainEpochs(first, data, {
    log: (l) => void lines.push(l),
    onBatch: () => void batches++,
    shouldStop: () => batches >= stopAfter,
  });
  assertEquals(out, "stopped");
  const s = resumeSession(sessionCheckpoint(first), data);
  assertEquals(await trainEpochs(s, data, { log: (l) => void lines.push(l) }), "done");
  return { s, lines };
}

/** The same log, metrics, step count, weights and (if any) lookahead average, bit for bit. */
export function assertSameRun(a: LoggedRun, b: LoggedRun): void {
  assertEquals(b.lines, a.lines);
  assertEquals(b.s.progress.metrics, a.s.progress.metrics);
  assertEquals(b.s.progress.step, a.s.progress.step);
  for (const [name, t] of a.s.model.stateDict()) {
    assertEquals([...b.s.model.stateDict().get(name)!.data], [...t.data], name);
  }
  for (const [name, t] of a.s.average?.stateDict() ?? []) {
    assertEquals([...b.s.average!.stateDict().get(name)!.data], [...t.data], name);
  }
}
