/**
 * `deno task predict`: the homework's `test.py`. Rebuilds a trained model from its weights
 * file (`<model>.safetensors`, whose metadata holds the configuration and the normalisation),
 * predicts the CIFAR-10 test batch or a `.npy` of uint8 images (N, 32, 32, 3), and writes
 * `predictions.csv` (`image_id,label`, then one row per image, 0-based ids) atomically. With
 * the CIFAR-10 test batch the labels are known, so it prints the accuracy too.
 *
 * @module
 */

import { parseFlags, runTask } from "../train/cli.ts";
import {
  CIFAR10_DIR_HELP,
  CIFAR10_DIR_OPTION,
  ensureCifar10,
  IMAGE_BYTES,
  type ImageSet,
  loadCifar10,
  Normalization,
  type NormalizationJSON,
} from "../data/mod.ts";
import type { LoadedWeights } from "../nn/checkpoint.ts";
import { decodePredictModel } from "../train/predict_model.ts";
import { readNpyUint8 } from "./_npy.ts";
import { predictSet } from "../train/eval.ts";
import { CHECKPOINT_FILE, StepBar } from "../train/files.ts";
import { writeFileAtomic } from "../train/viz/image.ts";

const HELP = `Predict classes with a trained model (the homework's test.py).

Usage: deno task predict --model CHECKPOINT [--images test_images.npy] [--out predictions.csv]

  --model PATH       the weights file (runs/…/<model>.safetensors), its run folder, or the
                     run's training checkpoint (runs/…/checkpoint.safetensors)
  --images PATH      a .npy of uint8 images (N, 32, 32, 3); default: the CIFAR-10 test batch
  --out PATH         the CSV to write (default predictions.csv)
  --batch-size N     images per forward pass (default 500)
  --limit N          predict only the first N images
  --no-tta           no test-time augmentation (default: as the model was trained: flips,
                     and the shifts of train --tta-translate)
${CIFAR10_DIR_HELP}
  -h, --help         show this help
`;

/** (N, 32, 32, 3) channels-last images → an ImageSet (N, 3, 32, 32); labels unknown (0). */
export function imagesFromHwc(
  data: Uint8Array,
  shape: readonly number[],
  source: string,
): ImageSet {
  if (shape.length !== 4 || shape[1] !== 32 || shape[2] !== 32 || shape[3] !== 3) {
    throw new TypeError(
      `Cannot predict ${source}: the images must have shape (N, 32, 32, 3), got (${
        shape.join(", ")
      })`,
    );
  }
  const n = shape[0];
  const images = new Uint8Array(n * IMAGE_BYTES); // images: (N, 3, 32, 32)
  for (let i = 0; i < n; i++) {
    const base = i * IMAGE_BYTES;
    for (let p = 0; p < 1024; p++) {
      images[base + p] = data[base + 3 * p];
      images[base + 1024 + p] = data[base + 3 * p + 1];
      images[base + 2048 + p] = data[base + 3 * p + 2];
    }
  }
  return { images, labels: new Uint8Array(n) };
}

/** The weights file a `--model` path means: the file, or the one in a run folder. */
export async function resolveWeights(path: string): Promise<string> {
  const info = await Deno.stat(path).catch((e) => {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`Cannot predict with --model "${path}": no such file or folder`);
    }
    throw e;
  });
  if (!info.isDirectory) return path;
  const found: string[] = [];
  for await (const e of Deno.readDir(path)) {
    if (e.isFile && e.name.endsWith(".safetensors") && e.name !== CHECKPOINT_FILE) {
      found.push(e.name);
    }
  }
  if (found.length !== 1) {
    throw new Error(
      `Cannot predict with --model "${path}": the folder holds ${found.length} weights files ` +
        `(${found.join(", ") || "none"}); name one`,
    );
  }
  return `${path}/${found[0]}`;
}

/**
 * The model in a weights file or a training checkpoint, read from `path`; see
 * {@linkcode decodePredictModel}.
 */
export async function loadPredictModel(path: string): Promise<LoadedWeights> {
  return decodePredictModel(await Deno.readFile(path), `"${path}"`);
}

/**
 * The predictions CSV text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { predictionsCsv } from "./predict.ts";
 * assert.equal(predictionsCsv(new Int32Array([3, 8])), "image_id,label\n0,3\n1,8\n");
 * ```
 */
export function predictionsCsv(preds: Int32Array): string {
  const lines = ["image_id,label"];
  for (let i = 0; i < preds.length; i++) lines.push(`${i},${preds[i]}`);
  return lines.join("\n") + "\n";
}

function positiveInt(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (!Number.isInteger(v) || v < 1) {
    throw new RangeError(`Cannot use --${flag} ${text}: it must be an integer ≥ 1`);
  }
  return v;
}

/** Runs the prediction task with command-line `args`; returns the exit code. */
export async function predict(args: string[]): Promise<number> {
  const { values } = parseFlags({
    args,
    options: {
      ...CIFAR10_DIR_OPTION,
      model: { type: "string" },
      images: { type: "string" },
      out: { type: "string", default: "predictions.csv" },
      "batch-size": { type: "string" },
      limit: { type: "string" },
      "no-tta": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (values.model === undefined) {
    throw new RangeError("Cannot predict without --model: pass runs/<run>/<model>.safetensors");
  }
  const batchSize = positiveInt("batch-size", values["batch-size"], 500);
  const weightsPath = await resolveWeights(values.model);
  const { model, config, normalization, metadata } = await loadPredictModel(weightsPath);
  const normalize = normalization === undefined
    ? Normalization.none()
    : Normalization.fromJSON(normalization as NormalizationJSON);
  const tta = !values["no-tta"] && metadata.tta === "true";
  const ttaTranslate = tta ? Number(metadata.tta_translate ?? 0) : 0;
  let set: ImageSet, labelled: boolean, source: string;
  if (values.images !== undefined) {
    const path = values.images;
    const npy = await readNpyUint8(path).catch((e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
      throw new Error(
        `Cannot predict --images "${path}": no such file (pass a .npy of uint8 images ` +
          "(N, 32, 32, 3), or leave --images out for the CIFAR-10 test batch)",
      );
    });
    set = imagesFromHwc(npy.data, npy.shape, `"${values.images}"`);
    labelled = false;
    source = values.images;
  } else {
    const dir = await ensureCifar10({ cifar10Dir: values["cifar10-dir"], download: false });
    set = (await loadCifar10(dir)).test;
    labelled = true;
    source = `the CIFAR-10 test batch in ${dir}`;
  }
  if (values.limit !== undefined) {
    const n = Math.min(positiveInt("limit", values.limit, 1), set.labels.length);
    set = { images: set.images.subarray(0, n * IMAGE_BYTES), labels: set.labels.subarray(0, n) };
  }
  console.log(
    `Configuration: ${
      JSON.stringify({
        model: weightsPath,
        architecture: model.toString(),
        config,
        normalization: normalize.toString(),
        tta,
        ...(ttaTranslate ? { ttaTranslate } : {}),
        images: source,
        count: set.labels.length,
        out: values.out,
        batchSize,
      })
    }`,
  );
  const bar = new StepBar(() => "predicting");
  const preds = await predictSet(model, set, {
    normalize,
    batchSize,
    tta,
    ttaTranslate,
    onBatch: (done) => bar.update(done, set.labels.length),
  });
  bar.clear();
  await writeFileAtomic(values.out!, predictionsCsv(preds));
  console.log(`Wrote ${preds.length} predictions to ${values.out}`);
  if (labelled) {
    let correct = 0;
    for (let i = 0; i < preds.length; i++) if (preds[i] === set.labels[i]) correct++;
    const pct = (100 * correct / preds.length).toFixed(2);
    console.log(`Accuracy: ${correct}/${preds.length} (${pct}%)`);
  }
  return 0;
}

export { decodePredictModel };

if (import.meta.main) await runTask("predict", () => predict(Deno.args));
