/**
 * WebGPU optimizer updates on GPU-resident parameters (kernels/ref/optim.ts's semantics,
 * following torch.optim): SGD with momentum / Nesterov / weight decay, and Adam / AdamW.
 *
 * @module
 */

import { currentContext, packParams } from "./_context.ts";
import { bind, elementGrid, type GpuArg, WORKGROUP } from "./_kernel.ts";

/** One SGD step.  w, v: (n) updated  g: (n) read */
export function sgdStep(
  w: GpuArg,
  g: GpuArg,
  v: GpuArg,
  n: number,
  lr: number,
  momentum: number,
  weightDecay: number,
  nesterov: boolean,
): void {
  const ctx = currentContext(), op = "sgdStep";
  ctx.dispatch({
    op,
    shader: "sgd_step",
    buffers: [bind(op, "w", w, n), bind(op, "v", v, n), bind(op, "g", g, n)],
    params: packParams([n, +nesterov], [lr, momentum, weightDecay]),
    workgroups: elementGrid(ctx, n),
    constants: WORKGROUP.elementwise,
  });
  ctx.flush();
}

/** One Adam (decoupled = false) or AdamW (decoupled = true) step.  w, m, v: (n) updated  g: (n) */
export function adamStep(
  w: GpuArg,
  g: GpuArg,
  m: GpuArg,
  v: GpuArg,
  n: number,
  lr: number,
  beta1: number,
  beta2: number,
  eps: number,
  step: number,
  weightDecay: number,
  decoupled: boolean,
): void {
  if (!Number.isInteger(step) || step < 1) {
    throw new RangeError(`Cannot run adamStep: step must be an integer ≥ 1, got ${step}`);
  }
  const ctx = currentContext(), op = "adamStep";
  const stepSize = lr / (1 - beta1 ** step);
  const sqrtBias2 = Math.sqrt(1 - beta2 ** step);
  const decay = decoupled ? 1 - lr * weightDecay : 1;
  const l2 = decoupled ? 0 : weightDecay;
  ctx.dispatch({
    op,
    shader: "adam_step",
    buffers: [
      bind(op, "w", w, n),
      bind(op, "m", m, n),
      bind(op, "v", v, n),
      bind(op, "g", g, n),
    ],
    params: packParams([n], [beta1, beta2, eps, stepSize, sqrtBias2, decay, l2]),
    workgroups: elementGrid(ctx, n),
    constants: WORKGROUP.elementwise,
  });
  ctx.flush();
}
