/**
 * The WASM backend's runtime: compiles kernels.wasm (found next to this file through
 * `import.meta.url`, so importing the library by URL works), creates the one shared
 * `WebAssembly.Memory`, instantiates the module on the main thread and on one Worker per extra
 * thread, and runs jobs synchronously: the main thread writes the job into the control block,
 * wakes the workers (`Atomics.notify`), runs its own share, then blocks in `Atomics.wait` until
 * every worker has counted itself done. Workers are unref'd, so they never keep a process
 * alive.
 *
 * @module
 */

import { Worker } from "node:worker_threads";
import { ARENA_BASE, ARGS, DONE, ERROR, GEN, NTH, OP, READY, RESULT } from "./_layout.ts";

/** Largest memory the backend may grow to, in 64 KiB pages: 4 GiB, all a 32-bit memory addresses. */
export const MAX_PAGES = 65536;
const MAX_THREADS = 64;

function envFlag(name: string): string | undefined {
  try {
    const state = Deno.permissions.querySync({ name: "env", variable: name }).state;
    return state === "granted" ? Deno.env.get(name) : undefined;
  } catch {
    return undefined;
  }
}

async function fetchBytes(name: string): Promise<ArrayBuffer> {
  return await (await fetch(new URL(name, import.meta.url))).arrayBuffer();
}

// CONVNET_WASM_RELAXED: "1" demands the relaxed build, "0" the strict one; unset, the relaxed
// build runs wherever the engine validates relaxed SIMD (Deno, Node, Chromium) and the strict one
// elsewhere.
const relaxedFlag = envFlag("CONVNET_WASM_RELAXED");
if (relaxedFlag !== undefined && relaxedFlag !== "" && relaxedFlag !== "0" && relaxedFlag !== "1") {
  throw new RangeError(`Cannot read CONVNET_WASM_RELAXED: use 1 or 0, got "${relaxedFlag}"`);
}
const relaxedBytes = relaxedFlag === "0" ? null : await fetchBytes("./kernels_relaxed.wasm");
const relaxedOk = relaxedBytes !== null && WebAssembly.validate(relaxedBytes);
if (relaxedFlag === "1" && !relaxedOk) {
  throw new Error(
    "Cannot start the WASM backend: CONVNET_WASM_RELAXED=1 asks for relaxed SIMD, which this " +
      "engine does not support; unset it to run the strict build",
  );
}

/**
 * Which build runs: "relaxed" (kernels_relaxed.wasm: the GEMM's multiply-adds fused by
 * relaxed_madd, one rounding instead of two, about 20 % faster; the default where supported) or
 * "release" (kernels.wasm: separate multiply and add, identical on every platform; with
 * CONVNET_WASM_RELAXED=0 or where relaxed SIMD is missing).
 */
export const build: "release" | "relaxed" = relaxedOk ? "relaxed" : "release";
const module = await WebAssembly.compile(
  relaxedOk ? relaxedBytes! : await fetchBytes("./kernels.wasm"),
);

/** The one linear memory every thread shares. */
export const memory = new WebAssembly.Memory({ initial: 2, maximum: MAX_PAGES, shared: true });
const instance = new WebAssembly.Instance(module, { env: { memory, abort: () => {} } });

/** A conv's dims as the module's functions take them: N, C, H, W, F, KH, KW, stride, pad, HO, WO. */
export type ConvDimsArgs = [
  N: number,
  C: number,
  H: number,
  W: number,
  F: number,
  KH: number,
  KW: number,
  s: number,
  pad: number,
  HO: number,
  WO: number,
];

/** The module's exports used from TypeScript. */
export const exports = instance.exports as unknown as {
  run(tid: number, nth: number): void;
  heapBase(): number;
  /** The paths of a conv (see `convPath` in assembly/conv_path.ts), its dims in `ConvDims` order. */
  convPath(...dims: ConvDimsArgs): number;
  convForwardScratch(...dims: ConvDimsArgs): number;
  convBackwardScratch(...dims: ConvDimsArgs): number;
  convBackwardSharedBytes(...dims: ConvDimsArgs): number;
  gemmScratch(M: number, N: number, K: number): number;
  convPoolReluForwardScratch(
    C: number,
    KH: number,
    KW: number,
    F: number,
    HO: number,
    WO: number,
    s: number,
  ): number;
  convPoolReluBackwardScratch(
    C: number,
    KH: number,
    KW: number,
    F: number,
    HO: number,
    WO: number,
    Hp: number,
    Wp: number,
  ): number;
};
if (exports.heapBase() > ARENA_BASE) {
  throw new Error(
    `Cannot start the WASM backend: its static data ends at byte ${exports.heapBase()}, past the arena start ${ARENA_BASE}; raise ARENA_BASE in kernels/wasm/_layout.ts`,
  );
}

// ctl: the control block's int32 words; args, result: its float64 words
const ctl = new Int32Array(memory.buffer, 0, 256);
const f64 = new Float64Array(memory.buffer, 0, 128);
const workers: Worker[] = [];
let threads = 1;

// In a browser (the web build, tasks/build_web.ts: no Deno, no Node) node:worker_threads is
// web/_worker_threads.ts, which starts a module Worker on the script's own URL; and a page that
// is not cross-origin isolated cannot share memory with workers, so it runs on one thread.
const runtime = globalThis as { Deno?: unknown; process?: unknown; crossOriginIsolated?: boolean };
const inBrowser = runtime.Deno === undefined && runtime.process === undefined;
const canShare = runtime.crossOriginIsolated !== false;

// Node's Worker takes only file: and data: URLs; from a web server, a data: module imports
// the worker script by its URL.
const workerUrl = new URL("./_worker.ts", import.meta.url);
const workerEntry = workerUrl.protocol === "file:" || inBrowser
  ? workerUrl
  : new URL(`data:text/javascript,import ${JSON.stringify(workerUrl.href)};`);

function startWorkers(count: number): number {
  const before = Atomics.load(ctl, READY);
  for (let i = 0; i < count; i++) {
    const tid = workers.length + 1;
    const worker = new Worker(workerEntry, { workerData: { module, memory, tid } });
    worker.unref();
    workers.push(worker);
  }
  return before + count;
}

function notReady(ready: number, count: number): Error {
  return new Error(
    `Cannot start the WASM worker threads: only ${
      count - (ready - Atomics.load(ctl, READY))
    } of ${count} became ready in 30 s`,
  );
}

// Blocks until `ready` workers have counted themselves ready.
function waitReady(ready: number, count: number): void {
  const deadline = Date.now() + 30_000;
  for (let seen = Atomics.load(ctl, READY); seen < ready; seen = Atomics.load(ctl, READY)) {
    if (Date.now() > deadline) throw notReady(ready, count);
    Atomics.wait(ctl, READY, seen, 100);
  }
}

// Waits without blocking, so the workers can load their modules while this module is still
// being evaluated (blocking there stalls a worker that fetches its script over HTTP).
async function waitReadyAsync(ready: number, count: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Atomics.load(ctl, READY) < ready) {
    if (Date.now() > deadline) throw notReady(ready, count);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

function checkThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS) {
    throw new RangeError(`Cannot set threads: need an integer in [1, ${MAX_THREADS}], got ${n}`);
  }
  if (n > 1 && !canShare) {
    throw new RangeError(
      `Cannot use ${n} threads: this page is not cross-origin isolated, so its memory cannot be ` +
        "shared with workers; serve it with the headers Cross-Origin-Opener-Policy: same-origin " +
        "and Cross-Origin-Embedder-Policy: require-corp (deno task serve does), or use 1 thread",
    );
  }
}

/** Sets how many threads (the main one included) the kernels use; starts workers as needed. */
export function setThreads(n: number): void {
  checkThreads(n);
  const missing = n - 1 - workers.length;
  if (missing > 0) waitReady(startWorkers(missing), missing);
  threads = n;
}

/**
 * `setThreads` for a browser Worker: a worker's own sub-workers start only while it runs its
 * event loop, so this waits for them without blocking.
 */
export async function setThreadsAsync(n: number): Promise<void> {
  checkThreads(n);
  const missing = n - 1 - workers.length;
  if (missing > 0) await waitReadyAsync(startWorkers(missing), missing);
  threads = n;
}

/** The number of threads the kernels use. */
export function getThreads(): number {
  return threads;
}

/**
 * Writes argument slot `i` (< MAX_ARGS) of the next job into the control block (_job.ts packs
 * an op's arguments by name through it).
 */
export function setArg(i: number, value: number): void {
  f64[ARGS + i] = value;
}

/**
 * Runs operation `op` (a code of _ops.ts) on `nth` threads (at most the current thread count),
 * its arguments already in the control block (`setArg`), and returns the job's scalar result.
 */
export function runJob(op: number, nth: number): number {
  nth = Math.max(1, Math.min(nth, threads));
  ctl[OP] = op;
  ctl[NTH] = nth;
  f64[RESULT] = 0;
  if (nth === 1) {
    exports.run(0, 1);
    return f64[RESULT];
  }
  Atomics.store(ctl, DONE, 0);
  Atomics.store(ctl, ERROR, 0);
  Atomics.add(ctl, GEN, 1);
  Atomics.notify(ctl, GEN);
  try {
    exports.run(0, nth);
  } finally {
    for (
      let done = Atomics.load(ctl, DONE);
      done < workers.length;
      done = Atomics.load(ctl, DONE)
    ) {
      Atomics.wait(ctl, DONE, done);
    }
  }
  if (Atomics.load(ctl, ERROR) !== 0) {
    throw new Error(`A WASM worker failed while running job ${op}`);
  }
  return f64[RESULT];
}

function defaultThreads(): number {
  const fromEnv = envFlag("CONVNET_THREADS");
  if (fromEnv !== undefined && fromEnv !== "") {
    const n = Number(fromEnv);
    if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS) {
      throw new RangeError(
        `Cannot read CONVNET_THREADS: need an integer in [1, ${MAX_THREADS}], got "${fromEnv}"`,
      );
    }
    return n;
  }
  return Math.max(1, Math.min(MAX_THREADS, navigator.hardwareConcurrency ?? 1));
}

// At least one worker starts here, even for one thread: a worker whose script is not yet
// loaded (imported by URL, first run) cannot load while the main thread blocks, so the script
// must be in the module cache before `setThreads` may block for more workers.
// Without shared memory (a page that is not cross-origin isolated) no worker starts.
if (canShare) {
  const n = defaultThreads(), start = Math.max(1, n - 1);
  await waitReadyAsync(startWorkers(start), start);
  threads = n;
}
