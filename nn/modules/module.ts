/**
 * `Module`, the base of the module API (Part 2 of the homework, in the spirit of PyTorch's
 * `nn.Module` and micrograd's): a layer that runs `forward`, keeps what its `backward` needs,
 * and owns named parameters, buffers and child modules.
 *
 * - `forward(x)` computes the output and caches what `backward` needs (one call in flight:
 *   call `backward` before the next `forward` of the same module).
 * - `backward(dout)` returns ∂L/∂x and ADDS ∂L/∂θ into every parameter's `grad`, so gradients
 *   accumulate over calls until `zeroGrad()`.
 * - Names follow PyTorch's `state_dict`: `features.0.weight`, `bn1.running_mean`.
 * - `reuseBuffers()` (off by default; the training tasks turn it on) keeps one tensor per role
 *   (output, input gradient, …) across training-mode calls, float32 ones in the WASM memory,
 *   where the kernels use them in place: no allocation and no copies in or out per step.
 * - `await model.to("webgpu")` moves every parameter, gradient and buffer into GPU buffers (in
 *   place: the same `Tensor` objects, so an optimizer built before still holds them); a module
 *   then runs on whichever backend holds its input (the backend table of kernels/mod.ts), and
 *   `await model.to("cpu")` brings everything back. On the GPU each module keeps one buffer
 *   per role, always: an output is valid until the same module's next call.
 *
 * @module
 */

import { freeWasmArray, wasmArray } from "../../kernels/wasm/mod.ts";
import { backends, type GpuTensor, type WebgpuBackend } from "../../kernels/mod.ts";
import { type DType, shapeSize, Tensor } from "../../core/tensor.ts";

/** Where a model's tensors can live: typed arrays ("cpu": ref or WASM kernels) or "webgpu". */
export type ModulePlacement = "cpu" | "webgpu";

/** A raw GPU buffer of the WebGPU backend (argmax indices, labels). */
export type GpuStorage = GpuTensor;

/** A trainable tensor and its gradient, which `backward` adds into. */
export interface Parameter {
  /** Dotted name, as PyTorch's `state_dict` would name it. */
  readonly name: string;
  /** The values the optimizer updates. */
  readonly value: Tensor;
  /** ∂L/∂value, same shape and dtype; accumulated by `backward`, cleared by `zeroGrad()`. */
  readonly grad: Tensor;
}

/** A non-trainable tensor saved with the model (e.g. BatchNorm's running mean). */
export interface Buffer {
  /** Dotted name, as PyTorch's `state_dict` would name it (e.g. `bn1.running_mean`). */
  readonly name: string;
  /** The values, updated by the module itself (not by an optimizer). */
  readonly value: Tensor;
}

/** A name → tensor map of parameters and buffers, as PyTorch's `state_dict`. */
export type StateDict = Map<string, Tensor>;

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/**
 * The base of every layer and container.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Linear, ReLU, Rng, Sequential } from "../../mod.ts";
 * const net = new Sequential([new Linear(4, 3, { rng: new Rng(0) }), new ReLU()]);
 * assert.deepEqual([...net.stateDict().keys()], ["0.weight", "0.bias"]);
 * assert.equal(net.toString(), "Sequential(Linear(4→3), ReLU)");
 * ```
 */
export abstract class Module {
  /** Training mode (batch statistics, dropout on) or evaluation mode. */
  training = true;
  readonly #params: Parameter[] = [];
  readonly #buffers: Buffer[] = [];
  readonly #children: [string, Module][] = [];
  #reuse = false;
  readonly #work = new Map<string, Tensor>();
  readonly #onDevice = new Map<string, GpuStorage>(); // WebGPU work buffers by role
  readonly #retired: GpuStorage[] = []; // outgrown ones, freed by to("cpu")

  /** Computes the output and caches what `backward` needs. */
  abstract forward(x: Tensor): Tensor;
  /** Returns ∂L/∂x and adds ∂L/∂θ into the parameters' `grad`. */
  abstract backward(dout: Tensor): Tensor;
  /** A short readable description, e.g. `Conv2d(3→32, k=7, p=3)`. */
  abstract toString(): string;

  /** Registers a parameter (with a zero gradient) under a local name. */
  protected addParameter(name: string, value: Tensor): Parameter {
    const p = { name, value, grad: Tensor.zeros(value.shape, value.dtype) };
    this.#params.push(p);
    return p;
  }

  /** Registers a buffer under a local name. */
  protected addBuffer(name: string, value: Tensor): Buffer {
    const b = { name, value };
    this.#buffers.push(b);
    return b;
  }

  /** Registers a child module under a local name. */
  protected addChild<M extends Module>(name: string, module: M): M {
    if (!(module instanceof Module)) {
      throw new TypeError(`Cannot add child "${name}": ${String(module)} is not a Module`);
    }
    this.#children.push([name, module]);
    return module;
  }

  /** The direct children with their local names. */
  namedChildren(): readonly [string, Module][] {
    return this.#children;
  }

  /** Every parameter of this module and its descendants, with dotted names, in PyTorch order. */
  parameters(): Parameter[] {
    const out: Parameter[] = [];
    this.#walk("", (prefix, m) => {
      for (const p of m.#params) out.push({ name: prefix + p.name, value: p.value, grad: p.grad });
    });
    return out;
  }

  /** Every buffer of this module and its descendants, with dotted names. */
  buffers(): Buffer[] {
    const out: Buffer[] = [];
    this.#walk("", (prefix, m) => {
      for (const b of m.#buffers) out.push({ name: prefix + b.name, value: b.value });
    });
    return out;
  }

  /** Parameter name → value (the live tensors, not copies). */
  namedParameters(): Map<string, Tensor> {
    return new Map(this.parameters().map((p) => [p.name, p.value]));
  }

  /** Parameters and buffers, name → live tensor, in PyTorch's `state_dict` order. */
  stateDict(): StateDict {
    const out: StateDict = new Map();
    this.#walk("", (prefix, m) => {
      for (const p of m.#params) out.set(prefix + p.name, p.value);
      for (const b of m.#buffers) out.set(prefix + b.name, b.value);
    });
    return out;
  }

  /**
   * Copies every tensor of `state` into this module's parameters and buffers (converting the
   * dtype). All names and shapes are checked before anything is copied, so a refused state
   * leaves the module unchanged.
   */
  loadStateDict(state: StateDict | Record<string, Tensor>): void {
    const given = state instanceof Map ? state : new Map(Object.entries(state));
    const own = this.stateDict();
    const missing = [...own.keys()].filter((k) => !given.has(k));
    const unexpected = [...given.keys()].filter((k) => !own.has(k));
    if (missing.length > 0 || unexpected.length > 0) {
      throw new TypeError(
        `Cannot load state into ${this.constructor.name}: missing keys [${
          missing.join(", ")
        }], unexpected keys [${unexpected.join(", ")}]; was it saved from another model?`,
      );
    }
    for (const [name, target] of own) {
      const source = given.get(name)!;
      if (!(source instanceof Tensor)) {
        throw new TypeError(`Cannot load "${name}": expected a Tensor, got ${String(source)}`);
      }
      if (shapeText(source.shape) !== shapeText(target.shape)) {
        throw new TypeError(
          `Cannot load "${name}": shape ${shapeText(source.shape)} does not match the model's ${
            shapeText(target.shape)
          }; build the model with the configuration it was saved with`,
        );
      }
    }
    for (const [name, target] of own) target.data.set(given.get(name)!.data);
  }

  /**
   * With `on` (the default), this module and every descendant keep one tensor per role across
   * training-mode calls instead of allocating new ones, float32 ones in the WASM backend's
   * memory (kernels read and write them in place, no copies). A tensor that `forward` or
   * `backward` returns is then valid only until the same module's next call of that method,
   * as a training step uses them; evaluation mode still returns fresh tensors. `false` gives
   * the buffers back.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ReLU, Tensor } from "../../mod.ts";
   * const relu = new ReLU().reuseBuffers();
   * const a = relu.forward(new Tensor(new Float32Array([-1, 2]), [2]));
   * const b = relu.forward(new Tensor(new Float32Array([3, -4]), [2]));
   * assert.equal(a, b); // the same buffer, now holding the second result
   * assert.deepEqual([...b.data], [3, 0]);
   * relu.reuseBuffers(false);
   * ```
   */
  reuseBuffers(on = true): this {
    this.#walk("", (_, m) => {
      m.#reuse = on;
      if (!on) {
        for (const t of m.#work.values()) release(t);
        m.#work.clear();
      }
    });
    return this;
  }

  /**
   * A tensor of `shape` for `role` (e.g. "out", "dx"): a new zeroed one, or with
   * `reuseBuffers` in training mode the module's own for that role (re-zeroed unless `zero` is
   * false, for kernels that write every element).
   */
  protected workTensor(role: string, shape: readonly number[], dtype: DType, zero = true): Tensor {
    if (!this.#reuse || !this.training) return Tensor.zeros(shape, dtype);
    const had = this.#work.get(role);
    if (had && had.dtype === dtype && shapeText(had.shape) === shapeText(shape)) {
      if (zero) had.data.fill(0);
      return had;
    }
    if (had) release(had);
    const t = new Tensor(allocate(dtype, shapeSize(shape)), shape);
    this.#work.set(role, t);
    return t;
  }

  /**
   * `workTensor` or, when `like` lives on the GPU, `deviceTensor`: a tensor of `shape` for
   * `role` on the backend that holds `like`, zeroed unless `zero` is false.
   */
  protected workLike(role: string, shape: readonly number[], like: Tensor, zero = true): Tensor {
    return webgpuOf(like)
      ? this.deviceTensor(role, shape, zero)
      : this.workTensor(role, shape, like.dtype, zero);
  }

  /**
   * A tensor of `shape` on the WebGPU backend for `role`: the module's own buffer for that
   * role (grown when a larger shape comes), cleared first unless `zero` is false (for kernels
   * that write every element). Valid until the module's next use of the role.
   */
  protected deviceTensor(role: string, shape: readonly number[], zero = true): Tensor {
    const s = this.deviceBuffer(role, shapeSize(shape), "float32", zero);
    return Tensor.onDevice(s, shape);
  }

  /** A raw GPU buffer of at least `n` elements for `role` (see `deviceTensor`). */
  protected deviceBuffer(
    role: string,
    n: number,
    dtype: "float32" | "int32" = "float32",
    zero = false,
  ): GpuStorage {
    const g = backends.webgpu;
    let s = this.#onDevice.get(role);
    if (s === undefined || s.size < n || s.dtype !== dtype) {
      if (s) this.#retired.push(s); // work recorded but not yet submitted may still read it
      s = g.buffer(Math.max(1, n), dtype);
      this.#onDevice.set(role, s);
    } else if (zero) {
      g.clear(s, n);
    }
    return s;
  }

  /**
   * Moves every parameter, gradient and buffer of this module and its descendants to
   * `placement`, in place: `"webgpu"` uploads them into GPU buffers (opening the device),
   * `"cpu"` reads them back into typed arrays and frees the GPU's. Forward and backward then
   * run on that backend; an input must live where the model does.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Linear, releaseDevice, Rng, Tensor, webgpuAvailable } from "../../mod.ts";
   * const fc = new Linear(3, 2, { rng: new Rng(0) });
   * const x = new Tensor(new Float32Array([1, 2, 3]), [1, 3]);
   * const want = [...fc.forward(x).data];
   * if (await webgpuAvailable()) {
   *   await fc.to("webgpu");
   *   assert.equal(fc.weight.value.placement, "webgpu");
   *   await fc.to("cpu");
   *   await releaseDevice();
   * }
   * assert.deepEqual([...fc.forward(x).data], want);
   * ```
   */
  async to(placement: ModulePlacement): Promise<this> {
    const g = backends.webgpu;
    if (placement !== "cpu" && placement !== "webgpu") {
      throw new RangeError(`Cannot move a module to "${placement}": use "cpu" or "webgpu"`);
    }
    const tensors: Tensor[] = [];
    this.#walk("", (_, m) => {
      for (const p of m.#params) tensors.push(p.value, p.grad);
      for (const b of m.#buffers) tensors.push(b.value);
    });
    const wrong = tensors.find((t) => t.dtype !== "float32");
    if (placement === "webgpu" && wrong) {
      throw new TypeError(
        `Cannot move ${this.constructor.name} to webgpu: it holds ${wrong.dtype} tensors and ` +
          'the GPU computes in float32; build it with { dtype: "float32" }',
      );
    }
    if (placement === "webgpu") {
      await g.open();
      for (const t of tensors) g.upload(t);
      return this;
    }
    for (const t of tensors) await g.download(t);
    this.#walk("", (_, m) => {
      for (const s of [...m.#onDevice.values(), ...m.#retired]) s.destroy();
      m.#onDevice.clear();
      m.#retired.length = 0;
    });
    return this;
  }

  /** Sets every parameter's gradient to zero. */
  zeroGrad(): void {
    for (const p of this.parameters()) zeroFill(p.grad);
  }

  /** Sets training mode (default) or evaluation mode here and in every descendant. */
  train(mode = true): this {
    this.#walk("", (_, m) => {
      m.training = mode;
    });
    return this;
  }

  /** Sets evaluation mode: running statistics in BatchNorm, no dropout. */
  eval(): this {
    return this.train(false);
  }

  #walk(prefix: string, visit: (prefix: string, m: Module) => void): void {
    visit(prefix, this);
    for (const [name, child] of this.#children) child.#walk(`${prefix}${name}.`, visit);
  }
}

// Arrays `allocate` took from the WASM memory (given back by `release`).
const inWasm = new WeakSet<Float32Array>();

// A zeroed array for a work tensor: float32 in the WASM memory while it has room (else a plain
// array: residency saves copies but is never required).
function allocate(dtype: DType, length: number): Float32Array | Float64Array {
  if (dtype === "float64") return new Float64Array(length);
  try {
    const a = wasmArray(length);
    inWasm.add(a);
    return a;
  } catch (e) {
    if (e instanceof RangeError) return new Float32Array(length);
    throw e;
  }
}

function release(t: Tensor): void {
  const a = t.data;
  if (a instanceof Float32Array && inWasm.has(a)) {
    inWasm.delete(a);
    freeWasmArray(a);
  }
}

/** The WebGPU backend when `x` lives in a GPU buffer, else null (the CPU kernels run). */
export function webgpuOf(x: Tensor): WebgpuBackend | null {
  return x.device !== null && backends.webgpu.holds(x) ? backends.webgpu : null;
}

/** Sets every element of `t` to zero, wherever it lives. */
export function zeroFill(t: Tensor): void {
  const g = webgpuOf(t);
  if (g) g.clear(g.storageOf(t), t.size);
  else t.data.fill(0);
}

/** Throws a TypeError unless `x` has `dtype`, naming the module. */
export function checkDType(op: string, x: Tensor, dtype: DType): void {
  if (x.dtype !== dtype) {
    throw new TypeError(
      `Cannot run ${op}: input is ${x.dtype} but the module's parameters are ${dtype}; ` +
        `convert with x.astype("${dtype}") or build the module with { dtype: "${x.dtype}" }`,
    );
  }
}

/** Throws unless `backward` follows a `forward`, returning the cached value. */
export function cached<T>(op: string, value: T | undefined): T {
  if (value === undefined) {
    throw new Error(`Cannot run ${op}.backward: call forward first (it caches the input)`);
  }
  return value;
}

/** Throws a TypeError unless `x` has the given rank, naming the expected layout. */
export function checkRank(op: string, x: Tensor, rank: number, layout: string): void {
  if (x.rank !== rank) {
    throw new TypeError(
      `Cannot run ${op}: input must have rank ${rank} ${layout}, got ${shapeText(x.shape)}`,
    );
  }
}

/** Throws a TypeError unless dout has the shape of the forward's output. */
export function checkDout(op: string, dout: Tensor, shape: readonly number[]): void {
  if (shapeText(dout.shape) !== shapeText(shape)) {
    throw new TypeError(
      `Cannot run ${op}.backward: dout has shape ${shapeText(dout.shape)} but forward returned ${
        shapeText(shape)
      }`,
    );
  }
}
