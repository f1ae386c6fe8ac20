/**
 * The training log of a run, `metrics.csv`: one row per logged iteration,
 *
 * ```
 * iteration,epoch,train_loss,val_loss,train_acc,val_acc,lr
 * 0,0,2.3026,2.3020,0.09,0.1,0.001
 * 10,0.2,2.1,,,,0.001
 * ```
 *
 * with an empty cell where a value was not measured at that iteration (validation is usually
 * measured once per epoch). Accuracies are fractions in 0..1; `epoch` may be fractional
 * (iteration / iterations per epoch). `NaN` and `Infinity` are written as such: they are
 * measurements (a diverged run), not gaps, and plots mark them.
 *
 * @module
 */

/** The columns of `metrics.csv`, in order. */
export const METRICS_COLUMNS = [
  "iteration",
  "epoch",
  "train_loss",
  "val_loss",
  "train_acc",
  "val_acc",
  "lr",
] as const;

/** One logged iteration; a missing field was not measured then. */
export interface MetricsRow {
  /** The optimizer step, 0-based. */
  iteration: number;
  /** Epochs done (fractional: steps / steps per epoch). */
  epoch?: number;
  /** The batch's training loss. */
  trainLoss?: number;
  /** The validation loss. */
  valLoss?: number;
  /** The batch's training accuracy. */
  trainAcc?: number;
  /** The validation accuracy. */
  valAcc?: number;
  /** The learning rate. */
  lr?: number;
}

/** Weights of a conv layer. data: (F, C, KH, KW) */
export interface ConvWeights {
  /** The weights, (F, C, KH, KW) in order. */
  data: ArrayLike<number>;
  /** [F, C, KH, KW]. */
  shape: readonly number[];
}

/** A run's test results, as `test_metrics.json` holds them. */
export interface TestMetrics {
  /** A fraction. */
  accuracy: number;
  /** Mean cross-entropy. */
  loss: number;
  /** Per class, fractions (NaN: no images). */
  perClassAccuracy: number[];
  /** confusion[true class][predicted class]: counts. */
  confusion: number[][];
  /** The class names, by label. */
  classes: string[];
}

/**
 * Everything a run folder holds that the pictures and the report use (stated here, with no
 * npm package imported, so the training library can name it without loading the charts).
 */
export interface RunData {
  /** The file-name prefix of the pictures. */
  model: string;
  /** The run's resolved configuration. */
  config: Record<string, unknown>;
  /** The rows of metrics.csv. */
  metrics: MetricsRow[];
  /** The first conv layer's weights. */
  firstConv?: ConvWeights;
  /** The test results, once tested. */
  testMetrics?: TestMetrics;
}

/** The numeric fields of a row other than `iteration`. */
export type MetricName = Exclude<keyof MetricsRow, "iteration">;

const FIELD: Record<(typeof METRICS_COLUMNS)[number], keyof MetricsRow> = {
  iteration: "iteration",
  epoch: "epoch",
  train_loss: "trainLoss",
  val_loss: "valLoss",
  train_acc: "trainAcc",
  val_acc: "valAcc",
  lr: "lr",
};

/** The header line of `metrics.csv` (no newline). */
export const METRICS_HEADER: string = METRICS_COLUMNS.join(",");

/**
 * One CSV line (no newline) for a row: empty cells for missing values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { metricsCsvLine } from "./metrics.ts";
 * assert.equal(metricsCsvLine({ iteration: 5, trainLoss: 2.5, lr: 1e-3 }), "5,,2.5,,,,0.001");
 * ```
 */
export function metricsCsvLine(row: MetricsRow): string {
  return METRICS_COLUMNS.map((c) => {
    const v = row[FIELD[c]];
    return v === undefined ? "" : String(v);
  }).join(",");
}

/** The whole `metrics.csv` text for `rows`, header first, one line per row. */
export function formatMetricsCsv(rows: readonly MetricsRow[]): string {
  return [METRICS_HEADER, ...rows.map(metricsCsvLine)].join("\n") + "\n";
}

/**
 * Parses `metrics.csv` text. Columns may come in any order and unknown ones are ignored, but
 * `iteration` must be there. `source` names the text in error messages.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMetricsCsv } from "./metrics.ts";
 * const rows = parseMetricsCsv("iteration,train_loss,val_acc\n0,2.3,\n10,NaN,0.25\n");
 * assert.deepEqual(rows[0], { iteration: 0, trainLoss: 2.3 });
 * assert.ok(Number.isNaN(rows[1].trainLoss));
 * assert.equal(rows[1].valAcc, 0.25);
 * ```
 */
export function parseMetricsCsv(text: string, source = "metrics.csv"): MetricsRow[] {
  const lines = text.split(/\r?\n/);
  const header = lines[0].trim().split(",").map((h) => h.trim());
  if (!header.includes("iteration")) {
    throw new TypeError(
      `Cannot read ${source}: its header "${lines[0]}" has no "iteration" column; ` +
        `expected "${METRICS_HEADER}"`,
    );
  }
  const fields = header.map((h) => (FIELD as Record<string, keyof MetricsRow>)[h]);
  const rows: MetricsRow[] = [];
  for (let l = 1; l < lines.length; l++) {
    if (lines[l].trim() === "") continue;
    const cells = lines[l].split(",");
    const row: Partial<MetricsRow> = {};
    for (let c = 0; c < fields.length; c++) {
      const cell = (cells[c] ?? "").trim();
      if (fields[c] === undefined || cell === "") continue;
      const v = Number(cell);
      if (Number.isNaN(v) && cell !== "NaN") {
        throw new TypeError(
          `Cannot read ${source} line ${l + 1}: "${cell}" in column ${header[c]} is not a number`,
        );
      }
      row[fields[c]] = v;
    }
    if (row.iteration === undefined || !Number.isFinite(row.iteration)) {
      throw new TypeError(`Cannot read ${source} line ${l + 1}: the iteration cell is empty`);
    }
    rows.push(row as MetricsRow);
  }
  return rows;
}
