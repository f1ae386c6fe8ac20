/**
 * convnet.ts — train convolutional networks from scratch in Deno: every forward, backward,
 * optimizer step and data-pipeline stage in plain, readable code, with WebAssembly SIMD
 * kernels for speed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Rng, Tensor } from "./mod.ts";
 * const x = Tensor.randn([2, 3, 8, 8], new Rng(0));
 * assert.deepEqual(x.shape, [2, 3, 8, 8]);
 * ```
 *
 * @module
 */

export { arrayFor, shapeSize, Tensor } from "./nn/tensor.ts";
export type { DType, TensorData } from "./nn/tensor.ts";
export { Rng } from "./nn/random.ts";
export type { ConvDims, PoolDims } from "./kernels/dims.ts";
export { convBackward, convForward, maxPoolBackward, maxPoolForward } from "./nn/fast_layers.ts";
export { getThreads, setThreads } from "./kernels/wasm/mod.ts";
