import { assertAllClose, assertAlmostEquals, assertAtMost, assertThrows } from "./_assert.ts";
import { numericalGradient, relError, TOL_GRAD } from "./_modules_check.ts";
import { crossEntropy, Rng, Tensor } from "../mod.ts";

const TOL_EXACT = 1e-14;

Deno.test("crossEntropy()", async (t) => {
  // logits: (2, 3). Row 0: logsumexp(1, 2, 3) = 3 + log(1 + e⁻¹ + e⁻²) = 3.4076059644443806;
  // row 1: logsumexp(0, 0, 0) = log 3.
  const logits = new Tensor(new Float64Array([1, 2, 3, 0, 0, 0]), [2, 3]);
  const lse0 = 3.4076059644443806;
  await t.step("no smoothing: −log p[y], averaged", () => {
    const { loss, dlogits } = crossEntropy(logits, [0, 2]);
    assertAlmostEquals(loss, (2.4076059644443806 + Math.log(3)) / 2, TOL_EXACT);
    const p0 = [1, 2, 3].map((v) => Math.exp(v - lse0));
    assertAllClose(
      dlogits.data,
      [(p0[0] - 1) / 2, p0[1] / 2, p0[2] / 2, 1 / 6, 1 / 6, (1 / 3 - 1) / 2],
      TOL_EXACT,
      "dlogits",
    );
  });
  await t.step("labelSmoothing 0.3: target 0.8 on y and 0.1 elsewhere (PyTorch's)", () => {
    const { loss, dlogits } = crossEntropy(logits, [0, 2], { labelSmoothing: 0.3 });
    // row 0: lse − Σ q·x = lse − (0.8·1 + 0.1·2 + 0.1·3) = 2.1076059644443808; row 1: log 3
    assertAlmostEquals(loss, (2.1076059644443808 + Math.log(3)) / 2, TOL_EXACT);
    const p0 = [1, 2, 3].map((v) => Math.exp(v - lse0));
    const q1 = 1 / 3;
    assertAllClose(
      dlogits.data,
      [
        (p0[0] - 0.8) / 2,
        (p0[1] - 0.1) / 2,
        (p0[2] - 0.1) / 2,
        (q1 - 0.1) / 2,
        (q1 - 0.1) / 2,
        (q1 - 0.8) / 2,
      ],
      TOL_EXACT,
      "dlogits",
    );
  });
  await t.step("gradient matches centred differences, with and without smoothing", () => {
    const rng = new Rng(0);
    const x = Tensor.randn([4, 5], rng, { std: 3 });
    const y = [4, 0, 2, 2];
    for (const labelSmoothing of [0, 0.1]) {
      const { dlogits } = crossEntropy(x, y, { labelSmoothing });
      const numeric = numericalGradient(() => crossEntropy(x, y, { labelSmoothing }).loss, x.data);
      assertAtMost(relError(dlogits.data, numeric), TOL_GRAD, `rel error at ε=${labelSmoothing}`);
    }
  });
  await t.step("large logits do not overflow", () => {
    const { loss } = crossEntropy(new Tensor(new Float32Array([1000, 0]), [1, 2]), [1]);
    assertAlmostEquals(loss, 1000, 1e-3);
  });
  await t.step("refuses bad labels, shapes and smoothing", () => {
    assertThrows(() => crossEntropy(logits, [0, 3]), RangeError, "label 3 at index 1");
    assertThrows(() => crossEntropy(logits, [0]), TypeError, "2 rows of logits but 1 labels");
    assertThrows(() => crossEntropy(Tensor.zeros([6]), []), TypeError, "(N, C)");
    assertThrows(() => crossEntropy(logits, [0, 1], { labelSmoothing: 1.5 }), RangeError);
  });
});
