// Entry point of the WASM backend: `run(tid, nth)` executes the job that the TypeScript side
// (kernels/wasm/pool.ts) wrote into the control block, on the main thread (tid 0) and on every
// worker at once; each kernel takes its share from (tid, nth). Layout of the control block at
// CTRL (bytes): i32 generation @0, i32 done @4, i32 op @8, i32 thread count @12, f64 result
// @32, f64 arguments @64 + 8·i (their order per op: kernels/wasm/_ops.ts). The kernels allocate
// nothing: every pointer is an offset into the one shared memory that the TypeScript arena
// carved.

import { convBackwardScratch, convBackwardSharedBytes, convForwardScratch } from "./conv2d";
import { convPoolReluBackwardScratch, convPoolReluForwardScratch } from "./conv_pool";
import { dispatch } from "./_dispatch";

export { convBackwardScratch, convBackwardSharedBytes, convForwardScratch };
export { convPath } from "./conv_path";
export { convPoolReluBackwardScratch, convPoolReluForwardScratch };
export { gemmScratch } from "./gemm_entry";

const CTRL: usize = 256;

/**
 * Runs this thread's share of the current job: the op in the control block, its arguments
 * unpacked by the dispatcher that `deno task build:kernels` generates from kernels/wasm/_ops.ts.
 */
export function run(tid: i32, nth: i32): void {
  dispatch(load<i32>(CTRL + 8), tid, nth);
}

/** The first byte past the module's static data; the TypeScript arena starts above it. */
export function heapBase(): usize {
  return __heap_base;
}
