/**
 * The WebGPU backend (issue 8): WGSL kernels (kernels/webgpu/wgsl/, one file per kernel) run
 * on GPU-resident operands with the reference's positional signatures, async:
 *
 *   await gpuKernels.conv2dForward(out, x, w, b, dims)   // GpuTensor or GPUBuffer operands
 *   const y = await out.read()                           // bring the values back
 *
 * `webgpuBackend` (backend.ts, the table's `backends.webgpu`) holds the same kernels in their
 * synchronous form, on the open device, for the modules of nn/ to record a step with.
 *
 * `webgpuArrays` runs the same kernels on CPU arrays (tests); `webgpuAvailable()` says whether
 * Deno finds an adapter, and `releaseDevice()` destroys the shared device. Every dispatch is
 * checked against the device's WebGPU limits first and throws a `RangeError` past them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gpuKernels } from "./mod.ts";
 * assert.equal(typeof gpuKernels.conv2dForward, "function");
 * ```
 *
 * @module
 */

import { getContext } from "./_context.ts";
import { describeAdapter, findAdapter } from "./_device.ts";
import * as conv from "./conv.ts";
import * as dense from "./dense.ts";
import * as norm from "./norm.ts";
import * as optim from "./optim.ts";
import * as pool from "./pool.ts";

export { type AdapterSummary, describeAdapter, findAdapter, releaseDevice } from "./_device.ts";
export { type Binding, type Dispatch, getContext, GpuContext } from "./_context.ts";
export type { ShaderName } from "./_shaders.ts";
export { checkBufferSize, checkWorkgroups } from "./_limits.ts";
export { type GpuArg, WORKGROUP } from "./_kernel.ts";
export { type GpuDType, GpuTensor } from "./tensor.ts";
export { webgpuArrays } from "./arrays.ts";
export { webgpuBackend, webgpuKernels } from "./backend.ts";
export type { WebgpuBackend, WebgpuKernels } from "./backend.ts";
export { LossRing } from "./ring.ts";

type Kernel = (...args: never[]) => void;

/** Synchronous kernels as async ones that open the device first (`gpuKernels`). */
export type AsyncKernels<T> = {
  readonly [K in keyof T]: T[K] extends (...args: infer A) => void ? (...args: A) => Promise<void>
    : never;
};

function opening<T extends Record<string, Kernel>>(kernels: T): AsyncKernels<T> {
  const out: Record<string, unknown> = {};
  for (const [name, kernel] of Object.entries(kernels)) {
    out[name] = async (...args: never[]) => {
      await getContext();
      kernel(...args);
    };
  }
  return out as AsyncKernels<T>;
}

/**
 * The WebGPU kernels on GPU-resident operands (async: each opens the device if needed, then
 * records; the reference's argument order). `webgpuKernels` are the same, synchronous.
 */
export const gpuKernels:
  & { readonly name: "webgpu" }
  & AsyncKernels<typeof conv>
  & AsyncKernels<typeof pool>
  & AsyncKernels<typeof norm>
  & AsyncKernels<typeof dense>
  & AsyncKernels<typeof optim> = {
    name: "webgpu",
    ...opening(conv),
    ...opening(pool),
    ...opening(norm),
    ...opening(dense),
    ...opening(optim),
  } as const;

/** The adapter Deno finds, described, or null when WebGPU is unusable here. */
export async function webgpuAvailable(): Promise<
  import("./_device.ts").AdapterSummary | null
> {
  const adapter = await findAdapter();
  return adapter === null ? null : describeAdapter(adapter);
}
