/**
 * Reference 2-D convolution (cross-correlation, as in the homework and PyTorch), forward and
 * backward, in plain loops. This file is the specification: the WASM and WebGPU kernels must
 * match it. It computes in whatever precision the arrays have (float64 for gradient checks).
 *
 * out[n,f,i,j] = b[f] + Σ_{c,kh,kw} w[f,c,kh,kw] · x[n, c, i·s + kh − p, j·s + kw − p]
 * (x is zero outside its bounds).
 *
 * Backward kernels ADD into their outputs; the caller zeroes them once.
 *
 * @module
 */

import type { ConvDims, FloatArray } from "../../core/dims.ts";

/** out: (N, F, HO, WO)  x: (N, C, H, W)  w: (F, C, KH, KW)  b: (F) */
export function conv2dForward(
  out: FloatArray,
  x: FloatArray,
  w: FloatArray,
  b: FloatArray,
  d: ConvDims,
): void {
  const { N, C, H, W, F, KH, KW, stride, pad, HO, WO } = d;
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      for (let i = 0; i < HO; i++) {
        for (let j = 0; j < WO; j++) {
          let sum = b[f];
          for (let c = 0; c < C; c++) {
            for (let kh = 0; kh < KH; kh++) {
              const h = i * stride + kh - pad;
              if (h < 0 || h >= H) continue;
              const xRow = ((n * C + c) * H + h) * W;
              const wRow = ((f * C + c) * KH + kh) * KW;
              for (let kw = 0; kw < KW; kw++) {
                const col = j * stride + kw - pad;
                if (col < 0 || col >= W) continue;
                sum += w[wRow + kw] * x[xRow + col];
              }
            }
          }
          out[((n * F + f) * HO + i) * WO + j] = sum;
        }
      }
    }
  }
}

/**
 * dx += ∂L/∂x (with `overwrite`, dx = ∂L/∂x).  dx: (N, C, H, W)  dout: (N, F, HO, WO)
 * w: (F, C, KH, KW)
 */
export function conv2dBackwardData(
  dx: FloatArray,
  dout: FloatArray,
  w: FloatArray,
  d: ConvDims,
  overwrite = false,
): void {
  const { N, C, H, W, F, KH, KW, stride, pad, HO, WO } = d;
  if (overwrite) dx.fill(0, 0, N * C * H * W);
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      for (let i = 0; i < HO; i++) {
        for (let j = 0; j < WO; j++) {
          const g = dout[((n * F + f) * HO + i) * WO + j];
          for (let c = 0; c < C; c++) {
            for (let kh = 0; kh < KH; kh++) {
              const h = i * stride + kh - pad;
              if (h < 0 || h >= H) continue;
              const xRow = ((n * C + c) * H + h) * W;
              const wRow = ((f * C + c) * KH + kh) * KW;
              for (let kw = 0; kw < KW; kw++) {
                const col = j * stride + kw - pad;
                if (col < 0 || col >= W) continue;
                dx[xRow + col] += g * w[wRow + kw];
              }
            }
          }
        }
      }
    }
  }
}

/** dw += ∂L/∂w, db += ∂L/∂b.  dw: (F, C, KH, KW)  db: (F)  dout: (N, F, HO, WO)  x: (N, C, H, W) */
export function conv2dBackwardFilter(
  dw: FloatArray,
  db: FloatArray,
  dout: FloatArray,
  x: FloatArray,
  d: ConvDims,
): void {
  const { N, C, H, W, F, KH, KW, stride, pad, HO, WO } = d;
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      for (let i = 0; i < HO; i++) {
        for (let j = 0; j < WO; j++) {
          const g = dout[((n * F + f) * HO + i) * WO + j];
          db[f] += g;
          for (let c = 0; c < C; c++) {
            for (let kh = 0; kh < KH; kh++) {
              const h = i * stride + kh - pad;
              if (h < 0 || h >= H) continue;
              const xRow = ((n * C + c) * H + h) * W;
              const wRow = ((f * C + c) * KH + kh) * KW;
              for (let kw = 0; kw < KW; kw++) {
                const col = j * stride + kw - pad;
                if (col < 0 || col >= W) continue;
                dw[wRow + kw] += g * x[xRow + col];
              }
            }
          }
        }
      }
    }
  }
}
