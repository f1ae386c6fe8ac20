/**
 * WASM max-pool kernels with the reference's positional signatures (kernels/ref/pool2d.ts):
 * float32 inside, planes split over the threads, argmax as flat indices into x.
 *
 * @module
 */

import type { FloatArray, PoolDims } from "../dims.ts";
import { carve, copyIn, copyOut, heapI32, zero } from "./_arena.ts";
import { Op } from "./_layout.ts";
import { runJob } from "./_runtime.ts";

function poolArgs(d: PoolDims): number[] {
  return [d.N * d.C, d.H, d.W, d.PH, d.PW, d.stride, d.HO, d.WO];
}

// Input values per thread: below this a pooling job is cheaper on one thread than the wake-up
// and the hand-over of a second (measured on (100,3,32,32), 307k values: forward 0.13 ms on one
// thread, 0.19 ms on two).
const PER_THREAD = 1 << 19;

function poolThreads(d: PoolDims): number {
  return Math.min(d.N * d.C, Math.ceil((d.N * d.C * d.H * d.W) / PER_THREAD));
}

/** out: (N, C, HO, WO)  argmax: (N, C, HO, WO) flat indices into x  x: (N, C, H, W) */
export function maxPool2dForward(
  out: FloatArray,
  argmax: Int32Array,
  x: FloatArray,
  d: PoolDims,
): void {
  const nx = d.N * d.C * d.H * d.W, no = d.N * d.C * d.HO * d.WO;
  if (no === 0) return;
  const [px, po, pa] = carve("maxPool2dForward", [
    { name: `x (${d.N}, ${d.C}, ${d.H}, ${d.W})`, bytes: 4 * nx, array: x },
    { name: `out (${d.N}, ${d.C}, ${d.HO}, ${d.WO})`, bytes: 4 * no, array: out },
    { name: `argmax (${d.N}, ${d.C}, ${d.HO}, ${d.WO})`, bytes: 4 * no },
  ]);
  copyIn(px, x, nx);
  runJob(Op.maxPoolForward, [po, pa, px, ...poolArgs(d)], poolThreads(d));
  copyOut(out, po, no);
  argmax.set(heapI32().subarray(pa / 4, pa / 4 + no));
}

/**
 * dx: (N, C, H, W) += ∂L/∂x.  dout, argmax: (N, C, HO, WO). With `overwrite`, dx is set
 * (its old values are not read). An argmax outside its plane throws a RangeError and leaves
 * dx unchanged.
 */
export function maxPool2dBackward(
  dx: FloatArray,
  dout: FloatArray,
  argmax: Int32Array,
  d: PoolDims,
  overwrite = false,
): void {
  const nx = d.N * d.C * d.H * d.W, no = d.N * d.C * d.HO * d.WO;
  if (no === 0) return;
  const [pdx, pdo, pa] = carve("maxPool2dBackward", [
    { name: `dx (${d.N}, ${d.C}, ${d.H}, ${d.W})`, bytes: 4 * nx, array: dx },
    { name: `dout (${d.N}, ${d.C}, ${d.HO}, ${d.WO})`, bytes: 4 * no, array: dout },
    { name: `argmax (${d.N}, ${d.C}, ${d.HO}, ${d.WO})`, bytes: 4 * no },
  ]);
  if (overwrite) zero(pdx, nx);
  else copyIn(pdx, dx, nx);
  copyIn(pdo, dout, no);
  heapI32().set(argmax.subarray(0, no), pa / 4);
  const args = [pdx, pdo, pa, d.N * d.C, d.HO * d.WO, d.H * d.W];
  const bad = runJob(Op.maxPoolBackward, args, poolThreads(d));
  if (bad !== 0) {
    const o = bad - 1, plane = Math.floor(o / (d.HO * d.WO)) * d.H * d.W;
    throw new RangeError(
      `Cannot run maxPool2dBackward: argmax[${o}] = ${
        argmax[o]
      } lies outside its plane [${plane}, ${
        plane + d.H * d.W
      }); pass the argmax that maxPool2dForward wrote`,
    );
  }
  copyOut(dx, pdx, nx);
}
