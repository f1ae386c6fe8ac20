// Tests of the classification losses: known values, numerical gradients, numerical stability
// and every kind of bad label.
import { evalNumericalGradient, relError, Rng, softmaxLoss, svmLoss, Tensor } from "../mod.ts";
import { BOUNDS, drawAwayFromKinks, H_LINEAR, H_SMOOTH } from "../tasks/_gradcheck_bounds.ts";
import {
  assertAllClose,
  assertAlmostEquals,
  assertAtMost,
  assertEquals,
  assertThrows,
} from "./_assert.ts";

const scores = (rows: number[][]) =>
  new Tensor(new Float64Array(rows.flat()), [rows.length, rows[0].length]);

/** The lecture's three images (cat, car, frog) scored by a linear classifier, one per row. */
const LECTURE_SCORES = scores([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]]);
const LECTURE_LABELS = [0, 1, 2];

/** How close the smallest hinge margin x_j − x_y + 1 (j ≠ y) comes to its kink at 0. */
function minMargin(x: Tensor, y: ArrayLike<number>): number {
  const [N, C] = x.shape;
  let m = Infinity;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      if (c !== y[n]) m = Math.min(m, Math.abs(x.get(n, c) - x.get(n, y[n]) + 1));
    }
  }
  return m;
}

Deno.test("softmaxLoss()", async (t) => {
  for (const C of [2, 10, 100]) {
    await t.step(`uniform scores over ${C} classes give log(${C})`, () => {
      const { loss, dx } = softmaxLoss(Tensor.full([3, C], 0.7), [0, 1, C - 1]);
      assertAlmostEquals(loss, Math.log(C), 1e-12);
      assertAlmostEquals(dx.get(1, 1), (1 / C - 1) / 3, 1e-15);
      assertAlmostEquals(dx.get(1, 0), 1 / C / 3, 1e-15);
    });
  }

  await t.step("a hand-worked case: scores (0, log 3), label 0 → log 4", () => {
    const { loss, dx } = softmaxLoss(scores([[0, Math.log(3)]]), [0]);
    assertAlmostEquals(loss, Math.log(4), 1e-15);
    assertAllClose(dx.data, [0.25 - 1, 0.75], 1e-15, "dx");
  });

  await t.step("the homework's check: 0.001·randn scores over 10 classes, loss ≈ 2.3", () => {
    const rng = new Rng(500);
    const x = Tensor.randn([50, 10], rng, { std: 0.001 });
    const y = Int32Array.from({ length: 50 }, () => rng.int(10));
    assertAlmostEquals(softmaxLoss(x, y).loss, Math.log(10), 1e-3);
    const numerical = evalNumericalGradient((t) => softmaxLoss(t, y).loss, x, H_SMOOTH);
    assertAtMost(relError(softmaxLoss(x, y).dx, numerical), BOUNDS.loss, "dx rel error");
  });

  await t.step("spread-out scores (std 3): dx matches numerical gradients", () => {
    const rng = new Rng(501);
    const x = Tensor.randn([8, 5], rng, { std: 3 });
    const y = Uint8Array.from({ length: 8 }, () => rng.int(5));
    const numerical = evalNumericalGradient((t) => softmaxLoss(t, y).loss, x, H_SMOOTH);
    assertAtMost(relError(softmaxLoss(x, y).dx, numerical), BOUNDS.loss, "dx rel error");
  });

  await t.step("huge scores do not overflow", () => {
    const { loss, dx } = softmaxLoss(scores([[1000, 1000 + Math.log(3)]]), [0]);
    assertAlmostEquals(loss, Math.log(4), 1e-12);
    assertAllClose(dx.data, [-0.75, 0.75], 1e-12, "dx");
  });

  await t.step("float32 scores give a float32 gradient", () => {
    const { loss, dx } = softmaxLoss(Tensor.zeros([2, 4], "float32"), [0, 3]);
    assertEquals(dx.dtype, "float32");
    assertAlmostEquals(loss, Math.log(4), 1e-6);
  });
});

Deno.test("svmLoss()", async (t) => {
  await t.step("the lecture's cat / car / frog scores: loss (2.9 + 0 + 12.9) / 3", () => {
    const { loss, dx } = svmLoss(LECTURE_SCORES, LECTURE_LABELS);
    assertAlmostEquals(loss, (2.9 + 0 + 12.9) / 3, 1e-12);
    const third = 1 / 3;
    assertAllClose(dx.data, [-third, third, 0, 0, 0, 0, third, third, -2 * third], 1e-15, "dx");
  });

  await t.step("the homework's check: 0.001·randn scores over 10 classes, loss ≈ 9", () => {
    const rng = new Rng(502);
    const x = Tensor.randn([50, 10], rng, { std: 0.001 });
    const y = Int32Array.from({ length: 50 }, () => rng.int(10));
    assertAlmostEquals(svmLoss(x, y).loss, 9, 0.01);
    const numerical = evalNumericalGradient((t) => svmLoss(t, y).loss, x, H_SMOOTH);
    assertAtMost(relError(svmLoss(x, y).dx, numerical), BOUNDS.loss, "dx rel error");
  });

  await t.step("mixed margins kept 0.01 from the hinge: dx matches numerical gradients", () => {
    const rng = new Rng(503);
    const y = Int32Array.from({ length: 6 }, () => rng.int(4));
    const x = drawAwayFromKinks(() => Tensor.randn([6, 4], rng), (x) => minMargin(x, y));
    const numerical = evalNumericalGradient((t) => svmLoss(t, y).loss, x, H_LINEAR);
    assertAtMost(relError(svmLoss(x, y).dx, numerical), BOUNDS.loss, "dx rel error");
  });

  await t.step("a confident classifier has zero loss and gradient", () => {
    const { loss, dx } = svmLoss(scores([[5, 1, 2], [0, 0, 9]]), [0, 2]);
    assertEquals(loss, 0);
    assertAllClose(dx.data, [0, 0, 0, 0, 0, 0], 0, "dx"); // the kernel may write −0
  });
});

Deno.test("softmaxLoss() and svmLoss() bad input", async (t) => {
  const x = Tensor.zeros([3, 4]);
  const cases: {
    name: string;
    x?: Tensor;
    y: unknown;
    error: ErrorConstructor;
    message: string;
  }[] = [
    {
      name: "a label ≥ C",
      y: [0, 4, 1],
      error: RangeError,
      message: "label y[1] = 4 must be an integer in [0, 4)",
    },
    {
      name: "a negative label",
      y: Int32Array.from([0, 1, -1]),
      error: RangeError,
      message: "label y[2] = -1",
    },
    {
      name: "a fractional label",
      y: [0.5, 1, 2],
      error: RangeError,
      message: "label y[0] = 0.5 must be an integer",
    },
    { name: "a NaN label", y: [0, NaN, 2], error: RangeError, message: "label y[1] = NaN" },
    {
      name: "too few labels",
      y: [0, 1],
      error: TypeError,
      message: "x (3, 4) has 3 samples but y has 2 labels",
    },
    {
      name: "too many labels",
      y: new Uint8Array(4),
      error: TypeError,
      message: "has 3 samples but y has 4 labels",
    },
    {
      name: "labels that are not an array",
      y: 3,
      error: TypeError,
      message: "y must be an Int32Array, Uint8Array or number[]",
    },
    {
      name: "scores of rank 3",
      x: Tensor.zeros([3, 4, 1]),
      y: [0, 1, 2],
      error: TypeError,
      message: "x must have rank 2 (N, C), got (3, 4, 1)",
    },
    {
      name: "an empty batch",
      x: Tensor.zeros([0, 4]),
      y: [],
      error: RangeError,
      message: "needs at least one sample and one class",
    },
  ];
  for (const c of cases) {
    for (const [name, loss] of [["softmaxLoss", softmaxLoss], ["svmLoss", svmLoss]] as const) {
      await t.step(`${name}: ${c.name}`, () => {
        const e = assertThrows(() => loss(c.x ?? x, c.y as number[]), c.error, c.message);
        assertEquals(e.message.startsWith(`Cannot run ${name}:`), true);
      });
    }
  }
});
