/**
 * Conv and max-pool speed on the issue's workloads (W1/W2: x (100,3,31,31) w (25,3,3,3) s2 p1;
 * W3: 2×2 pool of (100,3,32,32); W4: x (50,3,32,32) w (32,3,7,7) p3; W5: x (128,64,32,32)
 * w (64,64,3,3) p1), forward and backward, as: naive TypeScript loops (the reference kernels
 * on float32, the baseline), WASM on one thread, WASM on all threads (plain arrays copied in
 * and out, and resident arrays from `wasmArray` used in place), TensorFlow.js WASM and CPU. Run `deno task bench`; a GFLOP/s table with ratios is printed at the end. The slow
 * versions run part of the W4/W5 batch (named in the entry; GFLOP/s stay comparable per
 * FLOP, and W5's group baseline is then WASM on one thread).
 *
 * @module
 */

import { convDims, poolDims } from "../core/dims.ts";
import * as ref from "../kernels/ref/mod.ts";
import {
  conv2dBackward,
  convPath,
  getThreads,
  setThreads,
  wasmArray,
  wasmBuild,
  wasmKernels,
} from "../kernels/wasm/mod.ts";
import {
  type ConvShape,
  tfjsConv,
  tfjsPool,
  tfjsReadBack,
  tfjsWasmThreads,
  useBackend,
} from "./_tfjs.ts";
import { printReport, timed } from "./_report.ts";

const ALL = getThreads();
const WASM_ALL = `wasm ${ALL} threads`;
const WASM_RESIDENT = `wasm ${ALL} threads, resident`;

interface Workload {
  id: string;
  x: [number, number, number, number];
  w: [number, number, number, number];
  stride: number;
  pad: number;
  naiveN: number; // images the naive version runs
  tfN: number; // images the tfjs versions run
}

const CONV: Workload[] = [
  { id: "W1/W2", x: [100, 3, 31, 31], w: [25, 3, 3, 3], stride: 2, pad: 1, naiveN: 100, tfN: 100 },
  { id: "W4", x: [50, 3, 32, 32], w: [32, 3, 7, 7], stride: 1, pad: 3, naiveN: 50, tfN: 10 },
  { id: "W5", x: [128, 64, 32, 32], w: [64, 64, 3, 3], stride: 1, pad: 1, naiveN: 8, tfN: 2 },
];

function rand(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() * 2 - 1;
  return a;
}

/** A copy of `a` in WASM memory (a resident array: kernels use it in place, no copies). */
function resident(a: Float32Array): Float32Array {
  const r = wasmArray(a.length);
  r.set(a);
  return r;
}

function onThreads(n: number, fn: () => void): () => void {
  return () => {
    setThreads(n);
    try {
      fn();
    } finally {
      setThreads(ALL);
    }
  };
}

function convBenches(wl: Workload): void {
  const [N, C, H, W] = wl.x, [F, , KH, KW] = wl.w;
  const d = convDims("bench", wl.x, wl.w, wl.stride, wl.pad);
  const dn = { ...d, N: wl.naiveN };
  const perImage = 2 * F * d.HO * d.WO * C * KH * KW;
  const x = rand(N * C * H * W), w = rand(F * C * KH * KW), b = rand(F);
  const out = new Float32Array(N * F * d.HO * d.WO), dout = rand(out.length);
  const dx = new Float32Array(x.length), dw = new Float32Array(w.length), db = new Float32Array(F);
  const full = wl.naiveN === N;
  const label = (name: string, n: number) => n === N ? name : `${name} (${n} of ${N} images)`;
  const shape: ConvShape = { n: N, c: C, h: H, w: W, f: F, k: KH, stride: wl.stride, pad: wl.pad };
  const slow = { n: full && N * perImage < 1e8 ? 5 : 1, warmup: full ? 1 : 0 };
  const r = {
    x: resident(x),
    w: resident(w),
    b: resident(b),
    out: resident(out),
    dout: resident(dout),
    dx: resident(dx),
    dw: resident(dw),
    db: resident(db),
  };
  let tfWasm: ReturnType<typeof tfjsConv> | undefined, tfCpu: typeof tfWasm;
  for (const dir of ["fwd", "bwd"] as const) {
    const group = `conv ${dir} ${wl.id} x=(${wl.x}) w=(${wl.w}) s=${wl.stride} p=${wl.pad}`;
    const flops = (dir === "fwd" ? 1 : 2) * N * perImage;
    const naiveFlops = flops * wl.naiveN / N, tfFlops = flops * wl.tfN / N;
    const wasm = dir === "fwd"
      ? () => wasmKernels.conv2dForward(out, x, w, b, d)
      : () => conv2dBackward(dx, dw, db, dout, x, w, d);
    const wasmResident = dir === "fwd"
      ? () => wasmKernels.conv2dForward(r.out, r.x, r.w, r.b, d)
      : () => conv2dBackward(r.dx, r.dw, r.db, r.dout, r.x, r.w, d);
    const naive = dir === "fwd" ? () => ref.conv2dForward(out, x, w, b, dn) : () => {
      ref.conv2dBackwardData(dx, dout, w, dn);
      ref.conv2dBackwardFilter(dw, db, dout, x, dn);
    };
    Deno.bench({
      group,
      name: label("naive", wl.naiveN),
      baseline: full,
      ...slow,
      fn: () => timed(wl.id, dir, label("naive", wl.naiveN), naiveFlops, naive),
    });
    Deno.bench({
      group,
      name: "wasm 1 thread",
      baseline: !full,
      fn: () => timed(wl.id, dir, "wasm 1 thread", flops, onThreads(1, wasm)),
    });
    Deno.bench({
      group,
      name: WASM_ALL,
      fn: () => timed(wl.id, dir, WASM_ALL, flops, onThreads(ALL, wasm)),
    });
    Deno.bench({
      group,
      name: WASM_RESIDENT,
      fn: () => timed(wl.id, dir, WASM_RESIDENT, flops, onThreads(ALL, wasmResident)),
    });
    const tfName = label(dir === "fwd" ? "tfjs-wasm" : "tfjs-wasm dx only", wl.tfN);
    const tfSlow = { n: wl.tfN === N && N * perImage < 1e8 ? 5 : 1, warmup: 1 };
    Deno.bench({
      group,
      name: tfName,
      ...tfSlow,
      async fn() {
        await useBackend("wasm");
        tfWasm ??= tfjsConv({ ...shape, n: wl.tfN });
        const t = tfWasm;
        timed(wl.id, dir, tfName, tfFlops / (dir === "fwd" ? 1 : 2), () => {
          if (dir === "fwd") t.forward();
          else t.backwardData();
        });
      },
    });
    Deno.bench({
      group,
      name: label("tfjs-cpu", wl.tfN),
      ...tfSlow,
      async fn() {
        await useBackend("cpu");
        tfCpu ??= tfjsConv({ ...shape, n: wl.tfN });
        const t = tfCpu;
        timed(wl.id, dir, label("tfjs-cpu", wl.tfN), tfFlops, () => {
          if (dir === "fwd") t.forward();
          else t.backward();
        });
      },
    });
  }
}

function poolBenches(): void {
  const xs = [100, 3, 32, 32] as const;
  const d = poolDims("bench", xs, 2, 2, 2);
  const x = rand(xs[0] * xs[1] * xs[2] * xs[3]);
  const no = d.N * d.C * d.HO * d.WO;
  const out = new Float32Array(no), argmax = new Int32Array(no), dout = rand(no);
  const dx = new Float32Array(x.length);
  ref.maxPool2dForward(out, argmax, x, d);
  const r = { x: resident(x), out: resident(out), dout: resident(dout), dx: resident(dx) };
  let tfWasm: ReturnType<typeof tfjsPool> | undefined, tfCpu: typeof tfWasm;
  for (const dir of ["fwd", "bwd"] as const) {
    const group = `maxpool 2x2 s2 ${dir} W3 x=(${xs})`;
    const elems = x.length; // GFLOP/s column: giga input elements per second
    const wasm = dir === "fwd"
      ? () => wasmKernels.maxPool2dForward(out, argmax, x, d)
      : () => wasmKernels.maxPool2dBackward(dx, dout, argmax, d);
    const wasmResident = dir === "fwd"
      ? () => wasmKernels.maxPool2dForward(r.out, argmax, r.x, d)
      : () => wasmKernels.maxPool2dBackward(r.dx, r.dout, argmax, d);
    const naive = dir === "fwd"
      ? () => ref.maxPool2dForward(out, argmax, x, d)
      : () => ref.maxPool2dBackward(dx, dout, argmax, d);
    Deno.bench({
      group,
      name: "naive",
      baseline: true,
      fn: () => timed("W3", dir, "naive", elems, naive),
    });
    Deno.bench({
      group,
      name: "wasm 1 thread",
      fn: () => timed("W3", dir, "wasm 1 thread", elems, onThreads(1, wasm)),
    });
    Deno.bench({
      group,
      name: WASM_ALL,
      fn: () => timed("W3", dir, WASM_ALL, elems, onThreads(ALL, wasm)),
    });
    Deno.bench({
      group,
      name: WASM_RESIDENT,
      fn: () => timed("W3", dir, WASM_RESIDENT, elems, onThreads(ALL, wasmResident)),
    });
    for (const backend of ["wasm", "cpu"] as const) {
      Deno.bench({
        group,
        name: `tfjs-${backend}`,
        async fn() {
          await useBackend(backend);
          const t = backend === "wasm"
            ? (tfWasm ??= tfjsPool(100, 3, 32, 32))
            : (tfCpu ??= tfjsPool(100, 3, 32, 32));
          timed("W3", dir, `tfjs-${backend}`, elems, dir === "fwd" ? t.forward : t.backward);
        },
      });
    }
  }
}

// tfjs-wasm's dataSync on W1/W2's conv output (100, 16, 16, 25): the copy the tfjs rows leave
// out, measured for the note. Registered last, alone in its group: deno bench prints a group's
// comparison summary when the next group starts or, for the last group, only after this file's
// unload handler has printed the report, which left the W3 summary stray below it. A one-row
// group has no summary, so nothing follows the report.
const readBackMs: number[] = [];
let readBackBytes = 0;
function readBackBench(): void {
  let rb: ReturnType<typeof tfjsReadBack> | undefined;
  Deno.bench({
    group: "tfjs-wasm read-back (100,16,16,25) float32",
    name: "tfjs-wasm dataSync",
    n: 5,
    warmup: 1,
    async fn() {
      await useBackend("wasm");
      rb ??= tfjsReadBack(100, 16, 16, 25);
      readBackBytes = rb.bytes;
      const t0 = performance.now();
      rb.read();
      readBackMs.push(performance.now() - t0);
    },
  });
}

function readBackRate(): string {
  if (readBackMs.length === 0) return "not measured in this run";
  const ms = [...readBackMs].sort((a, b) => a - b)[Math.floor(readBackMs.length / 2)];
  return `${(readBackBytes / 1e3 / ms).toFixed(1)} MB/s (${ms.toFixed(0)} ms for ${
    (readBackBytes / 1e6).toFixed(2)
  } MB, last row)`;
}

for (const wl of CONV) convBenches(wl);
poolBenches();
readBackBench();

// The WASM paths of each workload, as the module's one `convPath` decides them.
const paths = CONV.map((wl) => {
  const p = convPath(convDims(wl.id, wl.x, wl.w, wl.stride, wl.pad));
  const filter = `${p.filter}${p.filterChunked ? " (image chunks)" : ""}`;
  return `${wl.id} forward ${p.forward}, data ${p.data}, filter ${filter}`;
});

addEventListener("unload", () =>
  printReport([
    `WASM build: ${wasmBuild} (CONVNET_WASM_RELAXED=0 selects the strict build); all threads = ${ALL}; tfjs-wasm runs ${tfjsWasmThreads()} thread(s).`,
    "tfjs-wasm has no Conv2DBackpropFilter kernel: its backward row is dx only, FLOPs counted for dx only.",
    `tfjs rows leave their results in tfjs memory (tfjs-wasm's dataSync reads back at ${readBackRate()} in Deno); our plain rows copy inputs into WASM memory and results back into JS arrays; the resident rows use arrays from wasmArray in place, as tfjs-wasm's tensors are.`,
    "W3 (pooling) rows count giga input elements per second in the GFLOP/s column.",
    `WASM paths: ${paths.join("; ")}.`,
    "GFLOP/s count a direct convolution's 2·N·F·HO·WO·C·KH·KW per pass for every row; a WASM winograd path runs F(2×2, 3×3), 2.25× fewer multiply-adds.",
    "Entries marked (k of N images) ran part of the batch; their GFLOP/s stay comparable per FLOP.",
  ]));
