// 2-D max pooling forward and backward; matches kernels/ref/pool2d.ts (maxPool2dForward,
// maxPool2dBackward): the running maximum starts at the window's first element, ties go to
// the first element in row-major window order, argmax holds flat indices into x. Threads
// split the N·C planes (a plane's argmax stays inside the plane, so backward has no races).

import { splitLo } from "./conv2d";

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
  for (let nc = lo; nc < hi; nc++) {
    const plane = nc * H * W;
    const o = nc * HO * WO;
    for (let i = 0; i < HO; i++) {
      for (let j = 0; j < WO; j++) {
        let best = plane + i * s * W + j * s;
        let bestValue = load<f32>(x + (<usize> best << 2));
        if (PH == 2 && PW == 2) {
          const r = best;
          const v1 = load<f32>(x + (<usize> (r + 1) << 2));
          if (v1 > bestValue) {
            bestValue = v1;
            best = r + 1;
          }
          const v2 = load<f32>(x + (<usize> (r + W) << 2));
          if (v2 > bestValue) {
            bestValue = v2;
            best = r + W;
          }
          const v3 = load<f32>(x + (<usize> (r + W + 1) << 2));
          if (v3 > bestValue) {
            bestValue = v3;
            best = r + W + 1;
          }
        } else {
          for (let ph = 0; ph < PH; ph++) {
            const row = plane + (i * s + ph) * W + j * s;
            for (let pw = 0; pw < PW; pw++) {
              const v = load<f32>(x + (<usize> (row + pw) << 2));
              if (v > bestValue) {
                bestValue = v;
                best = row + pw;
              }
            }
          }
        }
        const q = <usize> (o + i * WO + j) << 2;
        store<f32>(out + q, bestValue);
        store<i32>(argmax + q, best);
      }
    }
  }
}

/**
 * dx: (N, C, H, W) += dout routed through argmax: (N, C, HO, WO), planes split. An argmax
 * outside its plane is skipped and its index + 1 written to `error` (f64).
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
  error: usize,
): void {
  const p0 = splitLo(NC, tid, nth), p1 = splitLo(NC, tid + 1, nth);
  for (let p = p0; p < p1; p++) {
    const lo = p * HW, hi = lo + HW;
    for (let o = p * HOWO; o < (p + 1) * HOWO; o++) {
      const a = load<i32>(argmax + (<usize> o << 2));
      if (a < lo || a >= hi) {
        // an argmax outside its plane: flag it (index + 1) and leave it out
        store<f64>(error, <f64> o + 1);
        continue;
      }
      const q = dx + (<usize> a << 2);
      store<f32>(q, load<f32>(q) + load<f32>(dout + (<usize> o << 2)));
    }
  }
}
