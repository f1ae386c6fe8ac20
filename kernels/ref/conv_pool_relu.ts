/**
 * Reference fused first layer of the homework's Part 1 ConvNets: conv – 2×2/stride-2 max-pool
 * – relu, which equals conv – relu – pool (relu is monotonic) with relu on a quarter of the
 * values. Defined by composition of the reference conv (conv2d.ts) and pool (pool2d.ts)
 * kernels; the specification of the WASM kernels in kernels/wasm/assembly/conv_pool.ts.
 *
 * out[n,f,i,j] = max(0, max_{a,b ∈ {0,1}} conv[n, f, 2i + a, 2j + b]); argmax holds the flat
 * index into the conv output (N, F, HO, WO) of the window's first maximum (row-major order,
 * like maxPool2dForward), or −1 where the pooled value is not > 0 (relu passes no gradient).
 *
 * @module
 */

import type { ConvDims, FloatArray } from "../../core/dims.ts";
import { conv2dBackwardFilter, conv2dForward } from "./conv2d.ts";

/** Throws unless the conv output (HO, WO) can be 2×2-pooled (both even). */
export function checkConvPoolDims(op: string, d: ConvDims): void {
  if (d.HO % 2 !== 0 || d.WO % 2 !== 0) {
    throw new RangeError(
      `Cannot run ${op}: the conv output ${d.HO}×${d.WO} must have even height and width for ` +
        `2×2 pooling; change the padding or the input size`,
    );
  }
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
  const { N, F, HO, WO } = d;
  const conv = new (out.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(
    N * F * HO * WO,
  ); // conv: (N, F, HO, WO)
  conv2dForward(conv, x, w, b, d);
  const HO2 = HO / 2, WO2 = WO / 2;
  for (let nf = 0; nf < N * F; nf++) {
    for (let i = 0; i < HO2; i++) {
      for (let j = 0; j < WO2; j++) {
        let best = (nf * HO + 2 * i) * WO + 2 * j;
        let bestValue = conv[best];
        for (let a = 0; a < 2; a++) {
          for (let c = 0; c < 2; c++) {
            const at = (nf * HO + 2 * i + a) * WO + 2 * j + c;
            if (conv[at] > bestValue) {
              bestValue = conv[at];
              best = at;
            }
          }
        }
        const o = (nf * HO2 + i) * WO2 + j;
        out[o] = bestValue > 0 ? bestValue : 0;
        argmax[o] = bestValue > 0 ? best : -1;
      }
    }
  }
}

/**
 * dw += ∂L/∂w, db += ∂L/∂b of `convPoolRelu2dForward`.  dw: (F, C, KH, KW)  db: (F)
 * dout, argmax: (N, F, HO/2, WO/2)  x: (N, C, H, W)
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
  const { N, F, HO, WO } = d;
  const dconv = new (dw.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(
    N * F * HO * WO,
  ); // dconv: (N, F, HO, WO)
  const Q = (HO / 2) * (WO / 2), P = HO * WO;
  for (let o = 0; o < N * F * Q; o++) {
    const at = argmax[o];
    if (at === -1) continue;
    const lo = Math.floor(o / Q) * P;
    if (!(at >= lo && at < lo + P)) {
      throw new RangeError(
        `Cannot run convPoolRelu2dBackwardFilter: argmax[${o}] = ${at} lies outside its conv ` +
          `plane [${lo}, ${lo + P}); pass the argmax that convPoolRelu2dForward wrote`,
      );
    }
    dconv[at] += dout[o];
  }
  conv2dBackwardFilter(dw, db, dconv, x, d);
}
