/**
 * `deno task train` (and `train:convnet`, `train:mymodel`): the homework's `train.py`. Trains a
 * model on CIFAR-10 and writes its run folder (see `train/files.ts`). Ctrl-C saves a
 * checkpoint and stops; `--resume DIR` continues exactly where it stopped. Run with `--help`.
 * It parses the flags, loads the data, picks the backend, and prints what the training
 * library's `Trainer` (train/trainer.ts) yields; the trainer writes the run folder.
 *
 * @module
 */

import { runTask } from "../train/cli.ts";
import { resolve } from "node:path";
import { ensureCifar10, loadCifar10, splitCifar10 } from "../data/mod.ts";
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
import { CHECKPOINT_FILE, claimRunDir, RunFolder, StepBar } from "../train/files.ts";
import { testLine } from "../train/log.ts";
import {
  createSession,
  DivergedError,
  type TrainData,
  type TrainSession,
  usesRecipeSwitches,
} from "../train/loop.ts";
import { resumeSession, Trainer } from "../train/trainer.ts";
import { readSavedRun, type RecordedRun, type SavedRun } from "../train/saved_run.ts";
import * as charts from "../train/viz/mod.ts";

export type { RecordedRun } from "../train/saved_run.ts";

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
  const saved = parsed.run.resume === undefined ? undefined : await readSavedRun(parsed.run.resume);
  const run = saved ? resumeRunOptions(parsed.run, saved.recorded, console.error) : parsed.run;
  const config = saved ? saved.config : parsed.config!;
  if (!saved && run.out !== undefined) await refuseOldRun(run.out);
  const { data, dir: cifar10Dir } = await loadData(config, run).catch((e) => {
    if (!saved || run.explicit.includes("cifar10-dir") || run.cifar10Dir === undefined) throw e;
    throw new Error(
      `Cannot resume from "${saved.dir}": its config.json records the data in ` +
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
    probe: () => probeStepTimes(probed = openSession(config, data, saved), data, createGpuRunner),
  });
  const session = probed ?? openSession(config, data, saved);
  if (backend.name === "webgpu") session.runner = await createGpuRunner(session);
  const out = saved?.dir ?? await claimRunDir(config.model, run.out);
  const bar = new StepBar(() => `epoch ${session.progress.epoch + 1}/${config.epochs}`);
  const folder = new RunFolder(out, config.model, { bar, charts });
  await folder.create();
  if (!saved) await Deno.writeTextFile(folder.logPath, ""); // a new run starts a new log
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
  const p = session.progress;
  const resuming = `Resuming at epoch ${p.epoch + 1}, batch ${p.batch}, step ${p.step}. `;
  folder.log(`${saved ? resuming : ""}Configuration: ${JSON.stringify(resolved)}`);
  // Tested even with --num-test 0, as always: the test line ends the log.
  const trainer = new Trainer(session, data, { folder, record: resolved, test: true });
  return await trainAndTest(trainer, folder, bar);
}

/** A new session, or the saved run's, restored from its checkpoint. */
function openSession(config: TrainConfig, data: TrainData, saved?: SavedRun): TrainSession {
  if (!saved) return createSession(config, data);
  return resumeSession(saved.bytes, data, `"${saved.dir}/${CHECKPOINT_FILE}"`);
}

/** Runs the trainer, printing its events; Ctrl-C stops it with a checkpoint. */
async function trainAndTest(trainer: Trainer, folder: RunFolder, bar: StepBar): Promise<number> {
  let stopping = false;
  const onSigint = () => {
    if (stopping) Deno.exit(130); // a second Ctrl-C quits at once
    stopping = true;
    bar.clear();
    console.error("Ctrl-C: saving a checkpoint after this batch (press Ctrl-C again to quit now)");
    trainer.stop();
  };
  Deno.addSignalListener("SIGINT", onSigint);
  try {
    for await (const e of trainer) {
      if (e.type === "validation") folder.log(e.line);
      else if (e.type === "step") bar.update(e.seen, e.total);
      else if (e.type === "epochEnd") {
        bar.clear();
        console.error(
          `epoch ${e.epoch}/${e.epochs}: ${e.seconds.toFixed(1)} s training so far, ` +
            `val acc ${(100 * e.valAcc).toFixed(2)}%`,
        );
        bar.restart();
      } else if (e.type === "stopped") {
        folder.log(
          `Interrupted at epoch ${e.epoch}, batch ${e.batch}: checkpoint saved; ` +
            `continue with: deno task train --resume ${folder.dir}`,
        );
        return 130;
      } else if (e.type === "done") {
        folder.log(testLine(e.test!));
        console.log(`run folder ${folder.dir} (open report.html)`);
      }
    }
    return 0;
  } catch (e) {
    if (!(e instanceof DivergedError)) throw e;
    folder.log(`${e.message} (${folder.checkpointPath})`);
    return 1;
  } finally {
    Deno.removeSignalListener("SIGINT", onSigint);
  }
}

if (import.meta.main) await runTask("train", () => train(Deno.args));
