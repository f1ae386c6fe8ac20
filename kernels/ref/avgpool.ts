/**
 * Reference 2-D average pooling, forward and backward, in plain loops: the specification the
 * WASM kernels must match. It matches PyTorch's `nn.AvgPool2d` without padding: every window is
 * divided by its size, PH·PW, except the last windows of PyTorch's `ceil_mode` sizes, which are
 * clipped at the input's edge and divided by the rows × columns left inside (as PyTorch does);
 * global average pooling is the case PH = H, PW = W.
 *
 * out[n,c,i,j] = (1 / (rows·cols)) Σ_{ph < rows, pw < cols} x[n, c, i·s + ph, j·s + pw],
 * rows = min(PH, H − i·s), cols = min(PW, W − j·s)
 *
 * The backward spreads each gradient evenly over its window, ADDING into dx so that
 * overlapping windows accumulate; the caller zeroes dx once.
 *
 * @module
 */

import type { FloatArray, PoolDims } from "../../core/dims.ts";

/** out: (N, C, HO, WO)  x: (N, C, H, W) */
export function avgPool2dForward(out: FloatArray, x: FloatArray, d: PoolDims): void {
  const { N, C, H, W, PH, PW, stride, HO, WO } = d;
  for (let nc = 0; nc < N * C; nc++) {
    const plane = nc * H * W;
    for (let i = 0; i < HO; i++) {
      const rows = Math.min(PH, H - i * stride);
      for (let j = 0; j < WO; j++) {
        const cols = Math.min(PW, W - j * stride);
        let sum = 0;
        for (let ph = 0; ph < rows; ph++) {
          const row = plane + (i * stride + ph) * W + j * stride;
          for (let pw = 0; pw < cols; pw++) sum += x[row + pw];
        }
        out[(nc * HO + i) * WO + j] = sum * (1 / (rows * cols));
      }
    }
  }
}

/** dx += ∂L/∂x.  dx: (N, C, H, W)  dout: (N, C, HO, WO) */
export function avgPool2dBackward(dx: FloatArray, dout: FloatArray, d: PoolDims): void {
  const { N, C, H, W, PH, PW, stride, HO, WO } = d;
  for (let nc = 0; nc < N * C; nc++) {
    const plane = nc * H * W;
    for (let i = 0; i < HO; i++) {
      const rows = Math.min(PH, H - i * stride);
      for (let j = 0; j < WO; j++) {
        const cols = Math.min(PW, W - j * stride);
        const g = dout[(nc * HO + i) * WO + j] * (1 / (rows * cols));
        for (let ph = 0; ph < rows; ph++) {
          const row = plane + (i * stride + ph) * W + j * stride;
          for (let pw = 0; pw < cols; pw++) dx[row + pw] += g;
        }
      }
    }
  }
}
