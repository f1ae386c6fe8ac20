/**
 * The WASM SIMD peak the conv GFLOP/s are measured against: a loop of 12 independent f32x4
 * multiply-add chains (no memory traffic) compiled at run time with the kernels' compiler,
 * in the kernels' build (`relaxed_madd` in the relaxed build, a multiply and an add in the
 * strict one), timed on one thread. 8 FLOP per multiply-add of four lanes.
 *
 * @module
 */

import asc from "assemblyscript/asc";

/**
 * Independent accumulator chains: enough to hide the latency of a separate multiply and add
 * (strict build) on two ports; 12 and 8 chains measured 42.7 and 44.5 GFLOP/s relaxed, 42.7 and
 * 27.8 strict, on one thread of the 2-core machine at load about 4.
 */
const CHAINS = 12;
/** Loop iterations per timed call (12 chains × 8 FLOP each: about 1.2 GFLOP). */
const ITERS = 12_500_000;
/** The loop's a ← a·MUL + ADD: it settles at ADD / (1 − MUL) = 1, far from denormals. */
const MUL = 0.99999, ADD = 0.00001;
/** Short calls before timing (V8 compiles a wasm function's optimised code after some calls). */
const WARMUP_CALLS = 200;

function source(relaxed: boolean): string {
  const acc = Array.from({ length: CHAINS }, (_, i) => `a${i}`);
  const step = relaxed
    ? (a: string) => `f32x4.relaxed_madd(${a}, m, c)`
    : (a: string) => `f32x4.add(f32x4.mul(${a}, m), c)`;
  return [
    // m and c come in as arguments: as constants the compiler would inline a v128.const into
    // every multiply-add, which the engine rebuilds each time (measured 10–14 GFLOP/s instead)
    "export function peak(iters: i32, mul: f32, add: f32): f32 {",
    "  const m = f32x4.splat(mul), c = f32x4.splat(add);",
    ...acc.map((a, i) => `  let ${a} = f32x4.splat(${i + 1});`),
    "  for (let i = 0; i < iters; i++) {",
    ...acc.map((a) => `    ${a} = ${step(a)};`),
    "  }",
    `  const s = ${acc.reduce((s, a) => s === "" ? a : `f32x4.add(${s}, ${a})`, "")};`,
    "  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 3);",
    "}",
  ].join("\n");
}

/** GFLOP/s of one thread's multiply-add loop in the given build, the best of `repeats` calls. */
export async function simdPeak(relaxed: boolean, repeats = 5): Promise<number> {
  const features = relaxed ? "simd,relaxed-simd" : "simd";
  const { binary, stderr } = await asc.compileString(source(relaxed), {
    optimizeLevel: 3,
    runtime: "stub",
    noAssert: true,
    enable: features.split(","),
  });
  if (!binary) throw new Error(`Cannot compile the SIMD peak loop: ${stderr.toString()}`);
  const module = await WebAssembly.compile(binary as Uint8Array<ArrayBuffer>);
  const instance = await WebAssembly.instantiate(module, { env: { abort: () => {} } });
  const peak = instance.exports.peak as (iters: number, mul: number, add: number) => number;
  // short calls first, yielding now and then, so that the engine tiers the loop up from its
  // baseline compiler (in a background thread) before the timed calls
  for (let i = 0; i < WARMUP_CALLS; i++) {
    peak(ITERS / 100, MUL, ADD);
    if (i % 20 === 19) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  let best = Infinity;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    peak(ITERS, MUL, ADD);
    best = Math.min(best, performance.now() - t0);
  }
  return (CHAINS * 8 * ITERS) / (best * 1e6);
}
