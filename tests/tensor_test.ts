import { assertEquals, assertThrows } from "./_assert.ts";
import { Rng, Tensor } from "../mod.ts";

Deno.test("Tensor", async (t) => {
  await t.step("holds data and shape, float64 and float32", () => {
    const a = new Tensor(new Float64Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    assertEquals(a.dtype, "float64");
    assertEquals(a.rank, 2);
    assertEquals(a.get(1, 0), 4);
    a.set(9, 0, 2);
    assertEquals(a.data[2], 9);
    const b = Tensor.zeros([4], "float32");
    assertEquals(b.dtype, "float32");
    assertEquals([...b.data], [0, 0, 0, 0]);
  });
  await t.step("rejects data whose length does not match the shape", () => {
    assertThrows(
      () => new Tensor(new Float64Array(5), [2, 3]),
      TypeError,
      "it needs 6 elements but data has 5",
    );
    assertThrows(() => new Tensor(new Float64Array(2), [2, -1]), TypeError);
    assertThrows(() => new Tensor(new Float64Array(0), [1.5]), TypeError);
  });
  await t.step("linspace matches NumPy's endpoints and spacing", () => {
    const l = Tensor.linspace(-0.1, 0.5, [2, 2]);
    assertEquals(l.shape, [2, 2]);
    assertEquals(l.data[0], -0.1);
    assertEquals(l.data[3], 0.5);
    assertEquals(Math.abs(l.data[1] - 0.1) < 1e-15, true);
  });
  await t.step("reshape shares data; clone and astype copy", () => {
    const a = Tensor.linspace(0, 5, [6]);
    const r = a.reshape([3, 2]);
    r.data[0] = 42;
    assertEquals(a.data[0], 42);
    const c = a.clone();
    c.data[0] = 0;
    assertEquals(a.data[0], 42);
    const f = a.astype("float32");
    assertEquals(f.dtype, "float32");
    assertEquals(f.data[5], 5);
    assertThrows(() => a.reshape([4, 2]), TypeError, "6 elements");
  });
  await t.step("get rejects out-of-range indices", () => {
    const a = Tensor.zeros([2, 2]);
    assertThrows(() => a.get(2, 0), RangeError);
    assertThrows(() => a.get(0), TypeError);
  });
});

Deno.test("Rng", async (t) => {
  await t.step("same seed gives the same stream, other seeds differ", () => {
    const a = new Rng(7), b = new Rng(7), c = new Rng(8);
    const sa = Array.from({ length: 5 }, () => a.nextUint32());
    const sb = Array.from({ length: 5 }, () => b.nextUint32());
    const sc = Array.from({ length: 5 }, () => c.nextUint32());
    assertEquals(sa, sb);
    assertEquals(sa.every((v, i) => v === sc[i]), false);
  });
  await t.step("uniform lies in [0, 1) with mean near 1/2", () => {
    const rng = new Rng(1);
    let sum = 0;
    for (let i = 0; i < 100_000; i++) {
      const u = rng.uniform();
      if (u < 0 || u >= 1) throw new Error(`uniform out of range: ${u}`);
      sum += u;
    }
    assertEquals(Math.abs(sum / 100_000 - 0.5) < 0.01, true);
  });
  await t.step("normal has mean 0 and variance 1", () => {
    const x = Tensor.randn([200_000], new Rng(3));
    let mean = 0, sq = 0;
    for (const v of x.data) mean += v;
    mean /= x.size;
    for (const v of x.data) sq += (v - mean) ** 2;
    assertEquals(Math.abs(mean) < 0.01, true);
    assertEquals(Math.abs(sq / x.size - 1) < 0.02, true);
  });
  await t.step("int is unbiased over a small range and permutation is a permutation", () => {
    const rng = new Rng(5);
    const counts = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) counts[rng.int(3)]++;
    for (const c of counts) assertEquals(Math.abs(c - 10_000) < 400, true);
    const p = rng.permutation(100);
    assertEquals([...p].sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i));
    assertThrows(() => rng.int(0), RangeError);
  });
});
