// 2-D batch normalisation forward and backward over (N, H, W) per channel; matches
// kernels/ref/batchnorm.ts (batchNorm2dForward, batchNorm2dBackward), PyTorch's BatchNorm2d.
// Threads split the channels (each owns its statistics and its slices of every output, so
// there are no races). Each (n, c) row of HW values is reduced with f32x4 accumulators and the
// row sums are added in float64; per-channel scalars (mean, variance, 1/√(σ²+ε), the running
// statistics and the backward coefficients) are computed in float64. The mean and the
// variance take two passes, as the reference does, so a large mean does not cancel.

import { splitLo } from "./util";

// @ts-ignore: decorator
@inline
function hsum(v: v128): f64 {
  return <f64> (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) +
    <f64> (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

// Σ a[k] over one row of len values.
// @ts-ignore: decorator
@inline
function rowSum(a: usize, len: i32): f64 {
  let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0);
  let k = 0;
  for (; k + 8 <= len; k += 8) {
    const q = a + (<usize> k << 2);
    acc0 = f32x4.add(acc0, v128.load(q));
    acc1 = f32x4.add(acc1, v128.load(q, 16));
  }
  for (; k + 4 <= len; k += 4) acc0 = f32x4.add(acc0, v128.load(a + (<usize> k << 2)));
  let s = hsum(f32x4.add(acc0, acc1));
  for (; k < len; k++) s += <f64> load<f32>(a + (<usize> k << 2));
  return s;
}

// Σ (a[k] − mean)² over one row of len values.
// @ts-ignore: decorator
@inline
function rowSumSq(a: usize, len: i32, mean: f32): f64 {
  const m = f32x4.splat(mean);
  let acc = f32x4.splat(0);
  let k = 0;
  for (; k + 4 <= len; k += 4) {
    const d = f32x4.sub(v128.load(a + (<usize> k << 2)), m);
    acc = f32x4.add(acc, f32x4.mul(d, d));
  }
  let s = hsum(acc);
  for (; k < len; k++) {
    const d = <f64> (load<f32>(a + (<usize> k << 2)) - mean);
    s += d * d;
  }
  return s;
}

/**
 * out: (N, C, HW)  saveMean, saveInvStd: (C) written  runningMean, runningVar: (C) updated in
 * training  x: (N, C, HW)  gamma, beta: (C); channels split over threads.
 */
export function batchNormForward(
  tid: i32,
  nth: i32,
  out: usize,
  saveMean: usize,
  saveInvStd: usize,
  runningMean: usize,
  runningVar: usize,
  x: usize,
  gamma: usize,
  beta: usize,
  N: i32,
  C: i32,
  HW: i32,
  eps: f64,
  momentum: f64,
  training: bool,
): void {
  const lo = splitLo(C, tid, nth), hi = splitLo(C, tid + 1, nth);
  const M = <f64> N * <f64> HW;
  const stride = <usize> C * <usize> HW << 2;
  for (let c = lo; c < hi; c++) {
    const qc = <usize> c << 2;
    const first = (<usize> c * <usize> HW) << 2;
    let mean: f64, variance: f64;
    if (training) {
      let sum: f64 = 0;
      for (let n = 0; n < N; n++) sum += rowSum(x + first + <usize> n * stride, HW);
      mean = sum / M;
      let sq: f64 = 0;
      const mean32 = <f32> mean;
      for (let n = 0; n < N; n++) sq += rowSumSq(x + first + <usize> n * stride, HW, mean32);
      variance = sq / M;
      const rm = <f64> load<f32>(runningMean + qc), rv = <f64> load<f32>(runningVar + qc);
      store<f32>(runningMean + qc, <f32> ((1 - momentum) * rm + momentum * mean));
      store<f32>(runningVar + qc, <f32> ((1 - momentum) * rv + momentum * variance * M / (M - 1)));
    } else {
      mean = <f64> load<f32>(runningMean + qc);
      variance = <f64> load<f32>(runningVar + qc);
    }
    const invStd = 1 / Math.sqrt(variance + eps);
    store<f32>(saveMean + qc, <f32> mean);
    store<f32>(saveInvStd + qc, <f32> invStd);
    const scale = <f64> load<f32>(gamma + qc) * invStd;
    const shift = <f64> load<f32>(beta + qc) - mean * scale;
    const sv = f32x4.splat(<f32> scale), bv = f32x4.splat(<f32> shift);
    const s32 = <f32> scale, b32 = <f32> shift;
    for (let n = 0; n < N; n++) {
      const xr = x + first + <usize> n * stride, or = out + first + <usize> n * stride;
      let k = 0;
      for (; k + 4 <= HW; k += 4) {
        const q = <usize> k << 2;
        v128.store(or + q, f32x4.add(f32x4.mul(v128.load(xr + q), sv), bv));
      }
      for (; k < HW; k++) {
        const q = <usize> k << 2;
        store<f32>(or + q, load<f32>(xr + q) * s32 + b32);
      }
    }
  }
}

/**
 * dx += ∂L/∂x, dgamma += ∂L/∂γ, dbeta += ∂L/∂β.  dx, dout, x: (N, C, HW)  dgamma, dbeta,
 * gamma, saveMean, saveInvStd: (C); channels split over threads.
 */
export function batchNormBackward(
  tid: i32,
  nth: i32,
  dx: usize,
  dgamma: usize,
  dbeta: usize,
  dout: usize,
  x: usize,
  gamma: usize,
  saveMean: usize,
  saveInvStd: usize,
  N: i32,
  C: i32,
  HW: i32,
  training: bool,
): void {
  const lo = splitLo(C, tid, nth), hi = splitLo(C, tid + 1, nth);
  const M = <f64> N * <f64> HW;
  const stride = <usize> C * <usize> HW << 2;
  for (let c = lo; c < hi; c++) {
    const qc = <usize> c << 2;
    const first = (<usize> c * <usize> HW) << 2;
    const mean = load<f32>(saveMean + qc), invStd = <f64> load<f32>(saveInvStd + qc);
    const mv = f32x4.splat(mean);
    // Σ dout and Σ dout·(x − μ) (times 1/σ below)
    let sumDout: f64 = 0, sumDoutXc: f64 = 0;
    for (let n = 0; n < N; n++) {
      const gr = dout + first + <usize> n * stride, xr = x + first + <usize> n * stride;
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
      let k = 0;
      for (; k + 4 <= HW; k += 4) {
        const q = <usize> k << 2;
        const g = v128.load(gr + q);
        a0 = f32x4.add(a0, g);
        a1 = f32x4.add(a1, f32x4.mul(g, f32x4.sub(v128.load(xr + q), mv)));
      }
      let s0 = hsum(a0), s1 = hsum(a1);
      for (; k < HW; k++) {
        const q = <usize> k << 2;
        const g = <f64> load<f32>(gr + q);
        s0 += g;
        s1 += g * <f64> (load<f32>(xr + q) - mean);
      }
      sumDout += s0;
      sumDoutXc += s1;
    }
    const sumDoutXhat = sumDoutXc * invStd;
    store<f32>(dgamma + qc, <f32> (<f64> load<f32>(dgamma + qc) + sumDoutXhat));
    store<f32>(dbeta + qc, <f32> (<f64> load<f32>(dbeta + qc) + sumDout));
    // dx += k·dout + b·(x − μ) + c0, with k = γ/σ, b = −k·(Σ dout·x̂ / M)/σ, c0 = −k·Σ dout / M
    const kf = <f64> load<f32>(gamma + qc) * invStd;
    const b = training ? -kf * invStd * sumDoutXhat / M : 0;
    const c0 = training ? -kf * sumDout / M : 0;
    const kv = f32x4.splat(<f32> kf), bv = f32x4.splat(<f32> b), cv = f32x4.splat(<f32> c0);
    const k32 = <f32> kf, b32 = <f32> b, c32 = <f32> c0;
    for (let n = 0; n < N; n++) {
      const off = first + <usize> n * stride;
      const gr = dout + off, xr = x + off, dr = dx + off;
      let k = 0;
      for (; k + 4 <= HW; k += 4) {
        const q = <usize> k << 2;
        const t = f32x4.add(
          f32x4.mul(kv, v128.load(gr + q)),
          f32x4.add(f32x4.mul(bv, f32x4.sub(v128.load(xr + q), mv)), cv),
        );
        v128.store(dr + q, f32x4.add(v128.load(dr + q), t));
      }
      for (; k < HW; k++) {
        const q = <usize> k << 2;
        const t = k32 * load<f32>(gr + q) + (b32 * (load<f32>(xr + q) - mean) + c32);
        store<f32>(dr + q, load<f32>(dr + q) + t);
      }
    }
  }
}
