/**
 * WASM optimizer updates: `sgd` and `adam` take their arrays and settings by name;
 * `sgdStep` and `adamStep` are the reference's positional signatures (kernels/ref/optim.ts)
 * over them. The parameter and its state are copied in as float32, updated on every thread,
 * and copied back.
 *
 * @module
 */

import type { FloatArray } from "../../core/dims.ts";
import { job } from "./_job.ts";
import { carve, copyIn, copyOut } from "./_arena.ts";

const PER_THREAD = 16384;

/** The arrays of one `sgd` update, each of n values; buf is unused when momentum is 0. */
export interface SgdArrays {
  param: FloatArray;
  grad: FloatArray;
  /** The momentum buffer, starting at 0. */
  buf: FloatArray;
}

/** The settings of one `sgd` update. */
export interface SgdOptions {
  lr: number;
  momentum: number;
  weightDecay: number;
  nesterov: boolean;
}

/**
 * PyTorch's SGD without dampening on n values; the kernel's dampening and first-step options
 * stay at their neutral values (a zero buffer makes the first step equal PyTorch's).
 */
export function sgd(a: SgdArrays, n: number, o: SgdOptions): void {
  const dampening = 0, first = false;
  if (n === 0) return;
  const withBuf = o.momentum !== 0;
  const [pp, pg, pb] = carve("sgdStep", [
    { name: `param (${n})`, bytes: 4 * n },
    { name: `grad (${n})`, bytes: 4 * n },
    { name: `buf (${n})`, bytes: withBuf ? 4 * n : 0 },
  ]);
  copyIn(pp, a.param, n);
  copyIn(pg, a.grad, n);
  if (withBuf) copyIn(pb, a.buf, n);
  const args = {
    param: pp,
    grad: pg,
    buf: pb,
    n,
    lr: o.lr,
    momentum: o.momentum,
    dampening,
    wd: o.weightDecay,
    nesterov: o.nesterov,
    first,
  };
  job("sgdStep", args, Math.ceil(n / PER_THREAD));
  copyOut(a.param, pp, n);
  if (withBuf) copyOut(a.buf, pb, n);
}

/** The arrays of one `adam` update, each of n values. */
export interface AdamArrays {
  param: FloatArray;
  grad: FloatArray;
  /** The first moment, starting at 0. */
  m: FloatArray;
  /** The second moment, starting at 0. */
  v: FloatArray;
}

/** The settings of one `adam` update. */
export interface AdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** The update's number, counting from 1 (bias correction). */
  step: number;
  weightDecay: number;
  /** AdamW's decoupled weight decay rather than Adam's L2 term. */
  decoupled: boolean;
}

/** PyTorch's Adam (or AdamW, `decoupled`) on n values. */
export function adam(a: AdamArrays, n: number, o: AdamOptions): void {
  if (n === 0) return;
  const [pp, pg, pm, pv] = carve("adamStep", [
    { name: `param (${n})`, bytes: 4 * n },
    { name: `grad (${n})`, bytes: 4 * n },
    { name: `m (${n})`, bytes: 4 * n },
    { name: `v (${n})`, bytes: 4 * n },
  ]);
  copyIn(pp, a.param, n);
  copyIn(pg, a.grad, n);
  copyIn(pm, a.m, n);
  copyIn(pv, a.v, n);
  const args = {
    param: pp,
    grad: pg,
    m: pm,
    v: pv,
    n,
    lr: o.lr,
    beta1: o.beta1,
    beta2: o.beta2,
    eps: o.eps,
    wd: o.weightDecay,
    step: o.step,
    decoupled: o.decoupled,
  };
  job("adamStep", args, Math.ceil(n / PER_THREAD));
  copyOut(a.param, pp, n);
  copyOut(a.m, pm, n);
  copyOut(a.v, pv, n);
}

/** `sgd` with the reference's positional signature.  param, grad, buf: (n) */
export function sgdStep(
  param: FloatArray,
  grad: FloatArray,
  buf: FloatArray,
  n: number,
  lr: number,
  momentum: number,
  weightDecay: number,
  nesterov: boolean,
): void {
  sgd({ param, grad, buf }, n, { lr, momentum, weightDecay, nesterov });
}

/** `adam` with the reference's positional signature.  param, grad, m, v: (n); `step` from 1. */
export function adamStep(
  param: FloatArray,
  grad: FloatArray,
  m: FloatArray,
  v: FloatArray,
  n: number,
  lr: number,
  beta1: number,
  beta2: number,
  eps: number,
  step: number,
  weightDecay: number,
  decoupled: boolean,
): void {
  adam({ param, grad, m, v }, n, { lr, beta1, beta2, eps, step, weightDecay, decoupled });
}
