// Resident arrays (wasmArray): the kernels read and write them in place and give the same bits
// as with plain arrays; overlapping arguments still behave as copies; blocks are reused, survive
// the arena moving and the memory growing, and bad frees and oversized requests fail clearly.
import { withThreads } from "./_threads.ts";
import { assertEquals, assertThrows, assertTrue } from "./_assert.ts";
import { convDims, poolDims } from "../core/dims.ts";
import {
  conv2dBackward,
  freeWasmArray,
  getThreads,
  wasmArray,
  wasmKernels,
} from "../kernels/wasm/mod.ts";
import { layout } from "../kernels/wasm/_arena.ts";
import { Rng } from "../core/random.ts";

function random(n: number, seed: number): Float32Array {
  const rng = new Rng(seed), a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = 2 * rng.uniform() - 1;
  return a;
}

function resident(a: Float32Array): Float32Array {
  const r = wasmArray(a.length);
  r.set(a);
  return r;
}

Deno.test("wasmArray gives zeroed float32 arrays and reuses freed blocks", () => {
  const a = wasmArray(1000);
  assertTrue(a instanceof Float32Array && a.length === 1000);
  assertTrue(a.every((v) => v === 0), "a fresh array is zero");
  a.fill(7);
  const at = a.byteOffset;
  freeWasmArray(a);
  const b = wasmArray(500); // fits in the freed block
  assertEquals(b.byteOffset, at);
  assertTrue(b.every((v) => v === 0), "a reused block is zeroed again");
  freeWasmArray(b);
  assertEquals(wasmArray(0).length, 0);
});

Deno.test("conv, pool, relu and gemm on resident arrays give the bits of plain arrays", async (t) => {
  for (const threads of [1, Math.max(2, getThreads())]) {
    await t.step(`conv2d W1 shape, ${threads} thread(s)`, () => {
      const d = convDims("test", [6, 3, 31, 31], [25, 3, 3, 3], 2, 1);
      const nx = 6 * 3 * 31 * 31, nw = 25 * 27, no = 6 * 25 * 16 * 16;
      const plain = {
        x: random(nx, 1),
        w: random(nw, 2),
        b: random(25, 3),
        out: new Float32Array(no),
        dout: random(no, 4),
        dx: random(nx, 5),
        dw: random(nw, 6),
        db: random(25, 7),
      };
      const res = {
        x: resident(plain.x),
        w: resident(plain.w),
        b: resident(plain.b),
        out: wasmArray(no),
        dout: resident(plain.dout),
        dx: resident(plain.dx),
        dw: resident(plain.dw),
        db: resident(plain.db),
      };
      withThreads(threads, () => {
        for (const a of [plain, res]) {
          wasmKernels.conv2dForward(a.out, a.x, a.w, a.b, d);
          conv2dBackward(a.dx, a.dw, a.db, a.dout, a.x, a.w, d);
        }
      });
      for (const k of ["out", "dx", "dw", "db"] as const) {
        assertEquals(res[k], plain[k], `${k} differs`);
        assertTrue(res[k].some((v) => v !== 0), `${k} was written`);
      }
      for (const a of Object.values(res)) freeWasmArray(a);
    });
  }
  await t.step("maxPool2d and ReLU forward and backward", () => {
    const d = poolDims("test", [4, 3, 32, 32], 2, 2, 2);
    const nx = 4 * 3 * 32 * 32, no = nx / 4;
    const x = random(nx, 8), dout = random(no, 9);
    const rx = resident(x), rdout = resident(dout);
    const out = new Float32Array(no), rout = wasmArray(no);
    const arg = new Int32Array(no), rarg = new Int32Array(no);
    wasmKernels.maxPool2dForward(out, arg, x, d);
    wasmKernels.maxPool2dForward(rout, rarg, rx, d);
    assertEquals(rout, out);
    assertEquals(rarg, arg);
    const dx = random(nx, 10), rdx = resident(dx);
    wasmKernels.maxPool2dBackward(dx, dout, arg, d);
    wasmKernels.maxPool2dBackward(rdx, rdout, rarg, d);
    assertEquals(rdx, dx);
    const relu = new Float32Array(nx), rrelu = wasmArray(nx);
    wasmKernels.reluForward(relu, x, nx);
    wasmKernels.reluForward(rrelu, rx, nx);
    assertEquals(rrelu, relu);
    for (const a of [rx, rdout, rout, rdx, rrelu]) freeWasmArray(a);
  });
  await t.step("softmax cross-entropy", () => {
    const x = random(64 * 10, 23), y = Array.from({ length: 64 }, (_, i) => i % 10);
    const dx = new Float32Array(x.length), rdx = wasmArray(x.length), rx = resident(x);
    const loss = wasmKernels.softmaxCrossEntropy(dx, x, y, 64, 10);
    assertEquals(wasmKernels.softmaxCrossEntropy(rdx, rx, y, 64, 10), loss);
    assertEquals(rdx, dx);
    freeWasmArray(rdx);
    freeWasmArray(rx);
  });
  await t.step("gemm, overwriting and accumulating", () => {
    const a = random(6 * 5, 11), b = random(5 * 7, 12), c0 = random(6 * 7, 13);
    for (const accumulate of [false, true]) {
      const c = c0.slice(), rc = resident(c0), ra = resident(a), rb = resident(b);
      wasmKernels.gemm(c, a, b, 6, 7, 5, false, false, accumulate);
      wasmKernels.gemm(rc, ra, rb, 6, 7, 5, false, false, accumulate);
      assertEquals(rc, c);
      for (const r of [rc, ra, rb]) freeWasmArray(r);
    }
  });
});

Deno.test("a resident argument takes no arena bytes; the later of two overlapping ones is copied", () => {
  const a = wasmArray(1000), b = wasmArray(1000), plain = new Float32Array(1000);
  const base = layout("test", []).top; // where the arena starts
  const { offsets, top } = layout("test", [
    { name: "a", bytes: 4000, array: a },
    { name: "plain", bytes: 4000, array: plain },
    { name: "b", bytes: 4000, array: b },
    { name: "a again", bytes: 4000, array: a.subarray(10) }, // overlaps a: copied
  ]);
  assertEquals(offsets[0], a.byteOffset);
  assertEquals(offsets[2], b.byteOffset);
  assertEquals(offsets[1], base);
  assertTrue(offsets[3] > offsets[1], "the overlapping view gets arena space");
  assertEquals(
    top - base,
    2 * 4096,
    "only the plain array and the overlapping view take arena bytes",
  );
  // a resident array shorter than its region is not used in place
  assertEquals(layout("test", [{ name: "short", bytes: 8000, array: a }]).offsets[0], base);
  freeWasmArray(a);
  freeWasmArray(b);
});

Deno.test("overlapping resident arguments behave as copies", () => {
  // ReLU in place
  const x = random(4096, 14), rx = resident(x);
  wasmKernels.reluForward(rx, rx, x.length);
  assertEquals(rx, x.map((v) => Math.max(0, v)));
  freeWasmArray(rx);
  // a conv whose output overlaps its input, inside one resident block
  const d = convDims("test", [2, 3, 15, 15], [5, 3, 3, 3], 2, 1);
  const nx = 2 * 3 * 15 * 15, no = 2 * 5 * 8 * 8;
  const x2 = random(nx, 15), w = random(5 * 27, 16), b = random(5, 17);
  const want = new Float32Array(no);
  wasmKernels.conv2dForward(want, x2, w, b, d);
  const block = wasmArray(nx + no);
  block.set(x2);
  const inBlock = block.subarray(0, nx), out = block.subarray(nx - 100, nx - 100 + no);
  wasmKernels.conv2dForward(out, inBlock, w, b, d);
  assertEquals(out, want);
  freeWasmArray(block);
});

Deno.test("resident arrays keep their values while the arena moves and the memory grows", () => {
  const keep = resident(random(10_000, 18));
  const copy = keep.slice();
  // a large request grows the memory and carves its arena above every resident block
  const d = convDims("test", [64, 16, 32, 32], [16, 16, 3, 3], 1, 1);
  const big = random(64 * 16 * 32 * 32, 19), out = new Float32Array(64 * 16 * 32 * 32);
  wasmKernels.conv2dForward(out, big, random(16 * 144, 20), random(16, 21), d);
  // a new block moves the arena up; kernels keep working on plain and resident arrays
  const more = resident(random(50_000, 22));
  const r = wasmArray(more.length);
  wasmKernels.reluForward(r, more, more.length);
  assertEquals(r, more.map((v) => Math.max(0, v)));
  assertEquals(keep, copy);
  for (const a of [keep, more, r]) freeWasmArray(a);
});

Deno.test("freeWasmArray and wasmArray reject bad requests clearly", () => {
  assertThrows(() => freeWasmArray(new Float32Array(4)), TypeError, "wasmArray returned");
  const a = wasmArray(16);
  freeWasmArray(a);
  assertThrows(() => freeWasmArray(a), TypeError, "not freed yet");
  const b = wasmArray(64);
  assertThrows(() => freeWasmArray(b.subarray(1)), TypeError, "wasmArray returned");
  freeWasmArray(b);
  assertThrows(() => wasmArray(-1), RangeError, "non-negative integer");
  assertThrows(() => wasmArray(1.5), RangeError, "non-negative integer");
  assertThrows(() => wasmArray(2 ** 30), RangeError, "the limit is");
  // still usable
  const c = wasmArray(8), out = wasmArray(8);
  c.set([-1, 1, -2, 2, -3, 3, -4, 4]);
  wasmKernels.reluForward(out, c, 8);
  assertEquals([...out], [0, 1, 0, 2, 0, 3, 0, 4]);
  freeWasmArray(c);
  freeWasmArray(out);
});
