import { refKernels } from "../kernels/mod.ts";
import { DivergenceError, Solver, type SolverOptions, UPDATE_RULES } from "../nn/solver.ts";
import { TensorDataset } from "../core/dataset.ts";
import { Rng } from "../core/random.ts";
import { Tensor } from "../core/tensor.ts";
import { assertAlmostEquals, assertEquals, assertThrows, assertTrue } from "./_assert.ts";

/** Softmax regression, scores = x·W + b: the smallest Classifier, for testing the Solver. */
class SoftmaxRegression {
  readonly params: Record<string, Tensor>;
  constructor(readonly D: number, readonly C: number, seed = 0) {
    this.params = {
      W: Tensor.randn([D, C], new Rng(seed), { std: 0.01 }),
      b: Tensor.zeros([C]),
    };
  }
  scores(x: Tensor): Tensor {
    const N = x.shape[0];
    const out = Tensor.zeros([N, this.C]);
    refKernels.gemm(out.data, x.data, this.params.W.data, N, this.C, this.D, false, false, false);
    refKernels.addRowBias(out.data, this.params.b.data, N, this.C);
    return out;
  }
  loss(x: Tensor, y: Int32Array) {
    const N = x.shape[0];
    const scores = this.scores(x);
    const dScores = Tensor.zeros(scores.shape);
    const loss = refKernels.softmaxCrossEntropy(dScores.data, scores.data, y, N, this.C);
    const dW = Tensor.zeros([this.D, this.C]), db = Tensor.zeros([this.C]);
    refKernels.gemm(dW.data, x.data, dScores.data, this.D, this.C, N, true, false, false);
    refKernels.sumRows(db.data, dScores.data, N, this.C);
    return { loss, grads: { W: dW, b: db } };
  }
}

/** Three Gaussian blobs in 4-D, well separated. */
function blobs(n: number, seed: number): TensorDataset {
  const rng = new Rng(seed);
  const x = Tensor.zeros([n, 4]);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 3;
    for (let d = 0; d < 4; d++) x.data[i * 4 + d] = (d === y[i] ? 3 : 0) + 0.5 * rng.normal();
  }
  return new TensorDataset(x, y);
}

const data = { train: blobs(300, 1), val: blobs(90, 2) };
const LR: Record<string, number> = { sgd: 0.5, sgd_momentum: 0.1, rmsprop: 0.01, adam: 0.01 };

Deno.test("Solver", async (t) => {
  for (const rule of UPDATE_RULES) {
    await t.step(`${rule} learns three separable blobs`, () => {
      const model = new SoftmaxRegression(4, 3);
      const solver = new Solver(model, data, {
        updateRule: rule,
        learningRate: LR[rule],
        batchSize: 30,
        numEpochs: 5,
        accFrequency: 5,
      });
      const best = solver.train();
      assertTrue(best >= 0.9, `${rule}: best val accuracy ${best}`);
      const first = solver.lossHistory[0], last = solver.lossHistory.at(-1)!;
      assertTrue(last < first / 3, `${rule}: loss ${first} → ${last}`);
      // The best parameters are restored at the end.
      assertEquals(solver.checkAccuracy(data.val), best);
    });
  }

  await t.step(
    "records histories at the first iteration, every accFrequency and epoch ends",
    () => {
      const checks: number[] = [];
      const solver = new Solver(new SoftmaxRegression(4, 3), data, {
        batchSize: 50,
        numEpochs: 2,
        accFrequency: 4,
        learningRate: 0.1,
        onCheck: (c) => checks.push(c.iteration),
      });
      solver.train();
      assertEquals(solver.lossHistory.length, 12); // 300 / 50 = 6 per epoch
      assertEquals(checks, [1, 4, 6, 8, 12]);
      assertEquals(solver.checks.map((c) => c.epoch), [0, 0, 1, 1, 2]);
    },
  );

  await t.step("decays the learning rate once per epoch", () => {
    const solver = new Solver(new SoftmaxRegression(4, 3), data, {
      learningRate: 0.1,
      lrDecay: 0.5,
      numEpochs: 3,
      batchSize: 100,
    });
    solver.train();
    assertAlmostEquals(solver.learningRate, 0.1 * 0.125, 1e-15);
    assertEquals(solver.checks.map((c) => c.learningRate), [0.1, 0.1, 0.05, 0.025]);
  });

  await t.step("is reproducible from its seed", () => {
    const run = (seed: number) => {
      const s = new Solver(new SoftmaxRegression(4, 3), data, { seed, learningRate: 0.1 });
      s.train();
      return s.lossHistory;
    };
    assertEquals(run(3), run(3));
    assertTrue(run(3).some((v, i) => v !== run(4)[i]));
  });

  await t.step("stops on a non-finite loss, naming the iteration and learning rate", () => {
    const model = new SoftmaxRegression(4, 3);
    let calls = 0;
    const diverging = {
      params: model.params,
      scores: (x: Tensor) => model.scores(x),
      loss: (x: Tensor, y: Int32Array) => {
        const r = model.loss(x, y);
        return ++calls === 3 ? { ...r, loss: NaN } : r;
      },
    };
    const e = assertThrows(
      () => new Solver(diverging, data, { learningRate: 0.02 }).train(),
      DivergenceError,
      "iteration 3 with learning rate 2.00e-2",
    ) as DivergenceError;
    assertEquals(e.iteration, 3);
  });

  await t.step("iterations() yields every iteration and ends as train() does", () => {
    const options: SolverOptions = { learningRate: 0.1, batchSize: 30, numEpochs: 2, seed: 4 };
    const a = new SoftmaxRegression(4, 3), b = new SoftmaxRegression(4, 3);
    const whole = new Solver(a, data, options), stepped = new Solver(b, data, options);
    whole.train();
    assertEquals([...stepped.iterations()], Array.from({ length: 20 }, (_, i) => i + 1));
    assertEquals(stepped.lossHistory, whole.lossHistory);
    assertEquals(stepped.bestValAcc, whole.bestValAcc);
    assertEquals([...b.params.W.data], [...a.params.W.data]); // the best parameters, loaded
  });

  await t.step("refuses invalid options before any work, naming the valid range", () => {
    const bad: [SolverOptions, string][] = [
      [{ learningRate: -1 }, "Invalid learning rate -1: it must be > 0"],
      [{ batchSize: 0 }, "Invalid batch size 0: it must be an integer ≥ 1"],
      [{ updateRule: "sgdd" as never }, 'Unknown update rule "sgdd"'],
      [{ momentum: 1 }, "in [0, 1)"],
      [{ numEpochs: 1.5 }, "number of epochs"],
      [{ lrDecay: 0 }, "lr decay"],
    ];
    for (const [options, message] of bad) {
      assertThrows(
        () => new Solver(new SoftmaxRegression(4, 3), data, options),
        RangeError,
        message,
      );
    }
  });
});

Deno.test("rmspropStep()", () => {
  const w = new Float64Array([1, -1]), g = new Float64Array([0.5, -2]);
  const cache = new Float64Array([0, 1]);
  refKernels.rmspropStep(w, g, cache, 2, 0.1, 0.9, 1e-8);
  assertAlmostEquals(cache[0], 0.1 * 0.25, 1e-15);
  assertAlmostEquals(cache[1], 0.9 + 0.1 * 4, 1e-15);
  assertAlmostEquals(w[0], 1 - 0.1 * 0.5 / (Math.sqrt(0.025) + 1e-8), 1e-12);
  assertAlmostEquals(w[1], -1 + 0.1 * 2 / (Math.sqrt(1.3) + 1e-8), 1e-12);
});
