/**
 * The trainer Worker's run of the Part 1 two-layer net (web/src/twolayer.ts), as
 * `deno task train:twolayer` trains it, with the page's progress, pause and stop.
 *
 * @module
 */

import { getThreads, wasmBuild } from "./convnet.ts";
import { yieldToEventLoop } from "../../train/eval.ts";
import { trainTwoLayer, TWOLAYER, twoLayerConfig } from "./twolayer.ts";
import type { Posted, StartRun } from "./_trainer_messages.ts";
import {
  isolated,
  loadData,
  post,
  scope,
  startThreads,
  state,
  waitWhilePaused,
} from "./_trainer_io.ts";

/**
 * Between two Solver iterations: posts the iteration's step (its metrics row complete with the
 * check's measures), lets messages in, waits while paused; true to stop.
 */
async function between(): Promise<boolean> {
  if (pendingStep) post(pendingStep);
  pendingStep = null;
  await yieldToEventLoop();
  return await waitWhilePaused(stepsDone);
}
let stepsDone = 0;
let pendingStep: Extract<Posted, { type: "step" }> | null = null;

/** A run of the Part 1 two-layer net, as `deno task train:twolayer` trains it. */
export async function startTwoLayer(run: StartRun): Promise<void> {
  if (run.backend === "webgpu") {
    throw new RangeError(
      "Cannot train twolayer with the WebGPU backend: only convnet and mymodel have a GPU " +
        "training step; choose the WASM backend",
    );
  }
  const from = run.fromWeights ? state.partOne : null;
  if (run.fromWeights && !from) {
    throw new Error(
      `Cannot train twolayer from ${state.loaded?.name ?? "the loaded weights"}: it holds a ` +
        `${state.loaded?.weights.config.name ?? "model"} net, not train:twolayer's; uncheck ` +
        "Train from the loaded weights, or load a twolayer.safetensors",
    );
  }
  // continuing: the file's net and sizes, the form's other settings
  const w = from?.weights;
  const sizes = w
    ? { net: w.net, numFilters: w.numFilters, filterSize: w.filterSize, hiddenDim: w.hiddenDim }
    : {};
  const config = { ...twoLayerConfig(run.overrides as Record<string, unknown>), ...sizes };
  const t0 = performance.now(), since = () => (performance.now() - t0) / 1000;
  const phases = { threads: NaN, data: NaN, session: NaN, firstStep: NaN };
  await startThreads(run.threads);
  phases.threads = since();
  const data = await loadData(run, { ...config, numTest: 0 });
  phases.data = since();
  phases.session = since();
  post({ type: "status", text: `Training twolayer on ${data.train.labels.length} images` });
  stepsDone = 0;
  let started = performance.now();
  const r = await trainTwoLayer(config, data, {
    onIteration(it, total, loss) {
      if (it === 1) {
        phases.firstStep = since();
        started = performance.now();
      }
      stepsDone = it;
      const perEpoch = total / config.epochs, seen = ((it - 1) % perEpoch + 1) * config.batchSize;
      const rate = it * config.batchSize / Math.max((performance.now() - started) / 1000, 1e-3);
      pendingStep = {
        type: "step",
        step: it - 1,
        loss,
        acc: NaN,
        epoch: Math.floor((it - 1) / perEpoch) + 1,
        seen,
        total: perEpoch * config.batchSize,
        imagesPerSecond: rate,
        secondsLeft: (total - it) * config.batchSize / rate,
        // The row train:twolayer writes into metrics.csv; a check adds its measures.
        row: { iteration: it, epoch: (it - 1) / perEpoch, trainLoss: loss },
      };
    },
    onCheck(check, line) {
      if (pendingStep) {
        Object.assign(pendingStep.row, {
          trainAcc: check.trainAcc,
          valAcc: check.valAcc,
          lr: check.learningRate,
        });
      }
      post({ type: "val", step: check.iteration - 1, valAcc: check.valAcc, valLoss: NaN, line });
    },
    between,
  }, from?.weights);
  scope.postMessage({ type: "filters", ...r.filters }, [r.filters.data.buffer as ArrayBuffer]);
  const bytes = new Uint8Array(r.weights).buffer;
  scope.postMessage({ type: "weights", name: `${TWOLAYER}.safetensors`, bytes }, [bytes]);
  post({
    type: "done",
    result: {
      steps: r.losses.length,
      losses: r.losses,
      valAccuracy: r.checks.at(-1)?.valAcc ?? NaN,
      imagesPerSecond: r.losses.length * config.batchSize / r.seconds,
      threads: getThreads(),
      crossOriginIsolated: isolated,
      backend: "wasm",
      wasmBuild,
      outcome: r.outcome,
      config,
      phases,
      bestValAccuracy: r.bestValAcc,
    },
  });
}
