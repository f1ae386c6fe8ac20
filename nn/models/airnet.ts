/**
 * The network of Keller Jordan's airbench (cifar10-airbench, `airbench94.py`), the fastest
 * published CIFAR-10 recipes (93% at widths 64/128/128, 94% at 64/256/256), built from this
 * library's modules:
 *
 *     whiten  conv 2×2 (C→2·C·4, no padding, bias) – ReLU          H−1
 *     block1  conv 3×3 (→w₁) – maxpool 2 – BN – ReLU – conv 3×3 – BN – ReLU   (H−1)/2
 *     block2  the same at w₂                                        (H−1)/4
 *     block3  the same at w₃                                        (H−1)/8
 *     pool    max-pool over what is left – flatten – linear(w₃→classes, no bias) – ×1/9
 *
 * The stem has 2·C·2·2 = 24 filters so that `whiteningInit` can make it the patch whitening
 * (and its negatives); the 3×3 convs are 'same'-padded and bias-free, their batch norms use
 * airbench's momentum (PyTorch's 0.4) and eps 1e-12. airbench uses GELU where ReLU is here
 * (the library has no GELU module). Its PyTorch twin: interop/models/airnet.py.
 *
 * Forward cost per 32×32×3 image (`airNetFlops`, 10 classes): 108.4 MFLOP at 64/128/128 and
 * 236.3 MFLOP at 64/256/256; a training step (forward + backward) is about 3× that.
 *
 * @module
 */

import { ReLU } from "../modules/activation.ts";
import { BatchNorm2d } from "../modules/batchnorm.ts";
import { Conv2d } from "../modules/conv.ts";
import { Flatten } from "../modules/flatten.ts";
import { Linear } from "../modules/linear.ts";
import { MaxPool2d } from "../modules/pool.ts";
import { Scale } from "../modules/scale.ts";
import { Sequential } from "../modules/sequential.ts";
import { Rng } from "../../core/random.ts";
import type { ImSize } from "./_args.ts";
import type { ModelOptions } from "./convnet.ts";

/** The block widths of airbench's 93% recipe (its 94% one: 64, 256, 256). */
export const AIRNET_WIDTHS = [64, 128, 128] as const;
/** airbench's batch-norm running-statistics momentum (PyTorch's convention: new batch weight). */
export const AIRNET_BN_MOMENTUM = 0.4;
/** airbench's batch-norm eps. */
export const AIRNET_BN_EPS = 1e-12;
/** airbench's logit scale. */
export const AIRNET_OUTPUT_SCALE = 1 / 9;
/** The stem's kernel size (2×2, no padding). */
export const AIRNET_STEM_KERNEL = 2;

/** Options of {@link AirNet}. */
export interface AirNetOptions extends ModelOptions {
  /** Freeze every batch norm's scale at 1 (airbench's; default true). */
  frozenBnScale?: boolean;
}

/**
 * airbench's net at block widths `widths` (three of them), returning logits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AirNet, airNetFlops, Rng, Tensor } from "../../mod.ts";
 * const net = new AirNet([3, 32, 32], [4, 8, 8], 10, { rng: new Rng(0) });
 * assert.deepEqual(net.forward(Tensor.zeros([2, 3, 32, 32], "float32")).shape, [2, 10]);
 * assert.equal(airNetFlops([3, 32, 32], [64, 128, 128], 10), 108_447_808);
 * ```
 */
export class AirNet extends Sequential {
  /** The input size (channels, height, width). */
  readonly imSize: ImSize;
  /** The three blocks' widths. */
  readonly widths: readonly number[];
  /** The number of classes (logits). */
  readonly nClasses: number;

  /**
   * Builds the net for images of `imSize` with block widths `widths` and `nClasses` logits;
   * a RangeError or TypeError names a bad argument.
   */
  constructor(
    imSize: ImSize,
    widths: readonly number[],
    nClasses: number,
    options: AirNetOptions = {},
  ) {
    const side = checkAirNetArgs(imSize, widths, nClasses);
    const [C] = imSize;
    const { rng = new Rng(0), dtype = "float32", frozenBnScale = true } = options;
    const stemOut = 2 * C * AIRNET_STEM_KERNEL * AIRNET_STEM_KERNEL;
    const bn = (ch: number) =>
      new BatchNorm2d(ch, {
        dtype,
        momentum: AIRNET_BN_MOMENTUM,
        eps: AIRNET_BN_EPS,
        trainWeight: !frozenBnScale,
      });
    const conv = (cin: number, cout: number) =>
      new Conv2d(cin, cout, { kernelSize: 3, padding: 1, bias: false, rng, dtype });
    const block = (cin: number, cout: number) =>
      new Sequential([
        conv(cin, cout),
        new MaxPool2d(2),
        bn(cout),
        new ReLU(),
        conv(cout, cout),
        bn(cout),
        new ReLU(),
      ]);
    super({
      whiten: new Conv2d(C, stemOut, { kernelSize: AIRNET_STEM_KERNEL, rng, dtype }),
      act: new ReLU(),
      block1: block(stemOut, widths[0]),
      block2: block(widths[0], widths[1]),
      block3: block(widths[1], widths[2]),
      pool: new MaxPool2d(side),
      flatten: new Flatten(),
      fc: new Linear(widths[2], nClasses, { bias: false, rng, dtype }),
      scale: new Scale(AIRNET_OUTPUT_SCALE),
    });
    this.imSize = [...imSize] as unknown as ImSize;
    this.widths = [...widths];
    this.nClasses = nClasses;
  }
}

// Checks the arguments; returns the side of the last block's maps.
function checkAirNetArgs(imSize: ImSize, widths: readonly number[], nClasses: number): number {
  if (!Array.isArray(imSize) || imSize.length !== 3) {
    throw new TypeError(
      `Cannot build AirNet: imSize must be [channels, height, width], got ${String(imSize)}`,
    );
  }
  if (!Array.isArray(widths) || widths.length !== 3) {
    throw new TypeError(
      `Cannot build AirNet: widths must be three block widths (e.g. [64, 128, 128]), got ${
        String(widths)
      }`,
    );
  }
  for (const [name, v] of [...imSize.map((v, i) => [`imSize[${i}]`, v]), ["nClasses", nClasses]]) {
    if (!Number.isInteger(v) || (v as number) < 1) {
      throw new RangeError(`Cannot build AirNet: ${name} must be an integer ≥ 1, got ${v}`);
    }
  }
  for (const v of widths) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`Cannot build AirNet: widths must be integers ≥ 1, got ${widths}`);
    }
  }
  const [, H, W] = imSize;
  const side = Math.floor(Math.floor(Math.floor((H - 1) / 2) / 2) / 2);
  if (H !== W || side < 1) {
    throw new RangeError(
      `Cannot build AirNet: images must be square and at least 9×9 (a 2×2 stem, then three ` +
        `2×2 pools), got ${H}×${W}`,
    );
  }
  return side;
}

/**
 * Forward FLOPs per image of `AirNet` (2 per multiply-add, convolutions and the linear layer;
 * batch norm, ReLU and pooling left out): the direct-convolution count that GFLOP/s figures use.
 */
export function airNetFlops(imSize: ImSize, widths: readonly number[], nClasses: number): number {
  const [C, H] = imSize, k = AIRNET_STEM_KERNEL;
  const stemOut = 2 * C * k * k;
  let side = H - k + 1, cin = stemOut;
  let macs = side * side * C * k * k * stemOut;
  for (const w of widths) {
    macs += side * side * cin * w * 9; // conv1 at the block's input size
    side = Math.floor(side / 2);
    macs += side * side * w * w * 9; // conv2 after the pool
    cin = w;
  }
  return 2 * (macs + cin * nClasses);
}
