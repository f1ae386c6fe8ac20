/**
 * The WebGPU execution context: the shared device, a pipeline cache keyed by shader and
 * `override` constants, uniform-parameter buffers cached by content, and a command encoder
 * that records dispatches until `flush()` submits them. Every dispatch checks the WebGPU
 * limits first (kernels/webgpu/_limits.ts).
 *
 * Bindings: @group(0) @binding(0) is the kernel's uniform `Params`; the storage buffers follow
 * at bindings 1, 2, … in the order given.
 *
 * @module
 */

import { describeAdapter, findAdapter, getDevice } from "./_device.ts";
import { checkBufferSize, checkWorkgroups } from "./_limits.ts";
import { type ShaderName, SHADERS } from "./_shaders.ts";

/** A storage buffer handed to a dispatch, with the name errors show. */
export type Binding = readonly [name: string, buffer: GPUBuffer];

/** One dispatch: which shader, its bindings, its uniform parameters and its grid. */
export interface Dispatch {
  /** The operation, for error messages (e.g. "conv2dForward"). */
  op: string;
  /** The WGSL kernel to run, compiled once per set of `constants`. */
  shader: ShaderName;
  /** Storage buffers at bindings 1, 2, … in this order, each with the name errors show. */
  buffers: readonly Binding[];
  /** The `Params` struct's bytes (see `packParams`). */
  params: ArrayBuffer;
  /**
   * Workgroups along x, y and z, each checked against the device's
   * `maxComputeWorkgroupsPerDimension`.
   */
  workgroups: [number, number, number];
  /** Values of the shader's `override` constants (workgroup sizes). */
  constants?: Record<string, number>;
}

/**
 * Packs a WGSL `Params` struct whose fields are all 4-byte scalars: the `u32` fields first,
 * then the `f32` ones, in declaration order, padded to 16 bytes.
 */
export function packParams(u32s: readonly number[], f32s: readonly number[] = []): ArrayBuffer {
  const bytes = Math.max(16, Math.ceil((u32s.length + f32s.length) / 4) * 16);
  const buf = new ArrayBuffer(bytes);
  const view = new DataView(buf);
  u32s.forEach((v, i) => view.setUint32(4 * i, v, true));
  f32s.forEach((v, i) => view.setFloat32(4 * (u32s.length + i), v, true));
  return buf;
}

const MAX_CACHED_PARAMS = 1024;

/** The device with its caches and its open command encoder. */
export class GpuContext {
  /** The device every buffer and pipeline of this context belongs to. */
  readonly device: GPUDevice;
  /** The adapter's description (vendor, architecture, device), for logs. */
  readonly adapter: string;
  /** Whether the adapter is a software fallback (e.g. SwiftShader): correct but slow. */
  readonly isFallback: boolean;
  #pipelines = new Map<string, GPUComputePipeline>();
  #params = new Map<string, GPUBuffer>();
  #encoder: GPUCommandEncoder | null = null;
  #recording = 0;
  #errors: string[] = [];

  /**
   * Wraps `device`; use `getContext()`, which makes one context per device. WebGPU errors the
   * device reports later are kept and thrown by `throwIfFailed`.
   */
  constructor(device: GPUDevice, adapter: string, isFallback: boolean) {
    this.device = device;
    this.adapter = adapter;
    this.isFallback = isFallback;
    // WebGPU reports a failed command asynchronously and otherwise skips it: keep the
    // messages, and let the next read-back throw them rather than return stale values.
    device.addEventListener("uncapturederror", (e) => {
      if (this.#errors.length < 5) this.#errors.push((e as GPUUncapturedErrorEvent).error.message);
    });
  }

  /** Throws the WebGPU errors reported since the last check (a failed dispatch or copy). */
  throwIfFailed(op: string): void {
    if (this.#errors.length === 0) return;
    const messages = this.#errors.splice(0);
    throw new Error(`Cannot trust ${op}: WebGPU reported ${messages.join("; ")}`);
  }

  /** The compiled pipeline for a shader and its constants, compiled once. */
  pipeline(shader: ShaderName, constants: Record<string, number> = {}): GPUComputePipeline {
    const key = `${shader} ${JSON.stringify(constants)}`;
    let p = this.#pipelines.get(key);
    if (p === undefined) {
      const module = this.device.createShaderModule({ label: shader, code: SHADERS[shader]() });
      p = this.device.createComputePipeline({
        label: key,
        layout: "auto",
        compute: { module, entryPoint: "main", constants },
      });
      this.#pipelines.set(key, p);
    }
    return p;
  }

  /** A storage buffer of `bytes` (rounded up to 4), checked against the device's limits. */
  createBuffer(op: string, name: string, bytes: number, usage = 0): GPUBuffer {
    checkBufferSize(op, name, bytes, this.device.limits);
    return this.device.createBuffer({
      label: name,
      size: Math.max(4, Math.ceil(bytes / 4) * 4),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST | usage,
    });
  }

  #paramBuffer(params: ArrayBuffer): GPUBuffer {
    const key = Array.from(new Uint32Array(params)).join(",");
    let buf = this.#params.get(key);
    if (buf === undefined) {
      if (this.#params.size >= MAX_CACHED_PARAMS) this.#params.clear(); // dropped, not destroyed
      buf = this.device.createBuffer({
        size: params.byteLength,
        usage: GPUBufferUsage.UNIFORM,
        mappedAtCreation: true,
      });
      new Uint8Array(buf.getMappedRange()).set(new Uint8Array(params));
      buf.unmap();
      this.#params.set(key, buf);
    }
    return buf;
  }

  /** The open command encoder (created on first use). */
  get encoder(): GPUCommandEncoder {
    this.#encoder ??= this.device.createCommandEncoder();
    return this.#encoder;
  }

  /** Records one dispatch after checking its buffers and grid against the device limits. */
  dispatch(d: Dispatch): void {
    const limits = this.device.limits;
    for (const [name, buffer] of d.buffers) checkBufferSize(d.op, name, buffer.size, limits);
    checkWorkgroups(d.op, d.workgroups, limits);
    if (d.workgroups.some((g) => g === 0)) return; // nothing to compute
    const pipeline = this.pipeline(d.shader, d.constants);
    const entries: GPUBindGroupEntry[] = [
      { binding: 0, resource: { buffer: this.#paramBuffer(d.params) } },
      ...d.buffers.map(([, buffer], i) => ({ binding: i + 1, resource: { buffer } })),
    ];
    const group = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    const pass = this.encoder.beginComputePass({ label: d.op });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(...d.workgroups);
    pass.end();
  }

  /** Submits what was recorded, unless inside `record()` (which submits once at its end). */
  flush(): void {
    if (this.#recording > 0 || this.#encoder === null) return;
    this.device.queue.submit([this.#encoder.finish()]);
    this.#encoder = null;
  }

  /** Runs `fn`, recording every kernel it calls into one command buffer, then submits it. */
  async record<T>(fn: () => Promise<T> | T): Promise<T> {
    this.#recording++;
    try {
      return await fn();
    } finally {
      this.#recording--;
      this.flush();
    }
  }

  /** Copies `bytes` of `src` into a mappable buffer and returns them (waits for the GPU). */
  async readBytes(src: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
    return (await this.readMany([[src, bytes]]))[0];
  }

  /** Reads several buffers' first bytes back with one submit and one wait. */
  async readMany(reads: readonly (readonly [GPUBuffer, number])[]): Promise<ArrayBuffer[]> {
    const stagings = reads.map(([src, bytes]) => {
      const size = Math.max(4, Math.ceil(bytes / 4) * 4);
      const staging = this.device.createBuffer({
        size,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });
      this.encoder.copyBufferToBuffer(src, 0, staging, 0, size);
      return staging;
    });
    const recording = this.#recording;
    this.#recording = 0; // a read must submit, even mid-recording
    this.flush();
    this.#recording = recording;
    try {
      await Promise.all(stagings.map((b) => b.mapAsync(GPUMapMode.READ)));
      const out = stagings.map((b, i) => b.getMappedRange().slice(0, reads[i][1]));
      this.throwIfFailed("the values read back");
      return out;
    } finally {
      for (const b of stagings) b.destroy();
    }
  }
}

const contexts = new WeakMap<GPUDevice, GpuContext>();
let current: GpuContext | null = null;

/**
 * The context `getContext()` opened last, synchronously: what the kernels dispatch on (a
 * device tensor exists only once its context is open). Throws, saying what to do, before that.
 */
export function currentContext(): GpuContext {
  if (current === null) {
    throw new Error(
      "Cannot run a WebGPU kernel before the device is open: await getContext() first " +
        '(await model.to("webgpu") opens it)',
    );
  }
  return current;
}

/** The context of the shared device (throws, saying what to do, when no adapter exists). */
export async function getContext(): Promise<GpuContext> {
  const device = await getDevice();
  let ctx = contexts.get(device);
  if (ctx === undefined) {
    const summary = describeAdapter((await findAdapter())!);
    ctx = new GpuContext(device, summary.description, summary.isFallback);
    contexts.set(device, ctx);
  }
  current = ctx;
  return ctx;
}
