/**
 * The trainer Worker of the page (web/index.html): the entry of `web/dist/trainer.js`. It owns
 * the WASM memory and the kernel workers (started without blocking, see `setThreadsAsync`),
 * loads CIFAR-10 and runs the training loop of `deno task train` (`createSession`,
 * `trainEpochs`); the page only renders what it posts and sends commands. `Atomics.wait`, which
 * the kernels use, is allowed here but not on a page's main thread.
 *
 * Messages in: `{ type: "files", files: { name, bytes }[] }` (batches the user picked),
 * `{ type: "tarball", name, file }` (the CIFAR-10 tarball the user picked or dropped),
 * `{ type: "load", name, bytes }` (a weights file), `{ type: "evaluate", run: StartRun }`,
 * `{ type: "start", run: StartRun }`, `{ type: "pause" }`, `{ type: "resume" }`, `{ type: "stop" }`.
 * Messages out: see {@linkcode Posted}.
 *
 * Pause stops the loop between two steps (`trainEpochs` returns "stopped" with the session's
 * progress kept) and resume calls `trainEpochs` on the same session again, which continues from
 * that progress: the batches, augmentations and learning rates depend only on the seed, the
 * epoch and the batch index, so a paused-then-resumed run takes the steps of an uninterrupted one.
 *
 * @module
 */

import {
  type BatchSource,
  checkTrainConfig,
  createSession,
  DEFAULTS,
  evaluate,
  getThreads,
  loadCifar10Splits,
  META_FILE,
  Normalization,
  type NormalizationJSON,
  sessionWeights,
  setFloat32Backend,
  setThreadsAsync,
  TEST_BATCH_FILE,
  TRAIN_BATCH_FILES,
  type TrainConfig,
  type TrainData,
  trainEpochs,
  type TrainHooks,
  wasmBuild,
} from "./convnet.ts";
import { firstConvName, type ModelName } from "../../nn/checkpoint.ts";
import type { TrainSession } from "../../tasks/_train_loop.ts";
import type { MetricsRow } from "../../tasks/viz/metrics.ts";
import { type PanelEntry, predictPanel } from "./panel.ts";
import { pickedSources, tarballSources } from "./picked.ts";
import { trainTwoLayer, TWOLAYER, twoLayerConfig } from "./twolayer.ts";
import { yieldToEventLoop } from "../../tasks/_train_eval.ts";
import { decodePredictModel } from "../../tasks/_predict_model.ts";
import type { LoadedWeights } from "../../nn/checkpoint.ts";
import type { Module } from "../../nn/modules/module.ts";

/** What the page asks to train. */
export interface StartRun {
  /** `convnet`, `mymodel`, or the Part 1 `twolayer` (trained as `deno task train:twolayer`). */
  model: ModelName | typeof TWOLAYER;
  /** Settings that differ from the model's `deno task train` defaults. */
  overrides: Partial<TrainConfig>;
  threads: number;
  /** Where the batches are served (`deno task serve`: "cifar10/"), relative to the page. */
  dataUrl: string;
  /**
   * Start from the loaded weights file (its model, sizes and normalisation; the settings from
   * `overrides`), as `deno task train` resumes from a checkpoint's weights.
   */
  fromWeights?: boolean;
}

/** The test of a model on the first `numTest` test images. */
export interface TestResult {
  accuracy: number;
  loss: number;
  confusion: number[][];
  classes: string[];
}

/** The result of a run: the URL contract's `window.convnetResult`. */
export interface RunResult {
  steps: number;
  losses: number[];
  valAccuracy: number;
  imagesPerSecond: number;
  threads: number;
  crossOriginIsolated: boolean;
  backend: string;
  wasmBuild: string;
  outcome: "done" | "stopped";
  config: TrainConfig | ReturnType<typeof twoLayerConfig>;
  /** On the first `numTest` test images, after a finished run (absent when numTest is 0). */
  test?: TestResult;
  /** The panel of the first test images (without the pixels), after a finished run. */
  panel?: Omit<PanelEntry, "image">[];
  /** The best validation accuracy of a twolayer run (whose weights are the best ones). */
  bestValAccuracy?: number;
  /** Seconds from the start command to: threads ready, data loaded, session built, first step. */
  phases: { threads: number; data: number; session: number; firstStep: number };
}

/** What the trainer posts. */
export type Posted =
  | { type: "ready"; crossOriginIsolated: boolean; hardwareConcurrency: number }
  | { type: "status"; text: string }
  | { type: "files"; names: string[] }
  | {
    type: "step";
    step: number;
    loss: number;
    acc: number;
    epoch: number;
    seen: number;
    total: number;
    imagesPerSecond: number;
    secondsLeft: number;
    /** The step's metrics row (with the validation measures on a logged step). */
    row: MetricsRow;
  }
  | { type: "val"; step: number; valAcc: number; valLoss: number; line: string }
  | { type: "panel"; entries: PanelEntry[]; classes: string[] }
  | { type: "loaded"; name: string; model: string; text: string }
  | { type: "evaluated"; name: string; test: TestResult; panel: Omit<PanelEntry, "image">[] }
  | { type: "paused"; step: number }
  | { type: "resumed"; step: number }
  | { type: "done"; result: RunResult }
  | { type: "weights"; name: string; bytes: ArrayBuffer }
  | { type: "filters"; shape: number[]; data: Float32Array }
  | { type: "error"; message: string };

interface Scope {
  postMessage(message: Posted, transfer?: ArrayBuffer[]): void;
  onmessage: ((e: { data: Incoming }) => void) | null;
  crossOriginIsolated?: boolean;
  navigator: { hardwareConcurrency?: number };
  location: { href: string };
}
type Incoming =
  | { type: "files"; files: { name: string; bytes: ArrayBuffer }[] }
  | { type: "tarball"; name: string; file: Blob }
  | { type: "start"; run: StartRun }
  | { type: "load"; name: string; bytes: ArrayBuffer }
  | { type: "evaluate"; run: StartRun }
  | { type: "pause" }
  | { type: "resume" }
  | { type: "stop" };

const scope = globalThis as unknown as Scope;
const isolated = scope.crossOriginIsolated === true;
const post = (m: Posted) => scope.postMessage(m);
let picked: Map<string, BatchSource> | null = null;
let running = false, stopRequested = false, pauseRequested = false;
/** The weights file the user loaded, to evaluate or to continue from. */
let loaded: { name: string; weights: LoadedWeights } | null = null;
/** Resolves the wait of a paused run (set while paused). */
let wake: (() => void) | null = null;

/** Bytes `start … end-1` of `url`: a range request, or the whole file where ranges are not served. */
async function fetchRange(url: URL, start: number, end: number): Promise<Uint8Array> {
  if (end <= start) return new Uint8Array(0);
  const response = await fetch(url, { headers: { range: `bytes=${start}-${end - 1}` } });
  if (!response.ok) {
    throw new Error(`Cannot read ${url.href}: the server answered ${response.status}`);
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  return response.status === 206 ? bytes : bytes.subarray(start, end);
}

/** The batches the server offers under `dataUrl`, found with HEAD requests. */
async function served(dataUrl: string): Promise<Map<string, BatchSource>> {
  const base = new URL(dataUrl, scope.location.href);
  const names = [...TRAIN_BATCH_FILES, TEST_BATCH_FILE, META_FILE];
  const found = new Map<string, BatchSource>();
  await Promise.all(names.map(async (name) => {
    const url = new URL(name, base);
    const head = await fetch(url, { method: "HEAD" });
    if (!head.ok) return;
    const size = Number(head.headers.get("content-length"));
    found.set(name, { name, size, read: (start = 0, end = size) => fetchRange(url, start, end) });
  }));
  if (TRAIN_BATCH_FILES.every((n) => !found.has(n))) {
    throw new Error(
      `Cannot load CIFAR-10 from ${base.href}: the server has none of its batches; start ` +
        "deno task serve with --cifar10-dir DIR (or CIFAR10_DIR), or pick the batch files",
    );
  }
  return found;
}

/** Posts a copy of the first conv layer's weights (F, C, KH, KW), for the filter grid. */
function postFilters(session: TrainSession): void {
  const name = firstConvName(session.model);
  const w = name === undefined ? undefined : session.model.stateDict().get(name);
  if (!w) return;
  const data = Float32Array.from(w.data);
  scope.postMessage({ type: "filters", shape: [...w.shape], data }, [data.buffer]);
}

/** The loaded weights, or an error saying to load a file first. */
function loadedWeights(what: string): { name: string; weights: LoadedWeights } {
  if (loaded === null) {
    throw new Error(`Cannot ${what}: no weights are loaded; pick a .safetensors file first`);
  }
  return loaded;
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

/** Starts the kernel threads (one without cross-origin isolation, saying so). */
async function startThreads(wanted: number): Promise<void> {
  let threads = wanted;
  if (threads > 1 && !isolated) {
    post({
      type: "status",
      text: `Not cross-origin isolated: training on 1 thread instead of ${threads}`,
    });
    threads = 1;
  }
  setFloat32Backend("wasm");
  post({ type: "status", text: `Starting ${threads} thread${threads === 1 ? "" : "s"}…` });
  await setThreadsAsync(threads);
}

/** The splits of the run, from the picked files or the server. */
async function loadData(
  run: StartRun,
  config: { numTrain: number; numVal: number; numTest: number },
) {
  post({ type: "status", text: "Loading CIFAR-10…" });
  const sources = picked ?? await served(run.dataUrl);
  return await loadCifar10Splits(sources, {
    numTrain: config.numTrain,
    numVal: config.numVal,
    numTest: config.numTest,
  });
}

/** Tests a model on the test split (posting its panel): what a finished run and Evaluate show. */
async function testModel(
  model: Module,
  data: TrainData,
  options: { normalize: Normalization; batchSize: number; tta: boolean },
): Promise<{ test: TestResult; panel: Omit<PanelEntry, "image">[] }> {
  post({ type: "status", text: `Testing on ${data.test.labels.length} test images…` });
  const t = await evaluate(model, data.test, { ...options, nClasses: data.classes.length });
  const test = {
    accuracy: t.correct / t.total,
    loss: t.loss,
    confusion: t.confusion,
    classes: data.classes,
  };
  const entries = predictPanel(model, data.test, options);
  post({ type: "panel", entries, classes: data.classes });
  return { test, panel: entries.map(({ label, predicted, top }) => ({ label, predicted, top })) };
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

/**
 * Between two Solver iterations: posts the iteration's step (its metrics row complete with the
 * check's measures), lets messages in, waits while paused; true to stop.
 */
async function between(): Promise<boolean> {
  if (pendingStep) post(pendingStep);
  pendingStep = null;
  await yieldToEventLoop();
  if (pauseRequested && !stopRequested) {
    post({ type: "paused", step: stepsDone });
    await new Promise<void>((resolve) => (wake = resolve));
    wake = null;
    pauseRequested = false;
    if (!stopRequested) post({ type: "resumed", step: stepsDone });
  }
  return stopRequested;
}
let stepsDone = 0;
let pendingStep: Extract<Posted, { type: "step" }> | null = null;

/** A run of the Part 1 two-layer net, as `deno task train:twolayer` trains it. */
async function startTwoLayer(run: StartRun): Promise<void> {
  if (run.fromWeights) {
    throw new Error(
      "Cannot train twolayer from loaded weights: the page continues convnet and mymodel " +
        "weights only; uncheck Train from the loaded weights",
    );
  }
  const config = twoLayerConfig(run.overrides as Record<string, unknown>);
  const t0 = performance.now(), since = () => (performance.now() - t0) / 1000;
  const phases = { threads: NaN, data: NaN, session: NaN, firstStep: NaN };
  await startThreads(run.threads);
  phases.threads = since();
  const data = await loadData(run, { ...config, numTest: 0 });
  phases.data = since();
  phases.session = since();
  post({ type: "status", text: `Training twolayer on ${data.train.labels.length} images` });
  stepsDone = 0;
  let started = performance.now();
  const r = await trainTwoLayer(config, data, {
    onIteration(it, total, loss) {
      if (it === 1) {
        phases.firstStep = since();
        started = performance.now();
      }
      stepsDone = it;
      const perEpoch = total / config.epochs, seen = ((it - 1) % perEpoch + 1) * config.batchSize;
      const rate = it * config.batchSize / Math.max((performance.now() - started) / 1000, 1e-3);
      pendingStep = {
        type: "step",
        step: it - 1,
        loss,
        acc: NaN,
        epoch: Math.floor((it - 1) / perEpoch) + 1,
        seen,
        total: perEpoch * config.batchSize,
        imagesPerSecond: rate,
        secondsLeft: (total - it) * config.batchSize / rate,
        // The row train:twolayer writes into metrics.csv; a check adds its measures.
        row: { iteration: it, epoch: (it - 1) / perEpoch, trainLoss: loss },
      };
    },
    onCheck(check, line) {
      if (pendingStep) {
        Object.assign(pendingStep.row, {
          trainAcc: check.trainAcc,
          valAcc: check.valAcc,
          lr: check.learningRate,
        });
      }
      post({ type: "val", step: check.iteration - 1, valAcc: check.valAcc, valLoss: NaN, line });
    },
    between,
  });
  scope.postMessage({ type: "filters", ...r.filters }, [r.filters.data.buffer as ArrayBuffer]);
  const bytes = new Uint8Array(r.weights).buffer;
  scope.postMessage({ type: "weights", name: `${TWOLAYER}.safetensors`, bytes }, [bytes]);
  post({
    type: "done",
    result: {
      steps: r.losses.length,
      losses: r.losses,
      valAccuracy: r.checks.at(-1)?.valAcc ?? NaN,
      imagesPerSecond: r.losses.length * config.batchSize / r.seconds,
      threads: getThreads(),
      crossOriginIsolated: isolated,
      backend: "wasm",
      wasmBuild,
      outcome: r.outcome,
      config,
      phases,
      bestValAccuracy: r.bestValAcc,
    },
  });
}

async function start(run: StartRun): Promise<void> {
  if (run.model === TWOLAYER) return await startTwoLayer(run);
  const config = configOf(run);
  const t0 = performance.now(), since = () => (performance.now() - t0) / 1000;
  const phases = { threads: NaN, data: NaN, session: NaN, firstStep: NaN };
  await startThreads(run.threads);
  phases.threads = since();
  const data = await loadData(run, config);
  phases.data = since();
  const session = sessionFor(run, config, data);
  phases.session = since();
  post({ type: "status", text: `Training ${config.model} on ${data.train.labels.length} images` });
  const hooks: TrainHooks = {
    log: (line) => {
      const row = session.progress.metrics.at(-1)!;
      post({ type: "val", step: row.iteration, valAcc: row.valAcc!, valLoss: row.valLoss!, line });
      postFilters(session);
    },
    onBatch: (seen, total) => {
      const p = session.progress, row = p.metrics.at(-1)!;
      if (p.step === 1) phases.firstStep = since();
      const done = p.step * config.batchSize;
      const rate = Math.min(done, p.epoch * total + seen) / p.seconds;
      const left = config.epochs * total - (p.epoch * total + seen);
      post({
        type: "step",
        step: row.iteration,
        loss: row.trainLoss ?? NaN,
        acc: row.trainAcc ?? NaN,
        epoch: p.epoch + 1,
        seen,
        total,
        imagesPerSecond: rate,
        secondsLeft: left / rate,
        row,
      });
    },
    shouldStop: () => stopRequested || pauseRequested,
  };
  let outcome = await trainEpochs(session, data, hooks);
  while (outcome === "stopped" && pauseRequested && !stopRequested) {
    post({ type: "paused", step: session.progress.step });
    await new Promise<void>((resolve) => (wake = resolve));
    wake = null;
    pauseRequested = false;
    if (stopRequested) break;
    post({ type: "resumed", step: session.progress.step });
    outcome = await trainEpochs(session, data, hooks);
  }
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
  const weights = sessionWeights(session, data.classes);
  const bytes = new Uint8Array(weights).buffer; // a copy of its own to transfer
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
      backend: "wasm",
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
  const weights = decodePredictModel(new Uint8Array(bytes), `"${name}"`);
  const { config, metadata } = weights;
  loaded = { name, weights };
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
      stopRequested = true;
      wake?.();
    } else if (m.type === "pause") {
      if (running) pauseRequested = true;
    } else if (m.type === "resume") {
      if (wake) wake();
      else pauseRequested = false; // asked before the loop reached the pause
    } else if (m.type === "files" || m.type === "tarball") {
      if (running) throw new Error("Cannot change the data during a run: stop it first");
      const files = m.type === "files"
        ? pickedSources(m.files.map((f) => ({ name: f.name, bytes: new Uint8Array(f.bytes) })))
        : await tarballSources(m.name, m.file);
      picked = files;
      post({ type: "files", names: [...files.keys()] });
    } else if (m.type === "load") {
      if (running) throw new Error("Cannot load weights during a run: stop it first");
      load(m.name, m.bytes);
    } else if (m.type === "start" || m.type === "evaluate") {
      if (running) throw new Error("Cannot start: a run is in progress; stop it first");
      running = true;
      stopRequested = false;
      pauseRequested = false;
      try {
        await (m.type === "start" ? start(m.run) : evaluateLoaded(m.run));
      } finally {
        running = false;
      }
    }
  } catch (e) {
    post({ type: "error", message: e instanceof Error ? e.message : String(e) });
  }
};

post({
  type: "ready",
  crossOriginIsolated: isolated,
  hardwareConcurrency: scope.navigator.hardwareConcurrency ?? 1,
});
