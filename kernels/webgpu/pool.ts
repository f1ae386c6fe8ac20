/**
 * WebGPU max-pool kernels on GPU-resident operands (kernels/ref/pool2d.ts's order and
 * semantics: ties keep the first element; backward adds into dx).
 *
 * @module
 */

import type { PoolDims } from "../../core/dims.ts";
import { currentContext, packParams } from "./_context.ts";
import { bind, elementGrid, type GpuArg, WORKGROUP } from "./_kernel.ts";

function poolParams(d: PoolDims): ArrayBuffer {
  return packParams([d.N * d.C, d.H, d.W, d.PH, d.PW, d.stride, d.HO, d.WO]);
}

/** out: (N, C, HO, WO)  argmax: (N, C, HO, WO) int32 flat indices into x  x: (N, C, H, W) */
export function maxPool2dForward(
  out: GpuArg,
  argmax: GpuArg,
  x: GpuArg,
  d: PoolDims,
): void {
  const ctx = currentContext(), op = "maxPool2dForward";
  const nOut = d.N * d.C * d.HO * d.WO;
  ctx.dispatch({
    op,
    shader: "max_pool_forward",
    buffers: [
      bind(op, "out", out, nOut),
      bind(op, "argmax", argmax, nOut),
      bind(op, "x", x, d.N * d.C * d.H * d.W),
    ],
    params: poolParams(d),
    workgroups: elementGrid(ctx, nOut),
    constants: WORKGROUP.elementwise,
  });
  ctx.flush();
}

/** dx += ∂L/∂x.  dx: (N, C, H, W)  dout, argmax: (N, C, HO, WO) */
export function maxPool2dBackward(
  dx: GpuArg,
  dout: GpuArg,
  argmax: GpuArg,
  d: PoolDims,
): void {
  const ctx = currentContext(), op = "maxPool2dBackward";
  const nOut = d.N * d.C * d.HO * d.WO, nx = d.N * d.C * d.H * d.W;
  ctx.dispatch({
    op,
    shader: "max_pool_backward",
    buffers: [
      bind(op, "dx", dx, nx),
      bind(op, "dout", dout, nOut),
      bind(op, "argmax", argmax, nOut),
    ],
    params: poolParams(d),
    workgroups: elementGrid(ctx, nx),
    constants: WORKGROUP.elementwise,
  });
  ctx.flush();
}

/** out: (N, C, HO, WO) window means  x: (N, C, H, W) */
export function avgPool2dForward(out: GpuArg, x: GpuArg, d: PoolDims): void {
  const ctx = currentContext(), op = "avgPool2dForward";
  const nOut = d.N * d.C * d.HO * d.WO;
  ctx.dispatch({
    op,
    shader: "avg_pool_forward",
    buffers: [bind(op, "out", out, nOut), bind(op, "x", x, d.N * d.C * d.H * d.W)],
    params: poolParams(d),
    workgroups: elementGrid(ctx, nOut),
    constants: WORKGROUP.elementwise,
  });
  ctx.flush();
}

/** dx += ∂L/∂x.  dx: (N, C, H, W)  dout: (N, C, HO, WO) */
export function avgPool2dBackward(dx: GpuArg, dout: GpuArg, d: PoolDims): void {
  const ctx = currentContext(), op = "avgPool2dBackward";
  const nx = d.N * d.C * d.H * d.W;
  ctx.dispatch({
    op,
    shader: "avg_pool_backward",
    buffers: [bind(op, "dx", dx, nx), bind(op, "dout", dout, d.N * d.C * d.HO * d.WO)],
    params: poolParams(d),
    workgroups: elementGrid(ctx, nx),
    constants: WORKGROUP.elementwise,
  });
  ctx.flush();
}
