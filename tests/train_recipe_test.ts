// The fast-recipe switches of `deno task train` (issue 24): the plain recipes keep their bits,
// an airbench-style run is the same on 1 and 2 threads and resumes bit for bit (its lookahead
// average included), and on the real CIFAR-10 (skipped without CIFAR10_DIR) a tiny recipe run
// completes and `predict` reproduces its test accuracy with the same shift-and-flip TTA.

import { assertSameRun, interrupted, straight, TINY_DATA } from "./_sessions.ts";
import { assertEquals, assertThrows, assertTrue } from "./_assert.ts";
import { tempDir, writeBinaryCifar } from "./_data_fixtures.ts";
import { interruptedRun } from "./_train_run.ts";
import { getThreads, setThreads, wasmBuild } from "../kernels/wasm/mod.ts";
import { BatchNorm2d } from "../nn/modules/batchnorm.ts";
import { DEFAULTS, parseTrainArgs, type TrainConfig } from "../train/config.ts";
import { createSession, sessionWeights, type TrainSession } from "../train/loop.ts";
import { train } from "../tasks/train.ts";
import { predict } from "../tasks/predict.ts";

const CIFAR = Deno.env.get("CIFAR10_DIR");
const DATA = TINY_DATA;

// FNV-1a over the bytes of every training loss, every weight and the weights file of a tiny
// convnet and mymodel run (3 epochs of 48 synthetic images), recorded on main before the
// switches existed (115268d), for each WASM build.
const PLAIN_BITS: Record<string, Record<"convnet" | "mymodel", string>> = {
  relaxed: { convnet: "86ba7be", mymodel: "7455afc0" },
  strict: { convnet: "d6e5cce0", mymodel: "9aa85d30" },
};

function fnv(h: number, bytes: Uint8Array): number {
  for (const b of bytes) h = Math.imul(h ^ b, 16777619) >>> 0;
  return h;
}

function fingerprint(s: TrainSession): string {
  const losses = Float64Array.from(s.progress.metrics.map((m) => m.trainLoss));
  let h = fnv(2166136261, new Uint8Array(losses.buffer));
  for (const [, t] of s.model.stateDict()) {
    h = fnv(h, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  }
  return fnv(h, sessionWeights(s, DATA.classes)).toString(16);
}

/** A tiny airbench93 configuration on the synthetic images, every switch on. */
function tinyRecipe(): TrainConfig {
  const p = parseTrainArgs([
    "--recipe",
    "airbench93",
    "--widths",
    "4,8,8",
    "--batch-size",
    "16",
    "--test-batch-size",
    "16",
    "--epochs",
    "3",
    "--log-interval",
    "2",
    "--num-train",
    "48",
    "--num-val",
    "16",
    "--num-test",
    "16",
    "--whiten",
    "48",
    "--whiten-bias-epochs",
    "1",
    "--lr",
    "0.05",
  ]);
  assertTrue(!p.help && p.config !== null);
  return (p as { config: TrainConfig }).config;
}

Deno.test("train: the plain recipes keep their bits", async (t) => {
  for (const model of ["convnet", "mymodel"] as const) {
    await t.step(model, async () => {
      const config: TrainConfig = {
        ...DEFAULTS[model],
        hiddenDim: 2,
        kernelSize: 3,
        batchSize: 16,
        testBatchSize: 16,
        epochs: 3,
        logInterval: 2,
        lr: 0.01,
        warmup: 0.3,
        numTrain: 48,
        numVal: 16,
        numTest: 16,
      };
      const { s } = await straight(config, DATA);
      assertEquals(fingerprint(s), PLAIN_BITS[wasmBuild][model]);
    });
  }
});

Deno.test("train: the airbench recipe (synthetic images)", async (t) => {
  const config = tinyRecipe();

  await t.step("--recipe sets the switches; flags override them", () => {
    assertEquals(config.model, "airnet");
    assertEquals(config.widths, [4, 8, 8]);
    assertEquals(
      [config.dirac, config.lookahead, config.alternateFlips, config.ttaTranslate, config.pad],
      [true, true, true, 1, 2],
    );
    assertEquals([config.padMode, config.bnBiasLrScale, config.labelSmoothing], [
      "reflect",
      64,
      0.2,
    ]);
    const s = createSession(config, DATA);
    assertEquals(s.optimizer.groups.map((g) => g.lrScale), [64, 64, 1]);
    assertEquals(s.optimizer.groups[0].params.map((p) => p.name), ["whiten.bias"]);
    const all = s.optimizer.groups.flatMap((g) => g.params.map((p) => p.name));
    assertTrue(!all.includes("whiten.weight"), "the whitening weights are not trained");
    const bns: BatchNorm2d[] = [];
    const visit = (m: typeof s.model): void => {
      if (m instanceof BatchNorm2d) bns.push(m);
      for (const [, c] of m.namedChildren()) visit(c);
    };
    visit(s.model);
    assertEquals(bns.length, 6);
    assertTrue(bns.every((b) => b.parameters().length === 1), "frozen batch-norm scales");
  });

  await t.step("the whitening bias stops after --whiten-bias-epochs", async () => {
    const { s } = await straight(config, DATA);
    assertEquals(s.optimizer.groups[0].lrScale, 0);
    assertTrue(s.progress.metrics.every((m) => Number.isFinite(m.trainLoss)), "finite losses");
  });

  await t.step("1 and 2 threads give the same bits", async () => {
    const before = getThreads();
    try {
      setThreads(1);
      const one = await straight(config, DATA);
      setThreads(2);
      const two = await straight(config, DATA);
      assertSameRun(one, two);
    } finally {
      setThreads(before);
    }
  });

  await t.step("--resume mid-epoch (lookahead average included) = uninterrupted", async () => {
    assertSameRun(await straight(config, DATA), await interrupted(config, DATA, 4));
  });

  await t.step("refusals", () => {
    assertThrows(() => parseTrainArgs(["--recipe", "airbench99"]), RangeError, "airbench93");
    assertThrows(
      () => parseTrainArgs(["--recipe", "airbench93", "--model", "mymodel"]),
      RangeError,
      "the recipe trains airnet",
    );
    assertThrows(
      () => parseTrainArgs(["--model", "mymodel", "--whiten", "100"]),
      RangeError,
      "use --model airnet",
    );
    assertThrows(
      () => parseTrainArgs(["--model", "convnet", "--alternate-flips"]),
      RangeError,
      "--no-augment",
    );
    assertThrows(
      () => parseTrainArgs(["--model", "airnet", "--widths", "4,8"]),
      RangeError,
      "three block widths",
    );
  });
});

Deno.test({
  name: "train --recipe airbench93 on CIFAR-10, then predict",
  ignore: CIFAR === undefined,
  fn: async () => {
    const tmp = await Deno.makeTempDir();
    const run = `${tmp}/run`;
    const { log, error } = console;
    const out: string[] = [];
    console.log = (line: string) => void out.push(line);
    console.error = () => {};
    try {
      const args = [
        "--recipe",
        "airbench93",
        "--widths",
        "8,16,16",
        "--num-train",
        "300",
        "--num-val",
        "100",
        "--num-test",
        "100",
        "--batch-size",
        "50",
        "--epochs",
        "2",
        "--whiten",
        "300",
        "--out",
        run,
      ];
      assertEquals(await train(args), 0);
      const testLine = out.find((l) => l.startsWith("test set:"))!;
      const correct = /Accuracy: (\d+)\/100/.exec(testLine)![1];
      out.length = 0;
      const csv = `${tmp}/pred.csv`;
      assertEquals(await predict(["--model", run, "--limit", "100", "--out", csv]), 0);
      assertTrue(out.some((l) => l.includes('"ttaTranslate":1')), out[0]);
      assertEquals(out.at(-1), `Accuracy: ${correct}/100 (${Number(correct).toFixed(2)}%)`);
    } finally {
      console.log = log;
      console.error = error;
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

Deno.test("train --recipe: Ctrl-C, then --resume, gives the uninterrupted run's weights", async () => {
  await using tmp = await tempDir("recipe-resume");
  await writeBinaryCifar(`${tmp.dir}/data`, 240, 20); // 1,200 training images: 200 + 1,000 val
  const flags = [
    "--recipe",
    "airbench93",
    "--widths",
    "4,8,8",
    "--num-train",
    "200",
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
    "--whiten",
    "200",
    "--threads",
    "1",
    "--cifar10-dir",
    `${tmp.dir}/data`,
  ];
  const code = await interruptedRun([...flags, "--out", `${tmp.dir}/a`], "Train Epoch: 1 [30/");
  assertEquals(code, 130);
  const { log, error } = console;
  console.log = console.error = () => {};
  try {
    assertEquals(await train(["--resume", `${tmp.dir}/a`]), 0);
    assertEquals(await train([...flags, "--out", `${tmp.dir}/b`]), 0);
  } finally {
    console.log = log;
    console.error = error;
  }
  const training = async (run: string) =>
    (await Deno.readTextFile(`${tmp.dir}/${run}/airnet.log`)).split("\n").filter((x) =>
      x.startsWith("Train") || x.startsWith("test")
    );
  const a = await training("a");
  assertEquals(a.length, 2 * 20 + 1);
  assertEquals(a, await training("b"));
  assertEquals(
    await Deno.readFile(`${tmp.dir}/a/airnet.safetensors`),
    await Deno.readFile(`${tmp.dir}/b/airnet.safetensors`),
  );
});
