/**
 * Pictures without a native canvas: a Vega-Lite spec is compiled to Vega, rendered to SVG by
 * Vega's headless renderer, and rasterised to PNG by resvg compiled to WebAssembly, with the
 * DejaVu Sans font shipped by an npm package (the machine needs no system fonts). Every step
 * is deterministic, so the same input gives a byte-identical PNG.
 *
 * @module
 */

import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { initWasm, Resvg } from "@resvg/resvg-wasm";
import resvgWasm from "@resvg/resvg-wasm/index_bg.wasm" with { type: "bytes" };
import dejaVuSans from "dejavu-fonts-ttf/ttf/DejaVuSans.ttf" with { type: "bytes" };
import dejaVuSansBold from "dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf" with { type: "bytes" };
import { FONT_FAMILY } from "./chart.ts";
import { FontMetrics } from "./_font_metrics.ts";

let ready: Promise<void> | undefined;

const regular = new FontMetrics(dejaVuSans, "DejaVuSans.ttf");
const bold = new FontMetrics(dejaVuSansBold, "DejaVuSans-Bold.ttf");

interface TextItem {
  fontSize?: number;
  fontWeight?: string | number;
  limit?: number;
}

// Vega measures text with a canvas when it has one and guesses otherwise; headless it has
// none, so give it the real advance widths of the font the PNGs are drawn with (vl-convert
// does the same). Labels cut to `limit` are at most that wide.
const { textMetrics } = vega as unknown as {
  textMetrics: { width: (item: TextItem, text: unknown) => number };
};
textMetrics.width = (item, text) => {
  const size = item.fontSize != null ? +item.fontSize || 0 : 11;
  const line = text == null ? "" : String(text).trim();
  const heavy = item.fontWeight === "bold" || Number(item.fontWeight) >= 600;
  const w = (heavy ? bold : regular).width(line, size);
  return item.limit && item.limit > 0 ? Math.min(w, item.limit) : w;
};

function resvgReady(): Promise<void> {
  ready ??= initWasm(resvgWasm);
  return ready;
}

/** Compiles a Vega-Lite spec to a Vega spec (what the report's browser-side Vega runs). */
export function toVega(spec: TopLevelSpec): vega.Spec {
  return compile(spec).spec as vega.Spec;
}

/**
 * Renders a Vega-Lite spec to an SVG string, headless.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { vegaLiteToSvg } from "./render.ts";
 * const svg = await vegaLiteToSvg({
 *   data: { values: [{ a: 1, b: 2 }, { a: 2, b: 3 }] },
 *   mark: "line",
 *   encoding: { x: { field: "a", type: "quantitative" }, y: { field: "b", type: "quantitative" } },
 * });
 * assert.ok(svg.startsWith("<svg"));
 * ```
 */
export async function vegaLiteToSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(toVega(spec)), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Rasterises SVG to PNG bytes at `scale` × its size (default 2, for sharp text), on white.
 * Text is drawn with DejaVu Sans whatever family the SVG names.
 */
export async function svgToPng(svg: string, options: { scale?: number } = {}): Promise<Uint8Array> {
  const scale = options.scale ?? 2;
  if (!(scale > 0 && scale <= 16)) {
    throw new RangeError(`Cannot rasterise SVG at scale ${scale}: use a scale in (0, 16]`);
  }
  await resvgReady();
  const resvg = new Resvg(svg, {
    background: "white",
    fitTo: { mode: "zoom", value: scale },
    font: {
      fontBuffers: [dejaVuSans, dejaVuSansBold],
      loadSystemFonts: false,
      defaultFontFamily: FONT_FAMILY,
      sansSerifFamily: FONT_FAMILY,
    },
  });
  try {
    const image = resvg.render();
    try {
      return image.asPng();
    } finally {
      image.free();
    }
  } finally {
    resvg.free();
  }
}

/** Renders a Vega-Lite spec straight to PNG bytes. */
export async function vegaLiteToPng(
  spec: TopLevelSpec,
  options: { scale?: number } = {},
): Promise<Uint8Array> {
  return svgToPng(await vegaLiteToSvg(spec), options);
}
