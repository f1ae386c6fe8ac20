/**
 * The arena: every kernel call carves its buffers (inputs copied in, outputs, per-thread
 * scratch) from one region of the shared memory, starting at ARENA_BASE. The memory grows to
 * the largest request seen and is then reused, so repeated calls of the same sizes never grow
 * it. A request beyond the memory limit throws a RangeError that names the sizes, before
 * anything is written, and leaves the backend usable.
 *
 * @module
 */

import { ARENA_BASE } from "./_layout.ts";
import { MAX_PAGES, memory } from "./_runtime.ts";

/** One buffer of a request: a name for messages and its size in bytes. */
export interface Region {
  name: string;
  bytes: number;
}

const ALIGN = 64;
const SLACK = 64; // bytes after each region, so SIMD tails never touch the next one

/**
 * Byte offsets of `regions`, laid out from ARENA_BASE, and the end of the last one. Throws a
 * RangeError naming the sizes when they do not fit under the memory limit.
 */
export function layout(op: string, regions: readonly Region[]): { offsets: number[]; top: number } {
  const offsets: number[] = [];
  let top = ARENA_BASE;
  for (const r of regions) {
    offsets.push(top);
    top += Math.ceil((r.bytes + SLACK) / ALIGN) * ALIGN;
  }
  const limit = MAX_PAGES * 65536;
  if (top > limit) {
    const list = regions.filter((r) => r.bytes > 0).map((r) => `${r.name} ${mib(r.bytes)}`);
    throw new RangeError(
      `Cannot run ${op}: it needs ${mib(top)} of WebAssembly memory (${
        list.join(", ")
      }) but the limit is ${mib(limit)}; use a smaller batch`,
    );
  }
  return { offsets, top };
}

/** Byte offsets of `regions` (see `layout`); grows the memory when needed. */
export function carve(op: string, regions: readonly Region[]): number[] {
  const { offsets, top } = layout(op, regions);
  const have = memory.buffer.byteLength;
  if (top > have) memory.grow(Math.ceil((top - have) / 65536));
  return offsets;
}

function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

let f32Cache = new Float32Array(memory.buffer);
let i32Cache = new Int32Array(memory.buffer);

/** A float32 view of the whole memory (renewed after growth). */
export function heapF32(): Float32Array {
  if (f32Cache.buffer.byteLength !== memory.buffer.byteLength) {
    f32Cache = new Float32Array(memory.buffer);
    i32Cache = new Int32Array(memory.buffer);
  }
  return f32Cache;
}

/** An int32 view of the whole memory (renewed after growth). */
export function heapI32(): Int32Array {
  heapF32();
  return i32Cache;
}

/** Copies `src` (float32 or float64) into the memory at byte offset `at`, as float32. */
export function copyIn(at: number, src: ArrayLike<number> & { length: number }, n: number): void {
  const view = heapF32();
  const s = src as Float32Array | Float64Array;
  view.set(s.length === n ? s : s.subarray(0, n), at / 4);
}

/** Copies n float32 values at byte offset `at` out into `dst` (float32 or float64). */
export function copyOut(dst: Float32Array | Float64Array, at: number, n: number): void {
  dst.set(heapF32().subarray(at / 4, at / 4 + n));
}

/** Sets n float32 values at byte offset `at` to zero. */
export function zero(at: number, n: number): void {
  heapF32().fill(0, at / 4, at / 4 + n);
}
