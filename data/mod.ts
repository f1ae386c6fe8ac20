/**
 * CIFAR-10 for the tasks: everything in `data/`, the downloader included.
 *
 * The root `mod.ts` re-exports all of this except the downloader (`ensureCifar10`,
 * `downloadCifar10`), which needs `node:crypto` and the network; tasks import it from here.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ensureCifar10 } from "./mod.ts";
 * // --cifar10-dir (here: a folder without data) wins, and is never downloaded into
 * await assert.rejects(ensureCifar10({ cifar10Dir: "/no/such/folder", download: true }), /Cannot find CIFAR-10/);
 * ```
 *
 * @module
 */

export * from "./cifar10.ts";
export * from "./locate.ts";
export * from "./splits.ts";
export * from "./normalize.ts";
export * from "./augment.ts";
export * from "./batches.ts";
export * from "./download.ts";
export { ImageSetDataset } from "./image_dataset.ts";
