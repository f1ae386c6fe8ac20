/**
 * Training sessions run in this process for the resume tests: one run straight through, and
 * the same run stopped after some batches, saved as `--resume` saves it (`sessionCheckpoint`)
 * and continued from those bytes in a new session (`resumeSession`), which must be the same run.
 *
 * @module
 */

import { assertEquals } from "./_assert.ts";
import type { TrainConfig } from "../train/config.ts";
import {
  createSession,
  sessionCheckpoint,
  type TrainData,
  trainEpochs,
  type TrainSession,
} from "../train/loop.ts";
import { resumeSession } from "../train/trainer.ts";

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
