/**
 * The trainer Worker of the page (web/index.html): the entry of `web/dist/trainer.js`. It owns
 * the WASM memory and the kernel workers (started without blocking, see `setThreadsAsync`),
 * loads CIFAR-10 and runs the training loop of `deno task train` (`createSession`,
 * `trainEpochs`); the page only renders what it posts and sends commands. `Atomics.wait`, which
 * the kernels use, is allowed here but not on a page's main thread.
 *
 * Messages in: `{ type: "files", files: { name, bytes }[] }` (batches the user picked),
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
  checkBatchFile,
  checkTrainConfig,
  createSession,
  DEFAULTS,
  evaluate,
  getThreads,
  loadCifar10Splits,
  META_FILE,
  sessionWeights,
  setFloat32Backend,
  setThreadsAsync,
  TEST_BATCH_FILE,
  TRAIN_BATCH_FILES,
  type TrainConfig,
  trainEpochs,
  type TrainHooks,
  wasmBuild,
} from "./convnet.ts";
import { firstConvName, type ModelName } from "../../nn/checkpoint.ts";
import type { TrainSession } from "../../tasks/_train_loop.ts";
import { type PanelEntry, predictPanel } from "./panel.ts";

/** What the page asks to train. */
export interface StartRun {
  model: ModelName;
  /** Settings that differ from the model's `deno task train` defaults. */
  overrides: Partial<TrainConfig>;
  threads: number;
  /** Where the batches are served (`deno task serve`: "cifar10/"), relative to the page. */
  dataUrl: string;
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
  config: TrainConfig;
  /** On the first `numTest` test images, after a finished run (absent when numTest is 0). */
  test?: { accuracy: number; loss: number; confusion: number[][]; classes: string[] };
  /** The panel of the first test images (without the pixels), after a finished run. */
  panel?: Omit<PanelEntry, "image">[];
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
  }
  | { type: "val"; step: number; valAcc: number; valLoss: number; line: string }
  | { type: "panel"; entries: PanelEntry[]; classes: string[] }
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
  | { type: "start"; run: StartRun }
  | { type: "pause" }
  | { type: "resume" }
  | { type: "stop" };

const scope = globalThis as unknown as Scope;
const isolated = scope.crossOriginIsolated === true;
const post = (m: Posted) => scope.postMessage(m);
let picked: Map<string, BatchSource> | null = null;
let running = false, stopRequested = false, pauseRequested = false;
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

async function start(run: StartRun): Promise<void> {
  const defaults = DEFAULTS[run.model];
  if (!defaults) {
    throw new RangeError(
      `Cannot train model "${run.model}": choose ${Object.keys(DEFAULTS).join(" or ")}`,
    );
  }
  const config: TrainConfig = { ...defaults, ...run.overrides, model: run.model };
  checkTrainConfig(config);
  const t0 = performance.now(), since = () => (performance.now() - t0) / 1000;
  const phases = { threads: NaN, data: NaN, session: NaN, firstStep: NaN };
  let threads = run.threads;
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
  phases.threads = since();
  post({ type: "status", text: "Loading CIFAR-10…" });
  const sources = picked ?? await served(run.dataUrl);
  const data = await loadCifar10Splits(sources, {
    numTrain: config.numTrain,
    numVal: config.numVal,
    numTest: config.numTest,
  });
  phases.data = since();
  const session = createSession(config, data);
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
    post({ type: "status", text: `Testing on ${data.test.labels.length} test images…` });
    const t = await evaluate(session.model, data.test, {
      normalize: session.normalization,
      batchSize: config.testBatchSize,
      tta: config.tta,
      nClasses: data.classes.length,
    });
    test = {
      accuracy: t.correct / t.total,
      loss: t.loss,
      confusion: t.confusion,
      classes: data.classes,
    };
    const entries = predictPanel(session.model, data.test, {
      normalize: session.normalization,
      tta: config.tta,
    });
    post({ type: "panel", entries, classes: data.classes });
    panel = entries.map(({ label, predicted, top }) => ({ label, predicted, top }));
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
    } else if (m.type === "files") {
      const files = new Map<string, BatchSource>();
      for (const f of m.files) {
        checkBatchFile(f.name, f.bytes.byteLength);
        files.set(f.name, {
          name: f.name,
          size: f.bytes.byteLength,
          read: (start = 0, end = f.bytes.byteLength) =>
            Promise.resolve(new Uint8Array(f.bytes, start, end - start)),
        });
      }
      const missing = TRAIN_BATCH_FILES.filter((n) => !files.has(n));
      if (missing.length > 0) {
        throw new Error(
          `Cannot use these files: ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} ` +
            "missing; pick all five training batches of the binary format",
        );
      }
      picked = files;
      post({ type: "files", names: [...files.keys()] });
    } else if (m.type === "start") {
      if (running) throw new Error("Cannot start: a run is in progress; stop it first");
      running = true;
      stopRequested = false;
      pauseRequested = false;
      try {
        await start(m.run);
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
