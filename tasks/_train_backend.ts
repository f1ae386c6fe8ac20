/**
 * `--backend` and `--threads` of the training and prediction tasks: the hook between the
 * command line and `kernels/mod.ts`. Today only the reference kernels exist; when the WASM
 * SIMD kernels land, `selectBackend` is the one place to connect them (`kernels/mod.ts` picks
 * the float32 backend, this function asks it for the one named and sets its thread count).
 *
 * @module
 */

import { kernelsFor } from "../kernels/mod.ts";

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
 * ```
 */
export function selectBackend(backend: BackendName, threads: number): SelectedBackend {
  const active = kernelsFor("float32").name;
  if (backend !== "auto" && backend !== active) {
    throw new RangeError(
      `Cannot use --backend ${backend}: float32 runs on the "${active}" kernels in this build; ` +
        `use --backend ${active} or auto`,
    );
  }
  // The reference kernels are single-threaded; a threaded backend reads `threads` here.
  return { name: active, threads: active === "ref" ? 1 : threads };
}
