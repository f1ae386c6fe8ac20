// Tests of the notebooks: the display helpers (tensors, tables, pictures, progress, summaries)
// in plain Deno, then every notebook executed headless in Deno's Jupyter kernel — no error
// cell, and the key numbers read from the executed copies within the homework's bounds.
// Without nbconvert or the Deno kernel the execution tests are skipped with a note; without
// CIFAR-10 the notebooks that train are.
import { Rng, Tensor } from "../mod.ts";
import { EDGE_ITEMS, PREVIEW_ALL } from "../core/_display.ts";
import { BOUNDS } from "../tasks/_gradcheck_bounds.ts";
import {
  executeNotebook,
  listNotebooks,
  NOTEBOOKS_DIR,
  notebooksUnavailable,
} from "../tasks/notebooks.ts";
import {
  type CheckedValue,
  DISPLAY,
  filterGridPicture,
  imageGrid,
  Progress,
  Summary,
  type SummaryJson,
  table,
} from "../notebooks/display.ts";
import { assertAtMost, assertEquals, assertThrows, assertTrue } from "./_assert.ts";

/** The homework's bound on its forward checks (rel_error < 1e-7). */
const TOL_HOMEWORK = 1e-7;
/** The homework's goals: overfitting reaches (nearly) 100%, one epoch at least 50% val. */
const MIN_OVERFIT_ACC = 0.95;
const MIN_ONE_EPOCH_VAL = 0.5;
/** Longest a text display may be, whatever the tensor (characters). */
const MAX_TENSOR_TEXT = 2000;

const tensorBundle = (t: Tensor) =>
  (t as unknown as Record<symbol, () => Record<string, string>>)[Symbol.for("Jupyter.display")]();

Deno.test("Tensor in Jupyter", async (t) => {
  await t.step("shows dtype, shape, statistics and the whole of a small tensor", () => {
    const text = tensorBundle(new Tensor(new Float32Array([1, -2, 3.5, 4]), [2, 2]))["text/plain"];
    assertEquals(text, "Tensor(float32, [2, 2])  min -2  max 4  mean 1.625\n[[1, -2],\n [3.5, 4]]");
  });
  await t.step("a huge tensor gives a short summary, never megabytes", () => {
    const big = Tensor.randn([64, 64, 32, 32], new Rng(0), { dtype: "float32" }); // 4M elements
    const bundle = tensorBundle(big);
    assertAtMost(bundle["text/plain"].length, MAX_TENSOR_TEXT, "text length");
    assertAtMost(bundle["text/html"].length, MAX_TENSOR_TEXT + 200, "html length");
    assertTrue(bundle["text/plain"].startsWith("Tensor(float32, [64, 64, 32, 32])  min -"));
    const row = bundle["text/plain"].split("\n")[2]; // first row of the [0, 0, :, :] slice
    assertEquals(row.split(", ").length, 2 * EDGE_ITEMS + 1, "edge items and the ellipsis");
  });
  await t.step("counts NaN and ±∞ apart and escapes nothing it should not", () => {
    const x = new Tensor(new Float64Array([NaN, Infinity, 1, 3]), [4]);
    const { "text/plain": text, "text/html": html } = tensorBundle(x);
    assertEquals(
      text,
      "Tensor(float64, [4])  min 1  max 3  mean 2  (2 NaN or ±∞)\n[nan, inf, 1, 3]",
    );
    assertTrue(html.includes("<pre") && !html.includes("<script"));
    assertEquals(
      tensorBundle(Tensor.zeros([0, 3]))["text/plain"],
      "Tensor(float64, [0, 3])  empty\n[]",
    );
  });
  await t.step(`previews whole up to ${PREVIEW_ALL} elements`, () => {
    const text = tensorBundle(Tensor.zeros([PREVIEW_ALL]))["text/plain"];
    assertTrue(!text.includes("…"));
    assertTrue(tensorBundle(Tensor.zeros([PREVIEW_ALL + 1]))["text/plain"].includes("…"));
  });
});

Deno.test("notebook display helpers", async (t) => {
  await t.step("table(): html, markdown and aligned text", () => {
    const b = table([{ layer: "conv", ms: 2.5 }, { layer: "pool", ms: 0.000123 }], "times")
      [DISPLAY]();
    assertEquals(
      b["text/markdown"],
      "times\n\n| layer | ms |\n| --- | --- |\n| conv | 2.5 |\n| pool | 1.23e-4 |",
    );
    assertTrue(b["text/html"].startsWith("<table><caption>times</caption>"));
  });
  await t.step("imageGrid(): a PNG; wrong shapes are refused", async () => {
    const images = new Uint8Array(2 * 3 * 4 * 4).fill(200);
    const b = (await imageGrid(images, [2, 3, 4, 4], ["cat", { text: "dog", ok: false }]))
      [DISPLAY]();
    assertTrue(b["text/plain"].startsWith("2 images 4×4 (PNG 30×28)"), b["text/plain"]);
    await assertRejects(() => imageGrid(images, [2, 1, 4, 4]), TypeError, "(N, 3, H, W)");
  });
  await t.step("filterGridPicture(): names the filters", () => {
    const w = Tensor.randn([8, 3, 5, 5], new Rng(1));
    assertTrue(filterGridPicture(w)[DISPLAY]()["text/plain"].startsWith("8 filters 3×5×5 (PNG"));
  });
  await t.step("Progress: one line outside Jupyter, a bar in the bundle", async () => {
    const p = new Progress("epoch");
    await p.update(0.5, "loss 1.2");
    assertEquals(
      p[DISPLAY]()["text/plain"],
      `epoch [${"#".repeat(15)}${".".repeat(15)}]  50% loss 1.2`,
    );
    await assertRejects(() => p.update(1.5), RangeError, "[0, 1]");
  });
  await t.step("Summary: records checks and throws on a value out of bounds", () => {
    const s = new Summary("demo");
    s.check("error", 1e-9, 1e-7);
    assertThrows(() => s.check("bad", NaN, 1e-7), RangeError, "bad is NaN, above its bound");
    assertThrows(() => s.atLeast("acc", 0.3, 0.5), RangeError, "acc is 0.3, below its bound 0.5");
    assertEquals(s[DISPLAY]()["application/json"].checks.map((c) => c.name), [
      "error",
      "bad",
      "acc",
    ]);
  });
});

async function assertRejects(
  f: () => Promise<unknown>,
  type: new (...args: never[]) => Error,
  includes: string,
): Promise<void> {
  try {
    await f();
  } catch (e) {
    assertTrue(e instanceof type, `expected ${type.name}, got ${e}`);
    assertTrue((e as Error).message.includes(includes), (e as Error).message);
    return;
  }
  throw new Error(`expected a ${type.name}`);
}

interface Output {
  output_type: string;
  ename?: string;
  evalue?: string;
  data?: Record<string, unknown>;
}

/** Every output of an executed notebook. */
async function outputsOf(path: string): Promise<Output[]> {
  const nb = JSON.parse(await Deno.readTextFile(path));
  return nb.cells.flatMap((c: { outputs?: Output[] }) => c.outputs ?? []);
}

/** The checks a notebook's Summary displayed (application/json). */
function checksOf(outputs: Output[], notebook: string): Map<string, CheckedValue> {
  for (const o of outputs) {
    const json = o.data?.["application/json"] as SummaryJson | undefined;
    if (json?.notebook === notebook) return new Map(json.checks.map((c) => [c.name, c]));
  }
  throw new Error(`The executed ${notebook}.ipynb shows no summary of its checks`);
}

/** What each notebook must show: check name → the homework's bound. */
const REQUIRED: Record<string, Record<string, { max?: number; min?: number }>> = {
  conv_layers: {
    "conv forward naive: rel error": { max: TOL_HOMEWORK },
    "conv backward naive: dx rel error": { max: BOUNDS.conv },
    "conv backward naive: dw rel error": { max: BOUNDS.conv },
    "conv backward naive: db rel error": { max: BOUNDS.conv },
    "max pool forward naive: rel error": { max: TOL_HOMEWORK },
    "max pool backward naive: dx rel error": { max: BOUNDS.pool },
    "conv-relu-pool: dx rel error": { max: BOUNDS.sandwich },
  },
  convnet: {
    "overfit 100 images: train accuracy": { min: MIN_OVERFIT_ACC },
    "one epoch: best validation accuracy": { min: MIN_ONE_EPOCH_VAL },
  },
  convnet_classifier: {},
  filter_viz: {},
};
/** The notebooks that read CIFAR-10. */
const NEEDS_DATA = new Set(["convnet", "convnet_classifier", "filter_viz"]);

const unavailable = await notebooksUnavailable();
const dataDir = Deno.env.get("CIFAR10_DIR");
if (unavailable) console.log(`notebooks_test: executing the notebooks is skipped. ${unavailable}`);

Deno.test({
  name: "notebooks executed in Deno's Jupyter kernel",
  ignore: unavailable !== null,
  async fn(t) {
    const names = (await listNotebooks()).map((p) => p.slice(NOTEBOOKS_DIR.length, -6));
    assertEquals([...names].sort(), Object.keys(REQUIRED).sort(), "every notebook is checked");
    const outDir = await Deno.makeTempDir({ prefix: "notebooks-test-" });
    const started = performance.now();
    try {
      for (const name of names) {
        const ignore = NEEDS_DATA.has(name) && !dataDir;
        if (ignore) console.log(`notebooks_test: ${name}.ipynb skipped: CIFAR10_DIR is not set`);
        await t.step({
          name: `${name}.ipynb`,
          ignore,
          async fn() {
            const r = await executeNotebook(`${NOTEBOOKS_DIR}${name}.ipynb`, { outDir });
            assertTrue(r.ok, `${name}.ipynb has an error cell:\n${r.log.slice(-3000)}`);
            const outputs = await outputsOf(r.executed);
            const errors = outputs.filter((o) => o.output_type === "error");
            assertEquals(errors.map((e) => `${e.ename}: ${e.evalue}`), [], "error outputs");
            if (Object.keys(REQUIRED[name]).length === 0) return;
            const checks = checksOf(outputs, name);
            for (const [check, bound] of Object.entries(REQUIRED[name])) {
              const c = checks.get(check);
              assertTrue(c !== undefined, `${name}.ipynb shows no "${check}"`);
              if (bound.max !== undefined) assertAtMost(c!.value, bound.max, check);
              if (bound.min !== undefined) {
                assertTrue(c!.value >= bound.min, `${check}: ${c!.value}`);
              }
            }
            console.log(`${name}.ipynb: ${r.seconds.toFixed(1)} s`);
          },
        });
      }
      console.log(`all notebooks: ${((performance.now() - started) / 1000).toFixed(1)} s`);
      await t.step("without CIFAR-10 a notebook stops with one clear error", async () => {
        const empty = await Deno.makeTempDir({ prefix: "no-cifar-" });
        try {
          const r = await executeNotebook(`${NOTEBOOKS_DIR}convnet.ipynb`, {
            outDir,
            env: { CIFAR10_DIR: empty },
          });
          assertTrue(!r.ok, "the notebook must fail");
          assertTrue(
            r.log.includes(`Cannot find CIFAR-10 in "${empty}" (from CIFAR10_DIR)`),
            r.log,
          );
          assertTrue(r.log.includes("deno task data:cifar10"), r.log);
        } finally {
          await Deno.remove(empty, { recursive: true });
        }
      });
    } finally {
      await Deno.remove(outDir, { recursive: true });
    }
  },
});
