/**
 * Shared pieces of the WebGPU kernel wrappers: the argument type (a `GpuTensor` or a bare
 * `GPUBuffer`), binding with a size check, the workgroup sizes (set into each shader's
 * `override` constants, written only here) and the grids.
 *
 * @module
 */

import type { Binding, GpuContext } from "./_context.ts";
import { grid1d } from "./_limits.ts";
import { GEMM_PER_INVOCATION } from "./_shaders.ts";
import { GpuTensor } from "./tensor.ts";

/** A GPU-resident operand: a `GpuTensor` or the storage buffer itself. */
export type GpuArg = GpuTensor | GPUBuffer;

/** The workgroup sizes, by kernel family: the values of the shaders' `override` constants. */
export const WORKGROUP = {
  /** matmul and the conv kernels: WG_M × WG_N invocations, each TM × TN outputs. */
  gemm: { WG_M: 16, WG_N: 16 },
  /**
   * The GEMM workgroup on a software (fallback) adapter: llvmpipe's compile time grows with
   * the workgroup size (measured on llvmpipe 15: 4×4 compiles in 1.6 s, 8×8 in 8.6 s,
   * 16×16 in 25–50 s per conv shader), and it runs no faster with bigger workgroups.
   */
  gemmFallback: { WG_M: 4, WG_N: 4 },
  /** element-wise kernels, pooling and the optimizers: one invocation per element. */
  elementwise: { WG: 256 },
  /** channel_sum: one workgroup per channel, a power of two. */
  reduce: { WG: 256 },
  /** softmax_cross_entropy: one invocation per row. */
  rows: { WG: 64 },
} as const;

/** The buffer of a GPU operand. */
export function bufferOf(a: GpuArg): GPUBuffer {
  return a instanceof GpuTensor ? a.buffer : a;
}

/** Binds `a` as `name` after checking it holds at least `elements` 4-byte values. */
export function bind(op: string, name: string, a: GpuArg, elements: number): Binding {
  const buffer = bufferOf(a);
  if (buffer.size < 4 * elements) {
    throw new TypeError(
      `Cannot run ${op}: "${name}" holds ${Math.floor(buffer.size / 4)} values but the ` +
        `shapes need ${elements}`,
    );
  }
  return [name, buffer];
}

/** The GEMM workgroup size for this context's adapter. */
export function gemmWorkgroup(ctx: GpuContext): { WG_M: number; WG_N: number } {
  return ctx.isFallback ? WORKGROUP.gemmFallback : WORKGROUP.gemm;
}

/**
 * The depth of one K slice on a software adapter. llvmpipe's loop limiter ends a loop nest
 * after 65535 iterations (of all its loops together: about 52 per TK-deep slice of the tiled
 * GEMM), silently truncating the sum, so K is split over several dispatches there.
 */
export const FALLBACK_K_SLICE = 8192;

/** The [begin, end) slices of K the GEMM dispatches sum in turn (one on a hardware adapter). */
export function kSlices(ctx: GpuContext, K: number): [number, number][] {
  if (!ctx.isFallback || K <= FALLBACK_K_SLICE) return [[0, K]];
  const out: [number, number][] = [];
  for (let k = 0; k < K; k += FALLBACK_K_SLICE) out.push([k, Math.min(K, k + FALLBACK_K_SLICE)]);
  return out;
}

/** The grid of the tiled GEMM for a C of M×N. */
export function gemmGrid(ctx: GpuContext, M: number, N: number): [number, number, number] {
  const { WG_M, WG_N } = gemmWorkgroup(ctx);
  return [
    Math.ceil(N / (WG_N * GEMM_PER_INVOCATION.N)),
    Math.ceil(M / (WG_M * GEMM_PER_INVOCATION.M)),
    1,
  ];
}

/** The grid of an element-wise kernel over `count` items. */
export function elementGrid(ctx: GpuContext, count: number): [number, number, number] {
  return grid1d(
    count,
    WORKGROUP.elementwise.WG,
    ctx.device.limits.maxComputeWorkgroupsPerDimension,
  );
}
