/**
 * The WebGPU entry of the backend table (kernels/mod.ts's `backends.webgpu`): what the modules
 * of nn/ need to run on tensors that live in GPU buffers — the kernels (synchronous: each
 * records its dispatches into the open command encoder), and the few tensor operations around
 * them (allocate, clear, upload a batch, move a tensor on and off the device).
 *
 * A core `Tensor` is on this backend when its `device` is a `GpuTensor`; `storageOf(t)` hands
 * that buffer to the kernels. Nothing here waits for the GPU except `open` and `download`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Tensor } from "../../core/tensor.ts";
 * import { webgpuBackend as gpu } from "./backend.ts";
 * import { releaseDevice, webgpuAvailable } from "./mod.ts";
 * if (await webgpuAvailable()) { // null where Deno finds no adapter
 *   await gpu.open();
 *   const t = new Tensor(new Float32Array([-1, 2]), [2]);
 *   gpu.upload(t); // moved in place: t.placement is now "webgpu"
 *   const y = gpu.zeros([2]);
 *   gpu.kernels.reluForward(gpu.storageOf(y), gpu.storageOf(t), 2);
 *   assert.deepEqual([...await y.read()], [0, 2]);
 *   await releaseDevice();
 * }
 * ```
 *
 * @module
 */

import { shapeSize, Tensor } from "../../core/tensor.ts";
import { currentContext, getContext, type GpuContext } from "./_context.ts";
import * as conv from "./conv.ts";
import * as dense from "./dense.ts";
import * as norm from "./norm.ts";
import * as optim from "./optim.ts";
import * as pool from "./pool.ts";
import { type GpuDType, GpuTensor } from "./tensor.ts";

/** The WebGPU kernels: the reference's argument order, GPU operands, synchronous recording. */
export const webgpuKernels = {
  ...conv,
  ...pool,
  ...norm,
  ...dense,
  ...optim,
} as const;

function storageOf(t: Tensor): GpuTensor {
  const s = t.device;
  if (!(s instanceof GpuTensor)) {
    throw new TypeError(
      `Cannot run a WebGPU kernel on a ${t.placement} tensor [${t.shape.join(", ")}]: move it ` +
        'with await model.to("webgpu") (or mix no backends in one call)',
    );
  }
  return s;
}

/** The WebGPU backend's kernels (synchronous, GPU operands). */
export type WebgpuKernels = typeof webgpuKernels;

/** What the modules need of the WebGPU backend: its kernels and a few tensor operations. */
export interface WebgpuBackend {
  /** The backend's name, as `Tensor.placement` reports it. */
  readonly name: "webgpu";
  /** The kernels, with GPU operands (`storageOf(t)`), recording without waiting. */
  readonly kernels: WebgpuKernels;
  /** Opens the shared device once (async); everything else here then runs synchronously. */
  open(): Promise<GpuContext>;
  /** The open context (throws, saying what to do, before `open`). */
  context(): GpuContext;
  /** Whether `t` lives in a GPU buffer. */
  holds(t: Tensor): boolean;
  /** The GPU buffer behind a tensor on this backend (a TypeError for any other tensor). */
  storageOf(t: Tensor): GpuTensor;
  /** A raw zeroed GPU buffer of at least `n` elements (int32 for argmax and labels). */
  buffer(n: number, dtype?: GpuDType): GpuTensor;
  /** A zeroed float32 tensor of `shape` on the device. */
  zeros(shape: readonly number[]): Tensor;
  /** Records a zero-fill of the first `n` elements of a GPU buffer (default: all of it). */
  clear(s: GpuTensor, n?: number): void;
  /** Records an upload of `data` into the first elements of a GPU buffer. */
  write(s: GpuTensor, data: Float32Array | Int32Array): void;
  /** Moves a CPU tensor onto the device in place (its values uploaded, float32). */
  upload(t: Tensor): void;
  /** Moves a device tensor back into a Float32Array in place (waits), freeing its buffer. */
  download(t: Tensor): Promise<void>;
}

/** The WebGPU backend: its kernels and the tensor operations the modules need. */
export const webgpuBackend: WebgpuBackend = {
  /** The backend's name, as `Tensor.placement` reports it. */
  name: "webgpu",
  /** The kernels, with GPU operands (`storageOf(t)`), recording without waiting. */
  kernels: webgpuKernels,
  /** Opens the shared device once (async); everything else here then runs synchronously. */
  open: (): Promise<GpuContext> => getContext(),
  /** The open context (throws, saying what to do, before `open`). */
  context: (): GpuContext => currentContext(),
  /** Whether `t` lives in a GPU buffer. */
  holds: (t: Tensor): boolean => t.device instanceof GpuTensor,
  /** The GPU buffer behind a tensor on this backend (a TypeError for any other tensor). */
  storageOf,
  /** A raw GPU buffer of at least `n` elements (int32 for argmax and labels). */
  buffer: (n: number, dtype: GpuDType = "float32"): GpuTensor =>
    GpuTensor.zerosIn(currentContext(), [n], dtype),
  /** A zeroed float32 tensor of `shape` on the device. */
  zeros: (shape: readonly number[]): Tensor =>
    Tensor.onDevice(GpuTensor.zerosIn(currentContext(), [shapeSize(shape)]), shape),
  /** Records a zero-fill of the first `n` elements of a GPU buffer (default: all of it). */
  clear(s: GpuTensor, n = s.size): void {
    if (n > 0) currentContext().encoder.clearBuffer(s.buffer, 0, 4 * n);
  },
  /** Records an upload of `data` into the first elements of a GPU buffer. */
  write(s: GpuTensor, data: Float32Array | Int32Array): void {
    if (data.length === s.size) return s.write(data);
    const padded = new (data.constructor as Float32ArrayConstructor)(s.size);
    padded.set(data);
    s.write(padded);
  },
  /** Moves a CPU tensor onto the device in place (its values uploaded, float32). */
  upload(t: Tensor): void {
    if (t.device instanceof GpuTensor) return;
    const s = GpuTensor.zerosIn(currentContext(), [t.size]);
    s.write(t.data);
    t.relocate(s);
  },
  /** Moves a device tensor back into a Float32Array in place (waits), freeing its buffer. */
  async download(t: Tensor): Promise<void> {
    const s = t.device;
    if (!(s instanceof GpuTensor)) return;
    t.relocate(await s.readFloat32(t.size));
    s.destroy();
  },
};
