/**
 * Training-time augmentation, fused with normalisation: a random 32×32 crop of the image padded
 * by `pad` pixels on every side, then a random horizontal flip — the standard CIFAR-10 recipe
 * (torchvision's `RandomCrop(32, padding=4)` then `RandomHorizontalFlip()`).
 *
 * Padding pixels are black (byte 0) before normalisation, as in torchvision, so after
 * normalisation they take the value `shift[p]`; with `padMode: "reflect"` they mirror the
 * image instead (PyTorch's `F.pad(…, "reflect")`, the edge not repeated), as the fast recipes'
 * translate augmentation (airbench: reflect, pad 2).
 *
 * Alternating flips (airbench): with `flip: "alternate"` image i is flipped in epoch e when
 * `alternatingFlip(seed, i, e)` says so — a coin per image in even epochs and its opposite in odd
 * ones, so every image is seen both ways every two epochs. It is a pure function of the seed,
 * the image's index in the set and the epoch, so a resumed run flips exactly as the
 * uninterrupted one.
 *
 * @module
 */

import type { Rng } from "../core/random.ts";
import { IMAGE_BYTES } from "./cifar10.ts";
import type { Normalization } from "./normalize.ts";

const SIDE = 32, PLANE = 1024;

/** What fills the border of a padded image: black, or the image mirrored at its edge. */
export type PadMode = "zero" | "reflect";

/** Which augmentations to apply. */
export interface AugmentOptions {
  /** Padding before the random crop, in pixels (default 4; 0 turns cropping off). */
  pad?: number;
  /** What the padding holds (default "zero": black pixels). */
  padMode?: PadMode;
  /**
   * Horizontal flips (default true): `true` flips each image with probability 1/2, drawn from
   * the batch's generator; `"alternate"` flips as `alternatingFlip(seed, index, epoch)`.
   */
  flip?: boolean | "alternate";
  /** The epoch, for `flip: "alternate"` (required there). */
  epoch?: number;
  /** The seed of the alternating flips' first-epoch coins (default 0). */
  seed?: number;
}

/** One image's random choices: the crop's offsets into the padded image, and the flip. */
export interface AugmentDraw {
  dy: number;
  dx: number;
  flip: boolean;
}

/** Checks augmentation options and fills in the defaults. */
export function augmentDefaults(options: AugmentOptions | true): Required<AugmentOptions> {
  const o = options === true ? {} : options;
  const { pad = 4, padMode = "zero", flip = true, epoch = 0, seed = 0 } = o;
  const maxPad = padMode === "reflect" ? SIDE - 1 : SIDE;
  if (!Number.isInteger(pad) || pad < 0 || pad > maxPad) {
    throw new RangeError(
      `Cannot augment with pad=${pad} (${padMode}): it must be an integer in 0 … ${maxPad}`,
    );
  }
  if (padMode !== "zero" && padMode !== "reflect") {
    throw new RangeError(`Cannot augment with padMode "${padMode}": use "zero" or "reflect"`);
  }
  if (flip === "alternate" && !(Number.isInteger(o.epoch) && o.epoch! >= 0)) {
    throw new TypeError(
      `Cannot alternate flips without the epoch: pass augment: { flip: "alternate", epoch, seed } ` +
        `with an integer epoch ≥ 0, got ${o.epoch}`,
    );
  }
  return { pad, padMode, flip, epoch, seed };
}

/**
 * Draws one image's augmentation: dy, then dx (each in 0 … 2·pad), then the flip (a draw only
 * for `flip: true`; false here for "alternate", whose flip the caller takes from
 * {@link alternatingFlip}).
 */
export function drawAugment(rng: Rng, options: Required<AugmentOptions>): AugmentDraw {
  const { pad, flip } = options;
  const dy = pad > 0 ? rng.int(2 * pad + 1) : 0;
  const dx = pad > 0 ? rng.int(2 * pad + 1) : 0;
  return { dy, dx, flip: flip === true ? rng.uniform() < 0.5 : false };
}

/**
 * Whether image `index` is flipped in `epoch` under alternating flips: a coin per (seed,
 * index), hashed (murmur3's 32-bit finaliser), in even epochs; its opposite in odd epochs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { alternatingFlip } from "./augment.ts";
 * for (let i = 0; i < 8; i++) {
 *   assert.notEqual(alternatingFlip(7, i, 0), alternatingFlip(7, i, 1));
 *   assert.equal(alternatingFlip(7, i, 0), alternatingFlip(7, i, 2));
 * }
 * ```
 */
export function alternatingFlip(seed: number, index: number, epoch: number): boolean {
  let h = Math.imul(Math.trunc(seed) | 0, 0x9e3779b1) ^ Math.imul(index | 0, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return ((h >>> 31) ^ (epoch & 1)) === 1;
}

// The source row or column of padded position i (i may be < 0 or ≥ 32), or −1 for a black pixel.
function sourceIndex(i: number, padMode: PadMode): number {
  if (i >= 0 && i < SIDE) return i;
  if (padMode === "zero") return -1;
  return i < 0 ? -i : 2 * (SIDE - 1) - i;
}

/**
 * Writes image `index` of `images`, cropped and maybe flipped as `draw` says, normalised, into
 * `out` at `offset`: out(c, h, w) = norm(padded(c, h + dy, w' + dx)) with w' = 31 − w when
 * flipped, else w, and padded() the image padded by `pad` in `padMode` (default "zero").
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
 * augmentImage(images, 0, out, 0, Normalization.none(), { dy: 4, dx: 6, flip: false }, 4, "reflect");
 * assert.deepEqual([out[29], out[30], out[31]], [31, 30, 29]); // mirrored at the edge
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
  padMode: PadMode = "zero",
): void {
  const { scale, shift } = norm;
  const src = index * IMAGE_BYTES;
  const oy = draw.dy - pad, ox = draw.dx - pad;
  for (let c = 0; c < 3; c++) {
    for (let h = 0; h < SIDE; h++) {
      const sh = sourceIndex(h + oy, padMode);
      const row = c * PLANE + h * SIDE; // position of out(c, h, 0) within the image
      if (sh < 0) {
        for (let w = 0; w < SIDE; w++) out[offset + row + w] = shift[row + w];
        continue;
      }
      const srcRow = src + c * PLANE + sh * SIDE;
      for (let w = 0; w < SIDE; w++) {
        const sw = sourceIndex((draw.flip ? SIDE - 1 - w : w) + ox, padMode);
        const p = row + w;
        out[offset + p] = sw >= 0 ? images[srcRow + sw] * scale[p] + shift[p] : shift[p];
      }
    }
  }
}
