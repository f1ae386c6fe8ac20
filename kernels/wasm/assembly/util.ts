// Small helpers shared by the kernels: rounding up, 64-byte-aligned buffer sizes, the split of
// work items over threads, and the in-order sum of per-chunk partials.

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

/** dst (len floats) += Σ_j part_j, j = 0 … count − 1 in order; partials `stride` bytes apart. */
export function addPartials(dst: usize, parts: usize, stride: usize, count: i32, len: i32): void {
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const at = <usize> i << 2;
    let v = v128.load(dst + at);
    for (let j = 0; j < count; j++) v = f32x4.add(v, v128.load(parts + <usize> j * stride + at));
    v128.store(dst + at, v);
  }
  for (; i < len; i++) {
    const at = <usize> i << 2;
    let v = load<f32>(dst + at);
    for (let j = 0; j < count; j++) v += load<f32>(parts + <usize> j * stride + at);
    store<f32>(dst + at, v);
  }
}
