// The fast functional layers: same results as the reference layers, the same shape errors,
// and a clear error (with the backend still usable) when a request exceeds WASM memory.
import { assertAllClose, assertEquals, assertThrows, assertTrue } from "./_assert.ts";
import { convBackward, convForward, maxPoolBackward, maxPoolForward, Rng, Tensor } from "../mod.ts";
import { convDims, poolDims } from "../core/dims.ts";
import * as ref from "../kernels/ref/mod.ts";

const TOL_F32 = 1e-4;

Deno.test("convForward() and convBackward()", async (t) => {
  for (const dtype of ["float64", "float32"] as const) {
    await t.step(`x=(2,3,9,9) w=(4,3,3,3) s=2 p=1, ${dtype} inputs`, () => {
      const rng = new Rng(1);
      const x = Tensor.randn([2, 3, 9, 9], rng, { dtype });
      const w = Tensor.randn([4, 3, 3, 3], rng, { dtype });
      const b = Tensor.randn([4], rng, { dtype });
      const param = { stride: 2, pad: 1 };
      const { out, cache } = convForward(x, w, b, param);
      assertEquals(out.dtype, "float32");
      assertEquals(out.shape, [2, 4, 5, 5]);
      assertTrue(cache.x === x && cache.w === w && cache.b === b, "cache keeps the inputs");
      assertEquals(cache.param, param);
      const d = convDims("test", x.shape, w.shape, 2, 1);
      assertEquals(cache.dims, d);
      const want = new Float64Array(out.size);
      ref.conv2dForward(want, x.data, w.data, b.data, d);
      assertAllClose(out.data, want, TOL_F32, "out");
      const dout = Tensor.randn(out.shape, rng);
      const { dx, dw, db } = convBackward(dout, cache);
      const wantDx = new Float64Array(x.size), wantDw = new Float64Array(w.size);
      const wantDb = new Float64Array(4);
      ref.conv2dBackwardData(wantDx, dout.data, w.data, d);
      ref.conv2dBackwardFilter(wantDw, wantDb, dout.data, x.data, d);
      assertEquals([dx.shape, dw.shape, db.shape], [x.shape, w.shape, [4]]);
      assertAllClose(dx.data, wantDx, TOL_F32, "dx");
      assertAllClose(dw.data, wantDw, TOL_F32, "dw");
      assertAllClose(db.data, wantDb, TOL_F32, "db");
    });
  }
  await t.step("bad shapes fail with the reference checks' messages", () => {
    const x = Tensor.zeros([1, 3, 8, 8], "float32"), b = Tensor.zeros([2], "float32");
    assertThrows(
      () => convForward(x, Tensor.zeros([2, 4, 3, 3]), b, { stride: 1, pad: 1 }),
      RangeError,
      "input has 3 channels but the weights expect 4",
    );
    assertThrows(
      () =>
        convForward(Tensor.zeros([3, 8, 8]), Tensor.zeros([2, 3, 3, 3]), b, { stride: 1, pad: 1 }),
      TypeError,
      "x must have rank 4",
    );
    // a remainder is floored, as PyTorch: (8 − 3) / 2 → 3 rows
    const floored = convForward(x, Tensor.zeros([2, 3, 3, 3]), b, { stride: 2, pad: 0 });
    assertEquals(floored.out.shape, [1, 2, 3, 3]);
    assertThrows(
      () => convForward(x, Tensor.zeros([2, 3, 3, 3]), Tensor.zeros([3]), { stride: 1, pad: 1 }),
      TypeError,
      "b has shape (3) but (2) is expected",
    );
    const { cache } = convForward(x, Tensor.zeros([2, 3, 3, 3]), b, { stride: 1, pad: 1 });
    assertThrows(
      () => convBackward(Tensor.zeros([1, 2, 7, 8]), cache),
      TypeError,
      "dout has shape (1, 2, 7, 8) but (1, 2, 8, 8) is expected",
    );
  });
  await t.step("a request beyond the memory limit names the sizes; the backend still works", () => {
    const x = Tensor.zeros([1, 1, 100, 100], "float32");
    const w = Tensor.zeros([200_000, 1, 1, 1], "float32");
    const b = Tensor.zeros([200_000], "float32");
    assertThrows(
      () => convForward(x, w, b, { stride: 1, pad: 0 }),
      RangeError,
      "out (1, 200000, 100, 100) 7629.4 MiB",
    );
    const small = convForward(
      Tensor.full([1, 1, 2, 2], 1, "float32"),
      Tensor.full([1, 1, 2, 2], 2, "float32"),
      Tensor.zeros([1], "float32"),
      { stride: 1, pad: 0 },
    );
    assertEquals([...small.out.data], [8]);
  });
});

Deno.test("maxPoolForward() and maxPoolBackward()", async (t) => {
  await t.step("x=(2,3,8,8) 2×2 s=2 against the reference", () => {
    const x = Tensor.randn([2, 3, 8, 8], new Rng(3));
    const param = { poolHeight: 2, poolWidth: 2, stride: 2 };
    const { out, cache } = maxPoolForward(x, param);
    const d = poolDims("test", x.shape, 2, 2, 2);
    const want = new Float64Array(out.size), argmax = new Int32Array(out.size);
    ref.maxPool2dForward(want, argmax, x.data, d);
    assertAllClose(out.data, want, TOL_F32, "out");
    assertEquals(cache.argmax, argmax);
    const dout = Tensor.randn(out.shape, new Rng(4));
    const dx = maxPoolBackward(dout, cache);
    const wantDx = new Float64Array(x.size);
    ref.maxPool2dBackward(wantDx, dout.data, argmax, d);
    assertAllClose(dx.data, wantDx, TOL_F32, "dx");
  });
  await t.step("an all-negative window picks its maximum, not a sentinel", () => {
    const x = new Tensor(new Float32Array([-5, -3, -4, -9]), [1, 1, 2, 2]);
    const { out, cache } = maxPoolForward(x, { poolHeight: 2, poolWidth: 2, stride: 2 });
    assertEquals([...out.data], [-3]);
    assertEquals([...cache.argmax], [1]);
  });
  await t.step("bad shapes fail with the reference checks' messages", () => {
    assertThrows(
      () => maxPoolForward(Tensor.zeros([1, 1, 3, 3]), { poolHeight: 4, poolWidth: 2, stride: 1 }),
      RangeError,
      "window is larger than",
    );
    const { cache } = maxPoolForward(Tensor.zeros([1, 1, 4, 4]), {
      poolHeight: 2,
      poolWidth: 2,
      stride: 2,
    });
    assertThrows(
      () => maxPoolBackward(Tensor.zeros([1, 1, 3, 2]), cache),
      TypeError,
      "dout has shape",
    );
  });
});
