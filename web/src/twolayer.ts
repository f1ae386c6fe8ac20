/**
 * The homework's Part 1 two-layer ConvNet (conv 32×7×7 – relu – 2×2 pool – affine – softmax)
 * in the page, trained as `deno task train:twolayer` trains it: the same model, normalisation
 * (the mean image), Solver and defaults, stepped one iteration at a time with
 * `Solver.iterations()` so the trainer Worker can post progress, pause and stop between
 * iterations.
 *
 * @module
 */

import type { Tensor } from "../../core/tensor.ts";
import { ImageSetDataset } from "../../data/image_dataset.ts";
import { Normalization } from "../../data/normalize.ts";
import { decodeSafetensors, encodeSafetensors } from "../../nn/safetensors.ts";
import { type Check, Solver, UPDATE_RULES } from "../../nn/solver.ts";
import type { TrainData } from "../../train/loop.ts";
import { pyExp } from "../../train/log.ts";
import { type PartOneNet, partOneNet, partOneSolverOptions } from "../../train/part1.ts";
import type { TwoLayerConfig } from "../../tasks/train_twolayer.ts";

/** The page's name of the Part 1 model. */
export const TWOLAYER = "twolayer";

/**
 * What a page run of the two-layer net uses: `deno task train:twolayer`'s settings, less the
 * ones of the command line (data folder, threads, run folder); `net` is its `--model`.
 */
export type TwoLayerRunConfig =
  & Omit<TwoLayerConfig, "model" | "cifar10Dir" | "threads" | "out">
  & { model: typeof TWOLAYER; net: PartOneNet };

/** The Part 1 nets: `deno task train:twolayer --model two|three`. */
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

/** The Part 1 models' names in a weights file's `model` metadata (train:twolayer writes them). */
const PART1_FILES: Record<string, PartOneNet> = {
  TwoLayerConvNet: "two",
  ThreeLayerConvNet: "three",
};

/** A weights file of `deno task train:twolayer` (or of the page's Part 1 run), to continue. */
export interface PartOneWeights {
  net: PartOneNet;
  numFilters: number;
  filterSize: number;
  hiddenDim: number;
  /** W1, b1, W2, b2 (and W3, b3 for the three-layer net). */
  params: Record<string, { shape: number[]; data: Float32Array }>;
}

/** The Part 1 net in a weights file's bytes, or null when the file holds another model. */
export function decodePartOne(bytes: Uint8Array, source: string): PartOneWeights | null {
  const { metadata, tensors } = decodeSafetensors(bytes, source);
  const net = PART1_FILES[metadata.model];
  if (net === undefined) return null;
  const params: PartOneWeights["params"] = {};
  for (const [name, t] of tensors) {
    params[name] = { shape: [...t.shape], data: Float32Array.from(t.data as ArrayLike<number>) };
  }
  const [w1, w2] = [params.W1, params.W2];
  if (!w1 || w1.shape.length !== 4 || !w2 || w2.shape.length !== 2) {
    throw new TypeError(
      `Cannot continue from ${source}: its ${metadata.model} lacks W1 (F, 3, K, K) or W2 ` +
        `(got W1 ${JSON.stringify(w1?.shape)}, W2 ${JSON.stringify(w2?.shape)})`,
    );
  }
  return {
    net,
    numFilters: w1.shape[0],
    filterSize: w1.shape[2],
    hiddenDim: net === "three" ? w2.shape[1] : TWOLAYER_DEFAULTS.hiddenDim,
    params,
  };
}

/** Puts `from`'s parameters into `model`'s; a TypeError naming what differs. */
function loadPartOne(model: { params: Record<string, Tensor> }, from: PartOneWeights): void {
  for (const [name, t] of Object.entries(model.params)) {
    const w = from.params[name];
    if (!w || w.shape.join() !== t.shape.join()) {
      throw new TypeError(
        `Cannot continue from the loaded weights: ${name} should have shape ` +
          `[${t.shape}], the file has ${w ? `[${w.shape}]` : "none"}`,
      );
    }
    (t.data as Float32Array).set(w.data);
  }
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

/**
 * Trains the Part 1 net on `data` (its train and val splits) as train:twolayer does; from the
 * parameters of `from` when given (its net and sizes are then `c`'s).
 */
export async function trainTwoLayer(
  c: TwoLayerRunConfig,
  data: TrainData,
  hooks: TwoLayerHooks,
  from?: PartOneWeights,
): Promise<TwoLayerOutcome> {
  const model = partOneNet(c.net, c);
  if (from) loadPartOne(model, from);
  const norm = Normalization.meanImage(data.train);
  const sets = {
    train: new ImageSetDataset(data.train, norm),
    val: new ImageSetDataset(data.val, norm),
  };
  const perEpoch = Math.max(Math.floor(sets.train.length / c.batchSize), 1);
  const total = perEpoch * c.epochs;
  const solver = new Solver(model, sets, {
    ...partOneSolverOptions(c),
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
