/**
 * Reference 2-D average pooling, forward and backward, in plain loops: the specification the
 * WASM kernels must match. It matches PyTorch's `nn.AvgPool2d` without padding (so every window
 * lies inside the input and is divided by PH·PW); global average pooling is the case PH = H,
 * PW = W.
 *
 * out[n,c,i,j] = (1 / (PH·PW)) Σ_{ph,pw} x[n, c, i·s + ph, j·s + pw]
 *
 * The backward spreads each gradient evenly over its window, ADDING into dx so that
 * overlapping windows accumulate; the caller zeroes dx once.
 *
 * @module
 */

import type { FloatArray, PoolDims } from "../dims.ts";

/** out: (N, C, HO, WO)  x: (N, C, H, W) */
export function avgPool2dForward(out: FloatArray, x: FloatArray, d: PoolDims): void {
  const { N, C, H, W, PH, PW, stride, HO, WO } = d;
  const scale = 1 / (PH * PW);
  for (let nc = 0; nc < N * C; nc++) {
    const plane = nc * H * W;
    for (let i = 0; i < HO; i++) {
      for (let j = 0; j < WO; j++) {
        let sum = 0;
        for (let ph = 0; ph < PH; ph++) {
          const row = plane + (i * stride + ph) * W + j * stride;
          for (let pw = 0; pw < PW; pw++) sum += x[row + pw];
        }
        out[(nc * HO + i) * WO + j] = sum * scale;
      }
    }
  }
}

/** dx += ∂L/∂x.  dx: (N, C, H, W)  dout: (N, C, HO, WO) */
export function avgPool2dBackward(dx: FloatArray, dout: FloatArray, d: PoolDims): void {
  const { N, C, H, W, PH, PW, stride, HO, WO } = d;
  const scale = 1 / (PH * PW);
  for (let nc = 0; nc < N * C; nc++) {
    const plane = nc * H * W;
    for (let i = 0; i < HO; i++) {
      for (let j = 0; j < WO; j++) {
        const g = dout[(nc * HO + i) * WO + j] * scale;
        for (let ph = 0; ph < PH; ph++) {
          const row = plane + (i * stride + ph) * W + j * stride;
          for (let pw = 0; pw < PW; pw++) dx[row + pw] += g;
        }
      }
    }
  }
}
