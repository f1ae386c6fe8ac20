/**
 * The run folder of `deno task train` (the contract of `train/viz/plot.ts`):
 *
 * - `<model>.log`: the resolved configuration, the homework's log lines, and last the line
 *   `test set: Average loss: …, Accuracy: …/… (…%)`;
 * - `config.json`, `metrics.csv`, `<model>_lossvstrain.png`, `<model>_valaccuracy.png`,
 *   `<model>_gridfilt.png`, `report.html`, `test_metrics.json`: refreshed every epoch (the test
 *   results at the end);
 * - `timing.csv`: per epoch, the training seconds so far (validation included) and the
 *   validation loss and accuracy: the accuracy/time curve;
 * - `<model>.safetensors`: the weights (`nn/checkpoint.ts`), every epoch;
 * - `checkpoint.safetensors`: the training checkpoint for `--resume`, every epoch and on Ctrl-C.
 *
 * Every file but the log is written atomically. The pictures and `report.html` are drawn by the
 * charts of `./viz/mod.ts` (npm Vega and resvg), which the caller passes in as
 * {@linkcode RunCharts}: this module, and so `mod.ts`, imports no npm package.
 *
 * @module
 */

import { firstConvName } from "../nn/checkpoint.ts";
import { formatDuration } from "../data/_progress.ts";
import {
  type ConvWeights,
  formatMetricsCsv,
  type RunData,
  type TestMetrics,
} from "./viz/metrics.ts";
import { writeFileAtomic } from "../nn/_atomic.ts";
import { sessionCheckpoint, sessionWeights, type TrainSession } from "./loop.ts";
import { type EvalResult, perClassAccuracy } from "./eval.ts";

/** The training checkpoint's file name inside a run folder. */
export const CHECKPOINT_FILE = "checkpoint.safetensors";

/**
 * `runs/<model>-<UTC timestamp>`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultOutDir } from "./files.ts";
 * assert.equal(defaultOutDir("convnet", new Date(Date.UTC(2026, 10, 27, 16, 5, 9))), "runs/convnet-20261127-160509");
 * ```
 */
export function defaultOutDir(model: string, now = new Date()): string {
  const t = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `runs/${model}-${t}`;
}

/** Files whose presence marks a folder as holding a run already. */
const RUN_MARKERS = [CHECKPOINT_FILE, "config.json"];

/**
 * The folder of a new run, created now and empty of any earlier run: `out` when given (refused
 * when it holds a run already: its config.json or checkpoint), else `runs/<model>-<timestamp>`,
 * with `-2`, `-3`, … appended when a run started in the same second holds that name (the
 * folder is claimed by an exclusive mkdir, so two runs never share one).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { claimRunDir } from "./files.ts";
 * const root = await Deno.makeTempDir();
 * const now = new Date(Date.UTC(2026, 10, 27, 16, 5, 9));
 * const a = await claimRunDir("twolayer", undefined, { now, root });
 * const b = await claimRunDir("twolayer", undefined, { now, root });
 * assert.equal(a, `${root}/runs/twolayer-20261127-160509`);
 * assert.equal(b, `${root}/runs/twolayer-20261127-160509-2`);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function claimRunDir(
  model: string,
  out?: string,
  options: { now?: Date; root?: string } = {},
): Promise<string> {
  if (out !== undefined) {
    await refuseRunDir(out);
    await Deno.mkdir(out, { recursive: true });
    return out;
  }
  const base = defaultOutDir(model, options.now);
  const path = options.root === undefined ? base : `${options.root}/${base}`;
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  for (let k = 1;; k++) {
    const dir = k === 1 ? path : `${path}-${k}`;
    try {
      await Deno.mkdir(dir);
      return dir;
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
    }
  }
}

/** Throws when `dir` holds a run already (its config.json or training checkpoint). */
export async function refuseRunDir(dir: string, advice = "pass another --out"): Promise<void> {
  for (const file of RUN_MARKERS) {
    try {
      await Deno.stat(`${dir}/${file}`);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) continue;
      throw e;
    }
    throw new Error(
      `Cannot start a new run in "${dir}": it holds a run already; ${advice} (found its ${file})`,
    );
  }
}

/** A progress bar on stderr, drawn only when stderr is a terminal. */
export class StepBar {
  #last = 0;
  #start = performance.now();
  #shown = false;
  /** A bar whose text starts with `label()`; drawn only when `enabled`. */
  constructor(private label: () => string, readonly enabled: boolean = Deno.stderr.isTerminal()) {}

  /** Redraws (at most 5 times a second). */
  update(done: number, total: number): void {
    const now = performance.now();
    if (!this.enabled || now - this.#last < 200) return;
    this.#last = now;
    const width = 24, f = Math.min(1, done / total), fill = Math.round(f * width);
    const rate = done / Math.max(1e-3, (now - this.#start) / 1000);
    const line = `${this.label()} [${"#".repeat(fill)}${"-".repeat(width - fill)}] ${
      Math.floor(100 * f)
    }%  ${rate.toFixed(0)} img/s  ${formatDuration((total - done) / rate)} left`;
    Deno.stderr.writeSync(new TextEncoder().encode(`\r${line}\x1b[K`));
    this.#shown = true;
  }

  /** Starts timing a new pass. */
  restart(): void {
    this.#start = performance.now();
  }

  /** Erases the bar so a log line can be printed. */
  clear(): void {
    if (!this.#shown) return;
    Deno.stderr.writeSync(new TextEncoder().encode("\r\x1b[K"));
    this.#shown = false;
  }
}

/** What draws a run's pictures and report: `./viz/mod.ts` (`import * as charts from …`). */
export interface RunCharts {
  /** `<model>_lossvstrain.png`, `<model>_valaccuracy.png` and `<model>_gridfilt.png`. */
  writeRunPictures(
    dir: string,
    input: { model: string; metrics: RunData["metrics"]; firstConv?: ConvWeights },
  ): Promise<unknown>;
  /** `report.html`. */
  writeReport(dir: string, run: RunData): Promise<unknown>;
}

/** How a {@linkcode RunFolder} prints and draws. */
export interface RunFolderOptions {
  /** The progress bar that `log()` clears before it prints. */
  bar?: StepBar;
  /** Draws the pictures and the report; without it a run folder gets neither. */
  charts?: RunCharts;
}

/**
 * Writes the files of one run folder.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RunFolder } from "./files.ts";
 * const dir = await Deno.makeTempDir();
 * const folder = new RunFolder(dir, "convnet");
 * await folder.saveConfig({ model: "convnet" });
 * assert.equal(folder.checkpointPath, `${dir}/checkpoint.safetensors`);
 * assert.equal(JSON.parse(await Deno.readTextFile(`${dir}/config.json`)).model, "convnet");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class RunFolder {
  /** The progress bar that `log()` clears before it prints. */
  readonly bar?: StepBar;
  #charts?: RunCharts;

  /** A folder `dir` for the files of a `model` run (file names start with it). */
  constructor(readonly dir: string, readonly model: string, options: RunFolderOptions = {}) {
    this.bar = options.bar;
    this.#charts = options.charts;
  }

  /** `<model>.log`. */
  get logPath(): string {
    return `${this.dir}/${this.model}.log`;
  }
  /** `<model>.safetensors`. */
  get weightsPath(): string {
    return `${this.dir}/${this.model}.safetensors`;
  }
  /** `checkpoint.safetensors`. */
  get checkpointPath(): string {
    return `${this.dir}/${CHECKPOINT_FILE}`;
  }

  /** Creates the folder. */
  async create(): Promise<void> {
    await Deno.mkdir(this.dir, { recursive: true });
  }

  /**
   * Prints a line and appends it to `<model>.log` at once (synchronously, so that callers
   * inside a synchronous training loop keep every line even if the run then crashes).
   */
  log(line: string): void {
    this.bar?.clear();
    console.log(line);
    Deno.writeTextFileSync(this.logPath, line + "\n", { append: true });
  }

  /** The training checkpoint (weights, optimizer, progress), atomically. */
  async saveCheckpoint(s: TrainSession): Promise<void> {
    await writeFileAtomic(this.checkpointPath, sessionCheckpoint(s));
  }

  /** `<model>.safetensors`, with the training configuration and classes in its metadata. */
  async saveWeights(s: TrainSession, classes: readonly string[]): Promise<void> {
    await writeFileAtomic(this.weightsPath, sessionWeights(s, classes));
  }

  /** config.json (the recipe and how it was run). */
  async saveConfig(config: Record<string, unknown>): Promise<void> {
    await writeFileAtomic(`${this.dir}/config.json`, JSON.stringify(config, null, 2) + "\n");
  }

  /** metrics.csv, and with the charts the pictures and report.html. */
  async writePictures(
    s: TrainSession,
    config: Record<string, unknown>,
    testMetrics?: TestMetrics,
  ): Promise<void> {
    const metrics = s.progress.metrics;
    await writeFileAtomic(`${this.dir}/metrics.csv`, formatMetricsCsv(metrics));
    const charts = this.#charts;
    if (charts === undefined) return;
    const name = firstConvName(s.model);
    const w = name === undefined ? undefined : s.model.stateDict().get(name)!;
    const firstConv: ConvWeights | undefined = w
      ? { data: w.data, shape: [...w.shape] }
      : undefined;
    await charts.writeRunPictures(this.dir, { model: this.model, metrics, firstConv });
    const run: RunData = { model: this.model, config, metrics, firstConv, testMetrics };
    await charts.writeReport(this.dir, run);
  }

  /** timing.csv: per epoch, the training seconds so far and the validation accuracy. */
  async saveTiming(s: TrainSession): Promise<void> {
    const rows = s.progress.timeline.map((t) =>
      `${t.epoch},${t.seconds.toFixed(3)},${t.valLoss},${t.valAcc}`
    );
    await writeFileAtomic(
      `${this.dir}/timing.csv`,
      ["epoch,seconds,val_loss,val_acc", ...rows].join("\n") + "\n",
    );
  }

  /** test_metrics.json from a test-set evaluation; returns what it wrote. */
  async saveTestMetrics(r: EvalResult, classes: readonly string[]): Promise<TestMetrics> {
    const t: TestMetrics = {
      accuracy: r.correct / r.total,
      loss: r.loss,
      perClassAccuracy: perClassAccuracy(r.confusion),
      confusion: r.confusion,
      classes: [...classes],
    };
    await writeFileAtomic(`${this.dir}/test_metrics.json`, JSON.stringify(t) + "\n");
    return t;
  }
}
