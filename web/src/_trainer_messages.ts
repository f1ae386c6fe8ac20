/**
 * The messages between the page (web/app.js) and its trainer Worker (web/src/trainer.ts), and
 * what a run reports.
 *
 * @module
 */

import type { ModelName } from "../../nn/checkpoint.ts";
import type { TrainConfig } from "../../train/config.ts";
import type { MetricsRow } from "../../train/viz/metrics.ts";
import type { PanelEntry } from "./panel.ts";
import type { AdapterSummary } from "../../kernels/webgpu/_device.ts";
import type { TWOLAYER, TwoLayerRunConfig } from "./twolayer.ts";

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
  /** "webgpu": the steps of convnet and mymodel on the GPU (`--backend webgpu`); else WASM. */
  backend?: "wasm" | "webgpu";
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
  config: TrainConfig | TwoLayerRunConfig;
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
  | {
    type: "ready";
    crossOriginIsolated: boolean;
    hardwareConcurrency: number;
    /** The WebGPU adapter the trainer found (a software fallback is flagged), or null. */
    gpu: AdapterSummary | null;
  }
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
  | { type: "loaded"; name: string; model: string; net?: string; text: string }
  | { type: "evaluated"; name: string; test: TestResult; panel: Omit<PanelEntry, "image">[] }
  | { type: "paused"; step: number }
  | { type: "resumed"; step: number }
  | { type: "done"; result: RunResult }
  | { type: "weights"; name: string; bytes: ArrayBuffer }
  | { type: "filters"; shape: number[]; data: Float32Array }
  | { type: "error"; message: string };

/** What the page sends. */
export type Incoming =
  | { type: "files"; files: { name: string; bytes: ArrayBuffer }[] }
  | { type: "tarball"; name: string; file: Blob }
  | { type: "start"; run: StartRun }
  | { type: "load"; name: string; bytes: ArrayBuffer }
  | { type: "evaluate"; run: StartRun }
  | { type: "pause" }
  | { type: "resume" }
  | { type: "stop" };
