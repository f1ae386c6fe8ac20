/**
 * The homework's shallow ConvNet (`models/convnet.py`): conv – ReLU – 2×2 max-pool – linear,
 * giving class scores (logits) for `crossEntropy`.
 *
 * @module
 */

import { Conv2d } from "../modules/conv.ts";
import { Flatten } from "../modules/flatten.ts";
import { Linear } from "../modules/linear.ts";
import { MaxPool2d } from "../modules/pool.ts";
import { ReLU } from "../modules/activation.ts";
import { Sequential } from "../modules/sequential.ts";
import { Rng } from "../../core/random.ts";
import type { DType } from "../../core/tensor.ts";
import { checkModelArgs, type ImSize } from "./_args.ts";

/** Options of the models. */
export interface ModelOptions {
  /** Generator for the initial weights (default `new Rng(0)`). */
  rng?: Rng;
  /** Element type of the parameters and expected input (default "float32"). */
  dtype?: DType;
}

/**
 * conv(C→hiddenDim, kernelSize×kernelSize, 'same' padding) – ReLU – max-pool 2×2 – flatten –
 * linear(hiddenDim·H/2·W/2 → nClasses). Children are named `conv`, `relu`, `pool`, `flatten`,
 * `fc`, so the state dict holds `conv.weight`, `conv.bias`, `fc.weight`, `fc.bias`.
 *
 * Forward cost per image: 2·H·W·C·hiddenDim·k² + 2·hiddenDim·(H/2)·(W/2)·nClasses FLOPs
 * (CIFAR-10 with hiddenDim 32, k = 7: 9.6 MFLOP conv + 0.16 MFLOP linear).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CNN, Rng, Tensor } from "../../mod.ts";
 * const net = new CNN([3, 32, 32], 32, 7, 10, { rng: new Rng(0) });
 * assert.equal(
 *   net.toString(),
 *   "Sequential(Conv2d(3→32, k=7, p=3), ReLU, MaxPool2d(2), Flatten, Linear(8192→10))",
 * );
 * assert.deepEqual(net.forward(Tensor.zeros([2, 3, 32, 32], "float32")).shape, [2, 10]);
 * ```
 */
export class CNN extends Sequential {
  /** (C, H, W) of one input image. */
  readonly imSize: ImSize;
  /** Filters of the conv layer. */
  readonly hiddenDim: number;
  /** Side of the square conv kernel (odd; padding (k − 1) / 2 keeps H×W). */
  readonly kernelSize: number;
  /** Number of classes: the width of the logits. */
  readonly nClasses: number;

  /**
   * Builds the layers for images of `imSize` (H and W even, for the 2×2 pool); weights from
   * `options.rng` (default `new Rng(0)`), dtype `options.dtype` (default "float32").
   */
  constructor(
    imSize: ImSize,
    hiddenDim: number,
    kernelSize: number,
    nClasses: number,
    options: ModelOptions = {},
  ) {
    checkModelArgs("CNN", imSize, hiddenDim, kernelSize, nClasses);
    const [C, H, W] = imSize;
    if (H % 2 !== 0 || W % 2 !== 0) {
      throw new RangeError(
        `Cannot build CNN: the 2×2 max-pool needs an even height and width, got ${H}×${W}`,
      );
    }
    const { rng = new Rng(0), dtype = "float32" } = options;
    super({
      conv: new Conv2d(C, hiddenDim, { kernelSize, padding: (kernelSize - 1) / 2, rng, dtype }),
      relu: new ReLU(),
      pool: new MaxPool2d(2),
      flatten: new Flatten(),
      fc: new Linear(hiddenDim * (H / 2) * (W / 2), nClasses, { rng, dtype }),
    });
    this.imSize = [C, H, W];
    this.hiddenDim = hiddenDim;
    this.kernelSize = kernelSize;
    this.nClasses = nClasses;
  }
}
