// End-to-end runs of `deno task train`, `predict` and `collect` on tiny subsets of the real
// CIFAR-10 (skipped when CIFAR10_DIR is unset), plus the .npy reader.

import { assertEquals, assertRejects, assertThrows, assertTrue } from "./_assert.ts";
import { unzipSync } from "fflate";
import { IMAGE_BYTES, loadCifar10 } from "../data/mod.ts";
import { train } from "../tasks/train.ts";
import { predict } from "../tasks/predict.ts";
import { collect } from "../tasks/collect.ts";
import { encodeNpyUint8, parseNpyUint8 } from "../tasks/_npy.ts";
import {
  buildModel,
  encodeTrainCheckpoint,
  encodeWeights,
  type ModelConfig,
  peekTrainCheckpoint,
} from "../nn/checkpoint.ts";
import type { TrainProgress } from "../train/loop.ts";
import { SGD } from "../nn/optim.ts";
import { saveSafetensors } from "../nn/safetensors.ts";
import { Tensor } from "../core/tensor.ts";
import { tempDir, writeBinaryCifar } from "./_data_fixtures.ts";
import { interruptedRun } from "./_train_run.ts";

const CIFAR = Deno.env.get("CIFAR10_DIR");
const TINY = [
  "--model",
  "convnet",
  "--num-train",
  "200",
  "--num-val",
  "100",
  "--num-test",
  "100",
  "--hidden-dim",
  "4",
  "--kernel-size",
  "3",
  "--batch-size",
  "50",
  "--log-interval",
  "2",
];
const LOG_LINE =
  /^Train Epoch: \d+ \[\d+\/\d+ \(\d+%\)\]\tTrain Loss: \d+\.\d{6}\tVal Loss: \d+\.\d{6}\tVal Acc: \d+\.\d+$/;
const TEST_LINE = /^test set: Average loss: \d+\.\d{4}, Accuracy: \d+\/100 \(\d+%\)$/;

/** Runs a task function with console.log and console.error silenced. */
async function quiet(fn: () => Promise<number>): Promise<number> {
  const { log, error } = console;
  console.log = console.error = () => {};
  try {
    return await fn();
  } finally {
    console.log = log;
    console.error = error;
  }
}

/** Runs a task function; its exit code and what it printed with console.log. */
async function captured(fn: () => Promise<number>): Promise<{ code: number; out: string[] }> {
  const { log, error } = console;
  const out: string[] = [];
  console.log = (line: string) => void out.push(line);
  console.error = () => {};
  try {
    return { code: await fn(), out };
  } finally {
    console.log = log;
    console.error = error;
  }
}

const lines = async (path: string) => (await Deno.readTextFile(path)).trimEnd().split("\n");

Deno.test({
  name: "train() predict() collect() on CIFAR-10",
  ignore: CIFAR === undefined,
  fn: async (t) => {
    const tmp = await Deno.makeTempDir();
    const run = `${tmp}/run`;
    await t.step("train: the run folder and the log format", async () => {
      assertEquals(await quiet(() => train([...TINY, "--epochs", "1", "--out", run])), 0);
      const files = [...Deno.readDirSync(run)].map((e) => e.name).sort();
      for (
        const f of [
          "checkpoint.safetensors",
          "config.json",
          "convnet.log",
          "convnet.safetensors",
          "convnet_gridfilt.png",
          "convnet_lossvstrain.png",
          "convnet_valaccuracy.png",
          "metrics.csv",
          "report.html",
          "test_metrics.json",
        ]
      ) assertTrue(files.includes(f), `${f} in ${files}`);
      const log = await lines(`${run}/convnet.log`);
      assertTrue(log[0].startsWith("Configuration: {"), log[0]);
      assertEquals(log.length, 1 + 3 + 1); // batches 0, 2, 3 of 4, then the test line
      for (const l of log.slice(1, -1)) assertTrue(LOG_LINE.test(l), JSON.stringify(l));
      assertTrue(log[1].startsWith("Train Epoch: 1 [0/200 (0%)]"), log[1]);
      assertTrue(log[2].startsWith("Train Epoch: 1 [100/200 (50%)]"), log[2]);
      assertTrue(TEST_LINE.test(log.at(-1)!), log.at(-1));
      const test = JSON.parse(await Deno.readTextFile(`${run}/test_metrics.json`));
      assertEquals(test.confusion.flat().reduce((a: number, v: number) => a + v, 0), 100);
      const correct = test.confusion.reduce((a: number, r: number[], i: number) => a + r[i], 0);
      assertTrue(log.at(-1)!.includes(`Accuracy: ${correct}/100`), log.at(-1));
      const csv = await lines(`${run}/metrics.csv`);
      assertEquals(csv[0], "iteration,epoch,train_loss,val_loss,train_acc,val_acc,lr");
      assertEquals(csv.length, 1 + 4); // every batch: the training loss; 3 of them: validation
      assertEquals(csv.filter((l) => /^\d+,[\d.]+,[\d.]+,[\d.]+,[\d.]+,[\d.]+,/.test(l)).length, 3);
    });

    await t.step("train: a NaN loss stops the run, naming the step and rate", async () => {
      const dir = `${tmp}/nan`;
      const args = [...TINY, "--epochs", "1", "--lr", "1e38", "--schedule", "constant"];
      assertEquals(await quiet(() => train([...args, "--out", dir])), 1);
      const last = (await lines(`${dir}/convnet.log`)).at(-1)!;
      assertTrue(
        /^Training stopped: the loss is (NaN|Infinity) at step \d+ \(epoch 1\) with learning rate 1e\+38/
          .test(last),
        last,
      );
      assertTrue(
        (await Deno.stat(`${dir}/checkpoint.safetensors`)).isFile,
        "the start checkpoint is kept",
      );
    });

    await t.step("predict: CIFAR-10 test batch, and the same images as .npy", async () => {
      const out = `${tmp}/pred.csv`;
      assertEquals(await quiet(() => predict(["--model", run, "--limit", "30", "--out", out])), 0);
      const csv = await lines(out);
      assertEquals(csv.length, 31);
      assertEquals(csv[0], "image_id,label");
      assertTrue(csv.slice(1).every((l, i) => new RegExp(`^${i},[0-9]$`).test(l)), csv[1]);
      // The first 20 test images, channels last as the homework's .npy, give the same labels.
      const test = (await loadCifar10(CIFAR!)).test;
      const hwc = new Uint8Array(20 * IMAGE_BYTES); // hwc: (20, 32, 32, 3)
      for (let i = 0; i < 20; i++) {
        for (let c = 0; c < 3; c++) {
          for (let p = 0; p < 1024; p++) {
            hwc[i * IMAGE_BYTES + 3 * p + c] = test.images[i * IMAGE_BYTES + c * 1024 + p];
          }
        }
      }
      const npy = `${tmp}/imgs.npy`;
      await Deno.writeFile(npy, encodeNpyUint8(hwc, [20, 32, 32, 3]));
      const out2 = `${tmp}/pred_npy.csv`;
      const args = ["--model", `${run}/convnet.safetensors`, "--images", npy, "--out", out2];
      assertEquals(await quiet(() => predict(args)), 0);
      assertEquals(await lines(out2), csv.slice(0, 21));
      await Deno.writeFile(`${tmp}/bad.npy`, encodeNpyUint8(hwc.subarray(0, 3072), [1, 3, 32, 32]));
      await assertRejects(
        () => predict(["--model", run, "--images", `${tmp}/bad.npy`, "--out", out2]),
        TypeError,
        "must have shape (N, 32, 32, 3), got (1, 3, 32, 32)",
      );
      await assertRejects(
        () => predict(["--model", `${tmp}/nothing.safetensors`]),
        Error,
        "no such file or folder",
      );
    });

    await t.step("collect: the zip, read back", async () => {
      const zip = `${tmp}/hw2_code.zip`;
      const args = ["--out", zip, "--predictions", `${tmp}/pred.csv`, run];
      assertEquals(await quiet(() => collect(args)), 0);
      const files = unzipSync(await Deno.readFile(zip));
      for (
        const f of [
          "models/convnet.ts",
          "models/mymodel.ts",
          "tasks/train.ts",
          "run_convnet.sh",
          "run_mymodel.sh",
          "convnet.log",
          "convnet_lossvstrain.png",
          "convnet_valaccuracy.png",
          "convnet_gridfilt.png",
          "runs/run/metrics.csv",
          "predictions.csv",
          "extra.md",
        ]
      ) assertTrue(f in files, `${f} in ${Object.keys(files)}`);
      const dec = (f: string) => new TextDecoder().decode(files[f]);
      assertEquals(dec("convnet.log"), await Deno.readTextFile(`${run}/convnet.log`));
      assertTrue(dec("run_convnet.sh").includes("--hidden-dim 4 \\"), dec("run_convnet.sh"));
      const extra = dec("extra.md");
      assertTrue(extra.includes("Sequential(Conv2d(3→4, k=3, p=1), ReLU, MaxPool2d(2)"), extra);
      const acc = JSON.parse(await Deno.readTextFile(`${run}/test_metrics.json`)).accuracy;
      assertTrue(
        extra.includes(`| run | convnet | `) && extra.includes(`${(100 * acc).toFixed(2)}%`),
      );
      assertTrue(!("runs/run/convnet.safetensors" in files), "weights stay out of the zip");
    });
    await Deno.remove(tmp, { recursive: true });
  },
});

Deno.test({
  name: "train: Ctrl-C saves a checkpoint; --resume finishes as an uninterrupted run",
  ignore: CIFAR === undefined,
  fn: async () => {
    const tmp = await Deno.makeTempDir();
    const flags = [...TINY, "--epochs", "2", "--log-interval", "1"];
    const code = await interruptedRun([...flags, "--out", `${tmp}/a`], "Train Epoch: 1 [50/");
    assertEquals(code, 130);
    const interrupted = await lines(`${tmp}/a/convnet.log`);
    assertTrue(interrupted.at(-1)!.startsWith("Interrupted at epoch"), interrupted.at(-1));
    assertEquals(await quiet(() => train(["--resume", `${tmp}/a`])), 0);
    assertEquals(await quiet(() => train([...flags, "--out", `${tmp}/b`])), 0);
    const a = await lines(`${tmp}/a/convnet.log`), b = await lines(`${tmp}/b/convnet.log`);
    const training = (l: string[]) =>
      l.filter((x) => x.startsWith("Train") || x.startsWith("test"));
    assertEquals(training(a), training(b));
    assertEquals(
      await Deno.readTextFile(`${tmp}/a/metrics.csv`),
      await Deno.readTextFile(`${tmp}/b/metrics.csv`),
    );
    assertEquals(
      await Deno.readFile(`${tmp}/a/convnet.safetensors`),
      await Deno.readFile(`${tmp}/b/convnet.safetensors`),
    );
    await Deno.remove(tmp, { recursive: true });
  },
});

Deno.test("parseNpyUint8()", async (t) => {
  const good = encodeNpyUint8(new Uint8Array(2 * 4 * 4 * 3).fill(7), [2, 4, 4, 3]);
  await t.step("reads numpy.save's layout", () => {
    const { shape, data } = parseNpyUint8(good);
    assertEquals(shape, [2, 4, 4, 3]);
    assertEquals(data.length, 96);
    assertEquals((good.length - data.length) % 64, 0, "header padded to 64 bytes");
  });
  await t.step("refuses other files with what to do", () => {
    const withHeader = (h: string) => {
      const b = good.slice();
      const text = new TextEncoder().encode(h.padEnd(b[8] + 256 * b[9] - 1, " "));
      b.set(text, 10);
      return b;
    };
    const cases: [Uint8Array, string][] = [
      [new Uint8Array([1, 2, 3]), 'does not start with "\\x93NUMPY"'],
      [good.subarray(0, good.length - 5), "needs 96 bytes of data but 91 follow the header"],
      [
        withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 4, 4, 3), }"),
        "its dtype is '<f4', not uint8",
      ],
      [
        withHeader("{'descr': '|u1', 'fortran_order': True, 'shape': (2, 4, 4, 3), }"),
        "Fortran order",
      ],
      [withHeader("{'descr': '|u1', 'fortran_order': False, }"), "no 'shape'"],
    ];
    for (const [bytes, message] of cases) {
      assertThrows(() => parseNpyUint8(bytes, "x.npy"), TypeError, message);
    }
  });
});

Deno.test("train() predict() collect(): help and refusals before any data is read", async (t) => {
  const tmp = await Deno.makeTempDir();
  await t.step("--help", async () => {
    for (const task of [train, predict, collect]) {
      assertEquals(await quiet(() => task(["--help"])), 0);
    }
  });
  await t.step("--resume refuses a folder without a checkpoint", async () => {
    await assertRejects(() => train(["--resume", tmp]), Error, "has no checkpoint.safetensors");
  });
  await t.step("--resume refuses a weights file and a truncated checkpoint", async () => {
    const config: ModelConfig = {
      name: "convnet",
      imSize: [3, 32, 32],
      hiddenDim: 2,
      kernelSize: 3,
      nClasses: 10,
    };
    const model = buildModel(config);
    await Deno.writeFile(`${tmp}/checkpoint.safetensors`, encodeWeights(model, config));
    await assertRejects(() => train(["--resume", tmp]), TypeError, "not the weights file");
    const full = encodeTrainCheckpoint(model, new SGD(model.parameters()), {
      config,
      progress: {},
    });
    await Deno.writeFile(`${tmp}/checkpoint.safetensors`, full.subarray(0, full.length - 100));
    await assertRejects(() => train(["--resume", tmp]), Error, "the file is truncated");
  });
  await t.step("--resume refuses a folder whose checkpoint is another model's", async () => {
    const dir = `${tmp}/mixed`;
    await Deno.mkdir(dir);
    const config: ModelConfig = {
      name: "mymodel",
      imSize: [3, 32, 32],
      hiddenDim: 2,
      kernelSize: 3,
      nClasses: 10,
    };
    const model = buildModel(config);
    const bytes = encodeTrainCheckpoint(model, new SGD(model.parameters(), { momentum: 0.9 }), {
      config,
      progress: { config: { model: "mymodel" } },
    });
    await Deno.writeFile(`${dir}/checkpoint.safetensors`, bytes);
    await Deno.writeTextFile(`${dir}/config.json`, '{"model": "convnet"}\n');
    await assertRejects(
      () => train(["--resume", dir]),
      TypeError,
      "its config.json is a convnet run but its checkpoint.safetensors holds mymodel",
    );
    assertEquals([...Deno.readDirSync(dir)].length, 2, "nothing written");
    assertEquals(await Deno.readTextFile(`${dir}/config.json`), '{"model": "convnet"}\n');
  });
  await t.step("a new run refuses a folder that holds a run", async () => {
    await assertRejects(
      () => train(["--model", "convnet", "--out", tmp]),
      Error,
      `it holds a run already; continue it with --resume ${tmp}`,
    );
  });
  await t.step("predict and collect name what is missing", async () => {
    await assertRejects(() => predict([]), RangeError, "Cannot predict without --model");
    await assertRejects(() => predict(["--model", tmp]), Error, "holds 0 weights files");
    await assertRejects(() => collect([tmp]), Error, "it has no config.json");
  });
  await Deno.remove(tmp, { recursive: true });
});

Deno.test("train: --resume takes the data folder and threads its run folder recorded", async () => {
  await using tmp = await tempDir("resume");
  await writeBinaryCifar(`${tmp.dir}/data`, 240, 20); // 1,200 training images: 200 + 1,000 val
  const flags = [
    ...TINY,
    "--num-val",
    "50",
    "--num-test",
    "20",
    "--batch-size",
    "10",
    "--epochs",
    "2",
    "--log-interval",
    "1",
    "--threads",
    "1",
    "--cifar10-dir",
    `${tmp.dir}/data`,
  ];
  const code = await interruptedRun([...flags, "--out", `${tmp.dir}/a`], "Train Epoch: 1 [10/");
  assertEquals(code, 130);
  const recorded = JSON.parse(await Deno.readTextFile(`${tmp.dir}/a/config.json`));
  assertEquals([recorded.cifar10Dir, recorded.threads], [`${tmp.dir}/data`, 1]);
  // No --cifar10-dir, no --threads: the run folder's values, not $CIFAR10_DIR, data/ or the cores.
  assertEquals(await quiet(() => train(["--resume", `${tmp.dir}/a`])), 0);
  const b = await captured(() => train([...flags, "--out", `${tmp.dir}/b`]));
  assertEquals(b.code, 0);
  assertEquals(b.out.at(-1), `run folder ${tmp.dir}/b (open report.html)`);
  const training = async (run: string) =>
    (await lines(`${tmp.dir}/${run}/convnet.log`)).filter((x) =>
      x.startsWith("Train") || x.startsWith("test")
    );
  assertEquals(await training("a"), await training("b"));
  const resumed = JSON.parse(await Deno.readTextFile(`${tmp.dir}/a/config.json`));
  assertEquals([resumed.cifar10Dir, resumed.threads], [`${tmp.dir}/data`, 1]);
  // A recorded data folder that has gone is named.
  await Deno.rename(`${tmp.dir}/data`, `${tmp.dir}/moved`);
  await assertRejects(
    () => quiet(() => train(["--resume", `${tmp.dir}/a`])),
    Error,
    `its config.json records the data in "${tmp.dir}/data"`,
  );
});

Deno.test("train: a diverging run stops with exit code 1, keeping the last good checkpoint", async () => {
  await using tmp = await tempDir("diverge");
  await writeBinaryCifar(`${tmp.dir}/data`, 240, 20);
  const args = [
    ...TINY,
    ...["--num-val", "50", "--num-test", "20", "--batch-size", "10", "--epochs", "5"],
    ...["--lr", "0.5", "--schedule", "constant", "--threads", "1"],
    ...["--cifar10-dir", `${tmp.dir}/data`, "--out", `${tmp.dir}/run`],
  ];
  assertEquals(await quiet(() => train(args)), 1);
  const last = (await lines(`${tmp.dir}/run/convnet.log`)).at(-1)!;
  const match =
    /^Training stopped: the training loss diverged .* at step (\d+) \(epoch \d\) with learning rate 0\.5; the weights of the last checkpoint are kept\. Lower --lr \(try 0\.05\)/
      .exec(last);
  assertTrue(match !== null, last);
  const saved = peekTrainCheckpoint(await Deno.readFile(`${tmp.dir}/run/checkpoint.safetensors`))
    .progress as TrainProgress;
  assertTrue(saved.step < Number(match![1]), `checkpoint at step ${saved.step}`);
  assertEquals(saved.watch?.over ?? 0, 0, "the checkpoint is from before the loss crossed the bar");
});

Deno.test("predict: a training checkpoint predicts as its weights; Part 1 weights are refused", async () => {
  await using tmp = await tempDir("predict");
  const config: ModelConfig = {
    name: "convnet",
    imSize: [3, 32, 32],
    hiddenDim: 2,
    kernelSize: 3,
    nClasses: 10,
  };
  const model = buildModel(config, 5);
  await Deno.writeFile(`${tmp.dir}/w.safetensors`, encodeWeights(model, config));
  await Deno.writeFile(
    `${tmp.dir}/checkpoint.safetensors`,
    encodeTrainCheckpoint(model, new SGD(model.parameters(), { momentum: 0.9 }), {
      config,
      progress: { config: { tta: false } },
    }),
  );
  const images = new Uint8Array(7 * IMAGE_BYTES).map((_, i) => (i * 37) % 256);
  await Deno.writeFile(`${tmp.dir}/x.npy`, encodeNpyUint8(images, [7, 32, 32, 3]));
  const run = async (weights: string) => {
    const out = `${tmp.dir}/${weights}.csv`;
    const args = ["--model", `${tmp.dir}/${weights}`, "--images", `${tmp.dir}/x.npy`, "--out", out];
    assertEquals(await quiet(() => predict(args)), 0);
    return await Deno.readTextFile(out);
  };
  const fromWeights = await run("w.safetensors");
  assertEquals(fromWeights.trim().split("\n").length, 8);
  assertEquals(await run("checkpoint.safetensors"), fromWeights);
  await saveSafetensors(`${tmp.dir}/part1.safetensors`, {
    W1: new Tensor(new Float32Array(4), [1, 1, 2, 2]),
  }, { metadata: { first_conv: "W1", model: "TwoLayerConvNet" } });
  await assertRejects(
    () => predict(["--model", `${tmp.dir}/part1.safetensors`, "--images", `${tmp.dir}/x.npy`]),
    TypeError,
    "it holds the Part 1 TwoLayerConvNet of train:twolayer, which predict does not support",
  );
});
