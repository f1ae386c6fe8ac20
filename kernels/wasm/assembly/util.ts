// Small helpers shared by the kernels: rounding up, 64-byte-aligned buffer sizes, and the
// split of work items over threads.

/** n rounded up to a multiple of m. */
// @ts-ignore: decorator
@inline export function up(n: i32, m: i32): i32 {
  return (n + m - 1) / m * m;
}

/** Bytes of `floats` float32 values, rounded up to 64 (buffers start on cache lines). */
// @ts-ignore: decorator
@inline export function bytes64(floats: i32): usize {
  return (<usize> floats * 4 + 63) & ~<usize> 63;
}

/** The first of the items a thread handles out of `total`: [splitLo(tid), splitLo(tid + 1)). */
// @ts-ignore: decorator
@inline export function splitLo(total: i32, tid: i32, nth: i32): i32 {
  return <i32> (<i64> total * tid / nth);
}
