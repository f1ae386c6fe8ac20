/**
 * A ring of per-image losses on the GPU: each training step copies its (N) losses into the next
 * row of a (steps, B) buffer inside the step's command buffer; `read` brings the rows back
 * with one wait (optionally with the last step's scores) and returns each step's mean loss.
 *
 * @module
 */

import type { GpuContext } from "./_context.ts";
import { GpuTensor } from "./tensor.ts";
import { Tensor } from "../../core/tensor.ts";

/** Per-step losses kept on the GPU until read. */
export class LossRing {
  /** The context (device) the ring's buffer belongs to. */
  readonly ctx: GpuContext;
  /** Rows: the steps it holds between reads. */
  readonly steps: number;
  /** Most losses per row (the largest batch). */
  readonly batchSize: number;
  readonly #buffer: GpuTensor; // losses: (steps, batchSize)
  readonly #n: number[] = []; // images in each step held
  #lastN = 0;

  private constructor(ctx: GpuContext, steps: number, batchSize: number, buffer: GpuTensor) {
    this.ctx = ctx;
    this.steps = steps;
    this.batchSize = batchSize;
    this.#buffer = buffer;
  }

  /** A ring of `steps` rows of up to `batchSize` losses. */
  static async create(ctx: GpuContext, steps: number, batchSize: number): Promise<LossRing> {
    if (!Number.isInteger(steps) || steps < 1) {
      throw new RangeError(
        `Cannot create a loss ring: lossEvery must be an integer ≥ 1, got ${steps}`,
      );
    }
    return new LossRing(ctx, steps, batchSize, await GpuTensor.zeros([steps, batchSize]));
  }

  /** True when every row holds a step that was not read yet. */
  get full(): boolean {
    return this.#n.length === this.steps;
  }

  /** Records the copy of a step's N losses (losses: (≥ N)) into the next row. */
  push(losses: GpuTensor, N: number): void {
    if (this.full) {
      throw new RangeError(`Cannot record a step: the loss ring holds ${this.steps} unread steps`);
    }
    const offset = 4 * this.#n.length * this.batchSize;
    this.ctx.encoder.copyBufferToBuffer(losses.buffer, 0, this.#buffer.buffer, offset, 4 * N);
    this.#n.push(N);
    this.#lastN = N;
  }

  /**
   * The mean loss of each step since the last read, and (when `scores` is given) the last
   * step's (N, K) scores, with one wait. Empties the ring.
   */
  async read(
    scores: GpuTensor | null,
    K: number,
  ): Promise<{ losses: number[]; scores?: Tensor }> {
    if (this.#n.length === 0 && scores === null) return { losses: [] };
    const N = this.#lastN;
    const reads: [GPUBuffer, number][] = [[this.#buffer.buffer, 4 * this.#buffer.size]];
    if (scores) reads.push([scores.buffer, 4 * N * K]);
    const [ring, s] = await this.ctx.readMany(reads);
    const all = new Float32Array(ring);
    const losses = this.#n.map((n, step) => {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += all[step * this.batchSize + i];
      return sum / n;
    });
    this.#n.length = 0;
    return { losses, scores: s && new Tensor(new Float32Array(s), [N, K]) };
  }

  /** Frees the ring's buffer. */
  destroy(): void {
    this.#buffer.destroy();
  }
}
