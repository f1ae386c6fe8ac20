/**
 * The memory layout shared by the TypeScript side and kernels/wasm/assembly/index.ts: the
 * control block through which the main thread posts a job to the workers, and where the
 * arena starts. Byte 0–255 stay unused, the control block sits at 256, the module's static
 * data (math tables) at 1024 upwards, and the arena from 64 KiB.
 *
 * @module
 */

/** Byte offset of the control block (CTRL in assembly/index.ts). */
export const CTRL = 256;
/** Int32 index of the job generation counter, bumped once per posted job. */
export const GEN = CTRL / 4;
/** Int32 index of the count of workers that finished the current job. */
export const DONE = CTRL / 4 + 1;
/** Int32 index of the operation code. */
export const OP = CTRL / 4 + 2;
/** Int32 index of the number of threads sharing the job. */
export const NTH = CTRL / 4 + 3;
/** Int32 index of the count of workers that are ready. */
export const READY = CTRL / 4 + 4;
/** Int32 index of the error flag a worker sets when its share threw. */
export const ERROR = CTRL / 4 + 5;
/** Float64 index of the job's scalar result. */
export const RESULT = (CTRL + 32) / 8;
/** Float64 index of the first job argument. */
export const ARGS = (CTRL + 64) / 8;
/** The most arguments a job takes. */
export const MAX_ARGS = 24;
/** Byte offset where the arena starts. */
export const ARENA_BASE = 65536;
/** Operation codes of `run` in assembly/index.ts. */
export const Op = {
  convForward: 1,
  convBackward: 2,
  maxPoolForward: 4,
  maxPoolBackward: 5,
  gemm: 6,
  addRowBias: 7,
  sumRows: 8,
  reluForward: 9,
  reluBackward: 10,
  softmaxCrossEntropy: 11,
  svmLoss: 12,
  sgdStep: 13,
  adamStep: 14,
  // 20–27: the module kernels (numbered apart from the conv/gemm ops, which may grow)
  avgPoolForward: 20,
  avgPoolBackward: 21,
  batchNormForward: 22,
  batchNormBackward: 23,
  dropoutForward: 24,
  dropoutBackward: 25,
  softmaxCrossEntropySmoothed: 26,
  axpy: 27,
  // 28–29: the Part 1 Solver's kernels
  rmspropStep: 28,
  sumOfSquares: 29,
  // 30–31: the Part 1 ConvNets' fused first layer (conv – 2×2 max-pool – relu)
  convPoolReluForward: 30,
  convPoolReluBackwardFilter: 31,
  // 32: the max-pool backward's argmax check, run before its scatter
  argmaxOutside: 32,
} as const;
