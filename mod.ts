/**
 * convnet.ts — train convolutional networks from scratch in Deno: every forward, backward,
 * optimizer step and data-pipeline stage in plain, readable code, with WebAssembly SIMD
 * kernels for speed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Rng, Tensor } from "./mod.ts";
 * const x = Tensor.randn([2, 3, 8, 8], new Rng(0));
 * assert.deepEqual(x.shape, [2, 3, 8, 8]);
 * ```
 *
 * @module
 */

export { arrayFor, shapeSize, Tensor } from "./core/tensor.ts";
export type { DType, TensorData } from "./core/tensor.ts";
export { Rng } from "./core/random.ts";
export type { AffineDims, ConvDims, LossDims, PoolDims } from "./core/dims.ts";
export * from "./nn/layers/mod.ts";
export type {
  AffineCache,
  ConvCache,
  ConvParam,
  Forward,
  Labels,
  LossResult,
  MaxPoolCache,
  PoolParam,
  ReluCache,
  WeightGrads,
} from "./nn/types.ts";
export {
  evalNumericalGradient,
  evalNumericalGradientArray,
  gradientErrors,
  relError,
} from "./nn/gradcheck.ts";
export type { CheckedLayer, GradientErrorsOptions } from "./nn/gradcheck.ts";
export * from "./nn/modules/mod.ts";
export { crossEntropy } from "./nn/losses.ts";
export type { CrossEntropyOptions, CrossEntropyResult } from "./nn/losses.ts";
export { Adam, AdamBase, AdamW, Optimizer, SGD } from "./nn/optim.ts";
export type { AdamOptions, OptimizerGroup, ParamGroup, SGDOptions } from "./nn/optim.ts";
export { batchNormGroups } from "./nn/param_groups.ts";
export type { BatchNormGroupOptions } from "./nn/param_groups.ts";
export { diracInit, WHITENING_EPS, whiteningInit } from "./nn/init.ts";
export type { WhiteningOptions, WhiteningReport } from "./nn/init.ts";
export { symmetricEigen } from "./nn/linalg.ts";
export type { SymmetricEigen } from "./nn/linalg.ts";
export { lookaheadDecay, WeightAverage } from "./nn/weight_average.ts";
export type { LookaheadDecayOptions, WeightAverageOptions } from "./nn/weight_average.ts";
export { flipHorizontal, predictTta, translate } from "./nn/tta.ts";
export type { TtaOptions } from "./nn/tta.ts";
export { cosineWithWarmup, oneCycle, stepDecay } from "./nn/schedule.ts";
export type { CosineOptions, OneCycleOptions, Schedule, StepDecayOptions } from "./nn/schedule.ts";
export { CNN, type ModelOptions } from "./nn/models/convnet.ts";
export { MyModel, MYMODEL_DEFAULTS, myModelFlops } from "./nn/models/mymodel.ts";
export type { MyModelOptions } from "./nn/models/mymodel.ts";
export { AirNet, AIRNET_WIDTHS, airNetFlops } from "./nn/models/airnet.ts";
export type { AirNetOptions } from "./nn/models/airnet.ts";
export type { ImSize } from "./nn/models/_args.ts";
export {
  CIFAR10_CLASSES,
  IMAGE_BYTES,
  IMAGE_SHAPE,
  imageCount,
  loadCifar10,
} from "./data/cifar10.ts";
export type { Cifar10, ImageSet } from "./data/cifar10.ts";
export {
  BINARY_FOLDER,
  CIFAR10_DIR_HELP,
  CIFAR10_DIR_OPTION,
  defaultCifar10Dir,
  findCifar10Batches,
  locateCifar10,
  missingCifar10Error,
  PYTHON_FOLDER,
} from "./data/locate.ts";
export type { Cifar10Batches, Cifar10Location } from "./data/locate.ts";
export { sliceImages, splitCifar10 } from "./data/splits.ts";
export type { Cifar10Splits, SplitOptions } from "./data/splits.ts";
export { channelMeanStd, meanImage, Normalization } from "./data/normalize.ts";
export type { NormalizationJSON } from "./data/normalize.ts";
export { alternatingFlip } from "./data/augment.ts";
export type { AugmentOptions, PadMode } from "./data/augment.ts";
export { batchCount, batches, labelsInt32, makeBatch, toTensor } from "./data/batches.ts";
export type { Batch, BatchBuffers, BatchOptions, ConvertOptions } from "./data/batches.ts";
export {
  decodeSafetensors,
  encodeSafetensors,
  loadSafetensors,
  saveSafetensors,
} from "./nn/safetensors.ts";
export {
  buildModel,
  decodeWeights,
  encodeTrainCheckpoint,
  encodeWeights,
  firstConvName,
  loadTrainCheckpoint,
  loadWeights,
  MODEL_NAMES,
  peekTrainCheckpoint,
  TRAIN_FORMAT,
  WEIGHTS_FORMAT,
} from "./nn/checkpoint.ts";
export type {
  ExtraState,
  LoadedWeights,
  ModelConfig,
  ModelName,
  TrainState,
  WeightsOptions,
} from "./nn/checkpoint.ts";
export type {
  SafeArray,
  SafeDType,
  SafeTensor,
  SafeTensorInput,
  SafeTensors,
} from "./nn/safetensors.ts";
export { convBackward, convForward, maxPoolBackward, maxPoolForward } from "./nn/fast_layers.ts";
export { freeWasmArray, getThreads, setThreads, wasmArray } from "./kernels/wasm/mod.ts";
export { ThreeLayerConvNet, TwoLayerConvNet } from "./nn/classifiers.ts";
export type { ConvNetOptions } from "./nn/classifiers.ts";
export { argmaxRows, DivergenceError, Solver, UPDATE_RULES } from "./nn/solver.ts";
export type { Check, Classifier, SolverOptions, UpdateRule } from "./nn/solver.ts";
export { TensorDataset } from "./core/dataset.ts";
export type { Dataset } from "./core/dataset.ts";
export { gpuKernels, GpuTensor, releaseDevice, webgpuAvailable } from "./kernels/webgpu/mod.ts";
export type {
  AdapterSummary,
  Binding,
  Dispatch,
  GpuArg,
  GpuContext,
  GpuDType,
  ShaderName,
} from "./kernels/webgpu/mod.ts";
export { GpuTrainStep } from "./train/gpu.ts";
export type { GpuTrainStepOptions } from "./train/gpu.ts";
export { LossRing } from "./kernels/webgpu/ring.ts";
export type { AsyncKernels } from "./kernels/webgpu/mod.ts";
export type { DeviceStorage, Placement } from "./core/tensor.ts";
export type { GpuStorage, ModulePlacement } from "./nn/modules/module.ts";
// Deprecated: the hand-written GPU copies of two models, now wrappers over GpuTrainStep.
export { GpuCNN, GpuMyModel } from "./train/gpu_legacy.ts";
export type { GpuCNNOptions, GpuMyModelOptions, ImageClassifier } from "./train/gpu_legacy.ts";
// The training library (train/mod.ts): the Trainer and its events, sessions, evaluation,
// backends, run folders; its charts (train/viz/, npm packages) stay outside mod.ts.
export * from "./train/mod.ts";
