/**
 * Reference 2-D batch normalisation (Ioffe and Szegedy, 2015) over (N, H, W) for each channel,
 * forward and backward, in plain loops: the specification the WASM kernels must match. It
 * matches PyTorch's `nn.BatchNorm2d`:
 *
 * - training: μ_c and σ²_c are the batch mean and the biased variance over the M = N·H·W values
 *   of channel c; the running statistics move by `momentum` towards μ_c and the *unbiased*
 *   variance σ²_c · M / (M − 1):  r ← (1 − momentum) · r + momentum · batch value.
 * - evaluation: μ_c and σ²_c are the running statistics, which stay unchanged.
 *
 * out = γ_c · (x − μ_c) / √(σ²_c + ε) + β_c. The forward saves μ_c and 1/√(σ²_c + ε) for the
 * backward, and computes out from the saved values (as stored: float32 arrays round them), so
 * that a backward can recompute it exactly. Backward kernels ADD into their outputs; the caller
 * zeroes them once.
 *
 * With `relu` the forward returns max(0, out) (BN followed by ReLU in one pass), and the backward
 * given β (`reluBeta`) takes dout as the gradient of that: it recomputes out and lets dout
 * through where out > 0, as `reluBackward` would on BN's output.
 *
 * @module
 */

import type { FloatArray } from "../../core/dims.ts";

/**
 * out: (N, C, HW)  saveMean, saveInvStd: (C) written  runningMean, runningVar: (C) updated in
 * training  x: (N, C, HW)  gamma, beta: (C); with `relu`, out = max(0, BN(x))
 */
export function batchNorm2dForward(
  out: FloatArray,
  saveMean: FloatArray,
  saveInvStd: FloatArray,
  runningMean: FloatArray,
  runningVar: FloatArray,
  x: FloatArray,
  gamma: FloatArray,
  beta: FloatArray,
  N: number,
  C: number,
  HW: number,
  eps: number,
  momentum: number,
  training: boolean,
  relu = false,
): void {
  const M = N * HW;
  for (let c = 0; c < C; c++) {
    let mean: number, variance: number;
    if (training) {
      let sum = 0;
      for (let n = 0; n < N; n++) {
        const row = (n * C + c) * HW;
        for (let i = 0; i < HW; i++) sum += x[row + i];
      }
      mean = sum / M;
      let sq = 0;
      for (let n = 0; n < N; n++) {
        const row = (n * C + c) * HW;
        for (let i = 0; i < HW; i++) sq += (x[row + i] - mean) ** 2;
      }
      variance = sq / M;
      runningMean[c] = (1 - momentum) * runningMean[c] + momentum * mean;
      runningVar[c] = (1 - momentum) * runningVar[c] + momentum * variance * M / (M - 1);
    } else {
      mean = runningMean[c];
      variance = runningVar[c];
    }
    const invStd = 1 / Math.sqrt(variance + eps);
    saveMean[c] = mean;
    saveInvStd[c] = invStd;
    const scale = gamma[c] * saveInvStd[c], shift = beta[c] - saveMean[c] * scale;
    for (let n = 0; n < N; n++) {
      const row = (n * C + c) * HW;
      for (let i = 0; i < HW; i++) {
        const y = x[row + i] * scale + shift;
        out[row + i] = relu ? (y > 0 ? y : 0) : y;
      }
    }
  }
}

/**
 * dx += ∂L/∂x, dgamma += ∂L/∂γ, dbeta += ∂L/∂β.  dx, dout, x: (N, C, HW)  dgamma, dbeta, gamma,
 * saveMean, saveInvStd: (C). In training the batch statistics depend on x:
 * dx = γ·σ⁻¹/M · (M·dout − Σ dout − x̂ · Σ dout·x̂); in evaluation they are constants:
 * dx = γ·σ⁻¹·dout. With `reluBeta` (β: (C)), dout is the gradient of max(0, BN(x)).
 */
export function batchNorm2dBackward(
  dx: FloatArray,
  dgamma: FloatArray,
  dbeta: FloatArray,
  dout: FloatArray,
  x: FloatArray,
  gamma: FloatArray,
  saveMean: FloatArray,
  saveInvStd: FloatArray,
  N: number,
  C: number,
  HW: number,
  training: boolean,
  reluBeta?: FloatArray,
): void {
  const M = N * HW;
  // the gradient reaching BN's output: dout, or dout where relu let the output through
  const grad = (c: number, j: number): number => {
    if (reluBeta === undefined) return dout[j];
    const scale = gamma[c] * saveInvStd[c], shift = reluBeta[c] - saveMean[c] * scale;
    return x[j] * scale + shift > 0 ? dout[j] : 0;
  };
  for (let c = 0; c < C; c++) {
    const mean = saveMean[c], invStd = saveInvStd[c];
    let sumDout = 0, sumDoutXhat = 0;
    for (let n = 0; n < N; n++) {
      const row = (n * C + c) * HW;
      for (let i = 0; i < HW; i++) {
        const g = grad(c, row + i);
        sumDout += g;
        sumDoutXhat += g * (x[row + i] - mean) * invStd;
      }
    }
    dgamma[c] += sumDoutXhat;
    dbeta[c] += sumDout;
    const k = gamma[c] * invStd;
    const meanDout = training ? sumDout / M : 0;
    const meanDoutXhat = training ? sumDoutXhat / M : 0;
    for (let n = 0; n < N; n++) {
      const row = (n * C + c) * HW;
      for (let i = 0; i < HW; i++) {
        const xhat = (x[row + i] - mean) * invStd;
        dx[row + i] += k * (grad(c, row + i) - meanDout - xhat * meanDoutXhat);
      }
    }
  }
}
