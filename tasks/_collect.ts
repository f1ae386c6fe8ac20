/**
 * What `deno task collect` puts in `hw2_code.zip` (the homework's deliverables):
 *
 * - `models/*.ts` (the models), `tasks/train.ts`, `tasks/predict.ts` and their helpers (the
 *   homework's `train.py` and `test.py`);
 * - `run_convnet.sh`, `run_mymodel.sh`: the command of the best run of each model (its flags
 *   from `config.json`), else the default task;
 * - for the best run of each model, `<model>.log` and the three pictures at the top level, as
 *   the homework names them;
 * - every run's folder under `runs/<name>/` (log, metrics.csv, config.json, test_metrics.json,
 *   pictures, report.html; not the weights);
 * - `predictions.csv` when there is one;
 * - `extra.md`: a summary of every run (architecture, hyper-parameters, best accuracy).
 *
 * @module
 */

import { parseMetricsCsv } from "../train/viz/metrics.ts";
import { parseJson, type TestMetrics } from "../train/viz/plot.ts";

/** One run folder as collect reads it. */
export interface CollectedRun {
  /** The folder's name (last path component). */
  name: string;
  dir: string;
  config: Record<string, unknown>;
  model: string;
  bestValAcc: number | undefined;
  testMetrics: TestMetrics | undefined;
  /** Training seconds (timing.csv's last row), when known. */
  seconds: number | undefined;
  /** file name → bytes of the files to zip */
  files: Map<string, Uint8Array>;
}

const RUN_FILES = [
  "config.json",
  "timing.csv",
  "metrics.csv",
  "test_metrics.json",
  "report.html",
];

async function readOptional(path: string): Promise<Uint8Array | undefined> {
  try {
    return await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

/** Reads a run folder written by `deno task train`. */
export async function readRun(dir: string): Promise<CollectedRun> {
  const name = dir.replace(/\/+$/, "").split("/").pop()!;
  const configBytes = await readOptional(`${dir}/config.json`);
  if (configBytes === undefined) {
    throw new Error(`Cannot collect "${dir}": it has no config.json (is it a run folder?)`);
  }
  const config = parseJson(new TextDecoder().decode(configBytes), `${dir}/config.json`);
  const model = String(config.model);
  const files = new Map<string, Uint8Array>();
  const wanted = [
    ...RUN_FILES,
    `${model}.log`,
    `${model}_lossvstrain.png`,
    `${model}_valaccuracy.png`,
    `${model}_gridfilt.png`,
  ];
  for (const f of wanted) {
    const bytes = await readOptional(`${dir}/${f}`);
    if (bytes !== undefined) files.set(f, bytes);
  }
  let bestValAcc: number | undefined;
  const csv = files.get("metrics.csv");
  if (csv) {
    for (const r of parseMetricsCsv(new TextDecoder().decode(csv), `"${dir}/metrics.csv"`)) {
      if (r.valAcc !== undefined && !(r.valAcc <= (bestValAcc ?? -1))) bestValAcc = r.valAcc;
    }
  }
  const test = files.get("test_metrics.json");
  const testMetrics = test
    ? parseJson(new TextDecoder().decode(test), `${dir}/test_metrics.json`) as TestMetrics
    : undefined;
  const timing = files.get("timing.csv");
  const lastRow = timing
    ? new TextDecoder().decode(timing).trimEnd().split("\n").at(-1)
    : undefined;
  const seconds = lastRow === undefined ? undefined : Number(lastRow.split(",")[1]);
  return {
    name,
    dir,
    config,
    model,
    bestValAcc,
    testMetrics,
    seconds: Number.isFinite(seconds) ? seconds : undefined,
    files,
  };
}

/** The best run of each model: highest test accuracy, else highest validation accuracy. */
export function bestRuns(runs: readonly CollectedRun[]): Map<string, CollectedRun> {
  const score = (r: CollectedRun) => [r.testMetrics?.accuracy ?? -1, r.bestValAcc ?? -1];
  const best = new Map<string, CollectedRun>();
  for (const r of runs) {
    const b = best.get(r.model);
    const [t, v] = score(r), [bt, bv] = b ? score(b) : [-2, -2];
    if (!b || t > bt || (t === bt && v > bv)) best.set(r.model, r);
  }
  return best;
}

const FLAGS: Record<string, string> = {
  lr: "--lr",
  momentum: "--momentum",
  weightDecay: "--weight-decay",
  schedule: "--schedule",
  warmup: "--warmup",
  labelSmoothing: "--label-smoothing",
  batchSize: "--batch-size",
  epochs: "--epochs",
  hiddenDim: "--hidden-dim",
  kernelSize: "--kernel-size",
  seed: "--seed",
  testBatchSize: "--test-batch-size",
  logInterval: "--log-interval",
  numTrain: "--num-train",
  numVal: "--num-val",
  numTest: "--num-test",
};
const SWITCHES = ["nesterov", "augment", "tta"];

/**
 * `run_<model>.sh`: the command that trains a model with a run's recipe.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runScript } from "./_collect.ts";
 * const sh = runScript("convnet", { lr: 0.01, tta: false });
 * assert.ok(sh.includes("--model convnet \\\n  --lr 0.01 \\\n  --no-tta"));
 * ```
 */
export function runScript(model: string, config?: Record<string, unknown>): string {
  const args = [`--model ${model}`];
  if (config) {
    for (const [key, flag] of Object.entries(FLAGS)) {
      if (config[key] !== undefined) args.push(`${flag} ${config[key]}`);
    }
    for (const s of SWITCHES) {
      if (config[s] !== undefined) args.push(config[s] ? `--${s}` : `--no-${s}`);
    }
  }
  return `#!/bin/sh\n# Generated by deno task collect.\nexec deno task train \\\n  ${
    args.join(" \\\n  ")
  } \\\n  "$@"\n`;
}

const pct = (v: number | undefined) => (v === undefined ? "–" : `${(100 * v).toFixed(2)}%`);

/** `extra.md`: one section per run. */
export function extraMarkdown(runs: readonly CollectedRun[]): string {
  const out = [
    "# What we tried",
    "",
    "Generated by `deno task collect` from the run folders: one section per run, best first.",
    "",
    "| run | model | best val acc | test acc | training time |",
    "|---|---|---|---|---|",
  ];
  const sorted = [...runs].sort((a, b) =>
    (b.testMetrics?.accuracy ?? b.bestValAcc ?? -1) -
    (a.testMetrics?.accuracy ?? a.bestValAcc ?? -1)
  );
  for (const r of sorted) {
    const time = r.seconds === undefined ? "–" : `${(r.seconds / 60).toFixed(1)} min`;
    out.push(
      `| ${r.name} | ${r.model} | ${pct(r.bestValAcc)} | ${
        pct(r.testMetrics?.accuracy)
      } | ${time} |`,
    );
  }
  for (const r of sorted) {
    out.push("", `## ${r.name}`, "");
    if (r.config.model_description) {
      out.push("Architecture:", "", "```", String(r.config.model_description), "```", "");
    }
    out.push(
      `Best validation accuracy ${pct(r.bestValAcc)}; test accuracy ${
        pct(r.testMetrics?.accuracy)
      }${r.testMetrics ? ` (loss ${r.testMetrics.loss.toFixed(4)})` : ""}.`,
      "",
      "| hyper-parameter | value |",
      "|---|---|",
    );
    for (const [k, v] of Object.entries(r.config)) {
      if (k === "model_description") continue;
      out.push(`| ${k} | \`${typeof v === "string" ? v : JSON.stringify(v)}\` |`);
    }
  }
  return out.join("\n") + "\n";
}
