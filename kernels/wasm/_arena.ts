/**
 * The arena: every kernel call carves its buffers (inputs copied in, outputs, per-thread
 * scratch) from one region of the shared memory. The memory grows to the largest request seen
 * and is then reused, so repeated calls of the same sizes never grow it. A request beyond the
 * memory limit throws a RangeError that names the sizes, before anything is written, and leaves
 * the backend usable.
 *
 * Resident arrays (`wasmArray`) are float32 arrays that live in the same memory, in blocks
 * below the arena: [ARENA_BASE, pinEnd) holds them and the arena starts at pinEnd (it holds
 * nothing between calls, so it simply moves up when a block is added). A kernel argument that
 * is a resident array is read and written where it is: its region takes no arena bytes and
 * `copyIn` / `copyOut` skip it. Two arguments that overlap are not both used in place: the
 * later one is copied, as any other array, so in-place calls behave as with plain arrays.
 *
 * @module
 */

import type { FloatArray } from "../../core/dims.ts";
import { ARENA_BASE } from "./_layout.ts";
import { MAX_PAGES, memory } from "./_runtime.ts";

/** One buffer of a request: a name for messages, its size in bytes, and the array behind it. */
export interface Region {
  name: string;
  bytes: number;
  /** The caller's array for this buffer: used in place when it is a resident array. */
  array?: FloatArray | null;
}

const ALIGN = 64;
const SLACK = 64; // bytes after each region, so SIMD tails never touch the next one

/**
 * Byte offsets of `regions`: a resident array's own offset, else laid out from the arena's
 * start; and the end of the arena part. Throws a RangeError naming the sizes when they do not
 * fit under the memory limit.
 */
export function layout(op: string, regions: readonly Region[]): { offsets: number[]; top: number } {
  const offsets: number[] = [];
  const inPlace: [number, number][] = []; // [start, end) of the arrays used where they are
  let top = pinEnd;
  for (const r of regions) {
    // a region used in place keeps its SLACK bytes to itself, as in the arena
    const at = r.array ? residentOffset(r.array, r.bytes) : -1;
    const end = at + r.bytes + SLACK;
    if (at >= 0 && inPlace.every(([lo, hi]) => end <= lo || at >= hi)) {
      offsets.push(at);
      if (r.bytes > 0) inPlace.push([at, end]);
      continue;
    }
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
// Every SharedArrayBuffer object the memory has handed out (growth makes a new one each time;
// the views on older ones stay valid): a resident array's buffer is one of them.
const buffers = new WeakSet<ArrayBufferLike>([f32Cache.buffer]);

/** A float32 view of the whole memory (renewed after growth). */
export function heapF32(): Float32Array {
  if (f32Cache.buffer.byteLength !== memory.buffer.byteLength) {
    f32Cache = new Float32Array(memory.buffer);
    i32Cache = new Int32Array(memory.buffer);
    buffers.add(f32Cache.buffer);
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
  if (src instanceof Float32Array && src.byteOffset === at && buffers.has(src.buffer)) return;
  const view = heapF32();
  const s = src as Float32Array | Float64Array;
  view.set(s.length === n ? s : s.subarray(0, n), at / 4);
}

/** Copies n float32 values at byte offset `at` out into `dst` (float32 or float64). */
export function copyOut(dst: Float32Array | Float64Array, at: number, n: number): void {
  if (dst instanceof Float32Array && dst.byteOffset === at && buffers.has(dst.buffer)) return;
  dst.set(heapF32().subarray(at / 4, at / 4 + n));
}

/** Sets n float32 values at byte offset `at` to zero. */
export function zero(at: number, n: number): void {
  heapF32().fill(0, at / 4, at / 4 + n);
}

// ---- resident arrays ----

// Blocks of resident arrays in [ARENA_BASE, pinEnd): live ones by offset, and free ones.
let pinEnd = ARENA_BASE;
const live = new Map<number, number>(); // byte offset → bytes
let free: { at: number; bytes: number }[] = []; // sorted by offset, never adjacent

/**
 * The byte offset of `a` when it is (a view into) a live resident array holding at least
 * `bytes`, with SLACK bytes after them inside the same block; else −1.
 */
export function residentOffset(a: FloatArray, bytes: number): number {
  if (!(a instanceof Float32Array) || !buffers.has(a.buffer) || a.byteLength < bytes) return -1;
  const at = a.byteOffset;
  if (at < ARENA_BASE || at >= pinEnd) return -1;
  for (const [start, size] of live) {
    if (at >= start && at < start + size) return at + bytes + SLACK <= start + size ? at : -1;
  }
  return -1;
}

/**
 * A zeroed float32 array of `length` elements that lives in the WASM backend's memory: kernels
 * read and write it in place, with no copies in or out (about a quarter of a training step's
 * time goes to those copies for plain arrays). Give it back with `freeWasmArray` when done; it
 * must not be used after that. Throws a RangeError when the memory limit would be passed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { freeWasmArray, wasmArray, wasmKernels } from "./mod.ts";
 * const x = wasmArray(4), out = wasmArray(4);
 * x.set([-1, 2, -3, 4]);
 * wasmKernels.reluForward(out, x, 4);
 * assert.deepEqual([...out], [0, 2, 0, 4]);
 * freeWasmArray(x);
 * freeWasmArray(out);
 * ```
 */
export function wasmArray(length: number): Float32Array {
  if (!Number.isInteger(length) || length < 0) {
    throw new RangeError(
      `Cannot allocate a WASM array: length must be a non-negative integer, got ${length}`,
    );
  }
  const bytes = Math.ceil((4 * length + SLACK) / ALIGN) * ALIGN; // SLACK: as arena regions
  const i = free.findIndex((b) => b.bytes >= bytes);
  let at: number;
  if (i >= 0) {
    at = free[i].at;
    if (free[i].bytes === bytes) free.splice(i, 1);
    else free[i] = { at: at + bytes, bytes: free[i].bytes - bytes };
  } else {
    at = pinEnd;
    const limit = MAX_PAGES * 65536;
    if (at + bytes > limit) {
      throw new RangeError(
        `Cannot allocate a WASM array of ${length} floats (${mib(bytes)}): resident arrays ` +
          `already take ${mib(pinEnd - ARENA_BASE)} and the limit is ${mib(limit)}; free some ` +
          "with freeWasmArray or use plain arrays",
      );
    }
    pinEnd = at + bytes;
    const have = memory.buffer.byteLength;
    if (pinEnd > have) memory.grow(Math.ceil((pinEnd - have) / 65536));
  }
  live.set(at, bytes);
  const view = new Float32Array(heapF32().buffer, at, length);
  view.fill(0);
  return view;
}

/** Gives back an array from `wasmArray` (the very array it returned); it must not be used after. */
export function freeWasmArray(array: Float32Array): void {
  const bytes = array instanceof Float32Array && buffers.has(array.buffer)
    ? live.get(array.byteOffset)
    : undefined;
  if (bytes === undefined) {
    throw new TypeError(
      "Cannot free a WASM array: pass an array that wasmArray returned and that is not freed yet",
    );
  }
  live.delete(array.byteOffset);
  free.push({ at: array.byteOffset, bytes });
  free.sort((p, q) => p.at - q.at);
  const merged: { at: number; bytes: number }[] = [];
  for (const b of free) {
    const last = merged[merged.length - 1];
    if (last && last.at + last.bytes === b.at) last.bytes += b.bytes;
    else merged.push({ ...b });
  }
  // a free block at the top gives its space back to the arena
  const top = merged[merged.length - 1];
  if (top && top.at + top.bytes === pinEnd) {
    pinEnd = top.at;
    merged.pop();
  }
  free = merged;
}
