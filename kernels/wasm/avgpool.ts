/**
 * WASM average-pool kernels with the reference's positional signatures
 * (kernels/ref/avgpool.ts): float32 inside, planes split over the threads, a SIMD fast path for
 * the 2×2 stride-2 window. The backward adds into dx, as the reference does.
 *
 * @module
 */

import type { FloatArray, PoolDims } from "../../core/dims.ts";
import { job } from "./_job.ts";
import { carve, copyIn, copyOut } from "./_arena.ts";

function poolArgs(d: PoolDims) {
  return { NC: d.N * d.C, H: d.H, W: d.W, PH: d.PH, PW: d.PW, s: d.stride, HO: d.HO, WO: d.WO };
}

/** out: (N, C, HO, WO)  x: (N, C, H, W) */
export function avgPool2dForward(out: FloatArray, x: FloatArray, d: PoolDims): void {
  const nx = d.N * d.C * d.H * d.W, no = d.N * d.C * d.HO * d.WO;
  if (no === 0) return;
  const [px, po] = carve("avgPool2dForward", [
    { name: `x (${d.N}, ${d.C}, ${d.H}, ${d.W})`, bytes: 4 * nx },
    { name: `out (${d.N}, ${d.C}, ${d.HO}, ${d.WO})`, bytes: 4 * no },
  ]);
  copyIn(px, x, nx);
  job("avgPoolForward", { out: po, x: px, ...poolArgs(d) }, d.N * d.C);
  copyOut(out, po, no);
}

/** dx += ∂L/∂x.  dx: (N, C, H, W)  dout: (N, C, HO, WO) */
export function avgPool2dBackward(dx: FloatArray, dout: FloatArray, d: PoolDims): void {
  const nx = d.N * d.C * d.H * d.W, no = d.N * d.C * d.HO * d.WO;
  if (no === 0) return;
  const [pdx, pdo] = carve("avgPool2dBackward", [
    { name: `dx (${d.N}, ${d.C}, ${d.H}, ${d.W})`, bytes: 4 * nx },
    { name: `dout (${d.N}, ${d.C}, ${d.HO}, ${d.WO})`, bytes: 4 * no },
  ]);
  copyIn(pdx, dx, nx);
  copyIn(pdo, dout, no);
  job("avgPoolBackward", { dx: pdx, dout: pdo, ...poolArgs(d) }, d.N * d.C);
  copyOut(dx, pdx, nx);
}
