/**
 * WASM batch normalisation with the reference's positional signatures
 * (kernels/ref/batchnorm.ts), PyTorch's BatchNorm2d: float32 data, float64 per-channel
 * statistics, channels split over the threads. The forward writes saveMean and saveInvStd and,
 * in training, moves the running statistics; the backward adds into dx, dgamma and dbeta. Both
 * take a ReLU after BN into the same pass on request (`relu`; `reluBeta`, BN's β).
 *
 * @module
 */

import type { FloatArray } from "../dims.ts";
import { job } from "./_job.ts";
import { carve, copyIn, copyOut } from "./_arena.ts";

function perChannel(C: number, names: readonly string[]) {
  return names.map((name) => ({ name: `${name} (${C})`, bytes: 4 * C }));
}

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
  if (C === 0) return;
  const n = N * C * HW;
  const [po, px, pm, ps, prm, prv, pg, pb] = carve("batchNorm2dForward", [
    { name: `out (${N}, ${C}, ${HW})`, bytes: 4 * n },
    { name: `x (${N}, ${C}, ${HW})`, bytes: 4 * n },
    ...perChannel(C, ["saveMean", "saveInvStd", "runningMean", "runningVar", "gamma", "beta"]),
  ]);
  copyIn(px, x, n);
  copyIn(prm, runningMean, C);
  copyIn(prv, runningVar, C);
  copyIn(pg, gamma, C);
  copyIn(pb, beta, C);
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
    eps,
    momentum,
    training,
    relu,
  };
  job("batchNormForward", args, C);
  copyOut(out, po, n);
  copyOut(saveMean, pm, C);
  copyOut(saveInvStd, ps, C);
  if (training) {
    copyOut(runningMean, prm, C);
    copyOut(runningVar, prv, C);
  }
}

/**
 * dx += ∂L/∂x, dgamma += ∂L/∂γ, dbeta += ∂L/∂β.  dx, dout, x: (N, C, HW)  dgamma, dbeta, gamma,
 * saveMean, saveInvStd: (C); with `reluBeta` (β: (C)), dout is the gradient of max(0, BN(x))
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
  copyIn(pdx, dx, n);
  copyIn(pdo, dout, n);
  copyIn(px, x, n);
  copyIn(pdg, dgamma, C);
  copyIn(pdb, dbeta, C);
  copyIn(pg, gamma, C);
  copyIn(pm, saveMean, C);
  copyIn(ps, saveInvStd, C);
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
    training,
    reluBeta: reluBeta ? pbeta : 0,
  };
  job("batchNormBackward", args, C);
  copyOut(dx, pdx, n);
  copyOut(dgamma, pdg, C);
  copyOut(dbeta, pdb, C);
}
