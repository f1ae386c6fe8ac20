import { assertAlmostEquals, assertAtMost, assertEquals, assertThrows } from "./_assert.ts";
import {
  Adam,
  AdamW,
  BatchNorm2d,
  Conv2d,
  cosineWithWarmup,
  crossEntropy,
  Flatten,
  Linear,
  MaxPool2d,
  oneCycle,
  type Parameter,
  ReLU,
  Rng,
  Sequential,
  SGD,
  stepDecay,
  Tensor,
} from "../mod.ts";

const TOL_EXACT = 1e-14;

/** A one-element float64 parameter. */
function scalarParam(w: number): Parameter {
  return {
    name: "w",
    value: new Tensor(new Float64Array([w]), [1]),
    grad: new Tensor(new Float64Array(1), [1]),
  };
}

/** Runs `steps` steps of `opt` with the given gradient sequence; returns w after each step. */
function run(p: Parameter, opt: { step(): void }, grads: number[]): number[] {
  return grads.map((g) => {
    p.grad.data[0] = g;
    opt.step();
    return p.value.data[0];
  });
}

Deno.test("SGD", async (t) => {
  await t.step("plain: w −= lr·g", () => {
    const p = scalarParam(1);
    const ws = run(p, new SGD([p], { lr: 0.1 }), [0.5, -1]);
    assertAlmostEquals(ws[0], 0.95, TOL_EXACT);
    assertAlmostEquals(ws[1], 1.05, TOL_EXACT);
  });
  await t.step("momentum 0.9 and weight decay 0.01, worked by hand", () => {
    // step 1: g' = 0.5 + 0.01·1 = 0.51, v = 0.51, w = 1 − 0.051 = 0.949
    // step 2: g' = 0.5 + 0.00949 = 0.50949, v = 0.9·0.51 + 0.50949 = 0.96849, w = 0.852151
    const p = scalarParam(1);
    const ws = run(p, new SGD([p], { lr: 0.1, momentum: 0.9, weightDecay: 0.01 }), [0.5, 0.5]);
    assertAlmostEquals(ws[0], 0.949, TOL_EXACT);
    assertAlmostEquals(ws[1], 0.852151, TOL_EXACT);
  });
  await t.step("Nesterov, worked by hand: step 1 moves by lr·(1 + μ)·g", () => {
    const p = scalarParam(1);
    const ws = run(p, new SGD([p], { lr: 0.1, momentum: 0.9, nesterov: true }), [0.5]);
    assertAlmostEquals(ws[0], 1 - 0.1 * 1.9 * 0.5, TOL_EXACT);
  });
  await t.step("equals Sutskever's and Bengio's forms on a quadratic for 8 steps", () => {
    // f(w) = ½·a·w², ∇f = a·w. Classical momentum (Sutskever et al., 2013): v ← μv − lr∇f(w),
    // w ← w + v. Nesterov in Bengio et al.'s (2013) form: v ← μv − lr∇f(w), w ← w + μv − lr∇f(w).
    const a = 3, lr = 0.05, mu = 0.8;
    for (const nesterov of [false, true]) {
      const p = scalarParam(2);
      const opt = new SGD([p], { lr, momentum: mu, nesterov });
      let w = 2, v = 0;
      for (let k = 0; k < 8; k++) {
        p.grad.data[0] = a * p.value.data[0];
        opt.step();
        const g = a * w;
        v = mu * v - lr * g;
        w = nesterov ? w + mu * v - lr * g : w + v;
        assertAlmostEquals(p.value.data[0], w, 1e-14, `step ${k + 1}, nesterov ${nesterov}`);
      }
    }
  });
  await t.step("refuses Nesterov without momentum and negative rates", () => {
    const p = scalarParam(0);
    assertThrows(() => new SGD([p], { nesterov: true }), RangeError, "needs momentum > 0");
    assertThrows(() => new SGD([p], { lr: -1 }), RangeError, "lr must be");
    assertThrows(() => new SGD([]), RangeError, "parameter list is empty");
  });
});

Deno.test("Adam and AdamW", async (t) => {
  // Worked with m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ), w ← w − lr·m̂/(√v̂ + ε); lr 0.1, betas
  // (0.9, 0.999), ε 1e-8, gradients 0.5 then −0.25 (computed in float64 by a separate script).
  const cases: [string, () => Parameter, (p: Parameter) => { step(): void }, number[]][] = [
    ["Adam", () => scalarParam(1), (p) => new Adam([p], { lr: 0.1 }), [
      0.900000002,
      0.8733662987078463,
    ]],
    [
      "Adam, weightDecay 0.1 (L2 in the gradient)",
      () => scalarParam(1),
      (p) => new Adam([p], { lr: 0.1, weightDecay: 0.1 }),
      [0.9000000016666666, 0.8544413674617625],
    ],
    [
      "AdamW, weightDecay 0.1 (decoupled)",
      () => scalarParam(1),
      (p) => new AdamW([p], { lr: 0.1, weightDecay: 0.1 }),
      [0.890000002, 0.8544662986878463],
    ],
  ];
  for (const [name, make, opt, expected] of cases) {
    await t.step(name, () => {
      const p = make();
      const ws = run(p, opt(p), [0.5, -0.25]);
      assertAlmostEquals(ws[0], expected[0], TOL_EXACT);
      assertAlmostEquals(ws[1], expected[1], TOL_EXACT);
    });
  }
  await t.step("AdamW's default weight decay is 0.01, Adam's 0", () => {
    const p = scalarParam(1);
    assertEquals([new AdamW([p]).weightDecay, new Adam([p]).weightDecay], [0.01, 0]);
  });
});

Deno.test("schedules", async (t) => {
  await t.step("stepDecay with warm-up", () => {
    const s = stepDecay({ lr: 0.2, stepSize: 30, gamma: 0.1, warmupSteps: 4 });
    assertEquals([s(0), s(2), s(4), s(29)], [0, 0.1, 0.2, 0.2]);
    assertAlmostEquals(s(30), 0.02, TOL_EXACT);
    assertAlmostEquals(s(65), 0.002, TOL_EXACT);
  });
  await t.step("cosineWithWarmup: peak after warm-up, half way, floor at minLr", () => {
    const s = cosineWithWarmup({ lr: 0.1, totalSteps: 110, warmupSteps: 10, minLr: 0.01 });
    assertEquals([s(0), s(5), s(10)], [0, 0.05, 0.1]);
    assertAlmostEquals(s(60), 0.055, TOL_EXACT);
    assertAlmostEquals(s(110), 0.01, TOL_EXACT);
    assertAlmostEquals(s(500), 0.01, TOL_EXACT);
  });
  await t.step("oneCycle matches PyTorch's OneCycleLR(max_lr=0.1, total_steps=100)", () => {
    const s = oneCycle({ maxLr: 0.1, totalSteps: 100 });
    assertAlmostEquals(s(0), 0.004, TOL_EXACT); // max_lr / div_factor
    assertAlmostEquals(s(29), 0.1, TOL_EXACT); // the peak at pct_start·total − 1
    assertAlmostEquals(s(64), (0.1 + 4e-7) / 2, TOL_EXACT); // half way down the cosine
    assertAlmostEquals(s(99), 4e-7, TOL_EXACT); // initial / final_div_factor
    const lin = oneCycle({ maxLr: 0.1, totalSteps: 100, anneal: "linear" });
    assertAlmostEquals(lin(15), 0.004 + 0.096 * 15 / 29, TOL_EXACT);
  });
  await t.step("refuses impossible settings", () => {
    assertThrows(() => oneCycle({ maxLr: 1, totalSteps: 3 }), RangeError, "use more steps");
    assertThrows(() => cosineWithWarmup({ lr: 1, totalSteps: 5, warmupSteps: 5 }), RangeError);
    assertThrows(() => stepDecay({ lr: 1, stepSize: 0 }), RangeError, "stepSize");
    assertThrows(() => stepDecay({ lr: 1, stepSize: 1 })(-1), RangeError, "step must be");
  });
});

Deno.test("training end to end", async (t) => {
  await t.step("an MLP on 3 Gaussian blobs: SGD+Nesterov cuts the loss 10× in 40 steps", () => {
    const rng = new Rng(0);
    const N = 60, centres = [[2, 0], [-1, 1.7], [-1, -1.7]];
    const x = Tensor.zeros([N, 2], "float64"), y: number[] = [];
    for (let n = 0; n < N; n++) {
      const c = n % 3;
      y.push(c);
      x.set(centres[c][0] + 0.4 * rng.normal(), n, 0);
      x.set(centres[c][1] + 0.4 * rng.normal(), n, 1);
    }
    const net = new Sequential([
      new Linear(2, 16, { rng, dtype: "float64" }),
      new ReLU(),
      new Linear(16, 3, { rng, dtype: "float64" }),
    ]);
    const opt = new SGD(net.parameters(), { lr: 0.2, momentum: 0.9, nesterov: true });
    const losses: number[] = [];
    for (let step = 0; step < 40; step++) {
      opt.zeroGrad();
      const { loss, dlogits } = crossEntropy(net.forward(x), y);
      net.backward(dlogits);
      opt.step();
      losses.push(loss);
    }
    assertAtMost(losses[39], losses[0] / 10, "final loss");
  });
  await t.step("a float32 Conv–BN–ReLU–pool net with AdamW and label smoothing", () => {
    // Class 1 images are bright in their left half, class 0 in their right half.
    const rng = new Rng(1);
    const N = 32;
    const x = Tensor.randn([N, 1, 6, 6], rng, { std: 0.5, dtype: "float32" });
    const y: number[] = [];
    for (let n = 0; n < N; n++) {
      y.push(n % 2);
      for (let h = 0; h < 6; h++) {
        for (let w = 0; w < 3; w++) x.data[n * 36 + h * 6 + w + (n % 2 ? 0 : 3)] += 1;
      }
    }
    const net = new Sequential([
      new Conv2d(1, 4, { kernelSize: 3, padding: 1, bias: false, rng }),
      new BatchNorm2d(4),
      new ReLU(),
      new MaxPool2d(2),
      new Flatten(),
      new Linear(36, 2, { rng }),
    ]);
    const opt = new AdamW(net.parameters(), { lr: 0.01 });
    const losses: number[] = [];
    for (let step = 0; step < 30; step++) {
      opt.zeroGrad();
      const { loss, dlogits } = crossEntropy(net.forward(x), y, { labelSmoothing: 0.1 });
      net.backward(dlogits);
      opt.step();
      losses.push(loss);
    }
    // With ε = 0.1 and 2 classes the loss cannot go below the target's entropy, about 0.199.
    assertAtMost(losses[29], 0.35, "final loss");
    assertAtMost(losses[29], losses[0] / 2, "final loss against the first");
  });
});

Deno.test("Optimizer.stateDict()", async (t) => {
  const grads = [0.5, -0.2, 0.3, 0.1];
  const makers: [string, (p: Parameter) => SGD | Adam][] = [
    ["SGD with momentum", (p) => new SGD([p], { lr: 0.1, momentum: 0.9 })],
    ["AdamW", (p) => new AdamW([p], { lr: 0.1 })],
  ];
  for (const [name, make] of makers) {
    await t.step(`${name}: a resumed run continues exactly`, () => {
      const a = scalarParam(1), optA = make(a);
      run(a, optA, grads.slice(0, 2));
      const saved = new Map([...optA.stateDict()].map(([k, v]) => [k, v.clone()]));
      const savedW = a.value.data[0];
      const full = run(a, optA, grads.slice(2));
      const b = scalarParam(savedW), optB = make(b);
      optB.loadStateDict(saved);
      assertEquals(run(b, optB, grads.slice(2)), full);
    });
  }
  await t.step("names follow PyTorch's state; mismatches are refused", () => {
    const p = scalarParam(1);
    assertEquals([...new SGD([p], { momentum: 0.9 }).stateDict().keys()], ["w.momentum_buffer"]);
    const adam = new Adam([p]);
    assertEquals([...adam.stateDict().keys()], ["step", "w.exp_avg", "w.exp_avg_sq"]);
    assertThrows(
      () => adam.loadStateDict(new Map([["w.momentum_buffer", Tensor.zeros([1])]])),
      TypeError,
      "missing keys [step, w.exp_avg, w.exp_avg_sq], unexpected keys [w.momentum_buffer]",
    );
  });
});
