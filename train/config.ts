/**
 * The flags of `deno task train` (the homework's `train.py` flags plus ours), their defaults per
 * model (our `run_convnet.sh` / `run_mymodel.sh`), and their checks.
 *
 * @module
 */

import { parseFlags } from "./cli.ts";
import { CIFAR10_DIR_HELP, CIFAR10_DIR_OPTION } from "../data/locate.ts";
import { MODEL_NAMES, type ModelName } from "../nn/checkpoint.ts";
import { type BackendName, BACKENDS } from "./backend.ts";
import type { PadMode } from "../data/augment.ts";
import { AIRNET_WIDTHS } from "../nn/models/airnet.ts";

/** Learning-rate schedules `--schedule` accepts. */
export const SCHEDULES = ["constant", "cosine", "onecycle", "triangle"] as const;
/** A schedule name. */
export type ScheduleName = (typeof SCHEDULES)[number];

/**
 * The fast-recipe switches (issue 24, Keller Jordan's airbench), each its own flag. A run
 * stores only those that differ from {@link RECIPE_OFF}, so the configurations (and numbers) of
 * runs without them are what they were before the switches existed.
 */
export interface RecipeSwitches {
  /** Whitening initialisation of the first conv from the first N training images (0: off). */
  whiten: number;
  /** Epochs the whitened first conv's bias trains (its weights never do); then lr scale 0. */
  whitenBiasEpochs: number;
  /** Dirac initialisation of the 'same'-padded stride-1 convs (all but a whitened first). */
  dirac: boolean;
  /** Batch norms' scale frozen at 1 (mymodel, airnet; airnet's own default is frozen). */
  freezeBnScale: boolean;
  /** The batch-norm biases' learning rate is this × --lr (their weight decay ÷ this). */
  bnBiasLrScale: number;
  /** SGD's weight decay decoupled: w ← w·(1 − lr·wd) before the step. */
  decoupledWd: boolean;
  /** Lookahead: every 5 steps the weights move to an EMA of them (decay 0.95⁵·(t/T)³). */
  lookahead: boolean;
  /** Translate augmentation: padding before the random crop, in pixels. */
  pad: number;
  /** What that padding holds. */
  padMode: PadMode;
  /** Flips alternate per image and epoch (a seeded coin, then its opposite) instead of random. */
  alternateFlips: boolean;
  /** Test-time augmentation also over the images shifted by ±N pixels diagonally (0: off). */
  ttaTranslate: number;
}

/** The switches' values when not given: the recipes before issue 24. */
export const RECIPE_OFF: Readonly<RecipeSwitches> = {
  whiten: 0,
  whitenBiasEpochs: 3,
  dirac: false,
  freezeBnScale: false,
  bnBiasLrScale: 1,
  decoupledWd: false,
  lookahead: false,
  pad: 4,
  padMode: "zero",
  alternateFlips: false,
  ttaTranslate: 0,
};

/** A configuration's switches, the absent ones from {@link RECIPE_OFF}. */
export function recipeSwitches(c: Partial<RecipeSwitches>): RecipeSwitches {
  const out = { ...RECIPE_OFF } as Record<string, unknown>;
  for (const key of Object.keys(RECIPE_OFF)) {
    const v = (c as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = v;
  }
  return out as unknown as RecipeSwitches;
}

/** Everything a training run is made from; saved as `config.json` and in the checkpoint. */
export interface TrainConfig extends Partial<RecipeSwitches> {
  /** airnet's three block widths. */
  widths?: number[];
  /** The model trained (`convnet`, `mymodel` or `airnet`). */
  model: ModelName;
  /** The peak learning rate. */
  lr: number;
  /** SGD momentum. */
  momentum: number;
  /** L2 weight decay. */
  weightDecay: number;
  /** Nesterov momentum. */
  nesterov: boolean;
  /** The learning-rate schedule. */
  schedule: ScheduleName;
  /** Fraction of the steps the one-cycle rate rises (or the cosine warms up). */
  warmup: number;
  /** Label smoothing of the training loss (0: none). */
  labelSmoothing: number;
  /** Random 4-pixel crops and horizontal flips of the training images. */
  augment: boolean;
  /** Average the logits of each image and its mirror image when evaluating. */
  tta: boolean;
  /** Training images per step. */
  batchSize: number;
  /** Passes over the training images. */
  epochs: number;
  /** The model's hidden width. */
  hiddenDim: number;
  /** The model's conv kernel size. */
  kernelSize: number;
  /** Seeds the weights, the image order and the augmentations. */
  seed: number;
  /** Images per evaluation batch. */
  testBatchSize: number;
  /** Measure the validation set every this many batches. */
  logInterval: number;
  /** Training images (default all 49,000 not kept for validation). */
  numTrain: number;
  /** Validation images. */
  numVal: number;
  /** Test images. */
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
  airnet: {
    model: "airnet",
    widths: [...AIRNET_WIDTHS],
    freezeBnScale: true,
    lr: 0.75,
    momentum: 0.85,
    weightDecay: 5e-4,
    nesterov: true,
    schedule: "triangle",
    warmup: 0.23,
    labelSmoothing: 0.2,
    augment: true,
    tta: true,
    batchSize: 512,
    epochs: 10,
    hiddenDim: AIRNET_WIDTHS[0],
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
 * What airbench's two recipes share: the net, 10 epochs, the recipe's pieces, and its optimiser
 * in this library's terms. airbench sums the loss over the batch and sets
 * lr = 11.5 / (1024·(1 + 1/(1 − 0.85))) per summed example, so on the mean loss the rate is
 * 1.5 at batch 1024 (0.75 at 512); its weight decay, 0.0153 per 1024 examples scaled the same
 * way, acts through the momentum buffer, so decoupled it is 0.0153 / 11.5 / (1 − 0.85) per unit
 * of lr.
 */
const AIRBENCH = {
  model: "airnet",
  momentum: 0.85,
  nesterov: true,
  decoupledWd: true,
  weightDecay: 0.0153 / 11.5 / (1 - 0.85),
  labelSmoothing: 0.2,
  schedule: "triangle",
  warmup: 0.23,
  // Validation with shift-and-flip TTA runs 6 forward passes per image: twice an epoch (its
  // first and last batch) instead of every 20 batches.
  logInterval: 100,
  epochs: 10,
  whiten: 5000,
  whitenBiasEpochs: 3,
  dirac: true,
  freezeBnScale: true,
  bnBiasLrScale: 64,
  lookahead: true,
  augment: true,
  pad: 2,
  padMode: "reflect",
  alternateFlips: true,
  tta: true,
  ttaTranslate: 1,
} as const;

/** The named recipes of `--recipe`: a model and its settings; later flags override them. */
export const RECIPES = {
  /** airbench's 93% recipe (widths 64/128/128, batch 512, 10 epochs). */
  airbench93: {
    ...AIRBENCH,
    widths: [64, 128, 128],
    lr: 0.75,
    batchSize: 512,
  },
  /** airbench94's recipe (widths 64/256/256, batch 1024, 10 epochs). */
  airbench94: {
    ...AIRBENCH,
    widths: [64, 256, 256],
    lr: 1.5,
    batchSize: 1024,
  },
} as const satisfies Record<string, Partial<TrainConfig>>;
/** A recipe name. */
export type RecipeName = keyof typeof RECIPES;

/**
 * The default learning rate at `batchSize`: the recipe's, scaled linearly from the recipe's
 * batch size (Goyal et al. 2017), so that a smaller batch does not take the larger batch's
 * steps (convnet at batch 50 with the batch-128 rate climbs to a loss of 2e12). At the
 * recipe's own batch size it is the recipe's rate, bit for bit.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULTS, scaledLr } from "./config.ts";
 * assert.equal(scaledLr(DEFAULTS.convnet, 128), 0.02);
 * assert.equal(scaledLr(DEFAULTS.convnet, 64), 0.01);
 * ```
 */
export function scaledLr(recipe: TrainConfig, batchSize: number): number {
  return batchSize === recipe.batchSize ? recipe.lr : recipe.lr * batchSize / recipe.batchSize;
}

/** The triangle schedule (airbench's): it starts at this × lr … */
export const TRIANGLE_START = 0.2;
/** … and ends at this × lr. */
export const TRIANGLE_END = 0.07;

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
const RECIPE_NUMBER_FLAGS = {
  whiten: ["whiten", "int"],
  "whiten-bias-epochs": ["whitenBiasEpochs", "int"],
  "bn-bias-lr-scale": ["bnBiasLrScale", "number"],
  pad: ["pad", "int"],
  "tta-translate": ["ttaTranslate", "int"],
} as const;
const RECIPE_BOOL_FLAGS = {
  dirac: "dirac",
  "freeze-bn-scale": "freezeBnScale",
  "decoupled-wd": "decoupledWd",
  lookahead: "lookahead",
  "alternate-flips": "alternateFlips",
} as const;
const RUN_FLAGS = ["out", "resume", "threads", "backend", "cifar10-dir", "help"];

/** `--help`'s lines for the switches, with their defaults from {@link RECIPE_OFF}. */
const RECIPE_FLAG_HELP: [string, string][] = [
  [
    `--whiten N`,
    `whitening init of airnet's stem from the first N training images [${RECIPE_OFF.whiten}]`,
  ],
  [
    `--whiten-bias-epochs N`,
    `epochs the whitened stem's bias trains [${RECIPE_OFF.whitenBiasEpochs}]`,
  ],
  [`--dirac / --no-dirac`, `dirac init of the 'same' 3×3 convs [${onOff(RECIPE_OFF.dirac)}]`],
  [
    `--freeze-bn-scale / --no-…`,
    `batch-norm scales frozen at 1 [${onOff(RECIPE_OFF.freezeBnScale)}; airnet: on]`,
  ],
  [
    `--bn-bias-lr-scale X`,
    `batch-norm biases at X × lr, weight decay ÷ X [${RECIPE_OFF.bnBiasLrScale}]`,
  ],
  [
    `--decoupled-wd / --no-…`,
    `decoupled weight decay w ← w·(1 − lr·wd) [${onOff(RECIPE_OFF.decoupledWd)}]`,
  ],
  [
    `--lookahead / --no-…`,
    `lookahead: every 5 steps to an EMA, decay 0.95⁵·(t/T)³ [${onOff(RECIPE_OFF.lookahead)}]`,
  ],
  [`--pad N`, `translate augmentation: pad N, random crop [${RECIPE_OFF.pad}]`],
  [`--pad-mode M`, `zero or reflect padding [${RECIPE_OFF.padMode}]`],
  [
    `--alternate-flips / --no-…`,
    `flips alternate per image and epoch [${onOff(RECIPE_OFF.alternateFlips)}]`,
  ],
  [`--tta-translate N`, `TTA also over images shifted ±N pixels [${RECIPE_OFF.ttaTranslate}]`],
];

function onOff(v: boolean): string {
  return v ? "on" : "off";
}

/** `--help` of `deno task train`. */
export const TRAIN_HELP = `Train a ConvNet on CIFAR-10 (the homework's train.py).

Usage: deno task train --model convnet|mymodel|airnet [options]
       deno task train --recipe airbench93|airbench94 [options]
       deno task train --resume RUN_DIR [--threads N] [--backend B]

Model and recipe (defaults depend on --model; see the configuration printed at start):
  --model NAME            convnet (the homework's shallow net), mymodel (ResNet-9 style) or
                          airnet (airbench's net: whitened 2×2 stem, three conv blocks)
  --recipe NAME           a named recipe: its model and settings (listed below); the other
                          flags override them
  --widths A,B,C          airnet's three block widths (default ${AIRNET_WIDTHS.join(",")})
  --hidden-dim N          width: convnet's conv filters, mymodel's first stage
  --kernel-size K         odd kernel size of the convolutions
  --lr X                  (peak) learning rate of SGD (default: the recipe's, scaled
                          linearly when --batch-size differs from the recipe's)
  --momentum X            SGD momentum (0 turns it off)
  --weight-decay X        L2 weight decay (PyTorch's weight_decay)
  --nesterov / --no-nesterov
  --schedule S            constant, cosine, onecycle (--warmup: the rising part) or triangle
                          (airbench's: ${TRIANGLE_START}·lr rising to lr at --warmup, then to ${TRIANGLE_END}·lr)
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

Fast-recipe switches (off unless given or set by --recipe; default in brackets):
${RECIPE_FLAG_HELP.map(([flag, text]) => `  ${flag.padEnd(28)}${text}`).join("\n")}

Recipes:
${Object.keys(RECIPES).map((name) => recipeHelp(name as RecipeName)).join("\n")}
`;

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
 * import { recipeHelp } from "./config.ts";
 * assert.match(recipeHelp("convnet"), /--lr 0\.02 .*--batch-size 128 .*--no-nesterov/s);
 * ```
 */
export function recipeHelp(model: ModelName | RecipeName): string {
  const isRecipe = Object.hasOwn(RECIPES, model);
  const c =
    (isRecipe
      ? { ...DEFAULTS.airnet, ...RECIPES[model as RecipeName] }
      : DEFAULTS[model as ModelName]) as unknown as Record<
        string,
        number | boolean | string | number[]
      >;
  const flags = isRecipe ? [`--model ${c.model}`] : [];
  flags.push(`--schedule ${c.schedule}`);
  if (c.widths !== undefined) flags.push(`--widths ${(c.widths as number[]).join(",")}`);
  for (const [flag, [key]] of Object.entries(NUMBER_FLAGS)) flags.push(`--${flag} ${c[key]}`);
  for (const [flag, key] of Object.entries(BOOL_FLAGS)) {
    flags.push(`--${c[key] ? "" : "no-"}${flag}`);
  }
  for (const [flag, [key]] of Object.entries(RECIPE_NUMBER_FLAGS)) {
    if (c[key] !== undefined) flags.push(`--${flag} ${c[key]}`);
  }
  if (c.padMode !== undefined) flags.push(`--pad-mode ${c.padMode}`);
  for (const [flag, key] of Object.entries(RECIPE_BOOL_FLAGS)) {
    if (c[key] !== undefined) flags.push(`--${c[key] ? "" : "no-"}${flag}`);
  }
  const lines = [isRecipe ? `--recipe ${model}:` : `Defaults of --model ${model}:`];
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

/** `--widths A,B,C`: three integers. */
function parseWidths(text: string): number[] {
  const widths = text.split(",").map((w) => parseNumber("widths", w, "int"));
  if (widths.length !== 3 || widths.some((w) => w < 1)) {
    throw new RangeError(
      `Cannot use --widths ${text}: give airnet's three block widths, integers ≥ 1 (e.g. 64,128,128)`,
    );
  }
  return widths;
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
    recipe: { type: "string" },
    widths: { type: "string" },
    "pad-mode": { type: "string" },
    help: { type: "boolean", short: "h" },
  };
  for (const flag of Object.keys({ ...NUMBER_FLAGS, ...RECIPE_NUMBER_FLAGS })) {
    options[flag] = { type: "string" };
  }
  for (const flag of Object.keys({ ...BOOL_FLAGS, ...RECIPE_BOOL_FLAGS })) {
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
  const recipe = values.recipe as string | undefined;
  if (recipe !== undefined && !Object.hasOwn(RECIPES, recipe)) {
    throw new RangeError(
      `Cannot use --recipe ${recipe}: use one of ${Object.keys(RECIPES).join(", ")}`,
    );
  }
  const preset: Partial<TrainConfig> = recipe === undefined
    ? {}
    : structuredClone(RECIPES[recipe as RecipeName]) as Partial<TrainConfig>;
  const model = values.model ?? preset.model;
  if (typeof model !== "string" || !(MODEL_NAMES as readonly string[]).includes(model)) {
    throw new RangeError(
      `Cannot train ${model === undefined ? "without --model" : `--model ${model}`}: ` +
        `use --model ${MODEL_NAMES.join(" or --model ")}, or --recipe ${
          Object.keys(RECIPES).join(" or --recipe ")
        }`,
    );
  }
  if (preset.model !== undefined && model !== preset.model) {
    throw new RangeError(
      `Cannot use --recipe ${recipe} with --model ${model}: the recipe trains ${preset.model}`,
    );
  }
  const base: TrainConfig = { ...structuredClone(DEFAULTS[model as ModelName]), ...preset };
  const config: TrainConfig = structuredClone(base);
  const set = config as unknown as Record<string, number | boolean | string | number[]>;
  const numberFlags = { ...NUMBER_FLAGS, ...RECIPE_NUMBER_FLAGS };
  for (const [flag, [key, kind]] of Object.entries(numberFlags)) {
    const text = values[flag];
    if (typeof text === "string") set[key] = parseNumber(flag, text, kind);
  }
  if (typeof values["pad-mode"] === "string") set.padMode = values["pad-mode"];
  if (typeof values.widths === "string") set.widths = parseWidths(values.widths);
  for (const [flag, key] of Object.entries({ ...BOOL_FLAGS, ...RECIPE_BOOL_FLAGS })) {
    if (values[flag] && values[`no-${flag}`]) {
      throw new RangeError(`Cannot use both --${flag} and --no-${flag}`);
    }
    if (values[flag]) set[key] = true;
    if (values[`no-${flag}`]) set[key] = false;
  }
  if (typeof values.schedule === "string") set.schedule = values.schedule;
  if (values.lr === undefined) config.lr = scaledLr(base, config.batchSize);
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
  checkRecipeSwitches(c);
}

function checkRecipeSwitches(c: TrainConfig): void {
  const r = recipeSwitches(c);
  for (
    const [flag, v] of [
      ["whiten", r.whiten],
      ["whiten-bias-epochs", r.whitenBiasEpochs],
      ["tta-translate", r.ttaTranslate],
      ["pad", r.pad],
    ] as const
  ) atLeast(flag, v, 0);
  if (!(r.bnBiasLrScale > 0)) {
    throw new RangeError(`Cannot use --bn-bias-lr-scale ${r.bnBiasLrScale}: it must be > 0`);
  }
  if (r.padMode !== "zero" && r.padMode !== "reflect") {
    throw new RangeError(`Cannot use --pad-mode ${r.padMode}: use zero or reflect`);
  }
  const maxShift = r.padMode === "reflect" ? 31 : 32;
  if (r.pad > maxShift || r.ttaTranslate > 31) {
    throw new RangeError(
      `Cannot use --pad ${r.pad} / --tta-translate ${r.ttaTranslate}: shifts must stay below ` +
        `the 32-pixel image (pad ≤ ${maxShift}, tta-translate ≤ 31)`,
    );
  }
  if (c.widths !== undefined && c.model !== "airnet") {
    throw new RangeError(`Cannot use --widths with --model ${c.model}: only airnet has blocks`);
  }
  if (r.whiten > 0 && c.model !== "airnet") {
    throw new RangeError(
      `Cannot use --whiten with --model ${c.model}: whitening needs a first conv with 2·C·K·K ` +
        `filters, which airnet's 2×2 stem has; use --model airnet`,
    );
  }
  if (r.whiten > c.numTrain) {
    throw new RangeError(
      `Cannot use --whiten ${r.whiten} with --num-train ${c.numTrain}: whitening reads the ` +
        `first N training images; use --whiten ${c.numTrain} or fewer`,
    );
  }
  if (c.freezeBnScale && c.model === "convnet") {
    throw new RangeError("Cannot use --freeze-bn-scale with --model convnet: it has no batch norm");
  }
  const augmentOnly = r.alternateFlips || r.pad !== RECIPE_OFF.pad ||
    r.padMode !== RECIPE_OFF.padMode;
  if (augmentOnly && !c.augment) {
    throw new RangeError(
      "Cannot use --pad, --pad-mode or --alternate-flips with --no-augment: they shape the " +
        "augmentation; drop them or use --augment",
    );
  }
  if (r.ttaTranslate > 0 && !c.tta) {
    throw new RangeError("Cannot use --tta-translate with --no-tta: drop one of them");
  }
}
