/**
 * Gradients set by the kernel vs zeroed first and added to: what `Conv2d` and `MaxPool2d`
 * backward did before (`dx.fill(0)` on the main thread, then a kernel that adds) against the
 * kernels' `overwrite` (each thread sets the images it owns; old values never read). Resident
 * dx (from `wasmArray`, as `Module.reuseBuffers` keeps it), all threads.
 *
 *   deno bench --allow-read --allow-env bench/overwrite_bench.ts
 *
 * @module
 */

import { convDims, poolDims } from "../core/dims.ts";
import { wasmArray, wasmKernels } from "../kernels/wasm/mod.ts";
import { Rng } from "../core/random.ts";

const rng = new Rng(0);
const OPTS = { n: 30, warmup: 5 };

/** A resident array of uniform values in [-1, 1). */
function residentRandom(n: number): Float32Array {
  const a = wasmArray(n);
  for (let i = 0; i < n; i++) a[i] = 2 * rng.uniform() - 1;
  return a;
}

const CONV = [
  { id: "W5 conv dx", x: [128, 64, 32, 32], w: [64, 64, 3, 3], stride: 1, pad: 1 },
  {
    id: "conv dx (128,32,32,32)×(32,32,3,3)",
    x: [128, 32, 32, 32],
    w: [32, 32, 3, 3],
    stride: 1,
    pad: 1,
  },
  { id: "W4 conv dx", x: [50, 3, 32, 32], w: [32, 3, 7, 7], stride: 1, pad: 3 },
  { id: "W1 conv dx", x: [100, 3, 31, 31], w: [25, 3, 3, 3], stride: 2, pad: 1 },
] as const;

for (const c of CONV) {
  const d = convDims("bench", c.x, c.w, c.stride, c.pad);
  // dx: (N, C, H, W)  w: (F, C, KH, KW)  dout: (N, F, HO, WO)
  const dx = residentRandom(d.N * d.C * d.H * d.W), w = residentRandom(d.F * d.C * d.KH * d.KW);
  const dout = residentRandom(d.N * d.F * d.HO * d.WO);
  Deno.bench({
    group: c.id,
    name: "zeroed, then added",
    baseline: true,
    ...OPTS,
    fn() {
      dx.fill(0);
      wasmKernels.conv2dBackwardData(dx, dout, w, d);
    },
  });
  Deno.bench({
    group: c.id,
    name: "set by the kernel (overwrite)",
    ...OPTS,
    fn: () => wasmKernels.conv2dBackwardData(dx, dout, w, d, true),
  });
}

{
  const d = poolDims("bench", [512, 32, 32, 32], 2, 2, 2);
  const no = d.N * d.C * d.HO * d.WO;
  // x, dx: (N, C, H, W)  out, argmax, dout: (N, C, HO, WO)
  const x = residentRandom(d.N * d.C * d.H * d.W), dx = wasmArray(x.length);
  const out = wasmArray(no), argmax = new Int32Array(no), dout = residentRandom(no);
  wasmKernels.maxPool2dForward(out, argmax, x, d);
  const group = "2×2 max-pool dx (512,32,32,32)";
  Deno.bench({
    group,
    name: "zeroed, then added",
    baseline: true,
    ...OPTS,
    fn() {
      dx.fill(0);
      wasmKernels.maxPool2dBackward(dx, dout, argmax, d);
    },
  });
  Deno.bench({
    group,
    name: "set by the kernel (overwrite)",
    ...OPTS,
    fn: () => wasmKernels.maxPool2dBackward(dx, dout, argmax, d, true),
  });
}
