// The WASM optimizer updates against the float64 reference over several steps.
import { assertAllClose, assertAlmostEquals } from "./_assert.ts";
import * as ref from "../kernels/ref/mod.ts";
import { wasmKernels } from "../kernels/wasm/mod.ts";
import { Rng } from "../core/random.ts";

const TOL_F32 = 1e-4;
const N = 40_003;
const STEPS = 5;

function randArray(n: number, rng: Rng): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.fround(2 * rng.uniform() - 1);
  return a;
}

Deno.test("sgdStep()", async (t) => {
  const configs = [
    { lr: 0.1, momentum: 0, wd: 0, nesterov: false },
    { lr: 0.05, momentum: 0.9, wd: 5e-4, nesterov: false },
    { lr: 0.05, momentum: 0.9, wd: 1e-3, nesterov: true },
    { lr: 0.01, momentum: 0.5, wd: 0, nesterov: false },
  ];
  for (const c of configs) {
    await t.step(JSON.stringify(c), () => {
      const rng = new Rng(11);
      const p0 = randArray(N, rng);
      const want = { p: p0.slice(), buf: new Float64Array(N) };
      const got = { p: Float32Array.from(p0), buf: new Float32Array(N) };
      for (let s = 0; s < STEPS; s++) {
        const g = randArray(N, rng);
        const args = [N, c.lr, c.momentum, c.wd, c.nesterov] as const;
        ref.sgdStep(want.p, g, want.buf, ...args);
        wasmKernels.sgdStep(got.p, g, got.buf, ...args);
      }
      assertAllClose(got.p, want.p, TOL_F32, "param");
      assertAllClose(got.buf, want.buf, TOL_F32, "momentum buffer");
    });
  }
});

Deno.test("adamStep()", async (t) => {
  for (const decoupled of [false, true]) {
    for (const wd of [0, 0.01]) {
      await t.step(`decoupled=${decoupled} weightDecay=${wd}`, () => {
        const rng = new Rng(12);
        const p0 = randArray(N, rng);
        const want = { p: p0.slice(), m: new Float64Array(N), v: new Float64Array(N) };
        const got = { p: Float32Array.from(p0), m: new Float32Array(N), v: new Float32Array(N) };
        for (let step = 1; step <= STEPS; step++) {
          const g = randArray(N, rng);
          const args = [N, 1e-2, 0.9, 0.999, 1e-8, step, wd, decoupled] as const;
          ref.adamStep(want.p, g, want.m, want.v, ...args);
          wasmKernels.adamStep(got.p, g, got.m, got.v, ...args);
        }
        assertAllClose(got.p, want.p, TOL_F32, "param");
        assertAllClose(got.m, want.m, TOL_F32, "m");
        assertAllClose(got.v, want.v, TOL_F32, "v");
      });
    }
  }
});

Deno.test("rmspropStep()", async (t) => {
  for (const decayRate of [0.9, 0.99]) {
    await t.step(`decayRate=${decayRate}`, () => {
      const rng = new Rng(13);
      const p0 = randArray(N, rng);
      const want = { p: p0.slice(), cache: new Float64Array(N) };
      const got = { p: Float32Array.from(p0), cache: new Float32Array(N) };
      for (let s = 0; s < STEPS; s++) {
        const g = randArray(N, rng);
        ref.rmspropStep(want.p, g, want.cache, N, 1e-2, decayRate, 1e-8);
        wasmKernels.rmspropStep(got.p, g, got.cache, N, 1e-2, decayRate, 1e-8);
      }
      assertAllClose(got.p, want.p, TOL_F32, "param");
      assertAllClose(got.cache, want.cache, TOL_F32, "cache");
    });
  }
});

Deno.test("sumOfSquares()", async (t) => {
  for (const n of [0, 1, 3, 4, 5, 82_003]) {
    await t.step(`n=${n}`, () => {
      const x = randArray(n, new Rng(n));
      const want = ref.sumOfSquares(x, n);
      const got = wasmKernels.sumOfSquares(Float32Array.from(x), n);
      // x holds float32 values exactly, and the sum is float64 on both sides.
      assertAlmostEquals(got, want, 1e-9 * Math.max(1, want), `sumOfSquares(n=${n})`);
    });
  }
});
