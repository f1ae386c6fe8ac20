/**
 * One extra thread of the WASM backend: instantiates the kernels module on the shared memory,
 * then loops forever: wait for the next job generation, run its share (`run(tid, nth)`),
 * count itself done. Spawned (and unref'd) by kernels/wasm/_pool.ts.
 *
 * @module
 */

import { workerData } from "node:worker_threads";
import { DONE, ERROR, GEN, NTH, OP, READY } from "./_layout.ts";

const { module, memory, tid } = workerData as {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  tid: number;
};
const instance = new WebAssembly.Instance(module, { env: { memory, abort: () => {} } });
const run = instance.exports.run as (tid: number, nth: number) => void;
// ctl: the control block's int32 words (the first KiB never moves when memory grows)
const ctl = new Int32Array(memory.buffer, 0, 256);

let seen = Atomics.load(ctl, GEN);
Atomics.add(ctl, READY, 1);
Atomics.notify(ctl, READY);
for (;;) {
  Atomics.wait(ctl, GEN, seen);
  const gen = Atomics.load(ctl, GEN);
  if (gen === seen) continue;
  seen = gen;
  if (Atomics.load(ctl, OP) < 0) break;
  const nth = Atomics.load(ctl, NTH);
  try {
    if (tid < nth) run(tid, nth);
  } catch {
    Atomics.store(ctl, ERROR, 1);
  }
  Atomics.add(ctl, DONE, 1);
  Atomics.notify(ctl, DONE);
}
