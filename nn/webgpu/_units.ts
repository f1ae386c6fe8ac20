/**
 * The conv – [2×2 max-pool] – batch norm – ReLU unit of `MyModel` (nn/models/mymodel.ts) on the
 * GPU: its parameters (with gradients and SGD momentum), batch-norm running statistics and
 * activations live in GPU buffers sized for the largest batch; `forward` and `backward` record
 * the unit's dispatches into the open command encoder (GpuMyModel's step), with the semantics
 * of the CPU modules (Conv2d without bias, MaxPool2d, BatchNorm2d in training, ReLU).
 *
 * @module
 */

import { type ConvDims, convDims, type PoolDims, poolDims } from "../../core/dims.ts";
import { gpuKernels as k } from "../../kernels/webgpu/mod.ts";
import { GpuTensor } from "../../kernels/webgpu/tensor.ts";
import type { BatchNorm2d } from "../modules/batchnorm.ts";
import type { Conv2d } from "../modules/conv.ts";
import type { Parameter } from "../modules/module.ts";
import type { Tensor } from "../../core/tensor.ts";

/** A parameter on the GPU: its values, gradient and SGD momentum buffer. */
export interface Slot {
  param: Parameter;
  value: GpuTensor;
  grad: GpuTensor;
  velocity: GpuTensor;
}

/** Uploads a parameter (and its momentum buffer when resuming). */
export async function makeSlot(param: Parameter, velocity?: Tensor): Promise<Slot> {
  const t = param.value;
  return {
    param,
    value: await GpuTensor.fromArray(t.data, t.shape),
    grad: await GpuTensor.zeros(t.shape),
    velocity: velocity ? await GpuTensor.fromTensor(velocity) : await GpuTensor.zeros(t.shape),
  };
}

/** conv(C→F, 'same') [– max-pool 2] – BN – ReLU, on a (B, C, H, W) input buffer. */
export class ConvUnit {
  readonly conv: Conv2d;
  readonly bn: BatchNorm2d;
  readonly pooled: boolean;
  readonly imSize: readonly [number, number, number]; // the input's (C, H, W)
  readonly slots: Slot[]; // conv.weight, bn.weight, bn.bias
  readonly x: GpuTensor; // input (B, C, H, W): the previous unit's output, or the batch
  readonly dx: GpuTensor | null; // ∂L/∂x (B, C, H, W), accumulated; null for the first unit
  readonly out: GpuTensor; // ReLU output (B, F, H', W'), the next unit's input
  readonly dout: GpuTensor; // ∂L/∂out, accumulated by whatever reads out
  readonly #t: Record<string, GpuTensor>;

  private constructor(
    conv: Conv2d,
    bn: BatchNorm2d,
    pooled: boolean,
    imSize: readonly [number, number, number],
    slots: Slot[],
    x: GpuTensor,
    dx: GpuTensor | null,
    t: Record<string, GpuTensor>,
  ) {
    this.conv = conv;
    this.bn = bn;
    this.pooled = pooled;
    this.imSize = imSize;
    this.slots = slots;
    this.x = x;
    this.dx = dx;
    this.#t = t;
    this.out = t.out;
    this.dout = t.dout;
  }

  /** Allocates the unit for batches of up to B images on the input buffers `x` and `dx`. */
  static async create(
    conv: Conv2d,
    bn: BatchNorm2d,
    pooled: boolean,
    imSize: readonly [number, number, number],
    B: number,
    x: GpuTensor,
    dx: GpuTensor | null,
    velocity: (p: Parameter) => Tensor | undefined,
  ): Promise<ConvUnit> {
    const params = [conv.weight, bn.weight, bn.bias];
    const slots = await Promise.all(params.map((p) => makeSlot(p, velocity(p))));
    const { c, p } = ConvUnit.dims(conv, pooled, imSize, B);
    const full = [B, c.F, c.HO, c.WO], after = p ? [B, c.F, p.HO, p.WO] : full;
    const shapes: Record<string, number[]> = {
      z: full, // conv output
      dz: full, // ∂L/∂z
      out: after, // ReLU output
      dout: after, // ∂L/∂out
      b: after, // BN output (ReLU input)
      db: after, // ∂L/∂b
    };
    if (p) Object.assign(shapes, { p: after, dp: after, argmax: after }); // pooled, ∂L/∂pooled
    const t: Record<string, GpuTensor> = {};
    for (const [name, shape] of Object.entries(shapes)) {
      t[name] = await GpuTensor.zeros(shape, name === "argmax" ? "int32" : "float32");
    }
    t.saveMean = await GpuTensor.zeros([c.F]);
    t.saveInvStd = await GpuTensor.zeros([c.F]);
    t.runningMean = await GpuTensor.fromTensor(bn.runningMean.value);
    t.runningVar = await GpuTensor.fromTensor(bn.runningVar.value);
    t.zeroBias = await GpuTensor.zeros([c.F]); // the conv has no bias
    return new ConvUnit(conv, bn, pooled, imSize, slots, x, dx, t);
  }

  /** The conv and pool dimensions for a batch of N. */
  static dims(
    conv: Conv2d,
    pooled: boolean,
    [C, H, W]: readonly [number, number, number],
    N: number,
  ): { c: ConvDims; p: PoolDims | null } {
    const kk = conv.kernelSize, op = "GpuMyModel conv";
    const c = convDims(op, [N, C, H, W], [conv.outChannels, C, kk, kk], 1, conv.padding);
    const p = pooled ? poolDims("GpuMyModel pool", [N, c.F, c.HO, c.WO], 2, 2, 2) : null;
    return { c, p };
  }

  /** The output's (C, H, W). */
  get outSize(): [number, number, number] {
    const { c, p } = ConvUnit.dims(this.conv, this.pooled, this.imSize, 1);
    return p ? [c.F, p.HO, p.WO] : [c.F, c.HO, c.WO];
  }

  /** Records the forward pass of N images (BN in training: running statistics move). */
  async forward(N: number): Promise<void> {
    const t = this.#t, { c, p } = ConvUnit.dims(this.conv, this.pooled, this.imSize, N);
    const [w, gamma, beta] = this.slots;
    await k.conv2dForward(t.z, this.x, w.value, t.zeroBias, c);
    if (p) await k.maxPool2dForward(t.p, t.argmax, t.z, p);
    const bnIn = p ? t.p : t.z, HW = p ? p.HO * p.WO : c.HO * c.WO;
    await k.batchNorm2dForward(
      t.b,
      t.saveMean,
      t.saveInvStd,
      t.runningMean,
      t.runningVar,
      bnIn,
      gamma.value,
      beta.value,
      N,
      c.F,
      HW,
      this.bn.eps,
      this.bn.momentum,
      true,
    );
    await k.reluForward(t.out, t.b, N * c.F * HW);
  }

  /** Clears what backward accumulates into: ∂L/∂out, the parameters' gradients, the scratch. */
  clearGrads(enc: GPUCommandEncoder): void {
    const t = this.#t;
    for (const name of ["dout", "dz", "dp"]) if (t[name]) enc.clearBuffer(t[name].buffer);
    for (const s of this.slots) enc.clearBuffer(s.grad.buffer);
  }

  /** Records the backward pass of N images from ∂L/∂out (adds ∂L/∂x into dx when it exists). */
  async backward(N: number): Promise<void> {
    const t = this.#t, { c, p } = ConvUnit.dims(this.conv, this.pooled, this.imSize, N);
    const [w, gamma, beta] = this.slots;
    const HW = p ? p.HO * p.WO : c.HO * c.WO;
    await k.reluBackward(t.db, this.dout, t.b, N * c.F * HW);
    const bnIn = p ? t.p : t.z, dBnIn = p ? t.dp : t.dz;
    await k.batchNorm2dBackward(
      dBnIn,
      gamma.grad,
      beta.grad,
      t.db,
      bnIn,
      gamma.value,
      t.saveMean,
      t.saveInvStd,
      N,
      c.F,
      HW,
      true,
    );
    if (p) await k.maxPool2dBackward(t.dz, t.dp, t.argmax, p);
    await k.conv2dBackwardFilter(w.grad, null, t.dz, this.x, c);
    if (this.dx) await k.conv2dBackwardData(this.dx, t.dz, w.value, c);
  }

  /** Copies the BN running statistics back into the CPU module. */
  async copyStatsToModule(): Promise<void> {
    this.bn.runningMean.value.data.set(await this.#t.runningMean.read());
    this.bn.runningVar.value.data.set(await this.#t.runningVar.read());
  }

  /** Frees the unit's buffers (not its input, which belongs to the unit before it). */
  destroy(): void {
    for (const s of this.slots) for (const g of [s.value, s.grad, s.velocity]) g.destroy();
    for (const g of Object.values(this.#t)) g.destroy();
  }
}
