import { buildTwoLayerModel, parseTwoLayerArgs } from "../tasks/train_twolayer.ts";
import { assertEquals, assertThrows, assertTrue } from "./_assert.ts";
import { tempDir, writeBinaryCifar } from "./_data_fixtures.ts";

const CIFAR10_DIR = Deno.env.get("CIFAR10_DIR");

Deno.test("parseTwoLayerArgs()", async (t) => {
  await t.step("defaults are the notebook's run", () => {
    const c = parseTwoLayerArgs(["--out", "x"])!;
    assertEquals(
      [c.model, c.numFilters, c.filterSize, c.updateRule, c.lr, c.reg, c.batchSize, c.epochs],
      ["two", 32, 7, "sgd_momentum", 1e-4, 0.001, 50, 1],
    );
    assertEquals(parseTwoLayerArgs(["--help"]), null);
  });
  await t.step("refuses bad values before any work, naming what is allowed", () => {
    assertThrows(() => parseTwoLayerArgs(["--model", "four"]), RangeError, "use two or three");
    assertThrows(() => parseTwoLayerArgs(["--update-rule", "sgdd"]), RangeError, "sgd_momentum");
    assertThrows(() => parseTwoLayerArgs(["--batch-size", "2.5"]), RangeError, "an integer");
    assertThrows(() => parseTwoLayerArgs(["--lr", "fast"]), RangeError, "a number");
    assertThrows(
      () => parseTwoLayerArgs(["--bogus"]),
      RangeError,
      "Cannot use --bogus: there is no",
    );
  });
  await t.step("the model step refuses out-of-range values before any data is read", () => {
    const build = (...args: string[]) => () => buildTwoLayerModel(parseTwoLayerArgs(args)!);
    assertThrows(build("--lr=-1"), RangeError, "learning rate -1: it must be > 0");
    assertThrows(build("--batch-size", "0"), RangeError, "batch size 0: it must be an integer ≥ 1");
    assertThrows(build("--momentum", "1"), RangeError, "in [0, 1)");
    assertThrows(
      build("--num-train", "0"),
      RangeError,
      "--num-train 0: it must be an integer in [1, 49000]",
    );
    assertThrows(build("--num-val", "1001"), RangeError, "[1, 1000]");
    assertThrows(build("--filter-size", "4"), RangeError, "odd");
    assertTrue(buildTwoLayerModel(parseTwoLayerArgs([])!).params.W1 !== undefined);
  });
});

Deno.test("train:twolayer refuses a negative learning rate before touching the disk", async () => {
  const out = await Deno.makeTempDir();
  const r = await runTask(["--lr=-1", "--out", `${out}/run`, "--cifar10-dir", `${out}/none`]);
  assertEquals(r.code, 2, r.stderr); // a usage error
  assertTrue(r.stderr.includes("Invalid learning rate -1: it must be > 0"), r.stderr);
  assertEquals([...Deno.readDirSync(out)].length, 0, "no run folder, no download");
  await Deno.remove(out, { recursive: true });
});

async function runTask(args: string[], cwd?: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    cwd,
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-env=CIFAR10_DIR,CONVNET_THREADS",
      new URL("../tasks/train_twolayer.ts", import.meta.url).pathname,
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

Deno.test({
  name: "deno task train:twolayer",
  ignore: CIFAR10_DIR === undefined,
  fn: async (t) => {
    const dir = await Deno.makeTempDir();
    try {
      await t.step("a small run prints the homework's lines and fills its run folder", async () => {
        const run = await runTask([
          "--cifar10-dir",
          CIFAR10_DIR!,
          "--num-train",
          "200",
          "--num-val",
          "100",
          "--acc-frequency",
          "2",
          "--out",
          dir,
        ]);
        assertEquals(run.code, 0, run.stderr);
        const lines = (await Deno.readTextFile(`${dir}/twolayer.log`)).trimEnd().split("\n");
        const checks = lines.filter((l) => l.startsWith("Finished epoch"));
        assertEquals(checks.length, 3); // iterations 1, 2 and 4 (the epoch's end)
        const pattern =
          /^Finished epoch [01] \/ 1: cost \d+\.\d{6}, train: \d\.\d{6}, val \d\.\d{6}, lr 1\.000000e-04$/;
        for (const l of checks) assertTrue(pattern.test(l), l);
        assertTrue(
          /^finished optimization\. best validation accuracy: \d\.\d{6}$/.test(lines.at(-1)!),
          lines.at(-1),
        );
        for (
          const f of [
            "config.json",
            "metrics.csv",
            "twolayer.safetensors",
            "twolayer_lossvstrain.png",
            "twolayer_valaccuracy.png",
            "twolayer_gridfilt.png",
            "report.html",
          ]
        ) assertTrue((await Deno.stat(`${dir}/${f}`)).size > 0, f);
        const csv = (await Deno.readTextFile(`${dir}/metrics.csv`)).trim().split("\n");
        assertEquals(csv.length, 1 + 4); // header + one row per iteration
      });
      await t.step("a filter size that does not fit is refused before any work", async () => {
        const run = await runTask(["--filter-size", "6", "--out", `${dir}/bad`]);
        assertEquals(run.code, 2);
        assertTrue(run.stderr.includes("Invalid filter size 6"), run.stderr);
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("train:twolayer checks before it writes, and never shares a run folder", async (t) => {
  await using tmp = await tempDir("twolayer");
  await t.step("a missing data folder leaves no run folder behind", async () => {
    const r = await runTask(["--cifar10-dir", `${tmp.dir}/none`], tmp.dir);
    assertEquals(r.code, 1, r.stderr);
    assertTrue(r.stderr.includes(`Cannot find CIFAR-10 in "${tmp.dir}/none"`), r.stderr);
    assertEquals([...Deno.readDirSync(tmp.dir)].length, 0, "no runs/ folder");
  });
  await t.step("--out on an existing run is refused, its config.json untouched", async () => {
    await Deno.mkdir(`${tmp.dir}/old`);
    await Deno.writeTextFile(`${tmp.dir}/old/config.json`, "{}\n");
    const r = await runTask(["--cifar10-dir", `${tmp.dir}/none`, "--out", `${tmp.dir}/old`]);
    assertEquals(r.code, 1, r.stderr);
    assertTrue(r.stderr.includes(`"${tmp.dir}/old": it holds a run already`), r.stderr);
    assertEquals(await Deno.readTextFile(`${tmp.dir}/old/config.json`), "{}\n");
  });
  await t.step("two runs started together get a folder each, each with report.html", async () => {
    await writeBinaryCifar(`${tmp.dir}/data`, 240, 20); // 200 training + 1,000 validation images
    const data = ["--cifar10-dir", `${tmp.dir}/data`, "--num-val", "100", "--threads", "1"];
    const tooMany = await runTask(data, tmp.dir); // --num-train 49000 of 200
    assertEquals(tooMany.code, 2, tooMany.stderr);
    assertTrue(tooMany.stderr.includes("numTrain=49000"), tooMany.stderr);
    assertEquals([...Deno.readDirSync(tmp.dir)].map((e) => e.name).sort(), ["data", "old"]);
    const args = [...data, "--num-train", "200"];
    const runs = await Promise.all([runTask(args, tmp.dir), runTask(args, tmp.dir)]);
    for (const r of runs) assertEquals(r.code, 0, r.stderr);
    const dirs = [...Deno.readDirSync(`${tmp.dir}/runs`)].map((e) => e.name);
    assertEquals(dirs.length, 2, dirs.join(", "));
    for (const d of dirs) {
      const html = await Deno.readTextFile(`${tmp.dir}/runs/${d}/report.html`);
      assertTrue(html.includes("twolayer"), d);
      const log = await Deno.readTextFile(`${tmp.dir}/runs/${d}/twolayer.log`);
      assertEquals(log.split("finished optimization").length, 2, `one run's log in ${d}`);
    }
  });
});
