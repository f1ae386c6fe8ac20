/**
 * WASM max-pool kernels with the reference's positional signatures (kernels/ref/pool2d.ts):
 * float32 inside, planes split over the threads, argmax as flat indices into x.
 *
 * @module
 */

import type { FloatArray, PoolDims } from "../../core/dims.ts";
import { job } from "./_job.ts";
import { carve, copyIn, copyOut, heapI32, residentOffset } from "./_arena.ts";

function poolArgs(d: PoolDims) {
  return { NC: d.N * d.C, H: d.H, W: d.W, PH: d.PH, PW: d.PW, s: d.stride, HO: d.HO, WO: d.WO };
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
  job("maxPoolForward", { out: po, argmax: pa, x: px, ...poolArgs(d) }, poolThreads(d));
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
  // A plain float32 dx is scattered in place (see scatterPlain): room for argmax only.
  const plain = dx instanceof Float32Array && residentOffset(dx, 4 * nx) < 0;
  const [pa, pdx, pdo] = carve("maxPool2dBackward", [
    { name: `argmax (${d.N}, ${d.C}, ${d.HO}, ${d.WO})`, bytes: 4 * no },
    ...(plain ? [] : [
      { name: `dx (${d.N}, ${d.C}, ${d.H}, ${d.W})`, bytes: 4 * nx, array: dx },
      { name: `dout (${d.N}, ${d.C}, ${d.HO}, ${d.WO})`, bytes: 4 * no, array: dout },
    ]),
  ]);
  heapI32().set(argmax.subarray(0, no), pa / 4);
  const planes = { NC: d.N * d.C, HOWO: d.HO * d.WO, HW: d.H * d.W };
  // Checked before anything is written (a resident dx is changed in place by the scatter);
  // when the SIMD check finds a bad index, throwFirstOutside names the first one.
  if (job("argmaxOutside", { argmax: pa, ...planes }, poolThreads(d)) !== 0) {
    throwFirstOutside(argmax, d);
  }
  if (plain) return scatterPlain(dx as Float32Array, dout, argmax, d, overwrite);
  if (!overwrite) copyIn(pdx, dx, nx); // with overwrite, the kernel zeroes each plane first
  copyIn(pdo, dout, no);
  const args = { dx: pdx, dout: pdo, argmax: pa, ...planes, clear: overwrite ? 1 : 0 };
  const bad = job("maxPoolBackward", args, poolThreads(d));
  if (bad !== 0) throw outsidePlane(bad - 1, argmax, d);
  copyOut(dx, pdx, nx);
}

// The backward of a plain float32 dx, in place: a scatter of the N·C·HO·WO pooled values, where
// the kernel's path would carve room for all N·C·H·W values of dx in the memory and copy them
// in and out (4× as many for a 2×2 window). 2×2 with overwrite, SIMD argmax check included, ms:
// (100,3,32,32) 0.09 here vs 0.18 through the kernel; (512,32,32,32) 7–10 vs 10.
// Each sum is f32(dx + f32(dout)), the WASM kernel's float32 addition: both give the same bits.
function scatterPlain(
  dx: Float32Array,
  dout: FloatArray,
  argmax: Int32Array,
  d: PoolDims,
  overwrite: boolean,
): void {
  const no = d.N * d.C * d.HO * d.WO;
  if (overwrite) dx.fill(0, 0, d.N * d.C * d.H * d.W);
  const d32 = dout instanceof Float32Array ? dout : Float32Array.from(dout.subarray(0, no));
  for (let o = 0; o < no; o++) dx[argmax[o]] += d32[o];
}

// Throws the RangeError of `outsidePlane` for the first argmax outside its plane.
function throwFirstOutside(argmax: Int32Array, d: PoolDims): void {
  const k = firstOutside(argmax, d.N * d.C, d.HO * d.WO, d.H * d.W);
  if (k >= 0) throw outsidePlane(k, argmax, d);
}

// The first index of argmax (planes of `plane` values) that lies outside its plane of x (HW
// values each), or −1; a tight loop of its own (with the throw inside it, V8 ran it 3× slower).
function firstOutside(argmax: Int32Array, planes: number, plane: number, HW: number): number {
  for (let p = 0, o = 0, lo = 0; p < planes; p++, o += plane, lo += HW) {
    const end = o + plane;
    for (let k = o; k < end; k++) {
      // lo ≤ argmax[k] < lo + HW, as one unsigned comparison
      if ((argmax[k] - lo) >>> 0 >= HW) return k;
    }
  }
  return -1;
}

function outsidePlane(o: number, argmax: Int32Array, d: PoolDims): RangeError {
  const plane = Math.floor(o / (d.HO * d.WO)) * d.H * d.W;
  return new RangeError(
    `Cannot run maxPool2dBackward: argmax[${o}] = ${argmax[o]} lies outside its plane [${plane}, ${
      plane + d.H * d.W
    }); pass the argmax that maxPool2dForward wrote`,
  );
}
