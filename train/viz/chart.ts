/**
 * Line charts of training curves as Vega-Lite specs: one spec gives both the PNG (through
 * {@linkcode "./render.ts"}) and the interactive chart of the HTML report.
 *
 * A value that was not measured is simply absent; a value that was measured but is NaN or ±∞
 * (or ≤ 0 on a log axis) breaks its line there and is marked by a dashed red rule, so a diverged
 * run shows where it diverged instead of crashing the plot.
 *
 * @module
 */

import type { TopLevelSpec } from "vega-lite";
import type { MetricName, MetricsRow } from "./metrics.ts";

/** One curve: points (x[i], y[i]); y may hold NaN/±∞, which are marked as gaps. */
export interface Series {
  name: string;
  /** CSS colour, e.g. `"#1f77b4"`. */
  color: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Line width in pixels (default 2, or 1 for dense series of more than 400 points). */
  width?: number;
}

/** What a line chart shows. */
export interface LineChartOptions {
  title: string;
  xTitle: string;
  yTitle: string;
  series: Series[];
  /** Logarithmic y axis (for losses). */
  logY?: boolean;
  /** d3-format of the y axis labels, e.g. `".0%"` for accuracies. */
  yFormat?: string;
  /** Plot area size in CSS pixels (default 640 × 360). */
  width?: number;
  height?: number;
}

/** The colours of the curves (matplotlib's, as in the homework's notebooks). */
export const COLORS = {
  train: "#1f77b4",
  trainLight: "#aec7e8",
  val: "#ff7f0e",
  bad: "#d62728",
} as const;

/** The font the PNGs are drawn with (shipped by the `dejavu-fonts-ttf` package). */
export const FONT_FAMILY = "DejaVu Sans";

interface Datum {
  x: number;
  y: number | null;
  series: string;
  bad?: true;
  /** Draw a dot: the series is sparse (validation once an epoch, say). */
  dot?: true;
  /** Line width: thinner for dense, noisy series (per-iteration training loss). */
  width: number;
}

const MAX_DOTS = 40;
const DENSE = 400;

function chartData(o: LineChartOptions): { values: Datum[]; names: string[]; bad: number } {
  const values: Datum[] = [];
  const names: string[] = [];
  let good = 0, bad = 0;
  for (const s of o.series) {
    if (s.x.length !== s.y.length) {
      throw new TypeError(
        `Cannot plot "${o.title}": series "${s.name}" has ${s.x.length} x values but ` +
          `${s.y.length} y values`,
      );
    }
    if (s.x.length === 0) continue;
    names.push(s.name);
    const dot = s.x.length <= MAX_DOTS, width = s.width ?? (s.x.length > DENSE ? 1 : 2);
    for (let i = 0; i < s.x.length; i++) {
      const y = s.y[i];
      const ok = Number.isFinite(y) && !(o.logY && y <= 0);
      // Flags only where true: a long run's report carries every datum.
      const d: Datum = { x: s.x[i], y: ok ? y : null, series: s.name, width };
      if (!ok) d.bad = true;
      if (dot) d.dot = true;
      values.push(d);
      if (ok) good++;
      else bad++;
    }
  }
  if (good === 0) {
    throw new RangeError(
      `Cannot plot "${o.title}": there is nothing to draw (${
        bad === 0 ? "no series has any measured value" : `all ${bad} values are NaN, ±∞ or ≤ 0`
      }); log more iterations before plotting`,
    );
  }
  return { values, names, bad };
}

/**
 * The Vega-Lite spec of a line chart: title, axis titles, a legend, a log axis on request,
 * and dashed red rules where a value is not finite.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lineChartSpec } from "./chart.ts";
 * const spec = lineChartSpec({
 *   title: "Loss",
 *   xTitle: "iteration",
 *   yTitle: "loss",
 *   series: [{ name: "train", color: "#1f77b4", x: [0, 1, 2], y: [2.3, NaN, 1.9] }],
 * });
 * assert.equal(spec.title, "Loss");
 * assert.throws(() => lineChartSpec({ title: "Empty", xTitle: "", yTitle: "", series: [] }), {
 *   name: "RangeError",
 * });
 * ```
 */
export function lineChartSpec(o: LineChartOptions): TopLevelSpec {
  const { values, names, bad } = chartData(o);
  const badLabel = o.logY ? "NaN, ±∞ or ≤ 0" : "NaN or ±∞";
  const domain = bad > 0 ? [...names, badLabel] : names;
  const range = [...o.series.filter((s) => s.x.length > 0).map((s) => s.color), COLORS.bad];
  const color = {
    field: "series",
    type: "nominal" as const,
    title: null,
    scale: { domain, range: range.slice(0, domain.length) },
    legend: {
      orient: "right" as const,
      symbolType: "stroke",
      symbolStrokeWidth: 3,
      labelLimit: 400,
      labelFontSize: 12,
    },
  };
  const x = { field: "x", type: "quantitative" as const, title: o.xTitle };
  const y = {
    field: "y",
    type: "quantitative" as const,
    title: o.yTitle,
    scale: o.logY ? { type: "log" as const, nice: false } : { zero: false },
    axis: o.yFormat ? { format: o.yFormat } : {},
  };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: o.title,
    width: o.width ?? 640,
    height: o.height ?? 360,
    background: "white",
    padding: 12,
    config: {
      font: FONT_FAMILY,
      title: { fontSize: 16 },
      axis: { labelFontSize: 12, labelOverlap: true, labelSeparation: 8 },
    },
    data: { values },
    layer: [
      {
        mark: { type: "line", invalid: "break-paths-filter-domains" },
        encoding: {
          x,
          y,
          color,
          strokeWidth: { field: "width", type: "quantitative", scale: null, legend: null },
          tooltip: [{ field: "series" }, { field: "x" }, { field: "y" }],
        },
      },
      {
        transform: [{ filter: "datum.dot && !datum.bad" }],
        mark: { type: "point", filled: true, size: 30, opacity: 1 },
        encoding: { x, y, color, tooltip: [{ field: "series" }, { field: "x" }, { field: "y" }] },
      },
      {
        transform: [{ filter: "datum.bad" }],
        mark: { type: "rule", strokeDash: [6, 4], strokeWidth: 1.5 },
        encoding: { x, color: { ...color, datum: badLabel, field: undefined } },
      },
    ],
  } as TopLevelSpec;
}

/** The x axis of metric charts: iterations or epochs. */
export type XAxis = "iteration" | "epoch";

/** The points of one metric against the chosen x; rows without the metric are skipped. */
export function metricSeries(
  rows: readonly MetricsRow[],
  metric: MetricName,
  x: XAxis = "iteration",
): { x: number[]; y: number[] } {
  const xs: number[] = [], ys: number[] = [];
  for (const r of rows) {
    const v = r[metric];
    const at = r[x];
    if (v === undefined || at === undefined) continue;
    xs.push(at);
    ys.push(v);
  }
  return { x: xs, y: ys };
}

/**
 * Trailing moving average over `window` finite values; a non-finite value stays as it is (it
 * is marked on the chart) and is left out of the averages.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { movingAverage } from "./chart.ts";
 * assert.deepEqual(movingAverage([1, 3, NaN, 5, 7], 2), [1, 2, NaN, 4, 6]);
 * ```
 */
export function movingAverage(y: ArrayLike<number>, window: number): number[] {
  const out: number[] = [], kept: number[] = [];
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i])) {
      out.push(y[i]);
      continue;
    }
    kept.push(y[i]);
    sum += y[i];
    if (kept.length > window) sum -= kept[kept.length - 1 - window];
    out.push(sum / Math.min(window, kept.length));
  }
  return out;
}

/** Per-iteration training losses longer than this also get a moving-average curve. */
export const SMOOTH_ABOVE = 200;

/**
 * Chart options for train and val loss against iterations or epochs. A long, noisy training
 * curve is drawn light, with its moving average (window: 1/50 of the points) on top.
 */
export function lossChartOptions(
  rows: readonly MetricsRow[],
  options: { x?: XAxis; logY?: boolean; title?: string } = {},
): LineChartOptions {
  const x = options.x ?? "iteration";
  const train = metricSeries(rows, "trainLoss", x);
  const smooth = train.x.length > SMOOTH_ABOVE;
  const trainSeries: Series[] = smooth
    ? [
      { name: "train loss", color: COLORS.trainLight, ...train },
      {
        name: "train loss (moving avg)",
        color: COLORS.train,
        width: 2,
        x: train.x,
        y: movingAverage(train.y, Math.round(train.x.length / 50)),
      },
    ]
    : [{ name: "train loss", color: COLORS.train, ...train }];
  return {
    title: options.title ?? "Training and validation loss",
    xTitle: x === "iteration" ? "iteration" : "epoch",
    yTitle: options.logY ? "loss (log scale)" : "loss",
    logY: options.logY,
    series: [
      ...trainSeries,
      { name: "val loss", color: COLORS.val, ...metricSeries(rows, "valLoss", x) },
    ],
  };
}

/** Chart options for val (and train) accuracy against iterations or epochs. */
export function accuracyChartOptions(
  rows: readonly MetricsRow[],
  options: { x?: XAxis; title?: string } = {},
): LineChartOptions {
  const x = options.x ?? "iteration";
  const train = metricSeries(rows, "trainAcc", x);
  return {
    title: options.title ??
      (train.x.length > 0 ? "Validation and training accuracy" : "Validation accuracy"),
    xTitle: x === "iteration" ? "iteration" : "epoch",
    yTitle: "accuracy",
    yFormat: ".0%",
    series: [
      { name: "val accuracy", color: COLORS.val, ...metricSeries(rows, "valAcc", x) },
      { name: "train accuracy", color: COLORS.train, ...train },
    ],
  };
}
