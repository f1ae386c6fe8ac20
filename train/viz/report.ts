/**
 * `report.html`: one self-contained page per run — the final numbers, interactive charts
 * (Vega, inlined from the `vega` package so the file works offline; drag to pan, wheel to zoom,
 * hover for values), the filter grid as an inline PNG, the per-class test accuracy with the
 * confusion matrix when `test_metrics.json` exists, and the configuration.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { Buffer } from "node:buffer";
import { accuracyChartOptions, lineChartSpec, lossChartOptions, type XAxis } from "./chart.ts";
import { filterGridPng } from "./filter_grid.ts";
import { writeFileAtomic } from "./image.ts";
import type { MetricName, MetricsRow } from "./metrics.ts";
import type { RunData } from "./plot.ts";
import { toVega } from "./render.ts";
import type { TopLevelSpec } from "vega-lite";
import template from "./report_template.html" with { type: "text" };

/** How the report draws its charts. */
export interface ReportOptions {
  x?: XAxis;
  /** Start the loss chart on a log scale (a checkbox switches it). */
  logLoss?: boolean;
}

let vegaSource: Promise<string> | undefined;

/** The browser build of Vega, read from the npm package beside the module build. */
function vegaScript(): Promise<string> {
  vegaSource ??= (async () => {
    const url = new URL("./vega.min.js", import.meta.resolve("vega"));
    try {
      return await Deno.readTextFile(fileURLToPath(url));
    } catch (e) {
      throw new Error(
        `Cannot inline Vega into the report: reading ${url} failed (${(e as Error).message}); ` +
          "run with --allow-read",
      );
    }
  })();
  return vegaSource;
}

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function lastOf(rows: readonly MetricsRow[], m: MetricName): MetricsRow | undefined {
  for (let i = rows.length - 1; i >= 0; i--) if (rows[i][m] !== undefined) return rows[i];
  return undefined;
}

/**
 * The mean training accuracy over the last epoch's rows (every batch of a `train` run; the
 * checks of a `train:twolayer` run), not one row's: the last batch of an epoch may hold only a
 * few images.
 */
function lastEpochTrainAcc(rows: readonly MetricsRow[]): { mean: number; count: number } | null {
  const last = lastOf(rows, "trainAcc");
  if (last === undefined) return null;
  const end = last.epoch ?? 0, start = Math.ceil(end) - 1;
  let sum = 0, count = 0;
  for (const r of rows) {
    const inLast = last.epoch === undefined ? r === last : r.epoch !== undefined &&
      r.epoch > start && r.epoch <= end;
    if (inLast && r.trainAcc !== undefined) [sum, count] = [sum + r.trainAcc, count + 1];
  }
  return { mean: sum / count, count };
}

const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
const num = (v: number) => (Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(3));

function summary(run: RunData): string {
  const rows = run.metrics;
  const cards: [string, string, string?][] = [];
  const add = (label: string, m: MetricName, fmt: (v: number) => string) => {
    const r = lastOf(rows, m);
    if (r) cards.push([label, fmt(r[m]!), `iteration ${r.iteration}`]);
  };
  add("final train loss", "trainLoss", num);
  add("final val loss", "valLoss", num);
  add("final val accuracy", "valAcc", pct);
  let best: MetricsRow | undefined;
  for (const r of rows) if (r.valAcc !== undefined && !(r.valAcc <= (best?.valAcc ?? -1))) best = r;
  if (best) cards.push(["best val accuracy", pct(best.valAcc!), `iteration ${best.iteration}`]);
  const lastEpoch = lastEpochTrainAcc(rows);
  if (lastEpoch) {
    cards.push([
      "train accuracy, last epoch",
      pct(lastEpoch.mean),
      `mean of ${lastEpoch.count} measurements`,
    ]);
  }
  if (run.testMetrics) {
    cards.push([
      "test accuracy",
      pct(run.testMetrics.accuracy),
      `loss ${num(run.testMetrics.loss)}`,
    ]);
  }
  const last = rows.at(-1);
  if (last) {
    cards.push([
      "iterations",
      String(last.iteration),
      last.epoch === undefined ? undefined : `${+last.epoch.toFixed(2)} epochs`,
    ]);
  }
  return cards.map(([label, value, note]) =>
    `<div class="card"><div class="label">${escapeHtml(label)}</div>` +
    `<div class="value">${escapeHtml(value)}</div>` +
    (note ? `<div class="note">${escapeHtml(note)}</div>` : "") + `</div>`
  ).join("\n");
}

function configTable(config: Record<string, unknown>): string {
  const rows = Object.entries(config).map(([k, v]) =>
    `<tr><th>${escapeHtml(k)}</th><td><code>${
      escapeHtml(typeof v === "string" ? v : JSON.stringify(v))
    }</code></td></tr>`
  );
  return rows.length ? `<table class="config">${rows.join("")}</table>` : "<p>(no config.json)</p>";
}

function testTables(t: NonNullable<RunData["testMetrics"]>): string {
  const n = t.classes.length;
  const perClass = t.classes.map((c, i) => {
    const a = t.perClassAccuracy[i];
    return `<tr><th>${escapeHtml(c)}</th><td class="num">${pct(a)}</td>` +
      `<td class="bar"><div style="width:${(100 * a).toFixed(1)}%"></div></td></tr>`;
  }).join("");
  let max = 1;
  for (const row of t.confusion) for (const v of row) max = Math.max(max, v);
  const head = t.classes.map((c) => `<th class="pred">${escapeHtml(c)}</th>`).join("");
  const body = t.confusion.slice(0, n).map((row, i) =>
    `<tr><th>${escapeHtml(t.classes[i])}</th>${
      row.map((v, j) => {
        const a = (v / max).toFixed(3);
        const colour = i === j ? `rgba(31,119,180,${a})` : `rgba(214,39,40,${a})`;
        return `<td style="background:${colour}${v / max > 0.55 ? ";color:white" : ""}">${v}</td>`;
      }).join("")
    }</tr>`
  ).join("");
  return `<h2>Test set</h2>
<p>Accuracy <b>${pct(t.accuracy)}</b>, loss <b>${num(t.loss)}</b>.</p>
<div class="row"><div><h3>Per-class accuracy</h3><table class="perclass">${perClass}</table></div>
<div><h3>Confusion matrix <small>(rows: true class, columns: predicted)</small></h3>
<table class="confusion"><tr><th></th>${head}</tr>${body}</table></div></div>`;
}

function specsFor(run: RunData, options: ReportOptions): Record<string, unknown> {
  const zoom = (spec: TopLevelSpec) => {
    const s = structuredClone(spec) as unknown as { layer: Record<string, unknown>[] };
    s.layer[0].params = [{ name: "zoom", select: "interval", bind: "scales" }];
    return toVega(s as unknown as TopLevelSpec);
  };
  const specs: Record<string, unknown> = {};
  const tryAdd = (id: string, make: () => TopLevelSpec) => {
    try {
      specs[id] = zoom(make());
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      specs[id] = { error: e.message };
    }
  };
  tryAdd("loss", () => lineChartSpec(lossChartOptions(run.metrics, { x: options.x })));
  tryAdd("losslog", () => lineChartSpec(lossChartOptions(run.metrics, { ...options, logY: true })));
  tryAdd("accuracy", () => lineChartSpec(accuracyChartOptions(run.metrics, options)));
  return specs;
}

/** The report page of a run as one self-contained HTML string. */
export async function reportHtml(run: RunData, options: ReportOptions = {}): Promise<string> {
  // Six significant digits are plenty on screen and halve the page of a long run.
  const round = (_: string, v: unknown) =>
    typeof v === "number" && !Number.isInteger(v) ? +v.toPrecision(6) : v;
  const specs = JSON.stringify(specsFor(run, options), round).replace(/</g, "\\u003c");
  let grid = "<p>(no first-layer weights)</p>";
  if (run.firstConv) {
    try {
      const png = Buffer.from(filterGridPng(run.firstConv)).toString("base64");
      grid = `<img class="grid" alt="first-layer filters" src="data:image/png;base64,${png}">` +
        `<p class="note">shape [${run.firstConv.shape.join(", ")}]</p>`;
    } catch (e) {
      grid = `<p class="error">${escapeHtml((e as Error).message)}</p>`;
    }
  }
  const values: Record<string, string> = {
    title: escapeHtml(`${run.model} — run report`),
    summary: summary(run),
    logChecked: options.logLoss ? "checked" : "",
    grid,
    test: run.testMetrics ? testTables(run.testMetrics) : "",
    config: configTable(run.config),
    specs,
    vega: (await vegaScript()).replace(/<\/script/gi, "<\\/script"),
  };
  // Placeholders are {{ name }} (deno fmt spaces them so).
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, key: string) => values[key]);
}

/** Writes `report.html` into `runDir` (atomically) and returns its path. */
export async function writeReport(
  runDir: string,
  run: RunData,
  options: ReportOptions = {},
): Promise<string> {
  const path = `${runDir}/report.html`;
  await writeFileAtomic(path, await reportHtml(run, options));
  return path;
}
