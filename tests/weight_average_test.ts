import { assertEquals, assertThrows } from "./_assert.ts";
import { BatchNorm2d, Linear, Rng, Sequential, Tensor } from "../mod.ts";
import { lookaheadDecay, WeightAverage } from "../nn/weight_average.ts";

/** A float64 Linear(2→1) with weights [a, b] and bias c. */
function tiny(a: number, b: number, c: number): Linear {
  const fc = new Linear(2, 1, { dtype: "float64" });
  fc.weight.value.data.set([a, b]);
  fc.bias!.value.data.set([c]);
  return fc;
}

function values(fc: Linear): number[] {
  return [...fc.weight.value.data, ...fc.bias!.value.data];
}

Deno.test("WeightAverage", async (t) => {
  await t.step("EMA every step, exact: avg ← avg + (1 − d)·(live − avg)", () => {
    const fc = tiny(1, 2, 4);
    const ema = new WeightAverage(fc);
    fc.weight.value.data.set([3, 2]);
    fc.bias!.value.data.set([0]);
    assertEquals(ema.step(0.5), true); // [2, 2, 2]
    fc.weight.value.data.set([6, 6]);
    assertEquals(ema.step(0.75), true); // [2 + 1, 2 + 1, 2 − 0.5]
    assertEquals(values(fc), [6, 6, 0], "an EMA leaves the model alone");
    ema.swap();
    assertEquals(values(fc), [3, 3, 1.5]);
    assertEquals(ema.swapped, true);
    ema.swap();
    assertEquals(values(fc), [6, 6, 0]);
  });
  await t.step("every 2 with lookahead: updates on calls 2 and 4, then copies back", () => {
    const fc = tiny(0, 0, 0);
    const la = new WeightAverage(fc, { every: 2, lookahead: true });
    fc.weight.value.data.set([8, 4]);
    assertEquals(la.step(0.5), false);
    assertEquals(values(fc), [8, 4, 0]);
    assertEquals(la.step(0.5), true);
    assertEquals(values(fc), [4, 2, 0], "the model takes the average");
    fc.weight.value.data.set([12, 2]);
    la.step(0.25);
    la.step(0.25); // 4 + 0.75·8 = 10, 2 + 0 = 2
    assertEquals(values(fc), [10, 2, 0]);
    fc.weight.value.data.set([0, 0]);
    la.update(1); // decay 1: the average is kept and copied back
    assertEquals(values(fc), [10, 2, 0]);
    assertEquals(la.calls, 4);
  });
  await t.step("batch-norm buffers are averaged unless buffers: false", () => {
    const net = new Sequential([new BatchNorm2d(1, { dtype: "float64" })]);
    const withBuffers = new WeightAverage(net);
    const without = new WeightAverage(net, { buffers: false });
    assertEquals(withBuffers.names, ["0.weight", "0.bias", "0.running_mean", "0.running_var"]);
    assertEquals(without.names, ["0.weight", "0.bias"]);
    net.forward(new Tensor(new Float64Array([1, 3]), [2, 1, 1, 1])); // running_mean 0.2
    withBuffers.step(0.5);
    withBuffers.swap();
    assertEquals([...net.buffers()[0].value.data], [0.1]);
  });
  await t.step("a saved and reloaded average continues exactly (float32)", () => {
    const rng = new Rng(0);
    const make = () => new Linear(5, 3, { rng: new Rng(1) });
    const a = make(), b = make();
    const emaA = new WeightAverage(a, { every: 3 });
    const nudge = (fc: Linear, r: Rng) => {
      for (const p of fc.parameters()) {
        for (let k = 0; k < p.value.size; k++) p.value.data[k] += r.normal();
      }
    };
    for (let s = 0; s < 4; s++) {
      nudge(a, rng);
      emaA.step(0.9);
    }
    const saved = new Map([...emaA.stateDict()].map(([k, v]) => [k, v.clone()]));
    b.loadStateDict(a.stateDict());
    const emaB = new WeightAverage(b, { every: 3 });
    emaB.loadStateDict(saved);
    for (let s = 0; s < 5; s++) {
      const seed = 100 + s;
      nudge(a, new Rng(seed));
      nudge(b, new Rng(seed));
      emaA.step(0.9);
      emaB.step(0.9);
    }
    emaA.swap();
    emaB.swap();
    assertEquals(a.weight.value.data, b.weight.value.data);
    assertEquals(emaB.calls, 9);
  });
  await t.step("refuses bad settings and updates while swapped", () => {
    const fc = tiny(0, 0, 0);
    assertThrows(() => new WeightAverage(fc, { every: 0 }), RangeError, "every must be");
    const ema = new WeightAverage(fc);
    assertThrows(() => ema.step(1.5), RangeError, "decay must be in [0, 1]");
    ema.swap();
    assertThrows(() => ema.update(0.5), Error, "swapped in");
    assertThrows(() => ema.stateDict(), Error, "swapped in");
    ema.swap();
    assertThrows(
      () => ema.loadStateDict(new Map([["average.x", Tensor.zeros([1])]])),
      TypeError,
      "missing keys [average.weight, average.bias, average.calls]",
    );
  });
});

Deno.test("lookaheadDecay()", async (t) => {
  await t.step("0.95⁵·(step/total)³", () => {
    assertEquals(lookaheadDecay(100, 100), 0.95 ** 5);
    assertEquals(lookaheadDecay(25, 100, { final: 1, power: 2 }), 0.0625);
    assertThrows(() => lookaheadDecay(101, 100), RangeError, "step ≤ totalSteps");
  });
});
