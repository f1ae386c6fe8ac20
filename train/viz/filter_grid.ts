/**
 * The learned first-layer filters as one picture, as the homework's `visualize_grid` draws
 * them: every filter rescaled to 0–255 on its own (`⌊255·(w − min)/(max − min)⌋`, min and max
 * over the whole filter, as NumPy's `astype(uint8)` truncates), tiles laid out in a near-square
 * grid with `padding` pixels between them, then the whole grid upscaled nearest-neighbour so
 * that 7×7 filters can be seen.
 *
 * With 3 input channels a filter is one RGB tile (channels 0, 1, 2 → R, G, B, as CIFAR-10
 * images are stored); with 1 channel a grey tile; with any other count every (filter, channel)
 * slice is its own grey tile, filter-major. A constant filter (max = min) is drawn mid-grey.
 *
 * @module
 */

import { encodePng, type RgbImage, rgbImage, upscale } from "./image.ts";

import type { ConvWeights } from "./metrics.ts";

export type { ConvWeights } from "./metrics.ts";

/** Layout of a filter grid. */
export interface FilterGridOptions {
  /** Pixels between tiles, before upscaling (default 1, as in the homework). */
  padding?: number;
  /** Nearest-neighbour upscaling factor (default: tiles become at least 56 pixels). */
  scale?: number;
  /** Grey level of the padding and empty cells (default 255, white). */
  background?: number;
}

interface Tile {
  offset: number; // first element of the tile in data
  channels: 1 | 3;
}

function tilesOf(shape: readonly number[]): { tiles: Tile[]; KH: number; KW: number } {
  if (shape.length !== 4 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new TypeError(
      `Cannot draw a filter grid of shape [${shape.join(", ")}]: expected conv weights ` +
        `(F, C, KH, KW) with every size ≥ 1`,
    );
  }
  const [F, C, KH, KW] = shape;
  const tiles: Tile[] = [];
  if (C === 3 || C === 1) {
    for (let f = 0; f < F; f++) tiles.push({ offset: f * C * KH * KW, channels: C });
  } else {
    for (let s = 0; s < F * C; s++) tiles.push({ offset: s * KH * KW, channels: 1 });
  }
  return { tiles, KH, KW };
}

function drawTile(
  out: RgbImage,
  w: ArrayLike<number>,
  tile: Tile,
  KH: number,
  KW: number,
  left: number,
  top: number,
): void {
  const plane = KH * KW, n = plane * tile.channels;
  let low = Infinity, high = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = w[tile.offset + i];
    if (!Number.isFinite(v)) {
      throw new RangeError(
        `Cannot draw a filter grid: weight ${tile.offset + i} is ${v}; the run has diverged`,
      );
    }
    low = Math.min(low, v);
    high = Math.max(high, v);
  }
  for (let y = 0; y < KH; y++) {
    for (let x = 0; x < KW; x++) {
      const d = ((top + y) * out.width + left + x) * 3;
      for (let k = 0; k < 3; k++) {
        const v = w[tile.offset + (tile.channels === 3 ? k * plane : 0) + y * KW + x];
        out.data[d + k] = high > low ? Math.floor((255 * (v - low)) / (high - low)) : 128;
      }
    }
  }
}

/**
 * Draws conv weights (F, C, KH, KW) as a grid of tiles; see the module doc for the rules.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { filterGrid } from "./filter_grid.ts";
 * // Two 1×2 grey filters: each is rescaled on its own to [0, 255].
 * const img = filterGrid({ data: [0, 1, -5, 5], shape: [2, 1, 1, 2] }, { scale: 1 });
 * assert.equal(img.width, 5); // 2 + 1 (padding) + 2
 * assert.deepEqual([...img.data.subarray(0, 6)], [0, 0, 0, 255, 255, 255]);
 * ```
 */
export function filterGrid(weights: ConvWeights, options: FilterGridOptions = {}): RgbImage {
  const { tiles, KH, KW } = tilesOf(weights.shape);
  const size = weights.shape.reduce((a, d) => a * d, 1);
  if (weights.data.length !== size) {
    throw new TypeError(
      `Cannot draw a filter grid: shape [${weights.shape.join(", ")}] needs ${size} weights ` +
        `but data has ${weights.data.length}`,
    );
  }
  const padding = options.padding ?? 1;
  const scale = options.scale ?? Math.max(1, Math.ceil(56 / Math.max(KH, KW)));
  const background = options.background ?? 255;
  if (!Number.isInteger(padding) || padding < 0) {
    throw new RangeError(`Cannot draw a filter grid with padding ${padding}: use an integer ≥ 0`);
  }
  const cols = Math.ceil(Math.sqrt(tiles.length));
  const rows = Math.ceil(tiles.length / cols);
  const grid = rgbImage(cols * KW + (cols - 1) * padding, rows * KH + (rows - 1) * padding, [
    background,
    background,
    background,
  ]);
  tiles.forEach((tile, i) => {
    const left = (i % cols) * (KW + padding), top = Math.floor(i / cols) * (KH + padding);
    drawTile(grid, weights.data, tile, KH, KW, left, top);
  });
  return upscale(grid, scale);
}

/** {@linkcode filterGrid} encoded as PNG bytes. */
export function filterGridPng(weights: ConvWeights, options: FilterGridOptions = {}): Uint8Array {
  return encodePng(filterGrid(weights, options));
}
