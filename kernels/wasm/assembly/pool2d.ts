// 2-D max pooling forward and backward; matches kernels/ref/pool2d.ts (maxPool2dForward,
// maxPool2dBackward): the running maximum starts at the window's first element, ties go to
// the first element in row-major window order, argmax holds flat indices into x; with
// `ceil_mode` sizes the last windows are clipped at the input's edge (the SIMD 2×2 path takes
// only whole windows). Threads split the N·C planes (a plane's argmax stays inside the plane,
// so backward has no races).

import { splitLo } from "./util";

/** out, argmax: (N, C, HO, WO)  x: (N, C, H, W), planes split over threads. */
export function maxPoolForward(
  tid: i32,
  nth: i32,
  out: usize,
  argmax: usize,
  x: usize,
  NC: i32,
  H: i32,
  W: i32,
  PH: i32,
  PW: i32,
  s: i32,
  HO: i32,
  WO: i32,
): void {
  const lo = splitLo(NC, tid, nth), hi = splitLo(NC, tid + 1, nth);
  const fast = PH == 2 && PW == 2 && s == 2;
  const wholeW = min(WO, (W - PW) / s + 1); // the columns of windows inside x
  for (let nc = lo; nc < hi; nc++) {
    const plane = nc * H * W;
    const o = nc * HO * WO;
    for (let i = 0; i < HO; i++) {
      const rows = min(PH, H - i * s);
      let j = 0;
      if (fast && rows == 2) j = pool2x2Row(out, argmax, x, plane + 2 * i * W, W, wholeW, o + i * WO);
      for (; j < WO; j++) {
        // branch-free running maximum: ties and NaN keep the earlier element, like the reference
        let best = plane + i * s * W + j * s;
        let bestValue = load<f32>(x + (<usize> best << 2));
        const cols = min(PW, W - j * s);
        for (let ph = 0; ph < rows; ph++) {
          const row = plane + (i * s + ph) * W + j * s;
          for (let pw = 0; pw < cols; pw++) {
            const v = load<f32>(x + (<usize> (row + pw) << 2));
            const better = v > bestValue;
            bestValue = select<f32>(v, bestValue, better);
            best = select<i32>(row + pw, best, better);
          }
        }
        const q = <usize> (o + i * WO + j) << 2;
        store<f32>(out + q, bestValue);
        store<i32>(argmax + q, best);
      }
    }
  }
}

// 2×2 stride-2 pooling of one output row, four outputs per step: the window's four elements
// are compared in row-major order with strict >, as in the reference. Returns the first
// output column left for the scalar loop. top: flat index of the row's first input element;
// WO: the row's outputs whose windows lie inside x.
function pool2x2Row(
  out: usize,
  argmax: usize,
  x: usize,
  top: i32,
  W: i32,
  WO: i32,
  o: i32,
): i32 {
  const one = i32x4.splat(1), down = i32x4.splat(W);
  let idx = i32x4.add(i32x4.splat(top), i32x4(0, 2, 4, 6));
  let j = 0;
  for (; j + 4 <= WO; j += 4) {
    const r0 = x + (<usize> (top + 2 * j) << 2), r1 = r0 + (<usize> W << 2);
    const a0 = v128.load(r0), a1 = v128.load(r0, 16);
    const b0 = v128.load(r1), b1 = v128.load(r1, 16);
    let best = i32x4.shuffle(a0, a1, 0, 2, 4, 6);
    let at = idx;
    let v = i32x4.shuffle(a0, a1, 1, 3, 5, 7);
    let m = f32x4.gt(v, best);
    best = v128.bitselect(v, best, m);
    at = v128.bitselect(i32x4.add(idx, one), at, m);
    v = i32x4.shuffle(b0, b1, 0, 2, 4, 6);
    m = f32x4.gt(v, best);
    best = v128.bitselect(v, best, m);
    at = v128.bitselect(i32x4.add(idx, down), at, m);
    v = i32x4.shuffle(b0, b1, 1, 3, 5, 7);
    m = f32x4.gt(v, best);
    best = v128.bitselect(v, best, m);
    at = v128.bitselect(i32x4.add(i32x4.add(idx, down), one), at, m);
    const q = <usize> (o + j) << 2;
    v128.store(out + q, best);
    v128.store(argmax + q, at);
    idx = i32x4.add(idx, i32x4.splat(8));
  }
  return j;
}

/**
 * Whether every argmax: (N, C, HO, WO) lies inside its own plane [nc·HW, (nc + 1)·HW); planes
 * split over threads. Writes 1 to `error` (f64) when one does not, and nothing otherwise, so
 * that the TypeScript side can refuse a bad argmax before the scatter changes dx. Four indices
 * per step: lo ≤ a < lo + HW as one unsigned comparison of a − lo against HW.
 */
export function argmaxOutside(
  tid: i32,
  nth: i32,
  argmax: usize,
  NC: i32,
  HOWO: i32,
  HW: i32,
  error: usize,
): void {
  const p0 = splitLo(NC, tid, nth), p1 = splitLo(NC, tid + 1, nth);
  const size = i32x4.splat(HW);
  for (let p = p0; p < p1; p++) {
    const lo = p * HW;
    const base = i32x4.splat(lo);
    const row = argmax + (<usize> (p * HOWO) << 2);
    let outside = i32x4.splat(0);
    let o = 0;
    for (; o + 4 <= HOWO; o += 4) {
      const a = v128.load(row + (<usize> o << 2));
      outside = v128.or(outside, i32x4.ge_u(i32x4.sub(a, base), size));
    }
    let bad = v128.any_true(outside);
    for (; o < HOWO; o++) {
      bad = bad || <u32> (load<i32>(row + (<usize> o << 2)) - lo) >= <u32> HW;
    }
    if (bad) {
      store<f64>(error, 1);
      return;
    }
  }
}

/**
 * dx: (N, C, H, W) += dout routed through argmax: (N, C, HO, WO), planes split (with `clear`,
 * dx = instead: each plane is zeroed first). An argmax outside its plane is skipped and its
 * index + 1 written to `error` (f64).
 */
export function maxPoolBackward(
  tid: i32,
  nth: i32,
  dx: usize,
  dout: usize,
  argmax: usize,
  NC: i32,
  HOWO: i32,
  HW: i32,
  clear: i32,
  error: usize,
): void {
  const p0 = splitLo(NC, tid, nth), p1 = splitLo(NC, tid + 1, nth);
  for (let p = p0; p < p1; p++) {
    const lo = p * HW;
    // with `clear`, the plane is zeroed first (while it is about to be written anyway)
    if (clear) memory.fill(dx + (<usize> lo << 2), 0, <usize> HW << 2);
    const plane = dx + (<usize> lo << 2);
    for (let o = p * HOWO, end = o + HOWO; o < end; o++) {
      const a = load<i32>(argmax + (<usize> o << 2)) - lo;
      if (<u32> a >= <u32> HW) {
        // an argmax outside its plane: flag it (index + 1) and leave it out
        store<f64>(error, <f64> o + 1);
        continue;
      }
      const q = plane + (<usize> a << 2);
      store<f32>(q, load<f32>(q) + load<f32>(dout + (<usize> o << 2)));
    }
  }
}
