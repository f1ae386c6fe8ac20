// The training library's Trainer (train/trainer.ts): its events, pause/resume and stop, and
// what mod.ts's import graph holds (no npm package).
import { fileURLToPath as fromFileUrl } from "node:url";
import { assertEquals, assertRejects, assertThrows, assertTrue } from "./_assert.ts";
import { tiny as tinyRun, TINY_DATA } from "./_sessions.ts";
import { createSession, sessionCheckpoint } from "../train/loop.ts";
import { RunFolder } from "../train/files.ts";
import { readSavedRun } from "../train/saved_run.ts";
import { resumeSession, Trainer } from "../train/trainer.ts";
import type { TrainEvent } from "../train/events.ts";

const ROOT = fromFileUrl(new URL("../", import.meta.url));

const DATA = TINY_DATA;

/** tests/_sessions.ts's tiny run with the warm-up these event counts were written for. */
const tiny = (model: "convnet" | "mymodel") => tinyRun(model, { warmup: 0.4 });

/** Runs a trainer to its end; `onEvent` may pause, resume or stop it. */
async function drain(
  trainer: Trainer,
  onEvent: (e: TrainEvent) => void = () => {},
): Promise<TrainEvent[]> {
  const events: TrainEvent[] = [];
  for await (const e of trainer) {
    events.push(e);
    onEvent(e);
  }
  return events;
}

const kinds = (events: TrainEvent[]) => events.map((e) => e.type);

Deno.test("Trainer events", async (t) => {
  await t.step("in order, with the right counts and numbers", async () => {
    const trainer = new Trainer(createSession(tiny("convnet"), DATA), DATA);
    assertEquals(trainer.status, "ready");
    const events = await drain(trainer);
    const epoch = ["validation", "step", "step", "validation", "step", "epochEnd"];
    assertEquals(kinds(events), [...epoch, ...epoch, "done"]);
    const steps = events.filter((e) => e.type === "step");
    assertEquals(steps.map((e) => e.step), [1, 2, 3, 4, 5, 6]);
    assertEquals(steps.map((e) => [e.epoch, e.batch, e.seen, e.total]), [
      [1, 0, 16, 48],
      [1, 1, 32, 48],
      [1, 2, 48, 48],
      [2, 0, 16, 48],
      [2, 1, 32, 48],
      [2, 2, 48, 48],
    ]);
    for (const e of steps) {
      assertTrue(Number.isFinite(e.loss) && e.lr === e.row.lr, `step ${e.step}: ${e.loss}`);
      assertTrue(e.imagesPerSecond > 0 && Number.isFinite(e.imagesPerSecond), `${e.step}`);
    }
    assertEquals(steps.map((e) => e.row), trainer.session.progress.metrics);
    const vals = events.filter((e) => e.type === "validation");
    assertEquals(vals.map((e) => [e.step, e.epoch]), [[1, 1], [3, 1], [4, 2], [6, 2]]);
    assertTrue(vals[0].line.startsWith("Train Epoch: 1 [0/48 (0%)]\tTrain Loss: "), vals[0].line);
    const ends = events.filter((e) => e.type === "epochEnd");
    assertEquals(ends.map((e) => [e.epoch, e.epochs, e.valAcc]), [
      [1, 2, vals[1].valAcc],
      [2, 2, vals[3].valAcc],
    ]);
    const done = events.at(-1)!;
    assertTrue(done.type === "done" && done.step === 6 && done.test?.total === 16);
    assertEquals(trainer.status, "done");
    await assertRejects(() => drain(trainer), Error, "Cannot run this trainer again: it is done");
  });

  await t.step(
    "a run folder: checkpoints at the start and every epoch, and its files",
    async () => {
      const dir = await Deno.makeTempDir();
      try {
        const trainer = new Trainer(createSession(tiny("convnet"), DATA), DATA, {
          folder: new RunFolder(dir, "convnet"),
        });
        const events = await drain(trainer);
        const saved = events.filter((e) => e.type === "checkpoint");
        assertEquals(saved.map((e) => [e.step, e.path]), [
          [0, `${dir}/checkpoint.safetensors`],
          [3, `${dir}/checkpoint.safetensors`],
          [6, `${dir}/checkpoint.safetensors`],
        ]);
        assertEquals(kinds(events).slice(0, 2), ["checkpoint", "validation"]);
        const files = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
        assertEquals(files, [
          "checkpoint.safetensors",
          "config.json",
          "convnet.safetensors",
          "metrics.csv",
          "test_metrics.json",
          "timing.csv",
        ]);
        assertEquals(await Deno.readFile(`${dir}/convnet.safetensors`), trainer.weights());
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  );
});

Deno.test("Trainer pause() and resume()", async (t) => {
  for (const model of ["convnet", "mymodel"] as const) {
    await t.step(`${model}: paused mid-epoch and at an epoch's end = uninterrupted`, async () => {
      const straight = new Trainer(createSession(tiny(model), DATA), DATA);
      const plain = await drain(straight);
      const paused = new Trainer(createSession(tiny(model), DATA), DATA);
      const events = await drain(paused, (e) => {
        if (e.type === "step" && (e.step === 2 || e.step === 3)) paused.pause();
        // resumed from outside the loop, a while later
        if (e.type === "paused") setTimeout(() => paused.resume(), 20);
      });
      const pauses = events.filter((e) => e.type === "paused" || e.type === "resumed");
      assertEquals(pauses.map((e) => [e.type, e.step]), [
        ["paused", 2],
        ["resumed", 2],
        ["paused", 3], // after the first epoch's end
        ["resumed", 3],
      ]);
      assertEquals(kinds(events).indexOf("epochEnd") + 1, kinds(events).indexOf("paused", 5));
      const strip = (es: TrainEvent[]) =>
        es.filter((e) => e.type === "validation").map((e) => e.type === "validation" && e.line);
      assertEquals(strip(events), strip(plain));
      assertEquals(paused.session.progress.metrics, straight.session.progress.metrics);
      assertEquals(paused.weights(), straight.weights());
    });
  }

  await t.step("a resume() before the pause is reached cancels it", async () => {
    const trainer = new Trainer(createSession(tiny("convnet"), DATA), DATA);
    const events = await drain(trainer, (e) => {
      if (e.type === "step" && e.step === 1) {
        trainer.pause();
        trainer.resume();
      }
    });
    assertEquals(kinds(events).includes("paused"), false);
  });
});

Deno.test("Trainer stop()", async (t) => {
  const straight = new Trainer(createSession(tiny("mymodel"), DATA), DATA);
  await drain(straight);

  await t.step("leaves a checkpoint that resumes to the uninterrupted weights", async () => {
    const dir = await Deno.makeTempDir();
    try {
      const first = new Trainer(createSession(tiny("mymodel"), DATA), DATA, {
        folder: new RunFolder(dir, "mymodel"),
      });
      const events = await drain(first, (e) => {
        if (e.type === "step" && e.step === 2) first.stop();
      });
      assertEquals(kinds(events).slice(-2), ["checkpoint", "stopped"]);
      assertEquals(events.at(-1), { type: "stopped", step: 2, epoch: 1, batch: 2 });
      assertEquals(first.status, "stopped");
      const saved = await readSavedRun(dir);
      assertEquals(saved.config, tiny("mymodel"));
      const session = resumeSession(saved.bytes, DATA);
      assertEquals(session.progress.step, 2);
      const second = new Trainer(session, DATA, { folder: new RunFolder(dir, "mymodel") });
      const rest = await drain(second);
      assertEquals(rest.filter((e) => e.type === "step").map((e) => e.step), [3, 4, 5, 6]);
      assertEquals(second.session.progress.metrics, straight.session.progress.metrics);
      assertEquals(await Deno.readFile(`${dir}/mymodel.safetensors`), straight.weights());
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });

  await t.step("while paused: stops at once", async () => {
    const trainer = new Trainer(createSession(tiny("convnet"), DATA), DATA);
    const events = await drain(trainer, (e) => {
      if (e.type === "step" && e.step === 1) trainer.pause();
      if (e.type === "paused") setTimeout(() => trainer.stop(), 10);
    });
    assertEquals(kinds(events).slice(-2), ["paused", "stopped"]);
    assertEquals(trainer.session.progress.step, 1);
  });

  await t.step("a break out of the loop ends the run and frees a step runner", async () => {
    const session = createSession(tiny("convnet"), DATA);
    let destroyed = 0;
    session.runner = {
      step: () => Promise.resolve({ loss: 2.3, acc: 0.1 }),
      sync: () => Promise.resolve(),
      destroy: () => void destroyed++,
    };
    const trainer = new Trainer(session, DATA);
    for await (const e of trainer) if (e.type === "step" && e.step === 2) break;
    assertEquals([trainer.status, session.progress.step, destroyed], ["stopped", 2, 1]);
  });

  await t.step("resumeSession() refuses a checkpoint without progress", () => {
    const session = createSession(tiny("convnet"), DATA);
    session.progress = null as never;
    assertThrows(
      () => resumeSession(sessionCheckpoint(session), DATA, '"x"'),
      TypeError,
      'Cannot resume from "x": it holds no training progress',
    );
  });
});

/** The modules `deno info` finds from `root` through static imports (code and types). */
async function staticGraph(root: string): Promise<string[]> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", root],
    cwd: ROOT,
  }).output();
  assertEquals(code, 0, new TextDecoder().decode(stderr));
  const info = JSON.parse(new TextDecoder().decode(stdout)) as {
    roots: string[];
    modules: {
      specifier: string;
      dependencies?: {
        isDynamic?: boolean;
        code?: { specifier: string };
        type?: { specifier: string };
      }[];
    }[];
    redirects: Record<string, string>;
  };
  const bySpecifier = new Map(info.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>(), todo = [...info.roots];
  while (todo.length > 0) {
    const s = todo.pop()!, spec = info.redirects[s] ?? s;
    if (seen.has(spec)) continue;
    seen.add(spec);
    for (const d of bySpecifier.get(spec)?.dependencies ?? []) {
      if (d.isDynamic) continue;
      for (const r of [d.code, d.type]) if (r) todo.push(r.specifier);
    }
  }
  return [...seen];
}

Deno.test("mod.ts's static import graph holds no npm package", async () => {
  const graph = await staticGraph("mod.ts");
  assertTrue(graph.some((s) => s.endsWith("/train/trainer.ts")), "the walk reaches the trainer");
  const npm = graph.filter((s) => s.startsWith("npm:"));
  assertEquals(npm, [], `mod.ts imports npm packages: ${npm.join(", ")}`);
  // The walk finds them where they are: the task imports the charts.
  const task = await staticGraph("tasks/train.ts");
  assertTrue(task.some((s) => s.startsWith("npm:")), "tasks/train.ts imports the charts");
});
