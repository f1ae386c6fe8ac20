/**
 * The differential case table of the WASM kernels: conv and max-pool shapes covering batch 1,
 * channels 1 to 64, odd sizes, strides 1–4, padding 0–3, non-square kernels, windows that leave
 * a remainder (PyTorch's floored output sizes) and pooling windows with all-negative and tied
 * values, with and without `ceilMode`. Used by tests/wasm_kernels_test.ts and the WebGPU tests.
 *
 * @module
 */

/** A conv case: x (N, C, H, W), w (F, C, KH, KW), stride, pad. */
export type ConvCase = readonly [readonly number[], readonly number[], number, number];

/** How a pool case fills x: random, all negative, or with ties in every window. */
export type Fill = "random" | "negative" | "ties";

/** A pool case: x (N, C, H, W), poolHeight, poolWidth, stride, fill, ceilMode (default false). */
export type PoolCase = readonly [readonly number[], number, number, number, Fill, boolean?];

/** Conv cases. */
export const CONV_CASES: readonly ConvCase[] = [
  [[1, 1, 5, 5], [1, 1, 3, 3], 1, 0],
  [[1, 3, 7, 7], [4, 3, 3, 3], 1, 1],
  [[2, 3, 8, 8], [5, 3, 3, 3], 1, 1],
  [[1, 3, 31, 31], [25, 3, 3, 3], 2, 1],
  [[2, 3, 32, 32], [4, 3, 7, 7], 1, 3],
  [[1, 64, 9, 9], [8, 64, 3, 3], 1, 1],
  [[1, 16, 10, 10], [64, 16, 1, 1], 1, 0],
  [[3, 2, 11, 9], [3, 2, 3, 3], 2, 0],
  [[1, 5, 13, 13], [6, 5, 5, 5], 2, 2],
  [[1, 4, 10, 12], [7, 4, 2, 3], 1, 0],
  [[1, 3, 9, 9], [2, 3, 3, 3], 3, 0],
  [[2, 2, 10, 10], [3, 2, 4, 4], 3, 0],
  [[1, 1, 1, 1], [1, 1, 1, 1], 1, 0],
  [[1, 2, 5, 7], [3, 2, 5, 1], 1, 0],
  [[1, 2, 6, 6], [3, 2, 1, 5], 1, 2],
  [[1, 6, 15, 15], [9, 6, 3, 3], 1, 3],
  [[1, 3, 8, 8], [2, 3, 8, 8], 1, 0],
  [[1, 3, 4, 4], [2, 3, 5, 5], 1, 1],
  [[4, 3, 16, 16], [10, 3, 3, 3], 1, 0],
  [[1, 32, 7, 7], [33, 32, 3, 3], 1, 1],
  [[1, 7, 13, 11], [11, 7, 3, 5], 2, 1],
  [[1, 1, 17, 17], [1, 1, 3, 3], 2, 0],
  [[2, 8, 12, 12], [16, 8, 5, 5], 1, 2],
  [[1, 3, 20, 20], [4, 3, 2, 2], 2, 0],
  [[1, 2, 7, 7], [5, 2, 3, 3], 3, 1],
  [[1, 12, 6, 6], [12, 12, 3, 3], 1, 1],
  [[3, 1, 28, 28], [6, 1, 5, 5], 1, 0],
  [[1, 3, 11, 11], [6, 3, 7, 7], 2, 3],
  [[1, 9, 9, 9], [1, 9, 3, 3], 1, 0],
  [[1, 2, 3, 9], [4, 2, 3, 1], 1, 0],
  [[1, 2, 9, 3], [4, 2, 1, 3], 1, 0],
  [[5, 3, 5, 5], [2, 3, 3, 3], 2, 1],
  [[1, 40, 8, 8], [24, 40, 3, 3], 1, 1],
  [[1, 3, 33, 33], [8, 3, 3, 3], 2, 1],
  [[1, 4, 6, 6], [4, 4, 3, 3], 1, 3],
  [[2, 5, 10, 10], [7, 5, 3, 3], 1, 2],
  // 3×3 stride 1 with ≥ 8 channels and 8-wide output rows: the Winograd F(2×2, 3×3) path
  [[2, 8, 8, 8], [5, 8, 3, 3], 1, 1],
  [[1, 16, 16, 16], [12, 16, 3, 3], 1, 1], // data gradient too
  [[1, 9, 10, 18], [7, 9, 3, 3], 1, 0],
  [[3, 12, 6, 8], [4, 12, 3, 3], 1, 1],
  [[1, 8, 36, 24], [6, 8, 3, 3], 1, 1],
  // … and for the data gradient (≥ 8 filters, 8-wide input rows), with padding 0, 1 and 2
  [[1, 6, 10, 16], [10, 6, 3, 3], 1, 0],
  [[2, 4, 8, 8], [8, 4, 3, 3], 1, 2],
  // Winograd with more filters than channels (partial last filter panel)
  [[2, 8, 8, 8], [13, 8, 3, 3], 1, 1],
  [[1, 8, 16, 16], [32, 8, 3, 3], 1, 1],
  // 4-wide maps: Winograd over the 2×2 tiles of two tile rows, bands of up to 16 images
  [[2, 8, 4, 4], [6, 8, 3, 3], 1, 1],
  [[3, 16, 4, 4], [16, 16, 3, 3], 1, 1], // data gradient too
  [[1, 12, 8, 4], [9, 12, 3, 3], 1, 1],
  [[20, 8, 4, 4], [8, 8, 3, 3], 1, 1], // two bands
  [[2, 8, 6, 6], [8, 8, 3, 3], 1, 0],
  [[3, 8, 4, 4], [16, 8, 3, 3], 1, 1],
  // partial tile grids (winogradPartialFits): odd maps as after AirNet's unpadded stem (31, 15,
  // 7, 3) and 5, 9, non-square, filters and channels not multiples of the blocks; computed on
  // the grid rounded up, the outputs outside dropped
  [[2, 19, 31, 31], [24, 19, 3, 3], 1, 1],
  [[2, 20, 15, 15], [27, 20, 3, 3], 1, 1],
  [[1, 24, 15, 15], [16, 24, 3, 3], 1, 1],
  [[1, 16, 15, 15], [24, 16, 3, 3], 1, 1], // one image: the column-split filter gradient
  [[3, 17, 7, 7], [13, 17, 3, 3], 1, 1],
  [[20, 12, 3, 3], [12, 12, 3, 3], 1, 1], // 4-wide grid, two bands
  [[2, 9, 5, 5], [11, 9, 3, 3], 1, 1],
  [[2, 10, 9, 9], [10, 10, 3, 3], 1, 1],
  [[1, 16, 7, 13], [16, 16, 3, 3], 1, 0],
  [[2, 8, 5, 5], [8, 8, 3, 3], 1, 2],
  [[20, 8, 7, 7], [8, 8, 3, 3], 1, 1], // 2–3 images per filter chunk
  // a small dw over more images than its 24 chunks: the filter gradient splits the images
  [[30, 3, 9, 9], [4, 3, 3, 3], 2, 1],
  // stride 2 from column-phase planes (stride2.ts): the forward (8-wide output rows, K ≤ 80),
  // the data gradient (≤ 32 channels, whole 8-column tiles) and the chunked filter gradient
  // (4-wide output rows), with odd and even pads and kernels
  [[2, 3, 31, 31], [25, 3, 3, 3], 2, 1],
  [[26, 3, 15, 15], [5, 3, 3, 3], 2, 1],
  [[2, 1, 16, 16], [3, 1, 2, 2], 2, 0],
  [[2, 2, 16, 16], [9, 2, 4, 4], 2, 1],
  [[2, 3, 17, 15], [6, 3, 5, 3], 2, 1],
  [[2, 4, 15, 15], [6, 4, 3, 3], 2, 0],
  [[2, 5, 15, 15], [7, 5, 5, 5], 2, 2],
  [[2, 4, 14, 14], [5, 4, 2, 2], 2, 3],
  [[2, 3, 15, 31], [6, 3, 3, 5], 2, 1],
  [[2, 32, 15, 15], [8, 32, 3, 3], 2, 1],
  // windows that leave a remainder, floored as PyTorch: (H + 2·pad − K) / stride not whole.
  // 3×3 s2 p1 on an even map (32 → 16): the stride-2 forward and filter gradient, GEMM data
  [[2, 3, 32, 32], [4, 3, 3, 3], 2, 1],
  // … on 30×30 (→ 15): im2col without the padded copy, the stride-2 data gradient
  [[2, 3, 30, 30], [4, 3, 3, 3], 2, 1],
  // 4×4 s2 p2 on 31×31 (→ 16): all three stride-2 paths with a remainder
  [[2, 3, 31, 31], [4, 3, 4, 4], 2, 2],
  // more channels: the GEMM forward and data gradient, the stride-2 filter gradient
  [[2, 32, 16, 16], [8, 32, 3, 3], 2, 1],
  [[1, 4, 16, 16], [6, 4, 5, 5], 2, 1], // 5×5 s2 p1: 13 / 2
  [[2, 2, 10, 11], [3, 2, 3, 3], 3, 1], // s3: exact in H, a remainder in W
  [[1, 2, 13, 13], [3, 2, 3, 3], 3, 0],
  [[1, 2, 7, 7], [2, 2, 2, 2], 3, 0], // kernel < stride: rows 2, 5 and 6 never read
  [[2, 3, 9, 12], [4, 3, 2, 2], 4, 1],
];

/** Max-pool cases. */
export const POOL_CASES: readonly PoolCase[] = [
  [[1, 1, 4, 4], 2, 2, 2, "random"],
  [[2, 3, 8, 8], 2, 2, 2, "random"],
  [[1, 3, 32, 32], 2, 2, 2, "random"],
  [[1, 2, 9, 9], 3, 3, 3, "random"],
  [[1, 2, 7, 7], 3, 3, 2, "random"],
  [[1, 4, 5, 7], 1, 3, 1, "random"],
  [[1, 1, 4, 4], 2, 2, 2, "negative"],
  [[2, 3, 7, 7], 3, 3, 2, "negative"],
  [[1, 2, 8, 12], 2, 2, 2, "negative"],
  [[1, 2, 6, 6], 2, 2, 2, "ties"],
  [[1, 1, 6, 6], 3, 3, 1, "ties"],
  [[3, 2, 10, 10], 2, 2, 2, "ties"],
  [[1, 64, 4, 4], 4, 4, 1, "random"],
  [[1, 1, 5, 5], 1, 1, 1, "random"],
  // PyTorch's floored sizes (the last row and column left out) and its ceil_mode (the last
  // windows clipped at the edge; with kernel < stride, kept only if they start inside)
  [[1, 1, 5, 5], 2, 2, 2, "random"],
  [[1, 1, 5, 5], 2, 2, 2, "random", true],
  [[2, 3, 7, 7], 2, 2, 2, "negative", true],
  [[1, 2, 7, 7], 3, 3, 3, "ties"],
  [[1, 2, 7, 7], 3, 3, 3, "random", true],
  [[1, 2, 7, 7], 3, 3, 2, "negative", true],
  [[1, 3, 9, 18], 2, 2, 2, "random", true],
  [[2, 2, 17, 17], 2, 2, 2, "ties", true],
  [[1, 3, 32, 31], 2, 2, 2, "random"],
  [[1, 1, 5, 5], 1, 1, 3, "random", true],
  [[1, 2, 6, 9], 2, 3, 2, "random", true],
];
