import { decode } from "fast-png";
import { assertEquals, assertRejects, assertThrows, assertTrue } from "./_assert.ts";
import { CLASSES, fakeFilters, fakeMetrics, writeFakeRun } from "./_viz_fixture.ts";
import { decodeSafetensors, encodeSafetensors } from "../nn/safetensors.ts";
import { firstConvWeight, loadRun, runFileNames, writeRunPictures } from "../train/viz/plot.ts";
import { escapeHtml, reportHtml, writeReport } from "../train/viz/report.ts";

const REPO = new URL("..", import.meta.url).pathname;

Deno.test("writeRunPictures()", async (t) => {
  const dir = await Deno.makeTempDir();
  await t.step("writes the three homework pictures from in-memory data", async () => {
    const firstConv = { data: fakeFilters(8, 5), shape: [8, 3, 5, 5] };
    const out = await writeRunPictures(dir, {
      model: "mymodel",
      metrics: fakeMetrics(),
      firstConv,
    });
    assertEquals(out, {
      written: ["mymodel_lossvstrain.png", "mymodel_valaccuracy.png", "mymodel_gridfilt.png"],
      skipped: [],
    });
    const grid = decode(await Deno.readFile(`${dir}/mymodel_gridfilt.png`));
    assertEquals([grid.width, grid.height], [(3 * 5 + 2) * 12, (3 * 5 + 2) * 12]);
    const loss = decode(await Deno.readFile(`${dir}/mymodel_lossvstrain.png`));
    assertTrue(loss.width > 1280 && loss.height > 720, `${loss.width}×${loss.height}`);
  });
  await t.step("logLoss and x change the pictures", async () => {
    const metrics = fakeMetrics();
    const read = () => Deno.readFile(`${dir}/opt_lossvstrain.png`);
    await writeRunPictures(dir, { model: "opt", metrics });
    const linear = await read();
    await writeRunPictures(dir, { model: "opt", metrics, logLoss: true });
    const log = await read();
    await writeRunPictures(dir, { model: "opt", metrics, x: "epoch" });
    const epochs = await read();
    assertTrue(linear.length !== log.length || linear.some((v, i) => v !== log[i]), "log = linear");
    assertTrue(linear.length !== epochs.length || linear.some((v, i) => v !== epochs[i]));
  });
  await t.step("skips, with reasons, what cannot be drawn yet", async () => {
    const early = [{ iteration: 0, epoch: 0, trainLoss: 2.3 }];
    const out = await writeRunPictures(dir, { model: "early", metrics: early });
    assertEquals(out.written, ["early_lossvstrain.png"]);
    assertEquals(out.skipped.map((s) => s.file), ["early_valaccuracy.png", "early_gridfilt.png"]);
    assertTrue(out.skipped[0].reason.includes("nothing to draw"), out.skipped[0].reason);
  });
  await t.step("a diverged run still gets its loss picture, with the NaN marked", async () => {
    const metrics = fakeMetrics().map((r) => r.iteration >= 300 ? { ...r, trainLoss: NaN } : r);
    const firstConv = { data: [NaN, 1, 2, 3], shape: [1, 1, 2, 2] };
    const out = await writeRunPictures(dir, { model: "nan", metrics, firstConv });
    assertEquals(out.written, ["nan_lossvstrain.png", "nan_valaccuracy.png"]);
    assertTrue(out.skipped[0].reason.includes("weight 0 is NaN"));
  });
  await t.step("rejects file-name prefixes that are not plain names", () => {
    assertThrows(() => runFileNames("../x"), RangeError, 'Cannot name run pictures after "../x"');
  });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("firstConvWeight()", async (t) => {
  const tensors = {
    "a.fc": { data: new Float64Array(4), shape: [2, 2] },
    "z.conv": { data: new Float32Array(2), shape: [2, 1, 1, 1] },
    "b.conv": { data: new Float32Array(3), shape: [3, 1, 1, 1] },
  };
  await t.step("is __metadata__.first_conv when present", () => {
    const st = decodeSafetensors(encodeSafetensors(tensors, { first_conv: "z.conv" }));
    assertEquals(firstConvWeight(st).shape, [2, 1, 1, 1]);
  });
  await t.step("else the first rank-4 tensor by data offset", () => {
    const st = decodeSafetensors(encodeSafetensors(tensors));
    assertEquals(firstConvWeight(st).shape, [3, 1, 1, 1]); // F64 first, then F32 by name
  });
  await t.step("names a missing tensor", () => {
    const st = decodeSafetensors(encodeSafetensors(tensors, { first_conv: "conv1" }));
    assertThrows(() => firstConvWeight(st), TypeError, 'names "conv1" but there is no such tensor');
  });
});

Deno.test("reportHtml()", async (t) => {
  const dir = await Deno.makeTempDir();
  await writeFakeRun(dir, "convnet");
  const run = await loadRun(dir);
  const html = await reportHtml(run);
  await t.step("holds the configuration, the numbers, the charts and Vega inline", () => {
    assertTrue(html.includes("<title>convnet — run report</title>"));
    assertTrue(html.includes("<code>0.0005</code>"), "weightDecay in the config table");
    assertTrue(html.includes("final val accuracy"));
    assertTrue(html.includes('<script id="specs" type="application/json">{"loss":{"$schema"'));
    assertTrue(!/<script[^>]+src=/.test(html), "no external scripts: the page works offline");
    assertTrue(html.length > 400_000, "the Vega build is inlined");
    assertTrue(!/\{\{\s*\w+\s*\}\}/.test(html), "every placeholder is filled");
  });
  await t.step("shows the filter grid as an inline PNG", () => {
    const m = html.match(/src="data:image\/png;base64,([A-Za-z0-9+/=]+)"/);
    assertTrue(m !== null);
    const png = decode(Uint8Array.from(atob(m![1]), (c) => c.charCodeAt(0)));
    assertEquals([png.width, png.height], [47 * 8, 47 * 8]);
  });
  await t.step("shows per-class accuracy and the confusion matrix from test_metrics.json", () => {
    for (const c of CLASSES) assertTrue(html.includes(`<th>${c}</th>`), c);
    assertTrue(html.includes("Confusion matrix"));
    assertEquals(html.match(/<tr><th>\w+<\/th>(<td style=[^>]+>\d+<\/td>){10}<\/tr>/g)?.length, 10);
  });
  await t.step("train accuracy: the last epoch's mean, not its last (partial) batch", async () => {
    const accs = [0.4, 0.4, 0.4, 0.4, 0.6, 0.6, 0.6, 0];
    const metrics = accs.map((trainAcc, i) => ({
      iteration: i,
      epoch: (i + 1) / 4,
      trainLoss: 1,
      trainAcc,
    }));
    const page = await reportHtml({ model: "convnet", config: {}, metrics });
    const card = page.match(/train accuracy, last epoch<\/div><div class="value">([^<]+)<\/div>/);
    assertEquals(card?.[1], "45.00%");
    assertTrue(page.includes("mean of 4 measurements"));
  });
  await t.step("escapes what it shows", async () => {
    assertEquals(escapeHtml(`<a href="x">&'`), "&#60;a href=&#34;x&#34;&#62;&#38;&#39;");
    const evil = await reportHtml({ ...run, config: { note: "</script><b>" } });
    assertTrue(evil.includes("&#60;/script&#62;&#60;b&#62;"));
  });
  await t.step("writeReport() writes report.html atomically", async () => {
    assertEquals(await writeReport(dir, run), `${dir}/report.html`);
    assertEquals(await Deno.readTextFile(`${dir}/report.html`), html);
  });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("deno task plot", async (t) => {
  const dir = await Deno.makeTempDir();
  await writeFakeRun(dir, "convnet");
  const plot = (...args: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "--allow-write", `${REPO}tasks/plot.ts`, ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
  await t.step("regenerates every picture and the report from the files", async () => {
    const out = await plot(dir);
    const stdout = new TextDecoder().decode(out.stdout);
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
    assertTrue(stdout.startsWith("plot configuration:"), stdout);
    for (
      const f of ["convnet_lossvstrain.png", "convnet_valaccuracy.png", "convnet_gridfilt.png"]
    ) {
      assertTrue(stdout.includes(`wrote ${dir}/${f}`), f);
      assertTrue((await Deno.stat(`${dir}/${f}`)).size > 1000);
    }
    assertTrue((await Deno.stat(`${dir}/report.html`)).size > 400_000);
  });
  await t.step("gives byte-identical pictures when run again", async () => {
    const before = await Deno.readFile(`${dir}/convnet_lossvstrain.png`);
    assertEquals((await plot("--no-report", dir)).code, 0);
    assertEquals(await Deno.readFile(`${dir}/convnet_lossvstrain.png`), before);
  });
  await t.step(
    "fails clearly without a run folder, a model name or a readable config",
    async () => {
      const empty = await Deno.makeTempDir();
      const out = await plot(empty);
      assertEquals(out.code, 1);
      const stderr = new TextDecoder().decode(out.stderr);
      assertTrue(stderr.includes(`plot: Cannot plot "${empty}": it has no metrics.csv`), stderr);
      assertTrue(!stderr.includes("--name"), "an empty folder is not a naming problem");
      await assertRejects(() => loadRun(empty, { name: "x" }), Error, "it has no metrics.csv");
      await Deno.copyFile(`${dir}/metrics.csv`, `${empty}/metrics.csv`);
      await assertRejects(() => loadRun(empty), TypeError, 'config.json has no "model"');
      await Deno.writeTextFile(`${empty}/config.json`, '{"model": "convnet",');
      const bad = await plot(empty);
      assertEquals(bad.code, 2);
      assertTrue(
        new TextDecoder().decode(bad.stderr).includes(
          `plot: Cannot read "${empty}/config.json": it is not JSON (`,
        ),
        new TextDecoder().decode(bad.stderr),
      );
      await Deno.remove(empty, { recursive: true });
    },
  );
  await Deno.remove(dir, { recursive: true });
});
