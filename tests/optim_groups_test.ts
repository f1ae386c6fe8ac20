import { assertAlmostEquals, assertEquals, assertThrows } from "./_assert.ts";
import {
  AdamW,
  BatchNorm2d,
  Conv2d,
  crossEntropy,
  Flatten,
  GlobalAvgPool,
  Linear,
  type Parameter,
  ReLU,
  Residual,
  Rng,
  Sequential,
  SGD,
  Tensor,
} from "../mod.ts";
import { kernelsFor } from "../kernels/mod.ts";
import { batchNormGroups } from "../nn/param_groups.ts";

const TOL_EXACT = 1e-15;

/** Float32 parameters with random values, filled gradients drawn per step by `fill`. */
function params(rng: Rng, sizes: number[]): Parameter[] {
  return sizes.map((n, i) => ({
    name: `p${i}`,
    value: Tensor.randn([n], rng, { dtype: "float32" }),
    grad: Tensor.zeros([n], "float32"),
  }));
}

function fillGrads(ps: Parameter[], rng: Rng): void {
  for (const p of ps) for (let k = 0; k < p.grad.size; k++) p.grad.data[k] = rng.normal();
}

function scalar(name: string, w: number): Parameter {
  return {
    name,
    value: new Tensor(new Float64Array([w]), [1]),
    grad: new Tensor(new Float64Array(1), [1]),
  };
}

Deno.test("SGD parameter groups", async (t) => {
  await t.step("a list, one group of it, and the kernel called per parameter: same bits", () => {
    const opts = { lr: 0.05, momentum: 0.9, weightDecay: 5e-4, nesterov: true };
    const [a, b, c] = [0, 0, 0].map(() => params(new Rng(1), [7, 33, 130]));
    const optA = new SGD(a, opts), optB = new SGD([{ params: b }], opts);
    const velocity = c.map((p) => new Float32Array(p.value.size));
    for (let step = 0; step < 5; step++) {
      for (const ps of [a, b, c]) fillGrads(ps, new Rng(100 + step));
      optA.step();
      optB.step();
      c.forEach((p, i) => {
        // the optimizer's code before groups existed
        kernelsFor("float32").sgdStep(
          p.value.data,
          p.grad.data,
          velocity[i],
          p.value.size,
          0.05,
          0.9,
          5e-4,
          true,
        );
      });
    }
    for (let i = 0; i < 3; i++) {
      assertEquals(a[i].value.data, c[i].value.data);
      assertEquals(b[i].value.data, c[i].value.data);
    }
  });
  await t.step("lrScale and weightDecay per group, worked by hand (momentum 0.5)", () => {
    // fast: lr 0.1·10 = 1, wd 0: v = 0.5, w = 1 − 0.5 = 0.5; then v = 0.25 + 0.5, w = −0.25
    // slow: lr 0.1, wd 0.1: g' = 0.5 + 0.1 = 0.6, v = 0.6, w = 0.94; g' = 0.594, v = 0.894, w = 0.8506
    const fast = scalar("fast", 1), slow = scalar("slow", 1);
    const opt = new SGD([{ params: [fast], lrScale: 10, weightDecay: 0 }, { params: [slow] }], {
      lr: 0.1,
      momentum: 0.5,
      weightDecay: 0.1,
    });
    for (let step = 0; step < 2; step++) {
      fast.grad.data[0] = slow.grad.data[0] = 0.5;
      opt.step();
    }
    assertAlmostEquals(fast.value.data[0], -0.25, TOL_EXACT);
    assertAlmostEquals(slow.value.data[0], 0.8506, TOL_EXACT);
    assertEquals([...opt.stateDict().keys()], ["fast.momentum_buffer", "slow.momentum_buffer"]);
    // lrScale 0 freezes a group, momentum and weight decay included
    // (fast, step 3: v = 0.5·0.75 + 0.5 = 0.875, w = −0.25 − 0.875)
    const frozen = slow.value.data[0];
    opt.groups[1].lrScale = 0;
    opt.step();
    assertEquals(slow.value.data[0], frozen);
    assertAlmostEquals(fast.value.data[0], -1.125, TOL_EXACT);
  });
  await t.step("decoupled weight decay with Nesterov, worked by hand", () => {
    // w ← w·(1 − lr·wd); v ← μv + g; w ← w − lr·(g + μv).  lr 0.1, wd 0.5, μ 0.9, g 1 then 1:
    // step 1: w = 0.95, v = 1, w = 0.95 − 0.1·1.9 = 0.76
    // step 2: w = 0.722, v = 1.9, w = 0.722 − 0.1·(1 + 1.71) = 0.451
    const p = scalar("w", 1);
    const opt = new SGD([p], {
      lr: 0.1,
      momentum: 0.9,
      nesterov: true,
      weightDecay: 0.5,
      decoupledWeightDecay: true,
    });
    const ws = [1, 1].map((g) => {
      p.grad.data[0] = g;
      opt.step();
      return p.value.data[0];
    });
    assertAlmostEquals(ws[0], 0.76, TOL_EXACT);
    assertAlmostEquals(ws[1], 0.451, 1e-14);
  });
  await t.step("AdamW groups: a group with weightDecay 0 only takes the Adam step", () => {
    const a = scalar("a", 1), b = scalar("b", 1);
    new AdamW([{ params: [a], weightDecay: 0 }, { params: [b], lrScale: 2 }], { lr: 0.1 }).step();
    assertAlmostEquals(a.value.data[0], 1, TOL_EXACT); // zero gradient, no decay
    assertAlmostEquals(b.value.data[0], 1 - 0.2 * 0.01, TOL_EXACT); // decay lr·lrScale·0.01
  });
  await t.step("refuses mixed lists, a parameter in two groups, unknown keys, bad scales", () => {
    const p = scalar("p", 0), q = scalar("q", 0);
    assertThrows(() => new SGD([{ params: [p] }, q] as never), TypeError, "mixes 1 groups");
    assertThrows(() => new SGD([{ params: [p] }, { params: [p] }]), RangeError, "in two groups");
    assertThrows(() => new SGD([{ params: [p], lr: 1 } as never]), TypeError, 'unknown key "lr"');
    assertThrows(() => new SGD([{ params: [p], lrScale: -1 }]), RangeError, "lrScale");
    assertThrows(() => new SGD([{ params: [] }]), RangeError, "parameter list is empty");
  });
});

Deno.test("BatchNorm2d trainWeight: false", async (t) => {
  await t.step("same output and input gradient as a trained γ = 1; γ stays 1 under SGD", () => {
    const x = Tensor.randn([4, 3, 5, 5], new Rng(2), { dtype: "float64" });
    const dout = Tensor.randn([4, 3, 5, 5], new Rng(3), { dtype: "float64" });
    const free = new BatchNorm2d(3, { dtype: "float64" });
    const frozen = new BatchNorm2d(3, { dtype: "float64", trainWeight: false });
    assertEquals(frozen.forward(x).data, free.forward(x).data);
    assertEquals(frozen.backward(dout).data, free.backward(dout).data);
    assertEquals(frozen.bias.grad.data, free.bias.grad.data);
    const opt = new SGD(frozen.parameters(), { lr: 0.1, weightDecay: 0.1 });
    for (let step = 0; step < 3; step++) {
      frozen.forward(x);
      frozen.backward(dout);
      opt.step();
    }
    assertEquals([...frozen.weight.value.data], [1, 1, 1]);
    assertEquals(frozen.toString(), "BatchNorm2d(3, weight frozen)");
  });
});

Deno.test("batchNormGroups()", async (t) => {
  await t.step("finds the biases of nested batch norms; trains a small net", () => {
    const rng = new Rng(4);
    const block = () =>
      new Sequential([
        new Conv2d(4, 4, { kernelSize: 3, padding: 1, bias: false, rng }),
        new BatchNorm2d(4, { trainWeight: false }),
        new ReLU(),
      ]);
    const net = new Sequential([
      new Conv2d(3, 4, { kernelSize: 3, padding: 1, bias: false, rng }),
      new BatchNorm2d(4),
      new ReLU(),
      new Residual(block()),
      new GlobalAvgPool(),
      new Flatten(),
      new Linear(4, 2, { rng }),
    ]);
    const groups = batchNormGroups(net, { biasLrScale: 64, biasWeightDecay: 1e-5 });
    assertEquals(groups.map((g) => g.params.map((p) => p.name)), [
      ["1.bias", "3.body.1.bias"],
      ["0.weight", "1.weight", "3.body.0.weight", "6.weight", "6.bias"],
    ]);
    const opt = new SGD(groups, { lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 5e-4 });
    const x = Tensor.randn([8, 3, 6, 6], rng, { dtype: "float32" });
    const y = [0, 1, 0, 1, 0, 1, 0, 1];
    const first = crossEntropy(net.forward(x), y).loss;
    let loss = first;
    for (let step = 0; step < 20; step++) {
      opt.zeroGrad();
      const r = crossEntropy(net.forward(x), y, { labelSmoothing: 0.2 });
      net.backward(r.dlogits);
      opt.step();
      loss = r.loss;
    }
    assertEquals(loss < first, true);
  });
});
