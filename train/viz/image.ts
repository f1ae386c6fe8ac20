/**
 * 8-bit RGB images in memory, PNG and JPEG coding through maintained packages (`fast-png`,
 * `jpeg-js`), nearest-neighbour and bilinear resizing, side-by-side composition, and atomic
 * file writes.
 *
 * @module
 */

import { decode as decodePngRaw, encode as encodePngRaw } from "fast-png";
import jpeg from "jpeg-js";

/** An 8-bit RGB image, row-major. data: (height, width, 3) */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A blank RGB image filled with one grey level or `[r, g, b]`. */
export function rgbImage(
  width: number,
  height: number,
  fill: number | [number, number, number] = 255,
): RgbImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new RangeError(`Cannot create a ${width}×${height} image: sizes must be integers ≥ 0`);
  }
  const [r, g, b] = typeof fill === "number" ? [fill, fill, fill] : fill;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) {
    data[i] = r;
    data[i + 1] = g;
    data[i + 2] = b;
  }
  return { width, height, data };
}

/** Encodes an RGB image as a PNG (deterministic: the same image gives the same bytes). */
export function encodePng(image: RgbImage): Uint8Array {
  return encodePngRaw({ width: image.width, height: image.height, data: image.data, channels: 3 });
}

/**
 * The largest image `decodeImage` decodes, in pixels (40 megapixels: a phone photo fits, and
 * its decoded RGBA takes 160 MB); larger ones are refused from their header, before decoding.
 */
export const MAX_IMAGE_PIXELS = 40_000_000;

/**
 * The width and height a PNG (its IHDR) or a baseline/progressive JPEG (its SOF marker)
 * declares, read without decoding; null when the header is not there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodePng, imageSize, rgbImage } from "./image.ts";
 * assert.deepEqual(imageSize(encodePng(rgbImage(7, 3))), { width: 7, height: 3 });
 * ```
 */
export function imageSize(bytes: Uint8Array): { width: number; height: number } | null {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isPngBytes(bytes)) {
    return bytes.length >= 24 ? { width: v.getUint32(16), height: v.getUint32(20) } : null;
  }
  for (let i = 2; i + 9 <= bytes.length;) { // JPEG: walk the marker segments to a frame header
    if (bytes[i] !== 0xff) return null;
    const marker = bytes[i + 1];
    if (marker === 0xff) { // fill byte
      i++;
      continue;
    }
    const isFrame = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
    if (isFrame) return { width: v.getUint16(i + 7), height: v.getUint16(i + 5) };
    i += 2 + v.getUint16(i + 2);
  }
  return null;
}

function isPngBytes(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e;
}

/**
 * Decodes a PNG or JPEG (recognised by its signature) to RGB, dropping any alpha. Refuses an
 * image over `MAX_IMAGE_PIXELS` (RangeError) from its header, and a damaged or truncated file
 * (TypeError), naming `source`.
 */
export function decodeImage(bytes: Uint8Array, source = "image"): RgbImage {
  const isPng = isPngBytes(bytes);
  const isJpeg = bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  if (!isPng && !isJpeg) {
    throw new TypeError(`Cannot decode ${source}: it is neither a PNG nor a JPEG file`);
  }
  const kind = isPng ? "PNG" : "JPEG";
  const size = imageSize(bytes);
  if (size === null) {
    throw new TypeError(`Cannot decode ${source}: the ${kind} file is truncated before its size`);
  }
  if (size.width * size.height > MAX_IMAGE_PIXELS) {
    throw new RangeError(
      `Cannot decode ${source}: it is ${size.width}×${size.height} pixels, more than the ` +
        `${MAX_IMAGE_PIXELS / 1e6} megapixels this reads; downscale it first`,
    );
  }
  const damaged = (e: unknown) =>
    new TypeError(
      `Cannot decode ${source}: the ${kind} file is damaged or truncated (${(e as Error).message})`,
    );
  if (isJpeg) {
    let img;
    try {
      img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
    } catch (e) {
      throw damaged(e);
    }
    return fromChannels(img.width, img.height, img.data, 4, 8);
  }
  let png;
  try {
    png = decodePngRaw(bytes);
  } catch (e) {
    throw damaged(e);
  }
  if (png.palette) {
    throw new TypeError(`Cannot decode ${source}: palette PNGs are not supported; save it as RGB`);
  }
  return fromChannels(png.width, png.height, png.data, png.channels, png.depth);
}

function fromChannels(
  width: number,
  height: number,
  data: ArrayLike<number>,
  channels: number,
  depth: number,
): RgbImage {
  const out = new Uint8Array(width * height * 3);
  const shift = depth === 16 ? 8 : 0;
  const grey = channels <= 2;
  for (let p = 0; p < width * height; p++) {
    for (let k = 0; k < 3; k++) {
      out[p * 3 + k] = data[p * channels + (grey ? 0 : k)] >> shift;
    }
  }
  return { width, height, data: out };
}

/** Nearest-neighbour upscaling by an integer factor (each pixel becomes a factor² block). */
export function upscale(image: RgbImage, factor: number): RgbImage {
  if (!Number.isInteger(factor) || factor < 1) {
    throw new RangeError(`Cannot upscale by ${factor}: the factor must be an integer ≥ 1`);
  }
  const out = rgbImage(image.width * factor, image.height * factor);
  for (let y = 0; y < out.height; y++) {
    const src = Math.floor(y / factor) * image.width;
    for (let x = 0; x < out.width; x++) {
      const s = (src + Math.floor(x / factor)) * 3, d = (y * out.width + x) * 3;
      out.data[d] = image.data[s];
      out.data[d + 1] = image.data[s + 1];
      out.data[d + 2] = image.data[s + 2];
    }
  }
  return out;
}

/** Bilinear resize to width × height (pixel centres aligned, as most image libraries do). */
export function resizeBilinear(image: RgbImage, width: number, height: number): RgbImage {
  const out = rgbImage(width, height);
  const sx = image.width / width, sy = image.height / height;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), image.height - 1);
    const y0 = Math.floor(fy), y1 = Math.min(y0 + 1, image.height - 1), ty = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), image.width - 1);
      const x0 = Math.floor(fx), x1 = Math.min(x0 + 1, image.width - 1), tx = fx - x0;
      for (let k = 0; k < 3; k++) {
        const a = image.data[(y0 * image.width + x0) * 3 + k];
        const b = image.data[(y0 * image.width + x1) * 3 + k];
        const c = image.data[(y1 * image.width + x0) * 3 + k];
        const d = image.data[(y1 * image.width + x1) * 3 + k];
        const top = a + (b - a) * tx, bottom = c + (d - c) * tx;
        out.data[(y * width + x) * 3 + k] = Math.round(top + (bottom - top) * ty);
      }
    }
  }
  return out;
}

/** Places images left to right, top-aligned, with `gap` pixels of `fill` between them. */
export function sideBySide(images: RgbImage[], gap = 8, fill = 255): RgbImage {
  const width = images.reduce((w, im) => w + im.width, 0) + gap * Math.max(0, images.length - 1);
  const height = Math.max(0, ...images.map((im) => im.height));
  const out = rgbImage(width, height, fill);
  let left = 0;
  for (const im of images) {
    for (let y = 0; y < im.height; y++) {
      const row = im.data.subarray(y * im.width * 3, (y + 1) * im.width * 3);
      out.data.set(row, (y * width + left) * 3);
    }
    left += im.width + gap;
  }
  return out;
}

// The one atomic writer of the project, re-exported for the pictures' callers.
export { writeFileAtomic } from "../../nn/_atomic.ts";
