/**
 * The pictures of a training run, written into its run folder.
 *
 * ## The run-folder contract
 *
 * A training task writes, in its run folder:
 * - `metrics.csv`: header `iteration,epoch,train_loss,val_loss,train_acc,val_acc,lr`, one row per
 *   logged iteration, an empty cell where a value was not measured at that iteration; accuracies
 *   are fractions 0..1 (see {@linkcode "./metrics.ts"}: `formatMetricsCsv`, `metricsCsvLine`).
 * - `config.json`: the run's resolved configuration (the model name in `"model"`, the
 *   hyper-parameters), shown in the report.
 * - `<model>.safetensors`: the weights. The first conv layer's weight (F, C, KH, KW) is the
 *   tensor named by `__metadata__.first_conv` when present, else the first rank-4 tensor by
 *   data offset.
 * - optionally `test_metrics.json`: `{ accuracy, loss, perClassAccuracy: number[10],
 *   confusion: number[10][10], classes: string[10] }` (confusion[true][predicted] counts);
 *   the report then shows the per-class table and the confusion matrix.
 *
 * From these, {@linkcode writeRunPictures} and `writeReport` (in `./report.ts`) write
 * `<model>_lossvstrain.png` (train and val loss against iterations), `<model>_valaccuracy.png`
 * (val and train accuracy), `<model>_gridfilt.png` (the first-layer filters) and
 * `report.html`; the `<model>` prefix is config.json's `"model"` (or `deno task plot --name`).
 * Training tasks call them at the end of every epoch with in-memory data; `deno task plot <run
 * folder>` regenerates everything from the files ({@linkcode loadRun}). Every file is written
 * atomically, so a picture being watched is never half-written.
 *
 * @module
 */

import { loadSafetensors, type SafeTensor, type SafeTensors } from "../../nn/safetensors.ts";
import { accuracyChartOptions, lineChartSpec, lossChartOptions, type XAxis } from "./chart.ts";
import { type FilterGridOptions, filterGridPng } from "./filter_grid.ts";
import { writeFileAtomic } from "./image.ts";
import { formatMetricsCsv, type MetricsRow, parseMetricsCsv } from "./metrics.ts";
import { vegaLiteToPng } from "./render.ts";
import type { ConvWeights, RunData, TestMetrics } from "./metrics.ts";

export type { RunData, TestMetrics } from "./metrics.ts";

/** What the run pictures are drawn from. */
export interface RunPicturesInput {
  /** The file-name prefix, e.g. `"convnet"`. */
  model: string;
  metrics: readonly MetricsRow[];
  /** The first conv layer's weights (F, C, KH, KW); no grid is drawn without them. */
  firstConv?: ConvWeights;
  /** x axis of the curves (default `"iteration"`). */
  x?: XAxis;
  /** Log scale for the loss axis (default false, as in the homework). */
  logLoss?: boolean;
  grid?: FilterGridOptions;
}

/** Which files were written, and which were not and why (e.g. no validation yet). */
export interface WrittenFiles {
  written: string[];
  skipped: { file: string; reason: string }[];
}

/** The output file names of a run for a model prefix. */
export function runFileNames(model: string): { loss: string; accuracy: string; grid: string } {
  if (!/^[\w.-]+$/.test(model)) {
    throw new RangeError(
      `Cannot name run pictures after "${model}": use letters, digits, ".", "_" or "-"`,
    );
  }
  return {
    loss: `${model}_lossvstrain.png`,
    accuracy: `${model}_valaccuracy.png`,
    grid: `${model}_gridfilt.png`,
  };
}

/**
 * Writes the loss curve, the accuracy curve and the filter grid of a run into `runDir`.
 * A picture that cannot be drawn yet (no validation measured, no weights given, a diverged run)
 * is skipped with its reason instead of failing the training run that asked for it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeRunPictures } from "./plot.ts";
 * const dir = await Deno.makeTempDir();
 * const metrics = [
 *   { iteration: 0, trainLoss: 2.3, valLoss: 2.3, valAcc: 0.1 },
 *   { iteration: 10, trainLoss: 2.0, valLoss: 2.1, valAcc: 0.2 },
 * ];
 * const out = await writeRunPictures(dir, { model: "convnet", metrics });
 * assert.deepEqual(out.written, ["convnet_lossvstrain.png", "convnet_valaccuracy.png"]);
 * assert.equal(out.skipped[0].file, "convnet_gridfilt.png");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeRunPictures(
  runDir: string,
  input: RunPicturesInput,
): Promise<WrittenFiles> {
  const names = runFileNames(input.model);
  const result: WrittenFiles = { written: [], skipped: [] };
  const attempt = async (file: string, draw: () => Promise<Uint8Array> | Uint8Array) => {
    try {
      await writeFileAtomic(`${runDir}/${file}`, await draw());
      result.written.push(file);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      result.skipped.push({ file, reason: e.message });
    }
  };
  await attempt(
    names.loss,
    () =>
      vegaLiteToPng(
        lineChartSpec(lossChartOptions(input.metrics, { x: input.x, logY: input.logLoss })),
      ),
  );
  await attempt(
    names.accuracy,
    () => vegaLiteToPng(lineChartSpec(accuracyChartOptions(input.metrics, { x: input.x }))),
  );
  const conv = input.firstConv;
  if (conv) await attempt(names.grid, () => filterGridPng(conv, input.grid));
  else result.skipped.push({ file: names.grid, reason: "no first-layer weights were given" });
  return result;
}

/** Writes `metrics.csv` of a run (the whole history, atomically: safe to call every epoch). */
export async function writeMetrics(runDir: string, rows: readonly MetricsRow[]): Promise<void> {
  await writeFileAtomic(`${runDir}/metrics.csv`, formatMetricsCsv(rows));
}

/** The first conv layer's weight: `__metadata__.first_conv`, else the first rank-4 tensor. */
export function firstConvWeight(st: SafeTensors, source = "the weights"): SafeTensor {
  const named = st.metadata.first_conv;
  if (named !== undefined) {
    const t = st.tensors.get(named);
    if (!t) {
      throw new TypeError(
        `Cannot find the first conv layer in ${source}: __metadata__.first_conv names ` +
          `"${named}" but there is no such tensor (tensors: ${[...st.tensors.keys()].join(", ")})`,
      );
    }
    return t;
  }
  for (const t of st.tensors.values()) if (t.shape.length === 4) return t;
  throw new TypeError(`Cannot find the first conv layer in ${source}: no tensor has rank 4`);
}

/**
 * `JSON.parse` of a run file's text, with a TypeError that names the file and what to do.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseJson } from "./plot.ts";
 * assert.throws(() => parseJson("{", "runs/x/config.json"), /Cannot read "runs\/x\/config.json": it is not JSON/);
 * ```
 */
// deno-lint-ignore no-explicit-any
export function parseJson(text: string, path: string): any {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new TypeError(
      `Cannot read "${path}": it is not JSON (${(e as Error).message}); restore it, or delete it ` +
        "and rerun the training task",
    );
  }
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

/** Reads a run folder (see the contract above); `name` overrides config.json's `"model"`. */
export async function loadRun(runDir: string, options: { name?: string } = {}): Promise<RunData> {
  const csv = await readIfExists(`${runDir}/metrics.csv`);
  if (csv === undefined) {
    throw new Error(
      `Cannot plot "${runDir}": it has no metrics.csv (is it a run folder? runs/<model>-<time> ` +
        "of a training task holds one)",
    );
  }
  const configText = await readIfExists(`${runDir}/config.json`);
  const config = configText === undefined ? {} : parseJson(configText, `${runDir}/config.json`);
  const model = options.name ?? config.model;
  if (typeof model !== "string" || model === "") {
    throw new TypeError(
      `Cannot name the pictures of "${runDir}": config.json has no "model" string; pass --name`,
    );
  }
  const metrics = parseMetricsCsv(csv, `"${runDir}/metrics.csv"`);
  let firstConv: ConvWeights | undefined;
  const weights = `${runDir}/${model}.safetensors`;
  try {
    const w = firstConvWeight(await loadSafetensors(weights), `"${weights}"`);
    if (!(w.data instanceof Float32Array || w.data instanceof Float64Array)) {
      throw new TypeError(
        `Cannot draw the filters of "${weights}": they are ${w.dtype}, not F32/F64`,
      );
    }
    firstConv = { data: w.data, shape: w.shape };
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  const test = await readIfExists(`${runDir}/test_metrics.json`);
  const testMetrics = test === undefined
    ? undefined
    : parseJson(test, `${runDir}/test_metrics.json`) as TestMetrics;
  return { model, config, metrics, firstConv, testMetrics };
}
