import { assertAlmostEquals, assertEquals, assertThrows, assertTrue } from "./_assert.ts";
import {
  BatchNorm2d,
  Conv2d,
  Dropout,
  Flatten,
  Linear,
  MaxPool2d,
  ReLU,
  Residual,
  Rng,
  Sequential,
  Tensor,
} from "../mod.ts";

const f64 = { dtype: "float64" } as const;

function smallNet(seed: number): Sequential {
  const rng = new Rng(seed);
  return new Sequential({
    features: new Sequential([
      new Conv2d(2, 3, { kernelSize: 3, padding: 1, bias: false, rng, ...f64 }),
      new BatchNorm2d(3, f64),
      new ReLU(),
      new MaxPool2d(2),
    ]),
    flatten: new Flatten(),
    fc: new Linear(12, 2, { rng, ...f64 }),
  });
}

Deno.test("Module.stateDict()", async (t) => {
  await t.step("names and order as PyTorch's state_dict", () => {
    const net = smallNet(0);
    assertEquals([...net.stateDict().keys()], [
      "features.0.weight",
      "features.1.weight",
      "features.1.bias",
      "features.1.running_mean",
      "features.1.running_var",
      "fc.weight",
      "fc.bias",
    ]);
    assertEquals([...net.namedParameters().keys()], [
      "features.0.weight",
      "features.1.weight",
      "features.1.bias",
      "fc.weight",
      "fc.bias",
    ]);
    assertEquals(net.buffers().map((b) => b.name), [
      "features.1.running_mean",
      "features.1.running_var",
    ]);
  });
  await t.step("round trip: a loaded copy computes the same outputs", () => {
    const a = smallNet(1), b = smallNet(2);
    const x = Tensor.randn([2, 2, 4, 4], new Rng(3));
    a.forward(x); // moves the running statistics away from their initial values
    a.eval();
    b.eval();
    const before = b.forward(x).data.slice();
    b.loadStateDict(a.stateDict());
    const after = b.forward(x).data;
    assertTrue(before.some((v, i) => v !== after[i]), "outputs differ before loading");
    assertEquals(after, a.forward(x).data);
    assertEquals(b.stateDict().get("features.1.running_mean")!.data, a.buffers()[0].value.data);
  });
  await t.step("loads from a record and converts the dtype", () => {
    const fc = new Linear(2, 1, f64);
    fc.loadStateDict({
      weight: new Tensor(new Float32Array([0.5, -2]), [1, 2]),
      bias: new Tensor(new Float32Array([3]), [1]),
    });
    assertEquals([...fc.weight.value.data, ...fc.bias!.value.data], [0.5, -2, 3]);
  });
  await t.step("refuses missing or unexpected names, and leaves the module unchanged", () => {
    const net = smallNet(4);
    const state = new Map(net.stateDict());
    state.delete("fc.bias");
    state.set("fc.scale", Tensor.zeros([2]));
    const before = net.stateDict().get("fc.weight")!.data.slice();
    assertThrows(
      () => net.loadStateDict(state),
      TypeError,
      "missing keys [fc.bias], unexpected keys [fc.scale]",
    );
    assertEquals(net.stateDict().get("fc.weight")!.data, before);
  });
  await t.step("refuses mismatched shapes, naming the tensor and both shapes", () => {
    const net = smallNet(5);
    const state = new Map(net.stateDict());
    state.set("fc.weight", Tensor.zeros([2, 13]));
    assertThrows(
      () => net.loadStateDict(state),
      TypeError,
      'Cannot load "fc.weight": shape [2, 13] does not match the model\'s [2, 12]',
    );
  });
});

Deno.test("Module", async (t) => {
  await t.step("backward adds into grads until zeroGrad()", () => {
    const rng = new Rng(6);
    const fc = new Linear(3, 2, { rng, ...f64 });
    const x = Tensor.randn([4, 3], rng), dout = Tensor.randn([4, 2], rng);
    fc.forward(x);
    fc.backward(dout);
    const once = fc.weight.grad.data.slice();
    fc.forward(x);
    fc.backward(dout);
    assertEquals([...fc.weight.grad.data], [...once].map((g) => 2 * g));
    fc.zeroGrad();
    assertTrue(fc.parameters().every((p) => p.grad.data.every((g) => g === 0)));
  });
  await t.step("train()/eval() reach every descendant", () => {
    const net = new Sequential([new Residual(new Dropout(0.5)), new BatchNorm2d(2)]);
    net.eval();
    assertEquals([net.training, net.layers[0].training, net.layers[1].training], [
      false,
      false,
      false,
    ]);
    assertEquals((net.layers[0] as Residual).body.training, false);
    net.train();
    assertEquals((net.layers[0] as Residual).body.training, true);
  });
  await t.step("backward before forward and wrong dtypes say what to do", () => {
    assertThrows(() => new ReLU().backward(Tensor.zeros([1])), Error, "call forward first");
    assertThrows(
      () => new Linear(2, 2).forward(Tensor.zeros([1, 2], "float64")),
      TypeError,
      'convert with x.astype("float32")',
    );
    assertThrows(
      () => new Linear(3, 2, f64).forward(Tensor.zeros([1, 2])),
      TypeError,
      "has 2 features",
    );
    assertThrows(() => new Conv2d(3, 4, { kernelSize: 0 }), RangeError, "kernelSize");
  });
});

Deno.test("BatchNorm2d modes", async (t) => {
  // x: (2, 1, 1, 2) — one channel, values 1, 2, 3, 6: mean 3, biased var 3.5, unbiased 14/3
  const x = new Tensor(new Float64Array([1, 2, 3, 6]), [2, 1, 1, 2]);
  await t.step("train: batch statistics; running stats move by momentum 0.1", () => {
    const bn = new BatchNorm2d(1, f64);
    const y = bn.forward(x);
    const s = Math.sqrt(3.5 + 1e-5);
    for (let i = 0; i < 4; i++) assertAlmostEquals(y.data[i], (x.data[i] - 3) / s, 1e-12);
    assertAlmostEquals(bn.runningMean.value.data[0], 0.3, 1e-12);
    assertAlmostEquals(bn.runningVar.value.data[0], 0.9 + 0.1 * 14 / 3, 1e-12);
  });
  await t.step("eval: running statistics, which stay unchanged", () => {
    const bn = new BatchNorm2d(1, f64);
    bn.runningMean.value.data[0] = 2;
    bn.runningVar.value.data[0] = 4;
    bn.weight.value.data[0] = 3;
    bn.bias.value.data[0] = 1;
    bn.eval();
    const y = bn.forward(x);
    const s = Math.sqrt(4 + 1e-5);
    for (let i = 0; i < 4; i++) assertAlmostEquals(y.data[i], 3 * (x.data[i] - 2) / s + 1, 1e-12);
    assertEquals([bn.runningMean.value.data[0], bn.runningVar.value.data[0]], [2, 4]);
  });
  await t.step("train mode refuses one value per channel", () => {
    const bn = new BatchNorm2d(2, f64);
    assertThrows(() => bn.forward(Tensor.zeros([1, 2, 1, 1])), RangeError, "use a batch of 2");
    bn.eval();
    assertEquals(bn.forward(Tensor.zeros([1, 2, 1, 1])).shape, [1, 2, 1, 1]);
  });
});

Deno.test("Dropout", async (t) => {
  await t.step("drops about p, scales the rest by 1/(1 − p), backward uses the same mask", () => {
    const drop = new Dropout(0.25, { rng: new Rng(7) });
    const x = Tensor.full([4000], 2);
    const y = drop.forward(x);
    const kept = y.data.filter((v) => v !== 0);
    assertTrue(kept.every((v) => Math.abs(v - 2 / 0.75) < 1e-12), "kept values are scaled");
    assertAlmostEquals(kept.length / 4000, 0.75, 0.03);
    const dx = drop.backward(Tensor.full([4000], 1));
    for (let i = 0; i < 4000; i++) assertEquals(dx.data[i], y.data[i] / 2);
  });
  await t.step("each forward draws a new mask; the same seed repeats them", () => {
    const a = new Dropout(0.5, { rng: new Rng(8) }), b = new Dropout(0.5, { rng: new Rng(8) });
    const x = Tensor.full([64], 1);
    const a1 = a.forward(x).data.slice(), a2 = a.forward(x).data.slice();
    assertTrue(a1.some((v, i) => v !== a2[i]), "masks differ between forwards");
    assertEquals(b.forward(x).data, a1);
  });
  await t.step("eval is the identity", () => {
    const drop = new Dropout(0.9).eval();
    const x = Tensor.randn([10], new Rng(9));
    assertEquals(drop.forward(x).data, x.data);
    assertEquals(drop.backward(x).data, x.data);
    assertEquals(drop.toString(), "Dropout(p=0.9)");
  });
});
