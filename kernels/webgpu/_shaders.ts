/**
 * The WGSL sources, one file per kernel under kernels/webgpu/wgsl/, imported as text. The
 * GEMM-shaped kernels (matmul and the three conv kernels) get the shared tiled main loop of
 * wgsl/_gemm_tile.wgsl appended.
 *
 * @module
 */

import gemmTile from "./wgsl/_gemm_tile.wgsl" with { type: "text" };
import matmul from "./wgsl/matmul.wgsl" with { type: "text" };
import conv2dForward from "./wgsl/conv2d_forward.wgsl" with { type: "text" };
import conv2dBackwardData from "./wgsl/conv2d_backward_data.wgsl" with { type: "text" };
import conv2dBackwardFilter from "./wgsl/conv2d_backward_filter.wgsl" with { type: "text" };
import channelSum from "./wgsl/channel_sum.wgsl" with { type: "text" };
import addBias from "./wgsl/add_bias.wgsl" with { type: "text" };
import reluForward from "./wgsl/relu_forward.wgsl" with { type: "text" };
import reluBackward from "./wgsl/relu_backward.wgsl" with { type: "text" };
import maxPoolForward from "./wgsl/max_pool_forward.wgsl" with { type: "text" };
import maxPoolBackward from "./wgsl/max_pool_backward.wgsl" with { type: "text" };
import softmaxCrossEntropy from "./wgsl/softmax_cross_entropy.wgsl" with { type: "text" };
import softmaxCrossEntropySmoothed from "./wgsl/softmax_cross_entropy_smoothed.wgsl" with {
  type: "text",
};
import axpy from "./wgsl/axpy.wgsl" with { type: "text" };
import sgdStep from "./wgsl/sgd_step.wgsl" with { type: "text" };
import adamStep from "./wgsl/adam_step.wgsl" with { type: "text" };
import avgPoolForward from "./wgsl/avg_pool_forward.wgsl" with { type: "text" };
import avgPoolBackward from "./wgsl/avg_pool_backward.wgsl" with { type: "text" };
import batchNormForward from "./wgsl/batch_norm_forward.wgsl" with { type: "text" };
import batchNormBackward from "./wgsl/batch_norm_backward.wgsl" with { type: "text" };
import dropoutForward from "./wgsl/dropout_forward.wgsl" with { type: "text" };
import dropoutBackward from "./wgsl/dropout_backward.wgsl" with { type: "text" };

const withTile = (src: string) => () => `${src}\n${gemmTile}`;
const plain = (src: string) => () => src;

/** A shader's name: its file under wgsl/. */
export type ShaderName =
  | "matmul"
  | "conv2d_forward"
  | "conv2d_backward_data"
  | "conv2d_backward_filter"
  | "channel_sum"
  | "add_bias"
  | "relu_forward"
  | "relu_backward"
  | "max_pool_forward"
  | "max_pool_backward"
  | "softmax_cross_entropy"
  | "softmax_cross_entropy_smoothed"
  | "axpy"
  | "sgd_step"
  | "adam_step"
  | "avg_pool_forward"
  | "avg_pool_backward"
  | "batch_norm_forward"
  | "batch_norm_backward"
  | "dropout_forward"
  | "dropout_backward";

/** Each shader's full source, by name. */
export const SHADERS: Record<ShaderName, () => string> = {
  matmul: withTile(matmul),
  conv2d_forward: withTile(conv2dForward),
  conv2d_backward_data: withTile(conv2dBackwardData),
  conv2d_backward_filter: withTile(conv2dBackwardFilter),
  channel_sum: plain(channelSum),
  add_bias: plain(addBias),
  relu_forward: plain(reluForward),
  relu_backward: plain(reluBackward),
  max_pool_forward: plain(maxPoolForward),
  max_pool_backward: plain(maxPoolBackward),
  softmax_cross_entropy: plain(softmaxCrossEntropy),
  softmax_cross_entropy_smoothed: plain(softmaxCrossEntropySmoothed),
  axpy: plain(axpy),
  sgd_step: plain(sgdStep),
  adam_step: plain(adamStep),
  avg_pool_forward: plain(avgPoolForward),
  avg_pool_backward: plain(avgPoolBackward),
  batch_norm_forward: plain(batchNormForward),
  batch_norm_backward: plain(batchNormBackward),
  dropout_forward: plain(dropoutForward),
  dropout_backward: plain(dropoutBackward),
};

function wgslConst(src: string, name: string): number {
  const m = new RegExp(`const ${name}: u32 = (\\d+);`).exec(src);
  if (m === null) throw new Error(`Cannot find const ${name} in wgsl/_gemm_tile.wgsl`);
  return Number(m[1]);
}

/** Outputs per invocation of the tiled GEMM, read from wgsl/_gemm_tile.wgsl (one source). */
export const GEMM_PER_INVOCATION = { M: wgslConst(gemmTile, "TM"), N: wgslConst(gemmTile, "TN") };
