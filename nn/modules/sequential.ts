/**
 * `Sequential`: modules applied one after the other, PyTorch's `nn.Sequential`. Children are
 * named "0", "1", … (from an array) or by the keys of a record, in order.
 *
 * @module
 */

import type { Tensor } from "../../core/tensor.ts";
import { ReLU } from "./activation.ts";
import { BatchNorm2d } from "./batchnorm.ts";
import { Conv2d } from "./conv.ts";
import { Module } from "./module.ts";

/**
 * A chain of modules: forward runs them in order, backward in reverse.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Conv2d, Flatten, Linear, MaxPool2d, ReLU, Rng, Sequential } from "../../mod.ts";
 * const rng = new Rng(0);
 * const net = new Sequential([
 *   new Conv2d(3, 32, { kernelSize: 7, padding: 3, rng }),
 *   new ReLU(),
 *   new MaxPool2d(2),
 *   new Flatten(),
 *   new Linear(8192, 10, { rng }),
 * ]);
 * assert.equal(
 *   net.toString(),
 *   "Sequential(Conv2d(3→32, k=7, p=3), ReLU, MaxPool2d(2), Flatten, Linear(8192→10))",
 * );
 * assert.deepEqual(net.parameters().map((p) => p.name), ["0.weight", "0.bias", "4.weight", "4.bias"]);
 * ```
 */
export class Sequential extends Module {
  /** The children in order. */
  readonly layers: readonly Module[];

  /**
   * Chains `layers`; children are named by their index, or by the record's keys.
   *
   * @param layers the modules in order, as an array or as a record name → module
   */
  constructor(layers: readonly Module[] | Record<string, Module>) {
    super();
    const entries: [string, Module][] = Array.isArray(layers)
      ? layers.map((m, i) => [String(i), m])
      : Object.entries(layers);
    for (const [name, m] of entries) this.addChild(name, m);
    this.layers = entries.map(([, m]) => m);
  }

  /** The child called `name` (e.g. "0" or "conv"). */
  get(name: string | number): Module {
    const found = this.namedChildren().find(([n]) => n === String(name));
    if (!found) {
      const names = this.namedChildren().map(([n]) => n).join(", ");
      throw new RangeError(`Cannot find layer "${name}" in Sequential: it has [${names}]`);
    }
    return found[1];
  }

  /**
   * Runs the layers in order.
   *
   * A BatchNorm2d followed by a ReLU runs as one pass (`forwardRelu`), forward and backward: the
   * same numbers as the two layers, without the ReLU's trips through memory.
   */
  forward(x: Tensor): Tensor {
    const layers = this.layers;
    for (let i = 0; i < layers.length; i++) {
      const m = layers[i];
      if (m instanceof BatchNorm2d && layers[i + 1] instanceof ReLU) {
        x = m.forwardRelu(x);
        i++;
      } else {
        x = m.forward(x);
      }
    }
    return x;
  }

  /** Runs the layers' backward in reverse order and returns dx of the first. */
  backward(dout: Tensor): Tensor {
    const layers = this.layers;
    for (let i = layers.length - 1; i >= 0; i--) {
      const m = layers[i], before = layers[i - 1];
      if (m instanceof ReLU && before instanceof BatchNorm2d && before.fusedRelu) {
        dout = before.backward(dout);
        i--;
      } else {
        dout = m.backward(dout);
      }
    }
    return dout;
  }

  /** `Sequential(…)` listing the children's `toString()`. */
  toString(): string {
    return `Sequential(${this.layers.map((m) => m.toString()).join(", ")})`;
  }
}

/**
 * Turns off the input gradient of the convolution that reads a model's input — found by
 * following first children through nested `Sequential`s — since nobody reads the gradient of
 * the images. Returns that convolution, or null when the model does not start with one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CNN, skipInputGradient, Tensor } from "../../mod.ts";
 * const net = new CNN([3, 8, 8], 4, 3, 10);
 * assert.equal(skipInputGradient(net)?.inputGrad, false);
 * net.forward(Tensor.zeros([2, 3, 8, 8], "float32"));
 * assert.deepEqual(net.backward(Tensor.zeros([2, 10], "float32")).shape, [0]);
 * ```
 */
export function skipInputGradient(model: Module): Conv2d | null {
  let m: Module | undefined = model;
  while (m instanceof Sequential) m = m.namedChildren()[0]?.[1];
  if (!(m instanceof Conv2d)) return null;
  m.inputGrad = false;
  return m;
}
