/**
 * The homework's Part 1 two-layer ConvNet (conv 32×7×7 – relu – 2×2 pool – affine – softmax)
 * in the page, trained as `deno task train:twolayer` trains it: the same model, normalisation
 * (the mean image), Solver and defaults, stepped one iteration at a time with
 * `Solver.iterations()` so the trainer Worker can post progress, pause and stop between
 * iterations.
 *
 * @module
 */

import { ImageSetDataset } from "../../data/image_dataset.ts";
import { Normalization } from "../../data/normalize.ts";
import { ThreeLayerConvNet, TwoLayerConvNet } from "../../nn/classifiers.ts";
import { encodeSafetensors } from "../../nn/safetensors.ts";
import { type Check, Solver, UPDATE_RULES, type UpdateRule } from "../../nn/solver.ts";
import type { TrainData } from "../../tasks/_train_loop.ts";
import { pyExp } from "../../tasks/_train_log.ts";

/** The page's name of the Part 1 model. */
export const TWOLAYER = "twolayer";

/** What a page run of the two-layer net uses: `deno task train:twolayer`'s settings. */
export interface TwoLayerRunConfig {
  model: typeof TWOLAYER;
  /** `train:twolayer --model`: two (conv–relu–pool–affine) or three (…–affine–relu–affine). */
  net: PartOneNet;
  numFilters: number;
  filterSize: number;
  /** The hidden affine width of the three-layer net. */
  hiddenDim: number;
  weightScale: number;
  reg: number;
  updateRule: UpdateRule;
  lr: number;
  momentum: number;
  lrDecay: number;
  batchSize: number;
  epochs: number;
  accFrequency: number;
  seed: number;
  numTrain: number;
  numVal: number;
}

/** The Part 1 nets: `deno task train:twolayer --model two|three`. */
export type PartOneNet = "two" | "three";
const NETS: readonly PartOneNet[] = ["two", "three"];

/** The defaults of `deno task train:twolayer --model two` (web_test checks they agree). */
export const TWOLAYER_DEFAULTS: Readonly<TwoLayerRunConfig> = Object.freeze({
  model: TWOLAYER,
  net: "two",
  numFilters: 32,
  filterSize: 7,
  hiddenDim: 100,
  weightScale: 0.001,
  reg: 0.001,
  updateRule: "sgd_momentum",
  lr: 1e-4,
  momentum: 0.9,
  lrDecay: 0.95,
  batchSize: 50,
  epochs: 1,
  accFrequency: 50,
  seed: 3,
  numTrain: 49000,
  numVal: 1000,
});

/** The form's settings a Part 1 run takes (the others belong to convnet and mymodel). */
const SETTINGS = [
  "net",
  "updateRule",
  "numTrain",
  "numVal",
  "epochs",
  "batchSize",
  "lr",
  "seed",
  "hiddenDim",
] as const;

/** The run's configuration: the CLI's defaults, then the form's settings. */
export function twoLayerConfig(overrides: Record<string, unknown>): TwoLayerRunConfig {
  const config: TwoLayerRunConfig = { ...TWOLAYER_DEFAULTS };
  for (const key of SETTINGS) {
    if (overrides[key] !== undefined) (config[key] as unknown) = overrides[key];
  }
  if (!NETS.includes(config.net)) {
    throw new RangeError(`Cannot train twolayer with net "${config.net}": use two or three`);
  }
  if (!UPDATE_RULES.includes(config.updateRule)) {
    throw new RangeError(
      `Cannot train twolayer with updateRule "${config.updateRule}": use one of ${
        UPDATE_RULES.join(", ")
      }`,
    );
  }
  for (const [key, max] of [["numTrain", 49000], ["numVal", 1000]] as const) {
    const v = config[key];
    if (!Number.isInteger(v) || v < 1 || v > max) {
      throw new RangeError(`Cannot train twolayer with ${key} ${v}: use an integer in [1, ${max}]`);
    }
  }
  return config;
}

/** What the trainer does between iterations. */
export interface TwoLayerHooks {
  onIteration(iteration: number, total: number, loss: number): void;
  onCheck(check: Check, line: string): void;
  /** Awaited after every iteration: resolves true to stop (it may wait while paused). */
  between(): Promise<boolean>;
}

/** The outcome of a two-layer run. */
export interface TwoLayerOutcome {
  outcome: "done" | "stopped";
  losses: number[];
  checks: Check[];
  bestValAcc: number;
  /** Seconds spent in iterations (not in pauses). */
  seconds: number;
  /** The weights file train:twolayer writes (best parameters when done, else the last). */
  weights: Uint8Array;
  /** The first layer's filters W1: (F, 3, K, K). */
  filters: { shape: number[]; data: Float32Array };
}

/** Trains the Part 1 net on `data` (its train and val splits) as train:twolayer does. */
export async function trainTwoLayer(
  c: TwoLayerRunConfig,
  data: TrainData,
  hooks: TwoLayerHooks,
): Promise<TwoLayerOutcome> {
  const Net = c.net === "two" ? TwoLayerConvNet : ThreeLayerConvNet;
  const model = new Net({
    numFilters: c.numFilters,
    filterSize: c.filterSize,
    hiddenDim: c.hiddenDim,
    weightScale: c.weightScale,
    reg: c.reg,
    seed: c.seed,
    dtype: "float32",
  });
  const norm = Normalization.meanImage(data.train);
  const sets = {
    train: new ImageSetDataset(data.train, norm),
    val: new ImageSetDataset(data.val, norm),
  };
  const perEpoch = Math.max(Math.floor(sets.train.length / c.batchSize), 1);
  const total = perEpoch * c.epochs;
  const solver = new Solver(model, sets, {
    updateRule: c.updateRule,
    learningRate: c.lr,
    momentum: c.momentum,
    lrDecay: c.lrDecay,
    batchSize: c.batchSize,
    numEpochs: c.epochs,
    accFrequency: c.accFrequency,
    seed: c.seed,
    onIteration: (it, loss) => hooks.onIteration(it, total, loss),
    onCheck: (k) =>
      hooks.onCheck(
        k,
        `Finished epoch ${k.epoch} / ${c.epochs}: cost ${k.loss.toFixed(6)}, train: ${
          k.trainAcc.toFixed(6)
        }, val ${k.valAcc.toFixed(6)}, lr ${pyExp(k.learningRate)}`,
      ),
  });
  let outcome: "done" | "stopped" = "done", seconds = 0, t0 = performance.now();
  for (const _ of solver.iterations()) {
    seconds += (performance.now() - t0) / 1000;
    if (await hooks.between()) {
      outcome = "stopped";
      break;
    }
    t0 = performance.now();
  }
  const w1 = model.params.W1;
  return {
    outcome,
    losses: solver.lossHistory,
    checks: solver.checks,
    bestValAcc: solver.bestValAcc,
    seconds,
    weights: encodeSafetensors(model.params, {
      first_conv: "W1",
      model: c.net === "two" ? "TwoLayerConvNet" : "ThreeLayerConvNet",
    }),
    filters: { shape: [...w1.shape], data: Float32Array.from(w1.data) },
  };
}
