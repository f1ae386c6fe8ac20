// Tests of the sandwich layers: each forward equals its parts chained, and each backward
// matches numerical gradients in float64 with inputs kept away from kinks and ties.
import {
  affineForward,
  affineReluBackward,
  affineReluForward,
  convForwardNaive,
  type ConvParam,
  convReluBackward,
  convReluForward,
  convReluPoolBackward,
  convReluPoolForward,
  gradientErrors,
  maxPoolForwardNaive,
  type PoolParam,
  reluForward,
  Rng,
  Tensor,
} from "../mod.ts";
import {
  BOUNDS,
  drawAwayFromKinks,
  H_LINEAR,
  minAbs,
  minWindowGap,
} from "../tasks/_gradcheck_bounds.ts";
import { assertAllClose, assertAtMost, assertEquals, assertThrows } from "./_assert.ts";

function drawConv(rng: Rng, xShape: number[], wShape: number[]) {
  return {
    x: Tensor.randn(xShape, rng),
    w: Tensor.randn(wShape, rng),
    b: Tensor.randn([wShape[0]], rng),
  };
}

function assertGrads(errors: Record<string, number>): void {
  for (const key of ["x", "w", "b"]) {
    assertAtMost(errors[key], BOUNDS.sandwich, `d${key} rel error`);
  }
}

const CONV_CASES: [number[], number[], ConvParam][] = [
  [[2, 3, 8, 8], [3, 3, 3, 3], { stride: 1, pad: 1 }], // the homework's check
  [[1, 2, 7, 6], [2, 2, 3, 2], { stride: 2, pad: 1 }], // batch 1, stride 2, non-square kernel
];

Deno.test("convReluForward()", async (t) => {
  await t.step("equals relu(conv(x))", () => {
    const { x, w, b } = drawConv(new Rng(600), [2, 3, 6, 6], [4, 3, 3, 3]);
    const param = { stride: 1, pad: 1 };
    const expected = reluForward(convForwardNaive(x, w, b, param).out).out;
    assertEquals(convReluForward(x, w, b, param).out, expected);
  });

  await t.step("bad conv input throws the conv's error", () => {
    const { x, w, b } = drawConv(new Rng(601), [1, 3, 6, 6], [4, 2, 3, 3]);
    assertThrows(
      () => convReluForward(x, w, b, { stride: 1, pad: 1 }),
      RangeError,
      "Cannot run convForwardNaive: input has 3 channels but the weights expect 2",
    );
  });
});

Deno.test("convReluBackward()", async (t) => {
  for (const [i, [xShape, wShape, param]] of CONV_CASES.entries()) {
    await t.step(`x=(${xShape}) w=(${wShape}) s=${param.stride} p=${param.pad}`, () => {
      const rng = new Rng(610 + i);
      const { x, w, b } = drawAwayFromKinks(
        () => drawConv(rng, xShape, wShape),
        (v) => minAbs(convForwardNaive(v.x, v.w, v.b, param).out),
      );
      const forward = () => convReluForward(x, w, b, param);
      assertGrads(gradientErrors({ forward, backward: convReluBackward }, { x, w, b }, {
        rng,
        h: H_LINEAR,
      }));
    });
  }
});

const POOL_CASES: [number[], number[], ConvParam, PoolParam][] = [
  // the homework's check
  [[2, 3, 16, 16], [3, 3, 3, 3], { stride: 1, pad: 1 }, { poolHeight: 2, poolWidth: 2, stride: 2 }],
  // batch 1, stride-2 conv, pad 2, overlapping non-square pooling
  [[1, 2, 9, 9], [2, 2, 3, 3], { stride: 2, pad: 2 }, { poolHeight: 3, poolWidth: 2, stride: 1 }],
];

Deno.test("convReluPoolForward()", async (t) => {
  await t.step("equals maxPool(relu(conv(x)))", () => {
    const { x, w, b } = drawConv(new Rng(620), [2, 3, 8, 8], [4, 3, 3, 3]);
    const conv = { stride: 1, pad: 1 }, pool = { poolHeight: 2, poolWidth: 2, stride: 2 };
    const a = reluForward(convForwardNaive(x, w, b, conv).out).out;
    const { out } = convReluPoolForward(x, w, b, conv, pool);
    assertEquals(out, maxPoolForwardNaive(a, pool).out);
    assertEquals(out.shape, [2, 4, 4, 4]);
  });

  await t.step("a pool window larger than the conv output throws the pool's error", () => {
    const { x, w, b } = drawConv(new Rng(621), [1, 1, 4, 4], [1, 1, 3, 3]);
    assertThrows(
      () =>
        convReluPoolForward(x, w, b, { stride: 1, pad: 0 }, {
          poolHeight: 3,
          poolWidth: 3,
          stride: 1,
        }),
      RangeError,
      "Cannot run maxPoolForwardNaive: the 3×3 window is larger than the 2×2 input",
    );
  });
});

Deno.test("convReluPoolBackward()", async (t) => {
  for (const [i, [xShape, wShape, conv, pool]] of POOL_CASES.entries()) {
    const name = `x=(${xShape}) w=(${wShape}) s=${conv.stride} p=${conv.pad} ` +
      `pool ${pool.poolHeight}×${pool.poolWidth} s=${pool.stride}`;
    await t.step(name, () => {
      const rng = new Rng(630 + i);
      const { x, w, b } = drawAwayFromKinks(() => drawConv(rng, xShape, wShape), (v) => {
        const a = convForwardNaive(v.x, v.w, v.b, conv).out; // the pre-activation
        return Math.min(minAbs(a), minWindowGap(a, pool));
      });
      const forward = () => convReluPoolForward(x, w, b, conv, pool);
      assertGrads(gradientErrors({ forward, backward: convReluPoolBackward }, { x, w, b }, {
        rng,
        h: H_LINEAR,
      }));
    });
  }
});

Deno.test("affineReluForward()", async (t) => {
  await t.step("equals relu(affine(x))", () => {
    const rng = new Rng(640);
    const x = Tensor.randn([3, 2, 2], rng), w = Tensor.randn([4, 5], rng);
    const b = Tensor.randn([5], rng);
    const expected = reluForward(affineForward(x, w, b).out).out;
    assertEquals(affineReluForward(x, w, b).out, expected);
  });
});

Deno.test("affineReluBackward()", async (t) => {
  const cases: [number[], number][] = [[[2, 3, 4], 10], [[1, 6], 3]]; // the homework's; batch 1
  for (const [i, [xShape, M]] of cases.entries()) {
    await t.step(`x=(${xShape}) M=${M}`, () => {
      const rng = new Rng(650 + i);
      const D = xShape.slice(1).reduce((a, b) => a * b, 1);
      const draw = () => ({
        x: Tensor.randn(xShape, rng),
        w: Tensor.randn([D, M], rng),
        b: Tensor.randn([M], rng),
      });
      const { x, w, b } = drawAwayFromKinks(draw, (v) => minAbs(affineForward(v.x, v.w, v.b).out));
      const forward = () => affineReluForward(x, w, b);
      assertGrads(gradientErrors({ forward, backward: affineReluBackward }, { x, w, b }, {
        rng,
        h: H_LINEAR,
      }));
    });
  }
});

Deno.test("convReluPoolForward/Backward() in float32 run the fast layers", () => {
  // TOL_F32: the fast (WASM, float32) path against the naive one in float64.
  const TOL_F32 = 1e-4;
  const rng = new Rng(640);
  const x = Tensor.randn([2, 3, 8, 8], rng), w = Tensor.randn([4, 3, 3, 3], rng);
  const b = Tensor.randn([4], rng), dout = Tensor.randn([2, 4, 4, 4], rng);
  const conv = { stride: 1, pad: 1 }, pool = { poolHeight: 2, poolWidth: 2, stride: 2 };
  const want = convReluPoolForward(x, w, b, conv, pool);
  const f32 = (t: Tensor) => t.astype("float32");
  const got = convReluPoolForward(f32(x), f32(w), f32(b), conv, pool);
  assertEquals(got.out.dtype, "float32");
  assertAllClose(got.out.data, want.out.data, TOL_F32, "out");
  const gradsWant = convReluPoolBackward(dout, want.cache);
  const gradsGot = convReluPoolBackward(f32(dout), got.cache);
  for (const k of ["dx", "dw", "db"] as const) {
    assertAllClose(gradsGot[k].data, gradsWant[k].data, TOL_F32, k);
  }
});
