// The WASM conv and max-pool kernels against the float64 reference on the case table of
// tests/_wasm_cases.ts, with one thread and with all threads (which must agree bit for bit).
import { withThreads } from "./_threads.ts";
import { assertAllClose, assertEquals, assertThrows } from "./_assert.ts";
import { CONV_CASES, type Fill, POOL_CASES } from "./_wasm_cases.ts";
import { convDims, poolDims } from "../core/dims.ts";
import * as ref from "../kernels/ref/mod.ts";
import {
  conv2dBackward,
  freeWasmArray,
  getThreads,
  maxPool2dBackward,
  wasmArray,
  wasmBuild,
  wasmKernels,
} from "../kernels/wasm/mod.ts";
import { Rng } from "../core/random.ts";

/** Normalised max error allowed between float32 WASM and the float64 reference. */
const TOL_F32 = 1e-4;
const THREADS = Math.max(2, getThreads());

function randArray(n: number, rng: Rng, fill: Fill = "random"): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = rng.uniform();
    // float32-representable, so the reference and the kernels see the same values
    a[i] = Math.fround(
      fill === "ties" ? Math.floor(u * 3) : fill === "negative" ? -1 - u : 2 * u - 1,
    );
  }
  return a;
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

Deno.test("wasm conv2d kernels match the reference", async (t) => {
  for (const [xs, ws, stride, pad] of CONV_CASES) {
    await t.step(`x=(${xs}) w=(${ws}) s=${stride} p=${pad}`, () => {
      const d = convDims("test", xs, ws, stride, pad);
      const rng = new Rng(size(xs) + size(ws));
      const x = randArray(size(xs), rng), w = randArray(size(ws), rng);
      const b = randArray(d.F, rng), dout = randArray(d.N * d.F * d.HO * d.WO, rng);
      const dx0 = randArray(size(xs), rng), dw0 = randArray(size(ws), rng);
      const db0 = randArray(d.F, rng);
      const want = {
        out: new Float64Array(dout.length),
        dx: dx0.slice(),
        dw: dw0.slice(),
        db: db0.slice(),
      };
      ref.conv2dForward(want.out, x, w, b, d);
      ref.conv2dBackwardData(want.dx, dout, w, d);
      ref.conv2dBackwardFilter(want.dw, want.db, dout, x, d);
      // overwrite: dx = ∂L/∂x, the old values (NaN here) never read
      const wantSet = new Float64Array(size(xs)).fill(NaN);
      ref.conv2dBackwardData(wantSet, dout, w, d, true);
      const run = (threads: number) =>
        withThreads(threads, () => {
          const got = {
            out: new Float32Array(dout.length),
            dx: Float32Array.from(dx0),
            dw: Float32Array.from(dw0),
            db: Float32Array.from(db0),
            dx2: Float32Array.from(dx0),
            dw2: Float32Array.from(dw0),
            db2: Float32Array.from(db0),
          };
          wasmKernels.conv2dForward(got.out, x, w, b, d);
          wasmKernels.conv2dBackwardData(got.dx, dout, w, d);
          wasmKernels.conv2dBackwardFilter(got.dw, got.db, dout, x, d);
          conv2dBackward(got.dx2, got.dw2, got.db2, dout, x, w, d);
          // dx set by the kernel (plain and resident, old values NaN) vs added into zeros
          const dxAdded = new Float32Array(size(xs));
          wasmKernels.conv2dBackwardData(dxAdded, dout, w, d);
          const dxSet = new Float32Array(size(xs)).fill(NaN);
          wasmKernels.conv2dBackwardData(dxSet, dout, w, d, true);
          const resident = wasmArray(size(xs)).fill(NaN);
          wasmKernels.conv2dBackwardData(resident, dout, w, d, true);
          const dxSetResident = resident.slice();
          freeWasmArray(resident);
          const all3 = [size(xs), size(ws), d.F].map((n) => new Float32Array(n).fill(NaN));
          conv2dBackward(all3[0], all3[1], all3[2], dout, x, w, d, true);
          return { ...got, dxAdded, dxSet, dxSetResident, all3 };
        });
      const one = run(1), all = run(THREADS);
      assertAllClose(one.out, want.out, TOL_F32, "out");
      assertAllClose(one.dx, want.dx, TOL_F32, "dx");
      assertAllClose(one.dw, want.dw, TOL_F32, "dw");
      assertAllClose(one.db, want.db, TOL_F32, "db");
      assertEquals(one.dx2, one.dx, "combined backward dx");
      assertEquals(one.dw2, one.dw, "combined backward dw");
      assertEquals(one.db2, one.db, "combined backward db");
      assertAllClose(wantSet, want.dx.map((v, i) => v - dx0[i]), 1e-12, "reference overwrite");
      assertAllClose(one.dxSet, wantSet, TOL_F32, "dx with overwrite");
      assertEquals(one.dxSet, one.dxAdded, "dx with overwrite vs added into zeros");
      assertEquals(one.dxSetResident, one.dxSet, "dx with overwrite: resident vs plain");
      assertAllClose(one.all3[0], wantSet, TOL_F32, "combined backward dx with overwrite");
      assertAllClose(one.all3[1], want.dw.map((v, i) => v - dw0[i]), TOL_F32, "dw, overwrite");
      assertAllClose(one.all3[2], want.db.map((v, i) => v - db0[i]), TOL_F32, "db, overwrite");
      assertEquals(all, one, `${THREADS} threads vs 1`);
    });
  }
});

Deno.test("wasm maxPool2d kernels match the reference", async (t) => {
  for (const [xs, ph, pw, stride, fill, ceil = false] of POOL_CASES) {
    await t.step(`x=(${xs}) ${ph}×${pw} s=${stride} ${fill}${ceil ? " ceil" : ""}`, () => {
      const d = poolDims("test", xs, ph, pw, stride, ceil);
      const rng = new Rng(size(xs) + ph);
      const x = randArray(size(xs), rng, fill);
      const no = d.N * d.C * d.HO * d.WO;
      const dout = randArray(no, rng), dx0 = randArray(size(xs), rng);
      const want = { out: new Float64Array(no), argmax: new Int32Array(no), dx: dx0.slice() };
      ref.maxPool2dForward(want.out, want.argmax, x, d);
      ref.maxPool2dBackward(want.dx, dout, want.argmax, d);
      const wantSet = new Float64Array(size(xs)).fill(NaN); // dx = (overwrite), NaNs not read
      ref.maxPool2dBackward(wantSet, dout, want.argmax, d, true);
      const run = (threads: number) =>
        withThreads(threads, () => {
          const got = {
            out: new Float32Array(no),
            argmax: new Int32Array(no),
            dx: Float32Array.from(dx0),
          };
          wasmKernels.maxPool2dForward(got.out, got.argmax, x, d);
          wasmKernels.maxPool2dBackward(got.dx, dout, got.argmax, d);
          // a resident dx takes the WASM kernel (a plain float32 one is scattered in place)
          const residentDx = wasmArray(dx0.length);
          residentDx.set(dx0);
          wasmKernels.maxPool2dBackward(residentDx, dout, got.argmax, d);
          const kernelDx = residentDx.slice();
          // overwrite: the old values (NaN here) are not read, by the kernel or the scatter
          residentDx.fill(NaN);
          maxPool2dBackward(residentDx, dout, got.argmax, d, true);
          const kernelSet = residentDx.slice();
          freeWasmArray(residentDx);
          const plainSet = new Float32Array(size(xs)).fill(NaN);
          maxPool2dBackward(plainSet, dout, got.argmax, d, true);
          return { ...got, kernelDx, kernelSet, plainSet };
        });
      const one = run(1), all = run(THREADS);
      assertEquals([...one.out], [...want.out], "out");
      assertEquals(one.argmax, want.argmax, "argmax");
      assertAllClose(one.dx, want.dx, TOL_F32, "dx");
      assertEquals(one.kernelDx, one.dx, "dx of the WASM kernel vs the plain-array scatter");
      assertAllClose(one.plainSet, wantSet, TOL_F32, "dx with overwrite");
      assertEquals(one.kernelSet, one.plainSet, "dx with overwrite: WASM kernel vs scatter");
      assertEquals(all, one, `${THREADS} threads vs 1`);
    });
  }
});

Deno.test("CONVNET_WASM_RELAXED selects the build; relaxed by default where Deno supports it", () => {
  const strict = Deno.env.get("CONVNET_WASM_RELAXED") === "0";
  assertEquals(wasmBuild, strict ? "release" : "relaxed");
});

Deno.test("wasm maxPool2dBackward rejects an argmax outside its plane, leaving dx unchanged", async (t) => {
  // (1, 2, 2, 2): one pooled value per plane (the check's scalar tail). (1, 2, 8, 8): sixteen,
  // the bad one in the second plane and in a SIMD lane (the second thread's share on two).
  const small = { d: poolDims("test", [1, 2, 2, 2], 2, 2, 2), argmax: [0, 2] };
  const big = { d: poolDims("test", [1, 2, 8, 8], 2, 2, 2), argmax: [] as number[] };
  for (let p = 0; p < 2; p++) {
    for (let i = 0; i < 16; i++) big.argmax.push(64 * p + 16 * Math.floor(i / 4) + 2 * (i % 4));
  }
  big.argmax[21] = 3;
  const scenarios = [
    { ...small, message: "argmax[1] = 2 lies outside its plane [4, 8)" },
    { ...big, message: "argmax[21] = 3 lies outside its plane [64, 128)" },
  ];
  for (const { d, argmax, message } of scenarios) {
    const values = Array.from({ length: d.N * d.C * d.H * d.W }, (_, i) => i + 1);
    const cases: [string, () => Float32Array | Float64Array][] = [
      ["plain float32 dx (scattered in place)", () => Float32Array.from(values)],
      ["float64 dx (the WASM kernel)", () => Float64Array.from(values)],
      ["resident dx (the WASM kernel)", () => {
        const r = wasmArray(values.length);
        r.set(values);
        return r;
      }],
    ];
    for (const [name, make] of cases) {
      for (const overwrite of [false, true]) {
        await t.step(`(${d.N}, ${d.C}, ${d.H}, ${d.W}) ${name}, overwrite ${overwrite}`, () => {
          const dx = make();
          const dout = new Float32Array(argmax.length).fill(1);
          for (const threads of [1, THREADS]) {
            withThreads(threads, () =>
              assertThrows(
                () => maxPool2dBackward(dx, dout, Int32Array.from(argmax), d, overwrite),
                RangeError,
                message,
              ));
            assertEquals([...dx], values, `dx on ${threads} threads`);
          }
          if (dx instanceof Float32Array && name.startsWith("resident")) freeWasmArray(dx);
        });
      }
    }
  }
});
