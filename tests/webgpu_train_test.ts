// `--backend webgpu` and `--backend auto` in the training task: the choice and its messages
// (with a stubbed adapter, so they run everywhere), and a tiny real CIFAR-10 run on WebGPU whose
// losses match the WASM run's (when CIFAR10_DIR is set and an adapter exists).
import { assertAllClose, assertEquals, assertRejects, assertTrue } from "./_assert.ts";
import { adapter } from "./_webgpu.ts";
import { AUTO_WEBGPU_MARGIN, selectTrainBackend, type StepTimes } from "../train/backend.ts";
import { train } from "../tasks/train.ts";
import { type AdapterSummary, releaseDevice } from "../kernels/webgpu/mod.ts";

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
    const got = await selectTrainBackend("webgpu", 1, "convnet", { note, adapterOf: HARDWARE });
    assertEquals(got, { name: "webgpu", threads: 1, adapter: "NVIDIA H200" });
  });
  await t.step("webgpu without an adapter says what to do", async () => {
    await assertRejects(
      () => selectTrainBackend("webgpu", 1, "convnet", { note, adapterOf: NONE }),
      Error,
      "Deno found no GPU adapter",
    );
  });
  await t.step("webgpu on mymodel uses the adapter", async () => {
    const got = await selectTrainBackend("webgpu", 1, "mymodel", { note, adapterOf: HARDWARE });
    assertEquals(got, { name: "webgpu", threads: 1, adapter: "NVIDIA H200" });
  });
  await t.step("webgpu on a model without a GPU step is refused", async () => {
    await assertRejects(
      () => selectTrainBackend("webgpu", 1, "twolayer", { note, adapterOf: HARDWARE }),
      RangeError,
      "Cannot train twolayer with --backend webgpu: the GPU training step supports convnet, " +
        "mymodel so far",
    );
  });
  await t.step("auto: WASM unless WebGPU's step is measured faster, with the reason", async () => {
    const auto = (
      model: string,
      adapterOf: () => Promise<AdapterSummary | null>,
      probe?: () => Promise<StepTimes>,
    ) => selectTrainBackend("auto", 1, model, { note, adapterOf, probe }).then((b) => b.name);
    const times = (webgpuMs: number, wasmMs: number) => () => Promise.resolve({ webgpuMs, wasmMs });
    notes.length = 0;
    assertEquals(await auto("convnet", HARDWARE, times(10, 100)), "webgpu");
    assertEquals(await auto("mymodel", HARDWARE, times(95, 100)), "wasm"); // within the margin
    assertEquals(await auto("convnet", HARDWARE), "wasm");
    assertEquals(await auto("convnet", HARDWARE, () => Promise.reject(new Error("lost"))), "wasm");
    assertEquals(await auto("convnet", NONE, times(1, 100)), "wasm");
    assertEquals(await auto("mymodel", SOFTWARE, times(1, 100)), "wasm");
    assertEquals(await auto("twolayer", HARDWARE, times(1, 100)), "wasm");
    assertEquals(notes, [
      "--backend auto: a training step took 10.0 ms on WebGPU (NVIDIA H200) and 100.0 ms on " +
      "WASM (1 threads), training on WebGPU",
      "--backend auto: a training step took 95.0 ms on WebGPU (NVIDIA H200) and 100.0 ms on " +
      `WASM (1 threads), training on WASM (WebGPU must take under ${AUTO_WEBGPU_MARGIN}× the ` +
      "WASM time)",
      "--backend auto: WebGPU's speed was not measured, training on WASM",
      "--backend auto: WebGPU failed a test step (lost), training on WASM",
      "--backend auto: no WebGPU adapter, training on WASM",
      "--backend auto: only a software WebGPU adapter (llvmpipe), training on WASM",
      "--backend auto: twolayer has no WebGPU training step yet, training on WASM",
    ]);
  });
});

/** Tiny runs per model: flags, the number of training steps, the loss agreement (relative). */
const TINY = {
  convnet: {
    flags: ["--num-train", "200", "--num-val", "100", "--num-test", "100", "--hidden-dim", "4"]
      .concat(["--kernel-size", "3", "--batch-size", "50", "--epochs", "1"]),
    steps: 4,
    tol: TOL_LOSS,
  },
  // ResNet-9 at width 4 on 64 images (4 steps of 16; onecycle's warm-up needs 2 of them), with
  // train:mymodel's recipe otherwise (label smoothing, Nesterov, weight decay, augmentation,
  // flip TTA); batch norm amplifies rounding a little.
  mymodel: {
    flags: ["--num-train", "64", "--num-val", "16", "--num-test", "16", "--hidden-dim", "4"]
      .concat(["--batch-size", "16", "--epochs", "1", "--log-interval", "1", "--warmup", "0.5"]),
    steps: 4,
    tol: 1e-4,
  },
};

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

/** The numeric columns of metrics.csv, by name (NaN for an empty cell). */
async function metrics(out: string): Promise<Record<string, number[]>> {
  const [head, ...rows] = (await Deno.readTextFile(`${out}/metrics.csv`)).trim().split("\n");
  const names = head.split(",");
  return Object.fromEntries(
    names.map((n, i) => [n, rows.map((r) => Number(r.split(",")[i] || NaN))]),
  );
}

for (const [model, tiny] of Object.entries(TINY)) {
  Deno.test({
    name: adapter === null || CIFAR === undefined
      ? `train --model ${model} --backend webgpu matches --backend wasm (skipped: needs ` +
        "CIFAR10_DIR and an adapter)"
      : `train --model ${model} --backend webgpu matches --backend wasm`,
    ignore: adapter === null || CIFAR === undefined,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const tmp = await Deno.makeTempDir();
      try {
        const got: Record<string, Record<string, number[]>> = {};
        for (const backend of ["wasm", "webgpu"]) {
          const out = `${tmp}/${backend}`;
          const args = ["--model", model, ...tiny.flags, "--backend", backend, "--out", out];
          assertEquals(await quiet(() => train(args)), 0);
          got[backend] = await metrics(out);
          const config = JSON.parse(await Deno.readTextFile(`${out}/config.json`));
          assertEquals(config.backend, backend);
          if (backend === "webgpu") {
            assertTrue(typeof config.adapter === "string", "adapter logged");
          }
        }
        assertEquals(got.webgpu.train_loss.length, tiny.steps);
        assertAllClose(got.webgpu.train_loss, got.wasm.train_loss, tiny.tol, "training losses");
        // validation on the CPU after the weights (and BN statistics) came back from the GPU
        const val = (m: Record<string, number[]>) => m.val_loss.filter((v) => !Number.isNaN(v));
        assertTrue(val(got.webgpu).length > 0, "validation rows");
        assertAllClose(val(got.webgpu), val(got.wasm), tiny.tol, "validation losses");
      } finally {
        await releaseDevice();
        await Deno.remove(tmp, { recursive: true });
      }
    },
  });
}
