import { assertAtMost, assertEquals, assertThrows } from "./_assert.ts";
import { gradCheck, spreadInput, TOL_GRAD } from "./_modules_check.ts";
import {
  AvgPool2d,
  BatchNorm2d,
  Conv2d,
  Dropout,
  Flatten,
  GlobalAvgPool,
  Linear,
  MaxPool2d,
  type Module,
  ReLU,
  Residual,
  Rng,
  Scale,
  Sequential,
  Tensor,
} from "../mod.ts";

function assertGradsClose(errors: Record<string, number>, names: string[]): void {
  assertEquals(Object.keys(errors), ["x", ...names]);
  for (const [name, e] of Object.entries(errors)) assertAtMost(e, TOL_GRAD, `rel error of ${name}`);
}

const f64 = { dtype: "float64" } as const;

Deno.test("Conv2d", async (t) => {
  const cases: [
    string,
    number[],
    number,
    { kernelSize: number; stride?: number; padding?: number; bias?: boolean },
  ][] = [
    ["x=(2,3,5,5) F=4 k=3 s=1 p=1", [2, 3, 5, 5], 4, { kernelSize: 3, padding: 1 }],
    ["x=(2,2,7,7) F=3 k=3 s=2 p=1", [2, 2, 7, 7], 3, { kernelSize: 3, stride: 2, padding: 1 }],
    ["x=(1,2,4,4) F=2 k=1 no bias", [1, 2, 4, 4], 2, { kernelSize: 1, bias: false }],
    // PyTorch's floored sizes: 3×3 s2 p1 on 8×8 → 4×4; 2×2 s3 on 7×7 → 2×2 (rows 2, 5, 6 unread)
    ["x=(2,2,8,8) F=3 k=3 s=2 p=1", [2, 2, 8, 8], 3, { kernelSize: 3, stride: 2, padding: 1 }],
    ["x=(1,2,7,7) F=2 k=2 s=3", [1, 2, 7, 7], 2, { kernelSize: 2, stride: 3 }],
  ];
  for (const [name, shape, F, opts] of cases) {
    await t.step(name, () => {
      const rng = new Rng(1);
      const conv = new Conv2d(shape[1], F, { ...opts, rng, ...f64 });
      const errors = gradCheck(conv, Tensor.randn(shape, rng), rng);
      assertGradsClose(errors, opts.bias === false ? ["weight"] : ["weight", "bias"]);
    });
  }
  await t.step("inputGrad=false: the same parameter gradients, no dx", () => {
    const rng = new Rng(2);
    const x = Tensor.randn([2, 3, 6, 6], rng, f64), dout = Tensor.randn([2, 4, 6, 6], rng, f64);
    const full = new Conv2d(3, 4, { kernelSize: 3, padding: 1, rng: new Rng(3), ...f64 });
    const lean = new Conv2d(3, 4, {
      kernelSize: 3,
      padding: 1,
      rng: new Rng(3),
      inputGrad: false,
      ...f64,
    });
    full.forward(x);
    lean.forward(x);
    assertEquals(full.backward(dout).shape, [2, 3, 6, 6]);
    assertEquals(lean.backward(dout).shape, [0]);
    assertEquals(lean.weight.grad.data, full.weight.grad.data);
    assertEquals(lean.bias!.grad.data, full.bias!.grad.data);
  });
  await t.step("toString and shape inference", () => {
    const conv = new Conv2d(3, 32, { kernelSize: 7, padding: 3, stride: 2, bias: false });
    assertEquals(conv.toString(), "Conv2d(3→32, k=7, s=2, p=3, bias=false)");
    assertEquals(conv.weight.value.shape, [32, 3, 7, 7]);
    assertEquals(conv.weight.value.dtype, "float32");
  });
  await t.step("initialises as PyTorch: U(−1/√fanIn, 1/√fanIn), seeded", () => {
    const a = new Conv2d(4, 8, { kernelSize: 3, rng: new Rng(5) });
    const b = new Conv2d(4, 8, { kernelSize: 3, rng: new Rng(5) });
    assertEquals(a.weight.value.data, b.weight.value.data);
    const bound = 1 / Math.sqrt(4 * 9);
    const w = a.weight.value.data;
    assertAtMost(Math.max(...w.map(Math.abs)), bound, "max |w|");
    assertAtMost(bound * 0.8, Math.max(...w.map(Math.abs)), "a bound the weights nearly reach");
  });
});

Deno.test("Linear", async (t) => {
  await t.step("N=3 in=5 out=4", () => {
    const rng = new Rng(2);
    assertGradsClose(gradCheck(new Linear(5, 4, { rng, ...f64 }), Tensor.randn([3, 5], rng), rng), [
      "weight",
      "bias",
    ]);
  });
  await t.step("no bias; weight is (out, in) as PyTorch", () => {
    const rng = new Rng(3);
    const fc = new Linear(3, 2, { rng, bias: false, ...f64 });
    assertEquals(fc.weight.value.shape, [2, 3]);
    assertGradsClose(gradCheck(fc, Tensor.randn([4, 3], rng), rng), ["weight"]);
    assertEquals(fc.toString(), "Linear(3→2, bias=false)");
  });
});

Deno.test("ReLU, pooling and Flatten", async (t) => {
  const cases: [string, () => Module, number[]][] = [
    ["ReLU x=(2,3,4)", () => new ReLU(), [2, 3, 4]],
    ["MaxPool2d(2) x=(2,2,4,4)", () => new MaxPool2d(2), [2, 2, 4, 4]],
    ["MaxPool2d(3, s=2) x=(1,2,5,5) overlapping", () => new MaxPool2d(3, { stride: 2 }), [
      1,
      2,
      5,
      5,
    ]],
    ["AvgPool2d(2) x=(2,2,4,4)", () => new AvgPool2d(2), [2, 2, 4, 4]],
    ["AvgPool2d(3, s=1) x=(1,2,4,4) overlapping", () => new AvgPool2d(3, { stride: 1 }), [
      1,
      2,
      4,
      4,
    ]],
    // PyTorch's floored sizes and ceil_mode (clipped last windows)
    ["MaxPool2d(2) x=(2,2,5,5) floored", () => new MaxPool2d(2), [2, 2, 5, 5]],
    ["MaxPool2d(2, ceil) x=(2,2,5,5)", () => new MaxPool2d(2, { ceilMode: true }), [2, 2, 5, 5]],
    ["AvgPool2d(2) x=(1,2,5,5) floored", () => new AvgPool2d(2), [1, 2, 5, 5]],
    ["AvgPool2d(2, ceil) x=(1,2,5,5)", () => new AvgPool2d(2, { ceilMode: true }), [1, 2, 5, 5]],
    ["AvgPool2d(3, s=2, ceil) x=(1,2,6,6)", () => new AvgPool2d(3, { stride: 2, ceilMode: true }), [
      1,
      2,
      6,
      6,
    ]],
    ["GlobalAvgPool x=(2,3,3,3)", () => new GlobalAvgPool(), [2, 3, 3, 3]],
    ["Flatten x=(2,3,2,2)", () => new Flatten(), [2, 3, 2, 2]],
    ["Scale(-0.5) x=(2,5)", () => new Scale(-0.5), [2, 5]],
  ];
  for (const [name, make, shape] of cases) {
    await t.step(name, () => {
      const rng = new Rng(4);
      assertGradsClose(gradCheck(make(), spreadInput(shape, rng), rng), []);
    });
  }
  await t.step("Dropout(0.3) x=(3,4), its mask held fixed across the differences", () => {
    // A generator that always gives the same seed draws the same mask on every forward.
    const fixed = { nextUint32: () => 12345 } as unknown as Rng;
    const drop = new Dropout(0.3, { rng: fixed });
    const rng = new Rng(5);
    assertGradsClose(gradCheck(drop, spreadInput([3, 4], rng), rng), []);
  });
  await t.step("max pooling of an all-negative window", () => {
    const x = new Tensor(new Float64Array([-5, -2, -7, -3]), [1, 1, 2, 2]);
    const pool = new MaxPool2d(2);
    assertEquals([...pool.forward(x).data], [-2]);
    assertEquals([...pool.backward(Tensor.full([1, 1, 1, 1], 1)).data], [0, 1, 0, 0]);
  });
  await t.step("toString", () => {
    assertEquals(new MaxPool2d(2).toString(), "MaxPool2d(2)");
    assertEquals(new AvgPool2d(3, { stride: 1 }).toString(), "AvgPool2d(3, s=1)");
    assertEquals(new GlobalAvgPool().toString(), "GlobalAvgPool");
    assertEquals(
      new MaxPool2d(3, { stride: 2, ceilMode: true }).toString(),
      "MaxPool2d(3, s=2, ceil)",
    );
  });
});

/** A module class called with whatever arguments, as plain JavaScript may. */
type Loose = new (...args: unknown[]) => Module;

Deno.test("PyTorch's positional arguments", async (t) => {
  await t.step("accepted where they have one meaning: kernel size, stride, bias, eps", () => {
    const conv = new Conv2d(3, 16, 5); // nn.Conv2d(3, 16, 5)
    assertEquals([conv.kernelSize, conv.stride, conv.padding], [5, 1, 0]);
    assertEquals(conv.weight.value.shape, [16, 3, 5, 5]);
    assertEquals(conv.toString(), "Conv2d(3→16, k=5)");
    const pool = new MaxPool2d(3, 2); // nn.MaxPool2d(3, 2)
    assertEquals([pool.kernelSize, pool.stride, pool.ceilMode], [3, 2, false]);
    assertEquals(new AvgPool2d(2, 1).stride, 1);
    assertEquals(new Linear(4, 2, false).bias, null); // nn.Linear(4, 2, False)
    assertEquals(new BatchNorm2d(4, 1e-3).eps, 1e-3); // nn.BatchNorm2d(4, 1e-3)
  });
  await t.step(
    "refused with the options form: further positionals, unknown names, bad types",
    () => {
      const refused: [string, () => unknown, string][] = [
        [
          "Conv2d(3, 16, 3, 2)",
          () => new (Conv2d as unknown as Loose)(3, 16, 3, 2),
          "1 positional argument too many (2)",
        ],
        [
          "Conv2d kernel_size",
          () => new Conv2d(3, 16, { kernel_size: 5 } as never),
          'unknown option "kernel_size"',
        ],
        ["Conv2d(3, 16, '5')", () => new Conv2d(3, 16, "5" as never), "got 5 (string)"],
        ["Conv2d(3, 16, null)", () => new Conv2d(3, 16, null as never), "got null (object)"],
        [
          "MaxPool2d(2, 2, 1)",
          () => new (MaxPool2d as unknown as Loose)(2, 2, 1),
          "1 positional argument too many (1)",
        ],
        [
          "MaxPool2d ceil_mode",
          () => new MaxPool2d(2, { ceil_mode: true } as never),
          'unknown option "ceil_mode"',
        ],
        [
          "AvgPool2d(2, true)",
          () => new AvgPool2d(2, true as never),
          "or a number (stride), got true",
        ],
        [
          "Linear(4, 2, 3)",
          () => new Linear(4, 2, 3 as never),
          "or a boolean (bias), got 3 (number)",
        ],
        [
          "BatchNorm2d(4, 1e-5, 0.2)",
          () => new (BatchNorm2d as unknown as Loose)(4, 1e-5, 0.2),
          "too many (0.2)",
        ],
        [
          "Dropout(0.2, true)",
          () => new Dropout(0.2, true as never),
          "expected an options object, got true",
        ],
      ];
      for (const [name, make, message] of refused) {
        const error = assertThrows(make, TypeError, message);
        assertEquals(error.message.startsWith("Cannot create "), true, name);
      }
    },
  );
});

Deno.test("BatchNorm2d", async (t) => {
  await t.step("train mode x=(3,2,2,3): dx, weight, bias", () => {
    const rng = new Rng(6);
    const bn = new BatchNorm2d(2, f64);
    bn.weight.value.data.set([1.5, -0.7]);
    bn.bias.value.data.set([0.2, 0.4]);
    assertGradsClose(gradCheck(bn, Tensor.randn([3, 2, 2, 3], rng, { std: 2 }), rng), [
      "weight",
      "bias",
    ]);
  });
  await t.step("eval mode x=(2,2,2,2): running statistics are constants", () => {
    const rng = new Rng(7);
    const bn = new BatchNorm2d(2, f64);
    bn.runningMean.value.data.set([0.3, -0.2]);
    bn.runningVar.value.data.set([2, 0.5]);
    bn.weight.value.data.set([1.2, 0.8]);
    bn.eval();
    assertGradsClose(gradCheck(bn, Tensor.randn([2, 2, 2, 2], rng), rng), ["weight", "bias"]);
  });
});

Deno.test("Sequential and Residual", async (t) => {
  await t.step("Conv–BN–ReLU–MaxPool–Flatten–Linear x=(2,2,6,6)", () => {
    const rng = new Rng(8);
    // A conv bias before BatchNorm has an exactly-zero gradient (BN removes the mean), so
    // the conv has none, as in ResNets.
    const net = new Sequential([
      new Conv2d(2, 3, { kernelSize: 3, padding: 1, bias: false, rng, ...f64 }),
      new BatchNorm2d(3, f64),
      new ReLU(),
      new MaxPool2d(2),
      new Flatten(),
      new Linear(27, 4, { rng, ...f64 }),
    ]);
    assertGradsClose(gradCheck(net, Tensor.randn([2, 2, 6, 6], rng), rng), [
      "0.weight",
      "1.weight",
      "1.bias",
      "5.weight",
      "5.bias",
    ]);
  });
  await t.step("BatchNorm2d–ReLU runs fused: the same bits as the two layers one by one", () => {
    for (const dtype of ["float32", "float64"] as const) {
      for (const training of [true, false]) {
        const rng = new Rng(11);
        const make = () => {
          const bn = new BatchNorm2d(3, { dtype });
          bn.weight.value.data.set([1.5, -0.7, 0.9]);
          bn.bias.value.data.set([0.2, 0.4, -0.3]);
          bn.runningVar.value.data.set([2, 0.5, 1]);
          return bn;
        };
        const fusedBn = make(), soloBn = make(), relu = new ReLU();
        const net = new Sequential([fusedBn, new ReLU()]);
        if (!training) net.eval(), soloBn.eval();
        const x = Tensor.randn([2, 3, 4, 5], rng, { dtype, std: 2 });
        const dout = Tensor.randn([2, 3, 4, 5], rng, { dtype });
        const out = net.forward(x), want = relu.forward(soloBn.forward(x));
        assertEquals(fusedBn.fusedRelu, true);
        assertEquals(out.data, want.data, `${dtype} out`);
        assertEquals(out.data.some((v) => v === 0), true); // the ReLU cuts somewhere
        assertEquals(net.backward(dout).data, soloBn.backward(relu.backward(dout)).data, "dx");
        assertEquals(fusedBn.weight.grad.data, soloBn.weight.grad.data, "dweight");
        assertEquals(fusedBn.bias.grad.data, soloBn.bias.grad.data, "dbias");
        assertEquals(fusedBn.runningMean.value.data, soloBn.runningMean.value.data);
      }
    }
  });
  await t.step("Residual(Conv–ReLU–Conv) with identity shortcut x=(2,2,4,4)", () => {
    const rng = new Rng(9);
    const block = new Residual(
      new Sequential([
        new Conv2d(2, 2, { kernelSize: 3, padding: 1, rng, ...f64 }),
        new ReLU(),
        new Conv2d(2, 2, { kernelSize: 3, padding: 1, rng, ...f64 }),
      ]),
    );
    assertGradsClose(gradCheck(block, Tensor.randn([2, 2, 4, 4], rng), rng), [
      "body.0.weight",
      "body.0.bias",
      "body.2.weight",
      "body.2.bias",
    ]);
  });
  await t.step("Residual with a strided 1×1 conv shortcut x=(2,2,4,4)", () => {
    const rng = new Rng(10);
    const block = new Residual(
      new Conv2d(2, 3, { kernelSize: 3, padding: 1, stride: 2, rng, ...f64 }),
      { shortcut: new Conv2d(2, 3, { kernelSize: 1, stride: 2, bias: false, rng, ...f64 }) },
    );
    assertGradsClose(gradCheck(block, Tensor.randn([2, 2, 5, 5], rng), rng), [
      "body.weight",
      "body.bias",
      "shortcut.weight",
    ]);
    assertEquals(
      block.toString(),
      "Residual(Conv2d(2→3, k=3, s=2, p=1), shortcut=Conv2d(2→3, k=1, s=2, bias=false))",
    );
  });
  await t.step("Residual around a module that returns its input doubles the gradient", () => {
    const block = new Residual(new Flatten());
    const x = new Tensor(new Float64Array([1, 2]), [2, 1]);
    assertEquals([...block.forward(x).data], [2, 4]);
    assertEquals([...x.data], [1, 2]);
    assertEquals([...block.backward(Tensor.full([2, 1], 1)).data], [2, 2]);
  });
});
