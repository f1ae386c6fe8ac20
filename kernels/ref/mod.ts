/**
 * The reference backend: plain TypeScript loops that define what every kernel computes.
 *
 * @module
 */

export * from "./conv2d.ts";
export * from "./pool2d.ts";
export * from "./gemm.ts";
export * from "./elementwise.ts";
export * from "./loss.ts";
export * from "./optim.ts";
