/**
 * WASM conv and max-pool kernels with the reference's positional signatures
 * (kernels/ref/conv2d.ts, kernels/ref/pool2d.ts): inputs of either float type are copied into
 * the arena as float32, the job runs on every thread, and outputs are copied back (backward
 * kernels add into their outputs, like the reference).
 *
 * @module
 */

import type { ConvDims, FloatArray } from "../../core/dims.ts";
import { job } from "./_job.ts";
import { carve, copyIn, copyOut, layout, type Region, zero } from "./_arena.ts";
import { type ConvDimsArgs, exports, getThreads, memory } from "./_runtime.ts";
import { PARTIAL_TILES_OFF } from "./_layout.ts";

function convArgs(d: ConvDims): ConvDimsArgs {
  return [d.N, d.C, d.H, d.W, d.F, d.KH, d.KW, d.stride, d.pad, d.HO, d.WO];
}

/** The dims of a conv as the ops of _ops.ts name them. */
export function convJobDims(d: ConvDims) {
  const { N, C, H, W, F, KH, KW, pad, HO, WO } = d;
  return { N, C, H, W, F, KH, KW, s: d.stride, pad, HO, WO };
}

/**
 * One pass's algorithm: "im2col" (im2col panels, or colsᵀ, and a packed GEMM; for the data
 * gradient GEMM + col2im), "direct" (from a zero-padded image, no im2col copy), "stride2"
 * (column-phase planes) or "winograd" (F(2×2, 3×3)).
 */
export type ConvPathName = "im2col" | "direct" | "stride2" | "winograd";

/** Which algorithm each pass of a conv shape runs, as the WASM module decides it. */
export interface ConvPath {
  /** The forward. */
  forward: ConvPathName;
  /** The data gradient (never "direct"). */
  data: ConvPathName;
  /** The filter gradient. */
  filter: ConvPathName;
  /**
   * Whether the filter gradient splits the images into a fixed set of chunks whose partial
   * sums are added in chunk order (a job-wide scratch), rather than dw's columns over threads.
   */
  filterChunked: boolean;
}

// PATH_* of assembly/conv_path.ts, by code
const PATH_NAMES: readonly ConvPathName[] = ["im2col", "direct", "stride2", "winograd"];

/**
 * Which path each pass of the conv `d` takes: the answer of the module's one `convPath`
 * (kernels/wasm/assembly/conv_path.ts), which the kernels and their scratch sizes ask too.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { convDims } from "../../core/dims.ts";
 * import { convPath } from "./conv.ts";
 * const d = convDims("conv", [128, 64, 32, 32], [64, 64, 3, 3], 1, 1);
 * assert.deepEqual(convPath(d), {
 *   forward: "winograd",
 *   data: "winograd",
 *   filter: "winograd",
 *   filterChunked: true,
 * });
 * ```
 */
export function convPath(d: ConvDims): ConvPath {
  const code = exports.convPath(...convArgs(d)); // bits 0–1, 2–3, 4–5 and 64: conv_path.ts
  return {
    forward: PATH_NAMES[code & 3],
    data: PATH_NAMES[(code >> 2) & 3],
    filter: PATH_NAMES[(code >> 4) & 3],
    filterChunked: (code & 64) !== 0,
  };
}

/**
 * Lets `convPath` run 3×3 stride-1 convs whose outputs the exact Winograd tiling does not cover
 * (odd maps such as 31, 15, 7 and 3 wide) on a partial tile grid (`true`, the default), or keeps
 * them on the paths they took before it (`false`: im2col or direct; for benches comparing the
 * two). Applies to every thread from the next kernel call on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { convDims } from "../../core/dims.ts";
 * import { convPath, setPartialTiles } from "./conv.ts";
 * const d = convDims("conv", [8, 64, 15, 15], [64, 64, 3, 3], 1, 1);
 * assert.equal(convPath(d).forward, "winograd");
 * setPartialTiles(false);
 * assert.equal(convPath(d).forward, "im2col");
 * setPartialTiles(true);
 * ```
 */
export function setPartialTiles(on: boolean): void {
  new Int32Array(memory.buffer, PARTIAL_TILES_OFF, 1)[0] = on ? 0 : 1;
}

// The per-thread scratch in bytes, from the module; a float64 estimate stands in when the
// module's 32-bit arithmetic would overflow (the request then fails the memory limit).
function scratchBytes(d: ConvDims, backward: boolean): number {
  const K = d.C * d.KH * d.KW, P = d.HO * d.WO + 8;
  const padded = d.C * (d.H + 2 * d.pad) * (d.W + 2 * d.pad);
  const estimate = 4 * (3 * K * P + 2 * d.F * P + 2 * K * (d.F + 8) + padded);
  if (estimate >= 2 ** 31) return estimate;
  return backward
    ? exports.convBackwardScratch(...convArgs(d))
    : exports.convForwardScratch(...convArgs(d));
}

function shapes(d: ConvDims) {
  const { N, C, H, W, F, KH, KW, HO, WO } = d;
  return { x: N * C * H * W, w: F * C * KH * KW, out: N * F * HO * WO, F, N };
}

// The caller's arrays behind the regions (resident ones are used in place), when known.
interface ConvArrays {
  x?: FloatArray | null;
  w?: FloatArray | null;
  b?: FloatArray | null;
  out?: FloatArray | null;
  dx?: FloatArray | null;
  dout?: FloatArray | null;
  dw?: FloatArray | null;
  db?: FloatArray | null;
}

function forwardRegions(d: ConvDims, a: ConvArrays = {}): Region[] {
  const s = shapes(d), threads = Math.min(d.N, getThreads());
  const scratch = scratchBytes(d, false);
  return [
    { name: `x (${d.N}, ${d.C}, ${d.H}, ${d.W})`, bytes: 4 * s.x, array: a.x },
    { name: `w (${d.F}, ${d.C}, ${d.KH}, ${d.KW})`, bytes: 4 * s.w, array: a.w },
    { name: `b (${d.F})`, bytes: 4 * s.F, array: a.b },
    { name: `out (${d.N}, ${d.F}, ${d.HO}, ${d.WO})`, bytes: 4 * s.out, array: a.out },
    { name: `scratch ${threads}×${scratch} B`, bytes: threads * scratch },
  ];
}

function backwardRegions(
  d: ConvDims,
  doData: boolean,
  doFilter: boolean,
  a: ConvArrays = {},
): Region[] {
  const s = shapes(d);
  const threads = Math.min(Math.max(d.N, Math.ceil((d.C * d.KH * d.KW) / 8)), getThreads());
  const scratch = scratchBytes(d, true);
  return [
    { name: `dx (${d.N}, ${d.C}, ${d.H}, ${d.W})`, bytes: doData ? 4 * s.x : 0, array: a.dx },
    { name: `dout (${d.N}, ${d.F}, ${d.HO}, ${d.WO})`, bytes: 4 * s.out, array: a.dout },
    { name: `x (${d.N}, ${d.C}, ${d.H}, ${d.W})`, bytes: doFilter ? 4 * s.x : 0, array: a.x },
    { name: `w (${d.F}, ${d.C}, ${d.KH}, ${d.KW})`, bytes: doData ? 4 * s.w : 0, array: a.w },
    { name: `dw (${d.F}, ${d.C}, ${d.KH}, ${d.KW})`, bytes: doFilter ? 4 * s.w : 0, array: a.dw },
    { name: `db (${d.F})`, bytes: doFilter ? 4 * s.F : 0, array: a.db },
    { name: `scratch ${threads}×${scratch} B`, bytes: threads * scratch },
    { name: "filter partials", bytes: doFilter ? sharedBytes(d) : 0 },
  ];
}

// The job-wide scratch of the filter gradient (partial sums per image chunk), or 0 where
// `convPath` does not chunk it.
function sharedBytes(d: ConvDims): number {
  return exports.convBackwardSharedBytes(...convArgs(d));
}

/** Throws the RangeError of `conv2dForward` when its buffers cannot fit; touches nothing. */
export function checkConvForwardFits(d: ConvDims): void {
  layout("convForward", forwardRegions(d));
}

/** Throws the RangeError of `conv2dBackward` when its buffers cannot fit; touches nothing. */
export function checkConvBackwardFits(d: ConvDims): void {
  layout("convBackward", backwardRegions(d, true, true));
}

/** out: (N, F, HO, WO) = conv(x: (N, C, H, W), w: (F, C, KH, KW)) + b: (F). */
export function conv2dForward(
  out: FloatArray,
  x: FloatArray,
  w: FloatArray,
  b: FloatArray,
  d: ConvDims,
): void {
  const s = shapes(d);
  if (s.out === 0) return;
  const nth = Math.min(d.N, getThreads());
  const [px, pw, pb, po, ps] = carve("conv2dForward", forwardRegions(d, { x, w, b, out }));
  const scratch = scratchBytes(d, false);
  copyIn(px, x, s.x);
  copyIn(pw, w, s.w);
  copyIn(pb, b, s.F);
  const args = { out: po, x: px, w: pw, b: pb, ...convJobDims(d), scratch: ps };
  job("convForward", { ...args, scratchBytes: scratch }, nth);
  copyOut(out, po, s.out);
}

/**
 * Both conv gradients in one pass over the images; either output may be null to skip it.
 * dx: (N, C, H, W) += ∂L/∂x; dw: (F, C, KH, KW) += ∂L/∂w; db: (F) += ∂L/∂b. With
 * `overwrite`, the outputs are set instead (their old values are not read).
 */
export function conv2dBackward(
  dx: FloatArray | null,
  dw: FloatArray | null,
  db: FloatArray | null,
  dout: FloatArray,
  x: FloatArray,
  w: FloatArray,
  d: ConvDims,
  overwrite = false,
): void {
  const s = shapes(d);
  const doFilter = dw !== null && db !== null;
  if (s.out === 0 || s.x === 0) {
    if (overwrite) { // nothing to add: the gradients are zero
      dx?.fill(0, 0, s.x);
      if (doFilter) {
        dw.fill(0, 0, s.w);
        db.fill(0, 0, s.F);
      }
    }
    return;
  }
  const nth = Math.max(d.N, Math.ceil((d.C * d.KH * d.KW) / 8));
  const scratch = scratchBytes(d, true);
  const regions = backwardRegions(d, dx !== null, doFilter, { dx, dout, x, w, dw, db });
  const [pdx, pdo, px, pw, pdw, pdb, ps, pshared] = carve("conv2dBackward", regions);
  copyIn(pdo, dout, s.out);
  if (dx) {
    copyIn(pw, w, s.w);
    if (!overwrite) copyIn(pdx, dx, s.x); // with overwrite the workers set each image of dx
  }
  if (doFilter) {
    copyIn(px, x, s.x);
    if (overwrite) zero(pdw, s.w + (pdb - pdw) / 4 + s.F);
    else {
      copyIn(pdw, dw!, s.w);
      copyIn(pdb, db!, s.F);
    }
  }
  const shared = doFilter && sharedBytes(d) > 0 ? pshared : 0; // 0: the module does not chunk
  if (shared) zero(shared, 1); // the finished-threads counter
  const arrays = { dx: pdx, dout: pdo, x: px, w: pw, dw: pdw, db: pdb };
  const flags = { doData: dx !== null, doFilter, shared, overwriteData: dx !== null && overwrite };
  job("convBackward", {
    ...arrays,
    ...convJobDims(d),
    scratch: ps,
    scratchBytes: scratch,
    ...flags,
  }, nth);
  if (doFilter) {
    copyOut(dw!, pdw, s.w);
    copyOut(db!, pdb, s.F);
  }
  if (dx) copyOut(dx, pdx, s.x);
}

/**
 * dx: (N, C, H, W) += ∂L/∂x (with `overwrite`, dx = ∂L/∂x).  dout: (N, F, HO, WO)
 * w: (F, C, KH, KW)
 */
export function conv2dBackwardData(
  dx: FloatArray,
  dout: FloatArray,
  w: FloatArray,
  d: ConvDims,
  overwrite = false,
): void {
  conv2dBackward(dx, null, null, dout, dout, w, d, overwrite);
}

/** dw += ∂L/∂w, db += ∂L/∂b.  dw: (F, C, KH, KW)  db: (F)  dout: (N, F, HO, WO)  x: (N, C, H, W) */
export function conv2dBackwardFilter(
  dw: FloatArray,
  db: FloatArray,
  dout: FloatArray,
  x: FloatArray,
  d: ConvDims,
): void {
  conv2dBackward(null, dw, db, dout, x, x, d);
}
