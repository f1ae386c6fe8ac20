/**
 * The flags of `deno task train` (the homework's `train.py` flags plus ours), their defaults per
 * model (our `run_convnet.sh` / `run_mymodel.sh`), and their checks.
 *
 * @module
 */

import { parseFlags } from "./_cli.ts";
import { CIFAR10_DIR_HELP, CIFAR10_DIR_OPTION } from "../data/locate.ts";
import { MODEL_NAMES, type ModelName } from "../nn/checkpoint.ts";
import { type BackendName, BACKENDS } from "./_train_backend.ts";

/** Learning-rate schedules `--schedule` accepts. */
export const SCHEDULES = ["constant", "cosine", "onecycle"] as const;
/** A schedule name. */
export type ScheduleName = (typeof SCHEDULES)[number];

/** Everything a training run is made from; saved as `config.json` and in the checkpoint. */
export interface TrainConfig {
  model: ModelName;
  lr: number;
  momentum: number;
  weightDecay: number;
  nesterov: boolean;
  schedule: ScheduleName;
  /** Fraction of the steps the one-cycle rate rises (or the cosine warms up). */
  warmup: number;
  labelSmoothing: number;
  /** Random 4-pixel crops and horizontal flips of the training images. */
  augment: boolean;
  /** Average the logits of each image and its mirror image when evaluating. */
  tta: boolean;
  batchSize: number;
  epochs: number;
  hiddenDim: number;
  kernelSize: number;
  seed: number;
  testBatchSize: number;
  logInterval: number;
  /** Training images (default all 49,000 not kept for validation). */
  numTrain: number;
  numVal: number;
  numTest: number;
}

/** What only this invocation decides: where, how fast, whether to resume. */
export interface RunOptions {
  out?: string;
  resume?: string;
  threads: number;
  backend: BackendName;
  cifar10Dir?: string;
  /**
   * The run flags given on the command line (`threads`, `backend`, …): a resumed run takes the
   * others from its run folder.
   */
  explicit: readonly string[];
}

/** The recipes `train:convnet` and `train:mymodel` run (the lead tunes them with fast kernels). */
export const DEFAULTS: Record<ModelName, TrainConfig> = {
  convnet: {
    model: "convnet",
    lr: 0.02,
    momentum: 0.9,
    weightDecay: 5e-4,
    nesterov: false,
    schedule: "cosine",
    warmup: 0,
    labelSmoothing: 0,
    augment: false,
    tta: false,
    batchSize: 128,
    epochs: 4,
    hiddenDim: 32,
    kernelSize: 7,
    seed: 1,
    testBatchSize: 500,
    logInterval: 100,
    numTrain: 49000,
    numVal: 1000,
    numTest: 10000,
  },
  mymodel: {
    model: "mymodel",
    lr: 0.4,
    momentum: 0.9,
    weightDecay: 5e-4,
    nesterov: true,
    schedule: "onecycle",
    warmup: 0.25,
    labelSmoothing: 0.2,
    augment: true,
    tta: true,
    batchSize: 512,
    epochs: 13,
    hiddenDim: 16,
    kernelSize: 3,
    seed: 1,
    testBatchSize: 500,
    logInterval: 20,
    numTrain: 49000,
    numVal: 1000,
    numTest: 10000,
  },
};

/**
 * The default learning rate at `batchSize`: the recipe's, scaled linearly from the recipe's
 * batch size (Goyal et al. 2017), so that a smaller batch does not take the larger batch's
 * steps (convnet at batch 50 with the batch-128 rate climbs to a loss of 2e12). At the
 * recipe's own batch size it is the recipe's rate, bit for bit.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULTS, scaledLr } from "./_train_config.ts";
 * assert.equal(scaledLr(DEFAULTS.convnet, 128), 0.02);
 * assert.equal(scaledLr(DEFAULTS.convnet, 64), 0.01);
 * ```
 */
export function scaledLr(recipe: TrainConfig, batchSize: number): number {
  return batchSize === recipe.batchSize ? recipe.lr : recipe.lr * batchSize / recipe.batchSize;
}

/** `--help` of `deno task train`. */
export const TRAIN_HELP = `Train a ConvNet on CIFAR-10 (the homework's train.py).

Usage: deno task train --model convnet|mymodel [options]
       deno task train --resume RUN_DIR [--threads N] [--backend B]

Model and recipe (defaults depend on --model; see the configuration printed at start):
  --model NAME            convnet (the homework's shallow net) or mymodel (ResNet-9 style)
  --hidden-dim N          width: convnet's conv filters, mymodel's first stage
  --kernel-size K         odd kernel size of the convolutions
  --lr X                  (peak) learning rate of SGD (default: the recipe's, scaled
                          linearly when --batch-size differs from the recipe's)
  --momentum X            SGD momentum (0 turns it off)
  --weight-decay X        L2 weight decay (PyTorch's weight_decay)
  --nesterov / --no-nesterov
  --schedule S            constant, cosine or onecycle
  --warmup F              fraction of the steps spent warming up (cosine) or rising (onecycle)
  --label-smoothing X     label smoothing of the cross-entropy, in [0, 1)
  --augment / --no-augment    random crops and flips of the training images
  --tta / --no-tta        flip test-time augmentation when evaluating
  --batch-size N          training batch size
  --epochs N              passes over the training images
  --seed N                seed of the initial weights, the shuffling and the augmentation
  --test-batch-size N     batch size when evaluating
  --log-interval N        batches between log lines (each measures the validation set)
  --num-train N           training images (default 49000; fewer for a quick run)
  --num-val N             validation images, the last of the training files (default 1000)
  --num-test N            test images (default 10000)

Run:
  --out DIR               the run folder (default runs/<model>-<timestamp>)
  --resume DIR            continue the run in DIR from its last checkpoint, with the data
                          folder, --threads and --backend its config.json records (the
                          numbers depend on them) unless given again
  --threads N             worker threads of the kernels (default $CONVNET_THREADS, else the cores)
  --backend B             ref, wasm, webgpu or auto (default wasm; webgpu trains convnet or
                          mymodel on the GPU, evaluation stays on WASM; auto times a few
                          steps on both and takes webgpu only on a hardware adapter that
                          measures faster, printing why)
${CIFAR10_DIR_HELP}
  -h, --help              show this help
`;

const NUMBER_FLAGS = {
  lr: ["lr", "number"],
  momentum: ["momentum", "number"],
  "weight-decay": ["weightDecay", "number"],
  warmup: ["warmup", "number"],
  "label-smoothing": ["labelSmoothing", "number"],
  "batch-size": ["batchSize", "int"],
  epochs: ["epochs", "int"],
  "hidden-dim": ["hiddenDim", "int"],
  "kernel-size": ["kernelSize", "int"],
  seed: ["seed", "int"],
  "test-batch-size": ["testBatchSize", "int"],
  "log-interval": ["logInterval", "int"],
  "num-train": ["numTrain", "int"],
  "num-val": ["numVal", "int"],
  "num-test": ["numTest", "int"],
} as const;
const BOOL_FLAGS = { nesterov: "nesterov", augment: "augment", tta: "tta" } as const;
const RUN_FLAGS = ["out", "resume", "threads", "backend", "cifar10-dir", "help"];

/** What the command line asked for. */
export type ParsedTrainArgs =
  | { help: true; model?: ModelName }
  | { help: false; config: TrainConfig | null; overrides: string[]; run: RunOptions };

/**
 * The recipe of `model` as flags, for `--help` (`train:convnet --help` shows its own defaults).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recipeHelp } from "./_train_config.ts";
 * assert.match(recipeHelp("convnet"), /--lr 0\.02 .*--batch-size 128 .*--no-nesterov/s);
 * ```
 */
export function recipeHelp(model: ModelName): string {
  const c = DEFAULTS[model] as unknown as Record<string, number | boolean | string>;
  const flags = [`--schedule ${c.schedule}`];
  for (const [flag, [key]] of Object.entries(NUMBER_FLAGS)) flags.push(`--${flag} ${c[key]}`);
  for (const [flag, key] of Object.entries(BOOL_FLAGS)) {
    flags.push(`--${c[key] ? "" : "no-"}${flag}`);
  }
  const lines = [`Defaults of --model ${model}:`];
  let line = " ";
  for (const f of flags) {
    if (line.length + f.length + 1 > 96) {
      lines.push(line);
      line = " ";
    }
    line += ` ${f}`;
  }
  return [...lines, line].join("\n");
}

/** A flag's number, or a RangeError naming the flag and whether a number or integer is needed. */
export function parseNumber(flag: string, text: string, kind: "number" | "int"): number {
  const v = Number(text);
  if (text.trim() === "" || !Number.isFinite(v) || (kind === "int" && !Number.isInteger(v))) {
    throw new RangeError(
      `Cannot use --${flag} ${text}: it must be ${kind === "int" ? "an integer" : "a number"}`,
    );
  }
  return v;
}

function defaultThreads(): number {
  const env = Deno.permissions.querySync({ name: "env", variable: "CONVNET_THREADS" });
  const text = env.state === "granted" ? Deno.env.get("CONVNET_THREADS") : undefined;
  if (text !== undefined && text !== "") {
    return parseNumber("threads ($CONVNET_THREADS)", text, "int");
  }
  return navigator.hardwareConcurrency ?? 1;
}

/**
 * Parses the command line. With `--resume`, `config` is null (the checkpoint holds it) and any
 * recipe flag is refused; otherwise `--model` is required and the other flags override its
 * defaults. Throws a RangeError naming the flag for anything wrong.
 */
export function parseTrainArgs(args: string[]): ParsedTrainArgs {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {
    ...CIFAR10_DIR_OPTION,
    model: { type: "string" },
    out: { type: "string" },
    resume: { type: "string" },
    threads: { type: "string" },
    backend: { type: "string" },
    schedule: { type: "string" },
    help: { type: "boolean", short: "h" },
  };
  for (const flag of Object.keys(NUMBER_FLAGS)) options[flag] = { type: "string" };
  for (const flag of Object.keys(BOOL_FLAGS)) {
    options[flag] = { type: "boolean" };
    options[`no-${flag}`] = { type: "boolean" };
  }
  const { values } = parseFlags({ args, options, allowPositionals: false }) as {
    values: Record<string, string | boolean | undefined>;
  };
  if (values.help) {
    const model = values.model as ModelName;
    return MODEL_NAMES.includes(model) ? { help: true, model } : { help: true };
  }
  const run = parseRunOptions(values);
  const overrides = Object.keys(values).filter((k) => !RUN_FLAGS.includes(k));
  if (run.resume !== undefined) {
    if (overrides.length > 0) {
      throw new RangeError(
        `Cannot combine --resume with --${overrides.join(", --")}: a resumed run keeps the ` +
          `configuration saved in its checkpoint (only --threads, --backend and --cifar10-dir may change)`,
      );
    }
    return { help: false, config: null, overrides, run };
  }
  const model = values.model;
  if (typeof model !== "string" || !(MODEL_NAMES as readonly string[]).includes(model)) {
    throw new RangeError(
      `Cannot train ${model === undefined ? "without --model" : `--model ${model}`}: ` +
        `use --model ${MODEL_NAMES.join(" or --model ")}`,
    );
  }
  const config: TrainConfig = { ...DEFAULTS[model as ModelName] };
  const set = config as unknown as Record<string, number | boolean | string>;
  for (const [flag, [key, kind]] of Object.entries(NUMBER_FLAGS)) {
    const text = values[flag];
    if (typeof text === "string") set[key] = parseNumber(flag, text, kind);
  }
  for (const [flag, key] of Object.entries(BOOL_FLAGS)) {
    if (values[flag] && values[`no-${flag}`]) {
      throw new RangeError(`Cannot use both --${flag} and --no-${flag}`);
    }
    if (values[flag]) set[key] = true;
    if (values[`no-${flag}`]) set[key] = false;
  }
  if (typeof values.schedule === "string") set.schedule = values.schedule;
  if (values.lr === undefined) config.lr = scaledLr(DEFAULTS[model as ModelName], config.batchSize);
  checkTrainConfig(config);
  return { help: false, config, overrides, run };
}

function parseRunOptions(values: Record<string, string | boolean | undefined>): RunOptions {
  const backend = (values.backend as string | undefined) ?? "wasm";
  if (!(BACKENDS as readonly string[]).includes(backend)) {
    throw new RangeError(`Cannot use --backend ${backend}: use one of ${BACKENDS.join(", ")}`);
  }
  const threads = typeof values.threads === "string"
    ? parseNumber("threads", values.threads, "int")
    : defaultThreads();
  if (threads < 1) throw new RangeError(`Cannot use --threads ${threads}: it must be ≥ 1`);
  return {
    out: values.out as string | undefined,
    resume: values.resume as string | undefined,
    threads,
    backend: backend as BackendName,
    cifar10Dir: values["cifar10-dir"] as string | undefined,
    explicit: RUN_FLAGS.filter((flag) => values[flag] !== undefined),
  };
}

function atLeast(flag: string, v: number, min: number): void {
  if (!(v >= min)) throw new RangeError(`Cannot use --${flag} ${v}: it must be ≥ ${min}`);
}

/** Checks the ranges of a configuration (also one read back from a checkpoint). */
export function checkTrainConfig(c: TrainConfig): void {
  if (!(SCHEDULES as readonly string[]).includes(c.schedule)) {
    throw new RangeError(
      `Cannot use --schedule ${c.schedule}: use one of ${SCHEDULES.join(", ")}`,
    );
  }
  for (
    const [flag, v] of [["lr", c.lr], ["momentum", c.momentum], ["weight-decay", c.weightDecay]]
  ) atLeast(flag as string, v as number, 0);
  if (c.momentum >= 1) throw new RangeError(`Cannot use --momentum ${c.momentum}: it must be < 1`);
  if (c.nesterov && c.momentum === 0) {
    throw new RangeError("Cannot use --nesterov with --momentum 0: Nesterov needs momentum > 0");
  }
  if (!(c.labelSmoothing >= 0 && c.labelSmoothing < 1)) {
    throw new RangeError(`Cannot use --label-smoothing ${c.labelSmoothing}: it must be in [0, 1)`);
  }
  if (!(c.warmup >= 0 && c.warmup < 1)) {
    throw new RangeError(`Cannot use --warmup ${c.warmup}: it must be in [0, 1)`);
  }
  const ints: [string, number, number][] = [
    ["batch-size", c.batchSize, 1],
    ["epochs", c.epochs, 1],
    ["hidden-dim", c.hiddenDim, 1],
    ["kernel-size", c.kernelSize, 1],
    ["test-batch-size", c.testBatchSize, 1],
    ["log-interval", c.logInterval, 1],
    ["num-train", c.numTrain, 1],
    ["num-val", c.numVal, 1],
    ["num-test", c.numTest, 1],
  ];
  for (const [flag, v, min] of ints) atLeast(flag, v, min);
  if (c.kernelSize % 2 === 0) {
    throw new RangeError(`Cannot use --kernel-size ${c.kernelSize}: it must be odd (3, 5, 7, …)`);
  }
}
