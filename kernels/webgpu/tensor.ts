/**
 * `GpuTensor`: a float32 (or int32, for labels and argmax) array that lives in a GPU storage
 * buffer for a whole run. Create it from a `Tensor` or an array, hand its `buffer` to the
 * kernels of kernels/webgpu/mod.ts, and `await t.read()` only when the values are needed on
 * the CPU.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GpuTensor } from "./tensor.ts";
 * import { releaseDevice, webgpuAvailable } from "./mod.ts";
 * if (await webgpuAvailable()) { // null where Deno finds no adapter
 *   const t = await GpuTensor.fromArray(new Float32Array([1, 2, 3]), [3]);
 *   assert.deepEqual(Array.from(await t.read()), [1, 2, 3]);
 *   t.destroy();
 *   await releaseDevice();
 * }
 * ```
 *
 * @module
 */

import { type DeviceStorage, shapeSize, Tensor } from "../../core/tensor.ts";
import { getContext, type GpuContext } from "./_context.ts";

/** Element types a GPU tensor can hold. */
export type GpuDType = "float32" | "int32";

/**
 * A tensor resident in a GPU storage buffer.  buffer: shapeSize(shape) 4-byte elements
 *
 * It is also the `DeviceStorage` behind a core `Tensor` on the WebGPU backend
 * (`Tensor.onDevice`), which is how the modules of nn/ hold their tensors there.
 */
export class GpuTensor implements DeviceStorage {
  /** The backend name a core `Tensor` on this storage reports: "webgpu". */
  readonly backend = "webgpu";
  /** The context (device) that owns `buffer`. */
  readonly ctx: GpuContext;
  /** The storage buffer: `size` 4-byte elements, row-major. */
  readonly buffer: GPUBuffer;
  /** The extent of each axis (a copy of the shape given). */
  readonly shape: readonly number[];
  /** float32 for values, int32 for labels and argmax indices. */
  readonly dtype: GpuDType;
  /** Element count: the product of `shape`. */
  readonly size: number;

  /**
   * Wraps an existing `buffer` of at least shapeSize(shape) 4-byte elements without copying;
   * `zeros` and `fromArray` allocate one.
   */
  constructor(ctx: GpuContext, buffer: GPUBuffer, shape: readonly number[], dtype: GpuDType) {
    this.ctx = ctx;
    this.buffer = buffer;
    this.shape = [...shape];
    this.dtype = dtype;
    this.size = shapeSize(shape);
  }

  /** A zero-filled tensor (WebGPU zeroes new buffers). */
  static async zeros(shape: readonly number[], dtype: GpuDType = "float32"): Promise<GpuTensor> {
    return GpuTensor.zerosIn(await getContext(), shape, dtype);
  }

  /** A zero-filled tensor on an open context, synchronously. */
  static zerosIn(
    ctx: GpuContext,
    shape: readonly number[],
    dtype: GpuDType = "float32",
  ): GpuTensor {
    const buffer = ctx.createBuffer("GpuTensor.zeros", `(${shape})`, 4 * shapeSize(shape));
    return new GpuTensor(ctx, buffer, shape, dtype);
  }

  /** Uploads `data` (converted to float32, or int32 for an Int32Array) as a tensor of `shape`. */
  static async fromArray(
    data: ArrayLike<number> | Int32Array,
    shape: readonly number[],
  ): Promise<GpuTensor> {
    const size = shapeSize(shape);
    if (data.length !== size) {
      throw new TypeError(
        `Cannot upload to the GPU: ${data.length} values do not fill shape (${shape}) of ${size}`,
      );
    }
    const dtype: GpuDType = data instanceof Int32Array ? "int32" : "float32";
    const t = await GpuTensor.zeros(shape, dtype);
    t.write(data);
    return t;
  }

  /** Uploads a CPU `Tensor` (float64 values are rounded to float32). */
  static fromTensor(t: Tensor): Promise<GpuTensor> {
    return GpuTensor.fromArray(t.data, t.shape);
  }

  /**
   * Overwrites the contents with `data`. The copy is recorded into the context's command
   * encoder, so it lands after the work recorded before it and before the work after it.
   */
  write(data: ArrayLike<number> | Int32Array): void {
    if (data.length !== this.size) {
      throw new TypeError(
        `Cannot write ${data.length} values into a GPU tensor of shape (${this.shape})`,
      );
    }
    const bytes = 4 * this.size;
    if (bytes === 0) return;
    const staging = this.ctx.device.createBuffer({
      size: bytes,
      usage: GPUBufferUsage.COPY_SRC,
      mappedAtCreation: true,
    });
    const range = staging.getMappedRange();
    if (this.dtype === "int32") new Int32Array(range).set(data);
    else new Float32Array(range).set(data);
    staging.unmap();
    this.ctx.encoder.copyBufferToBuffer(staging, 0, this.buffer, 0, bytes);
    this.ctx.flush();
  }

  /** Reads the values back (waits for the work queued so far). */
  async read(): Promise<Float32Array> {
    if (this.dtype !== "float32") {
      throw new TypeError(`Cannot read a ${this.dtype} GPU tensor as float32: use readInt32()`);
    }
    return new Float32Array(await this.ctx.readBytes(this.buffer, 4 * this.size));
  }

  /** Reads the first `n` float32 values back (waits for the work queued so far). */
  async readFloat32(n: number): Promise<Float32Array> {
    if (this.dtype !== "float32") {
      throw new TypeError(`Cannot read a ${this.dtype} GPU tensor as float32: use readInt32()`);
    }
    return new Float32Array(await this.ctx.readBytes(this.buffer, 4 * Math.min(n, this.size)));
  }

  /** Reads an int32 tensor back (labels, argmax). */
  async readInt32(): Promise<Int32Array> {
    return new Int32Array(await this.ctx.readBytes(this.buffer, 4 * this.size));
  }

  /** Reads the values back as a float32 CPU `Tensor` of the same shape. */
  async toTensor(): Promise<Tensor> {
    return new Tensor(await this.read(), this.shape);
  }

  /** Frees the GPU memory; the tensor must not be used afterwards. */
  destroy(): void {
    this.buffer.destroy();
  }
}
