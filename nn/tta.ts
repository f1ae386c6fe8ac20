/**
 * Test-time augmentation: a model's logits averaged over transformed copies of each image —
 * the mirror image (flip TTA) and, as airbench's level 2, copies shifted one pixel diagonally
 * both ways. Works with any model whose input is (N, C, H, W).
 *
 * @module
 */

import { kernelsFor } from "../kernels/mod.ts";
import type { Module } from "./modules/module.ts";
import { arrayFor, Tensor } from "../core/tensor.ts";

/** Options of {@link predictTta}. */
export interface TtaOptions {
  /** Average each view with its mirror image (default true). */
  flip?: boolean;
  /**
   * Also average over the images shifted by (−t, −t) and (+t, +t) pixels (default 0: no shift;
   * airbench uses 1). The logits are then ½·V(x) + ¼·V(x shifted −t) + ¼·V(x shifted +t), with
   * V the flip average (or the plain logits without flip).
   */
  translate?: number;
  /** What fills the border a shift uncovers (default "reflect", as airbench). */
  padMode?: "zero" | "reflect";
}

function checkImages(op: string, x: Tensor): void {
  if (x.rank !== 4) {
    throw new TypeError(`Cannot ${op}: x must be (N, C, H, W), got [${x.shape.join(", ")}]`);
  }
}

/**
 * Mirror images: every row of x: (N, C, H, W) reversed, into a copy.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Tensor } from "../core/tensor.ts";
 * import { flipHorizontal } from "./tta.ts";
 * const x = new Tensor(new Float32Array([1, 2, 3, 4, 5, 6]), [1, 1, 2, 3]);
 * assert.deepEqual([...flipHorizontal(x).data], [3, 2, 1, 6, 5, 4]);
 * ```
 */
export function flipHorizontal<T extends Tensor>(x: T): T {
  checkImages("flip", x);
  const W = x.shape[3];
  const out = x.data.slice(); // out: (N, C, H, W)
  for (let r = 0; r < out.length; r += W) out.subarray(r, r + W).reverse();
  return new Tensor(out, x.shape) as T;
}

/**
 * A shifted copy: out(n, c, h, w) = x(n, c, h + dy, w + dx), positions outside the image
 * mirrored at its edge ("reflect", PyTorch's, the edge not repeated) or 0 ("zero").
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Tensor } from "../core/tensor.ts";
 * import { translate } from "./tta.ts";
 * const x = new Tensor(new Float32Array([1, 2, 3]), [1, 1, 1, 3]);
 * assert.deepEqual([...translate(x, 0, 1, "reflect").data], [2, 3, 2]);
 * assert.deepEqual([...translate(x, 0, -1, "zero").data], [0, 1, 2]);
 * ```
 */
export function translate<T extends Tensor>(
  x: T,
  dy: number,
  dx: number,
  padMode: "zero" | "reflect",
): T {
  checkImages("translate", x);
  const [N, C, H, W] = x.shape;
  if (!Number.isInteger(dy) || !Number.isInteger(dx) || Math.abs(dy) >= H || Math.abs(dx) >= W) {
    throw new RangeError(
      `Cannot translate ${H}×${W} images by (${dy}, ${dx}): shifts must be integers below the size`,
    );
  }
  const source = (i: number, size: number): number => {
    if (i >= 0 && i < size) return i;
    if (padMode === "zero") return -1;
    return i < 0 ? -i : 2 * (size - 1) - i;
  };
  const out = arrayFor(x.dtype, x.size); // out: (N, C, H, W)
  for (let plane = 0; plane < N * C; plane++) {
    for (let h = 0; h < H; h++) {
      const sh = source(h + dy, H);
      if (sh < 0) continue;
      for (let w = 0; w < W; w++) {
        const sw = source(w + dx, W);
        if (sw >= 0) out[(plane * H + h) * W + w] = x.data[(plane * H + sh) * W + sw];
      }
    }
  }
  return new Tensor(out, x.shape) as T;
}

/**
 * logits: (N, K) of `model` (in evaluation mode) for x: (N, C, H, W), averaged over the views
 * `options` asks for. With `flip` only, the result is bit for bit (a + b)/2 of the logits a of
 * x and b of its mirror image.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Flatten, Linear, Rng, Sequential, Tensor } from "../mod.ts";
 * import { predictTta } from "./tta.ts";
 * const model = new Sequential([new Flatten(), new Linear(12, 3, { rng: new Rng(0) })]).eval();
 * const x = Tensor.randn([2, 3, 2, 2], new Rng(1), { dtype: "float32" });
 * const logits = predictTta(model, x, { flip: true, translate: 1 });
 * assert.deepEqual(logits.shape, [2, 3]);
 * ```
 */
export function predictTta(model: Module, x: Tensor, options: TtaOptions = {}): Tensor {
  const { flip = true, translate: t = 0, padMode = "reflect" } = options;
  if (model.training) {
    throw new Error(
      "Cannot run test-time augmentation in training mode (batch statistics would move): " +
        "call model.eval() first",
    );
  }
  checkImages("run test-time augmentation", x);
  if (!Number.isInteger(t) || t < 0) {
    throw new RangeError(
      `Cannot run test-time augmentation: translate must be an integer ≥ 0, got ${t}`,
    );
  }
  const views: [Tensor, number][] = t === 0
    ? [[x, 1]]
    : [[x, 0.5], [translate(x, -t, -t, padMode), 0.25], [translate(x, t, t, padMode), 0.25]];
  let logits: Tensor | undefined;
  for (const [view, weight] of views) {
    const parts: [Tensor, number][] = flip
      ? [[view, weight / 2], [flipHorizontal(view), weight / 2]]
      : [[view, weight]];
    for (const [input, w] of parts) {
      const y = model.forward(input);
      logits ??= Tensor.zeros(y.shape, y.dtype);
      kernelsFor(y.dtype).axpy(logits.data, y.data, w, y.size);
    }
  }
  return logits!;
}
