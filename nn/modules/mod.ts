/**
 * The module API: layers with `forward`/`backward`, named parameters and buffers, train/eval
 * modes, and containers (`Sequential`, `Residual`).
 *
 * @module
 */

export { type Buffer, Module, type Parameter, type StateDict } from "./module.ts";
export { Sequential, skipInputGradient } from "./sequential.ts";
export { Residual, type ResidualOptions } from "./residual.ts";
export { Conv2d, type Conv2dOptions } from "./conv.ts";
export { AvgPool2d, GlobalAvgPool, MaxPool2d, type PoolOptions } from "./pool.ts";
export { Linear, type LinearOptions } from "./linear.ts";
export { ReLU } from "./activation.ts";
export { Scale } from "./scale.ts";
export { Flatten } from "./flatten.ts";
export { Dropout, type DropoutOptions } from "./dropout.ts";
export { BatchNorm2d, type BatchNorm2dOptions } from "./batchnorm.ts";
