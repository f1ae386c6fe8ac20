import { assertSameRun, interrupted, straight, tiny, TINY_DATA } from "./_sessions.ts";
import { assertEquals, assertRejects, assertThrows, assertTrue } from "./_assert.ts";
import { DEFAULTS, parseTrainArgs, recipeHelp } from "../train/config.ts";
import { selectBackend } from "../train/backend.ts";
import { kernelsFor } from "../kernels/mod.ts";
import { wasmBuild } from "../kernels/wasm/mod.ts";
import { resumeRunOptions } from "../tasks/train.ts";
import { logLine, testLine } from "../train/log.ts";
import {
  createSession,
  DivergedError,
  DIVERGENCE_FACTOR,
  DIVERGENCE_PATIENCE,
  hasDiverged,
  type LossWatch,
  NonFiniteLossError,
  type StepRunner,
  trainEpochs,
  watchLoss,
} from "../train/loop.ts";
import { PROBE_STEPS, probeStepTimes } from "../train/probe.ts";

const DATA = TINY_DATA;

Deno.test("trainEpochs() resume", async (t) => {
  await t.step("convnet: 2 epochs straight = 1 epoch + resume", async () => {
    const config = tiny("convnet");
    const a = await straight(config, DATA);
    assertEquals(a.lines.length, 2 * 2); // batches 0 and 2 of each 3-batch epoch
    assertSameRun(a, await interrupted(config, DATA, 3));
  });

  await t.step("mymodel (BN, augmentation, Nesterov, TTA): stopped mid-epoch", async () => {
    const config = tiny("mymodel", { schedule: "cosine" });
    assertSameRun(await straight(config, DATA), await interrupted(config, DATA, 4));
  });

  await t.step("same seed → same numbers; another seed → others", async () => {
    const config = tiny("convnet", { epochs: 1 });
    const a = await straight(config, DATA), b = await straight(config, DATA);
    assertSameRun(a, b);
    const c = await straight({ ...config, seed: 2 }, DATA);
    assertTrue(c.lines[0] !== a.lines[0], `${c.lines[0]} differs from ${a.lines[0]}`);
  });
});

Deno.test("probeStepTimes() times both backends and leaves the run's numbers unchanged", async () => {
  for (const model of ["convnet", "mymodel"] as const) {
    const config = tiny(model, { schedule: "cosine" });
    const s = createSession(config, DATA);
    let gpuSteps = 0, destroyed = false;
    const slowRunner = (): Promise<StepRunner> =>
      Promise.resolve({
        step: async () => {
          gpuSteps++;
          await new Promise((r) => setTimeout(r, 20));
          return { loss: 2.3, acc: 0.1 };
        },
        sync: () => Promise.resolve(),
        destroy: () => void (destroyed = true),
      });
    const t = await probeStepTimes(s, DATA, slowRunner);
    assertEquals([gpuSteps, destroyed], [PROBE_STEPS + 1, true]);
    assertTrue(t.webgpuMs >= 15 && t.wasmMs > 0, JSON.stringify(t));
    const lines: string[] = [];
    assertEquals(await trainEpochs(s, DATA, { log: (l) => void lines.push(l) }), "done");
    assertSameRun(await straight(config, DATA), { s, lines });
  }
});

Deno.test("trainEpochs() stops on a non-finite loss", async () => {
  const s = createSession(tiny("convnet", { lr: 1e38, schedule: "constant" }), DATA);
  const e = await assertRejects(() => trainEpochs(s, DATA), NonFiniteLossError);
  const { step, lr } = e as NonFiniteLossError;
  assertEquals(lr, 1e38);
  assertTrue(step >= 1, `step ${step}`);
  assertTrue(e.message.includes(`at step ${step} (epoch 1) with learning rate 1e+38`), e.message);
});

Deno.test("trainEpochs() stops when the loss diverges", async () => {
  // At learning rate 0.5 the tiny convnet's loss grows by orders of magnitude per step but
  // stays finite for 20 steps: only the divergence rule stops it.
  const s = createSession(tiny("convnet", { lr: 0.5, schedule: "constant", epochs: 30 }), DATA);
  const e = await assertRejects(() => trainEpochs(s, DATA), DivergedError);
  assertTrue(!(e instanceof NonFiniteLossError), e.message);
  const { step, lr } = e as DivergedError;
  assertEquals(lr, 0.5);
  assertTrue(step >= DIVERGENCE_PATIENCE, `step ${step}`);
  assertEquals(s.progress.metrics.length, step, "the diverged step is not recorded");
  assertTrue(
    e.message.includes(`the training loss diverged`) &&
      e.message.includes(
        `at step ${step} (epoch ${Math.floor(step / 3) + 1}) with learning rate 0.5`,
      ) &&
      e.message.includes("Lower --lr (try 0.05)"),
    e.message,
  );
  assertTrue(s.progress.metrics.every((m) => Number.isFinite(m.trainLoss)));
});

Deno.test("watchLoss()", async (t) => {
  const run = (losses: number[]) => {
    let w: LossWatch | undefined;
    for (const loss of losses) w = watchLoss(w, loss);
    return w!;
  };
  const start = Array(5).fill(2.3);
  await t.step("a spike is not a divergence", () => {
    const w = run([...start, 200, ...Array(50).fill(2)]);
    assertTrue(!hasDiverged(w) && w.over === 0, JSON.stringify(w));
  });
  await t.step("a sustained climb is, after DIVERGENCE_PATIENCE steps over the bar", () => {
    const bar = DIVERGENCE_FACTOR * 2.3;
    const steps = [...start, ...Array(200).fill(bar + 1)];
    let w: LossWatch | undefined, overAt = -1, divergedAt = -1;
    steps.forEach((loss, i) => {
      w = watchLoss(w, loss);
      if (overAt < 0 && w.over > 0) overAt = i;
      if (divergedAt < 0 && hasDiverged(w)) divergedAt = i;
    });
    assertEquals(divergedAt - overAt, DIVERGENCE_PATIENCE - 1);
  });
  await t.step("falling back under the bar resets the count", () => {
    const w = run([...start, ...Array(40).fill(100), ...Array(60).fill(2)]);
    assertEquals(w.over, 0);
  });
});

Deno.test("logLine() and testLine()", () => {
  assertEquals(
    logLine({
      epoch: 1,
      seen: 12800,
      total: 49000,
      percent: 100 * 100 / 383,
      trainLoss: 1.1895394,
      valLoss: 1.2234671,
      valAcc: 57.8125,
    }),
    "Train Epoch: 1 [12800/49000 (26%)]\tTrain Loss: 1.189539\tVal Loss: 1.223467\tVal Acc: 57.8125",
  );
  const line = logLine({
    epoch: 2,
    seen: 0,
    total: 500,
    percent: 0,
    trainLoss: 2,
    valLoss: 2,
    valAcc: 58,
  });
  assertEquals(
    line,
    "Train Epoch: 2 [0/500 (0%)]\tTrain Loss: 2.000000\tVal Loss: 2.000000\tVal Acc: 58.0",
  );
  assertEquals(
    testLine({ loss: 1.24923, correct: 5670, total: 10000, confusion: [] }),
    "test set: Average loss: 1.2492, Accuracy: 5670/10000 (57%)",
  );
  // Python's {:.0f} rounds half to even: 62.5 → 62.
  assertEquals(testLine({ loss: 1, correct: 5, total: 8, confusion: [] }).endsWith("(62%)"), true);
});

Deno.test("parseTrainArgs()", async (t) => {
  await t.step("defaults per model, flags override", () => {
    const p = parseTrainArgs(["--model", "mymodel", "--lr", "0.1", "--no-tta", "--epochs", "3"]);
    assertTrue(!p.help && p.config !== null);
    if (p.help || p.config === null) return;
    assertEquals(p.config, { ...DEFAULTS.mymodel, lr: 0.1, tta: false, epochs: 3 });
    assertEquals(p.run.backend, "wasm");
  });
  await t.step("the default learning rate follows --batch-size; --lr wins", () => {
    const lr = (...args: string[]) => {
      const p = parseTrainArgs(["--model", "convnet", ...args]);
      return p.help ? NaN : p.config!.lr;
    };
    assertEquals(lr(), DEFAULTS.convnet.lr);
    assertEquals(lr("--batch-size", "128"), DEFAULTS.convnet.lr);
    assertEquals(lr("--batch-size", "50"), DEFAULTS.convnet.lr * 50 / DEFAULTS.convnet.batchSize);
    assertEquals(lr("--batch-size", "50", "--lr", "0.02"), 0.02);
  });
  await t.step("--help, with the recipe of --model", () => {
    assertEquals(parseTrainArgs(["--help"]), { help: true });
    assertEquals(parseTrainArgs(["--model", "mymodel", "--help"]), {
      help: true,
      model: "mymodel",
    });
    const help = recipeHelp("mymodel");
    for (const flag of ["--lr 0.4", "--batch-size 512", "--schedule onecycle", "--nesterov"]) {
      assertTrue(help.includes(flag), `${flag} in ${help}`);
    }
  });
  await t.step("messages name the flag", () => {
    const cases: [string[], string][] = [
      [[], "Cannot train without --model: use --model convnet or --model mymodel"],
      [["--model", "vgg"], "Cannot train --model vgg"],
      [["--model", "convnet", "--lr", "fast"], "Cannot use --lr fast: it must be a number"],
      [["--model", "convnet", "--epochs", "1.5"], "Cannot use --epochs 1.5: it must be an integer"],
      [["--model", "convnet", "--batch-size", "0"], "Cannot use --batch-size 0: it must be ≥ 1"],
      [["--model", "convnet", "--kernel-size", "4"], "Cannot use --kernel-size 4: it must be odd"],
      [["--model", "convnet", "--schedule", "step"], "Cannot use --schedule step: use one of"],
      [["--model", "convnet", "--bogus"], "Cannot use --bogus: there is no such flag; see --help"],
      [
        ["--model", "convnet", "--lr", "-1"],
        "Cannot read --lr -1: join a value that starts with a dash to its flag, as in --lr=-1",
      ],
      [["--model", "convnet", "--lr=-1"], "Cannot use --lr -1: it must be ≥ 0"],
      [["--model", "convnet", "--tta", "--no-tta"], "Cannot use both --tta and --no-tta"],
      [["--model", "convnet", "--backend", "gpu"], "Cannot use --backend gpu"],
      [["--model", "convnet", "--threads", "0"], "Cannot use --threads 0"],
      [["--resume", "runs/x", "--lr", "1"], "Cannot combine --resume with --lr"],
      [["--model", "convnet", "--momentum", "0", "--nesterov"], "Nesterov needs momentum > 0"],
    ];
    for (const [args, message] of cases) {
      assertThrows(() => parseTrainArgs(args), RangeError, message);
    }
  });
  await t.step("--resume keeps the saved recipe", () => {
    const p = parseTrainArgs(["--resume", "runs/x", "--threads", "2"]);
    assertTrue(!p.help && p.config === null && p.run.resume === "runs/x" && p.run.threads === 2);
  });
});

Deno.test("resumeRunOptions()", async (t) => {
  const parsed = (...args: string[]) => {
    const p = parseTrainArgs(["--resume", "runs/x", ...args]);
    if (p.help) throw new Error("help");
    return p.run;
  };
  const recorded = { cifar10Dir: "/data/cifar", threads: 3, backend: "ref", wasmBuild };
  await t.step("the run folder's values, unless given again", () => {
    const notes: string[] = [];
    const r = resumeRunOptions(parsed(), recorded, (n) => notes.push(n));
    assertEquals([r.cifar10Dir, r.threads, r.backend], ["/data/cifar", 3, "ref"]);
    assertEquals(notes, []);
    const given = parsed("--threads", "2", "--backend", "wasm", "--cifar10-dir", "/other");
    const o = resumeRunOptions(given, recorded, (n) => notes.push(n));
    assertEquals([o.cifar10Dir, o.threads, o.backend], ["/other", 2, "wasm"]);
  });
  await t.step("an older run folder without them: the defaults", () => {
    const r = resumeRunOptions(parsed(), {}, () => {});
    assertEquals([r.cifar10Dir, r.backend], [undefined, "wasm"]);
  });
  await t.step("another WASM build is noted, with the variable that matches it", () => {
    const other = wasmBuild === "relaxed" ? "release" : "relaxed";
    const notes: string[] = [];
    resumeRunOptions(parsed(), { ...recorded, wasmBuild: other }, (n) => notes.push(n));
    assertEquals(notes.length, 1);
    assertTrue(
      notes[0].includes(`trained with the ${other} WASM build`) &&
        notes[0].includes(`CONVNET_WASM_RELAXED=${other === "relaxed" ? 1 : 0}`),
      notes[0],
    );
  });
});

Deno.test("selectBackend()", () => {
  assertEquals(selectBackend("ref", 4), { name: "ref", threads: 1 });
  assertEquals(kernelsFor("float32").name, "ref");
  assertEquals(selectBackend("auto", 1), { name: "wasm", threads: 1 });
  assertEquals(kernelsFor("float32").name, "wasm");
  assertThrows(() => selectBackend("gpu" as never, 2), RangeError, 'Unknown backend "gpu"');
  selectBackend("wasm", navigator.hardwareConcurrency);
});
