// Tests of the affine layer: the homework's forward check, inputs of several ranks, gradient
// checks in float64, the float32 path and every bad input.
import { affineBackward, affineForward, gradientErrors, relError, Rng, Tensor } from "../mod.ts";
import { BOUNDS, H_LINEAR } from "../tasks/_gradcheck_bounds.ts";
import { assertAllClose, assertAtMost, assertEquals, assertThrows } from "./_assert.ts";

/** The homework's tolerance on its forward checks (rel_error < 1e-7). */
const TOL_HOMEWORK = 1e-7;

Deno.test("affineForward()", async (t) => {
  await t.step("the homework's check: x=(2,4,5,6) w=(120,3)", () => {
    const x = Tensor.linspace(-0.1, 0.5, [2, 4, 5, 6]);
    const w = Tensor.linspace(-0.2, 0.3, [120, 3]);
    const b = Tensor.linspace(-0.3, 0.1, [3]);
    const { out } = affineForward(x, w, b);
    const correct = [1.49834967, 1.70660132, 1.91485297, 3.25553199, 3.5141327, 3.77273342];
    assertEquals(out.shape, [2, 3]);
    assertAtMost(relError(out.data, correct), TOL_HOMEWORK, "rel error vs the homework");
  });

  await t.step("a hand-worked (2, 2) · (2, 3) + b", () => {
    const x = new Tensor(new Float64Array([1, 2, 3, 4]), [2, 2]);
    const w = new Tensor(new Float64Array([1, 0, -1, 2, 1, 0]), [2, 3]);
    const b = new Tensor(new Float64Array([0.5, 0, -0.5]), [3]);
    const { out } = affineForward(x, w, b);
    assertEquals([...out.data], [5.5, 2, -1.5, 11.5, 4, -3.5]);
  });

  await t.step("the float32 path agrees with float64", () => {
    const rng = new Rng(1);
    const x = Tensor.randn([4, 3, 2], rng), w = Tensor.randn([6, 5], rng);
    const b = Tensor.randn([5], rng);
    const out64 = affineForward(x, w, b).out;
    const out32 = affineForward(x.astype("float32"), w.astype("float32"), b.astype("float32")).out;
    assertEquals(out32.dtype, "float32");
    assertAllClose(out32.data, out64.data, 1e-6, "float32 vs float64 affine");
  });
});

Deno.test("affineForward() bad input", async (t) => {
  const x = Tensor.zeros([2, 3, 4]), w = Tensor.zeros([12, 5]), b = Tensor.zeros([5]);
  const cases: { name: string; fn: () => unknown; error: ErrorConstructor; message: string }[] = [
    {
      name: "x of rank 1",
      fn: () => affineForward(Tensor.zeros([12]), w, b),
      error: TypeError,
      message: "x must have rank ≥ 2 (N, d1, …, dk), got (12)",
    },
    {
      name: "w of rank 3",
      fn: () => affineForward(x, Tensor.zeros([12, 5, 1]), b),
      error: TypeError,
      message: "w must have rank 2 (D, M), got (12, 5, 1)",
    },
    {
      name: "features mismatch",
      fn: () => affineForward(x, Tensor.zeros([10, 5]), b),
      error: TypeError,
      message: "x (2, 3, 4) has 12 features per sample but w (10, 5) expects 10",
    },
    {
      name: "bias of the wrong length",
      fn: () => affineForward(x, w, Tensor.zeros([4])),
      error: TypeError,
      message: "b must have shape (5), got (4)",
    },
    {
      name: "mixed dtypes",
      fn: () => affineForward(x, w, b.astype("float32")),
      error: TypeError,
      message: "x is float64 but b is float32",
    },
  ];
  for (const { name, fn, error, message } of cases) {
    await t.step(name, () => {
      const e = assertThrows(fn, error, message);
      assertEquals(e.message.startsWith("Cannot run affineForward:"), true);
    });
  }
});

/** Gradient-check cases: x shape and output width M. */
const GRAD_CASES: [number[], number][] = [
  [[10, 2, 3], 5], // the homework's check
  [[1, 7], 3], // batch 1
  [[3, 2, 2, 2], 4], // rank 4 input
  [[5, 1], 1],
];

Deno.test("affineBackward()", async (t) => {
  for (const [i, [xShape, M]] of GRAD_CASES.entries()) {
    await t.step(`x=(${xShape}) M=${M}: dx, dw, db match numerical gradients`, () => {
      const rng = new Rng(300 + i);
      const D = xShape.slice(1).reduce((a, b) => a * b, 1);
      const x = Tensor.randn(xShape, rng), w = Tensor.randn([D, M], rng);
      const b = Tensor.randn([M], rng);
      const layer = { forward: () => affineForward(x, w, b), backward: affineBackward };
      const errors = gradientErrors(layer, { x, w, b }, { rng, h: H_LINEAR });
      for (const key of ["x", "w", "b"]) {
        assertAtMost(errors[key], BOUNDS.affine, `d${key} rel error`);
      }
    });
  }

  await t.step("dx keeps x's shape", () => {
    const x = Tensor.zeros([2, 3, 4]);
    const { cache } = affineForward(x, Tensor.zeros([12, 5]), Tensor.zeros([5]));
    assertEquals(affineBackward(Tensor.zeros([2, 5]), cache).dx.shape, [2, 3, 4]);
  });

  await t.step("dout of the wrong shape or dtype throws", () => {
    const { cache } = affineForward(Tensor.zeros([2, 3]), Tensor.zeros([3, 4]), Tensor.zeros([4]));
    assertThrows(
      () => affineBackward(Tensor.zeros([2, 3]), cache),
      TypeError,
      "dout must have shape (2, 4), got (2, 3)",
    );
    assertThrows(
      () => affineBackward(Tensor.zeros([2, 4], "float32"), cache),
      TypeError,
      "x is float64 but dout is float32",
    );
  });
});
