/**
 * Losses of the module API. `crossEntropy` is PyTorch's `F.cross_entropy` (mean over the batch)
 * with optional label smoothing, returning the loss and its gradient with respect to the
 * logits, ready for `model.backward(dlogits)`. On logits that live on the GPU it records the
 * loss kernel without waiting: the per-sample losses stay on the device (`losses`).
 *
 * @module
 */

import { kernelsFor, type WebgpuBackend } from "../kernels/mod.ts";
import { Tensor } from "../core/tensor.ts";
import { webgpuOf } from "./modules/module.ts";
import type { Labels } from "./types.ts";

/** Options of `crossEntropy`. */
export interface CrossEntropyOptions {
  /**
   * ε in [0, 1]: the target becomes (1 − ε)·onehot(y) + ε/C, as PyTorch's `label_smoothing`
   * (default 0).
   */
  labelSmoothing?: number;
}

/** The mean loss over the batch and ∂loss/∂logits. */
export interface CrossEntropyResult {
  /**
   * Mean loss over the batch, in nats. For logits on the GPU reading it throws: the losses
   * stay on the device (`losses`), to be read every N steps (kernels/webgpu/ring.ts).
   */
  readonly loss: number;
  /** dlogits: (N, C), where the logits live. */
  readonly dlogits: Tensor;
  /**
   * Per-sample losses (N) on the GPU, for logits there (the mean is their sum / N); absent on
   * the CPU. Valid until the next crossEntropy on the same device.
   */
  readonly losses?: Tensor;
}

type GpuStorage = ReturnType<WebgpuBackend["buffer"]>;

// The GPU's labels, per-sample losses and dlogits, one set per device (grown as needed): a
// training step computes one loss, read (or copied into a loss ring) before the next.
const gpuWork = new WeakMap<object, Record<string, GpuStorage>>();

function gpuBuffer(g: WebgpuBackend, role: string, n: number, dtype: "float32" | "int32") {
  const ctx = g.context();
  const work = gpuWork.get(ctx) ?? {};
  gpuWork.set(ctx, work);
  if (!(work[role]?.size >= n)) work[role] = g.buffer(n, dtype);
  return work[role];
}

// The loss on the GPU: labels uploaded in the open command encoder, nothing read back.
function crossEntropyGpu(
  g: WebgpuBackend,
  logits: Tensor,
  y: ArrayLike<number>,
  smoothing: number,
): CrossEntropyResult {
  const [N, C] = logits.shape;
  const labels = gpuBuffer(g, "labels", N, "int32");
  g.write(labels, Int32Array.from(y));
  const losses = Tensor.onDevice(gpuBuffer(g, "losses", N, "float32"), [N]);
  const dlogits = Tensor.onDevice(gpuBuffer(g, "dlogits", N * C, "float32"), [N, C]);
  const s = g.storageOf, k = g.kernels;
  if (smoothing === 0) k.softmaxCrossEntropy(s(dlogits), s(losses), s(logits), labels, N, C);
  else k.softmaxCrossEntropySmoothed(s(dlogits), s(losses), s(logits), labels, N, C, smoothing);
  return {
    get loss(): number {
      throw new TypeError(
        "Cannot read the loss of a webgpu batch synchronously: it stays on the device; read " +
          "the per-sample losses with await result.losses.read()",
      );
    },
    dlogits,
    losses,
  };
}

/**
 * Softmax cross-entropy of (N, C) logits against integer labels, averaged over the batch.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { crossEntropy, Tensor } from "../mod.ts";
 * const logits = Tensor.zeros([1, 4]); // uniform softmax: loss = log 4
 * const { loss, dlogits } = crossEntropy(logits, [2]);
 * assert.ok(Math.abs(loss - Math.log(4)) < 1e-12);
 * assert.deepEqual([...dlogits.data], [0.25, 0.25, -0.75, 0.25]);
 * ```
 */
export function crossEntropy(
  logits: Tensor,
  y: Labels,
  options: CrossEntropyOptions = {},
): CrossEntropyResult {
  const { labelSmoothing = 0 } = options;
  if (logits.rank !== 2) {
    throw new TypeError(
      `Cannot compute crossEntropy: logits must have shape (N, C), got [${
        logits.shape.join(", ")
      }]`,
    );
  }
  const [N, C] = logits.shape;
  if (y.length !== N) {
    throw new TypeError(`Cannot compute crossEntropy: ${N} rows of logits but ${y.length} labels`);
  }
  for (let n = 0; n < N; n++) {
    if (!Number.isInteger(y[n]) || y[n] < 0 || y[n] >= C) {
      throw new RangeError(
        `Cannot compute crossEntropy: label ${y[n]} at index ${n} is not a class in [0, ${C})`,
      );
    }
  }
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
    throw new RangeError(
      `Cannot compute crossEntropy: labelSmoothing must be in [0, 1], got ${labelSmoothing}`,
    );
  }
  if (N === 0) throw new RangeError("Cannot compute crossEntropy of an empty batch");
  const g = webgpuOf(logits);
  if (g) return crossEntropyGpu(g, logits, y, labelSmoothing);
  const k = kernelsFor(logits.dtype);
  const dlogits = Tensor.zeros([N, C], logits.dtype);
  const loss = labelSmoothing === 0
    ? k.softmaxCrossEntropy(dlogits.data, logits.data, y, N, C)
    : k.softmaxCrossEntropySmoothed(dlogits.data, logits.data, y, N, C, labelSmoothing);
  return { loss, dlogits };
}
