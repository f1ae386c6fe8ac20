/**
 * A made-up but realistic run folder for the viz tests: smooth falling loss with noise,
 * validation once an "epoch", oriented colour-edge filters, and test metrics.
 *
 * @module
 */

import { Rng } from "../core/random.ts";
import { saveSafetensors } from "../nn/safetensors.ts";
import { formatMetricsCsv, type MetricsRow } from "../train/viz/metrics.ts";
import type { TestMetrics } from "../train/viz/plot.ts";

export const CLASSES = [
  "plane",
  "car",
  "bird",
  "cat",
  "deer",
  "dog",
  "frog",
  "horse",
  "ship",
  "truck",
];

/** A training history of `iterations` iterations, validation every `every`. */
export function fakeMetrics(iterations = 400, every = 50, seed = 0): MetricsRow[] {
  const rng = new Rng(seed);
  const rows: MetricsRow[] = [];
  for (let i = 0; i <= iterations; i += 5) {
    const row: MetricsRow = {
      iteration: i,
      epoch: i / every,
      trainLoss: 1.6 * Math.exp(-i / 150) + 0.7 + 0.15 * rng.uniform(),
      lr: 1e-3,
    };
    if (i % every === 0) {
      row.valLoss = 1.5 * Math.exp(-i / 200) + 0.85;
      row.valAcc = 0.1 + 0.5 * (1 - Math.exp(-i / 150));
      row.trainAcc = row.valAcc + 0.08 * (i / iterations);
    }
    rows.push(row);
  }
  return rows;
}

/** Conv weights (F, 3, K, K): oriented colour edges plus a little noise. */
export function fakeFilters(F = 32, K = 7, seed = 1): Float32Array {
  const rng = new Rng(seed);
  const w = new Float32Array(F * 3 * K * K); // w: (F, 3, K, K)
  for (let f = 0; f < F; f++) {
    const angle = (Math.PI * f) / F, freq = 0.5 + (f % 4) * 0.3;
    const colour = [Math.cos(f), Math.cos(f + 2.1), Math.cos(f + 4.2)];
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < K; y++) {
        for (let x = 0; x < K; x++) {
          const u = (x - K / 2) * Math.cos(angle) + (y - K / 2) * Math.sin(angle);
          w[((f * 3 + c) * K + y) * K + x] = colour[c] * Math.sin(freq * u) +
            0.1 * rng.normal();
        }
      }
    }
  }
  return w;
}

/** Test metrics with a plausible confusion matrix (100 images a class). */
export function fakeTestMetrics(seed = 2): TestMetrics {
  const rng = new Rng(seed);
  const confusion = CLASSES.map((_, i) => {
    const row = CLASSES.map(() => Math.floor(rng.uniform() * 6));
    row[i] = 0;
    row[i] = 100 - row.reduce((a, b) => a + b, 0);
    return row;
  });
  const perClassAccuracy = confusion.map((row, i) => row[i] / 100);
  const accuracy = perClassAccuracy.reduce((a, b) => a + b, 0) / CLASSES.length;
  return { accuracy, loss: 0.93, perClassAccuracy, confusion, classes: CLASSES };
}

/** Writes a complete run folder for model `model` into `dir`. */
export async function writeFakeRun(dir: string, model = "convnet"): Promise<void> {
  await Deno.writeTextFile(`${dir}/metrics.csv`, formatMetricsCsv(fakeMetrics()));
  await Deno.writeTextFile(
    `${dir}/config.json`,
    JSON.stringify({ model, epochs: 8, batchSize: 100, lr: 1e-3, weightDecay: 0.0005, seed: 0 }),
  );
  await saveSafetensors(`${dir}/${model}.safetensors`, {
    "fc.weight": { data: new Float32Array(10 * 8), shape: [10, 8] },
    "conv1.weight": { data: fakeFilters(), shape: [32, 3, 7, 7] },
    "conv1.bias": { data: new Float32Array(32), shape: [32] },
  }, { metadata: { first_conv: "conv1.weight" } });
  await Deno.writeTextFile(`${dir}/test_metrics.json`, JSON.stringify(fakeTestMetrics()));
}
