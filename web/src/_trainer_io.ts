/**
 * What the trainer Worker's parts share: its scope and state, and the steps every run takes
 * (threads, data, the test with its panel, the filter grid).
 *
 * @module
 */

import {
  type BatchSource,
  evaluate,
  loadCifar10Splits,
  META_FILE,
  type Normalization,
  setFloat32Backend,
  setThreadsAsync,
  TEST_BATCH_FILE,
  TRAIN_BATCH_FILES,
  type TrainData,
} from "./convnet.ts";
import { firstConvName, type LoadedWeights } from "../../nn/checkpoint.ts";
import type { Module } from "../../nn/modules/module.ts";
import type { TrainSession } from "../../train/loop.ts";
import type { Trainer } from "../../train/trainer.ts";
import { predictPanel } from "./panel.ts";
import type { Incoming, Posted, StartRun, TestResult } from "./_trainer_messages.ts";
import type { PanelEntry } from "./panel.ts";
import type { PartOneWeights } from "./twolayer.ts";

/** The Worker's global scope, as the trainer uses it. */
export interface Scope {
  postMessage(message: Posted, transfer?: ArrayBuffer[]): void;
  onmessage: ((e: { data: Incoming }) => void) | null;
  crossOriginIsolated?: boolean;
  navigator: { hardwareConcurrency?: number };
  location: { href: string };
}
/** The trainer's scope. */
export const scope = globalThis as unknown as Scope;
/** Whether the page is cross-origin isolated (threads allowed). */
export const isolated = scope.crossOriginIsolated === true;
/** Posts a message to the page. */
export const post = (m: Posted): void => scope.postMessage(m);

/** What the trainer holds between messages. */
export const state = {
  /** The batches the user picked (files or tarball), else null: the served ones. */
  picked: null as Map<string, BatchSource> | null,
  running: false,
  stopRequested: false,
  pauseRequested: false,
  /** The weights file the user loaded, to evaluate or to continue from. */
  loaded: null as { name: string; weights: LoadedWeights } | null,
  /** A loaded Part 1 weights file (train:twolayer's), to continue; its bytes for the refusal. */
  partOne: null as { name: string; weights: PartOneWeights; bytes: Uint8Array } | null,
  /** The run of convnet or mymodel in progress, which pause, resume and stop go to. */
  trainer: null as Trainer | null,
  /** Resolves the wait of a paused Part 1 run (set while paused). */
  wake: null as (() => void) | null,
};

/**
 * Waits while a pause is asked for (posting "paused" at `step`, then "resumed"); resolves true
 * when the run should stop instead.
 */
export async function waitWhilePaused(step: number): Promise<boolean> {
  if (state.pauseRequested && !state.stopRequested) {
    post({ type: "paused", step });
    await new Promise<void>((resolve) => (state.wake = resolve));
    state.wake = null;
    state.pauseRequested = false;
    if (!state.stopRequested) post({ type: "resumed", step });
  }
  return state.stopRequested;
}

/** Bytes `start … end-1` of `url`: a range request, or the whole file where ranges are not served. */
export async function fetchRange(url: URL, start: number, end: number): Promise<Uint8Array> {
  if (end <= start) return new Uint8Array(0);
  const response = await fetch(url, { headers: { range: `bytes=${start}-${end - 1}` } });
  if (!response.ok) {
    throw new Error(`Cannot read ${url.href}: the server answered ${response.status}`);
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  return response.status === 206 ? bytes : bytes.subarray(start, end);
}

/** The batches the server offers under `dataUrl`, found with HEAD requests. */
export async function served(dataUrl: string): Promise<Map<string, BatchSource>> {
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
export function postFilters(session: TrainSession): void {
  const name = firstConvName(session.model);
  const w = name === undefined ? undefined : session.model.stateDict().get(name);
  if (!w) return;
  const data = Float32Array.from(w.data);
  scope.postMessage({ type: "filters", shape: [...w.shape], data }, [data.buffer]);
}

/** Starts the kernel threads (one without cross-origin isolation, saying so). */
export async function startThreads(wanted: number): Promise<void> {
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
export async function loadData(
  run: StartRun,
  config: { numTrain: number; numVal: number; numTest: number },
) {
  post({ type: "status", text: "Loading CIFAR-10…" });
  const sources = state.picked ?? await served(run.dataUrl);
  return await loadCifar10Splits(sources, {
    numTrain: config.numTrain,
    numVal: config.numVal,
    numTest: config.numTest,
  });
}

/** Tests a model on the test split (posting its panel): what a finished run and Evaluate show. */
export async function testModel(
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
