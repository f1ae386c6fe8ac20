// Shared pieces of the WebGPU tests: adapter detection (tests skip, visibly, without one), the
// named tolerance, seeded float32-representable inputs, and a test wrapper that destroys the
// shared device at the end of each test.
import { findAdapter, releaseDevice } from "../kernels/webgpu/mod.ts";
import type { Fill } from "./_wasm_cases.ts";
import type { Rng } from "../core/random.ts";

/**
 * Normalised max error allowed between the float32 WebGPU kernels and the float64 reference
 * (the same bound as the WASM kernels' TOL_F32: GPU summation order differs, not precision).
 */
export const TOL_WEBGPU = 1e-4;

/** The adapter Deno finds here, or null (the WebGPU tests then show as ignored). */
export const adapter: GPUAdapter | null = await findAdapter();

/** Number of elements of a shape. */
export function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** n float32-representable values in [−1, 1) (or all negative, or with ties). */
export function randArray(n: number, rng: Rng, fill: Fill = "random"): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = rng.uniform();
    a[i] = Math.fround(
      fill === "ties" ? Math.floor(u * 3) : fill === "negative" ? -1 - u : 2 * u - 1,
    );
  }
  return a;
}

/**
 * A WebGPU test: ignored (with the reason in its name) when no adapter exists; destroys the
 * shared device when done. GPU buffer mapping resolves outside the test's own ops, so the op
 * sanitizer is off.
 */
export function gpuTest(name: string, fn: (t: Deno.TestContext) => Promise<void>): void {
  Deno.test({
    name: adapter === null ? `${name} (skipped: no WebGPU adapter)` : name,
    ignore: adapter === null,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn(t) {
      try {
        await fn(t);
      } finally {
        await releaseDevice();
      }
    },
  });
}
