// Tests of the ReLU layer: forward values, the gradient at and away from the kink, and
// bad input.
import { gradientErrors, reluBackward, reluForward, Rng, Tensor } from "../mod.ts";
import { BOUNDS, drawAwayFromKinks, H_LINEAR, minAbs } from "../tasks/_gradcheck_bounds.ts";
import { assertAtMost, assertEquals, assertThrows } from "./_assert.ts";

const vec = (values: number[], dtype: "float32" | "float64" = "float64") =>
  new Tensor(dtype === "float32" ? new Float32Array(values) : new Float64Array(values), [
    values.length,
  ]);

Deno.test("reluForward()", async (t) => {
  await t.step("the homework's check: x = linspace(-0.5, 0.5) of (3, 4)", () => {
    const { out } = reluForward(Tensor.linspace(-0.5, 0.5, [3, 4]));
    const step = 1 / 11;
    const expected = Array.from({ length: 12 }, (_, i) => Math.max(0, -0.5 + step * i));
    expected[11] = 0.5;
    assertEquals(out.shape, [3, 4]);
    out.data.forEach((v, i) => assertAtMost(Math.abs(v - expected[i]), 1e-15, `out[${i}] error`));
  });

  await t.step("negatives and zero become 0, float32 stays float32", () => {
    const { out } = reluForward(vec([-3, -0, 0, 2.5], "float32"));
    assertEquals(out.dtype, "float32");
    assertEquals([...out.data], [0, 0, 0, 2.5]);
  });
});

Deno.test("reluBackward()", async (t) => {
  await t.step("x=(10,10) kept 0.01 away from the kink: dx matches numerical gradients", () => {
    const rng = new Rng(400);
    const x = drawAwayFromKinks(() => Tensor.randn([10, 10], rng), minAbs);
    const layer = { forward: () => reluForward(x), backward: reluBackward };
    assertAtMost(gradientErrors(layer, { x }, { rng, h: H_LINEAR }).x, BOUNDS.relu, "dx rel error");
  });

  await t.step("x=(2,3,4,5) of rank 4", () => {
    const rng = new Rng(401);
    const x = drawAwayFromKinks(() => Tensor.randn([2, 3, 4, 5], rng), minAbs);
    const layer = { forward: () => reluForward(x), backward: reluBackward };
    assertAtMost(gradientErrors(layer, { x }, { rng, h: H_LINEAR }).x, BOUNDS.relu, "dx rel error");
  });

  await t.step("the gradient at exactly 0 is 0", () => {
    const { cache } = reluForward(vec([-1, 0, 1]));
    assertEquals([...reluBackward(vec([5, 6, 7]), cache).data], [0, 0, 7]);
  });

  await t.step("dout of the wrong shape or dtype throws", () => {
    const { cache } = reluForward(vec([1, 2, 3]));
    assertThrows(() => reluBackward(vec([1, 2]), cache), TypeError, "dout must have shape (3)");
    assertThrows(
      () => reluBackward(vec([1, 2, 3], "float32"), cache),
      TypeError,
      "Cannot run reluBackward: x is float64 but dout is float32",
    );
  });

  await t.step("a non-tensor input throws", () => {
    assertThrows(
      () => reluForward(new Float64Array(3) as unknown as Tensor),
      TypeError,
      "Cannot run reluForward: x must be a Tensor, got Float64Array",
    );
  });
});
