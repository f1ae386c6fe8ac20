/**
 * Runs test code on a given number of WASM threads and restores the previous count after.
 *
 * @module
 */

import { getThreads, setThreads } from "../kernels/wasm/mod.ts";

/** Runs `fn` with the WASM backend on `n` threads, then restores the previous thread count. */
export function withThreads<T>(n: number, fn: () => T): T {
  const before = getThreads();
  setThreads(n);
  try {
    return fn();
  } finally {
    setThreads(before);
  }
}
