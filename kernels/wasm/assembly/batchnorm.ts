// 2-D batch normalisation forward and backward over (N, H, W) per channel; matches
// kernels/ref/batchnorm.ts (batchNorm2dForward, batchNorm2dBackward), PyTorch's BatchNorm2d.
// Threads split the channels (each owns its statistics and its slices of every output, so
// there are no races). Each (n, c) row of HW values is reduced with f32x4 accumulators and the
// row sums are added in float64; per-channel scalars (mean, variance, 1/√(σ²+ε), the running
// statistics and the backward coefficients) are computed in float64. The mean and the
// variance take two passes, as the reference does, so a large mean does not cancel. The
// output is computed from the saved (float32) mean and 1/σ, so that the backward with a fused
// ReLU recomputes it bit for bit and lets the gradient through exactly where the forward's
// ReLU did.

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
 * training  x: (N, C, HW)  gamma, beta: (C); channels split over threads. With `relu`,
 * out = max(0, BN(x)) (NaN → 0, as `reluForward`).
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
  relu: bool,
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
    const mean32 = <f32> mean, invStd32 = <f32> (1 / Math.sqrt(variance + eps));
    store<f32>(saveMean + qc, mean32);
    store<f32>(saveInvStd + qc, invStd32);
    const s32 = scaleOf(gamma + qc, invStd32), b32 = shiftOf(beta + qc, mean32, gamma + qc, invStd32);
    const sv = f32x4.splat(s32), bv = f32x4.splat(b32), zero = f32x4.splat(0);
    for (let n = 0; n < N; n++) {
      const xr = x + first + <usize> n * stride, or = out + first + <usize> n * stride;
      let k = 0;
      for (; k + 4 <= HW; k += 4) {
        const q = <usize> k << 2;
        const y = f32x4.add(f32x4.mul(v128.load(xr + q), sv), bv);
        v128.store(or + q, relu ? v128.and(y, f32x4.gt(y, zero)) : y);
      }
      for (; k < HW; k++) {
        const q = <usize> k << 2;
        const y = load<f32>(xr + q) * s32 + b32;
        store<f32>(or + q, relu && !(y > 0) ? 0 : y);
      }
    }
  }
}

// γ/σ and β − μ·γ/σ of a channel, in float64 from the saved float32 μ and 1/σ, as float32.
// @ts-ignore: decorator
@inline function scaleOf(gamma: usize, invStd32: f32): f32 {
  return <f32> (<f64> load<f32>(gamma) * <f64> invStd32);
}

// @ts-ignore: decorator
@inline function shiftOf(beta: usize, mean32: f32, gamma: usize, invStd32: f32): f32 {
  return <f32> (<f64> load<f32>(beta) - <f64> mean32 * (<f64> load<f32>(gamma) * <f64> invStd32));
}

/**
 * dx += ∂L/∂x, dgamma += ∂L/∂γ, dbeta += ∂L/∂β.  dx, dout, x: (N, C, HW)  dgamma, dbeta,
 * gamma, saveMean, saveInvStd: (C); channels split over threads. With β (`reluBeta` not 0),
 * dout is the gradient of max(0, BN(x)): it passes only where the recomputed BN(x) > 0.
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
  reluBeta: usize,
): void {
  const lo = splitLo(C, tid, nth), hi = splitLo(C, tid + 1, nth);
  const M = <f64> N * <f64> HW;
  const stride = <usize> C * <usize> HW << 2;
  const relu = reluBeta != 0;
  for (let c = lo; c < hi; c++) {
    const qc = <usize> c << 2;
    const first = (<usize> c * <usize> HW) << 2;
    const mean = load<f32>(saveMean + qc), invStd32 = load<f32>(saveInvStd + qc);
    const invStd = <f64> invStd32;
    const mv = f32x4.splat(mean);
    // the forward's output, recomputed for the fused ReLU's mask
    const s32 = relu ? scaleOf(gamma + qc, invStd32) : 0;
    const b32 = relu ? shiftOf(reluBeta + qc, mean, gamma + qc, invStd32) : 0;
    const sv = f32x4.splat(s32), bv = f32x4.splat(b32);
    // Σ dout and Σ dout·(x − μ) (times 1/σ below)
    let sumDout: f64 = 0, sumDoutXc: f64 = 0;
    for (let n = 0; n < N; n++) {
      const gr = dout + first + <usize> n * stride, xr = x + first + <usize> n * stride;
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
      let k = 0;
      for (; k + 4 <= HW; k += 4) {
        const q = <usize> k << 2;
        const xv = v128.load(xr + q);
        let g = v128.load(gr + q);
        if (relu) g = reluPass(g, xv, sv, bv);
        a0 = f32x4.add(a0, g);
        a1 = f32x4.add(a1, f32x4.mul(g, f32x4.sub(xv, mv)));
      }
      let s0 = hsum(a0), s1 = hsum(a1);
      for (; k < HW; k++) {
        const q = <usize> k << 2;
        const g = <f64> maskedGrad(gr + q, xr + q, relu, s32, b32);
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
    const kv = f32x4.splat(<f32> kf), bcv = f32x4.splat(<f32> b), cv = f32x4.splat(<f32> c0);
    const k32 = <f32> kf, bc32 = <f32> b, c32 = <f32> c0;
    for (let n = 0; n < N; n++) {
      const off = first + <usize> n * stride;
      const gr = dout + off, xr = x + off, dr = dx + off;
      let k = 0;
      for (; k + 4 <= HW; k += 4) {
        const q = <usize> k << 2;
        const xv = v128.load(xr + q);
        let g = v128.load(gr + q);
        if (relu) g = reluPass(g, xv, sv, bv);
        const t = f32x4.add(f32x4.mul(kv, g), f32x4.add(f32x4.mul(bcv, f32x4.sub(xv, mv)), cv));
        v128.store(dr + q, f32x4.add(v128.load(dr + q), t));
      }
      for (; k < HW; k++) {
        const q = <usize> k << 2;
        const g = maskedGrad(gr + q, xr + q, relu, s32, b32);
        const t = k32 * g + (bc32 * (load<f32>(xr + q) - mean) + c32);
        store<f32>(dr + q, load<f32>(dr + q) + t);
      }
    }
  }
}

// g where the recomputed BN output x·s + b is > 0, else 0 (four lanes).
// @ts-ignore: decorator
@inline function reluPass(g: v128, x: v128, s: v128, b: v128): v128 {
  return v128.and(g, f32x4.gt(f32x4.add(f32x4.mul(x, s), b), f32x4.splat(0)));
}

// dout at g, or 0 where the fused ReLU stopped it (the recomputed x·s + b is not > 0).
// @ts-ignore: decorator
@inline function maskedGrad(g: usize, x: usize, relu: bool, s32: f32, b32: f32): f32 {
  return relu && !(load<f32>(x) * s32 + b32 > 0) ? 0 : load<f32>(g);
}
