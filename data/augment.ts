/**
 * Training-time augmentation, fused with normalisation: a random 32×32 crop of the image padded
 * by `pad` pixels on every side, then a random horizontal flip — the standard CIFAR-10 recipe
 * (torchvision's `RandomCrop(32, padding=4)` then `RandomHorizontalFlip()`).
 *
 * Padding pixels are black (byte 0) before normalisation, as in torchvision, so after
 * normalisation they take the value `shift[p]`.
 *
 * @module
 */

import type { Rng } from "../nn/random.ts";
import { IMAGE_BYTES } from "./cifar10.ts";
import type { Normalization } from "./normalize.ts";

const SIDE = 32, PLANE = 1024;

/** Which augmentations to apply. */
export interface AugmentOptions {
  /** Zero padding before the random crop, in pixels (default 4; 0 turns cropping off). */
  pad?: number;
  /** Random horizontal flips with probability 1/2 (default true). */
  flip?: boolean;
}

/** One image's random choices: the crop's offsets into the padded image, and the flip. */
export interface AugmentDraw {
  dy: number;
  dx: number;
  flip: boolean;
}

/** Checks augmentation options and fills in the defaults. */
export function augmentDefaults(options: AugmentOptions | true): Required<AugmentOptions> {
  const { pad = 4, flip = true } = options === true ? {} : options;
  if (!Number.isInteger(pad) || pad < 0 || pad > SIDE) {
    throw new RangeError(`Cannot augment with pad=${pad}: it must be an integer in 0 … ${SIDE}`);
  }
  return { pad, flip };
}

/** Draws one image's augmentation: dy, then dx (each in 0 … 2·pad), then the flip. */
export function drawAugment(rng: Rng, options: Required<AugmentOptions>): AugmentDraw {
  const { pad, flip } = options;
  const dy = pad > 0 ? rng.int(2 * pad + 1) : 0;
  const dx = pad > 0 ? rng.int(2 * pad + 1) : 0;
  return { dy, dx, flip: flip ? rng.uniform() < 0.5 : false };
}

/**
 * Writes image `index` of `images`, cropped and maybe flipped as `draw` says, normalised, into
 * `out` at `offset`: out(c, h, w) = norm(padded(c, h + dy, w' + dx)) with w' = 31 − w when
 * flipped, else w.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { augmentImage } from "./augment.ts";
 * import { Normalization } from "./normalize.ts";
 * const images = new Uint8Array(3072);
 * for (let p = 0; p < 3072; p++) images[p] = p % 32; // each row 0 … 31
 * const out = new Float32Array(3072);
 * augmentImage(images, 0, out, 0, Normalization.none(), { dy: 4, dx: 4, flip: true }, 4);
 * assert.equal(out[0], 31); // flipped, no shift
 * augmentImage(images, 0, out, 0, Normalization.none(), { dy: 4, dx: 6, flip: false }, 4);
 * assert.deepEqual([out[0], out[29], out[30]], [2, 31, 0]); // shifted left by 2, black pad
 * ```
 */
export function augmentImage(
  images: Uint8Array,
  index: number,
  out: Float32Array,
  offset: number,
  norm: Normalization,
  draw: AugmentDraw,
  pad: number,
): void {
  const { scale, shift } = norm;
  const src = index * IMAGE_BYTES;
  const oy = draw.dy - pad, ox = draw.dx - pad;
  for (let c = 0; c < 3; c++) {
    for (let h = 0; h < SIDE; h++) {
      const sh = h + oy;
      const row = c * PLANE + h * SIDE; // position of out(c, h, 0) within the image
      if (sh < 0 || sh >= SIDE) {
        for (let w = 0; w < SIDE; w++) out[offset + row + w] = shift[row + w];
        continue;
      }
      const srcRow = src + c * PLANE + sh * SIDE;
      for (let w = 0; w < SIDE; w++) {
        const sw = (draw.flip ? SIDE - 1 - w : w) + ox;
        const p = row + w;
        out[offset + p] = sw >= 0 && sw < SIDE
          ? images[srcRow + sw] * scale[p] + shift[p]
          : shift[p];
      }
    }
  }
}
