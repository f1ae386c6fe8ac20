/**
 * The WASM backend above 2 GiB: the memory may grow to 4 GiB (`MAX_PAGES`, what airbench94's
 * batch of 1024 at widths 64/256/256 needs), so every kernel must address bytes past 2³¹ the
 * way it addresses low ones (no signed 32-bit offsets). With a resident array pinning the first
 * 2 GiB, the conv table's forward and gradients and two training steps of mymodel and a narrow
 * airnet (batch norm, pooling, the residual join, smoothed cross-entropy, SGD with resident
 * layer buffers) give bit for bit what they give in low memory.
 *
 * The pin touches 2 GiB of memory while this file runs.
 */
import { convDims } from "../core/dims.ts";
import { Rng } from "../core/random.ts";
import { Tensor } from "../core/tensor.ts";
import { freeWasmArray, MAX_PAGES, wasmArray, wasmKernels } from "../kernels/wasm/mod.ts";
import { buildModel, type ModelConfig } from "../nn/checkpoint.ts";
import { crossEntropy } from "../nn/losses.ts";
import { SGD } from "../nn/optim.ts";
import { assertEquals, assertTrue } from "./_assert.ts";
import { CONV_CASES } from "./_wasm_cases.ts";

/** Bytes pinned below everything else: past 2 GiB. */
const PIN_BYTES = 2 ** 31 + 2 ** 24;

const MODELS: ModelConfig[] = [
  { name: "mymodel", imSize: [3, 32, 32], hiddenDim: 8, kernelSize: 3, nClasses: 10 },
  {
    name: "airnet",
    imSize: [3, 32, 32],
    hiddenDim: 64,
    kernelSize: 3,
    nClasses: 10,
    widths: [8, 16, 16],
  },
];

function randomArray(n: number, rng: Rng): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = 2 * rng.uniform() - 1;
  return a;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Every conv case's forward, data and filter gradients (plain arrays: the arena carves them). */
function convResults(): Float32Array[] {
  const results: Float32Array[] = [];
  for (const [xs, ws, stride, pad] of CONV_CASES) {
    const d = convDims("test", xs, ws, stride, pad);
    const rng = new Rng(size(xs) + size(ws));
    const x = randomArray(size(xs), rng), w = randomArray(size(ws), rng);
    const b = randomArray(d.F, rng), dout = randomArray(d.N * d.F * d.HO * d.WO, rng);
    const out = new Float32Array(dout.length), dx = new Float32Array(x.length);
    const dw = new Float32Array(w.length), db = new Float32Array(d.F);
    wasmKernels.conv2dForward(out, x, w, b, d);
    wasmKernels.conv2dBackwardData(dx, dout, w, d);
    wasmKernels.conv2dBackwardFilter(dw, db, dout, x, d);
    results.push(out, dx, dw, db);
  }
  return results;
}

/** The weights after two SGD steps of `config` on a random batch of 32, resident buffers on. */
function trainedWeights(config: ModelConfig): Float32Array[] {
  const model = buildModel(config, 1).reuseBuffers().train();
  const rng = new Rng(7);
  const x = new Tensor(randomArray(32 * 3 * 32 * 32, rng), [32, 3, 32, 32]); // x: (N, C, H, W)
  const y = Int32Array.from({ length: 32 }, (_, i) => i % 10); // y: (N)
  const sgd = new SGD(model.parameters(), { lr: 0.05, momentum: 0.9, nesterov: true });
  for (let step = 0; step < 2; step++) {
    const { dlogits } = crossEntropy(model.forward(x), y, { labelSmoothing: 0.2 });
    sgd.zeroGrad();
    model.backward(dlogits);
    sgd.step();
  }
  const weights = [...model.stateDict().values()].map((t) => Float32Array.from(t.data));
  model.reuseBuffers(false);
  return weights;
}

Deno.test("WASM kernels give the same bits above 2 GiB", () => {
  assertEquals(MAX_PAGES * 65536, 2 ** 32, "the memory's limit: 4 GiB");
  const low = { conv: convResults(), models: MODELS.map(trainedWeights) };
  const pin = wasmArray(PIN_BYTES / 4);
  try {
    const high = { conv: convResults(), models: MODELS.map(trainedWeights) };
    // a resident array allocated now lies past the pin, above 2 GiB
    const probe = wasmArray(16);
    assertTrue(probe.byteOffset > 2 ** 31, `resident array at ${probe.byteOffset}, not > 2³¹`);
    freeWasmArray(probe);
    assertEquals(high.conv, low.conv, "conv table above 2 GiB vs below");
    for (const [i, config] of MODELS.entries()) {
      assertEquals(high.models[i], low.models[i], `${config.name}: weights above 2 GiB vs below`);
    }
  } finally {
    freeWasmArray(pin);
  }
});
