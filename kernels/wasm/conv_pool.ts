/**
 * WASM fused conv – 2×2 max-pool – relu with the reference's positional signatures
 * (kernels/ref/conv_pool_relu.ts): the full-size conv output stays in per-thread scratch, so
 * only the pooled output and its argmax cross into and out of the WASM memory.
 *
 * @module
 */

import type { ConvDims, FloatArray } from "../../core/dims.ts";
import { checkConvPoolDims } from "../ref/conv_pool_relu.ts";
import { job } from "./_job.ts";
import { carve, copyIn, copyOut, heapI32, layout, type Region } from "./_arena.ts";
import { exports, getThreads } from "./_runtime.ts";
import { convJobDims } from "./conv.ts";

// Per-thread scratch bytes, from the module; a float64 estimate stands in when the module's
// 32-bit arithmetic would overflow (the request then fails the memory limit).
function scratchBytes(d: ConvDims, backward: boolean): number {
  const K = d.C * d.KH * d.KW, P = d.HO * d.WO + 8;
  const Hp = d.H + 2 * d.pad, Wp = d.W + 2 * d.pad;
  const estimate = 4 * (2 * K * P + 2 * d.F * P + 2 * K * (d.F + 8) + d.C * Hp * Wp);
  if (estimate >= 2 ** 31) return estimate;
  return backward
    ? exports.convPoolReluBackwardScratch(d.C, d.KH, d.KW, d.F, d.HO, d.WO, Hp, Wp)
    : exports.convPoolReluForwardScratch(d.C, d.KH, d.KW, d.F, d.HO, d.WO, d.stride);
}

function sizes(d: ConvDims) {
  const { N, C, H, W, F, KH, KW, HO, WO } = d;
  return { x: N * C * H * W, w: F * C * KH * KW, out: N * F * (HO / 2) * (WO / 2) };
}

function outName(d: ConvDims, what: string): string {
  return `${what} (${d.N}, ${d.F}, ${d.HO / 2}, ${d.WO / 2})`;
}

function forwardRegions(d: ConvDims): Region[] {
  const s = sizes(d), threads = Math.min(d.N, getThreads()), scratch = scratchBytes(d, false);
  return [
    { name: `x (${d.N}, ${d.C}, ${d.H}, ${d.W})`, bytes: 4 * s.x },
    { name: `w (${d.F}, ${d.C}, ${d.KH}, ${d.KW})`, bytes: 4 * s.w },
    { name: `b (${d.F})`, bytes: 4 * d.F },
    { name: outName(d, "out"), bytes: 4 * s.out },
    { name: outName(d, "argmax"), bytes: 4 * s.out },
    { name: `scratch ${threads}×${scratch} B`, bytes: threads * scratch },
  ];
}

function backwardRegions(d: ConvDims): Region[] {
  const s = sizes(d), threads = getThreads(), scratch = scratchBytes(d, true);
  return [
    { name: `dw (${d.F}, ${d.C}, ${d.KH}, ${d.KW})`, bytes: 4 * s.w },
    { name: `db (${d.F})`, bytes: 4 * d.F },
    { name: outName(d, "dout"), bytes: 4 * s.out },
    { name: outName(d, "argmax"), bytes: 4 * s.out },
    { name: `x (${d.N}, ${d.C}, ${d.H}, ${d.W})`, bytes: 4 * s.x },
    { name: `scratch ${threads}×${scratch} B`, bytes: threads * scratch },
  ];
}

/** Throws the RangeError of the fused kernels when their buffers cannot fit; touches nothing. */
export function checkConvPoolReluFits(d: ConvDims): void {
  layout("convPoolRelu2dForward", forwardRegions(d));
  layout("convPoolRelu2dBackwardFilter", backwardRegions(d));
}

/** out, argmax: (N, F, HO/2, WO/2)  x: (N, C, H, W)  w: (F, C, KH, KW)  b: (F) */
export function convPoolRelu2dForward(
  out: FloatArray,
  argmax: Int32Array,
  x: FloatArray,
  w: FloatArray,
  b: FloatArray,
  d: ConvDims,
): void {
  checkConvPoolDims("convPoolRelu2dForward", d);
  const s = sizes(d);
  if (s.out === 0) return;
  const [px, pw, pb, po, pa, ps] = carve("convPoolRelu2dForward", forwardRegions(d));
  copyIn(px, x, s.x);
  copyIn(pw, w, s.w);
  copyIn(pb, b, d.F);
  const args = { out: po, argmax: pa, x: px, w: pw, b: pb, ...convJobDims(d), scratch: ps };
  job("convPoolReluForward", { ...args, scratchBytes: scratchBytes(d, false) }, d.N);
  copyOut(out, po, s.out);
  argmax.set(heapI32().subarray(pa / 4, pa / 4 + s.out));
}

/**
 * dw += ∂L/∂w, db += ∂L/∂b.  dw: (F, C, KH, KW)  db: (F)  dout, argmax: (N, F, HO/2, WO/2)
 * x: (N, C, H, W). An argmax outside its conv plane throws a RangeError and leaves dw and db
 * unchanged.
 */
export function convPoolRelu2dBackwardFilter(
  dw: FloatArray,
  db: FloatArray,
  dout: FloatArray,
  argmax: Int32Array,
  x: FloatArray,
  d: ConvDims,
): void {
  checkConvPoolDims("convPoolRelu2dBackwardFilter", d);
  const s = sizes(d);
  if (s.out === 0) return;
  const [pdw, pdb, pdo, pa, px, ps] = carve("convPoolRelu2dBackwardFilter", backwardRegions(d));
  copyIn(pdw, dw, s.w);
  copyIn(pdb, db, d.F);
  copyIn(pdo, dout, s.out);
  heapI32().set(argmax.subarray(0, s.out), pa / 4);
  copyIn(px, x, s.x);
  const args = { dw: pdw, db: pdb, dout: pdo, argmax: pa, x: px, ...convJobDims(d), scratch: ps };
  const bad = job(
    "convPoolReluBackwardFilter",
    { ...args, scratchBytes: scratchBytes(d, true) },
    d.F,
  );
  if (bad !== 0) {
    const o = bad - 1;
    throw new RangeError(
      `Cannot run convPoolRelu2dBackwardFilter: argmax[${o}] = ${argmax[o]} lies outside its ` +
        `conv plane; pass the argmax that convPoolRelu2dForward wrote`,
    );
  }
  copyOut(dw, pdw, s.w);
  copyOut(db, pdb, d.F);
}
