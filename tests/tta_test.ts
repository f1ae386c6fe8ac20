import { assertAllClose, assertEquals, assertThrows } from "./_assert.ts";
import {
  BatchNorm2d,
  Conv2d,
  Flatten,
  GlobalAvgPool,
  Linear,
  ReLU,
  Rng,
  Sequential,
  Tensor,
} from "../mod.ts";
import { flipHorizontal, predictTta, translate } from "../nn/tta.ts";
import { kernelsFor } from "../kernels/mod.ts";

/** The flip TTA of train/eval.ts (predictBatch): l = a + b, then l − ½·l, with axpy. */
function tasksFlipTta(a: Tensor, b: Tensor): Float32Array {
  const l = a.data.slice() as Float32Array, k = kernelsFor("float32");
  k.axpy(l, b.data, 1, l.length);
  k.axpy(l, l.slice(), -0.5, l.length);
  return l;
}

/** A linear model's TTA logits against the logits of the averaged input, float32 rounding. */
const TOL_LINEAR = 1e-5;

function convNet(): Sequential {
  const rng = new Rng(3);
  return new Sequential([
    new Conv2d(3, 6, { kernelSize: 3, padding: 1, rng }),
    new BatchNorm2d(6),
    new ReLU(),
    new GlobalAvgPool(),
    new Flatten(),
    new Linear(6, 4, { rng }),
  ]).eval();
}

Deno.test("translate()", async (t) => {
  const x = Tensor.randn([2, 3, 5, 6], new Rng(0), { dtype: "float32" });
  const mirror = (i: number, n: number) => (i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i);
  for (const [dy, dx] of [[1, 1], [-2, 1], [0, -3]]) {
    await t.step(`(${dy}, ${dx}): reflect and zero against the definition`, () => {
      for (const mode of ["reflect", "zero"] as const) {
        const got = translate(x, dy, dx, mode);
        for (let p = 0; p < 6; p++) {
          for (let h = 0; h < 5; h++) {
            for (let w = 0; w < 6; w++) {
              const sh = h + dy, sw = w + dx;
              const inside = sh >= 0 && sh < 5 && sw >= 0 && sw < 6;
              const want = mode === "zero" && !inside
                ? 0
                : x.data[(p * 5 + mirror(sh, 5)) * 6 + mirror(sw, 6)];
              assertEquals(got.data[(p * 5 + h) * 6 + w], want, `${mode} ${p},${h},${w}`);
            }
          }
        }
      }
    });
  }
  await t.step("refuses shifts as large as the image", () => {
    assertThrows(() => translate(x, 5, 0, "zero"), RangeError, "below the size");
  });
});

Deno.test("predictTta()", async (t) => {
  const x = Tensor.randn([3, 3, 8, 8], new Rng(1), { dtype: "float32" }) as Tensor<Float32Array>;
  await t.step("flip only: bit for bit the training tasks' flip TTA, (a + b) − ½(a + b)", () => {
    const model = convNet();
    const a = model.forward(x), b = model.forward(flipHorizontal(x));
    assertEquals(predictTta(model, x).data, tasksFlipTta(a, b));
    assertEquals(predictTta(model, x, { flip: false }).data, a.data);
  });
  await t.step("flip + translate 1 on a linear model: the logits of the weighted views", () => {
    const model = new Sequential([new Flatten(), new Linear(192, 5, { rng: new Rng(2) })]).eval();
    const got = predictTta(model, x, { translate: 1 });
    // linear: the TTA logits are the logits of ½·m(x) + ¼·m(x↖) + ¼·m(x↘), m the flip mean
    const views = [
      [x, 0.5],
      [translate(x, -1, -1, "reflect"), 0.25],
      [translate(x, 1, 1, "reflect"), 0.25],
    ] as const;
    const mean = new Float32Array(x.size);
    for (const [v, w] of views) {
      const f = flipHorizontal(v);
      for (let i = 0; i < x.size; i++) mean[i] += w * 0.5 * (v.data[i] + f.data[i]);
    }
    const want = model.forward(new Tensor(mean, x.shape));
    assertAllClose(got.data, want.data, TOL_LINEAR, "TTA logits");
    // and the views matter: the shifted average differs from the flip-only one
    const flipOnly = predictTta(model, x);
    assertEquals(flipOnly.data.some((v, i) => v !== got.data[i]), true);
  });
  await t.step("refuses a model in training mode and bad shifts", () => {
    const model = convNet().train();
    assertThrows(() => predictTta(model, x), Error, "call model.eval() first");
    assertThrows(() => predictTta(model.eval(), x, { translate: -1 }), RangeError, "translate");
  });
});
