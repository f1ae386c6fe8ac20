/**
 * The trainer Worker of the page (web/index.html): the entry of `web/dist/trainer.js`. It owns
 * the WASM memory and the kernel workers (started without blocking, see `setThreadsAsync`),
 * loads CIFAR-10 and trains with the training library's `Trainer`, as `deno task train` does;
 * the page only renders what it posts (the trainer's events, as messages) and sends commands. `Atomics.wait`, which
 * the kernels use, is allowed here but not on a page's main thread. Its parts: the messages
 * (`_trainer_messages.ts`), the shared scope, state and run steps (`_trainer_io.ts`), and the
 * Part 1 run (`_trainer_twolayer.ts`).
 *
 * Messages in: `{ type: "files", files: { name, bytes }[] }` (batches the user picked),
 * `{ type: "tarball", name, file }` (the CIFAR-10 tarball the user picked or dropped),
 * `{ type: "load", name, bytes }` (a weights file), `{ type: "evaluate", run: StartRun }`,
 * `{ type: "start", run: StartRun }`, `{ type: "pause" }`, `{ type: "resume" }`, `{ type: "stop" }`.
 * Messages out: see {@linkcode Posted}.
 *
 * Pause, resume and stop go to the `Trainer` (between two steps): a paused-then-resumed run
 * takes the steps of an uninterrupted one (train/trainer.ts). The Part 1 run, trained by the
 * `Solver`, pauses through the shared state (`waitWhilePaused`).
 *
 * @module
 */

import {
  checkTrainConfig,
  createSession,
  DEFAULTS,
  getThreads,
  Normalization,
  type NormalizationJSON,
  type TrainConfig,
  type TrainData,
  Trainer,
  wasmBuild,
} from "./convnet.ts";
import type { LoadedWeights, ModelName } from "../../nn/checkpoint.ts";
import type { TrainSession } from "../../train/loop.ts";
import { decodePredictModel } from "../../train/predict_model.ts";
import { pickedSources, tarballSources } from "./picked.ts";
import { decodePartOne, TWOLAYER } from "./twolayer.ts";
import type { RunResult, StartRun } from "./_trainer_messages.ts";
import {
  isolated,
  loadData,
  post,
  postFilters,
  scope,
  startThreads,
  state,
  testModel,
} from "./_trainer_io.ts";
import { startTwoLayer } from "./_trainer_twolayer.ts";
import { type AdapterSummary, describeAdapter, findAdapter } from "../../kernels/webgpu/_device.ts";
import { createGpuRunner } from "../../train/gpu.ts";

/** How long the trainer waits for a WebGPU adapter before saying it has none (ms). */
const ADAPTER_TIMEOUT_MS = 2000;

export type { Posted, RunResult, StartRun, TestResult } from "./_trainer_messages.ts";

/** The loaded weights, or an error saying to load a file first. */
function loadedWeights(what: string): { name: string; weights: LoadedWeights } {
  if (state.loaded === null) {
    throw new Error(`Cannot ${what}: no weights are loaded; pick a .safetensors file first`);
  }
  return state.loaded;
}

/** The run's configuration: the model's defaults, then the loaded file's model, then the form. */
function configOf(run: StartRun): TrainConfig {
  const from = run.fromWeights ? loadedWeights("continue from weights").weights.config : null;
  const model = from?.name ?? run.model as ModelName;
  const defaults = DEFAULTS[model];
  if (!defaults) {
    throw new RangeError(
      `Cannot train model "${model}": choose ${Object.keys(DEFAULTS).join(" or ")}`,
    );
  }
  const sizes = from ? { hiddenDim: from.hiddenDim, kernelSize: from.kernelSize } : {};
  const config: TrainConfig = { ...defaults, ...run.overrides, ...sizes, model };
  checkTrainConfig(config);
  return config;
}

/** A fresh session, or one holding the loaded weights and their normalisation. */
function sessionFor(run: StartRun, config: TrainConfig, data: TrainData): TrainSession {
  if (!run.fromWeights) return createSession(config, data);
  const { name, weights } = loadedWeights("continue from weights");
  const norm = weights.normalization as NormalizationJSON | undefined;
  const session = createSession(config, data, norm ? { normalization: norm } : undefined);
  try {
    session.model.loadStateDict(weights.model.stateDict());
  } catch (e) {
    throw new TypeError(`Cannot continue from "${name}": ${(e as Error).message}`);
  }
  return session;
}

/** Runs a trainer, posting its events as the page's messages; returns how the run ended. */
async function postEvents(trainer: Trainer, onFirstStep: () => void): Promise<"done" | "stopped"> {
  if (state.pauseRequested) trainer.pause(); // asked while the run was starting
  if (state.stopRequested) trainer.stop();
  state.trainer = trainer;
  const epochs = trainer.session.progress.config.epochs;
  let outcome: "done" | "stopped" = "done";
  try {
    for await (const e of trainer) {
      if (e.type === "validation") {
        const { valAcc, valLoss, line } = e;
        post({ type: "val", step: e.row.iteration, valAcc, valLoss, line });
        postFilters(trainer.session);
      } else if (e.type === "step") {
        if (e.step === 1) onFirstStep();
        const { loss, acc, epoch, seen, total, imagesPerSecond, row } = e;
        const left = epochs * total - ((epoch - 1) * total + seen);
        const secondsLeft = left / imagesPerSecond;
        const step = row.iteration;
        post({
          type: "step",
          step,
          loss,
          acc,
          epoch,
          seen,
          total,
          imagesPerSecond,
          secondsLeft,
          row,
        });
      } else if (e.type === "paused" || e.type === "resumed") post({ type: e.type, step: e.step });
      else if (e.type === "stopped") outcome = "stopped";
    }
  } finally {
    state.trainer = null;
  }
  return outcome;
}

async function start(run: StartRun): Promise<void> {
  if (run.model === TWOLAYER || (run.fromWeights && state.partOne)) {
    return await startTwoLayer(run);
  }
  const config = configOf(run);
  const t0 = performance.now(), since = () => (performance.now() - t0) / 1000;
  const phases = { threads: NaN, data: NaN, session: NaN, firstStep: NaN };
  await startThreads(run.threads);
  phases.threads = since();
  const data = await loadData(run, config);
  phases.data = since();
  const session = sessionFor(run, config, data);
  if (run.backend === "webgpu") session.runner = await createGpuRunner(session);
  phases.session = since();
  post({ type: "status", text: `Training ${config.model} on ${data.train.labels.length} images` });
  const trainer = new Trainer(session, data, { test: false }); // tested below, with its panel
  const outcome = await postEvents(trainer, () => (phases.firstStep = since()));
  const p = session.progress;
  const images = p.metrics.length === 0 ? 0 : Math.min(
    p.step * config.batchSize,
    p.epoch * data.train.labels.length + p.batch * config.batchSize,
  );
  const lastVal = [...p.metrics].reverse().find((m) => m.valAcc !== undefined);
  postFilters(session);
  let test: RunResult["test"], panel: RunResult["panel"];
  if (outcome === "done" && data.test.labels.length > 0) {
    ({ test, panel } = await testModel(session.model, data, {
      normalize: session.normalization,
      batchSize: config.testBatchSize,
      tta: config.tta,
    }));
  }
  const bytes = new Uint8Array(trainer.weights()).buffer; // a copy of its own to transfer
  scope.postMessage({ type: "weights", name: `${config.model}.safetensors`, bytes }, [bytes]);
  post({
    type: "done",
    result: {
      steps: p.step,
      losses: p.metrics.map((m) => m.trainLoss ?? NaN),
      valAccuracy: lastVal?.valAcc ?? NaN,
      imagesPerSecond: images / p.seconds,
      threads: getThreads(),
      crossOriginIsolated: isolated,
      backend: run.backend === "webgpu" ? "webgpu" : "wasm",
      wasmBuild,
      outcome,
      config,
      ...(test ? { test } : {}),
      ...(panel ? { panel } : {}),
      phases,
    },
  });
}

/** Reads a picked weights file with `deno task predict`'s code (and messages). */
function load(name: string, bytes: ArrayBuffer): void {
  const partOne = decodePartOne(new Uint8Array(bytes), `"${name}"`);
  if (partOne) {
    state.loaded = null;
    state.partOne = { name, weights: partOne, bytes: new Uint8Array(bytes) };
    const { net, numFilters: f, filterSize: k, hiddenDim } = partOne;
    post({
      type: "loaded",
      name,
      model: TWOLAYER,
      net,
      text: `Loaded ${name}: the Part 1 ${net}-layer net of train:twolayer (${f} filters ` +
        `${k}×${k}${net === "three" ? `, hidden ${hiddenDim}` : ""}); Train continues from it ` +
        "(deno task predict, and so Evaluate, does not read Part 1 weights)",
    });
    return;
  }
  const weights = decodePredictModel(new Uint8Array(bytes), `"${name}"`);
  state.partOne = null;
  const { config, metadata } = weights;
  state.loaded = { name, weights };
  const tta = metadata.tta === "true" ? ", flip TTA" : "";
  post({
    type: "loaded",
    name,
    model: config.name,
    text: `Loaded ${name}: ${config.name} (hidden ${config.hiddenDim}, kernel ` +
      `${config.kernelSize}${tta}); Evaluate tests it, Train continues from it`,
  });
}

/** Tests the loaded weights on the run's test images, as `deno task predict` predicts them. */
async function evaluateLoaded(run: StartRun): Promise<void> {
  // predict refuses Part 1 weights: its message
  if (state.partOne) decodePredictModel(state.partOne.bytes, `"${state.partOne.name}"`);
  const { name, weights } = loadedWeights("evaluate");
  const config = configOf({ ...run, fromWeights: true });
  if (config.numTest < 1) {
    throw new RangeError(`Cannot evaluate on ${config.numTest} test images: ask for 1 or more`);
  }
  await startThreads(run.threads);
  const data = await loadData(run, config);
  const norm = weights.normalization as NormalizationJSON | undefined;
  const { test, panel } = await testModel(weights.model, data, {
    normalize: norm ? Normalization.fromJSON(norm) : Normalization.none(),
    batchSize: config.testBatchSize,
    tta: weights.metadata.tta === "true",
  });
  post({ type: "evaluated", name, test, panel });
}

scope.onmessage = async ({ data: m }) => {
  try {
    if (m.type === "stop") {
      state.stopRequested = true;
      state.wake?.();
      state.trainer?.stop();
    } else if (m.type === "pause") {
      if (state.running) state.pauseRequested = true;
      state.trainer?.pause();
    } else if (m.type === "resume") {
      if (state.wake) state.wake();
      else state.pauseRequested = false; // asked before the loop reached the pause
      state.trainer?.resume();
    } else if (m.type === "files" || m.type === "tarball") {
      if (state.running) throw new Error("Cannot change the data during a run: stop it first");
      const files = m.type === "files"
        ? pickedSources(m.files.map((f) => ({ name: f.name, bytes: new Uint8Array(f.bytes) })))
        : await tarballSources(m.name, m.file);
      state.picked = files;
      post({ type: "files", names: [...files.keys()] });
    } else if (m.type === "load") {
      if (state.running) throw new Error("Cannot load weights during a run: stop it first");
      load(m.name, m.bytes);
    } else if (m.type === "start" || m.type === "evaluate") {
      if (state.running) throw new Error("Cannot start: a run is in progress; stop it first");
      state.running = true;
      state.stopRequested = false;
      state.pauseRequested = false;
      try {
        await (m.type === "start" ? start(m.run) : evaluateLoaded(m.run));
      } finally {
        state.running = false;
      }
    }
  } catch (e) {
    post({ type: "error", message: e instanceof Error ? e.message : String(e) });
  }
};

/** The adapter WebGPU offers here, or null (none, or no answer in ADAPTER_TIMEOUT_MS). */
async function adapterHere(): Promise<AdapterSummary | null> {
  const timeout = new Promise<null>((resolve) => setTimeout(resolve, ADAPTER_TIMEOUT_MS, null));
  const adapter = await Promise.race([findAdapter(), timeout]);
  return adapter ? describeAdapter(adapter) : null;
}

post({
  type: "ready",
  crossOriginIsolated: isolated,
  hardwareConcurrency: scope.navigator.hardwareConcurrency ?? 1,
  gpu: await adapterHere(),
});
