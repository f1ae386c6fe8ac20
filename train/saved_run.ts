/**
 * A run folder read back to continue its run (`deno task train --resume DIR`, or a
 * {@linkcode "./trainer.ts"} `Trainer` in code): its training checkpoint, the recipe inside it,
 * and how the run was run (the fields of its config.json that its numbers depend on).
 *
 * @module
 */

import { peekTrainCheckpoint } from "../nn/checkpoint.ts";
import type { TrainConfig } from "./config.ts";
import { CHECKPOINT_FILE } from "./files.ts";
import type { TrainProgress } from "./loop.ts";

/** The fields of a run folder's config.json that the numbers of a resumed run depend on. */
export interface RecordedRun {
  /** The model trained. */
  model?: string;
  /** The absolute path of the CIFAR-10 folder it trained on. */
  cifar10Dir?: string;
  /** WASM threads. */
  threads?: number;
  /** The backend it trained on. */
  backend?: string;
  /** The WASM build (`simd` or `relaxed`). */
  wasmBuild?: string;
}

/** A run folder's saved state. */
export interface SavedRun {
  /** The run folder. */
  dir: string;
  /** The bytes of its `checkpoint.safetensors` (for `resumeSession`). */
  bytes: Uint8Array;
  /** The recipe the run trains with. */
  config: TrainConfig;
  /** How the run was run, from its config.json (empty for a folder without one). */
  recorded: RecordedRun;
}

async function readRecordedRun(dir: string): Promise<RecordedRun> {
  const path = `${dir}/config.json`;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return {};
    throw e;
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(
      `Cannot resume from "${dir}": its config.json is not JSON (${(e as Error).message}); ` +
        "delete it to resume with the current defaults, or restore it",
    );
  }
  const str = (key: string) => typeof json[key] === "string" ? json[key] as string : undefined;
  return {
    model: str("model"),
    cifar10Dir: str("cifar10Dir"),
    threads: typeof json.threads === "number" ? json.threads : undefined,
    backend: str("backend"),
    wasmBuild: str("wasmBuild"),
  };
}

/**
 * Reads the run folder `dir` to continue its run; throws, saying what to do, when it holds no
 * training checkpoint, an unreadable one, or one of another model than its config.json names.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readSavedRun } from "./saved_run.ts";
 * const dir = await Deno.makeTempDir();
 * await assert.rejects(() => readSavedRun(dir), /has no checkpoint\.safetensors/);
 * await Deno.remove(dir);
 * ```
 */
export async function readSavedRun(dir: string): Promise<SavedRun> {
  const path = `${dir}/${CHECKPOINT_FILE}`;
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    throw new Error(
      `Cannot resume from "${dir}": it has no ${CHECKPOINT_FILE} (is it a run folder of deno task train?)`,
    );
  }
  const state = peekTrainCheckpoint(bytes, `"${path}"`);
  const recorded = await readRecordedRun(dir);
  const config = (state.progress as TrainProgress | null)?.config;
  if (recorded.model !== undefined && recorded.model !== config?.model) {
    throw new TypeError(
      `Cannot resume from "${dir}": its config.json is a ${recorded.model} run but its ` +
        `${CHECKPOINT_FILE} holds ${config?.model}; put the run's own checkpoint back, or ` +
        "start a new run with another --out",
    );
  }
  if (config === undefined) {
    throw new TypeError(
      `Cannot resume from "${dir}": its ${CHECKPOINT_FILE} holds no training progress (is it a ` +
        "checkpoint of deno task train?)",
    );
  }
  return { dir, bytes, config, recorded };
}
