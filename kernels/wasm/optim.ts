/**
 * WASM optimizer updates with the reference's positional signatures (kernels/ref/optim.ts):
 * the parameter and its state are copied in as float32, updated on every thread, and copied
 * back.
 *
 * @module
 */

import type { FloatArray } from "../dims.ts";
import { job } from "./_job.ts";
import { carve, copyIn, copyOut } from "./_arena.ts";

const PER_THREAD = 16384;

/**
 * param, grad, buf: (n); buf (the momentum buffer, starting at 0) is unused when momentum is 0.
 * PyTorch's SGD without dampening; the kernel's dampening and first-step options stay at their
 * neutral values (a zero buffer makes the first step equal PyTorch's).
 */
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
  const dampening = 0, first = false;
  if (n === 0) return;
  const withBuf = momentum !== 0;
  const [pp, pg, pb] = carve("sgdStep", [
    { name: `param (${n})`, bytes: 4 * n },
    { name: `grad (${n})`, bytes: 4 * n },
    { name: `buf (${n})`, bytes: withBuf ? 4 * n : 0 },
  ]);
  copyIn(pp, param, n);
  copyIn(pg, grad, n);
  if (withBuf) copyIn(pb, buf, n);
  const args = {
    param: pp,
    grad: pg,
    buf: pb,
    n,
    lr,
    momentum,
    dampening,
    wd: weightDecay,
    nesterov,
    first,
  };
  job("sgdStep", args, Math.ceil(n / PER_THREAD));
  copyOut(param, pp, n);
  if (withBuf) copyOut(buf, pb, n);
}

/** param, grad, m, v: (n); `step` counts from 1. */
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
  if (n === 0) return;
  const [pp, pg, pm, pv] = carve("adamStep", [
    { name: `param (${n})`, bytes: 4 * n },
    { name: `grad (${n})`, bytes: 4 * n },
    { name: `m (${n})`, bytes: 4 * n },
    { name: `v (${n})`, bytes: 4 * n },
  ]);
  copyIn(pp, param, n);
  copyIn(pg, grad, n);
  copyIn(pm, m, n);
  copyIn(pv, v, n);
  const args = {
    param: pp,
    grad: pg,
    m: pm,
    v: pv,
    n,
    lr,
    beta1,
    beta2,
    eps,
    wd: weightDecay,
    step,
    decoupled,
  };
  job("adamStep", args, Math.ceil(n / PER_THREAD));
  copyOut(param, pp, n);
  copyOut(m, pm, n);
  copyOut(v, pv, n);
}
