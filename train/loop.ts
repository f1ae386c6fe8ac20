/**
 * The training loop of `deno task train`, apart from the files it writes (`train/files.ts`):
 * a model, SGD and a schedule, batches with augmentation, a metrics row every batch (the
 * batch's training loss and accuracy, and the rate), a log line with the validation loss and accuracy every `logInterval`
 * batches and at the end of each epoch, and a state that a checkpoint can save and `--resume`
 * restore.
 *
 * Determinism: the initial weights come from `seed`; the order of epoch e from
 * `rngFor(seed, ORDER, e)`; the augmentation of batch b of epoch e from
 * `rngFor(seed, AUGMENT, e, b)`. So a run resumed at any batch draws exactly what the
 * uninterrupted run drew, and the same seed (and thread count) gives the same numbers.
 *
 * @module
 */

import { type BatchBuffers, makeBatch } from "../data/batches.ts";
import { IMAGE_BYTES, type ImageSet } from "../data/cifar10.ts";
import { Normalization, type NormalizationJSON } from "../data/normalize.ts";
import {
  buildModel,
  encodeTrainCheckpoint,
  encodeWeights,
  type ModelConfig,
} from "../nn/checkpoint.ts";
import { skipInputGradient } from "../nn/modules/sequential.ts";
import { crossEntropy } from "../nn/losses.ts";
import type { Module } from "../nn/modules/module.ts";
import type { Tensor } from "../core/tensor.ts";
import { type ParamGroup, SGD } from "../nn/optim.ts";
import { batchNormGroups } from "../nn/param_groups.ts";
import { diracInit, whiteningInit } from "../nn/init.ts";
import { Conv2d } from "../nn/modules/conv.ts";
import { lookaheadDecay, WeightAverage } from "../nn/weight_average.ts";
import { Rng } from "../core/random.ts";
import { cosineWithWarmup, oneCycle, type Schedule } from "../nn/schedule.ts";
import type { MetricsRow } from "./viz/metrics.ts";
import {
  RECIPE_OFF,
  type RecipeSwitches,
  recipeSwitches,
  type TrainConfig,
  TRIANGLE_END,
  TRIANGLE_START,
} from "./config.ts";
import { countCorrect, evaluate, yieldToEventLoop } from "./eval.ts";
import type { LoopEvent, ValidationEvent } from "./events.ts";
import { logLine } from "./log.ts";

/** The images of a run. */
export interface TrainData {
  /** The training images. */
  train: ImageSet;
  /** The validation images, measured every `logInterval` batches. */
  val: ImageSet;
  /** The test images, measured after the last epoch. */
  test: ImageSet;
  /** The class names, by label. */
  classes: string[];
}

/** Where a run is; saved in the checkpoint (JSON). */
export interface TrainProgress {
  /** The recipe of the run. */
  config: TrainConfig;
  /** The epoch in progress, 0-based (= config.epochs when training is over). */
  epoch: number;
  /** The next batch of that epoch. */
  batch: number;
  /** Optimizer steps taken. */
  step: number;
  /** The rows of `metrics.csv` so far: one per step. */
  metrics: MetricsRow[];
  /** Seconds spent training so far (over all sessions of the run). */
  seconds: number;
  /** At the end of each epoch: the training seconds so far and the validation accuracy. */
  timeline: { epoch: number; seconds: number; valAcc: number; valLoss: number }[];
  /** The divergence watch over the training losses so far (absent before the first step). */
  watch?: LossWatch;
}

/** A model, its optimizer and schedule, and where training is. */
export interface TrainSession {
  /** The model being trained. */
  model: Module;
  /** What builds the model again (saved with its weights). */
  modelConfig: ModelConfig;
  /** SGD with the run's parameter groups. */
  optimizer: SGD;
  /** The learning rate of each step. */
  schedule: Schedule;
  /** How images are normalised (from the training images, or the checkpoint). */
  normalization: Normalization;
  /** Where the run is. */
  progress: TrainProgress;
  /** Optimizer steps per epoch. */
  batchesPerEpoch: number;
  /** The training batch, reused by every step. */
  buffers: BatchBuffers;
  /** Runs the steps elsewhere (the GPU: train/gpu.ts) instead of model and optimizer. */
  runner?: StepRunner;
  /** `--lookahead`: the average the weights move to every `LOOKAHEAD_EVERY` steps. */
  average?: WeightAverage;
  /** `--whiten`: the whitened stem's bias group, frozen after `whitenBiasEpochs`. */
  whitenBiasGroup?: number;
}

/** Lookahead updates every this many steps (airbench's). */
export const LOOKAHEAD_EVERY = 5;

/** A training step run outside the CPU model (`--backend webgpu`). */
export interface StepRunner {
  /** Forward, backward and the optimizer step on a batch; the batch's loss and accuracy. */
  step(x: Float32Array, y: Int32Array, lr: number): Promise<{ loss: number; acc: number }>;
  /** Brings the weights and optimizer state back into the session's model and optimizer. */
  sync(): Promise<void>;
  /** Frees the GPU buffers. */
  destroy(): void;
}

/**
 * The divergence rule, stated once: training has diverged when the training loss, smoothed
 * exponentially over about `DIVERGENCE_SMOOTHING` steps (α = 1/`DIVERGENCE_SMOOTHING`), stays
 * above `DIVERGENCE_FACTOR` times the first step's loss for `DIVERGENCE_PATIENCE` steps in a
 * row. A fresh 10-class model starts at ln 10 ≈ 2.3, so the bar is ≈ 9.2: a run that learns
 * never comes near it (the default runs stay below 2.4), while a run whose learning rate is too
 * high for its batch size climbs past it within a few dozen steps (to 2e12 at batch 50 with
 * the batch-128 rate of convnet, before the linear scaling of `--lr`).
 */
export const DIVERGENCE_SMOOTHING = 10;
/** See {@linkcode DIVERGENCE_SMOOTHING}. */
export const DIVERGENCE_FACTOR = 4;
/** See {@linkcode DIVERGENCE_SMOOTHING}. */
export const DIVERGENCE_PATIENCE = 20;

/** The state of the divergence rule; saved in the checkpoint's progress. */
export interface LossWatch {
  /** The first step's loss. */
  start: number;
  /** The exponentially smoothed loss. */
  smoothed: number;
  /** Steps in a row with `smoothed` above `DIVERGENCE_FACTOR · start`. */
  over: number;
}

/**
 * The watch after one more (finite) training loss; `undefined` starts a new one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DIVERGENCE_PATIENCE, hasDiverged, type LossWatch, watchLoss } from "./loop.ts";
 * let w: LossWatch | undefined;
 * for (const loss of [2.3, 2.2, 2.1]) w = watchLoss(w, loss);
 * assert.equal(hasDiverged(w!), false);
 * for (let i = 0; i < 100 && !hasDiverged(w!); i++) w = watchLoss(w, 1e6);
 * assert.equal(w!.over, DIVERGENCE_PATIENCE);
 * ```
 */
export function watchLoss(w: LossWatch | undefined, loss: number): LossWatch {
  if (w === undefined) return { start: loss, smoothed: loss, over: 0 };
  const smoothed = w.smoothed + (loss - w.smoothed) / DIVERGENCE_SMOOTHING;
  const over = smoothed > DIVERGENCE_FACTOR * w.start ? w.over + 1 : 0;
  return { start: w.start, smoothed, over };
}

/** Whether the watch has seen the divergence rule met. */
export function hasDiverged(w: LossWatch): boolean {
  return w.over >= DIVERGENCE_PATIENCE;
}

/**
 * Training stopped because it diverged: the loss stayed far above its start (the divergence
 * rule) or became NaN or infinite ({@linkcode NonFiniteLossError}). Names where, at which
 * learning rate, and what to do.
 */
export class DivergedError extends Error {
  /** `what` says what happened; the message adds where, the rate and what to do. */
  constructor(
    readonly step: number,
    readonly epoch: number,
    readonly lr: number,
    what: string,
  ) {
    super(
      `Training stopped: ${what} at step ${step} (epoch ${epoch}) with learning rate ${lr}; ` +
        `the weights of the last checkpoint are kept. Lower --lr (try ${lr / 10}) and start again`,
    );
  }
}

/** A non-finite loss: training stops, naming where and at which learning rate. */
export class NonFiniteLossError extends DivergedError {
  /** A NaN or infinite `loss` at `step` of `epoch` (1-based) with learning rate `lr`. */
  constructor(step: number, epoch: number, lr: number, loss: number) {
    super(step, epoch, lr, `the loss is ${loss}`);
  }
}

function divergedError(step: number, epoch: number, lr: number, w: LossWatch): DivergedError {
  return new DivergedError(
    step,
    epoch,
    lr,
    `the training loss diverged (smoothed over ${DIVERGENCE_SMOOTHING} steps it is ` +
      `${w.smoothed.toPrecision(3)}, above ${DIVERGENCE_FACTOR}× its start ` +
      `${w.start.toPrecision(3)} for ${DIVERGENCE_PATIENCE} steps)`,
  );
}

const ORDER = 1, AUGMENT = 2;

/**
 * A generator for one purpose of one epoch (and batch) of a run seeded with `seed`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rngFor } from "./loop.ts";
 * assert.equal(rngFor(1, 2, 0, 5).nextUint32(), rngFor(1, 2, 0, 5).nextUint32());
 * assert.notEqual(rngFor(1, 2, 0, 5).nextUint32(), rngFor(1, 2, 0, 6).nextUint32());
 * ```
 */
export function rngFor(seed: number, ...stream: number[]): Rng {
  let h = Math.trunc(seed) | 0;
  for (const v of stream) {
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) ^ Math.imul(v + 0x9e3779b9, 0x297a2d39);
    h = (h ^ (h >>> 12)) | 0;
  }
  return new Rng(h);
}

/** The learning-rate schedule of a configuration over `totalSteps` steps. */
export function makeSchedule(c: TrainConfig, totalSteps: number): Schedule {
  const warmupSteps = Math.round(c.warmup * totalSteps);
  if (c.schedule === "constant") return () => c.lr;
  if (c.schedule === "triangle") {
    try {
      return oneCycle({
        maxLr: c.lr,
        totalSteps,
        pctStart: c.warmup,
        anneal: "linear",
        divFactor: 1 / TRIANGLE_START,
        finalDivFactor: TRIANGLE_START / TRIANGLE_END,
      });
    } catch (e) {
      throw new RangeError(
        `Cannot use --schedule triangle with --warmup ${c.warmup} over ${totalSteps} steps ` +
          `(${(e as Error).message}); use more images or epochs`,
      );
    }
  }
  if (c.schedule === "cosine") {
    return cosineWithWarmup({
      lr: c.lr,
      totalSteps,
      warmupSteps: Math.min(warmupSteps, totalSteps - 1),
    });
  }
  try {
    return oneCycle({ maxLr: c.lr, totalSteps, pctStart: c.warmup, anneal: "linear" });
  } catch (e) {
    throw new RangeError(
      `Cannot use --schedule onecycle with --warmup ${c.warmup} over ${totalSteps} steps ` +
        `(${(e as Error).message}); use more images or epochs, or --schedule cosine`,
    );
  }
}

/** The model configuration of a run on `data`. */
export function modelConfigOf(c: TrainConfig, nClasses: number): ModelConfig {
  return {
    name: c.model,
    imSize: [3, 32, 32],
    hiddenDim: c.hiddenDim,
    kernelSize: c.kernelSize,
    nClasses,
    ...(c.widths === undefined ? {} : { widths: [...c.widths] }),
    ...(c.freezeBnScale === undefined ? {} : { frozenBnScale: c.freezeBnScale }),
  };
}

/** Whether a configuration uses any fast-recipe switch (the plain recipes' code paths else). */
export function usesRecipeSwitches(c: TrainConfig): boolean {
  return Object.keys(recipeSwitches({})).some((k) =>
    (c as unknown as Record<string, unknown>)[k] !== undefined
  );
}

// The model's convs in order (depth first).
function convsOf(m: Module): Conv2d[] {
  const out: Conv2d[] = [];
  const visit = (x: Module): void => {
    if (x instanceof Conv2d) out.push(x);
    for (const [, child] of x.namedChildren()) visit(child);
  };
  visit(m);
  return out;
}

/**
 * The data-dependent and dirac initialisations of `--whiten` and `--dirac`; returns the
 * whitened stem, if any.
 */
function initialise(model: Module, r: RecipeSwitches, data: TrainData, norm: Normalization) {
  const convs = convsOf(model);
  let stem: Conv2d | undefined;
  if (r.whiten > 0) {
    stem = convs[0];
    const n = r.whiten, first = new Int32Array(n);
    for (let i = 0; i < n; i++) first[i] = i;
    const { x } = makeBatch(data.train, first, { normalize: norm }); // x: (n, 3, 32, 32)
    whiteningInit(stem, x);
  }
  if (r.dirac) {
    for (const conv of convs) {
      const k = conv.kernelSize;
      if (conv !== stem && k % 2 === 1 && conv.stride === 1 && conv.padding === (k - 1) / 2) {
        diracInit(conv);
      }
    }
  }
  return stem;
}

/**
 * The optimizer's parameter groups under the switches: with `--whiten`, the stem's bias alone
 * (at the batch-norm biases' rate, frozen later) and its weight in no group; then the
 * batch-norm biases at `bnBiasLrScale` × lr with weight decay ÷ that; then the rest.
 */
function recipeGroups(model: Module, r: RecipeSwitches, wd: number, stem?: Conv2d) {
  const scale = r.bnBiasLrScale;
  const [bn, rest] = batchNormGroups(model, { biasLrScale: scale, biasWeightDecay: wd / scale });
  if (stem === undefined) return { groups: [bn, rest], whitenBiasGroup: undefined };
  const own = new Set<unknown>([stem.weight.value, stem.bias?.value]);
  const groups: ParamGroup[] = [
    bn,
    { params: rest.params.filter((p) => !own.has(p.value)) },
  ];
  if (stem.bias === undefined) return { groups, whitenBiasGroup: undefined };
  const bias = rest.params.find((p) => p.value === stem.bias!.value)!;
  return {
    groups: [{ params: [bias], lrScale: scale, weightDecay: wd / scale }, ...groups],
    whitenBiasGroup: 0,
  };
}

/**
 * A fresh session (weights from the seed, channel normalisation from the training images), or
 * one whose state a checkpoint will overwrite (pass the saved normalisation then).
 */
export function createSession(
  config: TrainConfig,
  data: TrainData,
  saved?: { normalization: NormalizationJSON },
): TrainSession {
  const modelConfig = modelConfigOf(config, data.classes.length);
  const model = buildModel(modelConfig, config.seed);
  skipInputGradient(model); // the images' gradient is never read
  const normalization = saved
    ? Normalization.fromJSON(saved.normalization)
    : Normalization.channel(data.train);
  const options = {
    lr: config.lr,
    momentum: config.momentum,
    weightDecay: config.weightDecay,
    nesterov: config.nesterov,
  };
  let optimizer: SGD, average: WeightAverage | undefined, whitenBiasGroup: number | undefined;
  if (!usesRecipeSwitches(config)) optimizer = new SGD(model.parameters(), options);
  else {
    const r = recipeSwitches(config);
    const stem = initialise(model, r, data, normalization);
    const g = recipeGroups(model, r, config.weightDecay, stem);
    whitenBiasGroup = g.whitenBiasGroup;
    optimizer = new SGD(g.groups, { ...options, decoupledWeightDecay: r.decoupledWd });
    if (r.lookahead) {
      average = new WeightAverage(model, { every: LOOKAHEAD_EVERY, lookahead: true });
    }
  }
  model.reuseBuffers(); // training steps reuse each layer's tensors, in WASM memory: no copies
  const batchesPerEpoch = Math.ceil(data.train.labels.length / config.batchSize);
  return {
    ...(average ? { average } : {}),
    ...(whitenBiasGroup === undefined ? {} : { whitenBiasGroup }),
    model,
    modelConfig,
    optimizer,
    schedule: makeSchedule(config, config.epochs * batchesPerEpoch),
    normalization,
    batchesPerEpoch,
    buffers: {
      x: new Float32Array(config.batchSize * IMAGE_BYTES), // x: (B, 3, 32, 32)
      y: new Int32Array(config.batchSize), // y: (B)
    },
    progress: { config, epoch: 0, batch: 0, step: 0, metrics: [], seconds: 0, timeline: [] },
  };
}

/**
 * The weights file (`<model>.safetensors`, which `deno task predict` reads) of a session: the
 * model's tensors, its configuration, normalisation, class names and training recipe.
 */
export function sessionWeights(s: TrainSession, classes: readonly string[]): Uint8Array {
  return encodeWeights(s.model, s.modelConfig, {
    normalization: s.normalization.toJSON(),
    extra: {
      classes: JSON.stringify(classes),
      tta: String(s.progress.config.tta),
      ...(s.progress.config.ttaTranslate
        ? { tta_translate: String(s.progress.config.ttaTranslate) }
        : {}),
      train_config: JSON.stringify(s.progress.config),
    },
  });
}

/**
 * The training checkpoint (`checkpoint.safetensors`, which `--resume` reads) of a session: the
 * weights, the optimizer state, the lookahead average, the normalisation and the progress.
 */
export function sessionCheckpoint(s: TrainSession): Uint8Array {
  return encodeTrainCheckpoint(s.model, s.optimizer, {
    config: s.modelConfig,
    normalization: s.normalization.toJSON(),
    progress: s.progress,
    ...(s.average ? { extra: s.average.stateDict() } : {}),
  });
}

/** What the loop tells its caller (the task writes files and prints from these). */
export interface TrainHooks {
  /** A log line in the homework's format. */
  log?(line: string): void | Promise<void>;
  /** After every batch: images done in this epoch and the epoch's size. */
  onBatch?(done: number, total: number): void;
  /** After each epoch, with the progress already pointing at the next one. */
  onEpochEnd?(session: TrainSession): void | Promise<void>;
  /** Polled after every batch; when true the loop returns "stopped" (progress saved by caller). */
  shouldStop?(): boolean;
}

/** Forward, loss, backward and SGD on the CPU model; the batch's loss and accuracy. */
export function cpuStep(s: TrainSession, batch: { x: Tensor; y: Int32Array }, lr: number) {
  const c = s.progress.config;
  const logits = s.model.forward(batch.x);
  const { loss, dlogits } = crossEntropy(logits, batch.y, { labelSmoothing: c.labelSmoothing });
  if (!Number.isFinite(loss)) return { loss, acc: NaN };
  const acc = countCorrect(logits, batch.y) / batch.y.length;
  s.optimizer.zeroGrad();
  s.model.backward(dlogits);
  s.optimizer.lr = lr;
  s.optimizer.step();
  return { loss, acc };
}

/** One training step on batch `b` of epoch `e`; returns the batch loss. */
async function trainStep(
  s: TrainSession,
  data: TrainData,
  order: Int32Array,
  e: number,
  b: number,
) {
  const c = s.progress.config, n = data.train.labels.length;
  const start = b * c.batchSize, end = Math.min(n, start + c.batchSize);
  const batch = makeBatch(data.train, order.subarray(start, end), {
    normalize: s.normalization,
    augment: augmentOf(c, e),
    rng: rngFor(c.seed, AUGMENT, e, b),
    out: s.buffers,
  });
  const lr = s.schedule(s.progress.step);
  if (s.whitenBiasGroup !== undefined) {
    const r = recipeSwitches(c);
    s.optimizer.groups[s.whitenBiasGroup].lrScale = e < r.whitenBiasEpochs ? r.bnBiasLrScale : 0;
  }
  const { loss, acc } = s.runner
    ? await s.runner.step(batch.x.data as Float32Array, batch.y, lr)
    : cpuStep(s, batch, lr);
  if (s.average && Number.isFinite(loss)) {
    // airbench: every 5 steps toward the average, and the average itself after the last step.
    const total = c.epochs * s.batchesPerEpoch, done = s.progress.step + 1;
    s.average.step(lookaheadDecay(done, total));
    if (done === total) s.average.update(1);
  }
  if (!Number.isFinite(loss)) throw new NonFiniteLossError(s.progress.step, e + 1, lr, loss);
  s.progress.watch = watchLoss(s.progress.watch, loss);
  if (hasDiverged(s.progress.watch)) {
    throw divergedError(s.progress.step, e + 1, lr, s.progress.watch);
  }
  s.progress.step++;
  return { loss, acc, lr, seen: end };
}

/** The augmentation of epoch `e`: `true` for the plain recipes, else the switches' options. */
function augmentOf(c: TrainConfig, e: number) {
  if (!c.augment) return false;
  const r = recipeSwitches(c);
  const plain = !r.alternateFlips && r.pad === RECIPE_OFF.pad && r.padMode === RECIPE_OFF.padMode;
  if (plain) return true; // pad 4, zero, random flips: augmentDefaults(true)
  return {
    pad: r.pad,
    padMode: r.padMode,
    flip: r.alternateFlips ? "alternate" as const : true,
    epoch: e,
    seed: c.seed,
  };
}

/** Measures the validation set: a metrics row, and the event with the log line. */
async function measure(
  s: TrainSession,
  data: TrainData,
  e: number,
  b: number,
  r: { loss: number; acc: number; lr: number },
): Promise<ValidationEvent> {
  const c = s.progress.config, n = data.train.labels.length;
  const val = await evaluate(s.model, data.val, {
    normalize: s.normalization,
    batchSize: c.testBatchSize,
    tta: c.tta,
    ttaTranslate: c.ttaTranslate,
    nClasses: data.classes.length,
  });
  const valAcc = 100 * val.correct / val.total;
  const row: MetricsRow = {
    iteration: s.progress.step - 1,
    epoch: e + (b + 1) / s.batchesPerEpoch,
    trainLoss: r.loss,
    trainAcc: r.acc,
    valLoss: val.loss,
    valAcc: val.correct / val.total,
    lr: r.lr,
  };
  s.progress.metrics.push(row);
  const pct = 100 * b / s.batchesPerEpoch;
  const line = logLine({
    epoch: e + 1,
    seen: b * c.batchSize,
    total: n,
    percent: pct,
    trainLoss: r.loss,
    valLoss: val.loss,
    valAcc,
  });
  return {
    type: "validation",
    step: s.progress.step,
    epoch: e + 1,
    valLoss: val.loss,
    valAcc: val.correct / val.total,
    line,
    row,
  };
}

/**
 * Trains from the session's progress to the last epoch, yielding a `validation` event for each
 * measured batch, a `step` event after every step and an `epochEnd` event after each epoch
 * (with the progress already pointing at the next one; see `./events.ts`). `shouldStop` is polled between steps; when it answers true the generator returns
 * "stopped" (the caller saves the progress), else "done" after the last epoch. Throws
 * {@linkcode DivergedError} when the loss diverges (the rule of {@linkcode DIVERGENCE_SMOOTHING})
 * and {@linkcode NonFiniteLossError} on a NaN or infinite loss. The time a consumer spends on a
 * validation event counts as training time, as the measurement does; on the other events it
 * does not.
 */
export async function* runEpochs(
  s: TrainSession,
  data: TrainData,
  shouldStop: () => boolean = () => false,
): AsyncGenerator<LoopEvent, "done" | "stopped"> {
  const c = s.progress.config, n = data.train.labels.length;
  s.model.train();
  while (s.progress.epoch < c.epochs) {
    const e = s.progress.epoch;
    const order = rngFor(c.seed, ORDER, e).permutation(n); // order: (N) the epoch's image order
    for (let b = s.progress.batch; b < s.batchesPerEpoch; b++) {
      const t0 = performance.now();
      const r = await trainStep(s, data, order, e, b);
      s.progress.batch = b + 1;
      if (b % c.logInterval === 0 || b === s.batchesPerEpoch - 1) {
        await s.runner?.sync(); // evaluation (and the checkpoint after) read the CPU model
        yield await measure(s, data, e, b, r);
      } else {
        // Every step's training loss goes into metrics.csv, for the loss-vs-iterations plot.
        s.progress.metrics.push({
          iteration: s.progress.step - 1,
          epoch: e + (b + 1) / s.batchesPerEpoch,
          trainLoss: r.loss,
          trainAcc: r.acc,
          lr: r.lr,
        });
      }
      s.progress.seconds += (performance.now() - t0) / 1000;
      yield {
        type: "step",
        step: s.progress.step,
        epoch: e + 1,
        batch: b,
        seen: r.seen,
        total: n,
        loss: r.loss,
        acc: r.acc,
        lr: r.lr,
        imagesPerSecond: (e * n + r.seen) / s.progress.seconds,
        row: s.progress.metrics.at(-1)!,
      };
      await yieldToEventLoop();
      if (b < s.batchesPerEpoch - 1 && shouldStop()) {
        await s.runner?.sync(); // the caller saves a checkpoint from the CPU model
        return "stopped";
      }
    }
    s.progress.epoch = e + 1;
    s.progress.batch = 0;
    const last = s.progress.metrics.at(-1)!; // the epoch's last batch is always measured
    const t = {
      epoch: e + 1,
      seconds: s.progress.seconds,
      valAcc: last.valAcc!,
      valLoss: last.valLoss!,
    };
    s.progress.timeline.push(t);
    yield { type: "epochEnd", epochs: c.epochs, ...t };
    if (s.progress.epoch < c.epochs && shouldStop()) return "stopped";
  }
  return "done";
}

/**
 * {@linkcode runEpochs} with callbacks: trains from the session's progress to the last epoch,
 * or until `shouldStop()`. Returns "done" or "stopped"; throws as `runEpochs` does.
 */
export async function trainEpochs(
  s: TrainSession,
  data: TrainData,
  hooks: TrainHooks = {},
): Promise<"done" | "stopped"> {
  const loop = runEpochs(s, data, () => hooks.shouldStop?.() ?? false);
  for (;;) {
    const { value: event, done } = await loop.next();
    if (done) return event;
    if (event.type === "validation") await hooks.log?.(event.line);
    else if (event.type === "step") hooks.onBatch?.(event.seen, event.total);
    else await hooks.onEpochEnd?.(s);
  }
}
