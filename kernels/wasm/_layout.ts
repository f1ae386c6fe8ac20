/**
 * The memory layout shared by the TypeScript side and kernels/wasm/assembly/index.ts: the
 * control block through which the main thread posts a job to the workers, and where the
 * arena starts (the ops, their codes and their arguments: _ops.ts). Bytes 0–239 stay unused,
 * 240–243 hold the partial-tile switch, the control block sits at 256, the module's static
 * data (math tables) at 1024 upwards, and the arena from 64 KiB.
 *
 * @module
 */

/**
 * Byte offset of the int32 that, when nonzero, keeps the conv paths off Winograd's partial tile
 * grids (PARTIAL_TILES_OFF in assembly/conv_path.ts, read by every thread's `convPath`).
 */
export const PARTIAL_TILES_OFF = 240;
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
