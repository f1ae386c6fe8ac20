/**
 * The homework's aside on image processing with convolutions: two hand-made 3×3 filters
 * applied to photos with a conv layer's forward pass.
 *
 * - filter 0 converts to greyscale: 0.3·R + 0.6·G + 0.1·B (centre taps only), bias 0;
 * - filter 1 detects horizontal edges in the blue channel (Sobel: rows [1 2 1], [0 0 0],
 *   [−1 −2 −1]), bias 128.
 *
 * Each image is centre-cropped to a square and resized (bilinear) to size × size, the batch
 * x: (N, 3, size, size) goes through one convolution (stride 1, pad 1), and each output map
 * is shown rescaled to 0–255 on its own (the aside's `imshow_noax(…, normalize=True)`).
 *
 * @module
 */

import { convForward } from "../../nn/fast_layers.ts";
import { Tensor } from "../../core/tensor.ts";
import { resizeBilinear, type RgbImage, rgbImage, sideBySide } from "./image.ts";

/** The two filters, w: (2, 3, 3, 3), and their biases b: (2). */
export function processingFilters(): { w: Float32Array; b: Float32Array } {
  const w = new Float32Array(2 * 3 * 3 * 3); // w: (F=2, C=3, 3, 3)
  const at = (f: number, c: number, y: number, x: number) => ((f * 3 + c) * 3 + y) * 3 + x;
  w[at(0, 0, 1, 1)] = 0.3;
  w[at(0, 1, 1, 1)] = 0.6;
  w[at(0, 2, 1, 1)] = 0.1;
  const sobel = [[1, 2, 1], [0, 0, 0], [-1, -2, -1]];
  for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) w[at(1, 2, y, x)] = sobel[y][x];
  return { w, b: Float32Array.from([0, 128]) };
}

/** Centre-crops to a square (the shorter side). */
export function cropSquare(image: RgbImage): RgbImage {
  const side = Math.min(image.width, image.height);
  const left = Math.floor((image.width - side) / 2), top = Math.floor((image.height - side) / 2);
  const out = rgbImage(side, side);
  for (let y = 0; y < side; y++) {
    const from = ((top + y) * image.width + left) * 3;
    out.data.set(image.data.subarray(from, from + side * 3), y * side * 3);
  }
  return out;
}

/** Stacks RGB images of one size into x: (N, 3, H, W) float32, values 0..255. */
export function toBatch(images: RgbImage[]): Float32Array {
  const { width: W, height: H } = images[0];
  const x = new Float32Array(images.length * 3 * H * W); // x: (N, 3, H, W)
  images.forEach((im, n) => {
    if (im.width !== W || im.height !== H) {
      throw new TypeError(`Cannot batch images of ${W}×${H} and ${im.width}×${im.height}`);
    }
    for (let p = 0; p < H * W; p++) {
      for (let c = 0; c < 3; c++) x[(n * 3 + c) * H * W + p] = im.data[p * 3 + c];
    }
  });
  return x;
}

/** One feature map rescaled to 0–255 on its own, as a grey image. map: (H, W) */
export function mapToImage(map: ArrayLike<number>, width: number, height: number): RgbImage {
  let low = Infinity, high = -Infinity;
  for (let i = 0; i < width * height; i++) {
    low = Math.min(low, map[i]);
    high = Math.max(high, map[i]);
  }
  const out = rgbImage(width, height);
  for (let i = 0; i < width * height; i++) {
    const v = high > low ? Math.round((255 * (map[i] - low)) / (high - low)) : 128;
    out.data[3 * i] = out.data[3 * i + 1] = out.data[3 * i + 2] = v;
  }
  return out;
}

/**
 * Runs the greyscale and edge filters on images and lays out, one row per image:
 * the resized original, the greyscale map, the edge map.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rgbImage } from "./image.ts";
 * import { convolveImages } from "./convolve.ts";
 * const sheet = convolveImages([rgbImage(40, 30, [200, 100, 50])], { size: 16, gap: 2 });
 * assert.equal(sheet.width, 3 * 16 + 2 * 2);
 * assert.equal(sheet.height, 16);
 * ```
 */
export function convolveImages(
  images: RgbImage[],
  options: { size?: number; gap?: number } = {},
): RgbImage {
  const size = options.size ?? 200, gap = options.gap ?? 8;
  if (images.length === 0) throw new RangeError("Cannot convolve: no images were given");
  if (!Number.isInteger(size) || size < 3) {
    throw new RangeError(`Cannot convolve at size ${size}: use an integer ≥ 3`);
  }
  const resized = images.map((im) => resizeBilinear(cropSquare(im), size, size));
  const x = new Tensor(toBatch(resized), [images.length, 3, size, size]); // x: (N, 3, S, S)
  const filters = processingFilters();
  const w = new Tensor(filters.w, [2, 3, 3, 3]), b = new Tensor(filters.b, [2]);
  const { out: result } = convForward(x, w, b, { stride: 1, pad: 1 });
  const out = result.data; // out: (N, 2, S, S)
  const [WO, HO] = [size, size];
  const plane = HO * WO;
  const rows = resized.map((im, n) =>
    sideBySide([
      im,
      mapToImage(out.subarray((n * 2) * plane, (n * 2 + 1) * plane), WO, HO),
      mapToImage(out.subarray((n * 2 + 1) * plane, (n * 2 + 2) * plane), WO, HO),
    ], gap)
  );
  return stackRows(rows, gap);
}

function stackRows(rows: RgbImage[], gap: number): RgbImage {
  const width = rows[0].width;
  const out = rgbImage(width, rows.length * rows[0].height + (rows.length - 1) * gap);
  rows.forEach((r, i) => out.data.set(r.data, i * (r.height + gap) * width * 3));
  return out;
}
