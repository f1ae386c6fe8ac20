// Element-wise and row kernels of the affine layers; match kernels/ref/elementwise.ts
// (reluForward, reluBackward) and kernels/ref/gemm.ts (addRowBias, sumRows). Each takes the
// thread id and count and handles its share; SIMD main loops with scalar tails.

import { splitLo } from "./util";

/** out = max(x, 0).  out, x: (n) */
export function reluForward(tid: i32, nth: i32, out: usize, x: usize, n: i32): void {
  const lo = splitLo(n >> 2, tid, nth) << 2;
  const hi = tid == nth - 1 ? n : splitLo(n >> 2, tid + 1, nth) << 2;
  const zero = f32x4.splat(0);
  let i = lo;
  for (; i + 4 <= hi; i += 4) {
    const v = v128.load(x + (<usize> i << 2));
    v128.store(out + (<usize> i << 2), v128.and(v, f32x4.gt(v, zero)));
  }
  for (; i < hi; i++) {
    const v = load<f32>(x + (<usize> i << 2));
    store<f32>(out + (<usize> i << 2), v > 0 ? v : 0);
  }
}

/** dx = dout where x > 0, else 0.  dx, dout, x: (n) */
export function reluBackward(tid: i32, nth: i32, dx: usize, dout: usize, x: usize, n: i32): void {
  const lo = splitLo(n >> 2, tid, nth) << 2;
  const hi = tid == nth - 1 ? n : splitLo(n >> 2, tid + 1, nth) << 2;
  const zero = f32x4.splat(0);
  let i = lo;
  for (; i + 4 <= hi; i += 4) {
    const q = <usize> i << 2;
    const m = f32x4.gt(v128.load(x + q), zero);
    v128.store(dx + q, v128.and(v128.load(dout + q), m));
  }
  for (; i < hi; i++) {
    const q = <usize> i << 2;
    store<f32>(dx + q, load<f32>(x + q) > 0 ? load<f32>(dout + q) : 0);
  }
}

/** out[r, c] += bias[c].  out: (rows, cols)  bias: (cols), rows split. */
export function addRowBias(
  tid: i32,
  nth: i32,
  out: usize,
  bias: usize,
  rows: i32,
  cols: i32,
): void {
  const lo = splitLo(rows, tid, nth), hi = splitLo(rows, tid + 1, nth);
  for (let r = lo; r < hi; r++) {
    const row = out + (<usize> r * <usize> cols << 2);
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      const q = <usize> c << 2;
      v128.store(row + q, f32x4.add(v128.load(row + q), v128.load(bias + q)));
    }
    for (; c < cols; c++) {
      const q = <usize> c << 2;
      store<f32>(row + q, load<f32>(row + q) + load<f32>(bias + q));
    }
  }
}

/** sums[c] += Σ_r m[r, c].  m: (rows, cols)  sums: (cols), columns split in blocks of 4. */
export function sumRows(tid: i32, nth: i32, sums: usize, m: usize, rows: i32, cols: i32): void {
  const blocks = (cols + 3) >> 2;
  const c0 = splitLo(blocks, tid, nth) << 2, c1 = min(splitLo(blocks, tid + 1, nth) << 2, cols);
  let c = c0;
  for (; c + 4 <= c1; c += 4) {
    let acc = v128.load(sums + (<usize> c << 2));
    for (let r = 0; r < rows; r++) {
      acc = f32x4.add(acc, v128.load(m + (<usize> (r * cols + c) << 2)));
    }
    v128.store(sums + (<usize> c << 2), acc);
  }
  for (; c < c1; c++) {
    let acc = load<f32>(sums + (<usize> c << 2));
    for (let r = 0; r < rows; r++) acc += load<f32>(m + (<usize> (r * cols + c) << 2));
    store<f32>(sums + (<usize> c << 2), acc);
  }
}
