/**
 * WebGPU batch normalisation on GPU-resident operands (kernels/ref/batchnorm.ts's order and
 * semantics, PyTorch's nn.BatchNorm2d): one workgroup per channel reduces its statistics and
 * then normalises (forward) or back-propagates (backward) that channel.
 *
 * @module
 */

import { currentContext, packParams } from "./_context.ts";
import { bind, type GpuArg, WORKGROUP } from "./_kernel.ts";

/**
 * out: (N, C, HW)  saveMean, saveInvStd: (C) written  runningMean, runningVar: (C) updated in
 * training  x: (N, C, HW)  gamma, beta: (C)
 */
export function batchNorm2dForward(
  out: GpuArg,
  saveMean: GpuArg,
  saveInvStd: GpuArg,
  runningMean: GpuArg,
  runningVar: GpuArg,
  x: GpuArg,
  gamma: GpuArg,
  beta: GpuArg,
  N: number,
  C: number,
  HW: number,
  eps: number,
  momentum: number,
  training: boolean,
): void {
  if (training && N * HW < 2) {
    throw new RangeError(
      `Cannot run batchNorm2dForward in training on ${N * HW} value per channel: the unbiased ` +
        "variance needs at least 2",
    );
  }
  const ctx = currentContext(), op = "batchNorm2dForward", n = N * C * HW;
  ctx.dispatch({
    op,
    shader: "batch_norm_forward",
    buffers: [
      bind(op, "out", out, n),
      bind(op, "saveMean", saveMean, C),
      bind(op, "saveInvStd", saveInvStd, C),
      bind(op, "runningMean", runningMean, C),
      bind(op, "runningVar", runningVar, C),
      bind(op, "x", x, n),
      bind(op, "gamma", gamma, C),
      bind(op, "beta", beta, C),
    ],
    params: packParams([N, C, HW, +training], [eps, momentum]),
    workgroups: [C, 1, 1],
    constants: WORKGROUP.reduce,
  });
  ctx.flush();
}

/**
 * dx, dgamma, dbeta += the gradients.  dx, dout, x: (N, C, HW)  dgamma, dbeta, gamma, saveMean,
 * saveInvStd: (C)
 */
export function batchNorm2dBackward(
  dx: GpuArg,
  dgamma: GpuArg,
  dbeta: GpuArg,
  dout: GpuArg,
  x: GpuArg,
  gamma: GpuArg,
  saveMean: GpuArg,
  saveInvStd: GpuArg,
  N: number,
  C: number,
  HW: number,
  training: boolean,
): void {
  const ctx = currentContext(), op = "batchNorm2dBackward", n = N * C * HW;
  ctx.dispatch({
    op,
    shader: "batch_norm_backward",
    buffers: [
      bind(op, "dx", dx, n),
      bind(op, "dgamma", dgamma, C),
      bind(op, "dbeta", dbeta, C),
      bind(op, "dout", dout, n),
      bind(op, "x", x, n),
      bind(op, "gamma", gamma, C),
      bind(op, "saveMean", saveMean, C),
      bind(op, "saveInvStd", saveInvStd, C),
    ],
    params: packParams([N, C, HW, +training]),
    workgroups: [C, 1, 1],
    constants: WORKGROUP.reduce,
  });
  ctx.flush();
}
