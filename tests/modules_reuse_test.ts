// Module.reuseBuffers: training-mode calls reuse one tensor per role (in WASM memory for
// float32), give the same bits as fresh tensors, re-zero what the kernels add into, and leave
// evaluation mode and `reuseBuffers(false)` with fresh tensors.
import { assertEquals, assertTrue } from "./_assert.ts";
import { crossEntropy } from "../nn/losses.ts";
import { MyModel } from "../nn/models/mymodel.ts";
import { CNN } from "../nn/models/convnet.ts";
import { Conv2d } from "../nn/modules/conv.ts";
import type { Module } from "../nn/modules/module.ts";
import { SGD } from "../nn/optim.ts";
import { Rng } from "../core/random.ts";
import { Tensor } from "../core/tensor.ts";

// Three SGD steps on a fixed batch: the losses and every parameter value afterwards.
function train(net: Module, x: Tensor, y: Int32Array): { losses: number[]; params: number[] } {
  const opt = new SGD(net.parameters(), {
    lr: 0.1,
    momentum: 0.9,
    nesterov: true,
    weightDecay: 5e-4,
  });
  const losses: number[] = [];
  for (let i = 0; i < 3; i++) {
    opt.zeroGrad();
    const { loss, dlogits } = crossEntropy(net.forward(x), y, { labelSmoothing: 0.2 });
    net.backward(dlogits);
    opt.step();
    losses.push(loss);
  }
  return { losses, params: net.parameters().flatMap((p) => [...p.value.data]) };
}

Deno.test("training with reused buffers gives the bits of fresh tensors", async (t) => {
  const models: [string, () => Module][] = [
    ["MyModel", () => new MyModel([3, 16, 16], 4, 3, 10, { rng: new Rng(1) })],
    ["CNN", () => new CNN([3, 16, 16], 8, 5, 10, { rng: new Rng(1) })],
  ];
  for (const [name, build] of models) {
    await t.step(name, () => {
      const rng = new Rng(2);
      const x = Tensor.randn([12, 3, 16, 16], rng, { dtype: "float32" });
      const y = Int32Array.from({ length: 12 }, () => rng.int(10));
      const fresh = train(build(), x, y);
      const reused = build().reuseBuffers();
      assertEquals(train(reused, x, y), fresh);
      reused.reuseBuffers(false);
    });
  }
});

Deno.test("reused buffers: one tensor per role in training mode, fresh ones in eval mode", () => {
  const rng = new Rng(3);
  const conv = new Conv2d(3, 4, { kernelSize: 3, padding: 1, rng }).reuseBuffers();
  const x1 = Tensor.randn([2, 3, 6, 6], rng, { dtype: "float32" });
  const x2 = Tensor.randn([2, 3, 6, 6], rng, { dtype: "float32" });
  const dout = Tensor.randn([2, 4, 6, 6], rng, { dtype: "float32" });
  const want = new Conv2d(3, 4, { kernelSize: 3, padding: 1, rng: new Rng(3) });
  const a = conv.forward(x1);
  const b = conv.forward(x2);
  assertTrue(a === b, "training-mode forward reuses its output");
  assertEquals(b.data, want.forward(x2).data);
  // backward adds into a re-zeroed dx: twice gives the same values, not twice the values
  const dx1 = [...conv.backward(dout).data];
  const dx2 = conv.backward(dout);
  assertEquals([...dx2.data], dx1);
  assertEquals([...dx2.data], [...want.backward(dout).data]);
  // a new batch size gets a buffer of its shape
  const c = conv.forward(Tensor.randn([3, 3, 6, 6], rng, { dtype: "float32" }));
  assertEquals(c.shape, [3, 4, 6, 6]);
  // evaluation mode returns fresh tensors, so results can be kept (test-time flips, …)
  conv.eval();
  const e1 = conv.forward(x1), e2 = conv.forward(x2);
  assertTrue(e1 !== e2 && e1 !== c, "eval-mode forward allocates");
  conv.train();
  conv.reuseBuffers(false);
  const f1 = conv.forward(x1), f2 = conv.forward(x2);
  assertTrue(f1 !== f2, "without reuseBuffers every forward allocates");
});
