/**
 * The in-browser trainer (web/, `deno task serve`, `deno task build:web`) in Debian's Chromium,
 * headless, driven by puppeteer-core: `build:web` writes the files `serve` serves; the served
 * page is cross-origin isolated and an autostarted convnet run there takes the same steps, bit
 * for bit, as the same run in Deno (same seed, same thread count), with the same weights file and
 * test confusion matrix, and a panel of test images predicted as `deno task predict` predicts
 * them; a truncated or foreign file gives a clear message and the page keeps working; a weights file loaded in the page is tested as in Deno and trains on as in Deno, and a
 * truncated or foreign one gets `deno task predict`'s message; the CIFAR-10 tarball dropped on
 * the page trains the run Deno trains on its extracted batches, and a truncated or foreign
 * tarball gets a clear message; Stop stops; Pause waits between steps and Resume continues the
 * same run; picked files train the same run; without the isolation headers the page still
 * trains, on one thread, and says so; the Part 1 three-layer net and the Solver's update rules
 * train as train:twolayer trains them, and twolayer continues from a Part 1 weights file; a model too large for the WASM memory gets the CLI's
 * message and the page trains on; WebGPU is offered only with an adapter (a software one when
 * allowed) and trains the convnet run close to WASM's. Skips itself only when Chromium is absent outside
 * CI (`.ci/run` installs it with apt).
 */

import { chromium, inCi, noteIfSkipped } from "./_chromium.ts";
import { partOneSolverOptions } from "../train/part1.ts";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { assertEquals, assertTrue } from "./_assert.ts";
import {
  binaryBatch,
  gzip,
  sliceSet,
  syntheticSet,
  tar,
  tarEntry,
  tempDir,
  writeBinaryCifar,
} from "./_data_fixtures.ts";
import { extractTar } from "../data/_tar.ts";
import { buildWeb, staleFiles } from "../tasks/build_web.ts";
import { serveWeb } from "../tasks/serve.ts";
import { type BatchSource, loadCifar10Splits } from "../web/src/cifar10_bytes.ts";
import { CIFAR10_CLASSES, IMAGE_BYTES, loadCifar10 } from "../data/cifar10.ts";
import { splitCifar10 } from "../data/splits.ts";
import { DEFAULTS, type TrainConfig } from "../train/config.ts";
import { createSession, sessionWeights, trainEpochs } from "../train/loop.ts";
import { evaluate } from "../train/eval.ts";
import { setFloat32Backend } from "../kernels/mod.ts";
import { getThreads, setThreads, wasmBuild } from "../kernels/wasm/mod.ts";
import { loadPredictModel } from "../tasks/predict.ts";
import { decodePredictModel } from "../train/predict_model.ts";
import { decodeSafetensors, encodeSafetensors } from "../nn/safetensors.ts";
import {
  buildTwoLayerModel,
  parseTwoLayerArgs,
  type TwoLayerConfig,
} from "../tasks/train_twolayer.ts";
import { ImageSetDataset } from "../data/image_dataset.ts";
import { Solver } from "../nn/solver.ts";
import type { MetricsRow } from "../train/viz/metrics.ts";
import { chartSpecs } from "../web/src/charts.ts";

/** The page's charts are report.html's specs of Deno's metrics rows, drawn as SVG. */
async function sameCharts(page: Page, metrics: MetricsRow[], what: string): Promise<void> {
  const drawn = await page.evaluate("globalThis.convnetCharts");
  const json = (v: unknown) => JSON.parse(JSON.stringify(v));
  assertEquals(json(drawn), json(chartSpecs(metrics)), `${what}: the charts' specs`);
  const svgs = await page.evaluate(
    `["lossChart", "accuracyChart"].map((id) => document.querySelectorAll("#" + id + " svg").length)`,
  );
  assertEquals(svgs, [1, 1], `${what}: one SVG per chart`);
}
import { predictSet } from "../train/eval.ts";
import { Normalization, type NormalizationJSON } from "../data/normalize.ts";
import { Tensor } from "../core/tensor.ts";
import { PANEL_IMAGES, PANEL_TOP } from "../web/src/panel.ts";

const BUILD = new URL("../tasks/build_web.ts", import.meta.url).pathname;
noteIfSkipped("web_test.ts");

/** The run both sides train: 20 steps of 16 images on synthetic CIFAR-10. */
const RUN = { numTrain: 320, numVal: 100, numTest: 10, batchSize: 16, epochs: 1, seed: 1 };
const QUERY = Object.entries(RUN).map(([k, v]) => `${k}=${v}`).join("&");
/** How long a page may take to finish the run (the machine may be busy). */
const RUN_TIMEOUT_MS = 180_000;
/**
 * How far a WebGPU run's losses may be from the same run's on WASM (other summation orders in
 * float32, over 20 steps).
 */
const GPU_LOSS_TOLERANCE = 1e-3;
/** How long a paused run is watched for a step it should not take. */
const PAUSE_CHECK_MS = 500;

interface Result {
  steps: number;
  losses: number[];
  valAccuracy: number;
  imagesPerSecond: number;
  threads: number;
  crossOriginIsolated: boolean;
  backend: string;
  wasmBuild: string;
  test?: { accuracy: number; confusion: number[][] };
  panel?: { label: number; predicted: number; top: { k: number; p: number }[] }[];
}

/**
 * The Part 1 run of `deno task train:twolayer` with `c` (from the parameters of the weights file
 * `from` when given): its losses and weights file.
 */
async function denoTwoLayer(c: TwoLayerConfig, dataDir: string, from?: Uint8Array) {
  const model = buildTwoLayerModel(c);
  if (from) { // continuing: the file's parameters in place of the seeded ones
    for (const [name, t] of decodeSafetensors(from, "weights").tensors) {
      assertEquals([...t.shape], [...model.params[name].shape], `${name}'s shape`);
      (model.params[name].data as Float32Array).set(t.data as Float32Array);
    }
  }
  const splits = splitCifar10(await loadCifar10(dataDir), {
    numTrain: c.numTrain,
    numVal: c.numVal,
    numTest: 0,
  });
  const norm = Normalization.meanImage(splits.train);
  const sets = {
    train: new ImageSetDataset(splits.train, norm),
    val: new ImageSetDataset(splits.val, norm),
  };
  const before = getThreads();
  setThreads(c.threads);
  try {
    const metrics: MetricsRow[] = []; // as train:twolayer writes metrics.csv
    const perEpoch = Math.max(Math.floor(sets.train.length / c.batchSize), 1);
    const solver = new Solver(model, sets, {
      onIteration: (it, loss) =>
        metrics.push({ iteration: it, epoch: (it - 1) / perEpoch, trainLoss: loss }),
      onCheck: (k) =>
        Object.assign(metrics.at(-1)!, {
          trainAcc: k.trainAcc,
          valAcc: k.valAcc,
          lr: k.learningRate,
        }),
      ...partOneSolverOptions(c),
    });
    solver.train();
    const metadata = { // train:twolayer's
      first_conv: "W1",
      model: c.model === "two" ? "TwoLayerConvNet" : "ThreeLayerConvNet",
    };
    return {
      losses: solver.lossHistory,
      weights: encodeSafetensors(model.params, metadata),
      metrics,
    };
  } finally {
    setThreads(before);
  }
}

/**
 * A CIFAR-10 tarball laid out like the official one, with other images than the served batches
 * (`writeBinaryCifar`'s seeds): 1,500 training images (the last 1,000 for val), 10 test images.
 */
async function otherTarball(): Promise<Uint8Array<ArrayBuffer>> {
  const perBatch = 300, train = syntheticSet(5 * perBatch, 7), top = "cifar-10-batches-bin/";
  const entries = [tarEntry(top, undefined, "5")];
  for (let b = 0; b < 5; b++) {
    const part = binaryBatch(sliceSet(train, b * perBatch, (b + 1) * perBatch));
    entries.push(tarEntry(`${top}data_batch_${b + 1}.bin`, part));
  }
  entries.push(tarEntry(`${top}test_batch.bin`, binaryBatch(syntheticSet(10, 8))));
  const meta = new TextEncoder().encode(CIFAR10_CLASSES.join("\n") + "\n");
  entries.push(tarEntry(`${top}batches.meta.txt`, meta));
  entries.push(tarEntry(`${top}readme.html`, new TextEncoder().encode("<p>CIFAR-10</p>")));
  return await gzip(tar(entries));
}

/** What `deno task predict` predicts with a weights file for the first test images. */
async function predictFirst(weights: Uint8Array, dataDir: string, dir: string, n: number) {
  const path = `${dir}/predict.safetensors`;
  await Deno.writeFile(path, weights);
  const { model, normalization, metadata } = await loadPredictModel(path);
  const { test } = await loadCifar10(dataDir);
  const set = {
    images: test.images.subarray(0, n * IMAGE_BYTES),
    labels: test.labels.subarray(0, n),
  };
  return [
    ...await predictSet(model, set, {
      normalize: Normalization.fromJSON(normalization as NormalizationJSON),
      batchSize: n,
      tta: metadata.tta === "true",
    }),
  ];
}

/** The same run in Deno, with the functions `deno task train` calls: losses, weights file. */
async function denoRun(
  dataDir: string,
  threads: number,
  from?: Uint8Array,
): Promise<
  { losses: number[]; weights: Uint8Array; confusion: number[][]; metrics: MetricsRow[] }
> {
  const config: TrainConfig = { ...DEFAULTS.convnet, ...RUN };
  const start = from === undefined ? undefined : decodePredictModel(from, "the weights");
  const data = splitCifar10(await loadCifar10(dataDir), {
    numTrain: config.numTrain,
    numVal: config.numVal,
    numTest: config.numTest,
  });
  setFloat32Backend("wasm");
  const before = getThreads();
  setThreads(threads);
  try {
    const session = createSession(
      config,
      data,
      start && { normalization: start.normalization as NormalizationJSON },
    );
    if (start) session.model.loadStateDict(start.model.stateDict());
    await trainEpochs(session, data);
    const test = await evaluate(session.model, data.test, {
      normalize: session.normalization,
      batchSize: config.testBatchSize,
      tta: config.tta,
      nClasses: data.classes.length,
    });
    return {
      losses: session.progress.metrics.map((m) => m.trainLoss!),
      metrics: session.progress.metrics,
      weights: sessionWeights(session, data.classes),
      confusion: test.confusion,
    };
  } finally {
    setThreads(before);
  }
}

async function launch(profile: string, extra: string[] = []): Promise<Browser> {
  return await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    userDataDir: profile,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      ...extra,
    ],
  });
}

/** Waits for the run's result (or an error shown in the page) and returns the result. */
async function result(page: Page): Promise<Result> {
  await page.waitForFunction(
    `globalThis.convnetResult !== undefined || document.getElementById("error").textContent !== ""`,
    { timeout: RUN_TIMEOUT_MS },
  );
  const error = await page.$eval("#error", (e) => e.textContent);
  assertEquals(error, "", "the page showed an error");
  const shown = JSON.parse(await page.$eval("#result", (e) => e.textContent ?? ""));
  const held = await page.evaluate(() => (globalThis as { convnetResult?: unknown }).convnetResult);
  assertEquals(shown, JSON.parse(JSON.stringify(held)), "#result shows window.convnetResult");
  return held as Result;
}

function sameBits(actual: number[], expected: number[], what: string): void {
  assertEquals(actual.length, expected.length, `${what}: number of losses`);
  const first = actual.findIndex((v, i) => !Object.is(v, expected[i]));
  assertEquals(
    first === -1 ? null : { step: first, page: actual[first], deno: expected[first] },
    null,
    `${what}: the first loss that differs`,
  );
}

Deno.test("deno task build:web writes the files deno task serve serves; --check", async () => {
  await using tmp = await tempDir("web_build");
  const built = await buildWeb();
  assertEquals([...built.keys()].sort(), [
    "charts.js",
    "convnet.js",
    "kernel_worker.js",
    "kernels.wasm",
    "kernels_relaxed.wasm",
    "trainer.js",
  ]);
  const task = (...args: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", `--allow-write=${tmp.dir}`, "--allow-run", BUILD, ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
  const out = `${tmp.dir}/dist`;
  const wrote = await task("--out", out);
  assertEquals(wrote.code, 0, new TextDecoder().decode(wrote.stderr));
  assertEquals(await staleFiles(built, out), []);
  assertEquals((await task("--out", out, "--check")).code, 0);
  await Deno.writeTextFile(`${out}/trainer.js`, "// changed\n", { append: true });
  const check = await task("--out", out, "--check");
  assertEquals(check.code, 1);
  assertTrue(
    new TextDecoder().decode(check.stdout).includes(`${out}/trainer.js: DIFFERS`),
    "--check names the stale file",
  );
});

Deno.test("deno task serve: isolation headers, types, data files, ranges", async () => {
  await using tmp = await tempDir("web_serve");
  await writeBinaryCifar(tmp.dir, 4, 2);
  const { server, url } = serveWeb({ port: 0, dataDir: tmp.dir, dist: await buildWeb() });
  try {
    const page = await fetch(url);
    await page.body?.cancel();
    assertEquals(
      [
        page.status,
        page.headers.get("cross-origin-opener-policy"),
        page.headers.get("cross-origin-embedder-policy"),
        page.headers.get("content-type"),
      ],
      [200, "same-origin", "require-corp", "text/html; charset=utf-8"],
    );
    const wasm = await fetch(`${url}dist/kernels.wasm`);
    assertEquals(wasm.headers.get("content-type"), "application/wasm");
    assertTrue(WebAssembly.validate(new Uint8Array(await wasm.arrayBuffer())), "a valid module");
    const whole = new Uint8Array(
      await (await fetch(`${url}cifar10/data_batch_2.bin`)).arrayBuffer(),
    );
    assertEquals(whole, await Deno.readFile(`${tmp.dir}/data_batch_2.bin`));
    const part = await fetch(`${url}cifar10/data_batch_2.bin`, {
      headers: { range: "bytes=3073-6145" },
    });
    assertEquals(
      [part.status, part.headers.get("content-range")],
      [206, `bytes 3073-6145/${whole.length}`],
    );
    assertEquals(new Uint8Array(await part.arrayBuffer()), whole.subarray(3073, 6146));
    const statuses = [];
    for (const path of ["cifar10/readme.txt", "cifar10/../web_test.ts", "no_such.html"]) {
      const r = await fetch(url + path);
      await r.body?.cancel();
      statuses.push(r.status);
    }
    const beyond = await fetch(`${url}cifar10/test_batch.bin`, {
      headers: { range: "bytes=99999-" },
    });
    await beyond.body?.cancel();
    statuses.push(beyond.status);
    assertEquals(statuses, [404, 404, 404, 416]);
  } finally {
    await server.shutdown();
  }
});

Deno.test("loadCifar10Splits from byte ranges equals splitCifar10 of loadCifar10", async () => {
  await using tmp = await tempDir("web_splits");
  await writeBinaryCifar(tmp.dir, 300, 10); // val: the last 1,000 of 1,500, across batches 2 … 5
  const sources = new Map<string, BatchSource>();
  const reads: string[] = [];
  for (const name of [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`)) {
    const bytes = await Deno.readFile(`${tmp.dir}/${name}`);
    sources.set(name, {
      name,
      size: bytes.length,
      read: (start = 0, end = bytes.length) => {
        reads.push(`${name} ${start / 3073}…${end / 3073}`);
        return Promise.resolve(bytes.slice(start, end));
      },
    });
  }
  const options = { numTrain: 40, numVal: 310 };
  const expected = splitCifar10(await loadCifar10(tmp.dir), { ...options, numTest: 0 });
  const got = await loadCifar10Splits(sources, options);
  for (const split of ["train", "val"] as const) {
    assertEquals(got[split].labels, expected[split].labels, `${split} labels`);
    assertEquals(got[split].images, expected[split].images, `${split} images`);
  }
  // Only the records used: train 0 … 39 and val 500 … 809.
  assertEquals(reads, [
    "data_batch_1.bin 0…40",
    "data_batch_2.bin 200…300",
    "data_batch_3.bin 0…210",
  ]);
  const short = new Map(sources);
  short.set("data_batch_3.bin", { ...sources.get("data_batch_3.bin")!, size: 3073 * 300 - 7 });
  const e = await loadCifar10Splits(short, options).catch((e) => e);
  assertTrue(
    String(e.message).startsWith('Cannot read CIFAR-10 batch "data_batch_3.bin": its size'),
    e.message,
  );
});

Deno.test({
  name: "the training page in headless Chromium",
  ignore: !chromium && !inCi,
  async fn(t) {
    if (!chromium) throw new Error("Chromium is missing in CI: .ci/run should have installed it");
    await using tmp = await tempDir("web_test");
    const dataDir = `${tmp.dir}/cifar`;
    await writeBinaryCifar(dataDir, 300, 10); // 1,500 training images: the last 1,000 for val
    const dist = await buildWeb();
    const isolated = serveWeb({ port: 0, dataDir, dist });
    const plain = serveWeb({ port: 0, dataDir, dist, isolation: false });
    const browser = await launch(`${tmp.dir}/profile`);
    try {
      const page = await browser.newPage();
      const pageErrors: string[] = [];
      page.on("pageerror", (e) => pageErrors.push(String(e)));

      let deno: Awaited<ReturnType<typeof denoRun>> | undefined;

      await t.step("the served page is cross-origin isolated", async () => {
        await page.goto(`${isolated.url}?model=convnet&${QUERY}&threads=2`);
        await page.waitForFunction(`!document.getElementById("start").disabled`);
        assertEquals(await page.evaluate("globalThis.crossOriginIsolated"), true);
        const note = await page.$eval("#isolation", (e) => e.textContent ?? "");
        assertTrue(note.startsWith("Cross-origin isolated"), `#isolation says "${note}"`);
        // This browser has no WebGPU adapter (--disable-gpu): WebGPU is not offered.
        const gpu = await page.$eval("#gpu", (e) => e.textContent ?? "");
        assertTrue(gpu.startsWith("No WebGPU adapter"), `#gpu says "${gpu}"`);
        const offered = await page.$eval(
          "select[name=backend]",
          (e) =>
            [...(e as unknown as { options: { value: string; disabled: boolean }[] }).options]
              .map((o) => [o.value, o.disabled]),
        );
        assertEquals(offered, [["wasm", false], ["webgpu", true]], "WebGPU is disabled");
      });

      await t.step(
        "a truncated or foreign file: a clear message, the page keeps working",
        async () => {
          const truncated = `${tmp.dir}/data_batch_1.bin`;
          await Deno.writeFile(truncated, new Uint8Array(5000));
          const foreign = `${tmp.dir}/cat.png`;
          await Deno.writeFile(foreign, new Uint8Array(3073));
          const input = (await page.$("input[type=file]"))!;
          for (
            const [file, expected] of [
              [truncated, 'Cannot read CIFAR-10 batch "data_batch_1.bin": its size 5000 bytes'],
              [foreign, 'Cannot use "cat.png": it is not a file of CIFAR-10'],
            ]
          ) {
            await page.$eval("#error", (e) => (e.textContent = ""));
            await input.uploadFile(file);
            await page.waitForFunction(`document.getElementById("error").textContent !== ""`);
            const message = await page.$eval("#error", (e) => e.textContent ?? "");
            assertTrue(message.startsWith(expected), `the page says "${message}"`);
          }
        },
      );

      await t.step("the run on 2 threads: its losses are Deno's, bit for bit", async () => {
        await page.$eval("#error", (e) => (e.textContent = ""));
        await page.click("#start"); // after the bad files: the served batches
        const r = await result(page);
        assertEquals(
          [r.steps, r.threads, r.crossOriginIsolated, r.backend, r.wasmBuild],
          [20, 2, true, "wasm", wasmBuild],
        );
        assertTrue(r.valAccuracy >= 0 && r.valAccuracy <= 1, `valAccuracy ${r.valAccuracy}`);
        assertTrue(r.imagesPerSecond > 0, `imagesPerSecond ${r.imagesPerSecond}`);
        const here = await denoRun(dataDir, 2);
        deno = here;
        sameBits(r.losses, here.losses, "2 threads");
        await sameCharts(page, here.metrics, "2 threads");
        assertEquals(r.test?.confusion, here.confusion, "the test set's confusion matrix");
        assertEquals(
          await page.$eval("#confusion", (e) => (e as unknown as { hidden: boolean }).hidden),
          false,
        );
        // The panel of test images: deno task predict's classes with the page's weights file.
        const predicted = await predictFirst(here.weights, dataDir, tmp.dir, PANEL_IMAGES);
        const shown = await page.$$eval(
          "#panel figure",
          (fs) =>
            fs.map((f) =>
              Number((f as unknown as { dataset: { predicted: string } }).dataset.predicted)
            ),
        );
        assertEquals(shown, predicted, "the panel's classes are deno task predict's");
        assertEquals(r.panel?.map((e) => e.predicted), predicted);
        for (const { predicted: k, top } of r.panel!) {
          assertEquals([top.length, top[0].k], [PANEL_TOP, k]);
          assertTrue(
            top.every((e, i) => e.p > 0 && e.p <= 1 && (i === 0 || e.p <= top[i - 1].p)),
            `top-${PANEL_TOP} probabilities in order: ${JSON.stringify(top)}`,
          );
        }
        // The weights the page offers for download: the file deno task train writes, byte for byte.
        const link = await page.$eval("#weights", (a) => {
          const { download, hidden } = a as unknown as { download: string; hidden: boolean };
          return { download, hidden };
        });
        assertEquals(link, { download: "convnet.safetensors", hidden: false });
        const grid = await page.$eval(
          "#filters",
          (c) => (c as unknown as { hidden: boolean }).hidden,
        );
        assertEquals(grid, false, "the first-layer filter grid is drawn");
        const file = await page.$eval("#weights", async (a) => {
          const { href } = a as unknown as { href: string };
          return [...new Uint8Array(await (await fetch(href)).arrayBuffer())];
        });
        assertEquals(file.length, here.weights.length, "weights file size");
        assertTrue(file.every((b, i) => b === here.weights[i]), "the weights files differ");
      });

      await t.step("Pause waits between steps; Resume continues the same run", async () => {
        await page.$eval("#error", (e) => (e.textContent = ""));
        await page.click("#start");
        await page.click("#pause"); // the trainer pauses after the step it is in
        await page.waitForFunction(
          `document.getElementById("status").textContent.startsWith("Paused after step")`,
          { timeout: RUN_TIMEOUT_MS },
        );
        const status = await page.$eval("#status", (e) => e.textContent ?? "");
        const at = Number(/step (\d+)/.exec(status)?.[1]);
        assertTrue(at >= 1 && at < 20, `paused after step ${at} of 20`);
        const stats = await page.$eval("#stats", (e) => e.textContent ?? "");
        await new Promise((resolve) => setTimeout(resolve, PAUSE_CHECK_MS));
        assertEquals(
          await page.$eval("#stats", (e) => e.textContent ?? ""),
          stats,
          "no step while paused",
        );
        assertEquals(await page.evaluate("globalThis.convnetResult === undefined"), true);
        await page.click("#resume");
        const r = await result(page);
        assertEquals([(r as unknown as { outcome: string }).outcome, r.steps], ["done", 20]);
        assertTrue(deno !== undefined, "the 2-thread step ran");
        sameBits(r.losses, deno!.losses, "paused after step " + at + ", then resumed");
        assertEquals(r.test?.confusion, deno!.confusion);
      });

      await t.step(
        "a model too large for the WASM memory: the CLI's message, then a run",
        async () => {
          // 500 images of 2,200 filters of 32×32: 4,297 MiB of conv output, over the 4,096 MiB limit.
          const set = (name: string, value: string) =>
            page.$eval(
              `input[name=${name}]`,
              (e, v) => ((e as { value: string }).value = v),
              value,
            );
          await page.$eval("#error", (e) => (e.textContent = ""));
          await set("numTrain", "500");
          await set("batchSize", "500");
          await set("hiddenDim", "2200");
          await page.click("#start");
          await page.waitForFunction(`document.getElementById("error").textContent !== ""`, {
            timeout: RUN_TIMEOUT_MS,
          });
          const message = await page.$eval("#error", (e) => e.textContent ?? "");
          assertTrue(
            message.startsWith("Cannot run conv2dForward: it needs 4") &&
              message.endsWith("but the limit is 4096.0 MiB; use a smaller batch"),
            `the page says "${message}"`,
          );
          assertEquals(
            await page.$eval("#start", (e) => (e as { disabled: boolean }).disabled),
            false,
            "Train is enabled again",
          );
          await set("numTrain", String(RUN.numTrain));
          await set("batchSize", String(RUN.batchSize));
          await set("hiddenDim", "");
          await page.$eval("#error", (e) => (e.textContent = ""));
          await page.click("#start");
          const r = await result(page);
          assertTrue(deno !== undefined, "the 2-thread step ran");
          sameBits(r.losses, deno!.losses, "after the too-large model");
        },
      );

      await t.step("Stop ends a run after the current step; Train starts again", async () => {
        await page.$eval("input[name=epochs]", (e) => ((e as { value: string }).value = "20"));
        await page.click("#start");
        await page.waitForFunction(
          `Number(/step (\\d+):/.exec(document.getElementById("stats").textContent)?.[1]) >= 2`,
          { polling: 20 },
        );
        await page.click("#stop");
        const r = await result(page);
        assertEquals((r as unknown as { outcome: string }).outcome, "stopped");
        assertTrue(r.steps >= 3 && r.steps < 20 * 20, `stopped after ${r.steps} steps`);
        assertEquals(r.losses.length, r.steps);
        assertEquals(
          await page.$eval("#start", (e) => (e as { disabled: boolean }).disabled),
          false,
        );
      });

      await t.step("files picked from disk train the same run", async () => {
        const names = ["1", "2", "3", "4", "5"].map((i) => `data_batch_${i}.bin`);
        const input = (await page.$("input[type=file]"))!;
        await input.uploadFile(
          ...[...names, "test_batch.bin", "batches.meta.txt"].map((n) => `${dataDir}/${n}`),
        );
        await page.waitForFunction(
          `document.getElementById("status").textContent.startsWith("Using the picked files")`,
        );
        await page.$eval("input[name=epochs]", (e) => ((e as { value: string }).value = "1"));
        await page.click("#start");
        const r = await result(page);
        assertTrue(deno !== undefined, "the 2-thread step ran");
        sameBits(r.losses, deno!.losses, "picked files");
        assertEquals(r.test?.confusion, deno!.confusion);
      });

      await t.step(
        "weights loaded from disk: evaluate, continue; a truncated or foreign file",
        async () => {
          assertTrue(deno !== undefined, "the 2-thread step ran");
          const good = `${tmp.dir}/convnet.safetensors`;
          await Deno.writeFile(good, deno!.weights);
          const cut = `${tmp.dir}/cut.safetensors`;
          await Deno.writeFile(cut, deno!.weights.subarray(0, deno!.weights.length - 100));
          const foreign = `${tmp.dir}/foreign.safetensors`;
          await Deno.writeFile(
            foreign,
            encodeSafetensors({ w: new Tensor(new Float32Array(6), [2, 3]) }, {}),
          );
          const input = (await page.$("input[name=weightsFile]"))!;
          for (const path of [cut, foreign]) {
            const name = path.slice(path.lastIndexOf("/") + 1);
            let expected = "";
            try {
              decodePredictModel(await Deno.readFile(path), `"${name}"`);
            } catch (e) {
              expected = (e as Error).message; // deno task predict's message for this file
            }
            assertTrue(expected !== "", `${name} is refused by deno task predict`);
            await page.$eval("#error", (e) => (e.textContent = ""));
            await input.uploadFile(path);
            await page.waitForFunction(`document.getElementById("error").textContent !== ""`);
            assertEquals(await page.$eval("#error", (e) => e.textContent ?? ""), expected);
            assertEquals(
              await page.$eval("#evaluate", (e) => (e as { disabled: boolean }).disabled),
              true,
              "nothing loaded: Evaluate stays off",
            );
          }
          await page.$eval("#error", (e) => (e.textContent = ""));
          await input.uploadFile(good);
          await page.waitForFunction(
            `document.getElementById("status").textContent.startsWith("Loaded convnet.safetensors")`,
          );
          await page.click("#evaluate");
          await page.waitForFunction(
            `globalThis.convnetEvaluation !== undefined || document.getElementById("error").textContent !== ""`,
            { timeout: RUN_TIMEOUT_MS },
          );
          assertEquals(await page.$eval("#error", (e) => e.textContent ?? ""), "");
          const evaluation = await page.evaluate("globalThis.convnetEvaluation") as {
            test: { confusion: number[][] };
          };
          assertEquals(evaluation.test.confusion, deno!.confusion, "the loaded weights' test");
          // Train from the loaded weights: the run deno continues from the same file.
          await page.click("#start");
          const r = await result(page);
          const continued = await denoRun(dataDir, 2, deno!.weights);
          assertTrue(
            !Object.is(continued.losses[0], deno!.losses[0]),
            "the continued run starts elsewhere",
          );
          sameBits(r.losses, continued.losses, "continued from the loaded weights");
          assertEquals(r.test?.confusion, continued.confusion);
          await page.$eval(
            "input[name=fromWeights]",
            (e) => ((e as { checked: boolean }).checked = false),
          );
        },
      );

      await t.step("the Part 1 two-layer net: deno task train:twolayer's run", async () => {
        await page.select("select[name=model]", "twolayer");
        await page.click("#start"); // the picked files (dataDir): 320 images, batches of 16
        const r = await result(page) as Result & { config: Record<string, unknown> };
        const args = ["--num-train", "320", "--num-val", "100", "--batch-size", "16"];
        const cli = parseTwoLayerArgs([...args, "--epochs", "1", "--seed", "1", "--threads", "2"])!;
        const { cifar10Dir: _, threads: __, out: ___, model: net, ...settings } = cli;
        assertEquals(r.config, { ...settings, net, model: "twolayer" }, "the CLI's settings");
        const deno = await denoTwoLayer(cli, dataDir);
        assertEquals([r.steps, r.threads], [20, 2]);
        sameBits(r.losses, deno.losses, "twolayer");
        await sameCharts(page, deno.metrics, "twolayer");
        const file = await page.$eval("#weights", async (a) => {
          const { href, download } = a as unknown as { href: string; download: string };
          return { download, bytes: [...new Uint8Array(await (await fetch(href)).arrayBuffer())] };
        });
        assertEquals(file.download, "twolayer.safetensors");
        assertEquals(new Uint8Array(file.bytes), deno.weights, "train:twolayer's weights file");
        await page.select("select[name=model]", "convnet");
      });

      await t.step("the Part 1 three-layer net and the Solver's update rules", async () => {
        await page.select("select[name=model]", "twolayer");
        const base = [
          "--num-train",
          "320",
          "--num-val",
          "100",
          "--batch-size",
          "16",
          "--epochs",
          "1",
        ];
        for (
          const [net, rule, width] of [["three", "adam", "50"], ["two", "rmsprop", ""], [
            "two",
            "sgd",
            "",
          ]]
        ) {
          await page.select("select[name=net]", net);
          await page.select("select[name=updateRule]", rule);
          await page.$eval(
            "input[name=hiddenDim]",
            (e, v) => ((e as { value: string }).value = v),
            width,
          );
          await page.click("#start");
          const r = await result(page) as Result & { config: Record<string, unknown> };
          const flags = ["--model", net, "--update-rule", rule, "--seed", "1", "--threads", "2"];
          const cli = parseTwoLayerArgs([
            ...base,
            ...flags,
            ...(width ? ["--hidden-dim", width] : []),
          ])!;
          const { cifar10Dir: _, threads: __, out: ___, model: ____, ...settings } = cli;
          assertEquals(
            r.config,
            { ...settings, net, model: "twolayer" },
            `${net}, ${rule}: the CLI's settings`,
          );
          const deno = await denoTwoLayer(cli, dataDir);
          sameBits(r.losses, deno.losses, `${net}, ${rule}`);
          const bytes = await page.$eval("#weights", async (a) => {
            const { href } = a as unknown as { href: string };
            return [...new Uint8Array(await (await fetch(href)).arrayBuffer())];
          });
          assertEquals(new Uint8Array(bytes), deno.weights, `${net}, ${rule}: the weights file`);
        }
        await page.select("select[name=net]", "two");
        await page.select("select[name=updateRule]", "sgd_momentum");
        await page.$eval("input[name=hiddenDim]", (e) => ((e as { value: string }).value = ""));
        await page.select("select[name=model]", "convnet");
      });

      await t.step(
        "twolayer continues from a Part 1 file; Evaluate gets predict's refusal",
        async () => {
          const base = [
            "--num-train",
            "320",
            "--num-val",
            "100",
            "--batch-size",
            "16",
            "--epochs",
            "1",
          ];
          const args = [
            ...base,
            "--seed",
            "1",
            "--threads",
            "2",
            "--model",
            "three",
            "--hidden-dim",
            "50",
          ];
          const trained = await denoTwoLayer(
            parseTwoLayerArgs([...args, "--update-rule", "adam"])!,
            dataDir,
          );
          const path = `${tmp.dir}/twolayer.safetensors`;
          await Deno.writeFile(path, trained.weights);
          let refusal = "";
          try {
            decodePredictModel(trained.weights, '"twolayer.safetensors"');
          } catch (e) {
            refusal = (e as Error).message;
          }
          assertTrue(refusal.startsWith("Cannot predict with"), `predict says "${refusal}"`);
          await page.$eval("#error", (e) => (e.textContent = ""));
          await (await page.$("input[name=weightsFile]"))!.uploadFile(path);
          await page.waitForFunction(
            `document.getElementById("status").textContent.startsWith("Loaded twolayer.safetensors")`,
          );
          const chosen = await page.$$eval(
            "select",
            (ss) => ss.map((e) => (e as { value: string }).value),
          );
          assertEquals(
            chosen,
            ["twolayer", "wasm", "three", "sgd_momentum"],
            "the form shows the file's net",
          );
          await page.click("#evaluate");
          await page.waitForFunction(`document.getElementById("error").textContent !== ""`, {
            timeout: RUN_TIMEOUT_MS,
          });
          assertEquals(
            await page.$eval("#error", (e) => e.textContent ?? ""),
            refusal,
          );
          await page.$eval("#error", (e) => (e.textContent = ""));
          await page.click("#start"); // from the file: its net and sizes, the form's sgd_momentum
          const r = await result(page) as Result & { config: Record<string, unknown> };
          assertEquals([r.config.net, r.config.hiddenDim, r.config.updateRule], [
            "three",
            50,
            "sgd_momentum",
          ]);
          const deno = await denoTwoLayer(parseTwoLayerArgs(args)!, dataDir, trained.weights);
          assertTrue(
            !Object.is(deno.losses[0], trained.losses[0]),
            "the continued run starts elsewhere",
          );
          sameBits(r.losses, deno.losses, "twolayer continued");
          const bytes = await page.$eval("#weights", async (a) => {
            const { href } = a as unknown as { href: string };
            return [...new Uint8Array(await (await fetch(href)).arrayBuffer())];
          });
          assertEquals(new Uint8Array(bytes), deno.weights, "the continued run's weights file");
          await page.$eval(
            "input[name=fromWeights]",
            (e) => ((e as { checked: boolean }).checked = false),
          );
          await page.select("select[name=net]", "two");
          await page.select("select[name=model]", "convnet");
        },
      );

      await t.step(
        "the CIFAR-10 tarball dropped on the page trains the same run; bad tarballs",
        async () => {
          const bytes = await otherTarball();
          const extracted = `${tmp.dir}/from_tarball`;
          await Deno.mkdir(extracted);
          await extractTar(
            new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip")),
            extracted,
          );
          const input = (await page.$("input[name=files]"))!;
          const cut = `${tmp.dir}/cut.tar.gz`;
          await Deno.writeFile(cut, bytes.subarray(0, bytes.length >> 1));
          const other = `${tmp.dir}/other.tar.gz`;
          await Deno.writeFile(other, await gzip(tar([tarEntry("notes.txt", new Uint8Array(9))])));
          for (
            const [path, expected] of [
              [cut, 'Cannot read "cut.tar.gz": the archive cannot be extracted: '],
              [other, 'Cannot use "other.tar.gz": the archive has no cifar-10-batches-bin/'],
            ]
          ) {
            await page.$eval("#error", (e) => (e.textContent = ""));
            await input.uploadFile(path);
            await page.waitForFunction(`document.getElementById("error").textContent !== ""`);
            const message = await page.$eval("#error", (e) => e.textContent ?? "");
            assertTrue(message.startsWith(expected), `the page says "${message}"`);
          }
          await page.$eval("#error", (e) => (e.textContent = ""));
          // Drag and drop: a drop event carrying the file, as a browser makes for a dragged file.
          const base64 = btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(""));
          await page.evaluate(`(() => {
            const raw = Uint8Array.from(atob("${base64}"), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([raw], "cifar-10-binary.tar.gz"));
            document.body.dispatchEvent(
              new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }),
            );
          })()`);
          await page.waitForFunction(
            `document.getElementById("status").textContent.startsWith("Using the picked files") ||
              document.getElementById("error").textContent !== ""`,
          );
          assertEquals(await page.$eval("#error", (e) => e.textContent ?? ""), "");
          await page.click("#start");
          const r = await result(page);
          const expected = await denoRun(`${extracted}/cifar-10-batches-bin`, 2);
          assertTrue(
            !Object.is(expected.losses[0], deno!.losses[0]),
            "the tarball holds other images than the served batches",
          );
          sameBits(r.losses, expected.losses, "the dropped tarball");
          assertEquals(r.test?.confusion, expected.confusion);
        },
      );

      await t.step("without the isolation headers it trains on one thread", async () => {
        await page.goto(`${plain.url}?model=convnet&${QUERY}&threads=2&autostart=1`);
        const r = await result(page);
        assertEquals([r.steps, r.threads, r.crossOriginIsolated], [20, 1, false]);
        const note = await page.$eval("#isolation", (e) => e.textContent ?? "");
        assertTrue(note.includes("runs on one thread"), `#isolation says "${note}"`);
        const status = await page.$eval("#status", (e) => e.textContent ?? "");
        assertTrue(status.startsWith("Run done"), `#status says "${status}"`);
        sameBits(r.losses, (await denoRun(dataDir, 1)).losses, "1 thread");
      });

      await t.step(
        "WebGPU: a software adapter only when allowed; a convnet run on it",
        async () => {
          // --enable-unsafe-webgpu: Chromium's SwiftShader, a software fallback (never for timings).
          const gpuBrowser = await launch(`${tmp.dir}/profile_gpu`, ["--enable-unsafe-webgpu"]);
          try {
            const gpuPage = await gpuBrowser.newPage();
            await gpuPage.goto(`${isolated.url}?model=convnet&${QUERY}&threads=2`);
            await gpuPage.waitForFunction(`!document.getElementById("start").disabled`);
            const gpu = await gpuPage.$eval("#gpu", (e) => e.textContent ?? "");
            assertTrue(
              gpu.includes("swiftshader") && gpu.includes("(software)"),
              `#gpu says "${gpu}"`,
            );
            const webgpuOff = () =>
              gpuPage.$eval(
                "option[value=webgpu]",
                (o) => (o as unknown as { disabled: boolean }).disabled,
              );
            assertEquals(await webgpuOff(), true, "a software adapter is not offered by default");
            await gpuPage.click("input[name=softwareGpu]");
            assertEquals(await webgpuOff(), false, "offered once allowed");
            await gpuPage.select("select[name=backend]", "webgpu");
            await gpuPage.click("#start");
            const r = await result(gpuPage);
            assertEquals([r.steps, r.backend], [20, "webgpu"]);
            const far = r.losses.findIndex((v, i) =>
              !(Math.abs(v - deno!.losses[i]) <= GPU_LOSS_TOLERANCE)
            );
            assertEquals(
              far === -1 ? null : { step: far, webgpu: r.losses[far], wasm: deno!.losses[far] },
              null,
              `the WebGPU losses are the WASM run's within ${GPU_LOSS_TOLERANCE}`,
            );
          } finally {
            await gpuBrowser.close();
          }
        },
      );

      assertEquals(pageErrors, []);
    } finally {
      await browser.close();
      await Promise.all([isolated.server.shutdown(), plain.server.shutdown()]);
    }
  },
});
