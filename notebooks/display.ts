/**
 * Rich display for the notebooks in Deno's Jupyter kernel: charts (the Vega-Lite specs of
 * `report.html`, rendered to PNG headless), filter grids, image batches with captions, tables,
 * and a training progress line that one display updates in place.
 *
 * Every value here shows itself through `Symbol.for("Jupyter.display")`, so a cell that ends
 * with one (or `await Deno.jupyter.display(x)`) shows the picture; nbconvert's HTML and GitHub
 * show the PNGs too. Outside Jupyter nothing changes: the objects are plain objects, and
 * {@linkcode Progress} prints a line now and then instead. This module imports the npm
 * packages of `train/viz/` (Vega, resvg); `mod.ts` stays light.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DISPLAY, lossChart, table } from "./display.ts";
 * const chart = lossChart([{ iteration: 0, epoch: 0, trainLoss: 2.3 }, { iteration: 1, epoch: 0, trainLoss: 2.1 }]);
 * const bundle = await chart[DISPLAY]();
 * assert.ok(bundle["image/png"].length > 100); // base64 PNG
 * const t = table([{ layer: "conv", speedup: 85.2 }]);
 * assert.match(t[DISPLAY]()["text/markdown"], /\| conv \| 85.2 \|/);
 * ```
 *
 * @module
 */

import { Buffer } from "node:buffer";
import type { TopLevelSpec } from "vega-lite";
import {
  accuracyChartOptions,
  type LineChartOptions,
  lineChartSpec,
  lossChartOptions,
  type XAxis,
} from "../train/viz/chart.ts";
import {
  type ConvWeights,
  type FilterGridOptions,
  filterGridPng,
} from "../train/viz/filter_grid.ts";
import { encodePng, type RgbImage, rgbImage, upscale } from "../train/viz/image.ts";
import type { MetricsRow } from "../train/viz/metrics.ts";
import { svgToPng, vegaLiteToPng } from "../train/viz/render.ts";

/** The key of the method Deno's Jupyter kernel calls to show a value. */
export const DISPLAY: unique symbol = Symbol.for("Jupyter.display") as never;

/** A MIME bundle: what a `Symbol.for("Jupyter.display")` method returns. */
export type MimeBundle = Record<string, string>;

/** Charts are rasterised at this multiple of their CSS size (1: the size they are laid out at). */
export const CHART_SCALE = 1;

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

/** PNG width and height from its IHDR chunk. */
function pngSize(png: Uint8Array): [number, number] {
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return [v.getUint32(16), v.getUint32(20)];
}

/** A PNG that shows itself as an image (with a text description for plain front ends). */
export class Picture {
  constructor(readonly png: Uint8Array, readonly alt = "picture") {}

  /** The image/png bundle. */
  [DISPLAY](): MimeBundle {
    const [w, h] = pngSize(this.png);
    return { "image/png": base64(this.png), "text/plain": `${this.alt} (PNG ${w}×${h})` };
  }
}

/** An RGB image as a {@linkcode Picture}, upscaled nearest-neighbour by `scale` (default 1). */
export function picture(image: RgbImage, options: { alt?: string; scale?: number } = {}): Picture {
  const scaled = (options.scale ?? 1) === 1 ? image : upscale(image, options.scale ?? 1);
  return new Picture(encodePng(scaled), options.alt ?? "picture");
}

/** A Vega-Lite chart, rendered to PNG (resvg, DejaVu Sans) when it is displayed. */
export class Chart {
  constructor(readonly spec: TopLevelSpec, readonly alt = "chart") {}

  /** The PNG bytes (deterministic: the same spec gives the same bytes). */
  png(): Promise<Uint8Array> {
    return vegaLiteToPng(this.spec, { scale: CHART_SCALE });
  }

  /** The image/png bundle. */
  async [DISPLAY](): Promise<MimeBundle> {
    return new Picture(await this.png(), this.alt)[DISPLAY]();
  }
}

/** A line chart (see `train/viz/chart.ts`: NaNs are marked, not fatal). */
export function lineChart(options: LineChartOptions): Chart {
  return new Chart(lineChartSpec(options), options.title);
}

/** Train (and val) loss against iterations or epochs: the report's loss chart. */
export function lossChart(
  rows: readonly MetricsRow[],
  options: { x?: XAxis; logY?: boolean; title?: string } = {},
): Chart {
  return lineChart(lossChartOptions(rows, options));
}

/** Val (and train) accuracy against iterations or epochs: the report's accuracy chart. */
export function accuracyChart(
  rows: readonly MetricsRow[],
  options: { x?: XAxis; title?: string } = {},
): Chart {
  return lineChart(accuracyChartOptions(rows, options));
}

/**
 * The confusion matrix as a heat map with counts: rows the true class, columns the predicted
 * one; the diagonal blue, the mistakes red (as `report.html` colours them).
 * confusion[true][predicted]: counts
 */
export function confusionChart(
  confusion: readonly (readonly number[])[],
  classes: readonly string[],
  title = "Confusion matrix (rows: true class, columns: predicted)",
): Chart {
  const K = classes.length;
  if (confusion.length !== K || confusion.some((r) => r.length !== K)) {
    throw new TypeError(
      `Cannot draw a confusion matrix of ${confusion.length} rows for ${K} classes: it must be ${K}×${K}`,
    );
  }
  let max = 1;
  for (const row of confusion) for (const v of row) max = Math.max(max, v);
  const values = confusion.flatMap((row, i) =>
    row.map((count, j) => ({
      truth: classes[i],
      predicted: classes[j],
      count,
      right: i === j ? "yes" : "no",
      share: count / max,
    }))
  );
  const order = [...classes];
  return new Chart({
    title,
    data: { values },
    width: 36 * K,
    height: 36 * K,
    encoding: {
      x: { field: "predicted", type: "nominal", sort: order, axis: { labelAngle: -45 } },
      y: { field: "truth", type: "nominal", sort: order, title: "true class" },
    },
    layer: [
      {
        mark: "rect",
        encoding: {
          color: {
            field: "right",
            type: "nominal",
            scale: { domain: ["yes", "no"], range: ["#1f77b4", "#d62728"] },
            legend: null,
          },
          opacity: {
            field: "share",
            type: "quantitative",
            scale: { domain: [0, 1], range: [0.04, 1] },
            legend: null,
          },
        },
      },
      {
        mark: { type: "text", fontSize: 10 },
        encoding: {
          text: { field: "count", type: "quantitative" },
          color: { condition: { test: "datum.share > 0.55", value: "white" }, value: "black" },
        },
      },
    ],
  } as TopLevelSpec, "confusion matrix");
}

/** Per-class accuracy (fractions; NaN for a class without images) as horizontal bars. */
export function perClassChart(
  accuracy: readonly number[],
  classes: readonly string[],
  title = "Per-class accuracy",
): Chart {
  if (accuracy.length !== classes.length) {
    throw new TypeError(
      `Cannot draw per-class accuracy: ${accuracy.length} values for ${classes.length} classes`,
    );
  }
  const values = classes.map((c, i) => ({
    class: c,
    accuracy: Number.isFinite(accuracy[i]) ? accuracy[i] : null,
  }));
  return new Chart({
    title,
    data: { values },
    width: 320,
    height: 18 * classes.length,
    mark: { type: "bar", color: "#1f77b4" },
    encoding: {
      y: { field: "class", type: "nominal", sort: [...classes], title: null },
      x: {
        field: "accuracy",
        type: "quantitative",
        scale: { domain: [0, 1] },
        axis: { format: ".0%" },
      },
    },
  } as TopLevelSpec, "per-class accuracy");
}

/** A conv layer's filters as the homework's `visualize_grid` draws them. w: (F, C, KH, KW) */
export function filterGridPicture(weights: ConvWeights, options: FilterGridOptions = {}): Picture {
  const [F, C, KH, KW] = weights.shape;
  return new Picture(filterGridPng(weights, options), `${F} filters ${C}×${KH}×${KW}`);
}

/** One caption under an image of a batch; `ok: false` draws it red (a wrong prediction). */
export interface Caption {
  text: string;
  ok?: boolean;
}

/** Layout of {@linkcode imageGrid}. */
export interface ImageGridOptions {
  /** Images per row (default: up to 10). */
  columns?: number;
  /** Nearest-neighbour upscaling of each image (default 3: 32 → 96 pixels). */
  scale?: number;
}

const CAPTION_HEIGHT = 16, GAP = 6;

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  );
}

/**
 * A batch of images as one PNG, with a caption under each. images: (N, 3, H, W) uint8, each
 * image as R, G and B planes (CIFAR-10's layout), or float values in 0 … 255.
 */
export async function imageGrid(
  images: ArrayLike<number>,
  shape: readonly [number, number, number, number],
  captions: readonly (Caption | string)[] = [],
  options: ImageGridOptions = {},
): Promise<Picture> {
  const [N, C, H, W] = shape;
  if (C !== 3 || images.length !== N * C * H * W) {
    throw new TypeError(
      `Cannot draw images of shape [${shape.join(", ")}] from ${images.length} values: ` +
        "they must be (N, 3, H, W) RGB planes",
    );
  }
  if (N === 0) throw new RangeError("Cannot draw an image grid of no images");
  const scale = options.scale ?? 3, cols = options.columns ?? Math.min(N, 10);
  const rows = Math.ceil(N / cols);
  const tileW = W * scale, tileH = H * scale + (captions.length > 0 ? CAPTION_HEIGHT : 0);
  const sheet = rgbImage(cols * tileW + (cols - 1) * GAP, rows * tileH + (rows - 1) * GAP);
  const svgText: string[] = [];
  for (let n = 0; n < N; n++) {
    const left = (n % cols) * (tileW + GAP), top = Math.floor(n / cols) * (tileH + GAP);
    const plane = H * W, base = n * 3 * plane;
    for (let y = 0; y < H * scale; y++) {
      for (let x = 0; x < W * scale; x++) {
        const p = Math.floor(y / scale) * W + Math.floor(x / scale);
        const at = ((top + y) * sheet.width + left + x) * 3;
        for (let c = 0; c < 3; c++) {
          sheet.data[at + c] = Math.max(0, Math.min(255, Math.round(images[base + c * plane + p])));
        }
      }
    }
    const caption = captions[n];
    if (caption === undefined) continue;
    const { text, ok } = typeof caption === "string" ? { text: caption, ok: undefined } : caption;
    const color = ok === false ? "#d62728" : ok === true ? "#2ca02c" : "#000000";
    svgText.push(
      `<text x="${left + tileW / 2}" y="${top + H * scale + 12}" fill="${color}" ` +
        `font-size="11" text-anchor="middle">${escapeXml(text)}</text>`,
    );
  }
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${sheet.width}" height="${sheet.height}">` +
    `<image width="${sheet.width}" height="${sheet.height}" ` +
    `href="data:image/png;base64,${base64(encodePng(sheet))}"/>${svgText.join("")}</svg>`;
  return new Picture(await svgToPng(svg, { scale: 1 }), `${N} images ${H}×${W}`);
}

/** A table that shows itself as HTML, Markdown and aligned text. */
export class Table {
  constructor(readonly rows: readonly Record<string, string | number>[], readonly caption = "") {}

  /** The cells as strings: numbers with 4 significant digits (or exponent form below 1e-3). */
  cells(): { head: string[]; body: string[][] } {
    const head = [...new Set(this.rows.flatMap((r) => Object.keys(r)))];
    const cell = (v: string | number | undefined) =>
      v === undefined
        ? ""
        : typeof v === "string"
        ? v
        : Number.isInteger(v)
        ? String(v)
        : Math.abs(v) < 1e-3 && v !== 0
        ? v.toExponential(2)
        : String(Number(v.toPrecision(4)));
    return { head, body: this.rows.map((r) => head.map((k) => cell(r[k]))) };
  }

  /** text/html, text/markdown and text/plain. */
  [DISPLAY](): MimeBundle {
    const { head, body } = this.cells();
    const esc = escapeXml;
    const html = `<table>${
      this.caption ? `<caption>${esc(this.caption)}</caption>` : ""
    }<thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${
      body.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`).join("")
    }</tbody></table>`;
    const md = [head, head.map(() => "---"), ...body].map((r) => `| ${r.join(" | ")} |`);
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
    const plain = [head, ...body].map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  "));
    return {
      "text/html": html,
      "text/markdown": (this.caption ? `${this.caption}\n\n` : "") + md.join("\n"),
      "text/plain": (this.caption ? [this.caption, ...plain] : plain).join("\n"),
    };
  }
}

/** Rows of values as a {@linkcode Table}. */
export function table(rows: readonly Record<string, string | number>[], caption = ""): Table {
  return new Table(rows, caption);
}

interface JupyterApi {
  display(
    bundle: MimeBundle,
    options: { raw: boolean; update?: boolean; display_id?: string },
  ): Promise<void>;
}

/** `Deno.jupyter` inside the kernel; undefined in plain Deno (where reading it throws) or a browser. */
function jupyter(): JupyterApi | undefined {
  try {
    return (globalThis as { Deno?: { jupyter?: JupyterApi } }).Deno?.jupyter;
  } catch {
    return undefined;
  }
}

/** Outside Jupyter, progress is printed at most this often (ms), plus the last update. */
export const PRINT_EVERY_MS = 2000;
let progressCount = 0;

/**
 * A progress line (a bar, a fraction and a text) shown by one display that every
 * `update()` replaces in place, instead of a new line per step. `await` each update: while a
 * cell computes without awaiting, no display update can leave the kernel.
 */
export class Progress {
  readonly displayId: string;
  #shown = false;
  #lastPrint = -Infinity;
  #text = "";
  #fraction = 0;

  constructor(readonly label: string) {
    this.displayId = `convnet-progress-${Date.now()}-${++progressCount}`;
  }

  /** The bundle for a fraction done (0 … 1) and a text. */
  bundle(): MimeBundle {
    const pct = Math.round(100 * this.#fraction);
    const bar = "#".repeat(Math.round(this.#fraction * 30)).padEnd(30, ".");
    const text = `${this.label} [${bar}] ${String(pct).padStart(3)}% ${this.#text}`;
    return {
      "text/plain": text,
      "text/html": `<div><b>${escapeXml(this.label)}</b> <progress value="${this.#fraction}" ` +
        `max="1" style="width:200px"></progress> ${pct}% <code>${
          escapeXml(this.#text)
        }</code></div>`,
    };
  }

  /** Shows (first call) or replaces (later calls) the progress line. */
  async update(fraction: number, text = ""): Promise<void> {
    if (!(fraction >= 0 && fraction <= 1)) {
      throw new RangeError(`Cannot show progress ${fraction}: use a fraction in [0, 1]`);
    }
    this.#fraction = fraction;
    this.#text = text;
    const api = jupyter();
    if (api) {
      // Marked shown before the await: an update not awaited by its caller (a progress hook)
      // follows the first display in the kernel's message order, never opens a second one.
      const update = this.#shown;
      this.#shown = true;
      await api.display(this.bundle(), { raw: true, update, display_id: this.displayId });
      // Let the kernel send the message before the caller's next synchronous step.
      await new Promise((resolve) => setTimeout(resolve, 0));
    } else if (fraction === 1 || performance.now() - this.#lastPrint >= PRINT_EVERY_MS) {
      this.#lastPrint = performance.now();
      console.log(this.bundle()["text/plain"]);
    }
  }

  [DISPLAY](): MimeBundle {
    return this.bundle();
  }
}

/** A bound as written in code: 1e-7, 0.5. */
function short(v: number): string {
  return v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential() : String(v);
}

/** What a {@linkcode Summary} shows as `application/json`. */
export interface SummaryJson {
  notebook: string;
  checks: CheckedValue[];
}

/** One checked number of a notebook: `value ≤ max` or `value ≥ min`. */
export interface CheckedValue {
  name: string;
  value: number;
  /** Upper bound (errors). */
  max?: number;
  /** Lower bound (accuracies). */
  min?: number;
}

/**
 * A notebook's checked numbers. `check()` and `atLeast()` record a value and throw (an error
 * cell) when it is out of bounds; displayed, the summary is a table for people and an
 * `application/json` bundle `{ notebook, checks }` that `tests/notebooks_test.ts` reads from the
 * executed notebook.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DISPLAY, Summary } from "./display.ts";
 * const s = new Summary("demo");
 * s.check("rel error", 3e-9, 1e-7);
 * assert.throws(() => s.atLeast("accuracy", 0.4, 0.5), RangeError);
 * assert.equal(s[DISPLAY]()["application/json"].checks.length, 2);
 * ```
 */
export class Summary {
  readonly checks: CheckedValue[] = [];
  constructor(readonly notebook: string) {}

  /** Records `value` and throws a RangeError unless it is finite and ≤ `max`. */
  check(name: string, value: number, max: number): number {
    this.checks.push({ name, value, max });
    if (!(value <= max)) {
      throw new RangeError(`Check failed: ${name} is ${value}, above its bound ${max}`);
    }
    return value;
  }

  /** Records `value` and throws a RangeError unless it is ≥ `min`. */
  atLeast(name: string, value: number, min: number): number {
    this.checks.push({ name, value, min });
    if (!(value >= min)) {
      throw new RangeError(`Check failed: ${name} is ${value}, below its bound ${min}`);
    }
    return value;
  }

  /** The checks whose name starts with `prefix`, as a table. */
  table(prefix = ""): Table {
    return table(
      this.checks.filter((c) => c.name.startsWith(prefix)).map((c) => ({
        check: c.name,
        value: c.value,
        bound: c.max !== undefined ? `≤ ${short(c.max)}` : `≥ ${short(c.min!)}`,
      })),
    );
  }

  [DISPLAY](): {
    [mime: string]: string | SummaryJson;
    "application/json": SummaryJson;
  } {
    return {
      ...this.table()[DISPLAY](),
      "application/json": { notebook: this.notebook, checks: this.checks },
    };
  }
}
