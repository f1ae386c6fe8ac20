import { assertAllClose, assertAtMost, assertEquals, assertThrows } from "./_assert.ts";
import { gradCheck, TOL_GRAD } from "./_modules_check.ts";
import {
  CNN,
  Conv2d,
  Linear,
  type Module,
  MyModel,
  myModelFlops,
  Residual,
  Rng,
  Sequential,
  Tensor,
} from "../mod.ts";

/** float32 forward passes agree with float64 to this normalised max error. */
const TOL_F32 = 1e-5;

function assertAllBelow(errors: Record<string, number>): void {
  for (const [name, e] of Object.entries(errors)) assertAtMost(e, TOL_GRAD, `rel error of ${name}`);
}

/** Forward FLOPs of a model's convs and linears, counted from the shapes a real forward sees. */
function countFlops(m: Module, x: Tensor): { out: Tensor; flops: number } {
  if (m instanceof Sequential) {
    let flops = 0;
    for (const layer of m.layers) {
      const r = countFlops(layer, x);
      x = r.out;
      flops += r.flops;
    }
    return { out: x, flops };
  }
  if (m instanceof Residual) {
    const r = countFlops(m.body, x);
    return { out: m.forward(x), flops: r.flops };
  }
  const out = m.forward(x);
  if (m instanceof Conv2d) {
    return { out, flops: 2 * out.size * m.inChannels * m.kernelSize ** 2 / x.shape[0] };
  }
  if (m instanceof Linear) return { out, flops: 2 * m.inFeatures * m.outFeatures };
  return { out, flops: 0 };
}

Deno.test("CNN", async (t) => {
  await t.step("the homework's layout, names and shapes", () => {
    const net = new CNN([3, 32, 32], 32, 7, 10);
    assertEquals(
      net.toString(),
      "Sequential(Conv2d(3→32, k=7, p=3), ReLU, MaxPool2d(2), Flatten, Linear(8192→10))",
    );
    assertEquals(
      net.parameters().map((p) => `${p.name} ${p.value.shape.join("×")}`),
      ["conv.weight 32×3×7×7", "conv.bias 32", "fc.weight 10×8192", "fc.bias 10"],
    );
  });
  await t.step("gradients x=(2,3,6,6) hiddenDim 3 k=3, 4 classes", () => {
    const rng = new Rng(0);
    const net = new CNN([3, 6, 6], 3, 3, 4, { rng, dtype: "float64" });
    assertAllBelow(gradCheck(net, Tensor.randn([2, 3, 6, 6], rng), rng));
  });
  await t.step("refuses an even kernel and odd image sides", () => {
    assertThrows(() => new CNN([3, 32, 32], 8, 4, 10), RangeError, "kernelSize 4 is even");
    assertThrows(() => new CNN([3, 31, 32], 8, 3, 10), RangeError, "even height and width");
  });
});

Deno.test("MyModel", async (t) => {
  await t.step("layout and state-dict names", () => {
    const net = new MyModel([3, 32, 32], 16, 3, 10);
    assertEquals(
      net.toString(),
      "Sequential(Sequential(Conv2d(3→16, k=3, p=1, bias=false), BatchNorm2d(16), ReLU), " +
        "Sequential(Conv2d(16→32, k=3, p=1, bias=false), MaxPool2d(2), BatchNorm2d(32), ReLU), " +
        "Residual(Sequential(Conv2d(32→32, k=3, p=1, bias=false), BatchNorm2d(32), ReLU, " +
        "Conv2d(32→32, k=3, p=1, bias=false), BatchNorm2d(32), ReLU)), " +
        "Sequential(Conv2d(32→64, k=3, p=1, bias=false), MaxPool2d(2), BatchNorm2d(64), ReLU), " +
        "Sequential(Conv2d(64→128, k=3, p=1, bias=false), MaxPool2d(2), BatchNorm2d(128), ReLU), " +
        "Residual(Sequential(Conv2d(128→128, k=3, p=1, bias=false), BatchNorm2d(128), ReLU, " +
        "Conv2d(128→128, k=3, p=1, bias=false), BatchNorm2d(128), ReLU)), " +
        "MaxPool2d(4), Flatten, Linear(128→10, bias=false), Scale(0.125))",
    );
    const names = [...net.stateDict().keys()];
    assertEquals(names.slice(0, 5), [
      "prep.0.weight",
      "prep.1.weight",
      "prep.1.bias",
      "prep.1.running_mean",
      "prep.1.running_var",
    ]);
    assertEquals(names.includes("res3.body.3.weight"), true);
    assertEquals(names.at(-1), "fc.weight");
    // convs 432 + 4608 + 2·9216 + 18432 + 73728 + 2·147456, fc 1280, BN 2·(16 + 32·3 + 64 + 128·3)
    assertEquals(net.parameters().reduce((s, p) => s + p.value.size, 0), 412_944);
  });
  await t.step("myModelFlops equals the FLOPs counted from a real forward", () => {
    const net = new MyModel([3, 16, 16], 2, 3, 10, { dtype: "float64" });
    const { out, flops } = countFlops(net, Tensor.randn([1, 3, 16, 16], new Rng(1)));
    assertEquals(out.shape, [1, 10]);
    assertEquals(flops, myModelFlops([3, 16, 16], 2, 3, 10));
    assertEquals(myModelFlops([3, 32, 32], 16, 3, 10), 48_073_216);
    assertEquals(myModelFlops([3, 32, 32], 64, 3, 10), 758_523_904);
  });
  await t.step("gradients x=(2,3,16,16) hiddenDim 2, 3 classes, 12 elements per tensor", () => {
    const rng = new Rng(2);
    const net = new MyModel([3, 16, 16], 2, 3, 3, { rng, dtype: "float64" });
    assertAllBelow(gradCheck(net, Tensor.randn([2, 3, 16, 16], rng), rng, 12));
  });
  await t.step("float32 agrees with float64 in train and eval mode", () => {
    const a = new MyModel([3, 16, 16], 2, 3, 3, { rng: new Rng(3), dtype: "float64" });
    const b = new MyModel([3, 16, 16], 2, 3, 3, { rng: new Rng(3) });
    const x = Tensor.randn([4, 3, 16, 16], new Rng(4));
    for (const mode of ["train", "eval"]) {
      if (mode === "eval") [a, b].forEach((m) => m.eval());
      const ya = a.forward(x), yb = b.forward(x.astype("float32"));
      assertAllClose(yb.data, ya.data, TOL_F32, `logits in ${mode} mode`);
    }
  });
  await t.step("refuses images it cannot pool down", () => {
    assertThrows(() => new MyModel([3, 20, 20], 4, 3, 10), RangeError, "divisible by 8");
  });
});
