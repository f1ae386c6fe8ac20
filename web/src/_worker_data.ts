/**
 * `workerData` of `node:worker_threads` in a browser kernel worker: the first message its
 * starter (web/src/_worker_threads.ts) posted, awaited at the module's top level. The web
 * build maps the kernel worker's `node:worker_threads` import here.
 *
 * @module
 */

interface WorkerScope {
  addEventListener(
    type: "message",
    listener: (e: { data: unknown }) => void,
    options: { once: boolean },
  ): void;
}

/** The data the worker was started with. */
export const workerData: unknown = await new Promise((resolve) => {
  (globalThis as unknown as WorkerScope).addEventListener("message", (e) => resolve(e.data), {
    once: true,
  });
});
