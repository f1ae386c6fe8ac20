/**
 * Training steps, here and in PyTorch (interop/oracle.py), from the same weights on the same
 * batch: forward in training mode, cross-entropy with label smoothing, backward, SGD with
 * Nesterov momentum and weight decay, and BatchNorm's running statistics; two steps, so that the
 * second uses the momentum buffer. An independent check of every layer's backward and of the
 * optimizer, in float32 (the WASM kernels, as training runs) and float64 (the reference
 * kernels). Skipped, with a note, without PyTorch.
 */
import { buildModel, encodeWeights, type ModelConfig, type ModelName } from "../nn/checkpoint.ts";
import { CNN } from "../nn/models/convnet.ts";
import { MyModel } from "../nn/models/mymodel.ts";
import type { Module } from "../nn/modules/module.ts";
import { crossEntropy } from "../nn/losses.ts";
import { SGD } from "../nn/optim.ts";
import { Rng } from "../core/random.ts";
import { loadSafetensors, saveSafetensors } from "../nn/safetensors.ts";
import { type DType, Tensor } from "../core/tensor.ts";
import { NO_TORCH_NOTE, normRel, runOracle, torchAvailable } from "../interop/torch.ts";
import { assertAtMost, assertTrue } from "./_assert.ts";

const HAS_TORCH = await torchAvailable();
if (!HAS_TORCH) console.warn(`interop_step_test.ts: ${NO_TORCH_NOTE}`);

// Errors are relative to each tensor's largest element (normRel). Measured: float32 weights
// 2.2e-6 and updates 5.2e-5 (mymodel), float64 updates 4.7e-14.
/** The weights after the steps, float32 here (WASM kernels) against float32 in PyTorch. */
const TOL_STEP_F32 = 1e-5;
/** The update itself (new − old weights) in float32: summation orders differ, so looser. */
const TOL_UPDATE_F32 = 5e-4;
/** The update and the loss in float64 (our reference kernels against PyTorch's double). */
const TOL_UPDATE_F64 = 1e-10;
/** The losses in float32. */
const TOL_LOSS_F32 = 1e-6;

const RECIPE = { lr: 0.2, momentum: 0.9, weightDecay: 5e-4, nesterov: true, labelSmoothing: 0.2 };
const BATCH = 16;
const STEPS = 2;
// The models with a PyTorch twin in interop/ (airnet's is not written yet).
const CONFIGS: Record<Exclude<ModelName, "airnet">, ModelConfig> = {
  convnet: { name: "convnet", imSize: [3, 32, 32], hiddenDim: 8, kernelSize: 7, nClasses: 10 },
  mymodel: { name: "mymodel", imSize: [3, 32, 32], hiddenDim: 4, kernelSize: 3, nClasses: 10 },
};

function modelIn(config: ModelConfig, dtype: DType, state: Map<string, Tensor>): Module {
  const args = [config.imSize, config.hiddenDim, config.kernelSize, config.nClasses] as const;
  const m = config.name === "convnet"
    ? new CNN(...args, { dtype })
    : new MyModel(...args, { dtype });
  m.loadStateDict(state);
  return m;
}

/** Forward, loss, backward and SGD, STEPS times, as train/loop.ts's cpuStep does them. */
function train(model: Module, x: Tensor, y: Int32Array): number[] {
  model.train();
  const sgd = new SGD(model.parameters(), RECIPE);
  const losses = [];
  for (let s = 0; s < STEPS; s++) {
    const { loss, dlogits } = crossEntropy(model.forward(x), y, RECIPE);
    sgd.zeroGrad();
    model.backward(dlogits);
    sgd.step();
    losses.push(loss);
  }
  return losses;
}

function cloneState(m: Module): Map<string, Tensor> {
  return new Map([...m.stateDict()].map(([k, t]) => [k, t.clone()]));
}

Deno.test({
  name: "SGD step against PyTorch",
  ignore: !HAS_TORCH,
  fn: async (t) => {
    const dir = await Deno.makeTempDir({ prefix: "interop_step_" });
    const rng = new Rng(25);
    const x = Tensor.randn([BATCH, 3, 32, 32], rng, { dtype: "float32" });
    const y = Int32Array.from({ length: BATCH }, () => rng.int(10));
    await saveSafetensors(`${dir}/batch.safetensors`, { x, y: { data: y, shape: [BATCH] } });
    const jobs = [];
    for (const [name, config] of Object.entries(CONFIGS)) {
      const start = buildModel(config, 3);
      await Deno.writeFile(`${dir}/${name}.safetensors`, encodeWeights(start, config));
      for (const dtype of ["float32", "float64"]) {
        jobs.push({
          cmd: "step",
          model: `${dir}/${name}.safetensors`,
          batch: `${dir}/batch.safetensors`,
          out: `${dir}/${name}-${dtype}-torch.safetensors`,
          lr: RECIPE.lr,
          momentum: RECIPE.momentum,
          weight_decay: RECIPE.weightDecay,
          nesterov: RECIPE.nesterov,
          label_smoothing: RECIPE.labelSmoothing,
          dtype,
          steps: STEPS,
        });
      }
    }
    const results = await runOracle(jobs, dir);
    let j = 0;
    for (const [name, config] of Object.entries(CONFIGS)) {
      const before = buildModel(config, 3).stateDict();
      for (const dtype of ["float32", "float64"] as const) {
        const result = results[j++];
        await t.step(`${name} ${dtype}: ${[...before.keys()].length} tensors`, async () => {
          assertTrue(result.ok, result.error);
          const model = modelIn(config, dtype, before);
          if (dtype === "float32") model.reuseBuffers(); // as training runs it
          const xd = dtype === "float32" ? x : x.astype("float64");
          const losses = train(model, xd, y);
          const torch = await loadSafetensors(`${dir}/${name}-${dtype}-torch.safetensors`);
          const tolLoss = dtype === "float32" ? TOL_LOSS_F32 : TOL_UPDATE_F64;
          assertAtMost(normRel(losses, result.losses as number[]), tolLoss, "losses' error");
          const after = cloneState(model);
          const worst = { weights: 0, update: 0, at: "" };
          for (const [k, ours] of after) {
            const theirs = torch.tensors.get(k)!.data as Float32Array | Float64Array;
            const old = before.get(k)!.data;
            const dOurs = ours.data.map((v, i) => v - old[i]);
            const dTheirs = theirs.map((v, i) => v - old[i]);
            const w = normRel(ours.data, theirs), u = normRel(dOurs, dTheirs);
            if (u > worst.update) Object.assign(worst, { update: u, at: k });
            worst.weights = Math.max(worst.weights, w);
          }
          console.log(`${name} ${dtype}, worst relative error: ${JSON.stringify(worst)}`);
          if (dtype === "float32") {
            assertAtMost(worst.weights, TOL_STEP_F32, "weights' relative error");
            assertAtMost(worst.update, TOL_UPDATE_F32, `update's relative error (${worst.at})`);
          } else {
            assertAtMost(worst.update, TOL_UPDATE_F64, `update's relative error (${worst.at})`);
          }
        });
      }
    }
    await Deno.remove(dir, { recursive: true });
  },
});
