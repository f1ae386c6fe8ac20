// kernel_worker.js: built by `deno task build:web` from kernels/wasm/_worker.ts; do not edit.
// web/src/_worker_data.ts
var workerData = await new Promise((resolve) => {
  globalThis.addEventListener("message", (e) => resolve(e.data), {
    once: true
  });
});

// kernels/wasm/_layout.ts
var CTRL = 256;
var GEN = CTRL / 4;
var DONE = CTRL / 4 + 1;
var OP = CTRL / 4 + 2;
var NTH = CTRL / 4 + 3;
var READY = CTRL / 4 + 4;
var ERROR = CTRL / 4 + 5;
var RESULT = (CTRL + 32) / 8;
var ARGS = (CTRL + 64) / 8;

// kernels/wasm/_worker.ts
var { module, memory, tid } = workerData;
var instance = new WebAssembly.Instance(module, {
  env: {
    memory,
    abort: () => {
    }
  }
});
var run = instance.exports.run;
var ctl = new Int32Array(memory.buffer, 0, 256);
var seen = Atomics.load(ctl, GEN);
Atomics.add(ctl, READY, 1);
Atomics.notify(ctl, READY);
for (; ; ) {
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
