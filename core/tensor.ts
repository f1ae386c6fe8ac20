/**
 * `Tensor`: a typed array plus a shape, row-major (C order), float32 or float64.
 *
 * A tensor is a view: `data` is the storage and `shape` says how to read it. Layers allocate
 * their outputs; nothing here copies unless the method name says so (`clone`, `astype`).
 *
 * A float32 tensor may instead live on a device (a WebGPU buffer, `DeviceStorage`): then it has
 * a shape and a dtype but no `data` on this side; `await t.read()` brings the values back, and
 * `Module.to()` moves a model's tensors between the two in place.
 *
 * @module
 */

import type { Rng } from "./random.ts";
import { tensorDisplay } from "./_display.ts";

/** The element types a tensor can hold. */
export type DType = "float32" | "float64";

/** The typed arrays behind a tensor. */
export type TensorData = Float32Array | Float64Array;

/** The typed-array constructor for a dtype. */
export function arrayFor(dtype: DType, length: number): TensorData {
  return dtype === "float32" ? new Float32Array(length) : new Float64Array(length);
}

/** The number of elements of a shape (1 for a scalar shape `[]`). */
export function shapeSize(shape: readonly number[]): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

/**
 * The storage of a tensor that lives on a device rather than in a typed array: implemented by
 * the WebGPU backend (kernels/webgpu/tensor.ts's `GpuTensor`); core only holds it.
 */
export interface DeviceStorage {
  /** The backend that owns it, e.g. "webgpu". */
  readonly backend: string;
  /** Elements it holds (at least the tensor's size). */
  readonly size: number;
  /** Reads the first `n` values back (waits for the device). */
  readFloat32(n: number): Promise<Float32Array>;
  /** Frees the device memory; the storage must not be used afterwards. */
  destroy(): void;
}

/** Where a tensor's elements live: "cpu" (a typed array) or a device backend's name. */
export type Placement = "cpu" | string;

const NO_DATA = new Float32Array(0);

function checkShape(shape: readonly number[], op: string): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new TypeError(
        `Cannot ${op}: shape [${shape.join(", ")}] must hold non-negative integers`,
      );
    }
  }
}

/**
 * An n-dimensional array of float32 or float64 numbers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Tensor } from "./tensor.ts";
 * const t = new Tensor(new Float64Array([1, 2, 3, 4, 5, 6]), [2, 3]);
 * assert.equal(t.dtype, "float64");
 * assert.equal(t.get(1, 2), 6);
 * ```
 */
export class Tensor<D extends TensorData = TensorData> {
  /**
   * The elements, row-major. Reading it throws for a tensor on a device (read that with
   * `await t.read()`, or move its model back with `await model.to("cpu")`).
   */
  readonly data: D;
  /** The extent of each axis. */
  readonly shape: readonly number[];
  #device: DeviceStorage | null = null;
  #size: number;

  /**
   * Wraps `data` without copying; throws a TypeError unless it is a Float32Array or Float64Array of
   * shapeSize(shape) elements.
   */
  constructor(data: D, shape: readonly number[]) {
    if (!(data instanceof Float32Array) && !(data instanceof Float64Array)) {
      throw new TypeError("Cannot create a Tensor: data must be a Float32Array or Float64Array");
    }
    checkShape(shape, "create a Tensor");
    const size = shapeSize(shape);
    if (size !== data.length && data !== NO_DATA) {
      throw new TypeError(
        `Cannot create a Tensor of shape [${
          shape.join(", ")
        }]: it needs ${size} elements but data has ${data.length}`,
      );
    }
    this.data = data;
    this.#size = size;
    this.shape = Object.freeze([...shape]);
  }

  /**
   * A float32 tensor of `shape` held by a device's `storage` (which may be larger: a view of
   * its first elements); `data` then throws, and `await t.read()` returns the values.
   */
  static onDevice(storage: DeviceStorage, shape: readonly number[]): Tensor<Float32Array> {
    checkShape(shape, "create a device tensor");
    if (storage.size < shapeSize(shape)) {
      throw new TypeError(
        `Cannot create a device tensor of shape [${shape.join(", ")}]: its storage holds ` +
          `${storage.size} elements, fewer than ${shapeSize(shape)}`,
      );
    }
    const t = new Tensor(NO_DATA, shape); // NO_DATA: the one array exempt from the size check
    t.relocate(storage);
    return t;
  }

  /** The device storage holding the elements, or null for a tensor in a typed array. */
  get device(): DeviceStorage | null {
    return this.#device;
  }

  /** "cpu" for a typed array, else the device backend's name (e.g. "webgpu"). */
  get placement(): Placement {
    return this.#device === null ? "cpu" : this.#device.backend;
  }

  /**
   * Moves this tensor in place: onto a device's `storage`, or back into `data` (an array of
   * the tensor's size and dtype). Every holder of the tensor (a module, an optimizer) sees the
   * move; `Module.to()` and `Optimizer.to()` call it. The old device storage is not freed.
   */
  relocate(where: DeviceStorage | TensorData): void {
    if (where instanceof Float32Array || where instanceof Float64Array) {
      if (
        where.length !== this.#size || (this.#device !== null && !(where instanceof Float32Array))
      ) {
        throw new TypeError(
          `Cannot move a tensor of ${this.#size} elements into an array of ${where.length}`,
        );
      }
      // `data` an own, enumerable value again (deep equality compares it, as before the move)
      Object.defineProperty(this, "data", { value: where, enumerable: true, configurable: true });
      this.#device = null;
      return;
    }
    if (this.dtype !== "float32" || where.size < this.#size) {
      throw new TypeError(
        `Cannot move a ${this.dtype} tensor of ${this.#size} elements onto a ${where.backend} ` +
          `storage of ${where.size}: devices hold float32 only`,
      );
    }
    this.#device = where;
    const message = `Cannot read the elements of a ${where.backend} tensor [${
      this.shape.join(", ")
    }] here: use await t.read(), or move its model back with await model.to("cpu")`;
    Object.defineProperty(this, "data", {
      get: () => {
        throw new TypeError(message);
      },
      enumerable: true,
      configurable: true,
    });
  }

  /** The values: `data` itself on the CPU, or a copy read back from the device (waits). */
  read(): Promise<D | Float32Array> {
    const device = this.#device;
    return device === null ? Promise.resolve(this.data) : device.readFloat32(this.#size);
  }

  /** `"float32"` or `"float64"` (a device tensor is float32). */
  get dtype(): DType {
    return this.#device !== null || this.data instanceof Float32Array ? "float32" : "float64";
  }

  /** The number of axes. */
  get rank(): number {
    return this.shape.length;
  }

  /** The number of elements. */
  get size(): number {
    return this.#size;
  }

  /** A zero-filled tensor. */
  static zeros(shape: readonly number[], dtype: DType = "float64"): Tensor {
    checkShape(shape, "create zeros");
    return new Tensor(arrayFor(dtype, shapeSize(shape)), shape);
  }

  /** A tensor filled with one value. */
  static full(shape: readonly number[], value: number, dtype: DType = "float64"): Tensor {
    const t = Tensor.zeros(shape, dtype);
    t.data.fill(value);
    return t;
  }

  /**
   * `shapeSize(shape)` evenly spaced numbers from `start` to `stop` inclusive, laid out in
   * `shape` (NumPy's `np.linspace(start, stop, num=size).reshape(shape)`).
   */
  static linspace(
    start: number,
    stop: number,
    shape: readonly number[],
    dtype: DType = "float64",
  ): Tensor {
    const t = Tensor.zeros(shape, dtype);
    const n = t.size;
    const step = n > 1 ? (stop - start) / (n - 1) : 0;
    for (let i = 0; i < n; i++) t.data[i] = start + step * i;
    if (n > 1) t.data[n - 1] = stop;
    return t;
  }

  /** Samples from N(mean, std²) drawn from `rng`. */
  static randn(
    shape: readonly number[],
    rng: Rng,
    options: { mean?: number; std?: number; dtype?: DType } = {},
  ): Tensor {
    const { mean = 0, std = 1, dtype = "float64" } = options;
    const t = Tensor.zeros(shape, dtype);
    for (let i = 0; i < t.size; i++) t.data[i] = mean + std * rng.normal();
    return t;
  }

  /** Samples from U[low, high) drawn from `rng`. */
  static rand(
    shape: readonly number[],
    rng: Rng,
    options: { low?: number; high?: number; dtype?: DType } = {},
  ): Tensor {
    const { low = 0, high = 1, dtype = "float64" } = options;
    const t = Tensor.zeros(shape, dtype);
    for (let i = 0; i < t.size; i++) t.data[i] = low + (high - low) * rng.uniform();
    return t;
  }

  /** The element at a full index, e.g. `t.get(n, c, h, w)`. */
  get(...index: number[]): number {
    return this.data[this.offset(index)];
  }

  /** Sets the element at a full index: `t.set(value, n, c, h, w)`. */
  set(value: number, ...index: number[]): void {
    this.data[this.offset(index)] = value;
  }

  /** The row-major position of a full index, checked against the rank and each axis' extent. */
  private offset(index: number[]): number {
    if (index.length !== this.rank) {
      throw new TypeError(
        `Cannot index a tensor of rank ${this.rank} with ${index.length} indices`,
      );
    }
    let offset = 0;
    for (let axis = 0; axis < this.rank; axis++) {
      const i = index[axis], d = this.shape[axis];
      if (!Number.isInteger(i) || i < 0 || i >= d) {
        throw new RangeError(`Cannot index axis ${axis} of size ${d} with ${i}`);
      }
      offset = offset * d + i;
    }
    return offset;
  }

  /** The same data under another shape of the same size (no copy). */
  reshape(shape: readonly number[]): Tensor<D> {
    checkShape(shape, "reshape");
    if (shapeSize(shape) !== this.size) {
      throw new TypeError(
        `Cannot reshape [${this.shape.join(", ")}] (${this.size} elements) to [${
          shape.join(", ")
        }] (${shapeSize(shape)} elements)`,
      );
    }
    if (this.#device !== null) return Tensor.onDevice(this.#device, shape) as Tensor<D>;
    return new Tensor(this.data, shape);
  }

  /** A copy with its own storage. */
  clone(): Tensor<D> {
    return new Tensor(this.data.slice() as D, this.shape);
  }

  /** A copy converted to `dtype` (a copy even when the dtype is unchanged). */
  astype(dtype: DType): Tensor {
    const out = arrayFor(dtype, this.size);
    out.set(this.data);
    return new Tensor(out, this.shape);
  }

  /** A short description: `Tensor(float64, [2, 3])`. */
  toString(): string {
    const where = this.#device === null ? "" : `, ${this.#device.backend}`;
    return `Tensor(${this.dtype}, [${this.shape.join(", ")}]${where})`;
  }

  /**
   * What Deno's Jupyter kernel shows for a tensor: dtype, shape, min / max / mean and a short
   * preview, bounded however large the tensor (see `core/_display.ts`). Nothing else calls it.
   */
  [Symbol.for("Jupyter.display")](): Record<string, string> {
    return tensorDisplay(this);
  }
}
