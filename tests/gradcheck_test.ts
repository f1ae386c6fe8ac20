// Tests of numerical gradient checking (evalNumericalGradient, evalNumericalGradientArray,
// relError, gradientErrors) and of `deno task gradcheck`.
import {
  affineBackward,
  affineForward,
  evalNumericalGradient,
  evalNumericalGradientArray,
  gradientErrors,
  relError,
  Rng,
  Tensor,
} from "../mod.ts";
import { CASES, formatTable, gradcheckTable, rowPasses } from "../tasks/gradcheck.ts";
import { drawAwayFromKinks, MARGIN, minAbs, minWindowGap } from "../tasks/_gradcheck_bounds.ts";
import {
  assertAlmostEquals,
  assertAtMost,
  assertEquals,
  assertThrows,
  assertTrue,
} from "./_assert.ts";

/** Centred differences with h = 1e-5 on a smooth function: truncation ~h², rounding ~1e-11. */
const TOL_NUMERICAL = 1e-8;

Deno.test("evalNumericalGradient()", async (t) => {
  await t.step("f = Σ sin(x)·x² has gradient cos(x)·x² + 2x·sin(x)", () => {
    const x = Tensor.linspace(-2, 3, [2, 5]);
    const f = (t: Tensor) => {
      let sum = 0;
      for (const v of t.data) sum += Math.sin(v) * v * v;
      return sum;
    };
    const grad = evalNumericalGradient(f, x);
    assertEquals(grad.shape, [2, 5]);
    x.data.forEach((v, i) => {
      const exact = Math.cos(v) * v * v + 2 * v * Math.sin(v);
      assertAlmostEquals(grad.data[i], exact, TOL_NUMERICAL);
    });
  });

  await t.step("restores x exactly and calls f twice per element", () => {
    const x = Tensor.linspace(0.1, 0.7, [7]);
    const before = x.data.slice();
    let calls = 0;
    evalNumericalGradient((t) => {
      calls++;
      return t.data[0] * t.data[6];
    }, x);
    assertEquals(x.data, before);
    assertEquals(calls, 14);
  });

  await t.step("a linear function is exact for any step", () => {
    const x = new Tensor(new Float64Array([1, 2]), [2]);
    const grad = evalNumericalGradient((t) => 3 * t.data[0] - 0.5 * t.data[1], x, 0.25);
    assertEquals([...grad.data], [3, -0.5]);
  });

  await t.step("a non-positive step throws", () => {
    assertThrows(
      () => evalNumericalGradient(() => 0, Tensor.zeros([1]), 0),
      RangeError,
      "Cannot run evalNumericalGradient: the step h must be a positive finite number, got 0",
    );
  });
});

Deno.test("evalNumericalGradientArray()", async (t) => {
  await t.step("f = x² element-wise gives 2x·dout", () => {
    const x = Tensor.linspace(-1, 1, [3, 2]);
    const dout = Tensor.linspace(2, 7, [3, 2]);
    const square = (t: Tensor) => new Tensor(t.data.map((v) => v * v), t.shape);
    const grad = evalNumericalGradientArray(square, x, dout);
    x.data.forEach((v, i) => assertAlmostEquals(grad.data[i], 2 * v * dout.data[i], TOL_NUMERICAL));
  });

  await t.step("sums over every output: f = (Σx, Σx²) with dout (1, 10)", () => {
    const x = new Tensor(new Float64Array([1, -2, 0.5]), [3]);
    const f = (t: Tensor) => {
      let s = 0, q = 0;
      for (const v of t.data) [s, q] = [s + v, q + v * v];
      return new Tensor(new Float64Array([s, q]), [2]);
    };
    const grad = evalNumericalGradientArray(f, x, new Tensor(new Float64Array([1, 10]), [2]));
    [21, -39, 11].forEach((g, i) => assertAlmostEquals(grad.data[i], g, TOL_NUMERICAL));
  });

  await t.step("a dout that does not match f's output throws", () => {
    assertThrows(
      () => evalNumericalGradientArray((t) => t, Tensor.zeros([3]), Tensor.zeros([2])),
      TypeError,
      "f returned 3 elements (shape [3]) but dout has 2 (shape [2])",
    );
  });
});

Deno.test("relError()", async (t) => {
  await t.step("equal inputs give 0, both-zero elements count as 0", () => {
    assertEquals(relError([1, 0, -3], [1, 0, -3]), 0);
  });

  await t.step("the element-wise maximum of |a − b| / (|a| + |b|)", () => {
    assertEquals(relError([1, 10, 2], [3, 10, 2]), 0.5);
    assertAlmostEquals(relError([100, 1], [101, 1.001]), 1 / 201, 1e-15);
  });

  await t.step("the denominator is floored at 1e-8", () => {
    assertAlmostEquals(relError([1e-9], [0]), 0.1, 1e-15);
  });

  await t.step("tensors, and a NaN anywhere, which is never within a bound", () => {
    const a = new Tensor(new Float64Array([1, 2]), [2]);
    assertEquals(relError(a, a.clone()), 0);
    assertTrue(Number.isNaN(relError([1, NaN, 3], [1, 2, 3])));
  });

  await t.step("different shapes or lengths throw", () => {
    assertThrows(
      () => relError(Tensor.zeros([2, 3]), Tensor.zeros([3, 2])),
      TypeError,
      "shapes [2, 3] and [3, 2] differ",
    );
    assertThrows(() => relError([1, 2], [1]), TypeError, "lengths 2 and 1 differ");
  });
});

Deno.test("gradientErrors()", async (t) => {
  const rng = new Rng(700);
  const x = Tensor.randn([4, 3], rng), w = Tensor.randn([3, 2], rng), b = Tensor.randn([2], rng);
  const forward = () => affineForward(x, w, b);

  await t.step("a correct backward passes", () => {
    const errors = gradientErrors({ forward, backward: affineBackward }, { x, w, b }, { rng });
    for (const key of ["x", "w", "b"]) assertAtMost(errors[key], 1e-7, `d${key} rel error`);
  });

  await t.step("a backward 1% off is caught", () => {
    const wrong = (dout: Tensor, cache: Parameters<typeof affineBackward>[1]) => {
      const grads = affineBackward(dout, cache);
      grads.dw.data.forEach((v, i) => grads.dw.data[i] = v * 1.01);
      return grads;
    };
    const errors = gradientErrors({ forward, backward: wrong }, { x, w, b }, { rng });
    assertAlmostEquals(errors.w, 0.01 / 2.01, 1e-6);
    assertAtMost(errors.x, 1e-7, "dx rel error");
  });

  await t.step("a gradient without an input, or no dout, throws", () => {
    assertThrows(
      () => gradientErrors({ forward, backward: affineBackward }, { x, w }, { rng }),
      TypeError,
      'the backward returned db but inputs has no "b" (it has x, w)',
    );
    assertThrows(
      () => gradientErrors({ forward, backward: affineBackward }, { x, w, b }, {}),
      TypeError,
      "pass options.dout or options.rng",
    );
  });
});

Deno.test("the kink and tie margins of the gradient checks", async (t) => {
  const x = new Tensor(new Float64Array([1, 5, 2, -0.5, 4.5, 3, 0, 7, 6.9]), [1, 1, 3, 3]);

  await t.step("minAbs() is the closest approach to 0", () => {
    assertEquals(minAbs(x), 0);
    assertEquals(minAbs(new Tensor(new Float64Array([-3, 0.25, 2]), [3])), 0.25);
  });

  await t.step("minWindowGap() is the smallest top-two gap over all windows", () => {
    // 2×2 windows, stride 1: {1,5,-0.5,4.5} gap 0.5, {5,2,4.5,3} 0.5, {-0.5,4.5,0,7} 2.5,
    // {4.5,3,7,6.9} 0.1
    assertAlmostEquals(minWindowGap(x, { poolHeight: 2, poolWidth: 2, stride: 1 }), 0.1, 1e-12);
    // 1×3 rows, stride 1: gaps 3, 1.5, 0.1
    assertAlmostEquals(minWindowGap(x, { poolHeight: 1, poolWidth: 3, stride: 1 }), 0.1, 1e-12);
    assertEquals(minWindowGap(x, { poolHeight: 1, poolWidth: 1, stride: 1 }), Infinity);
  });

  await t.step("drawAwayFromKinks() redraws until the margin holds, or gives up", () => {
    let draws = 0;
    const value = drawAwayFromKinks(() => ++draws, (n) => n >= 3 ? MARGIN : 0);
    assertEquals([value, draws], [3, 3]);
    assertThrows(() => drawAwayFromKinks(() => 0, () => 0), RangeError, "in 10000 tries");
  });
});

Deno.test("deno task gradcheck", async (t) => {
  await t.step("every case of seed 0 is within its bound", () => {
    const rows = gradcheckTable(0);
    assertEquals(rows.length, CASES.length);
    for (const row of rows) {
      assertTrue(rowPasses(row), `${row.layer} ${row.case}: ${JSON.stringify(row.errors)}`);
    }
    const table = formatTable(rows);
    assertTrue(table.startsWith("layer"), "the table has a header");
    assertEquals(table.split("\n").length, rows.length + 1);
  });

  await t.step("a row over its bound, or with NaN, fails", () => {
    const row = { layer: "l", case: "c", errors: { x: 1e-12, w: 2e-7 }, bound: 1e-7, h: 1e-3 };
    assertEquals(rowPasses(row), false);
    assertEquals(rowPasses({ ...row, errors: { x: NaN } }), false);
    assertTrue(formatTable([row]).includes("FAIL"), "the table marks the failure");
  });

  const run = async (...args: string[]) => {
    const command = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        // the same permissions as the deno.json task: read the WASM kernels, nothing else
        `--allow-read=${new URL("../kernels/wasm", import.meta.url).pathname}`,
        new URL("../tasks/gradcheck.ts", import.meta.url).pathname,
        ...args,
      ],
      stdout: "piped",
      stderr: "piped",
    });
    const { code, stdout, stderr } = await command.output();
    const decode = (b: Uint8Array) => new TextDecoder().decode(b);
    return { code, out: decode(stdout), err: decode(stderr) };
  };

  await t.step("--seed 3 prints its configuration and the table, and exits 0", async () => {
    const { code, out } = await run("--seed", "3");
    assertEquals(code, 0);
    assertTrue(out.startsWith("gradcheck: seed=3 dtype=float64"), out.slice(0, 80));
    assertTrue(out.includes("conv-relu-pool") && out.includes("all within bounds"), out);
  });

  await t.step("--help and a bad --seed", async () => {
    const help = await run("--help");
    assertEquals(help.code, 0);
    assertTrue(help.out.includes("Usage: deno task gradcheck"), help.out);
    const bad = await run("--seed", "x");
    assertEquals(bad.code, 2);
    assertTrue(bad.err.includes('--seed must be an integer, got "x"'), bad.err);
  });
});
