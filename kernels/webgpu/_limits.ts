/**
 * WebGPU limit checks, run before every buffer creation and dispatch. Past these limits WebGPU
 * does not fail loudly: it raises an uncaptured validation error and the dispatch does
 * nothing, leaving stale outputs. So each check throws a `RangeError` naming the operation,
 * the size asked for and the device's limit, before anything is recorded.
 *
 * @module
 */

/** The limits the backend checks (a subset of `GPUSupportedLimits`). */
export interface CheckedLimits {
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
  readonly maxComputeWorkgroupsPerDimension: number;
}

/**
 * Throws unless a buffer of `bytes` can be created and bound as storage.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkBufferSize } from "./_limits.ts";
 * const limits = { maxStorageBufferBindingSize: 1024, maxBufferSize: 4096, maxComputeWorkgroupsPerDimension: 8 };
 * assert.throws(() => checkBufferSize("conv2dForward", "x", 2048, limits), RangeError);
 * ```
 */
export function checkBufferSize(
  op: string,
  name: string,
  bytes: number,
  limits: CheckedLimits,
): void {
  if (!Number.isSafeInteger(bytes) || bytes < 0) {
    throw new RangeError(
      `Cannot run ${op}: buffer "${name}" has an invalid size of ${bytes} bytes`,
    );
  }
  if (bytes > limits.maxBufferSize) {
    throw new RangeError(
      `Cannot run ${op}: buffer "${name}" needs ${bytes} bytes, over this device's ` +
        `maxBufferSize of ${limits.maxBufferSize}; use a smaller batch`,
    );
  }
  if (bytes > limits.maxStorageBufferBindingSize) {
    throw new RangeError(
      `Cannot run ${op}: buffer "${name}" needs ${bytes} bytes, over this device's ` +
        `maxStorageBufferBindingSize of ${limits.maxStorageBufferBindingSize}; use a smaller batch`,
    );
  }
}

/** Throws unless a dispatch of `groups` workgroups fits maxComputeWorkgroupsPerDimension. */
export function checkWorkgroups(
  op: string,
  groups: readonly [number, number, number],
  limits: CheckedLimits,
): void {
  const max = limits.maxComputeWorkgroupsPerDimension;
  groups.forEach((g, axis) => {
    if (!Number.isInteger(g) || g < 0 || g > max) {
      throw new RangeError(
        `Cannot run ${op}: it needs ${g} workgroups along ${"xyz"[axis]} (grid ${
          groups.join("×")
        }), over this device's maxComputeWorkgroupsPerDimension of ${max}; use a smaller batch`,
      );
    }
  });
}

/**
 * The workgroup grid for `count` independent items, `perGroup` items per workgroup: one row
 * of up to `maxPerDim` workgroups, and as many rows as needed (so that element-wise kernels
 * reach past 65535 × perGroup items). Kernels rebuild the flat index from (x, y).
 */
export function grid1d(
  count: number,
  perGroup: number,
  maxPerDim: number,
): [number, number, number] {
  const groups = Math.ceil(count / perGroup);
  if (groups <= maxPerDim) return [groups, 1, 1];
  return [maxPerDim, Math.ceil(groups / maxPerDim), 1];
}
