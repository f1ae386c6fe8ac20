// `--backend webgpu` and `--backend auto` in the training task: the choice and its messages
// (with a stubbed adapter, so they run everywhere), and a tiny real CIFAR-10 run on WebGPU whose
// losses match the WASM run's (when CIFAR10_DIR is set and an adapter exists).
import { assertAllClose, assertEquals, assertRejects, assertTrue } from "./_assert.ts";
import { adapter } from "./_webgpu.ts";
import { selectTrainBackend } from "../tasks/_train_backend.ts";
import { train } from "../tasks/train.ts";
import { releaseDevice } from "../kernels/webgpu/mod.ts";

const CIFAR = Deno.env.get("CIFAR10_DIR");
/** Loss agreement of the float32 WebGPU and WASM runs over the first steps (relative). */
const TOL_LOSS = 1e-5;
const NONE = () => Promise.resolve(null);
const SOFTWARE = () => Promise.resolve({ description: "llvmpipe", isFallback: true });
const HARDWARE = () => Promise.resolve({ description: "NVIDIA H200", isFallback: false });

Deno.test("selectTrainBackend()", async (t) => {
  const notes: string[] = [];
  const note = (line: string) => notes.push(line);
  await t.step("webgpu on convnet uses the adapter", async () => {
    const got = await selectTrainBackend("webgpu", 1, "convnet", note, HARDWARE);
    assertEquals(got, { name: "webgpu", threads: 1, adapter: "NVIDIA H200" });
  });
  await t.step("webgpu without an adapter says what to do", async () => {
    await assertRejects(
      () => selectTrainBackend("webgpu", 1, "convnet", note, NONE),
      Error,
      "Deno found no GPU adapter",
    );
  });
  await t.step("webgpu on mymodel is refused", async () => {
    await assertRejects(
      () => selectTrainBackend("webgpu", 1, "mymodel", note, HARDWARE),
      RangeError,
      "Cannot train mymodel with --backend webgpu",
    );
  });
  await t.step(
    "auto: hardware adapter and convnet → webgpu, otherwise WASM with a note",
    async () => {
      assertEquals((await selectTrainBackend("auto", 1, "convnet", note, HARDWARE)).name, "webgpu");
      assertEquals(notes.length, 0);
      assertEquals((await selectTrainBackend("auto", 1, "convnet", note, NONE)).name, "wasm");
      assertEquals((await selectTrainBackend("auto", 1, "convnet", note, SOFTWARE)).name, "wasm");
      assertEquals((await selectTrainBackend("auto", 1, "mymodel", note, HARDWARE)).name, "wasm");
      assertEquals(notes, [
        "--backend auto: no WebGPU adapter, training on WASM",
        "--backend auto: only a software WebGPU adapter (llvmpipe), training on WASM",
        "--backend auto: mymodel has no WebGPU training step yet, training on WASM",
      ]);
    },
  );
  await t.step("the task refuses mymodel on webgpu before reading data", async () => {
    await assertRejects(
      () => train(["--model", "mymodel", "--backend", "webgpu", "--out", "/nonexistent/run"]),
      RangeError,
      "supports convnet so far; use --backend wasm",
    );
  });
});

const TINY = ["--model", "convnet", "--num-train", "200", "--num-val", "100", "--num-test", "100"]
  .concat(["--hidden-dim", "4", "--kernel-size", "3", "--batch-size", "50", "--epochs", "1"]);

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

Deno.test({
  name: adapter === null || CIFAR === undefined
    ? "train --backend webgpu matches --backend wasm (skipped: needs CIFAR10_DIR and an adapter)"
    : "train --backend webgpu matches --backend wasm",
  ignore: adapter === null || CIFAR === undefined,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const tmp = await Deno.makeTempDir();
    try {
      const losses: Record<string, number[]> = {};
      for (const backend of ["wasm", "webgpu"]) {
        const out = `${tmp}/${backend}`;
        assertEquals(await quiet(() => train([...TINY, "--backend", backend, "--out", out])), 0);
        const csv = (await Deno.readTextFile(`${out}/metrics.csv`)).trim().split("\n").slice(1);
        losses[backend] = csv.map((l) => Number(l.split(",")[2]));
        const config = JSON.parse(await Deno.readTextFile(`${out}/config.json`));
        assertEquals(config.backend, backend);
        if (backend === "webgpu") assertTrue(typeof config.adapter === "string", "adapter logged");
      }
      assertEquals(losses.webgpu.length, 4);
      assertAllClose(losses.webgpu, losses.wasm, TOL_LOSS, "training losses");
    } finally {
      await releaseDevice();
      await Deno.remove(tmp, { recursive: true });
    }
  },
});
