/**
 * `--backend` and `--threads` of the training and prediction tasks: the hook between the
 * command line and `kernels/mod.ts`: it picks the backend float32 runs on (`wasm`, the
 * default, or `ref`) and the WASM thread count.
 *
 * @module
 */

import { setFloat32Backend } from "../kernels/mod.ts";
import { setThreads } from "../kernels/wasm/mod.ts";

/** The values `--backend` accepts. */
export const BACKENDS = ["ref", "wasm", "auto"] as const;
/** A backend name. */
export type BackendName = (typeof BACKENDS)[number];

/** The backend a run uses, as printed in its configuration. */
export interface SelectedBackend {
  /** The kernels' own name (`kernelsFor("float32").name`). */
  name: string;
  threads: number;
}

/**
 * Checks that the backend asked for is available and returns what float32 runs on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { selectBackend } from "./_train_backend.ts";
 * assert.equal(selectBackend("ref", 1).name, "ref");
 * assert.equal(selectBackend("auto", 1).name, "wasm");
 * ```
 */
export function selectBackend(backend: BackendName, threads: number): SelectedBackend {
  const name = backend === "auto" ? "wasm" : backend;
  const kernels = setFloat32Backend(name);
  if (name === "ref") return { name: kernels.name, threads: 1 }; // plain single-threaded loops
  setThreads(threads);
  return { name: kernels.name, threads };
}
