/**
 * What the WASM runtime (kernels/wasm/_runtime.ts, _worker.ts) uses of `node:worker_threads`,
 * on the browser's module Workers: the web build (tasks/build_web.ts) maps the import here.
 * `new Worker(url, { workerData })` starts a module Worker and posts `workerData` to it, which
 * the worker reads as `workerData` (web/src/_worker_data.ts).
 *
 * @module
 */

interface WebWorker {
  postMessage(message: unknown): void;
  addEventListener(type: "error", listener: (e: { message?: string }) => void): void;
}
type WebWorkerConstructor = new (url: URL, options: { type: "module" }) => WebWorker;

/** A module Worker started with its data, as Node's `new Worker(url, { workerData })`. */
export class Worker {
  #worker: WebWorker;

  constructor(url: URL, options: { workerData?: unknown } = {}) {
    const Web = (globalThis as unknown as { Worker: WebWorkerConstructor }).Worker;
    this.#worker = new Web(url, { type: "module" });
    this.#worker.addEventListener("error", (e) => {
      console.error(
        `Cannot start the WASM worker ${url.href}: ${e.message ?? "it failed to load"}`,
      );
    });
    this.#worker.postMessage(options.workerData);
  }

  /** Browsers have no unref: a worker ends with its page. */
  unref(): void {}
}
