/**
 * How a tensor shows itself in Deno's Jupyter kernel (`Symbol.for("Jupyter.display")`): the
 * dtype and shape, min / max / mean over the finite elements (and how many are NaN or ±∞),
 * and a short preview. The preview is bounded whatever the size: a tensor of at most
 * {@linkcode PREVIEW_ALL} elements is shown whole; a larger one shows the edges of its first
 * 2-D slice (`t[0, 0, …]`), {@linkcode EDGE_ITEMS} items from each end of an axis. This
 * module imports nothing at run time, so plain Deno and browsers are not affected.
 *
 * @module
 */

import type { Tensor } from "./tensor.ts";

/** Tensors with at most this many elements are previewed whole. */
export const PREVIEW_ALL = 100;
/** Items shown from each end of a long axis in a preview (NumPy's `edgeitems`). */
export const EDGE_ITEMS = 3;

/** Summary statistics over the finite elements; NaN where there are none. */
export interface TensorStats {
  min: number;
  max: number;
  mean: number;
  /** Elements that are NaN or ±∞. */
  nonFinite: number;
}

/** min / max / mean over the finite elements, and the count of the others. */
export function tensorStats(data: ArrayLike<number>): TensorStats {
  let min = Infinity, max = -Infinity, sum = 0, finite = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    finite++;
  }
  return finite === 0
    ? { min: NaN, max: NaN, mean: NaN, nonFinite: data.length }
    : { min, max, mean: sum / finite, nonFinite: data.length - finite };
}

/** A number with 4 significant digits, NumPy's way of writing nan and inf. */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  return String(Number(v.toPrecision(4)));
}

/** Indices to show along an axis of size n: all, or the edges with -1 for the ellipsis. */
function shown(n: number, whole: boolean): number[] {
  if (whole || n <= 2 * EDGE_ITEMS) return Array.from({ length: n }, (_, i) => i);
  const head = Array.from({ length: EDGE_ITEMS }, (_, i) => i);
  const tail = Array.from({ length: EDGE_ITEMS }, (_, i) => n - EDGE_ITEMS + i);
  return [...head, -1, ...tail];
}

/** Nested brackets, NumPy style, of `shape` read from `data` at `offset`. */
function nested(
  data: ArrayLike<number>,
  shape: readonly number[],
  offset: number,
  whole: boolean,
  indent: number,
): string {
  if (shape.length === 0) return formatNumber(data[offset]);
  const [n, ...rest] = shape;
  const stride = rest.reduce((a, d) => a * d, 1);
  const items = shown(n, whole).map((i) =>
    i < 0 ? "…" : nested(data, rest, offset + i * stride, whole, indent + 1)
  );
  const sep = rest.length === 0 ? ", " : "," + "\n".repeat(rest.length) + " ".repeat(indent + 1);
  return `[${items.join(sep)}]`;
}

/**
 * The preview text: the whole tensor when small, else the edges of its first 2-D slice.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Tensor } from "./tensor.ts";
 * import { tensorPreview } from "./_display.ts";
 * assert.equal(tensorPreview(new Tensor(new Float64Array([1, 2.5, 3, 4]), [2, 2])), "[[1, 2.5],\n [3, 4]]");
 * assert.equal(tensorPreview(Tensor.zeros([1000])), "[0, 0, 0, …, 0, 0, 0]");
 * ```
 */
export function tensorPreview(t: Tensor): string {
  if (t.size <= PREVIEW_ALL) return nested(t.data, t.shape, 0, true, 0);
  if (t.rank <= 2) return nested(t.data, t.shape, 0, false, 0);
  const lead = t.shape.slice(0, -2).map(() => 0).join(", ");
  return `[${lead}, :, :] =\n${nested(t.data, t.shape.slice(-2), 0, false, 0)}`;
}

/** The header line: dtype, shape, statistics. */
export function tensorSummary(t: Tensor): string {
  const s = tensorStats(t.data);
  const bad = s.nonFinite > 0 ? `  (${s.nonFinite} NaN or ±∞)` : "";
  const stats = t.size === 0
    ? "empty"
    : `min ${formatNumber(s.min)}  max ${formatNumber(s.max)}  mean ${formatNumber(s.mean)}`;
  return `${t.toString()}  ${stats}${bad}`;
}

/** The MIME bundle Deno's Jupyter kernel shows for a tensor: text and a small HTML block. */
export function tensorDisplay(t: Tensor): Record<string, string> {
  const summary = tensorSummary(t), preview = t.size === 0 ? "[]" : tensorPreview(t);
  const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  return {
    "text/plain": `${summary}\n${preview}`,
    "text/html": `<div><code>${escape(summary)}</code><pre style="margin:4px 0">${
      escape(preview)
    }</pre></div>`,
  };
}
