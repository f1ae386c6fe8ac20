/**
 * `deno task train` (and `train:convnet`, `train:mymodel`): the homework's `train.py`. Trains a
 * model on CIFAR-10 and writes its run folder (see `train/files.ts`). Ctrl-C saves a
 * checkpoint and stops; `--resume DIR` continues exactly where it stopped. Run with `--help`.
 *
 * @module
 */

import { runTask } from "../train/cli.ts";
import { resolve } from "node:path";
import { ensureCifar10, loadCifar10, type NormalizationJSON, splitCifar10 } from "../data/mod.ts";
import { loadTrainCheckpoint, peekTrainCheckpoint } from "../nn/checkpoint.ts";
import {
  parseTrainArgs,
  recipeHelp,
  type RunOptions,
  TRAIN_HELP,
  type TrainConfig,
} from "../train/config.ts";
import { type BackendName, BACKENDS, selectTrainBackend } from "../train/backend.ts";
import { wasmBuild } from "../kernels/wasm/mod.ts";
import { createGpuRunner } from "../train/gpu.ts";
import { probeStepTimes } from "../train/probe.ts";
import { evaluate } from "../train/eval.ts";
import { CHECKPOINT_FILE, claimRunDir, RunFolder, StepBar } from "../train/files.ts";
import { testLine } from "../train/log.ts";
import {
  createSession,
  DivergedError,
  type TrainData,
  trainEpochs,
  type TrainProgress,
  type TrainSession,
  usesRecipeSwitches,
} from "../train/loop.ts";

/** What a resumed run starts from. */
interface Resume {
  dir: string;
  bytes: Uint8Array;
  progress: TrainProgress;
  normalization: NormalizationJSON;
  /** How the run was run, from its config.json (empty for a folder without one). */
  recorded: RecordedRun;
}

/** The fields of a run folder's config.json that the numbers of a resumed run depend on. */
export interface RecordedRun {
  model?: string;
  cifar10Dir?: string;
  threads?: number;
  backend?: string;
  wasmBuild?: string;
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
 * The run options of a resumed run: what the command line gives, else what the run folder
 * recorded (the data folder, the thread count and the backend), else the defaults. Notes a WASM
 * build other than the recorded one, which only the environment chooses.
 */
export function resumeRunOptions(
  run: RunOptions,
  recorded: RecordedRun,
  note: (line: string) => void,
): RunOptions {
  const given = (flag: string) => run.explicit.includes(flag);
  const backend = recorded.backend !== undefined &&
      (BACKENDS as readonly string[]).includes(recorded.backend)
    ? recorded.backend as BackendName
    : undefined;
  if (recorded.wasmBuild !== undefined && recorded.wasmBuild !== wasmBuild) {
    note(
      `This run was trained with the ${recorded.wasmBuild} WASM build and continues with the ` +
        `${wasmBuild} one: its numbers will differ from an uninterrupted run (set ` +
        `CONVNET_WASM_RELAXED=${recorded.wasmBuild === "relaxed" ? 1 : 0} to match)`,
    );
  }
  return {
    ...run,
    cifar10Dir: run.cifar10Dir ?? recorded.cifar10Dir,
    threads: given("threads") ? run.threads : recorded.threads ?? run.threads,
    backend: given("backend") ? run.backend : backend ?? run.backend,
  };
}

async function readResume(dir: string): Promise<Resume> {
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
  const model = (state.progress as TrainProgress | null)?.config?.model;
  if (recorded.model !== undefined && recorded.model !== model) {
    throw new TypeError(
      `Cannot resume from "${dir}": its config.json is a ${recorded.model} run but its ` +
        `${CHECKPOINT_FILE} holds ${model}; put the run's own checkpoint back, or start a new ` +
        "run with another --out",
    );
  }
  return {
    dir,
    bytes,
    progress: state.progress as TrainProgress,
    normalization: state.normalization as NormalizationJSON,
    recorded,
  };
}

/** A new run must not mix its files with those of an earlier run in the same folder. */
async function refuseOldRun(out: string): Promise<void> {
  try {
    await Deno.stat(`${out}/${CHECKPOINT_FILE}`);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  throw new Error(
    `Cannot start a new run in "${out}": it holds a run already; continue it with ` +
      `--resume ${out}, or pass another --out`,
  );
}

/** The run's images, and the absolute path of the folder they came from. */
async function loadData(
  config: TrainConfig,
  run: RunOptions,
): Promise<{ data: TrainData; dir: string }> {
  const dir = resolve(
    await ensureCifar10({
      cifar10Dir: run.cifar10Dir,
      download: true,
      log: (line: string) => console.error(line),
    }),
  );
  const cifar = await loadCifar10(dir);
  const data = splitCifar10(cifar, {
    numTrain: config.numTrain,
    numVal: config.numVal,
    numTest: config.numTest,
  });
  return { data, dir };
}

/** Runs the training task with command-line `args`; returns the exit code. */
export async function train(args: string[]): Promise<number> {
  const parsed = parseTrainArgs(args);
  if (parsed.help) {
    console.log(TRAIN_HELP + (parsed.model ? `\n${recipeHelp(parsed.model)}\n` : ""));
    return 0;
  }
  const resume = parsed.run.resume === undefined ? undefined : await readResume(parsed.run.resume);
  const run = resume ? resumeRunOptions(parsed.run, resume.recorded, console.error) : parsed.run;
  const config = resume ? resume.progress.config : parsed.config!;
  if (!resume && run.out !== undefined) await refuseOldRun(run.out);
  const { data, dir: cifar10Dir } = await loadData(config, run).catch((e) => {
    if (!resume || run.explicit.includes("cifar10-dir") || run.cifar10Dir === undefined) throw e;
    throw new Error(
      `Cannot resume from "${resume.dir}": its config.json records the data in ` +
        `"${run.cifar10Dir}" (${(e as Error).message})`,
    );
  });
  if (usesRecipeSwitches(config) && run.backend !== "wasm" && run.backend !== "ref") {
    throw new RangeError(
      `Cannot use --backend ${run.backend} with the fast-recipe switches (parameter groups, ` +
        "lookahead, whitening): the GPU training step has none of them; use --backend wasm",
    );
  }
  let probed: TrainSession | undefined; // `auto` measures a step on the run's own session
  const backend = await selectTrainBackend(run.backend, run.threads, config.model, {
    probe: () =>
      probeStepTimes(probed = createSession(config, data, resume), data, createGpuRunner),
  });
  const session = probed ?? createSession(config, data, resume);
  if (resume) {
    loadTrainCheckpoint(resume.bytes, session.model, session.optimizer, {
      source: `"${resume.dir}/${CHECKPOINT_FILE}"`,
      expect: config.model,
      extra: session.average,
    });
    session.progress = resume.progress;
  }
  if (backend.name === "webgpu") session.runner = await createGpuRunner(session);
  const out = resume?.dir ?? await claimRunDir(config.model, run.out);
  const bar = new StepBar(() => `epoch ${session.progress.epoch + 1}/${config.epochs}`);
  const folder = new RunFolder(out, config.model, bar);
  await folder.create();
  if (!resume) await Deno.writeTextFile(folder.logPath, ""); // a new run starts a new log
  const resolved = {
    ...config,
    out,
    threads: backend.threads,
    backend: backend.name,
    wasmBuild,
    cifar10Dir,
    ...(backend.adapter ? { adapter: backend.adapter } : {}),
    imagesTrain: data.train.labels.length,
    model_description: session.model.toString(),
  };
  await folder.saveConfig(resolved);
  const p = session.progress;
  const resuming = `Resuming at epoch ${p.epoch + 1}, batch ${p.batch}, step ${p.step}. `;
  await folder.log(`${resume ? resuming : ""}Configuration: ${JSON.stringify(resolved)}`);
  if (!resume) await folder.saveCheckpoint(session);
  return await trainAndTest(session, data, folder, resolved);
}

async function trainAndTest(
  s: TrainSession,
  data: TrainData,
  folder: RunFolder,
  resolved: Record<string, unknown>,
): Promise<number> {
  let stop = false;
  const onSigint = () => {
    if (stop) Deno.exit(130); // a second Ctrl-C quits at once
    stop = true;
    folder.bar?.clear();
    console.error("Ctrl-C: saving a checkpoint after this batch (press Ctrl-C again to quit now)");
  };
  Deno.addSignalListener("SIGINT", onSigint);
  let outcome: "done" | "stopped";
  try {
    outcome = await trainEpochs(s, data, {
      log: (line) => folder.log(line),
      onBatch: (done, total) => folder.bar?.update(done, total),
      shouldStop: () => stop,
      onEpochEnd: async (session) => {
        // While the loss is above the divergence bar, the last good checkpoint and weights stay.
        if ((session.progress.watch?.over ?? 0) === 0) {
          await folder.saveCheckpoint(session);
          await folder.saveWeights(session, data.classes);
        }
        await folder.writePictures(session, resolved);
        await folder.saveTiming(session);
        const t = session.progress.timeline.at(-1)!;
        folder.bar?.clear();
        console.error(
          `epoch ${t.epoch}/${session.progress.config.epochs}: ${t.seconds.toFixed(1)} s ` +
            `training so far, val acc ${(100 * t.valAcc).toFixed(2)}%`,
        );
        folder.bar?.restart();
      },
    });
  } catch (e) {
    if (!(e instanceof DivergedError)) throw e;
    await folder.log(`${e.message} (${folder.checkpointPath})`);
    return 1;
  } finally {
    Deno.removeSignalListener("SIGINT", onSigint);
    s.runner?.destroy(); // training is over: the CPU model holds the synced weights
  }
  if (outcome === "stopped") {
    await folder.saveCheckpoint(s);
    await folder.saveWeights(s, data.classes);
    await folder.writePictures(s, resolved);
    await folder.log(
      `Interrupted at epoch ${
        s.progress.epoch + 1
      }, batch ${s.progress.batch}: checkpoint saved; ` +
        `continue with: deno task train --resume ${folder.dir}`,
    );
    return 130;
  }
  return await testRun(s, data, folder, resolved);
}

async function testRun(
  s: TrainSession,
  data: TrainData,
  folder: RunFolder,
  resolved: Record<string, unknown>,
): Promise<number> {
  const c = s.progress.config;
  const result = await evaluate(s.model, data.test, {
    normalize: s.normalization,
    batchSize: c.testBatchSize,
    tta: c.tta,
    ttaTranslate: c.ttaTranslate,
    nClasses: data.classes.length,
  });
  const testMetrics = await folder.saveTestMetrics(result, data.classes);
  await folder.writePictures(s, resolved, testMetrics);
  await folder.log(testLine(result));
  console.log(`run folder ${folder.dir} (open report.html)`);
  return 0;
}

if (import.meta.main) await runTask("train", () => train(Deno.args));
