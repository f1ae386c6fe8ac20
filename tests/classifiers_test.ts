import { loadCifar10 } from "../data/cifar10.ts";
import { toTensor } from "../data/batches.ts";
import { Normalization } from "../data/normalize.ts";
import { splitCifar10 } from "../data/splits.ts";
import { ThreeLayerConvNet, TwoLayerConvNet } from "../nn/classifiers.ts";
import { TensorDataset } from "../core/dataset.ts";
import { Solver } from "../nn/solver.ts";
import { evalNumericalGradient, relError } from "../nn/gradcheck.ts";
import { Rng } from "../core/random.ts";
import { Tensor } from "../core/tensor.ts";
import {
  assertAllClose,
  assertAlmostEquals,
  assertAtMost,
  assertThrows,
  assertTrue,
} from "./_assert.ts";

/** The bound for whole-network gradient checks in float64. */
const TOL_NET_GRAD = 1e-6;
/** float32 WASM against float64 reference: normalised max error. */
const TOL_F32 = 1e-4;

/**
 * 50 training images: the real CIFAR-10 when CIFAR10_DIR is set (mean-subtracted, as Part 1),
 * else 50 seeded noise images with random labels (a network can memorise those too).
 */
async function fiftyImages(): Promise<{ x: Tensor; y: Int32Array }> {
  const dir = Deno.env.get("CIFAR10_DIR");
  if (dir) {
    const { train } = splitCifar10(await loadCifar10(dir), { numTrain: 50, numVal: 0, numTest: 0 });
    const x = toTensor(train, { normalize: Normalization.meanImage(train) });
    return { x, y: Int32Array.from(train.labels) };
  }
  const rng = new Rng(7);
  const x = Tensor.randn([50, 3, 32, 32], rng, { std: 50, dtype: "float32" });
  return { x, y: Int32Array.from({ length: 50 }, () => rng.int(10)) };
}

const CHECK_OPTIONS = {
  inputDim: [3, 8, 8] as [number, number, number],
  numFilters: 3,
  filterSize: 3,
  hiddenDim: 7,
  dtype: "float64" as const,
};

/**
 * A point where a whole-network gradient check is well conditioned: He-scaled weights and
 * small random biases give activations and scores of order one. (With the homework's 1e-3
 * weights, some gradient entries are ~1e-7, and rounding in the centred difference alone,
 * ~1e-11, makes their element-wise relative error exceed 1e-6; about one random point in
 * seven has such an entry, which is why the seeds here are fixed.)
 */
function checkPoint(Net: typeof TwoLayerConvNet | typeof ThreeLayerConvNet, seed: number) {
  const rng = new Rng(seed);
  const x = Tensor.randn([2, 3, 8, 8], rng);
  const y = new Int32Array([3, 7]);
  const net = new Net(CHECK_OPTIONS);
  for (const v of Object.values(net.params)) {
    const fanIn = v.rank === 4 ? v.shape[1] * v.shape[2] * v.shape[3] : v.shape[0];
    const std = v.rank === 1 ? 0.1 : Math.sqrt(2 / fanIn);
    for (let i = 0; i < v.size; i++) v.data[i] = std * rng.normal();
  }
  return { net, x, y };
}

const NETS = [
  ["TwoLayerConvNet", TwoLayerConvNet],
  ["ThreeLayerConvNet", ThreeLayerConvNet],
] as const;

Deno.test("ConvNet classifiers", async (t) => {
  for (const [name, Net] of NETS) {
    await t.step(`${name}: initial loss ≈ log(10) without regularisation, higher with it`, () => {
      const x = Tensor.randn([20, 3, 16, 16], new Rng(1));
      const y = Int32Array.from({ length: 20 }, (_, i) => i % 10);
      const options = {
        inputDim: [3, 16, 16] as [number, number, number],
        dtype: "float64" as const,
      };
      const plain = new Net(options).loss(x, y).loss;
      assertAlmostEquals(plain, Math.log(10), 0.01);
      const regularised = new Net({ ...options, reg: 100, weightScale: 0.1 }).loss(x, y).loss;
      assertTrue(regularised > plain + 1, `loss with reg ${regularised} vs ${plain}`);
    });

    for (const seed of [2, 3]) {
      await t.step(`${name}: every gradient matches numerical gradients (seed ${seed})`, () => {
        const { net, x, y } = checkPoint(Net, seed);
        const { grads } = net.loss(x, y);
        for (const [param, value] of Object.entries(net.params)) {
          const numeric = evalNumericalGradient(() => net.loss(x, y).loss, value, 1e-5);
          const err = relError(grads[param].data, numeric.data);
          assertAtMost(err, TOL_NET_GRAD, `${name} ${param} relative error`);
        }
      });
    }

    await t.step(
      `${name}: regularisation adds ½·reg·ΣW² to the loss and reg·W to the grads`,
      () => {
        const { net, x, y } = checkPoint(Net, 2);
        const plain = net.loss(x, y);
        const reg = 0.3;
        const regularised = new Net({ ...CHECK_OPTIONS, reg });
        for (const [k, v] of Object.entries(net.params)) regularised.params[k].data.set(v.data);
        const withReg = regularised.loss(x, y);
        let penalty = 0;
        for (const [k, v] of Object.entries(net.params)) {
          const isWeight = k.startsWith("W");
          if (isWeight) { for (const w of v.data) penalty += 0.5 * reg * w * w; }
          for (let i = 0; i < v.size; i++) {
            const expected = plain.grads[k].data[i] + (isWeight ? reg * v.data[i] : 0);
            assertAlmostEquals(withReg.grads[k].data[i], expected, 1e-12);
          }
        }
        assertAlmostEquals(withReg.loss, plain.loss + penalty, 1e-12);
      },
    );

    await t.step(`${name}: the check catches a gradient that is 1% off`, () => {
      const { net, x, y } = checkPoint(Net, 2);
      const wrong = net.loss(x, y).grads.W1.data.map((g) => g * 1.01);
      const numeric = evalNumericalGradient(() => net.loss(x, y).loss, net.params.W1, 1e-5);
      assertTrue(relError(wrong, numeric.data) > 1e-3);
    });
  }

  for (const [name, Net] of NETS) {
    await t.step(`${name}: float32 (WASM) agrees with float64 (reference)`, () => {
      const { net, x, y } = checkPoint(Net, 4);
      const net32 = new Net({ ...CHECK_OPTIONS, dtype: "float32" });
      for (const [k, v] of Object.entries(net.params)) net32.params[k].data.set(v.data);
      const want = net.loss(x, y), got = net32.loss(x.astype("float32"), y);
      assertAlmostEquals(got.loss, want.loss, 1e-5 * Math.max(1, want.loss));
      for (const k of Object.keys(net.params)) {
        assertAllClose(got.grads[k].data, want.grads[k].data, TOL_F32, `${name} d${k}`);
      }
    });
  }

  await t.step("TwoLayerConvNet overfits 50 training images", async () => {
    const { x, y } = await fiftyImages();
    const train = new TensorDataset(x, y);
    const model = new TwoLayerConvNet({ weightScale: 1e-2, seed: 0 });
    const solver = new Solver(model, { train, val: train }, {
      updateRule: "adam",
      learningRate: 1e-3,
      batchSize: 10,
      numEpochs: 15,
      accFrequency: 1000,
    });
    solver.train();
    const acc = solver.checkAccuracy(train);
    assertTrue(acc >= 0.9, `training accuracy on 50 images: ${acc}`);
  });

  await t.step("refuses a filter size that does not fit", () => {
    assertThrows(() => new TwoLayerConvNet({ filterSize: 4 }), RangeError, "odd integer");
    assertThrows(() => new TwoLayerConvNet({ filterSize: 33 }), RangeError, "must not exceed");
    assertThrows(() => new ThreeLayerConvNet({ hiddenDim: 0 }), RangeError, "hiddenDim");
    assertThrows(() => new TwoLayerConvNet({ weightScale: -1 }), RangeError, "weight scale");
  });
});
