/**
 * `Solver`: trains a classifier with minibatch gradient descent, as the homework's
 * `Solver`/`ClassifierTrainer` does — update rules `sgd`, `sgd_momentum`, `rmsprop`, `adam`,
 * learning-rate decay per epoch, train/val accuracy measured every few iterations on a sample
 * of 1,000 training images and the validation set, loss and accuracy histories, and the best
 * parameters by validation accuracy.
 *
 * The update maths runs in kernels (`kernelsFor(dtype)`); the Solver only keeps the state.
 * `sgd_momentum` uses PyTorch's form (v = μv + g; w −= lr·v), which equals the homework's
 * (v = μv − lr·g; w += v) while the learning rate is constant.
 *
 * @module
 */

import { kernelsFor } from "../kernels/mod.ts";
import { Rng } from "../core/random.ts";
import { Tensor } from "../core/tensor.ts";
import type { Dataset } from "../core/dataset.ts";

/** A model the Solver can train: named parameters and a loss. */
export interface Classifier {
  /** The learnable parameters by name (the homework's `model.params`). */
  readonly params: Record<string, Tensor>;
  /** Class scores (N, classes) for a batch. */
  scores(x: Tensor): Tensor;
  /** Loss and gradients (same names as params) for a labelled batch. */
  loss(x: Tensor, y: Int32Array): { loss: number; grads: Record<string, Tensor> };
}

/** The update rules of the homework. */
export type UpdateRule = "sgd" | "sgd_momentum" | "rmsprop" | "adam";
/** Every `UpdateRule`, for validating flags and listing them in errors. */
export const UPDATE_RULES: readonly UpdateRule[] = ["sgd", "sgd_momentum", "rmsprop", "adam"];

/** Solver settings; every field has the homework's default. */
export interface SolverOptions {
  /** How parameters are updated (default "sgd_momentum"). */
  updateRule?: UpdateRule;
  /** Step size at the start (default 1e-4); `lrDecay` shrinks it per epoch. */
  learningRate?: number;
  /** Momentum for `sgd_momentum` (0.9). */
  momentum?: number;
  /** Decay rate of `rmsprop`'s squared-gradient average (0.99). */
  decayRate?: number;
  /** Adam's decay rate of the gradient's moving average (0.9). */
  beta1?: number;
  /** Adam's decay rate of the squared gradient's moving average (0.999). */
  beta2?: number;
  /** Added to the denominators of `rmsprop` and `adam` (1e-8). */
  epsilon?: number;
  /** Multiply the learning rate by this after each epoch (1: no decay). */
  lrDecay?: number;
  /** Training images per iteration (50). */
  batchSize?: number;
  /** Passes over the training set (1). */
  numEpochs?: number;
  /** Measure train/val accuracy every this many iterations (and at each epoch's end). */
  accFrequency?: number;
  /** How many training images the train accuracy is measured on (1,000). */
  numTrainSamples?: number;
  /** Batch size used when computing scores for accuracy. */
  evalBatchSize?: number;
  /** Seed of the batch order and the train-accuracy sample (0). */
  seed?: number;
  /** Called after each accuracy check and each iteration; for logging and progress. */
  onCheck?: (check: Check) => void;
  /** Called after each iteration with its 1-based number and its loss. */
  onIteration?: (iteration: number, loss: number) => void;
}

/** One accuracy measurement. */
export interface Check {
  /** Iterations done when measured (1-based). */
  iteration: number;
  /** Epochs completed: counts the current epoch once its last iteration is done. */
  epoch: number;
  /** Loss of the last minibatch. */
  loss: number;
  /** Accuracy in [0, 1] on a sample of `numTrainSamples` training images. */
  trainAcc: number;
  /** Accuracy in [0, 1] on the whole validation set. */
  valAcc: number;
  /** Learning rate in use at this iteration. */
  learningRate: number;
  /** Seconds since `train()` started. */
  seconds: number;
}

/** Thrown when the loss stops being finite. */
export class DivergenceError extends Error {
  /**
   * A divergence at `iteration` (1-based) with `learningRate`, where the loss became `loss` (NaN or
   * ±Infinity).
   */
  constructor(readonly iteration: number, readonly learningRate: number, loss: number) {
    super(
      `Training diverged: the loss became ${loss} at iteration ${iteration} with learning rate ` +
        `${learningRate.toExponential(2)}; lower --lr (or raise --reg) and try again`,
    );
    this.name = "DivergenceError";
  }
}

function checkOption(name: string, value: number, ok: boolean, range: string): void {
  if (!ok || !Number.isFinite(value)) {
    throw new RangeError(`Invalid ${name} ${value}: it must be ${range}`);
  }
}

/** Validates solver options up front, naming the valid range of each. */
export function resolveSolverOptions(o: SolverOptions): Required<
  Omit<
    SolverOptions,
    "onCheck" | "onIteration"
  >
> {
  const r = {
    updateRule: o.updateRule ?? "sgd_momentum",
    learningRate: o.learningRate ?? 1e-4,
    momentum: o.momentum ?? 0.9,
    decayRate: o.decayRate ?? 0.99,
    beta1: o.beta1 ?? 0.9,
    beta2: o.beta2 ?? 0.999,
    epsilon: o.epsilon ?? 1e-8,
    lrDecay: o.lrDecay ?? 1,
    batchSize: o.batchSize ?? 50,
    numEpochs: o.numEpochs ?? 1,
    accFrequency: o.accFrequency ?? 50,
    numTrainSamples: o.numTrainSamples ?? 1000,
    evalBatchSize: o.evalBatchSize ?? 500,
    seed: o.seed ?? 0,
  };
  if (!UPDATE_RULES.includes(r.updateRule)) {
    throw new RangeError(
      `Unknown update rule "${r.updateRule}": use one of ${UPDATE_RULES.join(", ")}`,
    );
  }
  checkOption("learning rate", r.learningRate, r.learningRate > 0, "> 0");
  checkOption("momentum", r.momentum, r.momentum >= 0 && r.momentum < 1, "in [0, 1)");
  checkOption("decay rate", r.decayRate, r.decayRate > 0 && r.decayRate < 1, "in (0, 1)");
  checkOption("beta1", r.beta1, r.beta1 >= 0 && r.beta1 < 1, "in [0, 1)");
  checkOption("beta2", r.beta2, r.beta2 >= 0 && r.beta2 < 1, "in [0, 1)");
  checkOption("epsilon", r.epsilon, r.epsilon > 0, "> 0");
  checkOption("lr decay", r.lrDecay, r.lrDecay > 0 && r.lrDecay <= 1, "in (0, 1]");
  for (
    const [name, v] of [
      ["batch size", r.batchSize],
      ["number of epochs", r.numEpochs],
      ["accuracy frequency", r.accFrequency],
      ["number of train samples", r.numTrainSamples],
      ["eval batch size", r.evalBatchSize],
    ] as const
  ) checkOption(name, v, Number.isInteger(v) && v >= 1, "an integer ≥ 1");
  checkOption("seed", r.seed, Number.isInteger(r.seed), "an integer");
  return r;
}

/** Trains a `Classifier` on a training and a validation `Dataset`. */
export class Solver {
  /** The options with every default filled in and validated. */
  readonly options: Required<Omit<SolverOptions, "onCheck" | "onIteration">>;
  /** The loss of every iteration, in order. */
  readonly lossHistory: number[] = [];
  /** Every accuracy measurement, in order. */
  readonly checks: Check[] = [];
  /** Best validation accuracy seen so far (−1 before the first check). */
  bestValAcc: number = -1;
  /**
   * Copies of the parameters at the best validation accuracy; `train()` loads them back at the end.
   */
  bestParams: Record<string, Tensor> = {};
  /** Seconds from the start of `train()` to the first check with val accuracy ≥ 0.5. */
  secondsToHalf: number | null = null;
  /** The current learning rate (multiplied by `lrDecay` after each epoch). */
  learningRate: number;
  private readonly state = new Map<string, Tensor[]>();
  private step = 0;

  /**
   * A solver for `model` on `data.train` and `data.val` with `hooks` as its options and callbacks;
   * throws a RangeError for an invalid option or an empty set.
   */
  constructor(
    readonly model: Classifier,
    readonly data: { train: Dataset; val: Dataset },
    private readonly hooks: Pick<SolverOptions, "onCheck" | "onIteration"> & SolverOptions = {},
  ) {
    this.options = resolveSolverOptions(hooks);
    this.learningRate = this.options.learningRate;
    if (data.train.length < 1 || data.val.length < 1) {
      throw new RangeError(
        `Cannot train: the training (${data.train.length}) and validation (${data.val.length}) sets must not be empty`,
      );
    }
  }

  /** Fraction of `dataset` (or of its first `limit` indices of `order`) classified right. */
  checkAccuracy(dataset: Dataset, indices?: Int32Array): number {
    const n = indices ? indices.length : dataset.length;
    const batch = this.options.evalBatchSize;
    let correct = 0;
    for (let start = 0; start < n; start += batch) {
      const idx = new Int32Array(Math.min(batch, n - start));
      for (let i = 0; i < idx.length; i++) idx[i] = indices ? indices[start + i] : start + i;
      const scores = this.model.scores(dataset.gather(idx));
      const predicted = argmaxRows(scores);
      for (let i = 0; i < idx.length; i++) {
        if (predicted[i] === dataset.labels[idx[i]]) correct++;
      }
    }
    return correct / n;
  }

  /** Runs the whole optimisation; returns the best validation accuracy. */
  train(): number {
    for (const _ of this.iterations());
    return this.bestValAcc;
  }

  /**
   * The optimisation one iteration at a time: yields the iteration number (1-based) after each
   * update (and its accuracy check), and at the end loads the best parameters into the model,
   * as `train()` does. A caller that awaits between iterations (a notebook's live progress)
   * lets the event loop run while training.
   */
  *iterations(): Generator<number, void, void> {
    const o = this.options;
    const rng = new Rng(o.seed);
    const { train, val } = this.data;
    const perEpoch = Math.max(Math.floor(train.length / o.batchSize), 1);
    const total = perEpoch * o.numEpochs;
    const started = performance.now();
    let order = rng.permutation(train.length);
    let lastLoss = NaN;
    for (let it = 0; it < total; it++) {
      const epoch = Math.floor(it / perEpoch);
      const within = it % perEpoch;
      if (within === 0 && it > 0) order = rng.permutation(train.length);
      const idx = order.subarray(within * o.batchSize, (within + 1) * o.batchSize);
      const { loss, grads } = this.model.loss(train.gather(idx), gatherLabels(train, idx));
      if (!Number.isFinite(loss)) throw new DivergenceError(it + 1, this.learningRate, loss);
      lastLoss = loss;
      this.lossHistory.push(loss);
      this.update(grads);
      this.hooks.onIteration?.(it + 1, loss);
      const epochEnd = within === perEpoch - 1;
      if (it === 0 || epochEnd || (it + 1) % o.accFrequency === 0) {
        const sample = rng.permutation(train.length).subarray(
          0,
          Math.min(o.numTrainSamples, train.length),
        );
        const check: Check = {
          iteration: it + 1,
          epoch: epochEnd ? epoch + 1 : epoch,
          loss: lastLoss,
          trainAcc: this.checkAccuracy(train, sample),
          valAcc: this.checkAccuracy(val),
          learningRate: this.learningRate,
          seconds: (performance.now() - started) / 1000,
        };
        this.checks.push(check);
        if (check.valAcc > this.bestValAcc) {
          this.bestValAcc = check.valAcc;
          this.bestParams = Object.fromEntries(
            Object.entries(this.model.params).map(([k, v]) => [k, v.clone()]),
          );
        }
        if (this.secondsToHalf === null && check.valAcc >= 0.5) {
          this.secondsToHalf = check.seconds;
        }
        this.hooks.onCheck?.(check);
      }
      if (epochEnd) this.learningRate *= o.lrDecay;
      yield it + 1;
    }
    for (const [k, v] of Object.entries(this.bestParams)) this.model.params[k].data.set(v.data);
  }

  /** One step of the update rule on every parameter, with its per-parameter state. */
  private update(grads: Record<string, Tensor>): void {
    const o = this.options;
    this.step++;
    for (const [name, w] of Object.entries(this.model.params)) {
      const g = grads[name];
      if (!g || g.size !== w.size) {
        throw new TypeError(`Cannot update "${name}": the model returned no matching gradient`);
      }
      const k = kernelsFor(w.dtype);
      const n = w.size;
      const s = this.slots(name, w, o.updateRule === "adam" ? 2 : 1);
      switch (o.updateRule) {
        case "sgd":
          k.sgdStep(w.data, g.data, s[0].data, n, this.learningRate, 0, 0, false);
          break;
        case "sgd_momentum":
          k.sgdStep(w.data, g.data, s[0].data, n, this.learningRate, o.momentum, 0, false);
          break;
        case "rmsprop":
          k.rmspropStep(w.data, g.data, s[0].data, n, this.learningRate, o.decayRate, o.epsilon);
          break;
        case "adam":
          k.adamStep(
            w.data,
            g.data,
            s[0].data,
            s[1].data,
            n,
            this.learningRate,
            o.beta1,
            o.beta2,
            o.epsilon,
            this.step,
            0,
            false,
          );
          break;
      }
    }
  }

  /**
   * The `count` state tensors (velocity, caches, moments) of parameter `name`, zero on first use.
   */
  private slots(name: string, w: Tensor, count: number): Tensor[] {
    let s = this.state.get(name);
    if (!s) {
      s = Array.from({ length: count }, () => Tensor.zeros(w.shape, w.dtype));
      this.state.set(name, s);
    }
    return s;
  }
}

/** The index of the largest score in each row.  scores: (N, C) */
export function argmaxRows(scores: Tensor): Int32Array {
  const [N, C] = scores.shape;
  const out = new Int32Array(N);
  for (let n = 0; n < N; n++) {
    let best = 0;
    for (let c = 1; c < C; c++) {
      if (scores.data[n * C + c] > scores.data[n * C + best]) best = c;
    }
    out[n] = best;
  }
  return out;
}

function gatherLabels(d: Dataset, idx: Int32Array): Int32Array {
  const y = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) y[i] = d.labels[idx[i]];
  return y;
}
