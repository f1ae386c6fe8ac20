import { assertAtMost, assertEquals } from "./_assert.ts";
import {
  BatchNorm2d,
  batchNormGroups,
  Conv2d,
  crossEntropy,
  diracInit,
  Flatten,
  GlobalAvgPool,
  Linear,
  lookaheadDecay,
  MaxPool2d,
  predictTta,
  ReLU,
  Rng,
  Sequential,
  SGD,
  Tensor,
  WeightAverage,
  whiteningInit,
} from "../mod.ts";

Deno.test("the fast-recipe pieces together", async (t) => {
  await t.step("whitened stem, dirac convs, frozen BN scales, groups, lookahead, TTA", () => {
    // Class 1 images are bright in their top half, class 0 in their bottom half (so a mirror
    // image keeps its class, as CIFAR-10's do).
    const rng = new Rng(5), N = 32;
    const x = Tensor.randn([N, 3, 8, 8], rng, { std: 0.5, dtype: "float32" });
    const y: number[] = [];
    for (let n = 0; n < N; n++) {
      y.push(n % 2);
      for (let c = 0; c < 3; c++) {
        for (let h = 0; h < 4; h++) {
          for (let w = 0; w < 8; w++) x.data[((n * 3 + c) * 8 + h + (n % 2 ? 0 : 4)) * 8 + w] += 1;
        }
      }
    }
    const bn = (c: number) => new BatchNorm2d(c, { trainWeight: false });
    const net = new Sequential([
      new Conv2d(3, 24, { kernelSize: 2, rng }), // 2·3·2·2: whitening filters and negatives
      new ReLU(),
      new Conv2d(24, 32, { kernelSize: 3, padding: 1, bias: false, rng }),
      new MaxPool2d(2),
      bn(32),
      new ReLU(),
      new Conv2d(32, 32, { kernelSize: 3, padding: 1, bias: false, rng }),
      bn(32),
      new ReLU(),
      new GlobalAvgPool(),
      new Flatten(),
      new Linear(32, 2, { rng }),
    ]);
    const stem = net.namedChildren()[0][1] as Conv2d;
    whiteningInit(stem, x);
    diracInit(net.namedChildren()[2][1] as Conv2d);
    diracInit(net.namedChildren()[6][1] as Conv2d);
    const whitened = stem.weight.value.data.slice();
    // the whitening weights stay fixed, as airbench: left out of every group
    const [bnBiases, rest] = batchNormGroups(net, { biasLrScale: 64, biasWeightDecay: 0 });
    const groups = [bnBiases, { params: rest.params.filter((p) => p.name !== "0.weight") }];
    const opt = new SGD(groups, {
      lr: 0.02,
      momentum: 0.85,
      nesterov: true,
      weightDecay: 5e-3,
      decoupledWeightDecay: true,
    });
    const steps = 30, lookahead = new WeightAverage(net, { every: 5, lookahead: true });
    const losses: number[] = [];
    for (let step = 0; step < steps; step++) {
      net.zeroGrad();
      const r = crossEntropy(net.forward(x), y, { labelSmoothing: 0.2 });
      net.backward(r.dlogits);
      opt.step();
      lookahead.step(lookaheadDecay(step + 1, steps));
      losses.push(r.loss);
    }
    lookahead.update(1);
    assertAtMost(losses[steps - 1], losses[0] * 0.6, "final loss against the first");
    assertEquals(stem.weight.value.data, whitened);
    for (const i of [4, 7]) {
      assertEquals(
        [...(net.namedChildren()[i][1] as BatchNorm2d).weight.value.data],
        Array(32).fill(1),
      );
    }
    net.eval();
    const acc = (l: Tensor) =>
      y.filter((c, n) => (l.data[2 * n + 1] > l.data[2 * n] ? 1 : 0) === c).length;
    assertEquals([acc(net.forward(x)), acc(predictTta(net, x, { translate: 1 }))], [N, N]);
  });
});
