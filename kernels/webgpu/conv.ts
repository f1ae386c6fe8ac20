/**
 * WebGPU conv2d kernels on GPU-resident operands, with the reference's positional order
 * (kernels/ref/conv2d.ts): outputs, then inputs, then dims; backward kernels add into their
 * outputs. Each call records its dispatches and submits them (or leaves them to an enclosing
 * `ctx.record()`); they run synchronously on the open context (`getContext()`); read results with `GpuTensor.read()`.
 *
 * @module
 */

import type { ConvDims } from "../../core/dims.ts";
import { currentContext, packParams } from "./_context.ts";
import { bind, gemmGrid, gemmWorkgroup, type GpuArg, kSlices, WORKGROUP } from "./_kernel.ts";

function convParams(d: ConvDims, k: [number, number], first?: boolean): ArrayBuffer {
  const sizes = [d.N, d.C, d.H, d.W, d.F, d.KH, d.KW, d.stride, d.pad, d.HO, d.WO, ...k];
  return packParams(first === undefined ? sizes : [...sizes, +first]);
}

function sizes(d: ConvDims) {
  return {
    x: d.N * d.C * d.H * d.W,
    w: d.F * d.C * d.KH * d.KW,
    out: d.N * d.F * d.HO * d.WO,
  };
}

/** out = conv(x, w) + b.  out: (N, F, HO, WO)  x: (N, C, H, W)  w: (F, C, KH, KW)  b: (F) */
export function conv2dForward(
  out: GpuArg,
  x: GpuArg,
  w: GpuArg,
  b: GpuArg,
  d: ConvDims,
): void {
  const ctx = currentContext(), op = "conv2dForward", n = sizes(d);
  const buffers = [
    bind(op, "out", out, n.out),
    bind(op, "x", x, n.x),
    bind(op, "w", w, n.w),
    bind(op, "b", b, d.F),
  ];
  kSlices(ctx, d.C * d.KH * d.KW).forEach((k, i) =>
    ctx.dispatch({
      op,
      shader: "conv2d_forward",
      buffers,
      params: convParams(d, k, i === 0),
      workgroups: gemmGrid(ctx, d.F, d.N * d.HO * d.WO),
      constants: gemmWorkgroup(ctx),
    })
  );
  ctx.flush();
}

/** dx += ∂L/∂x.  dx: (N, C, H, W)  dout: (N, F, HO, WO)  w: (F, C, KH, KW) */
export function conv2dBackwardData(
  dx: GpuArg,
  dout: GpuArg,
  w: GpuArg,
  d: ConvDims,
): void {
  const ctx = currentContext(), op = "conv2dBackwardData", n = sizes(d);
  const buffers = [bind(op, "dx", dx, n.x), bind(op, "dout", dout, n.out), bind(op, "w", w, n.w)];
  for (const k of kSlices(ctx, d.F * d.KH * d.KW)) {
    ctx.dispatch({
      op,
      shader: "conv2d_backward_data",
      buffers,
      params: convParams(d, k),
      workgroups: gemmGrid(ctx, d.C, d.N * d.H * d.W),
      constants: gemmWorkgroup(ctx),
    });
  }
  ctx.flush();
}

/**
 * dw += ∂L/∂w, db += ∂L/∂b (skipped when db is null: a bias-free conv).
 * dw: (F, C, KH, KW)  db: (F)  dout: (N, F, HO, WO)  x: (N, C, H, W)
 */
export function conv2dBackwardFilter(
  dw: GpuArg,
  db: GpuArg | null,
  dout: GpuArg,
  x: GpuArg,
  d: ConvDims,
): void {
  const ctx = currentContext(), op = "conv2dBackwardFilter", n = sizes(d);
  const doutB = bind(op, "dout", dout, n.out);
  const buffers = [bind(op, "dw", dw, n.w), doutB, bind(op, "x", x, n.x)];
  for (const k of kSlices(ctx, d.N * d.HO * d.WO)) {
    ctx.dispatch({
      op,
      shader: "conv2d_backward_filter",
      buffers,
      params: convParams(d, k),
      workgroups: gemmGrid(ctx, d.F, d.C * d.KH * d.KW),
      constants: gemmWorkgroup(ctx),
    });
  }
  if (db !== null) { // a bias-free conv (db null) skips the bias gradient
    ctx.dispatch({
      op,
      shader: "channel_sum",
      buffers: [bind(op, "db", db, d.F), doutB],
      params: packParams([d.N, d.F, d.HO * d.WO]),
      workgroups: [d.F, 1, 1],
      constants: WORKGROUP.reduce,
    });
  }
  ctx.flush();
}
