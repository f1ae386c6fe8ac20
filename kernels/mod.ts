/**
 * The kernel backends and the seam between `nn` and them.
 *
 * `Kernels` lists every kernel a layer may call; each backend implements all of it with the
 * same positional signatures as the reference (outputs first, then inputs, then sizes;
 * backward kernels add into their outputs unless told to `overwrite` them).
 * `kernelsFor(dtype)` picks the backend for a dtype: float64 always runs the reference loops
 * (they are the specification, used for gradient checks); float32 runs the WASM SIMD backend.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { kernelsFor } from "./mod.ts";
 * assert.equal(kernelsFor("float64").name, "ref");
 * assert.equal(kernelsFor("float32").name, "wasm");
 * ```
 *
 * @module
 */

import type { DType } from "../core/tensor.ts";
import * as ref from "./ref/mod.ts";
import { wasmKernels as wasm } from "./wasm/mod.ts";
import { type WebgpuBackend, webgpuBackend } from "./webgpu/backend.ts";

export type { WebgpuBackend } from "./webgpu/backend.ts";
export type { GpuTensor } from "./webgpu/tensor.ts";

/** Every kernel a layer may call, with the reference's signatures. */
export interface Kernels {
  readonly name: string;
  conv2dForward: typeof ref.conv2dForward;
  conv2dBackwardData: typeof ref.conv2dBackwardData;
  conv2dBackwardFilter: typeof ref.conv2dBackwardFilter;
  maxPool2dForward: typeof ref.maxPool2dForward;
  maxPool2dBackward: typeof ref.maxPool2dBackward;
  gemm: typeof ref.gemm;
  addRowBias: typeof ref.addRowBias;
  sumRows: typeof ref.sumRows;
  reluForward: typeof ref.reluForward;
  reluBackward: typeof ref.reluBackward;
  softmaxCrossEntropy: typeof ref.softmaxCrossEntropy;
  svmLoss: typeof ref.svmLoss;
  softmaxCrossEntropySmoothed: typeof ref.softmaxCrossEntropySmoothed;
  axpy: typeof ref.axpy;
  avgPool2dForward: typeof ref.avgPool2dForward;
  avgPool2dBackward: typeof ref.avgPool2dBackward;
  batchNorm2dForward: typeof ref.batchNorm2dForward;
  batchNorm2dBackward: typeof ref.batchNorm2dBackward;
  dropoutForward: typeof ref.dropoutForward;
  dropoutBackward: typeof ref.dropoutBackward;
  sgdStep: typeof ref.sgdStep;
  adamStep: typeof ref.adamStep;
  rmspropStep: typeof ref.rmspropStep;
  sumOfSquares: typeof ref.sumOfSquares;
  convPoolRelu2dForward: typeof ref.convPoolRelu2dForward;
  convPoolRelu2dBackwardFilter: typeof ref.convPoolRelu2dBackwardFilter;
}

/** The reference backend: plain loops, any precision. */
export const refKernels: Kernels = { name: "ref", ...ref };

/**
 * The WASM SIMD backend (kernels/wasm/), ready once this module is imported. Kernels it does
 * not implement yet (listed by `wasmMissing`) run the reference loops on float32 arrays.
 */
export const wasmKernels: Kernels = { ...refKernels, ...wasm };

// Exports of kernels/ref/ that are helpers, not kernels (dropoutHash: the mask's hash;
// checkConvPoolDims: a shape check).
const REF_HELPERS: ReadonlySet<string> = new Set(["dropoutHash", "checkConvPoolDims"]);

/** The kernels the WASM backend still borrows from the reference (none). */
export const wasmMissing: readonly string[] = Object.keys(refKernels).filter((k) =>
  !REF_HELPERS.has(k) && !(k in wasm)
);

/**
 * The explicit backend table. `ref` and `wasm` compute on typed arrays (`Tensor.data`);
 * `webgpu` on tensors that live in GPU buffers (`Tensor.device`), which the modules send to
 * it: a module runs on whichever backend holds its input (see `Module.to`).
 */
export const backends: {
  readonly ref: Kernels;
  readonly wasm: Kernels;
  readonly webgpu: WebgpuBackend;
} = {
  ref: refKernels,
  wasm: wasmKernels,
  webgpu: webgpuBackend,
};

/** The backends float32 typed arrays can run on. */
export type HostBackendName = "ref" | "wasm";

let float32Kernels: Kernels = wasmKernels;

/** Chooses the backend float32 runs on (the WASM SIMD one unless told otherwise). */
export function setFloat32Backend(name: HostBackendName): Kernels {
  const chosen = name === "ref" || name === "wasm" ? backends[name] : undefined;
  if (chosen === undefined) {
    throw new RangeError(
      `Unknown backend "${name}" for float32 arrays: use one of ref, wasm (webgpu runs the ` +
        'modules whose tensors it holds: await model.to("webgpu"))',
    );
  }
  float32Kernels = chosen;
  return chosen;
}

/** The backend that computes in `dtype`: float64 → ref; float32 → wasm (or the one set). */
export function kernelsFor(dtype: DType): Kernels {
  return dtype === "float32" ? float32Kernels : refKernels;
}
