/**
 * The model `deno task predict` reads, from a file's bytes: in its own module, free of the
 * command line and file system, so the page's trainer Worker (web/src/trainer.ts) loads a picked
 * weights file with the same code and messages.
 *
 * @module
 */

import {
  buildModel,
  decodeWeights,
  type LoadedWeights,
  peekTrainCheckpoint,
  TRAIN_FORMAT,
} from "../nn/checkpoint.ts";
import { decodeSafetensors } from "../nn/safetensors.ts";
import { Tensor } from "../core/tensor.ts";

/** The weights-file `model` metadata of `deno task train:twolayer` (Part 1), which predict lacks. */
const PART1_MODELS = ["TwoLayerConvNet", "ThreeLayerConvNet"];

/**
 * The model in a weights file or a training checkpoint (`checkpoint.safetensors`, whose
 * `model.*` tensors and progress hold the same model, normalisation and recipe), with the
 * metadata predict reads (`tta`), from the file's bytes; `source` names the file in the messages.
 * Part 1 weights are refused by name.
 */
export function decodePredictModel(bytes: Uint8Array, source: string): LoadedWeights {
  const { metadata } = decodeSafetensors(bytes, source);
  if (PART1_MODELS.includes(metadata.model)) {
    throw new TypeError(
      `Cannot predict with ${source}: it holds the Part 1 ${metadata.model} of ` +
        "train:twolayer, which predict does not support; pass the weights or run folder of " +
        "train:convnet or train:mymodel",
    );
  }
  if (metadata.format !== TRAIN_FORMAT) return decodeWeights(bytes, { source });
  const state = peekTrainCheckpoint(bytes, source);
  const model = buildModel(state.config);
  const weights = new Map<string, Tensor>();
  for (const [name, t] of decodeSafetensors(bytes, source).tensors) {
    if (name.startsWith("model.")) {
      weights.set(name.slice("model.".length), new Tensor(t.data as Float32Array, t.shape));
    }
  }
  try {
    model.loadStateDict(weights);
  } catch (e) {
    throw new TypeError(`Cannot load ${source}: ${(e as Error).message}`);
  }
  const progress = state.progress as { config?: { tta?: boolean; ttaTranslate?: number } } | null;
  const translate = progress?.config?.ttaTranslate;
  return {
    model,
    config: state.config,
    normalization: state.normalization,
    metadata: {
      ...metadata,
      tta: String(progress?.config?.tta ?? false),
      ...(translate ? { tta_translate: String(translate) } : {}),
    },
  };
}
