/**
 * The library in a browser: the entry of `web/dist/convnet.js` (built by `deno task build:web`).
 * Everything `mod.ts` exports (the training library's `Trainer` included), plus what a page
 * needs to feed it: CIFAR-10 binary batches read from bytes (fetched, or files the user
 * picked), and the WASM thread count set without blocking. The `.wasm` files and `kernel_worker.js` sit next
 * to `convnet.js` and are found through `import.meta.url`.
 *
 * @module
 */

export * from "../../mod.ts";
export { setThreadsAsync } from "../../kernels/wasm/_runtime.ts";
export { getThreads, setThreads, wasmBuild } from "../../kernels/wasm/mod.ts";
export { setFloat32Backend } from "../../kernels/mod.ts";
export * from "./cifar10_bytes.ts";
