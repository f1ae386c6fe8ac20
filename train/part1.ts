/**
 * The homework's Part 1 ConvNets as `deno task train:twolayer` builds and trains them, in one
 * place for the task, the page's trainer (web/src/twolayer.ts) and the tests: the net of a
 * configuration and the Solver's options.
 *
 * @module
 */

import { ThreeLayerConvNet, TwoLayerConvNet } from "../nn/classifiers.ts";
import type { SolverOptions, UpdateRule } from "../nn/solver.ts";

/** Which Part 1 net: conv–relu–pool–affine ("two") or …–affine–relu–affine ("three"). */
export type PartOneNet = "two" | "three";

/** The settings of `train:twolayer` that the net and the Solver take. */
export interface PartOneSettings {
  /** Conv filters. */
  numFilters: number;
  /** Conv filter side. */
  filterSize: number;
  /** The hidden affine width of the three-layer net. */
  hiddenDim: number;
  /** Standard deviation of the initial weights. */
  weightScale: number;
  /** L2 regularisation strength. */
  reg: number;
  /** The Solver's update rule. */
  updateRule: UpdateRule;
  /** Learning rate. */
  lr: number;
  /** Momentum of sgd_momentum. */
  momentum: number;
  /** Learning-rate decay per epoch. */
  lrDecay: number;
  /** Images per step. */
  batchSize: number;
  /** Epochs. */
  epochs: number;
  /** Iterations between accuracy checks (also at each epoch's end). */
  accFrequency: number;
  /** Seed of the weights and of the batches. */
  seed: number;
}

/** The float32 Part 1 net of `c` (its options are checked by the net). */
export function partOneNet(
  net: PartOneNet,
  c: PartOneSettings,
): TwoLayerConvNet | ThreeLayerConvNet {
  const Net = net === "two" ? TwoLayerConvNet : ThreeLayerConvNet;
  return new Net({
    numFilters: c.numFilters,
    filterSize: c.filterSize,
    hiddenDim: c.hiddenDim,
    weightScale: c.weightScale,
    reg: c.reg,
    seed: c.seed,
    dtype: "float32",
  });
}

/** The Solver's options of `c`, without the progress hooks. */
export function partOneSolverOptions(c: PartOneSettings): SolverOptions {
  return {
    updateRule: c.updateRule,
    learningRate: c.lr,
    momentum: c.momentum,
    lrDecay: c.lrDecay,
    batchSize: c.batchSize,
    numEpochs: c.epochs,
    accFrequency: c.accFrequency,
    seed: c.seed,
  };
}
