/**
 * AirNet's 3×3 convs (issue 24: widths 64/128/128, batch 512, the odd maps 31, 15, 7 and 3 that
 * its unpadded 2×2 stem leaves), one group per layer shape and pass (forward, data gradient,
 * filter gradient), each timed on the paths before partial-tile Winograd (`setPartialTiles(false)`:
 * im2col, or direct) and after it, in the same run on resident arrays as training uses them.
 * When the bench ends it prints a table: milliseconds and GFLOP/s (a direct convolution's
 * 2·N·F·HO·WO·C·9 per pass) before and after, next to the WASM SIMD peak (bench/_peak.ts) on
 * one thread and on all of them.
 *
 *   deno bench --allow-read --allow-env bench/airnet_conv_bench.ts
 *
 * CONVNET_THREADS sets the thread count (default: every core).
 *
 * @module
 */

import { AIRNET_STEM_KERNEL, AIRNET_WIDTHS } from "../nn/models/airnet.ts";
import { convDims } from "../core/dims.ts";
import {
  conv2dBackward,
  convPath,
  getThreads,
  setPartialTiles,
  wasmArray,
  wasmBuild,
  wasmKernels,
} from "../kernels/wasm/mod.ts";
import { simdPeak } from "./_peak.ts";

/** The recipe's batch. */
const BATCH = 512;
/** Timed runs per entry after one warm-up. */
const RUNS = 3;

type Pass = "forward" | "data" | "filter";
type Mode = "before" | "after";

interface Layer {
  id: string;
  x: [number, number, number, number];
  w: [number, number, number, number];
}

// The six 3×3 convs: each block's first conv at its input size, its second after the 2×2 pool.
function airnetLayers(): Layer[] {
  const layers: Layer[] = [];
  let side = 32 - AIRNET_STEM_KERNEL + 1, cin = 2 * 3 * AIRNET_STEM_KERNEL ** 2;
  AIRNET_WIDTHS.forEach((width, i) => {
    layers.push({ id: `block${i + 1}.0`, x: [BATCH, cin, side, side], w: [width, cin, 3, 3] });
    side = Math.floor(side / 2);
    layers.push({ id: `block${i + 1}.4`, x: [BATCH, width, side, side], w: [width, width, 3, 3] });
    cin = width;
  });
  return layers;
}

function resident(n: number, fill = true): Float32Array {
  const a = wasmArray(n);
  if (fill) { for (let i = 0; i < n; i++) a[i] = Math.random() * 2 - 1; }
  return a;
}

const samples = new Map<string, number[]>();
const paths = new Map<string, string>();

function record(key: string, ms: number): void {
  samples.set(key, [...(samples.get(key) ?? []), ms]);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function layerBenches(l: Layer): { flops: number; id: string } {
  const d = convDims(l.id, l.x, l.w, 1, 1);
  const [N, C, H, W] = l.x, F = l.w[0];
  const flops = 2 * N * F * d.HO * d.WO * C * 9;
  const x = resident(N * C * H * W), w = resident(F * C * 9), b = resident(F);
  const out = resident(N * F * d.HO * d.WO, false), dout = resident(out.length);
  const dx = resident(x.length, false), dw = resident(w.length, false), db = resident(F, false);
  const run: Record<Pass, () => void> = {
    forward: () => wasmKernels.conv2dForward(out, x, w, b, d),
    data: () => conv2dBackward(dx, null, null, dout, x, w, d, true),
    filter: () => conv2dBackward(null, dw, db, dout, x, w, d, true),
  };
  for (const pass of ["forward", "data", "filter"] as const) {
    const group = `airnet ${l.id} ${pass} x=(${l.x}) w=(${l.w})`;
    for (const mode of ["before", "after"] as const) {
      setPartialTiles(mode === "after");
      paths.set(`${l.id}|${pass}|${mode}`, convPath(d)[pass]);
      setPartialTiles(true);
      Deno.bench({
        group,
        name: mode === "before" ? "before (no partial tiles)" : "after (partial-tile Winograd)",
        baseline: mode === "before",
        n: RUNS,
        warmup: 1,
        fn: () => {
          setPartialTiles(mode === "after");
          try {
            const t0 = performance.now();
            run[pass]();
            record(`${l.id}|${pass}|${mode}`, performance.now() - t0);
          } finally {
            setPartialTiles(true);
          }
        },
      });
    }
  }
  return { flops, id: l.id };
}

const threads = getThreads();
const peak = await simdPeak(wasmBuild === "relaxed");
const layers = airnetLayers();
const flops = new Map(layers.map((l) => [l.id, layerBenches(l).flops]));

addEventListener("unload", () => {
  const all = peak * threads;
  console.log(
    `\nWASM SIMD peak (${wasmBuild} build, a multiply-add loop in registers): ${
      peak.toFixed(1)
    } GFLOP/s on one thread, ×${threads} threads = ${all.toFixed(1)} GFLOP/s. Batch ${BATCH}.`,
  );
  console.log(
    "| layer | x | w | pass | before: path, ms, GFLOP/s | after: path, ms, GFLOP/s | after / peak |",
  );
  console.log("|---|---|---|---|---|---|---|");
  for (const l of layers) {
    for (const pass of ["forward", "data", "filter"] as const) {
      const cell = (mode: Mode) => {
        const key = `${l.id}|${pass}|${mode}`, s = samples.get(key);
        if (!s) return { text: "not run", rate: 0 };
        const ms = median(s), rate = flops.get(l.id)! / (ms * 1e6);
        return { text: `${paths.get(key)}, ${ms.toFixed(0)}, ${rate.toFixed(1)}`, rate };
      };
      const before = cell("before"), after = cell("after");
      const share = after.rate > 0 ? `${(100 * after.rate / all).toFixed(0)}%` : "";
      console.log(
        `| ${l.id} | (${l.x}) | (${l.w}) | ${pass} | ${before.text} | ${after.text} | ${share} |`,
      );
    }
  }
});
