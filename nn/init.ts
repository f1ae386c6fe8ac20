/**
 * Initialisations of conv layers beyond the random default, from the fast CIFAR-10 recipes
 * (Keller Jordan's airbench, after tysam-code's hlb-CIFAR10 and Page's ResNet-9 work):
 *
 * - `whiteningInit`: the first conv layer becomes a whitening transform of the image patches it
 *   sees, computed from data (the eigen-decomposition of their covariance), so the next layers
 *   start from decorrelated, unit-variance features.
 * - `diracInit`: a conv whose filters pass their input channel through unchanged, so a deep
 *   stack of convs starts close to the identity.
 *
 * @module
 */

import { type ConvDims, convDims } from "../core/dims.ts";
import { symmetricEigen } from "./linalg.ts";
import type { Conv2d } from "./modules/conv.ts";
import type { Tensor } from "../core/tensor.ts";

/** Added to each eigenvalue before the inverse square root (airbench's 5e-4). */
export const WHITENING_EPS = 5e-4;

/** Options of {@link whiteningInit}. */
export interface WhiteningOptions {
  /** Added to each eigenvalue before 1/√λ (default {@link WHITENING_EPS}). */
  eps?: number;
}

/** What {@link whiteningInit} found, for logs and tests. */
export interface WhiteningReport {
  /** eigenvalues: (d) of the patch covariance, largest first, d = C·K·K */
  eigenvalues: Float64Array;
  /** How many patches (windows) the covariance was estimated from. */
  patches: number;
}

/**
 * Sets `conv`'s weights to whiten the windows it sees in `images`: with Σ = V·Λ·Vᵀ the
 * covariance of those windows (each flattened in the weight's (C, K, K) order, the conv's own
 * stride and zero padding) and μ their mean, filter k is the k-th eigenvector scaled by
 * 1/√(λₖ + eps), largest eigenvalue first. The output channels then have mean (after the bias)
 * and covariance diag(λₖ / (λₖ + eps)) ≈ I over those windows. A conv with d = C·K·K filters gets
 * the d whitening filters; one with 2d filters gets them and their negatives, as airbench does
 * (so a following ReLU or GELU keeps both signs). The bias, if any, is set to −W·μ, which makes
 * the output mean zero. Statistics are accumulated in float64.
 *
 * @param images x: (N, C, H, W) in the conv's dtype, e.g. a few thousand normalised training
 * images
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Conv2d, Rng, Tensor } from "../mod.ts";
 * import { whiteningInit } from "./init.ts";
 * const x = Tensor.randn([8, 3, 6, 6], new Rng(0), { dtype: "float64" });
 * const conv = new Conv2d(3, 24, { kernelSize: 2, dtype: "float64" }); // 2·3·2·2 filters
 * const { eigenvalues, patches } = whiteningInit(conv, x);
 * assert.equal(patches, 8 * 5 * 5);
 * assert.equal(eigenvalues.length, 12);
 * // filter 12 + k is the negative of filter k
 * assert.equal(conv.weight.value.data[12 * 12], -conv.weight.value.data[0]);
 * ```
 */
export function whiteningInit(
  conv: Conv2d,
  images: Tensor,
  options: WhiteningOptions = {},
): WhiteningReport {
  const { eps = WHITENING_EPS } = options;
  if (!(eps >= 0) || !Number.isFinite(eps)) {
    throw new RangeError(`Cannot whiten: eps must be a finite number ≥ 0, got ${eps}`);
  }
  const w = conv.weight.value;
  const d = conv.inChannels * conv.kernelSize * conv.kernelSize;
  const F = conv.outChannels;
  if (F !== d && F !== 2 * d) {
    throw new RangeError(
      `Cannot whiten ${conv}: it needs C·K·K = ${d} or ${2 * d} filters (the whitening ` +
        `filters, or them and their negatives), it has ${F}; build it with ${
          2 * d
        } output channels`,
    );
  }
  const dims = convDims("whiteningInit", images.shape, w.shape, conv.stride, conv.padding);
  const count = dims.N * dims.HO * dims.WO;
  const { mean, cov } = patchMoments(images, dims, d, count);
  const { values, vectors } = symmetricEigen(cov, d);
  for (let k = 0; k < d; k++) {
    if (!(values[k] + eps > 0)) {
      throw new RangeError(
        `Cannot whiten: the patch covariance has eigenvalue ${values[k]} and eps is ${eps}; ` +
          `use more (or more varied) images, or a larger eps`,
      );
    }
  }
  const bias = conv.bias?.value.data;
  for (let k = 0; k < d; k++) {
    const scale = 1 / Math.sqrt(values[k] + eps);
    let wm = 0;
    for (let j = 0; j < d; j++) {
      const wkj = vectors[j * d + k] * scale; // W(k, j) = V(j, k) / √(λₖ + eps)
      w.data[k * d + j] = wkj;
      if (F === 2 * d) w.data[(d + k) * d + j] = -wkj;
      wm += wkj * mean[j];
    }
    if (bias) {
      bias[k] = -wm;
      if (F === 2 * d) bias[d + k] = wm;
    }
  }
  return { eigenvalues: values, patches: count };
}

// The mean (d) and covariance (d, d) of every window a conv with dims `dims` reads in x, in
// float64 (two passes: the mean first, then the centred products).
function patchMoments(
  x: Tensor,
  dims: ConvDims,
  d: number,
  count: number,
): { mean: Float64Array; cov: Float64Array } {
  const { N, C, H, W, HO, WO, KH, KW, stride, pad } = dims;
  const p = new Float64Array(d), mean = new Float64Array(d), cov = new Float64Array(d * d);
  const window = (n: number, ho: number, wo: number): void => {
    let j = 0;
    for (let c = 0; c < C; c++) {
      for (let kh = 0; kh < KH; kh++) {
        const h = ho * stride - pad + kh;
        for (let kw = 0; kw < KW; kw++, j++) {
          const ww = wo * stride - pad + kw;
          p[j] = h >= 0 && h < H && ww >= 0 && ww < W ? x.data[((n * C + c) * H + h) * W + ww] : 0;
        }
      }
    }
  };
  for (const pass of [0, 1]) {
    for (let n = 0; n < N; n++) {
      for (let ho = 0; ho < HO; ho++) {
        for (let wo = 0; wo < WO; wo++) {
          window(n, ho, wo);
          if (pass === 0) { for (let j = 0; j < d; j++) mean[j] += p[j]; }
          else {
            for (let j = 0; j < d; j++) p[j] -= mean[j];
            for (let i = 0; i < d; i++) {
              for (let j = i; j < d; j++) cov[i * d + j] += p[i] * p[j];
            }
          }
        }
      }
    }
    if (pass === 0) { for (let j = 0; j < d; j++) mean[j] /= count; }
  }
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) cov[i * d + j] = cov[j * d + i] = cov[i * d + j] / count;
  }
  return { mean, cov };
}

/**
 * Makes filter f of `conv` pass input channel f through unchanged, for f < min(C, F): a 1 at
 * the kernel's centre tap (⌊K/2⌋, ⌊K/2⌋), zeros elsewhere, and a zero bias. With F ≤ C this is
 * PyTorch's `nn.init.dirac_`; with F > C the filters from C on keep their (random)
 * initialisation, as airbench does. With stride 1 and padding ⌊K/2⌋ (odd K) and F = C, the conv
 * returns its input exactly.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Conv2d, Rng, Tensor } from "../mod.ts";
 * import { diracInit } from "./init.ts";
 * const conv = new Conv2d(2, 2, { kernelSize: 3, padding: 1 });
 * diracInit(conv);
 * const x = Tensor.randn([1, 2, 4, 4], new Rng(1), { dtype: "float32" });
 * assert.deepEqual([...conv.forward(x).data], [...x.data]);
 * ```
 */
export function diracInit(conv: Conv2d): void {
  const { inChannels: C, outChannels: F, kernelSize: K } = conv;
  const w = conv.weight.value.data, taps = C * K * K;
  const centre = Math.floor(K / 2) * K + Math.floor(K / 2);
  for (let f = 0; f < Math.min(C, F); f++) {
    w.fill(0, f * taps, (f + 1) * taps);
    w[f * taps + f * K * K + centre] = 1;
    if (conv.bias) conv.bias.value.data[f] = 0;
  }
}
