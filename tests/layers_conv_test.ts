// Tests of the naive convolution layer: hand-worked forwards, the homework's forward check,
// gradient checks in float64 on several shapes, and every bad input.
import {
  convBackwardNaive,
  convForwardNaive,
  type ConvParam,
  gradientErrors,
  relError,
  Rng,
  Tensor,
} from "../mod.ts";
import { BOUNDS, H_LINEAR } from "../tasks/_gradcheck_bounds.ts";
import { assertAllClose, assertAtMost, assertEquals, assertThrows } from "./_assert.ts";

/** The homework's tolerance on its forward checks (rel_error < 1e-7). */
const TOL_HOMEWORK = 1e-7;

Deno.test("convForwardNaive()", async (t) => {
  await t.step("a known filter on a tiny image: vertical-edge detector", () => {
    // x: (1, 1, 3, 4), dark left half and bright right half
    const x = new Tensor(new Float64Array([0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1]), [1, 1, 3, 4]);
    // w: (1, 1, 3, 3), responds to a rise from left to right
    const w = new Tensor(new Float64Array([-1, 0, 1, -1, 0, 1, -1, 0, 1]), [1, 1, 3, 3]);
    const { out } = convForwardNaive(x, w, new Tensor(new Float64Array([0.5]), [1]), {
      stride: 1,
      pad: 0,
    });
    assertEquals(out.shape, [1, 1, 1, 2]);
    assertEquals([...out.data], [3.5, 3.5]);
  });

  await t.step("padding counts zeros: 3×3 box filter over ones, pad 1, stride 2", () => {
    const x = Tensor.full([1, 1, 5, 5], 1);
    const w = Tensor.full([1, 1, 3, 3], 1);
    const { out } = convForwardNaive(x, w, Tensor.zeros([1]), { stride: 2, pad: 1 });
    assertEquals(out.shape, [1, 1, 3, 3]);
    assertEquals([...out.data], [4, 6, 4, 6, 9, 6, 4, 6, 4]);
  });

  await t.step("PyTorch's floored sizes: windows that leave a remainder drop it", () => {
    // (sizes cross-checked against torch.nn.functional.conv2d)
    const sizes: [number[], number[], ConvParam, number[]][] = [
      [[1, 3, 32, 32], [4, 3, 3, 3], { stride: 2, pad: 1 }, [1, 4, 16, 16]], // ⌊31 / 2⌋ + 1
      [[1, 3, 31, 31], [4, 3, 3, 3], { stride: 2, pad: 1 }, [1, 4, 16, 16]],
      [[2, 2, 10, 11], [3, 2, 3, 3], { stride: 3, pad: 1 }, [2, 3, 4, 4]],
      [[2, 3, 9, 12], [4, 3, 2, 2], { stride: 4, pad: 1 }, [2, 4, 3, 4]],
      [[1, 2, 7, 7], [2, 2, 2, 2], { stride: 3, pad: 0 }, [1, 2, 2, 2]],
    ];
    for (const [xs, ws, param, want] of sizes) {
      const out = convForwardNaive(
        Tensor.zeros(xs),
        Tensor.zeros(ws),
        Tensor.zeros([ws[0]]),
        param,
      );
      assertEquals(out.out.shape, want, `x=(${xs}) w=(${ws}) s=${param.stride} p=${param.pad}`);
    }
    // 2×2 s3 on 4×4 of ones reads rows and columns 0, 1 and 3 only
    const x = Tensor.full([1, 1, 4, 4], 1), w = Tensor.full([1, 1, 2, 2], 1);
    const { out } = convForwardNaive(x, w, Tensor.zeros([1]), { stride: 3, pad: 0 });
    assertEquals([...out.data], [4]);
  });

  await t.step("non-square 1×2 kernel over two channels and two filters", () => {
    // x: (1, 2, 1, 3)  channel 0 = [1, 2, 3], channel 1 = [10, 20, 30]
    const x = new Tensor(new Float64Array([1, 2, 3, 10, 20, 30]), [1, 2, 1, 3]);
    // w: (2, 2, 1, 2)  filter 0 sums channel 0, filter 1 takes differences in channel 1
    const w = new Tensor(new Float64Array([1, 1, 0, 0, 0, 0, -1, 1]), [2, 2, 1, 2]);
    const b = new Tensor(new Float64Array([0, 100]), [2]);
    const { out } = convForwardNaive(x, w, b, { stride: 1, pad: 0 });
    assertEquals(out.shape, [1, 2, 1, 2]);
    assertEquals([...out.data], [3, 5, 110, 110]);
  });

  await t.step("the homework's check: x=(2,3,4,4) w=(3,3,4,4) s=2 p=1", () => {
    const x = Tensor.linspace(-0.1, 0.5, [2, 3, 4, 4]);
    const w = Tensor.linspace(-0.2, 0.3, [3, 3, 4, 4]);
    const b = Tensor.linspace(-0.1, 0.2, [3]);
    const { out } = convForwardNaive(x, w, b, { stride: 2, pad: 1 });
    // deno-fmt-ignore
    const correct = [
      -0.08759809, -0.10987781, -0.18387192, -0.2109216, 0.21027089, 0.21661097, 0.22847626,
      0.23004637, 0.50813986, 0.54309974, 0.64082444, 0.67101435, -0.98053589, -1.03143541,
      -1.19128892, -1.24695841, 0.69108355, 0.66880383, 0.59480972, 0.56776003, 2.36270298,
      2.36904306, 2.38090835, 2.38247847,
    ];
    assertEquals(out.shape, [2, 3, 2, 2]);
    assertAtMost(relError(out.data, correct), TOL_HOMEWORK, "rel error vs the homework");
  });

  await t.step("float32 in, float32 out, agreeing with float64", () => {
    const rng = new Rng(7);
    const x = Tensor.randn([2, 3, 6, 6], rng), w = Tensor.randn([4, 3, 3, 3], rng);
    const b = Tensor.randn([4], rng);
    const param = { stride: 1, pad: 1 };
    const out64 = convForwardNaive(x, w, b, param).out;
    const out32 =
      convForwardNaive(x.astype("float32"), w.astype("float32"), b.astype("float32"), param)
        .out;
    assertEquals(out32.dtype, "float32");
    assertAllClose(out32.data, out64.data, 1e-6, "float32 vs float64 conv");
  });

  await t.step("keeps a copy of its parameters in the cache", () => {
    const param = { stride: 1, pad: 0 };
    const { cache } = convForwardNaive(
      Tensor.zeros([1, 1, 2, 2]),
      Tensor.zeros([1, 1, 1, 1]),
      Tensor.zeros([1]),
      param,
    );
    param.pad = 5;
    assertEquals(cache.param, { stride: 1, pad: 0 });
  });
});

Deno.test("convForwardNaive() bad input", async (t) => {
  const x = Tensor.zeros([2, 3, 5, 5]), w = Tensor.zeros([4, 3, 3, 3]), b = Tensor.zeros([4]);
  const ok = { stride: 1, pad: 1 };
  const cases: [string, () => unknown, ErrorConstructor, string][] = [
    [
      "x of rank 3",
      () => convForwardNaive(Tensor.zeros([3, 5, 5]), w, b, ok),
      TypeError,
      "x must have rank 4",
    ],
    [
      "w of rank 2",
      () => convForwardNaive(x, Tensor.zeros([4, 27]), b, ok),
      TypeError,
      "w must have rank 4",
    ],
    [
      "channel mismatch",
      () => convForwardNaive(x, Tensor.zeros([4, 2, 3, 3]), b, ok),
      RangeError,
      "input has 3 channels but the weights expect 2",
    ],
    [
      "kernel larger than the padded input",
      () => convForwardNaive(x, Tensor.zeros([4, 3, 9, 9]), b, ok),
      RangeError,
      "larger than the padded 7×7 input",
    ],
    [
      "bias of the wrong length",
      () => convForwardNaive(x, w, Tensor.zeros([3]), ok),
      TypeError,
      "b must have shape (4), got (3)",
    ],
    [
      "stride 0",
      () => convForwardNaive(x, w, b, { stride: 0, pad: 1 }),
      RangeError,
      "stride must be an integer ≥ 1, got 0",
    ],
    [
      "negative pad",
      () => convForwardNaive(x, w, b, { stride: 1, pad: -1 }),
      RangeError,
      "pad must be an integer ≥ 0",
    ],
    [
      "fractional pad",
      () => convForwardNaive(x, w, b, { stride: 1, pad: 0.5 }),
      RangeError,
      "pad must be an integer ≥ 0, got 0.5",
    ],
    [
      "no param object",
      () => convForwardNaive(x, w, b, undefined as unknown as ConvParam),
      TypeError,
      "param must be { stride, pad }, got undefined",
    ],
    [
      "mixed dtypes",
      () => convForwardNaive(x, w.astype("float32"), b, ok),
      TypeError,
      "x is float64 but w is float32",
    ],
    [
      "a plain array for x",
      () => convForwardNaive([1, 2] as unknown as Tensor, w, b, ok),
      TypeError,
      "x must be a Tensor, got Array",
    ],
  ];
  for (const [name, fn, errorClass, message] of cases) {
    await t.step(name, () => {
      const e = assertThrows(fn, errorClass, message);
      assertEquals(e.message.startsWith("Cannot run convForwardNaive:"), true);
    });
  }
});

/** Gradient-check cases: x shape, w shape, conv parameters. */
const GRAD_CASES: [number[], number[], ConvParam][] = [
  [[2, 3, 5, 5], [4, 3, 3, 3], { stride: 1, pad: 1 }],
  [[2, 3, 7, 7], [4, 3, 3, 3], { stride: 2, pad: 1 }],
  [[1, 2, 6, 5], [3, 2, 2, 3], { stride: 2, pad: 0 }], // batch 1, non-square kernel and image
  [[2, 1, 4, 4], [2, 1, 3, 1], { stride: 1, pad: 2 }], // pad 2, 3×1 kernel
  [[1, 3, 5, 5], [2, 3, 5, 5], { stride: 1, pad: 0 }], // the kernel covers the image: 1×1 output
  [[2, 2, 5, 6], [3, 2, 1, 2], { stride: 2, pad: 2 }],
  // windows that leave a remainder (PyTorch's floored sizes): the unread rows get zero gradient
  [[2, 3, 6, 6], [4, 3, 3, 3], { stride: 2, pad: 1 }], // 3×3 s2 p1 on an even map: 5 / 2
  [[1, 2, 7, 8], [3, 2, 3, 3], { stride: 3, pad: 1 }],
  [[1, 2, 7, 7], [2, 2, 2, 2], { stride: 3, pad: 0 }], // kernel < stride: rows 2, 5, 6 unread
];

Deno.test("convBackwardNaive()", async (t) => {
  for (const [i, [xShape, wShape, param]] of GRAD_CASES.entries()) {
    const name = `x=(${xShape}) w=(${wShape}) s=${param.stride} p=${param.pad}`;
    await t.step(`${name}: dx, dw, db match numerical gradients`, () => {
      const rng = new Rng(100 + i);
      const x = Tensor.randn(xShape, rng), w = Tensor.randn(wShape, rng);
      const b = Tensor.randn([wShape[0]], rng);
      const layer = {
        forward: () => convForwardNaive(x, w, b, param),
        backward: convBackwardNaive,
      };
      const errors = gradientErrors(layer, { x, w, b }, { rng, h: H_LINEAR });
      for (const key of ["x", "w", "b"]) {
        assertAtMost(errors[key], BOUNDS.conv, `d${key} rel error`);
      }
    });
  }

  await t.step("input rows and columns that no window reaches get zero gradient", () => {
    const rng = new Rng(7);
    const x = Tensor.randn([1, 2, 7, 7], rng), w = Tensor.randn([3, 2, 2, 2], rng);
    const { out, cache } = convForwardNaive(x, w, Tensor.zeros([3]), { stride: 3, pad: 0 });
    const { dx } = convBackwardNaive(Tensor.full(out.shape, 1), cache);
    for (let c = 0; c < 2; c++) {
      for (let h = 0; h < 7; h++) {
        for (let col = 0; col < 7; col++) {
          const reached = h % 3 !== 2 && h < 5 && col % 3 !== 2 && col < 5;
          assertEquals(dx.get(0, c, h, col) !== 0, reached, `dx[0, ${c}, ${h}, ${col}]`);
        }
      }
    }
  });

  await t.step("the homework's h = 1e-5 also passes on its shapes", () => {
    const rng = new Rng(231);
    const x = Tensor.randn([4, 3, 5, 5], rng), w = Tensor.randn([2, 3, 3, 3], rng);
    const b = Tensor.randn([2], rng);
    const param = { stride: 1, pad: 1 };
    const layer = { forward: () => convForwardNaive(x, w, b, param), backward: convBackwardNaive };
    const errors = gradientErrors(layer, { x, w, b }, { rng });
    for (const key of ["x", "w", "b"]) assertAtMost(errors[key], BOUNDS.conv, `d${key} rel error`);
  });

  await t.step("float32 gradients agree with float64", () => {
    const rng = new Rng(3);
    const x = Tensor.randn([2, 2, 5, 5], rng), w = Tensor.randn([3, 2, 3, 3], rng);
    const b = Tensor.randn([3], rng), dout = Tensor.randn([2, 3, 3, 3], rng);
    const param = { stride: 1, pad: 0 };
    const g64 = convBackwardNaive(dout, convForwardNaive(x, w, b, param).cache);
    const f32 = (v: Tensor) => v.astype("float32");
    const g32 = convBackwardNaive(f32(dout), convForwardNaive(f32(x), f32(w), f32(b), param).cache);
    for (const key of ["dx", "dw", "db"] as const) {
      assertEquals(g32[key].dtype, "float32");
      assertAllClose(g32[key].data, g64[key].data, 1e-5, key);
    }
  });

  await t.step("dout of the wrong shape or dtype throws", () => {
    const { cache } = convForwardNaive(
      Tensor.zeros([1, 1, 4, 4]),
      Tensor.zeros([2, 1, 3, 3]),
      Tensor.zeros([2]),
      { stride: 1, pad: 0 },
    );
    assertThrows(
      () => convBackwardNaive(Tensor.zeros([1, 2, 3, 3]), cache),
      TypeError,
      "dout must have shape (1, 2, 2, 2), got (1, 2, 3, 3)",
    );
    assertThrows(
      () => convBackwardNaive(Tensor.zeros([1, 2, 2, 2], "float32"), cache),
      TypeError,
      "x is float64 but dout is float32",
    );
  });
});
