// Tests of the naive max-pool layer: the homework's forward check, all-negative and tied
// windows, gradient checks in float64 kept away from ties, and every bad input.
import {
  gradientErrors,
  maxPoolBackwardNaive,
  maxPoolForwardNaive,
  type PoolParam,
  relError,
  Rng,
  Tensor,
} from "../mod.ts";
import { BOUNDS, drawAwayFromKinks, H_LINEAR, minWindowGap } from "../tasks/_gradcheck_bounds.ts";
import { assertAtMost, assertEquals, assertThrows } from "./_assert.ts";
import { poolDims } from "../core/dims.ts";

/** The homework's tolerance on its forward checks (rel_error < 1e-7). */
const TOL_HOMEWORK = 1e-7;

const plane = (values: number[], h: number, w: number) =>
  new Tensor(new Float64Array(values), [1, 1, h, w]);

Deno.test("maxPoolForwardNaive()", async (t) => {
  await t.step("the homework's check: x=(2,3,4,4) 2×2 s=2", () => {
    const x = Tensor.linspace(-0.3, 0.4, [2, 3, 4, 4]);
    const { out } = maxPoolForwardNaive(x, { poolHeight: 2, poolWidth: 2, stride: 2 });
    // deno-fmt-ignore
    const correct = [
      -0.26315789, -0.24842105, -0.20421053, -0.18947368, -0.14526316, -0.13052632, -0.08631579,
      -0.07157895, -0.02736842, -0.01263158, 0.03157895, 0.04631579, 0.09052632, 0.10526316,
      0.14947368, 0.16421053, 0.20842105, 0.22315789, 0.26736842, 0.28210526, 0.32631579,
      0.34105263, 0.38526316, 0.4,
    ];
    assertEquals(out.shape, [2, 3, 2, 2]);
    assertAtMost(relError(out.data, correct), TOL_HOMEWORK, "rel error vs the homework");
  });

  await t.step("an all-negative window gives its largest (least negative) value", () => {
    const x = plane([-5, -3, -4, -7, -9, -2, -8, -6, -1e9], 3, 3);
    const { out, cache } = maxPoolForwardNaive(x, { poolHeight: 3, poolWidth: 3, stride: 1 });
    assertEquals([...out.data], [-2]);
    assertEquals([...cache.argmax], [5]);
  });

  await t.step("overlapping 2×2 windows, stride 1", () => {
    const x = plane([1, 5, 2, 0, 3, 4, 6, 1, 0], 3, 3);
    const { out } = maxPoolForwardNaive(x, { poolHeight: 2, poolWidth: 2, stride: 1 });
    assertEquals([...out.data], [5, 5, 6, 4]);
  });

  await t.step("a non-square 1×3 window, stride 1", () => {
    const x = plane([1, 3, 2, 5, 4, -1, -2, -3], 2, 4);
    const { out } = maxPoolForwardNaive(x, { poolHeight: 1, poolWidth: 3, stride: 1 });
    assertEquals(out.shape, [1, 1, 2, 2]);
    assertEquals([...out.data], [3, 5, 4, -1]);
  });

  await t.step("PyTorch's sizes: floored, or with ceilMode the clipped last windows", () => {
    // 5×5, 2×2 s2: floor drops the last row and column; ceil keeps them as 1-wide windows
    const x = plane(Array.from({ length: 25 }, (_, i) => i), 5, 5);
    const p = { poolHeight: 2, poolWidth: 2, stride: 2 };
    assertEquals([...maxPoolForwardNaive(x, p).out.data], [6, 8, 16, 18]);
    const ceil = maxPoolForwardNaive(x, { ...p, ceilMode: true });
    assertEquals(ceil.out.shape, [1, 1, 3, 3]);
    assertEquals([...ceil.out.data], [6, 8, 9, 16, 18, 19, 21, 23, 24]);
    // a window that would start past the input is dropped (1×1 s3 on 5: starts 0, 3; not 6)
    const sparse = maxPoolForwardNaive(x, {
      poolHeight: 1,
      poolWidth: 1,
      stride: 3,
      ceilMode: true,
    });
    assertEquals([...sparse.out.data], [0, 3, 15, 18]);
    // (sizes cross-checked against torch.nn.functional.max_pool2d)
    const sizes: [number[], PoolParam, number[]][] = [
      [[1, 2, 7, 7], { poolHeight: 3, poolWidth: 3, stride: 3 }, [1, 2, 2, 2]],
      [[1, 2, 7, 7], { poolHeight: 3, poolWidth: 3, stride: 3, ceilMode: true }, [1, 2, 3, 3]],
      [[1, 3, 9, 18], { poolHeight: 2, poolWidth: 2, stride: 2, ceilMode: true }, [1, 3, 5, 9]],
      [[1, 2, 6, 9], { poolHeight: 2, poolWidth: 3, stride: 2, ceilMode: true }, [1, 2, 3, 4]],
    ];
    for (const [xs, param, want] of sizes) {
      assertEquals(maxPoolForwardNaive(Tensor.zeros(xs), param).out.shape, want, `x=(${xs})`);
    }
  });

  await t.step("float32 in, float32 out", () => {
    const x = Tensor.linspace(-1, 1, [1, 2, 4, 4], "float32");
    const { out } = maxPoolForwardNaive(x, { poolHeight: 2, poolWidth: 2, stride: 2 });
    assertEquals(out.dtype, "float32");
    assertEquals(out.get(0, 1, 1, 1), 1);
  });
});

Deno.test("maxPoolForwardNaive() bad input", async (t) => {
  const x = Tensor.zeros([2, 3, 4, 4]);
  const cases: { name: string; fn: () => unknown; error: ErrorConstructor; message: string }[] = [
    {
      name: "x of rank 3",
      fn: () =>
        maxPoolForwardNaive(Tensor.zeros([3, 4, 4]), { poolHeight: 2, poolWidth: 2, stride: 2 }),
      error: TypeError,
      message: "x must have rank 4 (N, C, H, W), got (3, 4, 4)",
    },
    {
      name: "a window larger than the input",
      fn: () => maxPoolForwardNaive(x, { poolHeight: 5, poolWidth: 2, stride: 1 }),
      error: RangeError,
      message: "the 5×2 window is larger than the 4×4 input",
    },
    {
      name: "a ceilMode that is not a boolean",
      fn: () =>
        maxPoolForwardNaive(x, {
          poolHeight: 2,
          poolWidth: 2,
          stride: 2,
          ceilMode: "yes" as unknown as boolean,
        }),
      error: TypeError,
      message: "ceilMode must be true or false, got yes",
    },
    {
      name: "a zero window",
      fn: () => maxPoolForwardNaive(x, { poolHeight: 0, poolWidth: 2, stride: 2 }),
      error: RangeError,
      message: "poolHeight must be an integer ≥ 1, got 0",
    },
    {
      name: "no param object",
      fn: () => maxPoolForwardNaive(x, 2 as unknown as PoolParam),
      error: TypeError,
      message: "param must be { poolHeight, poolWidth, stride }, got number",
    },
    {
      name: "stride 0",
      fn: () => maxPoolForwardNaive(x, { poolHeight: 2, poolWidth: 2, stride: 0 }),
      error: RangeError,
      message: "stride must be an integer ≥ 1, got 0",
    },
  ];
  for (const { name, fn, error, message } of cases) {
    await t.step(name, () => {
      const e = assertThrows(fn, error, message);
      assertEquals(e.message.startsWith("Cannot run maxPoolForwardNaive:"), true);
    });
  }
});

/** Gradient-check cases: x shape and pool parameters. */
const GRAD_CASES: [number[], PoolParam][] = [
  [[3, 2, 8, 8], { poolHeight: 2, poolWidth: 2, stride: 2 }], // the homework's check
  [[2, 2, 5, 5], { poolHeight: 3, poolWidth: 3, stride: 1 }], // overlapping windows
  [[1, 3, 5, 4], { poolHeight: 3, poolWidth: 2, stride: 1 }], // batch 1, non-square window
  [[1, 2, 5, 7], { poolHeight: 3, poolWidth: 3, stride: 2 }], // overlapping, stride 2
  [[2, 1, 6, 6], { poolHeight: 1, poolWidth: 1, stride: 1 }], // identity
  // PyTorch's sizes: floored (the last row and column get zero gradient) and ceil_mode
  [[2, 2, 5, 5], { poolHeight: 2, poolWidth: 2, stride: 2 }],
  [[2, 2, 5, 5], { poolHeight: 2, poolWidth: 2, stride: 2, ceilMode: true }],
  [[1, 2, 7, 7], { poolHeight: 3, poolWidth: 3, stride: 3, ceilMode: true }],
  [[1, 3, 7, 6], { poolHeight: 3, poolWidth: 2, stride: 2, ceilMode: true }],
];

/**
 * The smallest gap between the largest and second-largest value of any window, the clipped
 * windows of `ceilMode` included (tasks/_gradcheck_bounds.ts's `minWindowGap` covers the
 * windows inside the input): a window of one element has no second value.
 */
function minClippedGap(t: Tensor, p: PoolParam): number {
  const [N, C, H, W] = t.shape;
  const d = poolDims("gap", t.shape, p.poolHeight, p.poolWidth, p.stride, p.ceilMode ?? false);
  let gap = Infinity;
  for (let nc = 0; nc < N * C; nc++) {
    for (let i = 0; i < d.HO; i++) {
      for (let j = 0; j < d.WO; j++) {
        const values: number[] = [];
        for (let h = i * p.stride; h < Math.min(i * p.stride + p.poolHeight, H); h++) {
          for (let w = j * p.stride; w < Math.min(j * p.stride + p.poolWidth, W); w++) {
            values.push(t.data[(nc * H + h) * W + w]);
          }
        }
        values.sort((a, b) => b - a);
        if (values.length > 1) gap = Math.min(gap, values[0] - values[1]);
      }
    }
  }
  return gap;
}

Deno.test("maxPoolBackwardNaive()", async (t) => {
  for (const [i, [xShape, param]] of GRAD_CASES.entries()) {
    const name = `x=(${xShape}) ${param.poolHeight}×${param.poolWidth} s=${param.stride}${
      param.ceilMode ? " ceil" : ""
    }`;
    await t.step(`${name}: dx matches numerical gradients`, () => {
      const rng = new Rng(200 + i);
      const x = drawAwayFromKinks(
        () => Tensor.randn(xShape, rng),
        (x) => Math.min(minWindowGap(x, param), minClippedGap(x, param)),
      );
      const layer = {
        forward: () => maxPoolForwardNaive(x, param),
        backward: maxPoolBackwardNaive,
      };
      const { x: error } = gradientErrors(layer, { x }, { rng, h: H_LINEAR });
      assertAtMost(error, BOUNDS.pool, "dx rel error");
    });
  }

  await t.step("a tied window sends the gradient to its first maximum only", () => {
    const x = plane([1, 7, 7, 7], 2, 2);
    const { cache } = maxPoolForwardNaive(x, { poolHeight: 2, poolWidth: 2, stride: 2 });
    const dx = maxPoolBackwardNaive(plane([3], 1, 1), cache);
    assertEquals([...dx.data], [0, 3, 0, 0]);
  });

  await t.step(
    "an element that wins several overlapping windows collects all their gradients",
    () => {
      const x = plane([1, 2, 3, 4, 9, 5, 6, 7, 8], 3, 3);
      const { cache } = maxPoolForwardNaive(x, { poolHeight: 2, poolWidth: 2, stride: 1 });
      const dx = maxPoolBackwardNaive(plane([1, 10, 100, 1000], 2, 2), cache);
      assertEquals([...dx.data], [0, 0, 0, 0, 1111, 0, 0, 0, 0]);
    },
  );

  await t.step("all-negative windows still pass their gradients", () => {
    const x = plane([-4, -3, -2, -1], 2, 2);
    const { cache } = maxPoolForwardNaive(x, { poolHeight: 2, poolWidth: 2, stride: 2 });
    const dx = maxPoolBackwardNaive(plane([2], 1, 1), cache);
    assertEquals([...dx.data], [0, 0, 0, 2]);
  });

  await t.step("dout of the wrong shape or dtype throws", () => {
    const { cache } = maxPoolForwardNaive(Tensor.zeros([1, 1, 4, 4]), {
      poolHeight: 2,
      poolWidth: 2,
      stride: 2,
    });
    assertThrows(
      () => maxPoolBackwardNaive(Tensor.zeros([1, 1, 4, 4]), cache),
      TypeError,
      "dout must have shape (1, 1, 2, 2), got (1, 1, 4, 4)",
    );
    assertThrows(
      () => maxPoolBackwardNaive(Tensor.zeros([1, 1, 2, 2], "float32"), cache),
      TypeError,
      "x is float64 but dout is float32",
    );
  });
});
