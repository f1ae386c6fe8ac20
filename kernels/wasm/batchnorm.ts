/**
 * WASM batch normalisation with the reference's positional signatures
 * (kernels/ref/batchnorm.ts), PyTorch's BatchNorm2d: float32 data, float64 per-channel
 * statistics, channels split over the threads. The forward writes saveMean and saveInvStd and,
 * in training, moves the running statistics; the backward adds into dx, dgamma and dbeta. Both
 * take a ReLU after BN into the same pass on request (`relu`; `reluBeta`, BN's β).
 *
 * @module
 */

import type { FloatArray } from "../../core/dims.ts";
import { job } from "./_job.ts";
import { carve, copyIn, copyOut } from "./_arena.ts";

function perChannel(C: number, names: readonly string[]) {
  return names.map((name) => ({ name: `${name} (${C})`, bytes: 4 * C }));
}

/** The shape of a batch norm's data: N images of C channels with HW values each. */
export interface BatchNormDims {
  N: number;
  C: number;
  HW: number;
}

/** The arrays of `batchNormForward`. */
export interface BatchNormForwardArrays {
  /** (N, C, HW), written. */
  out: FloatArray;
  /** (C), written: the batch mean (training) or the running mean (evaluation). */
  saveMean: FloatArray;
  /** (C), written: 1 / √(var + eps) of the statistics used. */
  saveInvStd: FloatArray;
  /** (C), moved towards the batch mean in training. */
  runningMean: FloatArray;
  /** (C), moved towards the unbiased batch variance in training. */
  runningVar: FloatArray;
  /** (N, C, HW). */
  x: FloatArray;
  /** (C). */
  gamma: FloatArray;
  /** (C). */
  beta: FloatArray;
}

/** The settings of `batchNormForward`. */
export interface BatchNormForwardOptions {
  eps: number;
  momentum: number;
  /** Batch statistics (and moving the running ones) rather than the running statistics. */
  training: boolean;
  /** out = max(0, BN(x)), in the same pass. */
  relu?: boolean;
}

/** The arrays of `batchNormBackward`: dx, dgamma and dbeta are added into. */
export interface BatchNormBackwardArrays {
  /** (N, C, HW). */
  dx: FloatArray;
  /** (C). */
  dgamma: FloatArray;
  /** (C). */
  dbeta: FloatArray;
  /** (N, C, HW). */
  dout: FloatArray;
  /** (N, C, HW). */
  x: FloatArray;
  /** (C). */
  gamma: FloatArray;
  /** (C), as the forward wrote it. */
  saveMean: FloatArray;
  /** (C), as the forward wrote it. */
  saveInvStd: FloatArray;
  /** BN's β (C) when the forward took a ReLU: dout is then the gradient of max(0, BN(x)). */
  reluBeta?: FloatArray;
}

/**
 * PyTorch's BatchNorm2d forward (the WASM kernel behind `batchNorm2dForward`), its arrays,
 * dims and settings by name.
 */
export function batchNormForward(
  a: BatchNormForwardArrays,
  d: BatchNormDims,
  o: BatchNormForwardOptions,
): void {
  const { N, C, HW } = d, { training } = o;
  if (C === 0) return;
  const n = N * C * HW;
  const [po, px, pm, ps, prm, prv, pg, pb] = carve("batchNorm2dForward", [
    { name: `out (${N}, ${C}, ${HW})`, bytes: 4 * n },
    { name: `x (${N}, ${C}, ${HW})`, bytes: 4 * n },
    ...perChannel(C, ["saveMean", "saveInvStd", "runningMean", "runningVar", "gamma", "beta"]),
  ]);
  copyIn(px, a.x, n);
  copyIn(prm, a.runningMean, C);
  copyIn(prv, a.runningVar, C);
  copyIn(pg, a.gamma, C);
  copyIn(pb, a.beta, C);
  const args = {
    out: po,
    saveMean: pm,
    saveInvStd: ps,
    runningMean: prm,
    runningVar: prv,
    x: px,
    gamma: pg,
    beta: pb,
    N,
    C,
    HW,
    eps: o.eps,
    momentum: o.momentum,
    training,
    relu: o.relu ?? false,
  };
  job("batchNormForward", args, C);
  copyOut(a.out, po, n);
  copyOut(a.saveMean, pm, C);
  copyOut(a.saveInvStd, ps, C);
  if (training) {
    copyOut(a.runningMean, prm, C);
    copyOut(a.runningVar, prv, C);
  }
}

/**
 * PyTorch's BatchNorm2d backward (the WASM kernel behind `batchNorm2dBackward`): dx += ∂L/∂x,
 * dgamma += ∂L/∂γ, dbeta += ∂L/∂β; `training` as in the forward.
 */
export function batchNormBackward(
  a: BatchNormBackwardArrays,
  d: BatchNormDims,
  o: { training: boolean },
): void {
  const { N, C, HW } = d, { reluBeta } = a;
  if (C === 0) return;
  const n = N * C * HW;
  const shape = `(${N}, ${C}, ${HW})`;
  const [pdx, pdo, px, pdg, pdb, pg, pm, ps, pbeta] = carve("batchNorm2dBackward", [
    { name: `dx ${shape}`, bytes: 4 * n },
    { name: `dout ${shape}`, bytes: 4 * n },
    { name: `x ${shape}`, bytes: 4 * n },
    ...perChannel(C, ["dgamma", "dbeta", "gamma", "saveMean", "saveInvStd"]),
    { name: `beta (${C})`, bytes: reluBeta ? 4 * C : 0 },
  ]);
  copyIn(pdx, a.dx, n);
  copyIn(pdo, a.dout, n);
  copyIn(px, a.x, n);
  copyIn(pdg, a.dgamma, C);
  copyIn(pdb, a.dbeta, C);
  copyIn(pg, a.gamma, C);
  copyIn(pm, a.saveMean, C);
  copyIn(ps, a.saveInvStd, C);
  if (reluBeta) copyIn(pbeta, reluBeta, C);
  const args = {
    dx: pdx,
    dgamma: pdg,
    dbeta: pdb,
    dout: pdo,
    x: px,
    gamma: pg,
    saveMean: pm,
    saveInvStd: ps,
    N,
    C,
    HW,
    training: o.training,
    reluBeta: reluBeta ? pbeta : 0,
  };
  job("batchNormBackward", args, C);
  copyOut(a.dx, pdx, n);
  copyOut(a.dgamma, pdg, C);
  copyOut(a.dbeta, pdb, C);
}

/**
 * The `Kernels` interface's positional form of `batchNormForward` (kept for nn/ and the
 * reference's signature).  out: (N, C, HW)  saveMean, saveInvStd: (C) written  runningMean,
 * runningVar: (C) updated in training  x: (N, C, HW)  gamma, beta: (C); with `relu`,
 * out = max(0, BN(x))
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
  const arrays = { out, saveMean, saveInvStd, runningMean, runningVar, x, gamma, beta };
  batchNormForward(arrays, { N, C, HW }, { eps, momentum, training, relu });
}

/**
 * The `Kernels` interface's positional form of `batchNormBackward` (kept for nn/ and the
 * reference's signature).  dx, dout, x: (N, C, HW)  dgamma, dbeta, gamma, saveMean,
 * saveInvStd: (C); with `reluBeta` (β: (C)), dout is the gradient of max(0, BN(x))
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
  const arrays = { dx, dgamma, dbeta, dout, x, gamma, saveMean, saveInvStd, reluBeta };
  batchNormBackward(arrays, { N, C, HW }, { training });
}
