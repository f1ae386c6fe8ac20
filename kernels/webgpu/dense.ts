/**
 * WebGPU dense kernels on GPU-resident operands, in the reference's order and semantics
 * (kernels/ref/gemm.ts, elementwise.ts, loss.ts, cross_entropy.ts, axpy.ts): matmul with
 * transposes, bias add, column sums, ReLU forward/backward, softmax cross-entropy (plain and
 * label-smoothed) and axpy.
 *
 * @module
 */

import { currentContext, packParams } from "./_context.ts";
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
export function gemm(
  c: GpuArg,
  a: GpuArg,
  b: GpuArg,
  M: number,
  N: number,
  K: number,
  transA: boolean,
  transB: boolean,
  accumulate: boolean,
): void {
  const ctx = currentContext(), op = "gemm";
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
export function addRowBias(
  out: GpuArg,
  bias: GpuArg,
  rows: number,
  cols: number,
): void {
  const ctx = currentContext(), op = "addRowBias";
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
export function sumRows(
  sums: GpuArg,
  m: GpuArg,
  rows: number,
  cols: number,
): void {
  const ctx = currentContext(), op = "sumRows";
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
export function reluForward(out: GpuArg, x: GpuArg, n: number): void {
  const ctx = currentContext(), op = "reluForward";
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
export function reluBackward(
  dx: GpuArg,
  dout: GpuArg,
  x: GpuArg,
  n: number,
): void {
  const ctx = currentContext(), op = "reluBackward";
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
export function softmaxCrossEntropy(
  dx: GpuArg,
  losses: GpuArg,
  x: GpuArg,
  y: GpuArg,
  N: number,
  C: number,
): void {
  const ctx = currentContext(), op = "softmaxCrossEntropy";
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
export function softmaxCrossEntropySmoothed(
  dx: GpuArg,
  losses: GpuArg,
  x: GpuArg,
  y: GpuArg,
  N: number,
  C: number,
  smoothing: number,
): void {
  if (!(smoothing >= 0 && smoothing <= 1)) {
    throw new RangeError(
      `Cannot run softmaxCrossEntropySmoothed: smoothing must be in [0, 1], got ${smoothing}`,
    );
  }
  const ctx = currentContext(), op = "softmaxCrossEntropySmoothed";
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
export function axpy(y: GpuArg, x: GpuArg, alpha: number, n: number): void {
  const ctx = currentContext(), op = "axpy";
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

const TWO_32 = 2 ** 32;

/**
 * Inverted dropout: out = x · mask, mask = 0 or 1/(1 − p), kept where the element's hash of
 * `seed` is ≥ p·2³² — the mask kernels/ref/dropout.ts draws from the same seed.
 * out, mask, x: (n)  p in [0, 1)  seed: uint32
 */
export function dropoutForward(
  out: GpuArg,
  mask: GpuArg,
  x: GpuArg,
  n: number,
  p: number,
  seed: number,
): void {
  if (!(p >= 0 && p < 1)) {
    throw new RangeError(`Cannot run dropoutForward: p must be in [0, 1), got ${p}`);
  }
  if (!(Number.isInteger(seed) && seed >= 0 && seed < TWO_32)) {
    throw new RangeError(
      `Cannot run dropoutForward: seed must be an integer in [0, 2³²), got ${seed}`,
    );
  }
  const ctx = currentContext(), op = "dropoutForward";
  // hash ≥ p·2³² ⇔ hash ≥ ⌈p·2³²⌉ for an integer hash; ⌈p·2³²⌉ = 2³² keeps nothing
  const T = Math.ceil(p * TWO_32), keepNone = T >= TWO_32;
  ctx.dispatch({
    op,
    shader: "dropout_forward",
    buffers: [bind(op, "out", out, n), bind(op, "mask", mask, n), bind(op, "x", x, n)],
    params: packParams([n, seed, keepNone ? 0 : T, +keepNone], [1 / (1 - p)]),
    workgroups: elementGrid(ctx, n),
    constants: WORKGROUP.elementwise,
  });
  ctx.flush();
}

/** dx += dout · mask.  dx, dout, mask: (n) */
export function dropoutBackward(dx: GpuArg, dout: GpuArg, mask: GpuArg, n: number): void {
  const ctx = currentContext(), op = "dropoutBackward";
  ctx.dispatch({
    op,
    shader: "dropout_backward",
    buffers: [bind(op, "dx", dx, n), bind(op, "dout", dout, n), bind(op, "mask", mask, n)],
    params: packParams([n]),
    workgroups: elementGrid(ctx, n),
    constants: WORKGROUP.elementwise,
  });
  ctx.flush();
}
