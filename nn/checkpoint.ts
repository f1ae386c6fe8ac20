/**
 * Checkpoints in the safetensors format (see `./safetensors.ts`).
 *
 * Two kinds of file:
 *
 * - the **weights** (`<model>.safetensors`): the model's `stateDict()` under PyTorch's names
 *   (`conv.weight`, `prep.1.running_mean`, …), dtype F32, and in `__metadata__` (strings, as
 *   the format requires):
 *   - `format`: `"convnet.ts/weights-v1"`;
 *   - `model`: the configuration JSON `{"name","imSize","hiddenDim","kernelSize","nClasses"}`
 *     that {@linkcode buildModel} rebuilds the model from;
 *   - `normalization`: the input normalisation's JSON (`Normalization.toJSON()`), when given;
 *   - `first_conv`: the first conv layer's weight name, for the filter grid;
 *   - any extra string fields the caller adds (`classes`, say).
 * - the **training checkpoint** (`checkpoint.safetensors`): the same model tensors prefixed
 *   `model.`, the optimizer's `stateDict()` prefixed `optimizer.`, and in `__metadata__`
 *   `format: "convnet.ts/train-v1"`, `model`, `normalization`, and `progress`: a JSON object
 *   the training task owns (epoch, step, config, metrics history).
 *
 * Not saved: the generator state of `Dropout` modules (neither model uses dropout; a model that
 * did would not resume bit for bit), and BatchNorm's `num_batches_tracked` (`interop/weights.py`
 * loads the weights into PyTorch with `strict=True` and fills that counter in itself).
 *
 * Loading refuses, each with a message that says what to do: a truncated or corrupt file (the
 * safetensors decoder), a file without our metadata, a checkpoint of another model than the
 * one asked for, and tensors whose names or shapes do not match the rebuilt model.
 *
 * @module
 */

import { CNN } from "./models/convnet.ts";
import { MyModel } from "./models/mymodel.ts";
import { AirNet, AIRNET_WIDTHS } from "./models/airnet.ts";
import type { ImSize } from "./models/_args.ts";
import type { Module } from "./modules/module.ts";
import type { Optimizer } from "./optim.ts";
import { Rng } from "../core/random.ts";
import { decodeSafetensors, encodeSafetensors, type SafeTensor } from "./safetensors.ts";
import { Tensor } from "../core/tensor.ts";

/** The model names `buildModel` knows, as the homework's `--model` flag spells them. */
export const MODEL_NAMES = ["convnet", "mymodel", "airnet"] as const;
/** A model name. */
export type ModelName = (typeof MODEL_NAMES)[number];

/** What rebuilds a model: its name and constructor arguments. */
export interface ModelConfig {
  /** Which architecture: `convnet` (`CNN`) or `mymodel` (`MyModel`). */
  name: ModelName;
  /** (C, H, W) of one input image, e.g. [3, 32, 32] for CIFAR-10. */
  imSize: [number, number, number];
  /** Width: the conv's filters (`CNN`) or the first stage's channels (`MyModel`). */
  hiddenDim: number;
  /** Side of the square conv kernels (odd, for 'same' padding). */
  kernelSize: number;
  /** Number of classes: the width of the output logits. */
  nClasses: number;
  /** airnet's three block widths (airnet ignores hiddenDim and kernelSize). */
  widths?: number[];
  /** Batch norms with their scale frozen at 1 (mymodel: default false; airnet: default true). */
  frozenBnScale?: boolean;
}

/** `__metadata__.format` of a weights file. */
export const WEIGHTS_FORMAT = "convnet.ts/weights-v1";
/** `__metadata__.format` of a training checkpoint. */
export const TRAIN_FORMAT = "convnet.ts/train-v1";

/**
 * A float32 model from its configuration, with initial weights from `seed`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildModel } from "./checkpoint.ts";
 * const net = buildModel({ name: "convnet", imSize: [3, 32, 32], hiddenDim: 4, kernelSize: 3, nClasses: 10 });
 * assert.deepEqual([...net.stateDict().keys()], ["conv.weight", "conv.bias", "fc.weight", "fc.bias"]);
 * ```
 */
export function buildModel(config: ModelConfig, seed = 0): CNN | MyModel | AirNet {
  const args = [
    config.imSize as ImSize,
    config.hiddenDim,
    config.kernelSize,
    config.nClasses,
  ] as const;
  const options = { rng: new Rng(seed), dtype: "float32" as const };
  if (config.name === "convnet") return new CNN(...args, options);
  const frozenBnScale = config.frozenBnScale;
  if (config.name === "mymodel") return new MyModel(...args, { ...options, frozenBnScale });
  if (config.name === "airnet") {
    return new AirNet(config.imSize, config.widths ?? [...AIRNET_WIDTHS], config.nClasses, {
      ...options,
      frozenBnScale,
    });
  }
  throw new RangeError(
    `Cannot build model "${(config as { name: unknown }).name}": use one of ${
      MODEL_NAMES.join(", ")
    }`,
  );
}

/** The name of the first conv layer's weight in a model's state dict (rank 4, first). */
export function firstConvName(model: Module): string | undefined {
  for (const [name, t] of model.stateDict()) if (t.rank === 4) return name;
  return undefined;
}

/** Options of {@linkcode encodeWeights}. */
export interface WeightsOptions {
  /** The input normalisation (`Normalization.toJSON()`), saved so prediction can redo it. */
  normalization?: unknown;
  /** More `__metadata__` strings. */
  extra?: Record<string, string>;
}

function tensorsOf(model: Module, prefix = ""): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [name, t] of model.stateDict()) out[prefix + name] = t;
  return out;
}

/** The weights file's bytes for `model` built from `config`. */
export function encodeWeights(
  model: Module,
  config: ModelConfig,
  options: WeightsOptions = {},
): Uint8Array {
  const metadata: Record<string, string> = {
    ...options.extra,
    format: WEIGHTS_FORMAT,
    model: JSON.stringify(config),
  };
  if (options.normalization !== undefined) {
    metadata.normalization = JSON.stringify(options.normalization);
  }
  const first = firstConvName(model);
  if (first !== undefined) metadata.first_conv = first;
  return encodeSafetensors(tensorsOf(model), metadata);
}

/** A model rebuilt from a weights file, with what else the file said. */
export interface LoadedWeights {
  /** The rebuilt model (float32) with the file's weights loaded. */
  model: CNN | MyModel | AirNet;
  /** The configuration read from the file's `model` metadata. */
  config: ModelConfig;
  /** The saved normalisation JSON, or undefined when none was saved. */
  normalization: unknown;
  /** Every `__metadata__` string of the file, `format` and `model` included. */
  metadata: Record<string, string>;
}

function parseConfig(metadata: Record<string, string>, source: string): ModelConfig {
  const raw = metadata.model;
  if (raw === undefined) {
    throw new TypeError(
      `Cannot load ${source}: its __metadata__ has no "model" configuration, so it was not ` +
        `written by convnet.ts (deno task train:convnet or train:mymodel write one)`,
    );
  }
  let config: ModelConfig;
  try {
    config = JSON.parse(raw);
  } catch (e) {
    throw new TypeError(`Cannot load ${source}: __metadata__.model is not JSON (${e})`);
  }
  if (!MODEL_NAMES.includes(config?.name)) {
    throw new TypeError(
      `Cannot load ${source}: it holds model "${config?.name}", not one of ${
        MODEL_NAMES.join(", ")
      }`,
    );
  }
  return config;
}

function toTensor(t: SafeTensor, name: string, source: string): Tensor {
  if (!(t.data instanceof Float32Array || t.data instanceof Float64Array)) {
    throw new TypeError(`Cannot load "${name}" from ${source}: dtype ${t.dtype} is not F32/F64`);
  }
  return new Tensor(t.data, t.shape);
}

function refuseOtherModel(config: ModelConfig, expect: ModelName | undefined, source: string) {
  if (expect !== undefined && config.name !== expect) {
    throw new TypeError(
      `Cannot load ${source} as a ${expect}: it is a checkpoint of ${config.name}; ` +
        `pass --model ${config.name} or another checkpoint`,
    );
  }
}

function loadInto(model: Module, state: Map<string, Tensor>, source: string): void {
  try {
    model.loadStateDict(state);
  } catch (e) {
    throw new TypeError(`Cannot load ${source}: ${(e as Error).message}`);
  }
}

/**
 * Rebuilds the model saved in weights-file bytes. `expect` refuses a file of another model.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildModel, decodeWeights, encodeWeights, type ModelConfig } from "./checkpoint.ts";
 * const config: ModelConfig = { name: "convnet", imSize: [3, 8, 8], hiddenDim: 2, kernelSize: 3, nClasses: 10 };
 * const bytes = encodeWeights(buildModel(config, 7), config);
 * const { model } = decodeWeights(bytes);
 * assert.deepEqual(model.stateDict().get("fc.bias")!.data, buildModel(config, 7).stateDict().get("fc.bias")!.data);
 * assert.throws(() => decodeWeights(bytes, { expect: "mymodel" }), /checkpoint of convnet/);
 * assert.throws(() => decodeWeights(bytes.subarray(0, bytes.length - 4)), /truncated/);
 * ```
 */
export function decodeWeights(
  bytes: Uint8Array,
  options: { source?: string; expect?: ModelName } = {},
): LoadedWeights {
  const source = options.source ?? "the weights";
  const st = decodeSafetensors(bytes, source);
  const config = parseConfig(st.metadata, source);
  refuseOtherModel(config, options.expect, source);
  const model = buildModel(config);
  const state = new Map<string, Tensor>();
  for (const [name, t] of st.tensors) state.set(name, toTensor(t, name, source));
  loadInto(model, state, source);
  const norm = st.metadata.normalization;
  return {
    model,
    config,
    normalization: norm === undefined ? undefined : JSON.parse(norm),
    metadata: st.metadata,
  };
}

/** Reads a weights file and rebuilds its model; see {@linkcode decodeWeights}. */
export async function loadWeights(
  path: string,
  options: { expect?: ModelName } = {},
): Promise<LoadedWeights> {
  return decodeWeights(await Deno.readFile(path), { ...options, source: `"${path}"` });
}

/** What a training checkpoint holds besides the tensors. */
export interface TrainState {
  /** What rebuilds the model the checkpoint's tensors belong to. */
  config: ModelConfig;
  /** The input normalisation (`Normalization.toJSON()`), when the run used one. */
  normalization?: unknown;
  /** The training task's progress: epoch, step, configuration, metrics (any JSON). */
  progress: unknown;
  /** More state saved under its own names (a `WeightAverage`'s `average.*`). */
  extra?: Map<string, Tensor>;
}

/** Something with a state dict of its own, saved beside the model and optimizer. */
export interface ExtraState {
  /** The tensors to save, each named `average.…`. */
  stateDict(): Map<string, Tensor>;
  /** Restores them (checking names and shapes). */
  loadStateDict(state: Map<string, Tensor>): void;
}

/** The prefix of the extra state's names in a training checkpoint (`WeightAverage`'s). */
export const EXTRA_PREFIX = "average.";

/** The training checkpoint's bytes: model and optimizer tensors, and the progress. */
export function encodeTrainCheckpoint(
  model: Module,
  optimizer: Optimizer,
  state: TrainState,
): Uint8Array {
  const tensors: Record<string, Tensor> = tensorsOf(model, "model.");
  for (const [name, t] of optimizer.stateDict()) tensors[`optimizer.${name}`] = t;
  for (const [name, t] of state.extra ?? []) {
    if (!name.startsWith(EXTRA_PREFIX)) {
      throw new TypeError(
        `Cannot save extra state "${name}": its name must start with ${EXTRA_PREFIX}`,
      );
    }
    tensors[name] = t;
  }
  const metadata: Record<string, string> = {
    format: TRAIN_FORMAT,
    model: JSON.stringify(state.config),
    progress: JSON.stringify(state.progress),
  };
  if (state.normalization !== undefined) {
    metadata.normalization = JSON.stringify(state.normalization);
  }
  return encodeSafetensors(tensors, metadata);
}

/** Reads a training checkpoint's configuration and progress without loading the tensors. */
export function peekTrainCheckpoint(bytes: Uint8Array, source = "the checkpoint"): TrainState {
  const st = decodeSafetensors(bytes, source);
  if (st.metadata.format !== TRAIN_FORMAT) {
    throw new TypeError(
      `Cannot resume from ${source}: its format is "${st.metadata.format}", not "${TRAIN_FORMAT}" ` +
        `(resume from the run folder's checkpoint.safetensors, not the weights file)`,
    );
  }
  const config = parseConfig(st.metadata, source);
  const norm = st.metadata.normalization;
  return {
    config,
    normalization: norm === undefined ? undefined : JSON.parse(norm),
    progress: JSON.parse(st.metadata.progress ?? "null"),
  };
}

/**
 * Loads a training checkpoint's tensors into `model` and `optimizer` (built from the saved
 * configuration), after checking every name and shape; returns the saved state.
 */
export function loadTrainCheckpoint(
  bytes: Uint8Array,
  model: Module,
  optimizer: Optimizer,
  options: { source?: string; expect?: ModelName; extra?: ExtraState } = {},
): TrainState {
  const source = options.source ?? "the checkpoint";
  const state = peekTrainCheckpoint(bytes, source);
  refuseOtherModel(state.config, options.expect, source);
  const st = decodeSafetensors(bytes, source);
  const weights = new Map<string, Tensor>(), opt = new Map<string, Tensor>();
  const extra = new Map<string, Tensor>();
  for (const [name, t] of st.tensors) {
    if (name.startsWith("model.")) weights.set(name.slice(6), toTensor(t, name, source));
    else if (name.startsWith("optimizer.")) opt.set(name.slice(10), toTensor(t, name, source));
    else if (name.startsWith(EXTRA_PREFIX)) extra.set(name, toTensor(t, name, source));
    else {throw new TypeError(
        `Cannot load ${source}: tensor "${name}" is neither model. nor optimizer.`,
      );}
  }
  loadInto(model, weights, source);
  try {
    optimizer.loadStateDict(opt);
  } catch (e) {
    throw new TypeError(`Cannot load ${source}: ${(e as Error).message}`);
  }
  if (options.extra !== undefined) {
    try {
      options.extra.loadStateDict(extra);
    } catch (e) {
      throw new TypeError(`Cannot load ${source}: ${(e as Error).message}`);
    }
  } else if (extra.size > 0) {
    throw new TypeError(
      `Cannot load ${source}: it holds ${EXTRA_PREFIX}* tensors (a weight average) but this run ` +
        "keeps none; resume it with its own configuration",
    );
  }
  return state;
}
