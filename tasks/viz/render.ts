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

let ready: Promise<void> | undefined;

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
