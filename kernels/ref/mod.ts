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
export * from "./axpy.ts";
export * from "./avgpool.ts";
export * from "./batchnorm.ts";
export * from "./cross_entropy.ts";
export * from "./dropout.ts";
export * from "./optim.ts";
export * from "./conv_pool_relu.ts";
