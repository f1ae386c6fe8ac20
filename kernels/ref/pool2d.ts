/**
 * Reference 2-D max pooling, forward and backward, in plain loops: the specification the
 * WASM and WebGPU kernels must match.
 *
 * out[n,c,i,j] = max_{ph,pw} x[n, c, i·s + ph, j·s + pw], over the window's part inside x (with
 * `ceil_mode` sizes the last windows are clipped at its edge); the running maximum starts at the
 * window's first element (never at a sentinel such as −99999), and ties go to the first
 * element in row-major window order, like NumPy's argmax. `argmax` records the flat index into
 * x of each winner, and backward routes each gradient there (adding, so that overlapping
 * windows accumulate).
 *
 * @module
 */

import type { FloatArray, PoolDims } from "../../core/dims.ts";

/** out: (N, C, HO, WO)  argmax: (N, C, HO, WO) flat indices into x  x: (N, C, H, W) */
export function maxPool2dForward(
  out: FloatArray,
  argmax: Int32Array,
  x: FloatArray,
  d: PoolDims,
): void {
  const { N, C, H, W, PH, PW, stride, HO, WO } = d;
  for (let nc = 0; nc < N * C; nc++) {
    const plane = nc * H * W;
    for (let i = 0; i < HO; i++) {
      for (let j = 0; j < WO; j++) {
        let best = plane + i * stride * W + j * stride;
        let bestValue = x[best];
        const rows = Math.min(PH, H - i * stride), cols = Math.min(PW, W - j * stride);
        for (let ph = 0; ph < rows; ph++) {
          const row = plane + (i * stride + ph) * W + j * stride;
          for (let pw = 0; pw < cols; pw++) {
            const v = x[row + pw];
            if (v > bestValue) {
              bestValue = v;
              best = row + pw;
            }
          }
        }
        const o = (nc * HO + i) * WO + j;
        out[o] = bestValue;
        argmax[o] = best;
      }
    }
  }
}

/** dx += ∂L/∂x (with `overwrite`, dx = ∂L/∂x).  dx: (N, C, H, W)  dout, argmax: (N, C, HO, WO) */
export function maxPool2dBackward(
  dx: FloatArray,
  dout: FloatArray,
  argmax: Int32Array,
  d: PoolDims,
  overwrite = false,
): void {
  const size = d.N * d.C * d.HO * d.WO;
  if (overwrite) dx.fill(0, 0, d.N * d.C * d.H * d.W);
  for (let o = 0; o < size; o++) dx[argmax[o]] += dout[o];
}
