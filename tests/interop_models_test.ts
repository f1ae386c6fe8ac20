/**
 * Saved weights both ways between convnet.ts and PyTorch (interop/), on real CIFAR-10 test
 * images:
 *
 * - our `convnet`, `mymodel` and `airnet` (narrow), briefly trained here (so BatchNorm's running
 *   statistics are not their initial 0 and 1), load strictly into the PyTorch twins, which give
 *   the same logits (normalisation, flip TTA and airnet's shift TTA as the file says) and the same
 *   predictions, and `test.py` writes the same predictions.csv as `deno task predict`;
 * - twins initialised and briefly trained in PyTorch, saved by interop/weights.py, give the same
 *   predictions in `deno task predict` (its library function) and the same logits here.
 *
 * Skipped, with a note, without PyTorch or without CIFAR10_DIR.
 */
import { labelsInt32, makeBatch } from "../data/batches.ts";
import { type ImageSet, loadCifar10 } from "../data/cifar10.ts";
import { Normalization } from "../data/normalize.ts";
import { sliceImages } from "../data/splits.ts";
import { buildModel, encodeWeights, loadWeights, type ModelConfig } from "../nn/checkpoint.ts";
import { crossEntropy } from "../nn/losses.ts";
import type { Module } from "../nn/modules/module.ts";
import { SGD } from "../nn/optim.ts";
import { loadSafetensors, saveSafetensors } from "../nn/safetensors.ts";
import { Tensor } from "../core/tensor.ts";
import { argmaxRows } from "../nn/solver.ts";
import { predictBatch } from "../train/eval.ts";
import { predict } from "../tasks/predict.ts";
import { NO_TORCH_NOTE, normRel, PYTHON, runOracle, torchAvailable } from "../interop/torch.ts";
import { assertAtMost, assertEquals, assertTrue } from "./_assert.ts";

const HAS_TORCH = await torchAvailable();
const CIFAR10_DIR = Deno.env.get("CIFAR10_DIR");
if (!HAS_TORCH) console.warn(`interop_models_test.ts: ${NO_TORCH_NOTE}`);
else if (!CIFAR10_DIR) console.warn("interop_models_test.ts: CIFAR10_DIR is not set: skipping");

/**
 * The largest |our logit − PyTorch's logit| allowed (the bound), also relative to the
 * largest logit (mymodel's logits are small: ×1/8). Measured: 9.5e-7 absolute (convnet).
 */
const TOL_LOGITS = 1e-4;
/** The share of test images that must get the same class on both sides. */
const MIN_AGREEMENT = 0.999;
/** Test images compared, and the brief training: steps of a batch on the first images. */
const N_TEST = 500, STEPS = 6, BATCH = 64;
const RECIPE = { lr: 0.05, momentum: 0.9, weightDecay: 5e-4, nesterov: true, labelSmoothing: 0.2 };
/** The models compared; `translate`: the shift TTA's pixels (airbench's level 2), 0 for none. */
const MODELS: { config: ModelConfig; tta: boolean; translate: number }[] = [
  {
    config: { name: "convnet", imSize: [3, 32, 32], hiddenDim: 8, kernelSize: 5, nClasses: 10 },
    tta: false,
    translate: 0,
  },
  {
    config: { name: "mymodel", imSize: [3, 32, 32], hiddenDim: 8, kernelSize: 3, nClasses: 10 },
    tta: true,
    translate: 0,
  },
  {
    config: {
      name: "airnet",
      imSize: [3, 32, 32],
      hiddenDim: 64,
      kernelSize: 3,
      nClasses: 10,
      widths: [8, 16, 16],
      frozenBnScale: true,
    },
    tta: true,
    translate: 1,
  },
];

/** The TTA strings of a weights file's metadata for `m`. */
function ttaMetadata(m: { tta: boolean; translate: number }): Record<string, string> {
  return { tta: String(m.tta), ...(m.translate ? { tta_translate: String(m.translate) } : {}) };
}

function trainBriefly(model: Module, set: ImageSet, normalize: Normalization): void {
  model.train();
  const sgd = new SGD(model.parameters(), RECIPE);
  for (let s = 0; s < STEPS; s++) {
    const batch = makeBatch(set, Array.from({ length: BATCH }, (_, i) => s * BATCH + i), {
      normalize,
    });
    const { dlogits } = crossEntropy(model.forward(batch.x), batch.y, RECIPE);
    sgd.zeroGrad();
    model.backward(dlogits);
    sgd.step();
  }
  model.eval();
}

/** Compares our logits with PyTorch's: same class on ≥ MIN_AGREEMENT, within TOL_LOGITS. */
function compareLogits(ours: Tensor, theirs: Float32Array, what: string): void {
  const a = argmaxRows(ours), b = argmaxRows(new Tensor(theirs, ours.shape));
  let same = 0, diff = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  for (let i = 0; i < theirs.length; i++) diff = Math.max(diff, Math.abs(ours.data[i] - theirs[i]));
  const rel = normRel(ours.data, theirs);
  console.log(
    `${what}: ${same}/${a.length} same classes, max |Δlogit| ${diff.toExponential(2)}, ` +
      `relative ${rel.toExponential(2)}`,
  );
  assertAtMost(1 - same / a.length, 1 - MIN_AGREEMENT, `${what}: share of disagreements`);
  assertAtMost(diff, TOL_LOGITS, `${what}: largest logit difference`);
  assertAtMost(rel, TOL_LOGITS, `${what}: largest logit difference, relative`);
}

function csvLabels(text: string): number[] {
  return text.trim().split("\n").slice(1).map((line) => Number(line.split(",")[1]));
}

Deno.test({
  name: "weights between convnet.ts and PyTorch",
  ignore: !HAS_TORCH || !CIFAR10_DIR,
  fn: async (t) => {
    const dir = await Deno.makeTempDir({ prefix: "interop_models_" });
    const cifar = await loadCifar10(CIFAR10_DIR!);
    const trainSet = sliceImages(cifar.train, 0, STEPS * BATCH);
    const testSet = sliceImages(cifar.test, 0, N_TEST);
    const normalize = Normalization.channel(trainSet);
    const testX = makeBatch(testSet, Array.from({ length: N_TEST }, (_, i) => i), { normalize }).x;
    await saveSafetensors(`${dir}/test.safetensors`, {
      images: { data: testSet.images, shape: [N_TEST, 3, 32, 32] },
    });
    await saveSafetensors(`${dir}/train.safetensors`, {
      images: { data: trainSet.images, shape: [STEPS * BATCH, 3, 32, 32] },
      labels: { data: labelsInt32(trainSet), shape: [STEPS * BATCH] },
    });

    await t.step("ours, trained here, in PyTorch: same logits and predictions", async () => {
      const jobs = [], logits: Tensor[] = [];
      for (const m of MODELS) {
        const { config, tta, translate } = m;
        const model = buildModel(config, 1);
        trainBriefly(model, trainSet, normalize);
        const path = `${dir}/${config.name}.safetensors`;
        await Deno.writeFile(
          path,
          encodeWeights(model, config, {
            normalization: normalize.toJSON(),
            extra: ttaMetadata(m),
          }),
        );
        logits.push(predictBatch(model, testX, tta, translate));
        jobs.push({
          cmd: "logits",
          model: path,
          images: `${dir}/test.safetensors`,
          out: `${path}.logits`,
        });
        const movedMean = { mymodel: "res3.body.4.running_mean", airnet: "block3.5.running_mean" }[
          config.name as string
        ];
        if (movedMean) {
          const mean = model.stateDict().get(movedMean)!.data;
          assertTrue(mean.some((v) => Math.abs(v) > 1e-3), "BN running means are still ~0");
        }
      }
      const results = await runOracle(jobs, dir);
      for (const [i, { config }] of MODELS.entries()) {
        assertTrue(results[i].ok, results[i].error);
        const theirs = (await loadSafetensors(`${dir}/${config.name}.safetensors.logits`)).tensors;
        compareLogits(logits[i], theirs.get("logits")!.data as Float32Array, config.name);
      }
    });

    await t.step("test.py writes the same predictions.csv as deno task predict", async () => {
      for (const name of ["mymodel", "airnet"]) {
        const weights = `${dir}/${name}.safetensors`, limit = String(N_TEST);
        const common = ["--model", weights, "--limit", limit, "--cifar10-dir", CIFAR10_DIR!];
        await predict([...common, "--out", `${dir}/${name}-ours.csv`]);
        const out = await new Deno.Command(PYTHON, {
          args: [
            new URL("../interop/test.py", import.meta.url).pathname,
            ...common,
            "--out",
            `${dir}/${name}-test-py.csv`,
          ],
          env: { PYTHONDONTWRITEBYTECODE: "1" },
        }).output();
        assertTrue(out.success, new TextDecoder().decode(out.stderr));
        const ours = csvLabels(await Deno.readTextFile(`${dir}/${name}-ours.csv`));
        const theirs = csvLabels(await Deno.readTextFile(`${dir}/${name}-test-py.csv`));
        assertEquals(ours.length, N_TEST);
        const same = ours.filter((c, i) => c === theirs[i]).length;
        console.log(`${name} predictions.csv: ${same}/${N_TEST} rows the same`);
        assertAtMost(1 - same / N_TEST, 1 - MIN_AGREEMENT, `${name}: share of different rows`);
      }
    });

    await t.step("PyTorch's, initialised and trained there, in deno task predict", async () => {
      const jobs = [];
      for (const { config, tta, translate } of MODELS) {
        const path = `${dir}/${config.name}-torch.safetensors`;
        jobs.push({
          cmd: "train",
          new: config,
          seed: 1,
          images: `${dir}/train.safetensors`,
          normalization: normalize.toJSON(),
          steps: STEPS,
          batch_size: BATCH,
          lr: RECIPE.lr,
          momentum: RECIPE.momentum,
          weight_decay: RECIPE.weightDecay,
          nesterov: RECIPE.nesterov,
          label_smoothing: RECIPE.labelSmoothing,
          tta,
          tta_translate: translate,
          out: path,
        }, {
          cmd: "logits",
          model: path,
          images: `${dir}/test.safetensors`,
          out: `${path}.logits`,
        });
      }
      const results = await runOracle(jobs, dir);
      for (const [i, { config, tta, translate }] of MODELS.entries()) {
        assertTrue(
          results[2 * i].ok && results[2 * i + 1].ok,
          results[2 * i].error ?? results[2 * i + 1].error,
        );
        const path = `${dir}/${config.name}-torch.safetensors`;
        const theirs = (await loadSafetensors(`${path}.logits`)).tensors.get("logits")!
          .data as Float32Array;
        const { model, metadata } = await loadWeights(path, { expect: config.name });
        assertEquals(metadata.tta, String(tta));
        assertEquals(metadata.tta_translate ?? "0", String(translate));
        compareLogits(
          predictBatch(model.train(false), testX, tta, translate),
          theirs,
          `${config.name} from PyTorch`,
        );
        const csv = `${dir}/${config.name}-torch.csv`;
        await predict([
          "--model",
          path,
          "--limit",
          String(N_TEST),
          "--cifar10-dir",
          CIFAR10_DIR!,
          "--out",
          csv,
        ]);
        const ours = csvLabels(await Deno.readTextFile(csv));
        const torchClasses = argmaxRows(new Tensor(theirs, [N_TEST, 10]));
        const same = ours.filter((c, i) => c === torchClasses[i]).length;
        console.log(`deno task predict, ${config.name} from PyTorch: ${same}/${N_TEST} the same`);
        assertAtMost(1 - same / N_TEST, 1 - MIN_AGREEMENT, "share of different predictions");
      }
    });
    await Deno.remove(dir, { recursive: true });
  },
});
