/**
 * TensorFlow.js peers for bench/conv_bench.ts: its WASM (XNNPACK) and CPU (plain JS) backends
 * from npm, in their native NHWC layout. The WASM backend has Conv2D and Conv2DBackpropInput
 * but no Conv2DBackpropFilter kernel, so it cannot run a full conv backward.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as tfWasm from "@tensorflow/tfjs-backend-wasm";

// Production mode only mutes tfjs's warnings (in tfjs 4.22 the PROD flag is read by log.warn and
// the flag-override warnings, nothing else): without it the CPU backend's first write prints a
// "running TensorFlow.js in Node.js … install our node backend" banner into the bench table.
tf.enableProdMode();

/** Conv sizes in the homework's layout; `n` may be a subset of the batch. */
export interface ConvShape {
  n: number;
  c: number;
  h: number;
  w: number;
  f: number;
  k: number;
  stride: number;
  pad: number;
}

/** The thread count of the tfjs WASM backend, once it has started. */
export function tfjsWasmThreads(): number | string {
  return tf.findBackend("wasm") ? tfWasm.getThreadsCount() : "?";
}

/** Switches tfjs to `backend` ("wasm" or "cpu"). */
export async function useBackend(backend: "wasm" | "cpu"): Promise<void> {
  // reading an export makes Deno evaluate the CommonJS module, which registers the backend
  if (typeof tfWasm.setWasmPaths !== "function") throw new Error("Cannot load tfjs-backend-wasm");
  if (!(await tf.setBackend(backend))) throw new Error(`Cannot start the tfjs ${backend} backend`);
  await tf.ready();
}

// tfjs's "same" padding when it equals the symmetric `pad` (it does for W1, W4 and W5); XNNPACK
// runs "same" and "valid" convs, a numeric pad is much slower.
function padOf(s: ConvShape): "same" | number {
  const out = Math.ceil(s.h / s.stride), total = (out - 1) * s.stride + s.k - s.h;
  return total === 2 * s.pad && s.h === s.w ? "same" : s.pad;
}

/**
 * The ops of one conv shape on the current tfjs backend. Both backends run kernels eagerly and
 * synchronously, so each op has finished when it returns; results stay in tfjs's memory and are
 * not read back, so the rows time the kernels alone. The read-back is timed on its own
 * (`tfjsReadBack`, conv_bench's last row): on the 2-core machine with tfjs 4.22 it copies W1's
 * 2.56 MB conv output in about 1.5 ms.
 */
export function tfjsConv(s: ConvShape) {
  const x = tf.randomNormal([s.n, s.h, s.w, s.c]) as tf.Tensor4D;
  const filter = tf.randomNormal([s.k, s.k, s.c, s.f]) as tf.Tensor4D;
  const pad = padOf(s);
  const y = tf.conv2d(x, filter, s.stride, pad);
  const dy = tf.randomNormal(y.shape) as tf.Tensor4D;
  const attrs = { strides: s.stride, pad, dataFormat: "NHWC" };
  return {
    forward(): void {
      tf.tidy(() => {
        tf.conv2d(x, filter, s.stride, pad);
      });
    },
    backwardData(): void {
      tf.tidy(() => {
        const inputs = { dy, filter };
        tf.engine().runKernel("Conv2DBackpropInput", inputs, { ...attrs, inputShape: x.shape });
      });
    },
    backward(): void {
      tf.tidy(() => {
        tf.engine().runKernel("Conv2DBackpropInput", { dy, filter }, {
          ...attrs,
          inputShape: x.shape,
        });
        tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, {
          ...attrs,
          filterShape: filter.shape,
        });
        tf.sum(dy, [0, 1, 2]);
      });
    },
  };
}

/** 2×2 stride-2 max pool of (n, h, w, c) forward and backward on the current tfjs backend (results not read back, as in `tfjsConv`). */
export function tfjsPool(n: number, c: number, h: number, w: number) {
  const x = tf.randomNormal([n, h, w, c]) as tf.Tensor4D;
  const y = tf.maxPool(x, 2, 2, 0);
  const dy = tf.randomNormal(y.shape) as tf.Tensor4D;
  return {
    forward(): void {
      tf.tidy(() => {
        tf.maxPool(x, 2, 2, 0);
      });
    },
    backward(): void {
      tf.tidy(() => {
        const attrs = { filterSize: 2, strides: 2, pad: 0 };
        tf.engine().runKernel("MaxPoolGrad", { dy, input: x, output: y }, attrs);
      });
    },
  };
}

/**
 * `dataSync` of an (n, h, w, c) float32 tensor on the current tfjs backend: the read-back the
 * conv and pool rows leave out. `bytes` is what one `read()` copies.
 */
export function tfjsReadBack(
  n: number,
  h: number,
  w: number,
  c: number,
): { bytes: number; read: () => void } {
  const t = tf.randomNormal([n, h, w, c]);
  return { bytes: 4 * t.size, read: () => void t.dataSync() };
}
