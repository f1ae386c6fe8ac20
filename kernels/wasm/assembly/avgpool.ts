// 2-D average pooling forward and backward; matches kernels/ref/avgpool.ts (avgPool2dForward,
// avgPool2dBackward): no padding, every window divided by PH·PW (the last windows of
// `ceil_mode` sizes: clipped at the input's edge and divided by the part inside); the backward
// ADDS each gradient · 1/(window size) over its window. Threads split the N·C planes (a window
// never leaves its plane, so the backward has no races). A SIMD fast path serves whole 2×2
// stride-2 windows; other windows (global pooling included) sum each window row with f32x4 and
// a scalar tail.

import { splitLo } from "./util";

// Σ of len float32 values from byte address a: f32x4 main loop, scalar tail.
// @ts-ignore: decorator
@inline
function rowSum(a: usize, len: i32): f32 {
  let acc = f32x4.splat(0);
  let k = 0;
  for (; k + 4 <= len; k += 4) acc = f32x4.add(acc, v128.load(a + (<usize> k << 2)));
  let s = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) +
    (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
  for (; k < len; k++) s += load<f32>(a + (<usize> k << 2));
  return s;
}

// a[k] += g for k < len: f32x4 main loop, scalar tail.
// @ts-ignore: decorator
@inline
function rowAdd(a: usize, len: i32, g: f32): void {
  const gv = f32x4.splat(g);
  let k = 0;
  for (; k + 4 <= len; k += 4) {
    const q = a + (<usize> k << 2);
    v128.store(q, f32x4.add(v128.load(q), gv));
  }
  for (; k < len; k++) {
    const q = a + (<usize> k << 2);
    store<f32>(q, load<f32>(q) + g);
  }
}

// 1 / (rows·cols) rounded once to float32: the divisor of a window of that many elements.
// @ts-ignore: decorator
@inline
function windowScale(rows: i32, cols: i32): f32 {
  return <f32> (1.0 / <f64> (rows * cols));
}

/** out: (N, C, HO, WO)  x: (N, C, H, W), planes split over threads. */
export function avgPoolForward(
  tid: i32,
  nth: i32,
  out: usize,
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
  const quarter = f32x4.splat(0.25);
  const wholeW = min(WO, (W - PW) / s + 1); // the columns of windows inside x
  const scale = windowScale(PH, PW);
  for (let nc = lo; nc < hi; nc++) {
    const plane = x + (<usize> nc * <usize> (H * W) << 2);
    const o = out + (<usize> nc * <usize> (HO * WO) << 2);
    for (let i = 0; i < HO; i++) {
      const orow = o + (<usize> (i * WO) << 2);
      const r0 = plane + (<usize> (i * s * W) << 2);
      const rows = min(PH, H - i * s);
      let j = 0;
      if (fast && rows == 2) {
        const r1 = r0 + (<usize> W << 2);
        // outputs j..j+3 read inputs 2j..2j+7 of rows 2i and 2i+1 (2·wholeW ≤ W)
        for (; j + 4 <= wholeW; j += 4) {
          const q = <usize> j << 3;
          const s0 = f32x4.add(v128.load(r0 + q), v128.load(r1 + q));
          const s1 = f32x4.add(v128.load(r0 + q, 16), v128.load(r1 + q, 16));
          const even = v128.shuffle<f32>(s0, s1, 0, 2, 4, 6);
          const odd = v128.shuffle<f32>(s0, s1, 1, 3, 5, 7);
          v128.store(orow + (<usize> j << 2), f32x4.mul(f32x4.add(even, odd), quarter));
        }
      }
      // whole-width windows share the row's divisor; clipped ones (ceil_mode) get their own
      const rowScale = rows == PH ? scale : windowScale(rows, PW);
      for (; j < WO; j++) {
        const w0 = r0 + (<usize> (j * s) << 2), cols = min(PW, W - j * s);
        let sum: f32 = 0;
        for (let ph = 0; ph < rows; ph++) sum += rowSum(w0 + (<usize> (ph * W) << 2), cols);
        store<f32>(orow + (<usize> j << 2), sum * (j < wholeW ? rowScale : windowScale(rows, cols)));
      }
    }
  }
}

/** dx: (N, C, H, W) += spread of dout: (N, C, HO, WO), planes split over threads. */
export function avgPoolBackward(
  tid: i32,
  nth: i32,
  dx: usize,
  dout: usize,
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
  const quarter = f32x4.splat(0.25);
  const wholeW = min(WO, (W - PW) / s + 1); // the columns of windows inside x
  const scale = windowScale(PH, PW);
  for (let nc = lo; nc < hi; nc++) {
    const plane = dx + (<usize> nc * <usize> (H * W) << 2);
    const g0 = dout + (<usize> nc * <usize> (HO * WO) << 2);
    for (let i = 0; i < HO; i++) {
      const grow = g0 + (<usize> (i * WO) << 2);
      const r0 = plane + (<usize> (i * s * W) << 2);
      const rows = min(PH, H - i * s);
      let j = 0;
      if (fast && rows == 2) {
        const r1 = r0 + (<usize> W << 2);
        for (; j + 4 <= wholeW; j += 4) {
          const g = f32x4.mul(v128.load(grow + (<usize> j << 2)), quarter);
          const a = v128.shuffle<f32>(g, g, 0, 0, 1, 1);
          const b = v128.shuffle<f32>(g, g, 2, 2, 3, 3);
          const q = <usize> j << 3;
          v128.store(r0 + q, f32x4.add(v128.load(r0 + q), a));
          v128.store(r0 + q, f32x4.add(v128.load(r0 + q, 16), b), 16);
          v128.store(r1 + q, f32x4.add(v128.load(r1 + q), a));
          v128.store(r1 + q, f32x4.add(v128.load(r1 + q, 16), b), 16);
        }
      }
      const rowScale = rows == PH ? scale : windowScale(rows, PW);
      for (; j < WO; j++) {
        const cols = min(PW, W - j * s);
        const g = load<f32>(grow + (<usize> j << 2)) * (j < wholeW ? rowScale : windowScale(rows, cols));
        const w0 = r0 + (<usize> (j * s) << 2);
        for (let ph = 0; ph < rows; ph++) rowAdd(w0 + (<usize> (ph * W) << 2), cols, g);
      }
    }
  }
}
