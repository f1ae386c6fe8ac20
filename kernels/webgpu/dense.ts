/**
 * WebGPU dense kernels on GPU-resident operands, in the reference's order and semantics
 * (kernels/ref/gemm.ts, elementwise.ts, loss.ts, cross_entropy.ts, axpy.ts): matmul with
 * transposes, bias add, column sums, ReLU forward/backward, softmax cross-entropy (plain and
 * label-smoothed) and axpy.
 *
 * @module
 */

import { getContext, packParams } from "./_context.ts";
import {
  bind,
  elementGrid,
  gemmGrid,
  gemmWorkgroup,
  type GpuArg,
  kSlices,
  WORKGROUP,
} from "./_kernel.ts";

/** c: (M, N) = [c +] op(a) · op(b).  a: (M, K) or (K, M) when transA  b: (K, N) or (N, K) when transB */
export async function gemm(
  c: GpuArg,
  a: GpuArg,
  b: GpuArg,
  M: number,
  N: number,
  K: number,
  transA: boolean,
  transB: boolean,
  accumulate: boolean,
): Promise<void> {
  const ctx = await getContext(), op = "gemm";
  const buffers = [bind(op, "c", c, M * N), bind(op, "a", a, M * K), bind(op, "b", b, K * N)];
  kSlices(ctx, K).forEach(([k0, k1], i) =>
    ctx.dispatch({
      op,
      shader: "matmul",
      buffers,
      params: packParams([M, N, K, +transA, +transB, +(accumulate || i > 0), k0, k1]),
      workgroups: gemmGrid(ctx, M, N),
      constants: gemmWorkgroup(ctx),
    })
  );
  ctx.flush();
}

/** out[r, c] += bias[c].  out: (rows, cols)  bias: (cols) */
export async function addRowBias(
  out: GpuArg,
  bias: GpuArg,
  rows: number,
  cols: number,
): Promise<void> {
  const ctx = await getContext(), op = "addRowBias";
  ctx.dispatch({
    op,
    shader: "add_bias",
    buffers: [bind(op, "out", out, rows * cols), bind(op, "bias", bias, cols)],
    params: packParams([rows * cols, cols, 1]),
    workgroups: elementGrid(ctx, rows * cols),
    constants: WORKGROUP.elementwise,
  });
  ctx.flush();
}

/** sums[c] += Σ_r m[r, c].  m: (rows, cols)  sums: (cols) */
export async function sumRows(
  sums: GpuArg,
  m: GpuArg,
  rows: number,
  cols: number,
): Promise<void> {
  const ctx = await getContext(), op = "sumRows";
  ctx.dispatch({
    op,
    shader: "channel_sum",
    buffers: [bind(op, "sums", sums, cols), bind(op, "m", m, rows * cols)],
    params: packParams([rows, cols, 1]),
    workgroups: [cols, 1, 1],
    constants: WORKGROUP.reduce,
  });
  ctx.flush();
}

/** out = max(x, 0).  out, x: (n) */
export async function reluForward(out: GpuArg, x: GpuArg, n: number): Promise<void> {
  const ctx = await getContext(), op = "reluForward";
  ctx.dispatch({
    op,
    shader: "relu_forward",
    buffers: [bind(op, "out", out, n), bind(op, "x", x, n)],
    params: packParams([n]),
    workgroups: elementGrid(ctx, n),
    constants: WORKGROUP.elementwise,
  });
  ctx.flush();
}

/** dx = dout where x > 0, else 0 (overwrites dx).  dx, dout, x: (n) */
export async function reluBackward(
  dx: GpuArg,
  dout: GpuArg,
  x: GpuArg,
  n: number,
): Promise<void> {
  const ctx = await getContext(), op = "reluBackward";
  ctx.dispatch({
    op,
    shader: "relu_backward",
    buffers: [bind(op, "dx", dx, n), bind(op, "dout", dout, n), bind(op, "x", x, n)],
    params: packParams([n]),
    workgroups: elementGrid(ctx, n),
    constants: WORKGROUP.elementwise,
  });
  ctx.flush();
}

/**
 * Softmax cross-entropy: writes each row's loss to `losses` (the mean loss is their sum / N,
 * read when wanted) and dx = (softmax(x) − onehot(y)) / N (overwriting).
 * dx, x: (N, C)  losses: (N)  y: (N) int32 class indices in [0, C)
 */
export async function softmaxCrossEntropy(
  dx: GpuArg,
  losses: GpuArg,
  x: GpuArg,
  y: GpuArg,
  N: number,
  C: number,
): Promise<void> {
  const ctx = await getContext(), op = "softmaxCrossEntropy";
  const { WG } = WORKGROUP.rows;
  ctx.dispatch({
    op,
    shader: "softmax_cross_entropy",
    buffers: [
      bind(op, "dx", dx, N * C),
      bind(op, "losses", losses, N),
      bind(op, "x", x, N * C),
      bind(op, "y", y, N),
    ],
    params: packParams([N, C]),
    workgroups: [Math.ceil(N / WG), 1, 1],
    constants: WORKGROUP.rows,
  });
  ctx.flush();
}

/**
 * Softmax cross-entropy with label smoothing ε in [0, 1] (kernels/ref/cross_entropy.ts):
 * writes each row's loss to `losses` and dx = (softmax(x) − q) / N (overwriting), with
 * q = (1 − ε)·onehot(y) + ε/C.  dx, x: (N, C)  losses: (N)  y: (N) int32 class indices in [0, C)
 */
export async function softmaxCrossEntropySmoothed(
  dx: GpuArg,
  losses: GpuArg,
  x: GpuArg,
  y: GpuArg,
  N: number,
  C: number,
  smoothing: number,
): Promise<void> {
  if (!(smoothing >= 0 && smoothing <= 1)) {
    throw new RangeError(
      `Cannot run softmaxCrossEntropySmoothed: smoothing must be in [0, 1], got ${smoothing}`,
    );
  }
  const ctx = await getContext(), op = "softmaxCrossEntropySmoothed";
  const { WG } = WORKGROUP.rows;
  ctx.dispatch({
    op,
    shader: "softmax_cross_entropy_smoothed",
    buffers: [
      bind(op, "dx", dx, N * C),
      bind(op, "losses", losses, N),
      bind(op, "x", x, N * C),
      bind(op, "y", y, N),
    ],
    params: packParams([N, C], [smoothing]),
    workgroups: [Math.ceil(N / WG), 1, 1],
    constants: WORKGROUP.rows,
  });
  ctx.flush();
}

/** y += alpha · x (the residual add; Scale into a cleared y).  y, x: (n) */
export async function axpy(y: GpuArg, x: GpuArg, alpha: number, n: number): Promise<void> {
  const ctx = await getContext(), op = "axpy";
  ctx.dispatch({
    op,
    shader: "axpy",
    buffers: [bind(op, "y", y, n), bind(op, "x", x, n)],
    params: packParams([n], [alpha]),
    workgroups: elementGrid(ctx, n),
    constants: WORKGROUP.elementwise,
  });
  ctx.flush();
}
