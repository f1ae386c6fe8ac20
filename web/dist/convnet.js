// convnet.js: built by `deno task build:web` from web/src/convnet.ts; do not edit.
var __defProp = Object.defineProperty;
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};

// nn/tensor.ts
function arrayFor(dtype, length) {
  return dtype === "float32" ? new Float32Array(length) : new Float64Array(length);
}
function shapeSize(shape) {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}
function checkShape(shape, op) {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new TypeError(`Cannot ${op}: shape [${shape.join(", ")}] must hold non-negative integers`);
    }
  }
}
var Tensor = class _Tensor {
  /** The elements, row-major. */
  data;
  /** The extent of each axis. */
  shape;
  constructor(data, shape) {
    if (!(data instanceof Float32Array) && !(data instanceof Float64Array)) {
      throw new TypeError("Cannot create a Tensor: data must be a Float32Array or Float64Array");
    }
    checkShape(shape, "create a Tensor");
    const size = shapeSize(shape);
    if (size !== data.length) {
      throw new TypeError(`Cannot create a Tensor of shape [${shape.join(", ")}]: it needs ${size} elements but data has ${data.length}`);
    }
    this.data = data;
    this.shape = Object.freeze([
      ...shape
    ]);
  }
  /** `"float32"` or `"float64"`. */
  get dtype() {
    return this.data instanceof Float32Array ? "float32" : "float64";
  }
  /** The number of axes. */
  get rank() {
    return this.shape.length;
  }
  /** The number of elements. */
  get size() {
    return this.data.length;
  }
  /** A zero-filled tensor. */
  static zeros(shape, dtype = "float64") {
    checkShape(shape, "create zeros");
    return new _Tensor(arrayFor(dtype, shapeSize(shape)), shape);
  }
  /** A tensor filled with one value. */
  static full(shape, value, dtype = "float64") {
    const t = _Tensor.zeros(shape, dtype);
    t.data.fill(value);
    return t;
  }
  /**
   * `shapeSize(shape)` evenly spaced numbers from `start` to `stop` inclusive, laid out in
   * `shape` (NumPy's `np.linspace(start, stop, num=size).reshape(shape)`).
   */
  static linspace(start, stop, shape, dtype = "float64") {
    const t = _Tensor.zeros(shape, dtype);
    const n = t.size;
    const step = n > 1 ? (stop - start) / (n - 1) : 0;
    for (let i = 0; i < n; i++) t.data[i] = start + step * i;
    if (n > 1) t.data[n - 1] = stop;
    return t;
  }
  /** Samples from N(mean, std²) drawn from `rng`. */
  static randn(shape, rng, options = {}) {
    const { mean = 0, std = 1, dtype = "float64" } = options;
    const t = _Tensor.zeros(shape, dtype);
    for (let i = 0; i < t.size; i++) t.data[i] = mean + std * rng.normal();
    return t;
  }
  /** Samples from U[low, high) drawn from `rng`. */
  static rand(shape, rng, options = {}) {
    const { low = 0, high = 1, dtype = "float64" } = options;
    const t = _Tensor.zeros(shape, dtype);
    for (let i = 0; i < t.size; i++) t.data[i] = low + (high - low) * rng.uniform();
    return t;
  }
  /** The element at a full index, e.g. `t.get(n, c, h, w)`. */
  get(...index) {
    return this.data[this.offset(index)];
  }
  /** Sets the element at a full index: `t.set(value, n, c, h, w)`. */
  set(value, ...index) {
    this.data[this.offset(index)] = value;
  }
  offset(index) {
    if (index.length !== this.rank) {
      throw new TypeError(`Cannot index a tensor of rank ${this.rank} with ${index.length} indices`);
    }
    let offset = 0;
    for (let axis = 0; axis < this.rank; axis++) {
      const i = index[axis], d = this.shape[axis];
      if (!Number.isInteger(i) || i < 0 || i >= d) {
        throw new RangeError(`Cannot index axis ${axis} of size ${d} with ${i}`);
      }
      offset = offset * d + i;
    }
    return offset;
  }
  /** The same data under another shape of the same size (no copy). */
  reshape(shape) {
    checkShape(shape, "reshape");
    if (shapeSize(shape) !== this.size) {
      throw new TypeError(`Cannot reshape [${this.shape.join(", ")}] (${this.size} elements) to [${shape.join(", ")}] (${shapeSize(shape)} elements)`);
    }
    return new _Tensor(this.data, shape);
  }
  /** A copy with its own storage. */
  clone() {
    return new _Tensor(this.data.slice(), this.shape);
  }
  /** A copy converted to `dtype` (a copy even when the dtype is unchanged). */
  astype(dtype) {
    const out = arrayFor(dtype, this.size);
    out.set(this.data);
    return new _Tensor(out, this.shape);
  }
  /** A short description: `Tensor(float64, [2, 3])`. */
  toString() {
    return `Tensor(${this.dtype}, [${this.shape.join(", ")}])`;
  }
};

// nn/random.ts
function splitMix32(state) {
  state = state + 2654435769 | 0;
  let z = state;
  z = Math.imul(z ^ z >>> 16, 2246822507);
  z = Math.imul(z ^ z >>> 13, 3266489909);
  return [
    state,
    (z ^ z >>> 16) >>> 0
  ];
}
var Rng = class {
  s0;
  s1;
  s2;
  s3;
  spareNormal = null;
  /** @param seed any integer; the same seed always gives the same stream. */
  constructor(seed) {
    if (!Number.isFinite(seed)) {
      throw new RangeError(`Cannot seed Rng with ${seed}: the seed must be a finite number`);
    }
    let state = Math.trunc(seed) | 0;
    const words = [];
    for (let i = 0; i < 4; i++) {
      let word;
      [state, word] = splitMix32(state);
      words.push(word);
    }
    [this.s0, this.s1, this.s2, this.s3] = words;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }
  /** The next 32-bit unsigned integer. */
  nextUint32() {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }
  /** A float in [0, 1) with 53 random bits. */
  uniform() {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }
  /** An integer in [0, n), without modulo bias. */
  int(n) {
    if (!Number.isInteger(n) || n <= 0 || n > 2 ** 32) {
      throw new RangeError(`Cannot draw an integer below ${n}: n must be in 1..2^32`);
    }
    const limit = 2 ** 32 - 2 ** 32 % n;
    let x;
    do
      x = this.nextUint32();
    while (x >= limit);
    return x % n;
  }
  /** A sample from the standard normal distribution N(0, 1). */
  normal() {
    if (this.spareNormal !== null) {
      const spare = this.spareNormal;
      this.spareNormal = null;
      return spare;
    }
    let u;
    do
      u = this.uniform();
    while (u === 0);
    const v = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }
  /** Shuffles `array` in place (Fisher–Yates) and returns it. */
  shuffle(array) {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }
  /** A random permutation of 0 … n−1. */
  permutation(n) {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }
};
function rotl(x, k) {
  return x << k | x >>> 32 - k;
}

// kernels/dims.ts
function fmt(shape) {
  return `(${shape.join(", ")})`;
}
function checkPositiveInt(op, name, value, min) {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`Cannot run ${op}: ${name} must be an integer \u2265 ${min}, got ${value}`);
  }
}
function convDims(op, xShape, wShape, stride, pad) {
  if (xShape.length !== 4) {
    throw new TypeError(`Cannot run ${op}: x must have rank 4 (N, C, H, W), got ${fmt(xShape)}`);
  }
  if (wShape.length !== 4) {
    throw new TypeError(`Cannot run ${op}: w must have rank 4 (F, C, KH, KW), got ${fmt(wShape)}`);
  }
  checkPositiveInt(op, "stride", stride, 1);
  checkPositiveInt(op, "pad", pad, 0);
  const [N, C, H, W] = xShape;
  const [F, wC, KH, KW] = wShape;
  if (C !== wC) {
    throw new RangeError(`Cannot run ${op}: input has ${C} channels but the weights expect ${wC} (x ${fmt(xShape)}, w ${fmt(wShape)})`);
  }
  const spanH = H + 2 * pad - KH, spanW = W + 2 * pad - KW;
  if (spanH < 0 || spanW < 0) {
    throw new RangeError(`Cannot run ${op}: the ${KH}\xD7${KW} kernel is larger than the padded ${H + 2 * pad}\xD7${W + 2 * pad} input`);
  }
  if (spanH % stride !== 0 || spanW % stride !== 0) {
    throw new RangeError(`Cannot run ${op}: (H + 2\xB7pad \u2212 KH) / stride = (${H} + ${2 * pad} \u2212 ${KH}) / ${stride} and (W + 2\xB7pad \u2212 KW) / stride = (${W} + ${2 * pad} \u2212 ${KW}) / ${stride} must be integers; choose another stride or pad`);
  }
  return {
    N,
    C,
    H,
    W,
    F,
    KH,
    KW,
    stride,
    pad,
    HO: spanH / stride + 1,
    WO: spanW / stride + 1
  };
}
function poolDims(op, xShape, poolHeight, poolWidth, stride) {
  if (xShape.length !== 4) {
    throw new TypeError(`Cannot run ${op}: x must have rank 4 (N, C, H, W), got ${fmt(xShape)}`);
  }
  checkPositiveInt(op, "poolHeight", poolHeight, 1);
  checkPositiveInt(op, "poolWidth", poolWidth, 1);
  checkPositiveInt(op, "stride", stride, 1);
  const [N, C, H, W] = xShape;
  if (poolHeight > H || poolWidth > W) {
    throw new RangeError(`Cannot run ${op}: the ${poolHeight}\xD7${poolWidth} window is larger than the ${H}\xD7${W} input`);
  }
  if ((H - poolHeight) % stride !== 0 || (W - poolWidth) % stride !== 0) {
    throw new RangeError(`Cannot run ${op}: (H \u2212 poolHeight) / stride = (${H} \u2212 ${poolHeight}) / ${stride} and (W \u2212 poolWidth) / stride = (${W} \u2212 ${poolWidth}) / ${stride} must be integers`);
  }
  return {
    N,
    C,
    H,
    W,
    PH: poolHeight,
    PW: poolWidth,
    stride,
    HO: (H - poolHeight) / stride + 1,
    WO: (W - poolWidth) / stride + 1
  };
}
function affineDims(op, xShape, wShape, bShape) {
  if (xShape.length < 2) {
    throw new TypeError(`Cannot run ${op}: x must have rank \u2265 2 (N, d1, \u2026, dk), got ${fmt(xShape)}; reshape a single sample to (1, D)`);
  }
  if (wShape.length !== 2) {
    throw new TypeError(`Cannot run ${op}: w must have rank 2 (D, M), got ${fmt(wShape)}`);
  }
  const N = xShape[0];
  let D = 1;
  for (let axis = 1; axis < xShape.length; axis++) D *= xShape[axis];
  const [wD, M] = wShape;
  if (wD !== D) {
    throw new TypeError(`Cannot run ${op}: x ${fmt(xShape)} has ${D} features per sample but w ${fmt(wShape)} expects ${wD}`);
  }
  checkShapeIs(op, "b", bShape, [
    M
  ]);
  return {
    N,
    D,
    M
  };
}
function lossDims(op, xShape, y) {
  if (xShape.length !== 2) {
    throw new TypeError(`Cannot run ${op}: x must have rank 2 (N, C), got ${fmt(xShape)}`);
  }
  const [N, C] = xShape;
  if (N < 1 || C < 1) {
    throw new RangeError(`Cannot run ${op}: x ${fmt(xShape)} needs at least one sample and one class`);
  }
  if (y === null || typeof y !== "object" || typeof y.length !== "number") {
    throw new TypeError(`Cannot run ${op}: y must be an Int32Array, Uint8Array or number[]`);
  }
  if (y.length !== N) {
    throw new TypeError(`Cannot run ${op}: x ${fmt(xShape)} has ${N} samples but y has ${y.length} labels`);
  }
  for (let n = 0; n < N; n++) {
    const label = y[n];
    if (!Number.isInteger(label) || label < 0 || label >= C) {
      throw new RangeError(`Cannot run ${op}: label y[${n}] = ${label} must be an integer in [0, ${C}) (x has ${C} classes)`);
    }
  }
  return {
    N,
    C
  };
}
function checkShapeIs(op, name, shape, expected) {
  if (shape.length !== expected.length || shape.some((d, axis) => d !== expected[axis])) {
    throw new TypeError(`Cannot run ${op}: ${name} must have shape ${fmt(expected)}, got ${fmt(shape)}`);
  }
}

// kernels/ref/mod.ts
var mod_exports = {};
__export(mod_exports, {
  adamStep: () => adamStep,
  addRowBias: () => addRowBias,
  avgPool2dBackward: () => avgPool2dBackward,
  avgPool2dForward: () => avgPool2dForward,
  axpy: () => axpy,
  batchNorm2dBackward: () => batchNorm2dBackward,
  batchNorm2dForward: () => batchNorm2dForward,
  checkConvPoolDims: () => checkConvPoolDims,
  conv2dBackwardData: () => conv2dBackwardData,
  conv2dBackwardFilter: () => conv2dBackwardFilter,
  conv2dForward: () => conv2dForward,
  convPoolRelu2dBackwardFilter: () => convPoolRelu2dBackwardFilter,
  convPoolRelu2dForward: () => convPoolRelu2dForward,
  dropoutBackward: () => dropoutBackward,
  dropoutForward: () => dropoutForward,
  dropoutHash: () => dropoutHash,
  gemm: () => gemm,
  maxPool2dBackward: () => maxPool2dBackward,
  maxPool2dForward: () => maxPool2dForward,
  reluBackward: () => reluBackward,
  reluForward: () => reluForward,
  rmspropStep: () => rmspropStep,
  sgdStep: () => sgdStep,
  softmaxCrossEntropy: () => softmaxCrossEntropy,
  softmaxCrossEntropySmoothed: () => softmaxCrossEntropySmoothed,
  sumOfSquares: () => sumOfSquares,
  sumRows: () => sumRows,
  svmLoss: () => svmLoss
});

// kernels/ref/conv2d.ts
function conv2dForward(out, x, w, b, d) {
  const { N, C, H, W, F, KH, KW, stride, pad, HO, WO } = d;
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      for (let i = 0; i < HO; i++) {
        for (let j = 0; j < WO; j++) {
          let sum = b[f];
          for (let c = 0; c < C; c++) {
            for (let kh = 0; kh < KH; kh++) {
              const h = i * stride + kh - pad;
              if (h < 0 || h >= H) continue;
              const xRow = ((n * C + c) * H + h) * W;
              const wRow = ((f * C + c) * KH + kh) * KW;
              for (let kw = 0; kw < KW; kw++) {
                const col = j * stride + kw - pad;
                if (col < 0 || col >= W) continue;
                sum += w[wRow + kw] * x[xRow + col];
              }
            }
          }
          out[((n * F + f) * HO + i) * WO + j] = sum;
        }
      }
    }
  }
}
function conv2dBackwardData(dx, dout, w, d, overwrite = false) {
  const { N, C, H, W, F, KH, KW, stride, pad, HO, WO } = d;
  if (overwrite) dx.fill(0, 0, N * C * H * W);
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      for (let i = 0; i < HO; i++) {
        for (let j = 0; j < WO; j++) {
          const g = dout[((n * F + f) * HO + i) * WO + j];
          for (let c = 0; c < C; c++) {
            for (let kh = 0; kh < KH; kh++) {
              const h = i * stride + kh - pad;
              if (h < 0 || h >= H) continue;
              const xRow = ((n * C + c) * H + h) * W;
              const wRow = ((f * C + c) * KH + kh) * KW;
              for (let kw = 0; kw < KW; kw++) {
                const col = j * stride + kw - pad;
                if (col < 0 || col >= W) continue;
                dx[xRow + col] += g * w[wRow + kw];
              }
            }
          }
        }
      }
    }
  }
}
function conv2dBackwardFilter(dw, db, dout, x, d) {
  const { N, C, H, W, F, KH, KW, stride, pad, HO, WO } = d;
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      for (let i = 0; i < HO; i++) {
        for (let j = 0; j < WO; j++) {
          const g = dout[((n * F + f) * HO + i) * WO + j];
          db[f] += g;
          for (let c = 0; c < C; c++) {
            for (let kh = 0; kh < KH; kh++) {
              const h = i * stride + kh - pad;
              if (h < 0 || h >= H) continue;
              const xRow = ((n * C + c) * H + h) * W;
              const wRow = ((f * C + c) * KH + kh) * KW;
              for (let kw = 0; kw < KW; kw++) {
                const col = j * stride + kw - pad;
                if (col < 0 || col >= W) continue;
                dw[wRow + kw] += g * x[xRow + col];
              }
            }
          }
        }
      }
    }
  }
}

// kernels/ref/pool2d.ts
function maxPool2dForward(out, argmax, x, d) {
  const { N, C, H, W, PH, PW, stride, HO, WO } = d;
  for (let nc = 0; nc < N * C; nc++) {
    const plane = nc * H * W;
    for (let i = 0; i < HO; i++) {
      for (let j = 0; j < WO; j++) {
        let best = plane + i * stride * W + j * stride;
        let bestValue = x[best];
        for (let ph = 0; ph < PH; ph++) {
          const row = plane + (i * stride + ph) * W + j * stride;
          for (let pw = 0; pw < PW; pw++) {
            const v = x[row + pw];
            if (v > bestValue) {
              bestValue = v;
              best = row + pw;
            }
          }
        }
        const o = (nc * HO + i) * WO + j;
        out[o] = bestValue;
        argmax[o] = best;
      }
    }
  }
}
function maxPool2dBackward(dx, dout, argmax, d, overwrite = false) {
  const size = d.N * d.C * d.HO * d.WO;
  if (overwrite) dx.fill(0, 0, d.N * d.C * d.H * d.W);
  for (let o = 0; o < size; o++) dx[argmax[o]] += dout[o];
}

// kernels/ref/gemm.ts
function gemm(c, a, b, M, N, K, transA, transB, accumulate) {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let sum = 0;
      for (let k = 0; k < K; k++) {
        const aik = transA ? a[k * M + i] : a[i * K + k];
        const bkj = transB ? b[j * K + k] : b[k * N + j];
        sum += aik * bkj;
      }
      c[i * N + j] = accumulate ? c[i * N + j] + sum : sum;
    }
  }
}
function addRowBias(out, bias, rows, cols) {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[r * cols + c] += bias[c];
  }
}
function sumRows(sums, m, rows, cols) {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) sums[c] += m[r * cols + c];
  }
}

// kernels/ref/elementwise.ts
function reluForward(out, x, n) {
  for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? x[i] : 0;
}
function reluBackward(dx, dout, x, n) {
  for (let i = 0; i < n; i++) dx[i] = x[i] > 0 ? dout[i] : 0;
}
function sumOfSquares(x, n) {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += x[i] * x[i];
  return sum;
}

// kernels/ref/loss.ts
function softmaxCrossEntropy(dx, x, y, N, C) {
  let loss = 0;
  for (let n = 0; n < N; n++) {
    const row = n * C;
    let max = x[row];
    for (let c = 1; c < C; c++) if (x[row + c] > max) max = x[row + c];
    let sum = 0;
    for (let c = 0; c < C; c++) sum += Math.exp(x[row + c] - max);
    const logSum = Math.log(sum);
    loss -= x[row + y[n]] - max - logSum;
    for (let c = 0; c < C; c++) dx[row + c] = Math.exp(x[row + c] - max - logSum) / N;
    dx[row + y[n]] -= 1 / N;
  }
  return loss / N;
}
function svmLoss(dx, x, y, N, C) {
  let loss = 0;
  dx.fill(0, 0, N * C);
  for (let n = 0; n < N; n++) {
    const row = n * C;
    const correct = x[row + y[n]];
    let positives = 0;
    for (let c = 0; c < C; c++) {
      if (c === y[n]) continue;
      const margin = x[row + c] - correct + 1;
      if (margin > 0) {
        loss += margin;
        dx[row + c] = 1 / N;
        positives++;
      }
    }
    dx[row + y[n]] = -positives / N;
  }
  return loss / N;
}

// kernels/ref/axpy.ts
function axpy(y, x, alpha, n) {
  for (let i = 0; i < n; i++) y[i] += alpha * x[i];
}

// kernels/ref/avgpool.ts
function avgPool2dForward(out, x, d) {
  const { N, C, H, W, PH, PW, stride, HO, WO } = d;
  const scale = 1 / (PH * PW);
  for (let nc = 0; nc < N * C; nc++) {
    const plane = nc * H * W;
    for (let i = 0; i < HO; i++) {
      for (let j = 0; j < WO; j++) {
        let sum = 0;
        for (let ph = 0; ph < PH; ph++) {
          const row = plane + (i * stride + ph) * W + j * stride;
          for (let pw = 0; pw < PW; pw++) sum += x[row + pw];
        }
        out[(nc * HO + i) * WO + j] = sum * scale;
      }
    }
  }
}
function avgPool2dBackward(dx, dout, d) {
  const { N, C, H, W, PH, PW, stride, HO, WO } = d;
  const scale = 1 / (PH * PW);
  for (let nc = 0; nc < N * C; nc++) {
    const plane = nc * H * W;
    for (let i = 0; i < HO; i++) {
      for (let j = 0; j < WO; j++) {
        const g = dout[(nc * HO + i) * WO + j] * scale;
        for (let ph = 0; ph < PH; ph++) {
          const row = plane + (i * stride + ph) * W + j * stride;
          for (let pw = 0; pw < PW; pw++) dx[row + pw] += g;
        }
      }
    }
  }
}

// kernels/ref/batchnorm.ts
function batchNorm2dForward(out, saveMean, saveInvStd, runningMean, runningVar, x, gamma, beta, N, C, HW, eps, momentum, training, relu = false) {
  const M = N * HW;
  for (let c = 0; c < C; c++) {
    let mean, variance;
    if (training) {
      let sum = 0;
      for (let n = 0; n < N; n++) {
        const row = (n * C + c) * HW;
        for (let i = 0; i < HW; i++) sum += x[row + i];
      }
      mean = sum / M;
      let sq = 0;
      for (let n = 0; n < N; n++) {
        const row = (n * C + c) * HW;
        for (let i = 0; i < HW; i++) sq += (x[row + i] - mean) ** 2;
      }
      variance = sq / M;
      runningMean[c] = (1 - momentum) * runningMean[c] + momentum * mean;
      runningVar[c] = (1 - momentum) * runningVar[c] + momentum * variance * M / (M - 1);
    } else {
      mean = runningMean[c];
      variance = runningVar[c];
    }
    const invStd = 1 / Math.sqrt(variance + eps);
    saveMean[c] = mean;
    saveInvStd[c] = invStd;
    const scale = gamma[c] * saveInvStd[c], shift = beta[c] - saveMean[c] * scale;
    for (let n = 0; n < N; n++) {
      const row = (n * C + c) * HW;
      for (let i = 0; i < HW; i++) {
        const y = x[row + i] * scale + shift;
        out[row + i] = relu ? y > 0 ? y : 0 : y;
      }
    }
  }
}
function batchNorm2dBackward(dx, dgamma, dbeta, dout, x, gamma, saveMean, saveInvStd, N, C, HW, training, reluBeta) {
  const M = N * HW;
  const grad = (c, j) => {
    if (reluBeta === void 0) return dout[j];
    const scale = gamma[c] * saveInvStd[c], shift = reluBeta[c] - saveMean[c] * scale;
    return x[j] * scale + shift > 0 ? dout[j] : 0;
  };
  for (let c = 0; c < C; c++) {
    const mean = saveMean[c], invStd = saveInvStd[c];
    let sumDout = 0, sumDoutXhat = 0;
    for (let n = 0; n < N; n++) {
      const row = (n * C + c) * HW;
      for (let i = 0; i < HW; i++) {
        const g = grad(c, row + i);
        sumDout += g;
        sumDoutXhat += g * (x[row + i] - mean) * invStd;
      }
    }
    dgamma[c] += sumDoutXhat;
    dbeta[c] += sumDout;
    const k = gamma[c] * invStd;
    const meanDout = training ? sumDout / M : 0;
    const meanDoutXhat = training ? sumDoutXhat / M : 0;
    for (let n = 0; n < N; n++) {
      const row = (n * C + c) * HW;
      for (let i = 0; i < HW; i++) {
        const xhat = (x[row + i] - mean) * invStd;
        dx[row + i] += k * (grad(c, row + i) - meanDout - xhat * meanDoutXhat);
      }
    }
  }
}

// kernels/ref/cross_entropy.ts
function softmaxCrossEntropySmoothed(dx, x, y, N, C, smoothing) {
  const off = smoothing / C, on = 1 - smoothing + off;
  let loss = 0;
  for (let n = 0; n < N; n++) {
    const row = n * C;
    let max = x[row];
    for (let c = 1; c < C; c++) if (x[row + c] > max) max = x[row + c];
    let sum = 0;
    for (let c = 0; c < C; c++) sum += Math.exp(x[row + c] - max);
    const logSum = Math.log(sum) + max;
    for (let c = 0; c < C; c++) {
      const q = c === y[n] ? on : off;
      const logP = x[row + c] - logSum;
      loss -= q * logP;
      dx[row + c] = (Math.exp(logP) - q) / N;
    }
  }
  return loss / N;
}

// kernels/ref/dropout.ts
function dropoutHash(seed, i) {
  let h = Math.imul(i, 2654435769) + seed | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 2246822507);
  h ^= h >>> 13;
  h = Math.imul(h, 3266489909);
  h ^= h >>> 16;
  return h >>> 0;
}
function dropoutForward(out, mask, x, n, p, seed) {
  const threshold = p * 4294967296;
  const scale = 1 / (1 - p);
  for (let i = 0; i < n; i++) {
    const keep = dropoutHash(seed, i) >= threshold;
    mask[i] = keep ? scale : 0;
    out[i] = keep ? x[i] * scale : 0;
  }
}
function dropoutBackward(dx, dout, mask, n) {
  for (let i = 0; i < n; i++) dx[i] += dout[i] * mask[i];
}

// kernels/ref/optim.ts
function sgdStep(w, g, v, n, lr, momentum, weightDecay, nesterov) {
  for (let i = 0; i < n; i++) {
    let d = g[i] + weightDecay * w[i];
    if (momentum > 0) {
      const vi = momentum * v[i] + d;
      v[i] = vi;
      d = nesterov ? d + momentum * vi : vi;
    }
    w[i] -= lr * d;
  }
}
function adamStep(w, g, m, v, n, lr, beta1, beta2, eps, step, weightDecay, decoupled) {
  const stepSize = lr / (1 - beta1 ** step);
  const sqrtBias2 = Math.sqrt(1 - beta2 ** step);
  const decay = decoupled ? 1 - lr * weightDecay : 1;
  const l2 = decoupled ? 0 : weightDecay;
  for (let i = 0; i < n; i++) {
    const wi = w[i] * decay;
    const gi = g[i] + l2 * wi;
    const mi = beta1 * m[i] + (1 - beta1) * gi;
    const vi = beta2 * v[i] + (1 - beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    w[i] = wi - stepSize * mi / (Math.sqrt(vi) / sqrtBias2 + eps);
  }
}
function rmspropStep(w, g, cache, n, lr, decayRate, eps) {
  for (let i = 0; i < n; i++) {
    cache[i] = decayRate * cache[i] + (1 - decayRate) * g[i] * g[i];
    w[i] -= lr * g[i] / (Math.sqrt(cache[i]) + eps);
  }
}

// kernels/ref/conv_pool_relu.ts
function checkConvPoolDims(op, d) {
  if (d.HO % 2 !== 0 || d.WO % 2 !== 0) {
    throw new RangeError(`Cannot run ${op}: the conv output ${d.HO}\xD7${d.WO} must have even height and width for 2\xD72 pooling; change the padding or the input size`);
  }
}
function convPoolRelu2dForward(out, argmax, x, w, b, d) {
  checkConvPoolDims("convPoolRelu2dForward", d);
  const { N, F, HO, WO } = d;
  const conv = new out.constructor(N * F * HO * WO);
  conv2dForward(conv, x, w, b, d);
  const HO2 = HO / 2, WO2 = WO / 2;
  for (let nf = 0; nf < N * F; nf++) {
    for (let i = 0; i < HO2; i++) {
      for (let j = 0; j < WO2; j++) {
        let best = (nf * HO + 2 * i) * WO + 2 * j;
        let bestValue = conv[best];
        for (let a = 0; a < 2; a++) {
          for (let c = 0; c < 2; c++) {
            const at = (nf * HO + 2 * i + a) * WO + 2 * j + c;
            if (conv[at] > bestValue) {
              bestValue = conv[at];
              best = at;
            }
          }
        }
        const o = (nf * HO2 + i) * WO2 + j;
        out[o] = bestValue > 0 ? bestValue : 0;
        argmax[o] = bestValue > 0 ? best : -1;
      }
    }
  }
}
function convPoolRelu2dBackwardFilter(dw, db, dout, argmax, x, d) {
  checkConvPoolDims("convPoolRelu2dBackwardFilter", d);
  const { N, F, HO, WO } = d;
  const dconv = new dw.constructor(N * F * HO * WO);
  const Q = HO / 2 * (WO / 2), P = HO * WO;
  for (let o = 0; o < N * F * Q; o++) {
    const at = argmax[o];
    if (at === -1) continue;
    const lo = Math.floor(o / Q) * P;
    if (!(at >= lo && at < lo + P)) {
      throw new RangeError(`Cannot run convPoolRelu2dBackwardFilter: argmax[${o}] = ${at} lies outside its conv plane [${lo}, ${lo + P}); pass the argmax that convPoolRelu2dForward wrote`);
    }
    dconv[at] += dout[o];
  }
  conv2dBackwardFilter(dw, db, dconv, x, d);
}

// nn/layers/_check.ts
function sameDType(op, tensors) {
  let first;
  for (const [name, t] of Object.entries(tensors)) {
    if (!(t instanceof Tensor)) {
      throw new TypeError(`Cannot run ${op}: ${name} must be a Tensor, got ${describe(t)}`);
    }
    if (first === void 0) {
      first = [
        name,
        t.dtype
      ];
    } else if (t.dtype !== first[1]) {
      throw new TypeError(`Cannot run ${op}: ${first[0]} is ${first[1]} but ${name} is ${t.dtype}; convert one with .astype("${first[1]}") so that all inputs share one dtype`);
    }
  }
  if (first === void 0) throw new TypeError(`Cannot run ${op}: no tensors given`);
  return first[1];
}
function checkParam(op, param, expected) {
  if (param === null || typeof param !== "object") {
    throw new TypeError(`Cannot run ${op}: param must be ${expected}, got ${describe(param)}`);
  }
}
function describe(value) {
  if (value === null) return "null";
  if (typeof value === "object") return value.constructor?.name ?? "an object";
  return typeof value;
}

// nn/layers/conv.ts
function convForwardNaive(x, w, b, param) {
  const op = "convForwardNaive";
  const dtype = sameDType(op, {
    x,
    w,
    b
  });
  checkParam(op, param, "{ stride, pad }");
  const { stride, pad } = param;
  const dims = convDims(op, x.shape, w.shape, stride, pad);
  checkShapeIs(op, "b", b.shape, [
    dims.F
  ]);
  const out = Tensor.zeros([
    dims.N,
    dims.F,
    dims.HO,
    dims.WO
  ], dtype);
  conv2dForward(out.data, x.data, w.data, b.data, dims);
  return {
    out,
    cache: {
      x,
      w,
      b,
      param: {
        stride,
        pad
      },
      dims
    }
  };
}
function convBackwardNaive(dout, cache) {
  const op = "convBackwardNaive";
  const { x, w, dims } = cache;
  const dtype = sameDType(op, {
    x,
    w,
    dout
  });
  checkShapeIs(op, "dout", dout.shape, [
    dims.N,
    dims.F,
    dims.HO,
    dims.WO
  ]);
  const dx = Tensor.zeros(x.shape, dtype);
  const dw = Tensor.zeros(w.shape, dtype);
  const db = Tensor.zeros([
    dims.F
  ], dtype);
  conv2dBackwardData(dx.data, dout.data, w.data, dims);
  conv2dBackwardFilter(dw.data, db.data, dout.data, x.data, dims);
  return {
    dx,
    dw,
    db
  };
}

// nn/layers/pool.ts
function maxPoolForwardNaive(x, param) {
  const op = "maxPoolForwardNaive";
  const dtype = sameDType(op, {
    x
  });
  checkParam(op, param, "{ poolHeight, poolWidth, stride }");
  const { poolHeight, poolWidth, stride } = param;
  const dims = poolDims(op, x.shape, poolHeight, poolWidth, stride);
  const outShape = [
    dims.N,
    dims.C,
    dims.HO,
    dims.WO
  ];
  const out = Tensor.zeros(outShape, dtype);
  const argmax = new Int32Array(out.size);
  maxPool2dForward(out.data, argmax, x.data, dims);
  return {
    out,
    cache: {
      x,
      argmax,
      param: {
        poolHeight,
        poolWidth,
        stride
      },
      dims
    }
  };
}
function maxPoolBackwardNaive(dout, cache) {
  const op = "maxPoolBackwardNaive";
  const { x, argmax, dims } = cache;
  const dtype = sameDType(op, {
    x,
    dout
  });
  checkShapeIs(op, "dout", dout.shape, [
    dims.N,
    dims.C,
    dims.HO,
    dims.WO
  ]);
  const dx = Tensor.zeros(x.shape, dtype);
  maxPool2dBackward(dx.data, dout.data, argmax, dims);
  return dx;
}

// kernels/wasm/_layout.ts
var CTRL = 256;
var GEN = CTRL / 4;
var DONE = CTRL / 4 + 1;
var OP = CTRL / 4 + 2;
var NTH = CTRL / 4 + 3;
var READY = CTRL / 4 + 4;
var ERROR = CTRL / 4 + 5;
var RESULT = (CTRL + 32) / 8;
var ARGS = (CTRL + 64) / 8;
var MAX_ARGS = 24;
var ARENA_BASE = 65536;
var Op = {
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
  argmaxOutside: 32
};

// web/src/_worker_threads.ts
var Worker = class {
  #worker;
  constructor(url, options = {}) {
    const Web = globalThis.Worker;
    this.#worker = new Web(url, {
      type: "module"
    });
    this.#worker.addEventListener("error", (e) => {
      console.error(`Cannot start the WASM worker ${url.href}: ${e.message ?? "it failed to load"}`);
    });
    this.#worker.postMessage(options.workerData);
  }
  /** Browsers have no unref: a worker ends with its page. */
  unref() {
  }
};

// kernels/wasm/_runtime.ts
var MAX_PAGES = 32768;
var MAX_THREADS = 64;
function envFlag(name) {
  try {
    const state = Deno.permissions.querySync({
      name: "env",
      variable: name
    }).state;
    return state === "granted" ? Deno.env.get(name) : void 0;
  } catch {
    return void 0;
  }
}
async function fetchBytes(name) {
  return await (await fetch(new URL(name, import.meta.url))).arrayBuffer();
}
var relaxedFlag = envFlag("CONVNET_WASM_RELAXED");
if (relaxedFlag !== void 0 && relaxedFlag !== "" && relaxedFlag !== "0" && relaxedFlag !== "1") {
  throw new RangeError(`Cannot read CONVNET_WASM_RELAXED: use 1 or 0, got "${relaxedFlag}"`);
}
var relaxedBytes = relaxedFlag === "0" ? null : await fetchBytes("./kernels_relaxed.wasm");
var relaxedOk = relaxedBytes !== null && WebAssembly.validate(relaxedBytes);
if (relaxedFlag === "1" && !relaxedOk) {
  throw new Error("Cannot start the WASM backend: CONVNET_WASM_RELAXED=1 asks for relaxed SIMD, which this engine does not support; unset it to run the strict build");
}
var build = relaxedOk ? "relaxed" : "release";
var module = await WebAssembly.compile(relaxedOk ? relaxedBytes : await fetchBytes("./kernels.wasm"));
var memory = new WebAssembly.Memory({
  initial: 2,
  maximum: MAX_PAGES,
  shared: true
});
var instance = new WebAssembly.Instance(module, {
  env: {
    memory,
    abort: () => {
    }
  }
});
var exports = instance.exports;
if (exports.heapBase() > ARENA_BASE) {
  throw new Error(`Cannot start the WASM backend: its static data ends at byte ${exports.heapBase()}, past the arena start ${ARENA_BASE}; raise ARENA_BASE in kernels/wasm/_layout.ts`);
}
var ctl = new Int32Array(memory.buffer, 0, 256);
var f64 = new Float64Array(memory.buffer, 0, 128);
var workers = [];
var threads = 1;
var runtime = globalThis;
var inBrowser = runtime.Deno === void 0 && runtime.process === void 0;
var canShare = runtime.crossOriginIsolated !== false;
var workerUrl = new URL("./kernel_worker.js", import.meta.url);
var workerEntry = workerUrl.protocol === "file:" || inBrowser ? workerUrl : new URL(`data:text/javascript,import ${JSON.stringify(workerUrl.href)};`);
function startWorkers(count2) {
  const before = Atomics.load(ctl, READY);
  for (let i = 0; i < count2; i++) {
    const tid = workers.length + 1;
    const worker = new Worker(workerEntry, {
      workerData: {
        module,
        memory,
        tid
      }
    });
    worker.unref();
    workers.push(worker);
  }
  return before + count2;
}
function notReady(ready, count2) {
  return new Error(`Cannot start the WASM worker threads: only ${count2 - (ready - Atomics.load(ctl, READY))} of ${count2} became ready in 30 s`);
}
function waitReady(ready, count2) {
  const deadline = Date.now() + 3e4;
  for (let seen = Atomics.load(ctl, READY); seen < ready; seen = Atomics.load(ctl, READY)) {
    if (Date.now() > deadline) throw notReady(ready, count2);
    Atomics.wait(ctl, READY, seen, 100);
  }
}
async function waitReadyAsync(ready, count2) {
  const deadline = Date.now() + 3e4;
  while (Atomics.load(ctl, READY) < ready) {
    if (Date.now() > deadline) throw notReady(ready, count2);
    await new Promise((resolve2) => setTimeout(resolve2, 2));
  }
}
function checkThreads(n) {
  if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS) {
    throw new RangeError(`Cannot set threads: need an integer in [1, ${MAX_THREADS}], got ${n}`);
  }
  if (n > 1 && !canShare) {
    throw new RangeError(`Cannot use ${n} threads: this page is not cross-origin isolated, so its memory cannot be shared with workers; serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp (deno task serve does), or use 1 thread`);
  }
}
function setThreads(n) {
  checkThreads(n);
  const missing = n - 1 - workers.length;
  if (missing > 0) waitReady(startWorkers(missing), missing);
  threads = n;
}
async function setThreadsAsync(n) {
  checkThreads(n);
  const missing = n - 1 - workers.length;
  if (missing > 0) await waitReadyAsync(startWorkers(missing), missing);
  threads = n;
}
function getThreads() {
  return threads;
}
function runJob(op, args, nth) {
  if (args.length > MAX_ARGS) {
    throw new RangeError(`Cannot run job ${op}: ${args.length} arguments`);
  }
  nth = Math.max(1, Math.min(nth, threads));
  for (let i = 0; i < args.length; i++) f64[ARGS + i] = args[i];
  ctl[OP] = op;
  ctl[NTH] = nth;
  f64[RESULT] = 0;
  if (nth === 1) {
    exports.run(0, 1);
    return f64[RESULT];
  }
  Atomics.store(ctl, DONE, 0);
  Atomics.store(ctl, ERROR, 0);
  Atomics.add(ctl, GEN, 1);
  Atomics.notify(ctl, GEN);
  try {
    exports.run(0, nth);
  } finally {
    for (let done = Atomics.load(ctl, DONE); done < workers.length; done = Atomics.load(ctl, DONE)) {
      Atomics.wait(ctl, DONE, done);
    }
  }
  if (Atomics.load(ctl, ERROR) !== 0) {
    throw new Error(`A WASM worker failed while running job ${op}`);
  }
  return f64[RESULT];
}
function defaultThreads() {
  const fromEnv = envFlag("CONVNET_THREADS");
  if (fromEnv !== void 0 && fromEnv !== "") {
    const n = Number(fromEnv);
    if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS) {
      throw new RangeError(`Cannot read CONVNET_THREADS: need an integer in [1, ${MAX_THREADS}], got "${fromEnv}"`);
    }
    return n;
  }
  return Math.max(1, Math.min(MAX_THREADS, navigator.hardwareConcurrency ?? 1));
}
if (canShare) {
  const n = defaultThreads(), start = Math.max(1, n - 1);
  await waitReadyAsync(startWorkers(start), start);
  threads = n;
}

// kernels/wasm/_arena.ts
var ALIGN = 64;
var SLACK = 64;
function layout(op, regions) {
  const offsets = [];
  const inPlace = [];
  let top = pinEnd;
  for (const r of regions) {
    const at = r.array ? residentOffset(r.array, r.bytes) : -1;
    const end = at + r.bytes + SLACK;
    if (at >= 0 && inPlace.every(([lo, hi]) => end <= lo || at >= hi)) {
      offsets.push(at);
      if (r.bytes > 0) inPlace.push([
        at,
        end
      ]);
      continue;
    }
    offsets.push(top);
    top += Math.ceil((r.bytes + SLACK) / ALIGN) * ALIGN;
  }
  const limit = MAX_PAGES * 65536;
  if (top > limit) {
    const list = regions.filter((r) => r.bytes > 0).map((r) => `${r.name} ${mib(r.bytes)}`);
    throw new RangeError(`Cannot run ${op}: it needs ${mib(top)} of WebAssembly memory (${list.join(", ")}) but the limit is ${mib(limit)}; use a smaller batch`);
  }
  return {
    offsets,
    top
  };
}
function carve(op, regions) {
  const { offsets, top } = layout(op, regions);
  const have = memory.buffer.byteLength;
  if (top > have) memory.grow(Math.ceil((top - have) / 65536));
  return offsets;
}
function mib(bytes) {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}
var f32Cache = new Float32Array(memory.buffer);
var i32Cache = new Int32Array(memory.buffer);
var buffers = new WeakSet([
  f32Cache.buffer
]);
function heapF32() {
  if (f32Cache.buffer.byteLength !== memory.buffer.byteLength) {
    f32Cache = new Float32Array(memory.buffer);
    i32Cache = new Int32Array(memory.buffer);
    buffers.add(f32Cache.buffer);
  }
  return f32Cache;
}
function heapI32() {
  heapF32();
  return i32Cache;
}
function copyIn(at, src, n) {
  if (src instanceof Float32Array && src.byteOffset === at && buffers.has(src.buffer)) return;
  const view = heapF32();
  const s = src;
  view.set(s.length === n ? s : s.subarray(0, n), at / 4);
}
function copyOut(dst, at, n) {
  if (dst instanceof Float32Array && dst.byteOffset === at && buffers.has(dst.buffer)) return;
  dst.set(heapF32().subarray(at / 4, at / 4 + n));
}
function zero(at, n) {
  heapF32().fill(0, at / 4, at / 4 + n);
}
var pinEnd = ARENA_BASE;
var live = /* @__PURE__ */ new Map();
var free = [];
function residentOffset(a, bytes) {
  if (!(a instanceof Float32Array) || !buffers.has(a.buffer) || a.byteLength < bytes) return -1;
  const at = a.byteOffset;
  if (at < ARENA_BASE || at >= pinEnd) return -1;
  for (const [start, size] of live) {
    if (at >= start && at < start + size) return at + bytes + SLACK <= start + size ? at : -1;
  }
  return -1;
}
function wasmArray(length) {
  if (!Number.isInteger(length) || length < 0) {
    throw new RangeError(`Cannot allocate a WASM array: length must be a non-negative integer, got ${length}`);
  }
  const bytes = Math.ceil((4 * length + SLACK) / ALIGN) * ALIGN;
  const i = free.findIndex((b) => b.bytes >= bytes);
  let at;
  if (i >= 0) {
    at = free[i].at;
    if (free[i].bytes === bytes) free.splice(i, 1);
    else free[i] = {
      at: at + bytes,
      bytes: free[i].bytes - bytes
    };
  } else {
    at = pinEnd;
    const limit = MAX_PAGES * 65536;
    if (at + bytes > limit) {
      throw new RangeError(`Cannot allocate a WASM array of ${length} floats (${mib(bytes)}): resident arrays already take ${mib(pinEnd - ARENA_BASE)} and the limit is ${mib(limit)}; free some with freeWasmArray or use plain arrays`);
    }
    pinEnd = at + bytes;
    const have = memory.buffer.byteLength;
    if (pinEnd > have) memory.grow(Math.ceil((pinEnd - have) / 65536));
  }
  live.set(at, bytes);
  const view = new Float32Array(heapF32().buffer, at, length);
  view.fill(0);
  return view;
}
function freeWasmArray(array) {
  const bytes = array instanceof Float32Array && buffers.has(array.buffer) ? live.get(array.byteOffset) : void 0;
  if (bytes === void 0) {
    throw new TypeError("Cannot free a WASM array: pass an array that wasmArray returned and that is not freed yet");
  }
  live.delete(array.byteOffset);
  free.push({
    at: array.byteOffset,
    bytes
  });
  free.sort((p, q) => p.at - q.at);
  const merged = [];
  for (const b of free) {
    const last = merged[merged.length - 1];
    if (last && last.at + last.bytes === b.at) last.bytes += b.bytes;
    else merged.push({
      ...b
    });
  }
  const top = merged[merged.length - 1];
  if (top && top.at + top.bytes === pinEnd) {
    pinEnd = top.at;
    merged.pop();
  }
  free = merged;
}

// kernels/wasm/conv.ts
function convArgs(d) {
  return [
    d.N,
    d.C,
    d.H,
    d.W,
    d.F,
    d.KH,
    d.KW,
    d.stride,
    d.pad,
    d.HO,
    d.WO
  ];
}
function scratchBytes(d, backward) {
  const K = d.C * d.KH * d.KW, P = d.HO * d.WO + 8;
  const padded = d.C * (d.H + 2 * d.pad) * (d.W + 2 * d.pad);
  const estimate = 4 * (3 * K * P + 2 * d.F * P + 2 * K * (d.F + 8) + padded);
  if (estimate >= 2 ** 31) return estimate;
  return backward ? exports.convBackwardScratch(d.C, d.KH, d.KW, d.F, d.HO, d.WO, d.H, d.W, d.stride, d.pad) : exports.convForwardScratch(d.C, d.KH, d.KW, d.F, d.HO, d.WO, d.stride);
}
function shapes(d) {
  const { N, C, H, W, F, KH, KW, HO, WO } = d;
  return {
    x: N * C * H * W,
    w: F * C * KH * KW,
    out: N * F * HO * WO,
    F,
    N
  };
}
function forwardRegions(d, a = {}) {
  const s = shapes(d), threads2 = Math.min(d.N, getThreads());
  const scratch = scratchBytes(d, false);
  return [
    {
      name: `x (${d.N}, ${d.C}, ${d.H}, ${d.W})`,
      bytes: 4 * s.x,
      array: a.x
    },
    {
      name: `w (${d.F}, ${d.C}, ${d.KH}, ${d.KW})`,
      bytes: 4 * s.w,
      array: a.w
    },
    {
      name: `b (${d.F})`,
      bytes: 4 * s.F,
      array: a.b
    },
    {
      name: `out (${d.N}, ${d.F}, ${d.HO}, ${d.WO})`,
      bytes: 4 * s.out,
      array: a.out
    },
    {
      name: `scratch ${threads2}\xD7${scratch} B`,
      bytes: threads2 * scratch
    }
  ];
}
function backwardRegions(d, doData, doFilter, a = {}) {
  const s = shapes(d);
  const threads2 = Math.min(Math.max(d.N, Math.ceil(d.C * d.KH * d.KW / 8)), getThreads());
  const scratch = scratchBytes(d, true);
  return [
    {
      name: `dx (${d.N}, ${d.C}, ${d.H}, ${d.W})`,
      bytes: doData ? 4 * s.x : 0,
      array: a.dx
    },
    {
      name: `dout (${d.N}, ${d.F}, ${d.HO}, ${d.WO})`,
      bytes: 4 * s.out,
      array: a.dout
    },
    {
      name: `x (${d.N}, ${d.C}, ${d.H}, ${d.W})`,
      bytes: doFilter ? 4 * s.x : 0,
      array: a.x
    },
    {
      name: `w (${d.F}, ${d.C}, ${d.KH}, ${d.KW})`,
      bytes: doData ? 4 * s.w : 0,
      array: a.w
    },
    {
      name: `dw (${d.F}, ${d.C}, ${d.KH}, ${d.KW})`,
      bytes: doFilter ? 4 * s.w : 0,
      array: a.dw
    },
    {
      name: `db (${d.F})`,
      bytes: doFilter ? 4 * s.F : 0,
      array: a.db
    },
    {
      name: `scratch ${threads2}\xD7${scratch} B`,
      bytes: threads2 * scratch
    },
    {
      name: "filter partials",
      bytes: doFilter ? sharedBytes(d) : 0
    }
  ];
}
function sharedBytes(d) {
  const { C, KH, KW, F, HO, WO, stride, N } = d;
  const small = F * C * KH * KW <= 4096, winograd = F * C <= 16384 && KH * KW <= 9;
  return small || winograd ? exports.convBackwardSharedBytes(C, KH, KW, F, HO, WO, stride, N) : 0;
}
function checkConvForwardFits(d) {
  layout("convForward", forwardRegions(d));
}
function checkConvBackwardFits(d) {
  layout("convBackward", backwardRegions(d, true, true));
}
function conv2dForward2(out, x, w, b, d) {
  const s = shapes(d);
  if (s.out === 0) return;
  const nth = Math.min(d.N, getThreads());
  const [px, pw, pb, po, ps] = carve("conv2dForward", forwardRegions(d, {
    x,
    w,
    b,
    out
  }));
  const scratch = scratchBytes(d, false);
  copyIn(px, x, s.x);
  copyIn(pw, w, s.w);
  copyIn(pb, b, s.F);
  runJob(Op.convForward, [
    po,
    px,
    pw,
    pb,
    ...convArgs(d),
    ps,
    scratch
  ], nth);
  copyOut(out, po, s.out);
}
function conv2dBackward(dx, dw, db, dout, x, w, d, overwrite = false) {
  const s = shapes(d);
  const doFilter = dw !== null && db !== null;
  if (s.out === 0 || s.x === 0) {
    if (overwrite) {
      dx?.fill(0, 0, s.x);
      if (doFilter) {
        dw.fill(0, 0, s.w);
        db.fill(0, 0, s.F);
      }
    }
    return;
  }
  const nth = Math.max(d.N, Math.ceil(d.C * d.KH * d.KW / 8));
  const scratch = scratchBytes(d, true);
  const regions = backwardRegions(d, dx !== null, doFilter, {
    dx,
    dout,
    x,
    w,
    dw,
    db
  });
  const [pdx, pdo, px, pw, pdw, pdb, ps, pshared] = carve("conv2dBackward", regions);
  copyIn(pdo, dout, s.out);
  if (dx) {
    copyIn(pw, w, s.w);
    if (!overwrite) copyIn(pdx, dx, s.x);
  }
  if (doFilter) {
    copyIn(px, x, s.x);
    if (overwrite) zero(pdw, s.w + (pdb - pdw) / 4 + s.F);
    else {
      copyIn(pdw, dw, s.w);
      copyIn(pdb, db, s.F);
    }
  }
  const flags = [
    dx ? overwrite ? 2 : 1 : 0,
    doFilter ? 1 : 0
  ];
  const shared = doFilter && sharedBytes(d) > 0 ? pshared : 0;
  if (shared) zero(shared, 1);
  const args = [
    pdx,
    pdo,
    px,
    pw,
    pdw,
    pdb,
    ...convArgs(d),
    ps,
    scratch,
    ...flags,
    shared
  ];
  runJob(Op.convBackward, args, nth);
  if (doFilter) {
    copyOut(dw, pdw, s.w);
    copyOut(db, pdb, s.F);
  }
  if (dx) copyOut(dx, pdx, s.x);
}
function conv2dBackwardData2(dx, dout, w, d, overwrite = false) {
  conv2dBackward(dx, null, null, dout, dout, w, d, overwrite);
}
function conv2dBackwardFilter2(dw, db, dout, x, d) {
  conv2dBackward(null, dw, db, dout, x, x, d);
}

// kernels/wasm/pool.ts
function poolArgs(d) {
  return [
    d.N * d.C,
    d.H,
    d.W,
    d.PH,
    d.PW,
    d.stride,
    d.HO,
    d.WO
  ];
}
var PER_THREAD = 1 << 19;
function poolThreads(d) {
  return Math.min(d.N * d.C, Math.ceil(d.N * d.C * d.H * d.W / PER_THREAD));
}
function maxPool2dForward2(out, argmax, x, d) {
  const nx = d.N * d.C * d.H * d.W, no = d.N * d.C * d.HO * d.WO;
  if (no === 0) return;
  const [px, po, pa] = carve("maxPool2dForward", [
    {
      name: `x (${d.N}, ${d.C}, ${d.H}, ${d.W})`,
      bytes: 4 * nx,
      array: x
    },
    {
      name: `out (${d.N}, ${d.C}, ${d.HO}, ${d.WO})`,
      bytes: 4 * no,
      array: out
    },
    {
      name: `argmax (${d.N}, ${d.C}, ${d.HO}, ${d.WO})`,
      bytes: 4 * no
    }
  ]);
  copyIn(px, x, nx);
  runJob(Op.maxPoolForward, [
    po,
    pa,
    px,
    ...poolArgs(d)
  ], poolThreads(d));
  copyOut(out, po, no);
  argmax.set(heapI32().subarray(pa / 4, pa / 4 + no));
}
function maxPool2dBackward2(dx, dout, argmax, d, overwrite = false) {
  const nx = d.N * d.C * d.H * d.W, no = d.N * d.C * d.HO * d.WO;
  if (no === 0) return;
  const plain2 = dx instanceof Float32Array && residentOffset(dx, 4 * nx) < 0;
  const [pa, pdx, pdo] = carve("maxPool2dBackward", [
    {
      name: `argmax (${d.N}, ${d.C}, ${d.HO}, ${d.WO})`,
      bytes: 4 * no
    },
    ...plain2 ? [] : [
      {
        name: `dx (${d.N}, ${d.C}, ${d.H}, ${d.W})`,
        bytes: 4 * nx,
        array: dx
      },
      {
        name: `dout (${d.N}, ${d.C}, ${d.HO}, ${d.WO})`,
        bytes: 4 * no,
        array: dout
      }
    ]
  ]);
  heapI32().set(argmax.subarray(0, no), pa / 4);
  const planes = [
    d.N * d.C,
    d.HO * d.WO,
    d.H * d.W
  ];
  if (runJob(Op.argmaxOutside, [
    pa,
    ...planes
  ], poolThreads(d)) !== 0) {
    throwFirstOutside(argmax, d);
  }
  if (plain2) return scatterPlain(dx, dout, argmax, d, overwrite);
  if (!overwrite) copyIn(pdx, dx, nx);
  copyIn(pdo, dout, no);
  const args = [
    pdx,
    pdo,
    pa,
    ...planes,
    overwrite ? 1 : 0
  ];
  const bad2 = runJob(Op.maxPoolBackward, args, poolThreads(d));
  if (bad2 !== 0) throw outsidePlane(bad2 - 1, argmax, d);
  copyOut(dx, pdx, nx);
}
function scatterPlain(dx, dout, argmax, d, overwrite) {
  const no = d.N * d.C * d.HO * d.WO;
  if (overwrite) dx.fill(0, 0, d.N * d.C * d.H * d.W);
  const d32 = dout instanceof Float32Array ? dout : Float32Array.from(dout.subarray(0, no));
  for (let o = 0; o < no; o++) dx[argmax[o]] += d32[o];
}
function throwFirstOutside(argmax, d) {
  const k = firstOutside(argmax, d.N * d.C, d.HO * d.WO, d.H * d.W);
  if (k >= 0) throw outsidePlane(k, argmax, d);
}
function firstOutside(argmax, planes, plane, HW) {
  for (let p = 0, o = 0, lo = 0; p < planes; p++, o += plane, lo += HW) {
    const end = o + plane;
    for (let k = o; k < end; k++) {
      if (argmax[k] - lo >>> 0 >= HW) return k;
    }
  }
  return -1;
}
function outsidePlane(o, argmax, d) {
  const plane = Math.floor(o / (d.HO * d.WO)) * d.H * d.W;
  return new RangeError(`Cannot run maxPool2dBackward: argmax[${o}] = ${argmax[o]} lies outside its plane [${plane}, ${plane + d.H * d.W}); pass the argmax that maxPool2dForward wrote`);
}

// kernels/wasm/dense.ts
function gemm2(c, a, b, M, N, K, transA, transB, accumulate) {
  if (M === 0 || N === 0) return;
  const nth = Math.ceil(N / 8);
  const scratch = exports.gemmScratch(M, N, K);
  const [pc, pa, pb, ps] = carve("gemm", [
    {
      name: `c (${M}, ${N})`,
      bytes: 4 * M * N,
      array: c
    },
    {
      name: `a (${M}\xB7${K})`,
      bytes: 4 * M * K,
      array: a
    },
    {
      name: `b (${K}\xB7${N})`,
      bytes: 4 * K * N,
      array: b
    },
    {
      name: `scratch ${Math.min(nth, 64)}\xD7${scratch} B`,
      bytes: Math.min(nth, 64) * scratch
    }
  ]);
  if (accumulate) copyIn(pc, c, M * N);
  copyIn(pa, a, M * K);
  copyIn(pb, b, K * N);
  runJob(Op.gemm, [
    pc,
    pa,
    pb,
    M,
    N,
    K,
    +transA,
    +transB,
    +accumulate,
    ps,
    scratch
  ], nth);
  copyOut(c, pc, M * N);
}
function addRowBias2(out, bias, rows, cols) {
  if (rows * cols === 0) return;
  const [po, pb] = carve("addRowBias", [
    {
      name: `out (${rows}, ${cols})`,
      bytes: 4 * rows * cols,
      array: out
    },
    {
      name: `bias (${cols})`,
      bytes: 4 * cols,
      array: bias
    }
  ]);
  copyIn(po, out, rows * cols);
  copyIn(pb, bias, cols);
  runJob(Op.addRowBias, [
    po,
    pb,
    rows,
    cols
  ], rows);
  copyOut(out, po, rows * cols);
}
function sumRows2(sums, m, rows, cols) {
  if (cols === 0) return;
  const [ps, pm] = carve("sumRows", [
    {
      name: `sums (${cols})`,
      bytes: 4 * cols,
      array: sums
    },
    {
      name: `m (${rows}, ${cols})`,
      bytes: 4 * rows * cols,
      array: m
    }
  ]);
  copyIn(ps, sums, cols);
  copyIn(pm, m, rows * cols);
  runJob(Op.sumRows, [
    ps,
    pm,
    rows,
    cols
  ], Math.ceil(cols / 4));
  copyOut(sums, ps, cols);
}
function reluForward2(out, x, n) {
  if (n === 0) return;
  const [po, px] = carve("reluForward", [
    {
      name: `out (${n})`,
      bytes: 4 * n,
      array: out
    },
    {
      name: `x (${n})`,
      bytes: 4 * n,
      array: x
    }
  ]);
  copyIn(px, x, n);
  runJob(Op.reluForward, [
    po,
    px,
    n
  ], Math.ceil(n / 65536));
  copyOut(out, po, n);
}
function reluBackward2(dx, dout, x, n) {
  if (n === 0) return;
  const [pdx, pdo, px] = carve("reluBackward", [
    {
      name: `dx (${n})`,
      bytes: 4 * n,
      array: dx
    },
    {
      name: `dout (${n})`,
      bytes: 4 * n,
      array: dout
    },
    {
      name: `x (${n})`,
      bytes: 4 * n,
      array: x
    }
  ]);
  copyIn(pdo, dout, n);
  copyIn(px, x, n);
  runJob(Op.reluBackward, [
    pdx,
    pdo,
    px,
    n
  ], Math.ceil(n / 65536));
  copyOut(dx, pdx, n);
}
function runLoss(op, dx, x, y, N, C, extra = []) {
  for (let n = 0; n < N; n++) {
    const label = y[n];
    if (!Number.isInteger(label) || label < 0 || label >= C) {
      throw new RangeError(`Cannot run ${op}: label y[${n}] = ${label} is not a class in [0, ${C})`);
    }
  }
  const [pdx, px, py] = carve(op, [
    {
      name: `dx (${N}, ${C})`,
      bytes: 4 * N * C,
      array: dx
    },
    {
      name: `x (${N}, ${C})`,
      bytes: 4 * N * C,
      array: x
    },
    {
      name: `y (${N})`,
      bytes: 4 * N
    }
  ]);
  copyIn(px, x, N * C);
  const labels = heapI32();
  for (let n = 0; n < N; n++) labels[py / 4 + n] = y[n];
  const result = runJob(Op[op], [
    pdx,
    px,
    py,
    N,
    C,
    ...extra
  ], 1);
  copyOut(dx, pdx, N * C);
  return result;
}
function softmaxCrossEntropy2(dx, x, y, N, C) {
  return runLoss("softmaxCrossEntropy", dx, x, y, N, C);
}
function svmLoss2(dx, x, y, N, C) {
  return runLoss("svmLoss", dx, x, y, N, C);
}

// kernels/wasm/optim.ts
var PER_THREAD2 = 16384;
function sgdStep2(param, grad, buf, n, lr, momentum, weightDecay, nesterov) {
  const dampening = 0, first = false;
  if (n === 0) return;
  const withBuf = momentum !== 0;
  const [pp, pg, pb] = carve("sgdStep", [
    {
      name: `param (${n})`,
      bytes: 4 * n
    },
    {
      name: `grad (${n})`,
      bytes: 4 * n
    },
    {
      name: `buf (${n})`,
      bytes: withBuf ? 4 * n : 0
    }
  ]);
  copyIn(pp, param, n);
  copyIn(pg, grad, n);
  if (withBuf) copyIn(pb, buf, n);
  const args = [
    pp,
    pg,
    pb,
    n,
    lr,
    momentum,
    dampening,
    weightDecay,
    +nesterov,
    +first
  ];
  runJob(Op.sgdStep, args, Math.ceil(n / PER_THREAD2));
  copyOut(param, pp, n);
  if (withBuf) copyOut(buf, pb, n);
}
function adamStep2(param, grad, m, v, n, lr, beta1, beta2, eps, step, weightDecay, decoupled) {
  if (n === 0) return;
  const [pp, pg, pm, pv] = carve("adamStep", [
    {
      name: `param (${n})`,
      bytes: 4 * n
    },
    {
      name: `grad (${n})`,
      bytes: 4 * n
    },
    {
      name: `m (${n})`,
      bytes: 4 * n
    },
    {
      name: `v (${n})`,
      bytes: 4 * n
    }
  ]);
  copyIn(pp, param, n);
  copyIn(pg, grad, n);
  copyIn(pm, m, n);
  copyIn(pv, v, n);
  const args = [
    pp,
    pg,
    pm,
    pv,
    n,
    lr,
    beta1,
    beta2,
    eps,
    weightDecay,
    step,
    +decoupled
  ];
  runJob(Op.adamStep, args, Math.ceil(n / PER_THREAD2));
  copyOut(param, pp, n);
  copyOut(m, pm, n);
  copyOut(v, pv, n);
}

// kernels/wasm/solver.ts
var PER_THREAD3 = 65536;
function rmspropStep2(w, g, cache, n, lr, decayRate, eps) {
  if (n === 0) return;
  const [pw, pg, pc] = carve("rmspropStep", [
    {
      name: `w (${n})`,
      bytes: 4 * n
    },
    {
      name: `g (${n})`,
      bytes: 4 * n
    },
    {
      name: `cache (${n})`,
      bytes: 4 * n
    }
  ]);
  copyIn(pw, w, n);
  copyIn(pg, g, n);
  copyIn(pc, cache, n);
  runJob(Op.rmspropStep, [
    pw,
    pg,
    pc,
    n,
    lr,
    decayRate,
    eps
  ], Math.ceil(n / PER_THREAD3));
  copyOut(w, pw, n);
  copyOut(cache, pc, n);
}
function sumOfSquares2(x, n) {
  if (n === 0) return 0;
  const [px] = carve("sumOfSquares", [
    {
      name: `x (${n})`,
      bytes: 4 * n
    }
  ]);
  copyIn(px, x, n);
  return runJob(Op.sumOfSquares, [
    px,
    n
  ], 1);
}

// kernels/wasm/avgpool.ts
function poolArgs2(d) {
  return [
    d.N * d.C,
    d.H,
    d.W,
    d.PH,
    d.PW,
    d.stride,
    d.HO,
    d.WO
  ];
}
function avgPool2dForward2(out, x, d) {
  const nx = d.N * d.C * d.H * d.W, no = d.N * d.C * d.HO * d.WO;
  if (no === 0) return;
  const [px, po] = carve("avgPool2dForward", [
    {
      name: `x (${d.N}, ${d.C}, ${d.H}, ${d.W})`,
      bytes: 4 * nx
    },
    {
      name: `out (${d.N}, ${d.C}, ${d.HO}, ${d.WO})`,
      bytes: 4 * no
    }
  ]);
  copyIn(px, x, nx);
  runJob(Op.avgPoolForward, [
    po,
    px,
    ...poolArgs2(d)
  ], d.N * d.C);
  copyOut(out, po, no);
}
function avgPool2dBackward2(dx, dout, d) {
  const nx = d.N * d.C * d.H * d.W, no = d.N * d.C * d.HO * d.WO;
  if (no === 0) return;
  const [pdx, pdo] = carve("avgPool2dBackward", [
    {
      name: `dx (${d.N}, ${d.C}, ${d.H}, ${d.W})`,
      bytes: 4 * nx
    },
    {
      name: `dout (${d.N}, ${d.C}, ${d.HO}, ${d.WO})`,
      bytes: 4 * no
    }
  ]);
  copyIn(pdx, dx, nx);
  copyIn(pdo, dout, no);
  runJob(Op.avgPoolBackward, [
    pdx,
    pdo,
    ...poolArgs2(d)
  ], d.N * d.C);
  copyOut(dx, pdx, nx);
}

// kernels/wasm/batchnorm.ts
function perChannel(C, names) {
  return names.map((name) => ({
    name: `${name} (${C})`,
    bytes: 4 * C
  }));
}
function batchNorm2dForward2(out, saveMean, saveInvStd, runningMean, runningVar, x, gamma, beta, N, C, HW, eps, momentum, training, relu = false) {
  if (C === 0) return;
  const n = N * C * HW;
  const [po, px, pm, ps, prm, prv, pg, pb] = carve("batchNorm2dForward", [
    {
      name: `out (${N}, ${C}, ${HW})`,
      bytes: 4 * n
    },
    {
      name: `x (${N}, ${C}, ${HW})`,
      bytes: 4 * n
    },
    ...perChannel(C, [
      "saveMean",
      "saveInvStd",
      "runningMean",
      "runningVar",
      "gamma",
      "beta"
    ])
  ]);
  copyIn(px, x, n);
  copyIn(prm, runningMean, C);
  copyIn(prv, runningVar, C);
  copyIn(pg, gamma, C);
  copyIn(pb, beta, C);
  const args = [
    po,
    pm,
    ps,
    prm,
    prv,
    px,
    pg,
    pb,
    N,
    C,
    HW,
    eps,
    momentum,
    +training,
    +relu
  ];
  runJob(Op.batchNormForward, args, C);
  copyOut(out, po, n);
  copyOut(saveMean, pm, C);
  copyOut(saveInvStd, ps, C);
  if (training) {
    copyOut(runningMean, prm, C);
    copyOut(runningVar, prv, C);
  }
}
function batchNorm2dBackward2(dx, dgamma, dbeta, dout, x, gamma, saveMean, saveInvStd, N, C, HW, training, reluBeta) {
  if (C === 0) return;
  const n = N * C * HW;
  const shape = `(${N}, ${C}, ${HW})`;
  const [pdx, pdo, px, pdg, pdb, pg, pm, ps, pbeta] = carve("batchNorm2dBackward", [
    {
      name: `dx ${shape}`,
      bytes: 4 * n
    },
    {
      name: `dout ${shape}`,
      bytes: 4 * n
    },
    {
      name: `x ${shape}`,
      bytes: 4 * n
    },
    ...perChannel(C, [
      "dgamma",
      "dbeta",
      "gamma",
      "saveMean",
      "saveInvStd"
    ]),
    {
      name: `beta (${C})`,
      bytes: reluBeta ? 4 * C : 0
    }
  ]);
  copyIn(pdx, dx, n);
  copyIn(pdo, dout, n);
  copyIn(px, x, n);
  copyIn(pdg, dgamma, C);
  copyIn(pdb, dbeta, C);
  copyIn(pg, gamma, C);
  copyIn(pm, saveMean, C);
  copyIn(ps, saveInvStd, C);
  if (reluBeta) copyIn(pbeta, reluBeta, C);
  const args = [
    pdx,
    pdg,
    pdb,
    pdo,
    px,
    pg,
    pm,
    ps,
    N,
    C,
    HW,
    +training,
    reluBeta ? pbeta : 0
  ];
  runJob(Op.batchNormBackward, args, C);
  copyOut(dx, pdx, n);
  copyOut(dgamma, pdg, C);
  copyOut(dbeta, pdb, C);
}

// kernels/wasm/dropout.ts
var PER_THREAD4 = 65536;
var TWO_32 = 4294967296;
function dropoutForward2(out, mask, x, n, p, seed) {
  if (!(p >= 0 && p < 1)) {
    throw new RangeError(`Cannot run dropoutForward: p must be in [0, 1), got ${p}`);
  }
  if (!Number.isInteger(seed) || seed < 0 || seed >= TWO_32) {
    throw new RangeError(`Cannot run dropoutForward: seed must be an integer in [0, 2\xB3\xB2), got ${seed}`);
  }
  if (n === 0) return;
  const [po, pm, px] = carve("dropoutForward", [
    {
      name: `out (${n})`,
      bytes: 4 * n
    },
    {
      name: `mask (${n})`,
      bytes: 4 * n
    },
    {
      name: `x (${n})`,
      bytes: 4 * n
    }
  ]);
  copyIn(px, x, n);
  const T = Math.ceil(p * TWO_32), keepNone = T >= TWO_32;
  const args = [
    po,
    pm,
    px,
    n,
    seed,
    keepNone ? 0 : T,
    +keepNone,
    1 / (1 - p)
  ];
  runJob(Op.dropoutForward, args, Math.ceil(n / PER_THREAD4));
  copyOut(out, po, n);
  copyOut(mask, pm, n);
}
function dropoutBackward2(dx, dout, mask, n) {
  if (n === 0) return;
  const [pdx, pdo, pm] = carve("dropoutBackward", [
    {
      name: `dx (${n})`,
      bytes: 4 * n
    },
    {
      name: `dout (${n})`,
      bytes: 4 * n
    },
    {
      name: `mask (${n})`,
      bytes: 4 * n
    }
  ]);
  copyIn(pdx, dx, n);
  copyIn(pdo, dout, n);
  copyIn(pm, mask, n);
  runJob(Op.dropoutBackward, [
    pdx,
    pdo,
    pm,
    n
  ], Math.ceil(n / PER_THREAD4));
  copyOut(dx, pdx, n);
}

// kernels/wasm/cross_entropy.ts
function softmaxCrossEntropySmoothed2(dx, x, y, N, C, smoothing) {
  const op = "softmaxCrossEntropySmoothed";
  if (!(smoothing >= 0 && smoothing <= 1)) {
    throw new RangeError(`Cannot run ${op}: smoothing must be in [0, 1], got ${smoothing}`);
  }
  return runLoss(op, dx, x, y, N, C, [
    smoothing
  ]);
}

// kernels/wasm/axpy.ts
var PER_THREAD5 = 65536;
function axpy2(y, x, alpha, n) {
  if (n === 0) return;
  const [py, px] = carve("axpy", [
    {
      name: `y (${n})`,
      bytes: 4 * n
    },
    {
      name: `x (${n})`,
      bytes: 4 * n
    }
  ]);
  copyIn(py, y, n);
  copyIn(px, x, n);
  runJob(Op.axpy, [
    py,
    px,
    alpha,
    n
  ], Math.ceil(n / PER_THREAD5));
  copyOut(y, py, n);
}

// kernels/wasm/conv_pool.ts
function convArgs2(d) {
  return [
    d.N,
    d.C,
    d.H,
    d.W,
    d.F,
    d.KH,
    d.KW,
    d.stride,
    d.pad,
    d.HO,
    d.WO
  ];
}
function scratchBytes2(d, backward) {
  const K = d.C * d.KH * d.KW, P = d.HO * d.WO + 8;
  const Hp = d.H + 2 * d.pad, Wp = d.W + 2 * d.pad;
  const estimate = 4 * (2 * K * P + 2 * d.F * P + 2 * K * (d.F + 8) + d.C * Hp * Wp);
  if (estimate >= 2 ** 31) return estimate;
  return backward ? exports.convPoolReluBackwardScratch(d.C, d.KH, d.KW, d.F, d.HO, d.WO, Hp, Wp) : exports.convPoolReluForwardScratch(d.C, d.KH, d.KW, d.F, d.HO, d.WO, d.stride);
}
function sizes(d) {
  const { N, C, H, W, F, KH, KW, HO, WO } = d;
  return {
    x: N * C * H * W,
    w: F * C * KH * KW,
    out: N * F * (HO / 2) * (WO / 2)
  };
}
function outName(d, what) {
  return `${what} (${d.N}, ${d.F}, ${d.HO / 2}, ${d.WO / 2})`;
}
function forwardRegions2(d) {
  const s = sizes(d), threads2 = Math.min(d.N, getThreads()), scratch = scratchBytes2(d, false);
  return [
    {
      name: `x (${d.N}, ${d.C}, ${d.H}, ${d.W})`,
      bytes: 4 * s.x
    },
    {
      name: `w (${d.F}, ${d.C}, ${d.KH}, ${d.KW})`,
      bytes: 4 * s.w
    },
    {
      name: `b (${d.F})`,
      bytes: 4 * d.F
    },
    {
      name: outName(d, "out"),
      bytes: 4 * s.out
    },
    {
      name: outName(d, "argmax"),
      bytes: 4 * s.out
    },
    {
      name: `scratch ${threads2}\xD7${scratch} B`,
      bytes: threads2 * scratch
    }
  ];
}
function backwardRegions2(d) {
  const s = sizes(d), threads2 = getThreads(), scratch = scratchBytes2(d, true);
  return [
    {
      name: `dw (${d.F}, ${d.C}, ${d.KH}, ${d.KW})`,
      bytes: 4 * s.w
    },
    {
      name: `db (${d.F})`,
      bytes: 4 * d.F
    },
    {
      name: outName(d, "dout"),
      bytes: 4 * s.out
    },
    {
      name: outName(d, "argmax"),
      bytes: 4 * s.out
    },
    {
      name: `x (${d.N}, ${d.C}, ${d.H}, ${d.W})`,
      bytes: 4 * s.x
    },
    {
      name: `scratch ${threads2}\xD7${scratch} B`,
      bytes: threads2 * scratch
    }
  ];
}
function checkConvPoolReluFits(d) {
  layout("convPoolRelu2dForward", forwardRegions2(d));
  layout("convPoolRelu2dBackwardFilter", backwardRegions2(d));
}
function convPoolRelu2dForward2(out, argmax, x, w, b, d) {
  checkConvPoolDims("convPoolRelu2dForward", d);
  const s = sizes(d);
  if (s.out === 0) return;
  const [px, pw, pb, po, pa, ps] = carve("convPoolRelu2dForward", forwardRegions2(d));
  copyIn(px, x, s.x);
  copyIn(pw, w, s.w);
  copyIn(pb, b, d.F);
  const args = [
    po,
    pa,
    px,
    pw,
    pb,
    ...convArgs2(d),
    ps,
    scratchBytes2(d, false)
  ];
  runJob(Op.convPoolReluForward, args, d.N);
  copyOut(out, po, s.out);
  argmax.set(heapI32().subarray(pa / 4, pa / 4 + s.out));
}
function convPoolRelu2dBackwardFilter2(dw, db, dout, argmax, x, d) {
  checkConvPoolDims("convPoolRelu2dBackwardFilter", d);
  const s = sizes(d);
  if (s.out === 0) return;
  const [pdw, pdb, pdo, pa, px, ps] = carve("convPoolRelu2dBackwardFilter", backwardRegions2(d));
  copyIn(pdw, dw, s.w);
  copyIn(pdb, db, d.F);
  copyIn(pdo, dout, s.out);
  heapI32().set(argmax.subarray(0, s.out), pa / 4);
  copyIn(px, x, s.x);
  const args = [
    pdw,
    pdb,
    pdo,
    pa,
    px,
    ...convArgs2(d),
    ps,
    scratchBytes2(d, true)
  ];
  const bad2 = runJob(Op.convPoolReluBackwardFilter, args, d.F);
  if (bad2 !== 0) {
    const o = bad2 - 1;
    throw new RangeError(`Cannot run convPoolRelu2dBackwardFilter: argmax[${o}] = ${argmax[o]} lies outside its conv plane; pass the argmax that convPoolRelu2dForward wrote`);
  }
  copyOut(dw, pdw, s.w);
  copyOut(db, pdb, d.F);
}

// kernels/wasm/mod.ts
var wasmKernels = {
  name: "wasm",
  conv2dForward: conv2dForward2,
  conv2dBackwardData: conv2dBackwardData2,
  conv2dBackwardFilter: conv2dBackwardFilter2,
  maxPool2dForward: maxPool2dForward2,
  maxPool2dBackward: maxPool2dBackward2,
  gemm: gemm2,
  addRowBias: addRowBias2,
  sumRows: sumRows2,
  reluForward: reluForward2,
  reluBackward: reluBackward2,
  softmaxCrossEntropy: softmaxCrossEntropy2,
  svmLoss: svmLoss2,
  sgdStep: sgdStep2,
  adamStep: adamStep2,
  rmspropStep: rmspropStep2,
  sumOfSquares: sumOfSquares2,
  avgPool2dForward: avgPool2dForward2,
  avgPool2dBackward: avgPool2dBackward2,
  batchNorm2dForward: batchNorm2dForward2,
  batchNorm2dBackward: batchNorm2dBackward2,
  dropoutForward: dropoutForward2,
  dropoutBackward: dropoutBackward2,
  softmaxCrossEntropySmoothed: softmaxCrossEntropySmoothed2,
  axpy: axpy2,
  convPoolRelu2dForward: convPoolRelu2dForward2,
  convPoolRelu2dBackwardFilter: convPoolRelu2dBackwardFilter2
};

// kernels/mod.ts
var refKernels = {
  name: "ref",
  ...mod_exports
};
var wasmKernels2 = {
  ...refKernels,
  ...wasmKernels
};
var REF_HELPERS = /* @__PURE__ */ new Set([
  "dropoutHash",
  "checkConvPoolDims"
]);
var wasmMissing = Object.keys(refKernels).filter((k) => !REF_HELPERS.has(k) && !(k in wasmKernels));
var backends = {
  ref: refKernels,
  wasm: wasmKernels2
};
var float32Kernels = wasmKernels2;
function setFloat32Backend(name) {
  const chosen = backends[name];
  if (chosen === void 0) {
    throw new RangeError(`Unknown backend "${name}": use one of ${Object.keys(backends).join(", ")}`);
  }
  float32Kernels = chosen;
  return chosen;
}
function kernelsFor(dtype) {
  return dtype === "float32" ? float32Kernels : refKernels;
}

// nn/layers/affine.ts
function affineForward(x, w, b) {
  const op = "affineForward";
  const dtype = sameDType(op, {
    x,
    w,
    b
  });
  const { N, D, M } = affineDims(op, x.shape, w.shape, b.shape);
  const k = kernelsFor(dtype);
  const out = Tensor.zeros([
    N,
    M
  ], dtype);
  k.gemm(out.data, x.data, w.data, N, M, D, false, false, false);
  k.addRowBias(out.data, b.data, N, M);
  return {
    out,
    cache: {
      x,
      w,
      b
    }
  };
}
function affineBackward(dout, cache) {
  const op = "affineBackward";
  const { x, w, b } = cache;
  const dtype = sameDType(op, {
    x,
    w,
    dout
  });
  const { N, D, M } = affineDims(op, x.shape, w.shape, b.shape);
  checkShapeIs(op, "dout", dout.shape, [
    N,
    M
  ]);
  const k = kernelsFor(dtype);
  const dx = Tensor.zeros(x.shape, dtype);
  const dw = Tensor.zeros([
    D,
    M
  ], dtype);
  const db = Tensor.zeros([
    M
  ], dtype);
  k.gemm(dx.data, dout.data, w.data, N, D, M, false, true, false);
  k.gemm(dw.data, x.data, dout.data, D, M, N, true, false, false);
  k.sumRows(db.data, dout.data, N, M);
  return {
    dx,
    dw,
    db
  };
}

// nn/layers/relu.ts
function reluForward3(x) {
  const dtype = sameDType("reluForward", {
    x
  });
  const out = Tensor.zeros(x.shape, dtype);
  kernelsFor(dtype).reluForward(out.data, x.data, x.size);
  return {
    out,
    cache: {
      x
    }
  };
}
function reluBackward3(dout, cache) {
  const op = "reluBackward";
  const { x } = cache;
  const dtype = sameDType(op, {
    x,
    dout
  });
  checkShapeIs(op, "dout", dout.shape, x.shape);
  const dx = Tensor.zeros(x.shape, dtype);
  kernelsFor(dtype).reluBackward(dx.data, dout.data, x.data, x.size);
  return dx;
}

// nn/layers/loss.ts
function softmaxLoss(x, y) {
  const op = "softmaxLoss";
  const dtype = sameDType(op, {
    x
  });
  const { N, C } = lossDims(op, x.shape, y);
  const dx = Tensor.zeros([
    N,
    C
  ], dtype);
  const loss = kernelsFor(dtype).softmaxCrossEntropy(dx.data, x.data, y, N, C);
  return {
    loss,
    dx
  };
}
function svmLoss3(x, y) {
  const op = "svmLoss";
  const dtype = sameDType(op, {
    x
  });
  const { N, C } = lossDims(op, x.shape, y);
  const dx = Tensor.zeros([
    N,
    C
  ], dtype);
  const loss = kernelsFor(dtype).svmLoss(dx.data, x.data, y, N, C);
  return {
    loss,
    dx
  };
}

// nn/fast_layers.ts
function checkTensor(op, name, t) {
  if (!(t instanceof Tensor)) {
    throw new TypeError(`Cannot run ${op}: ${name} must be a Tensor, got ${typeof t}`);
  }
}
function checkShape2(op, name, t, want) {
  if (t.shape.length !== want.length || t.shape.some((d, i) => d !== want[i])) {
    throw new TypeError(`Cannot run ${op}: ${name} has shape (${t.shape.join(", ")}) but (${want.join(", ")}) is expected`);
  }
}
function convForward(x, w, b, param) {
  const op = "convForward";
  checkTensor(op, "x", x);
  checkTensor(op, "w", w);
  checkTensor(op, "b", b);
  const dims = convDims(op, x.shape, w.shape, param.stride, param.pad);
  checkShape2(op, "b", b, [
    dims.F
  ]);
  checkConvForwardFits(dims);
  const out = Tensor.zeros([
    dims.N,
    dims.F,
    dims.HO,
    dims.WO
  ], "float32");
  wasmKernels.conv2dForward(out.data, x.data, w.data, b.data, dims);
  return {
    out,
    cache: {
      x,
      w,
      b,
      param: {
        ...param
      },
      dims
    }
  };
}
function convBackward(dout, cache) {
  const op = "convBackward";
  checkTensor(op, "dout", dout);
  const { x, w, dims } = cache;
  checkShape2(op, "dout", dout, [
    dims.N,
    dims.F,
    dims.HO,
    dims.WO
  ]);
  checkConvBackwardFits(dims);
  const dx = Tensor.zeros(x.shape, "float32");
  const dw = Tensor.zeros(w.shape, "float32");
  const db = Tensor.zeros([
    dims.F
  ], "float32");
  conv2dBackward(dx.data, dw.data, db.data, dout.data, x.data, w.data, dims, true);
  return {
    dx,
    dw,
    db
  };
}
function maxPoolForward(x, param) {
  const op = "maxPoolForward";
  checkTensor(op, "x", x);
  const dims = poolDims(op, x.shape, param.poolHeight, param.poolWidth, param.stride);
  const out = Tensor.zeros([
    dims.N,
    dims.C,
    dims.HO,
    dims.WO
  ], "float32");
  const argmax = new Int32Array(out.size);
  wasmKernels.maxPool2dForward(out.data, argmax, x.data, dims);
  return {
    out,
    cache: {
      x,
      argmax,
      param: {
        ...param
      },
      dims
    }
  };
}
function maxPoolBackward(dout, cache) {
  const op = "maxPoolBackward";
  checkTensor(op, "dout", dout);
  const { x, argmax, dims } = cache;
  checkShape2(op, "dout", dout, [
    dims.N,
    dims.C,
    dims.HO,
    dims.WO
  ]);
  const dx = Tensor.zeros(x.shape, "float32");
  maxPool2dBackward2(dx.data, dout.data, argmax, dims, true);
  return dx;
}

// nn/layers/sandwich.ts
function layersFor(dtype) {
  return dtype === "float64" ? {
    convForward: convForwardNaive,
    convBackward: convBackwardNaive,
    maxPoolForward: maxPoolForwardNaive,
    maxPoolBackward: maxPoolBackwardNaive
  } : {
    convForward,
    convBackward,
    maxPoolForward,
    maxPoolBackward
  };
}
function convReluForward(x, w, b, param) {
  const conv = layersFor(x.dtype).convForward(x, w, b, param);
  const relu = reluForward3(conv.out);
  return {
    out: relu.out,
    cache: {
      conv: conv.cache,
      relu: relu.cache
    }
  };
}
function convReluBackward(dout, cache) {
  const da = reluBackward3(dout, cache.relu);
  return layersFor(da.dtype).convBackward(da, cache.conv);
}
function convReluPoolForward(x, w, b, convParam, poolParam) {
  const layers = layersFor(x.dtype);
  const conv = layers.convForward(x, w, b, convParam);
  const relu = reluForward3(conv.out);
  const pool = layers.maxPoolForward(relu.out, poolParam);
  return {
    out: pool.out,
    cache: {
      conv: conv.cache,
      relu: relu.cache,
      pool: pool.cache
    }
  };
}
function convReluPoolBackward(dout, cache) {
  const ds = layersFor(dout.dtype).maxPoolBackward(dout, cache.pool);
  const da = reluBackward3(ds, cache.relu);
  return layersFor(da.dtype).convBackward(da, cache.conv);
}
function affineReluForward(x, w, b) {
  const affine = affineForward(x, w, b);
  const relu = reluForward3(affine.out);
  return {
    out: relu.out,
    cache: {
      affine: affine.cache,
      relu: relu.cache
    }
  };
}
function affineReluBackward(dout, cache) {
  const da = reluBackward3(dout, cache.relu);
  return affineBackward(da, cache.affine);
}

// nn/gradcheck.ts
function checkStep(op, h) {
  if (!(h > 0) || !Number.isFinite(h)) {
    throw new RangeError(`Cannot run ${op}: the step h must be a positive finite number, got ${h}`);
  }
}
function checkTensor2(op, name, t) {
  if (!(t instanceof Tensor)) throw new TypeError(`Cannot run ${op}: ${name} must be a Tensor`);
}
function evalNumericalGradient(f, x, h = 1e-5) {
  const op = "evalNumericalGradient";
  checkTensor2(op, "x", x);
  checkStep(op, h);
  const grad = Tensor.zeros(x.shape, x.dtype);
  for (let i = 0; i < x.size; i++) {
    const old = x.data[i];
    x.data[i] = old + h;
    const plus = f(x);
    x.data[i] = old - h;
    const minus = f(x);
    x.data[i] = old;
    grad.data[i] = (plus - minus) / (2 * h);
  }
  return grad;
}
function evalNumericalGradientArray(f, x, dout, h = 1e-5) {
  const op = "evalNumericalGradientArray";
  checkTensor2(op, "x", x);
  checkTensor2(op, "dout", dout);
  checkStep(op, h);
  const grad = Tensor.zeros(x.shape, x.dtype);
  for (let i = 0; i < x.size; i++) {
    const old = x.data[i];
    x.data[i] = old + h;
    const plus = f(x).data.slice();
    x.data[i] = old - h;
    const minus = f(x);
    x.data[i] = old;
    if (minus.size !== dout.size || plus.length !== dout.size) {
      throw new TypeError(`Cannot run ${op}: f returned ${minus.size} elements (shape [${minus.shape.join(", ")}]) but dout has ${dout.size} (shape [${dout.shape.join(", ")}])`);
    }
    let sum = 0;
    for (let j = 0; j < dout.size; j++) sum += (plus[j] - minus.data[j]) * dout.data[j];
    grad.data[i] = sum / (2 * h);
  }
  return grad;
}
function relError(a, b) {
  if (a instanceof Tensor && b instanceof Tensor) {
    const same = a.rank === b.rank && a.shape.every((d, axis) => d === b.shape[axis]);
    if (!same) {
      throw new TypeError(`Cannot run relError: shapes [${a.shape.join(", ")}] and [${b.shape.join(", ")}] differ`);
    }
  }
  const x = a instanceof Tensor ? a.data : a;
  const y = b instanceof Tensor ? b.data : b;
  if (x.length !== y.length) {
    throw new TypeError(`Cannot run relError: lengths ${x.length} and ${y.length} differ`);
  }
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const error = Math.abs(x[i] - y[i]) / Math.max(1e-8, Math.abs(x[i]) + Math.abs(y[i]));
    if (!(error <= worst)) worst = Number.isNaN(error) ? NaN : error;
    if (Number.isNaN(worst)) return NaN;
  }
  return worst;
}
function gradientErrors(layer, inputs, options) {
  const op = "gradientErrors";
  const { out, cache } = layer.forward();
  const dout = options.dout ?? (options.rng ? Tensor.randn(out.shape, options.rng, {
    dtype: out.dtype
  }) : void 0);
  if (dout === void 0) throw new TypeError(`Cannot run ${op}: pass options.dout or options.rng`);
  const result = layer.backward(dout, cache);
  const grads = result instanceof Tensor ? {
    dx: result
  } : result;
  const errors = {};
  for (const [gradName, analytic] of Object.entries(grads)) {
    const name = gradName.replace(/^d/, "");
    const input = inputs[name];
    if (input === void 0) {
      throw new TypeError(`Cannot run ${op}: the backward returned ${gradName} but inputs has no "${name}" (it has ${Object.keys(inputs).join(", ")})`);
    }
    const numerical = evalNumericalGradientArray(() => layer.forward().out, input, dout, options.h);
    errors[name] = relError(analytic, numerical);
  }
  return errors;
}

// nn/modules/module.ts
function shapeText(shape) {
  return `[${shape.join(", ")}]`;
}
var Module = class _Module {
  /** Training mode (batch statistics, dropout on) or evaluation mode. */
  training = true;
  #params = [];
  #buffers = [];
  #children = [];
  #reuse = false;
  #work = /* @__PURE__ */ new Map();
  /** Registers a parameter (with a zero gradient) under a local name. */
  addParameter(name, value) {
    const p = {
      name,
      value,
      grad: Tensor.zeros(value.shape, value.dtype)
    };
    this.#params.push(p);
    return p;
  }
  /** Registers a buffer under a local name. */
  addBuffer(name, value) {
    const b = {
      name,
      value
    };
    this.#buffers.push(b);
    return b;
  }
  /** Registers a child module under a local name. */
  addChild(name, module2) {
    if (!(module2 instanceof _Module)) {
      throw new TypeError(`Cannot add child "${name}": ${String(module2)} is not a Module`);
    }
    this.#children.push([
      name,
      module2
    ]);
    return module2;
  }
  /** The direct children with their local names. */
  namedChildren() {
    return this.#children;
  }
  /** Every parameter of this module and its descendants, with dotted names, in PyTorch order. */
  parameters() {
    const out = [];
    this.#walk("", (prefix, m) => {
      for (const p of m.#params) out.push({
        name: prefix + p.name,
        value: p.value,
        grad: p.grad
      });
    });
    return out;
  }
  /** Every buffer of this module and its descendants, with dotted names. */
  buffers() {
    const out = [];
    this.#walk("", (prefix, m) => {
      for (const b of m.#buffers) out.push({
        name: prefix + b.name,
        value: b.value
      });
    });
    return out;
  }
  /** Parameter name → value (the live tensors, not copies). */
  namedParameters() {
    return new Map(this.parameters().map((p) => [
      p.name,
      p.value
    ]));
  }
  /** Parameters and buffers, name → live tensor, in PyTorch's `state_dict` order. */
  stateDict() {
    const out = /* @__PURE__ */ new Map();
    this.#walk("", (prefix, m) => {
      for (const p of m.#params) out.set(prefix + p.name, p.value);
      for (const b of m.#buffers) out.set(prefix + b.name, b.value);
    });
    return out;
  }
  /**
   * Copies every tensor of `state` into this module's parameters and buffers (converting the
   * dtype). All names and shapes are checked before anything is copied, so a refused state
   * leaves the module unchanged.
   */
  loadStateDict(state) {
    const given = state instanceof Map ? state : new Map(Object.entries(state));
    const own = this.stateDict();
    const missing = [
      ...own.keys()
    ].filter((k) => !given.has(k));
    const unexpected = [
      ...given.keys()
    ].filter((k) => !own.has(k));
    if (missing.length > 0 || unexpected.length > 0) {
      throw new TypeError(`Cannot load state into ${this.constructor.name}: missing keys [${missing.join(", ")}], unexpected keys [${unexpected.join(", ")}]; was it saved from another model?`);
    }
    for (const [name, target] of own) {
      const source = given.get(name);
      if (!(source instanceof Tensor)) {
        throw new TypeError(`Cannot load "${name}": expected a Tensor, got ${String(source)}`);
      }
      if (shapeText(source.shape) !== shapeText(target.shape)) {
        throw new TypeError(`Cannot load "${name}": shape ${shapeText(source.shape)} does not match the model's ${shapeText(target.shape)}; build the model with the configuration it was saved with`);
      }
    }
    for (const [name, target] of own) target.data.set(given.get(name).data);
  }
  /**
   * With `on` (the default), this module and every descendant keep one tensor per role across
   * training-mode calls instead of allocating new ones, float32 ones in the WASM backend's
   * memory (kernels read and write them in place, no copies). A tensor that `forward` or
   * `backward` returns is then valid only until the same module's next call of that method,
   * as a training step uses them; evaluation mode still returns fresh tensors. `false` gives
   * the buffers back.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ReLU, Tensor } from "../../mod.ts";
   * const relu = new ReLU().reuseBuffers();
   * const a = relu.forward(new Tensor(new Float32Array([-1, 2]), [2]));
   * const b = relu.forward(new Tensor(new Float32Array([3, -4]), [2]));
   * assert.equal(a, b); // the same buffer, now holding the second result
   * assert.deepEqual([...b.data], [3, 0]);
   * relu.reuseBuffers(false);
   * ```
   */
  reuseBuffers(on = true) {
    this.#walk("", (_, m) => {
      m.#reuse = on;
      if (!on) {
        for (const t of m.#work.values()) release(t);
        m.#work.clear();
      }
    });
    return this;
  }
  /**
   * A tensor of `shape` for `role` (e.g. "out", "dx"): a new zeroed one, or with
   * `reuseBuffers` in training mode the module's own for that role (re-zeroed unless `zero` is
   * false, for kernels that write every element).
   */
  workTensor(role, shape, dtype, zero2 = true) {
    if (!this.#reuse || !this.training) return Tensor.zeros(shape, dtype);
    const had = this.#work.get(role);
    if (had && had.dtype === dtype && shapeText(had.shape) === shapeText(shape)) {
      if (zero2) had.data.fill(0);
      return had;
    }
    if (had) release(had);
    const t = new Tensor(allocate(dtype, shapeSize(shape)), shape);
    this.#work.set(role, t);
    return t;
  }
  /** Sets every parameter's gradient to zero. */
  zeroGrad() {
    for (const p of this.parameters()) p.grad.data.fill(0);
  }
  /** Sets training mode (default) or evaluation mode here and in every descendant. */
  train(mode = true) {
    this.#walk("", (_, m) => {
      m.training = mode;
    });
    return this;
  }
  /** Sets evaluation mode: running statistics in BatchNorm, no dropout. */
  eval() {
    return this.train(false);
  }
  #walk(prefix, visit) {
    visit(prefix, this);
    for (const [name, child] of this.#children) child.#walk(`${prefix}${name}.`, visit);
  }
};
var inWasm = /* @__PURE__ */ new WeakSet();
function allocate(dtype, length) {
  if (dtype === "float64") return new Float64Array(length);
  try {
    const a = wasmArray(length);
    inWasm.add(a);
    return a;
  } catch (e) {
    if (e instanceof RangeError) return new Float32Array(length);
    throw e;
  }
}
function release(t) {
  const a = t.data;
  if (a instanceof Float32Array && inWasm.has(a)) {
    inWasm.delete(a);
    freeWasmArray(a);
  }
}
function checkDType(op, x, dtype) {
  if (x.dtype !== dtype) {
    throw new TypeError(`Cannot run ${op}: input is ${x.dtype} but the module's parameters are ${dtype}; convert with x.astype("${dtype}") or build the module with { dtype: "${x.dtype}" }`);
  }
}
function cached(op, value) {
  if (value === void 0) {
    throw new Error(`Cannot run ${op}.backward: call forward first (it caches the input)`);
  }
  return value;
}
function checkRank(op, x, rank, layout2) {
  if (x.rank !== rank) {
    throw new TypeError(`Cannot run ${op}: input must have rank ${rank} ${layout2}, got ${shapeText(x.shape)}`);
  }
}
function checkDout(op, dout, shape) {
  if (shapeText(dout.shape) !== shapeText(shape)) {
    throw new TypeError(`Cannot run ${op}.backward: dout has shape ${shapeText(dout.shape)} but forward returned ${shapeText(shape)}`);
  }
}

// nn/modules/activation.ts
var ReLU = class extends Module {
  #x;
  // x: any shape → out: same shape
  forward(x) {
    const out = this.workTensor("out", x.shape, x.dtype, false);
    kernelsFor(x.dtype).reluForward(out.data, x.data, x.size);
    this.#x = x;
    return out;
  }
  backward(dout) {
    const x = cached("ReLU", this.#x);
    checkDout("ReLU", dout, x.shape);
    const dx = this.workTensor("dx", x.shape, x.dtype, false);
    kernelsFor(x.dtype).reluBackward(dx.data, dout.data, x.data, x.size);
    return dx;
  }
  toString() {
    return "ReLU";
  }
};

// nn/modules/_init.ts
function kaimingUniform(shape, fanIn, rng, dtype) {
  const bound = 1 / Math.sqrt(fanIn);
  return Tensor.rand(shape, rng, {
    low: -bound,
    high: bound,
    dtype
  });
}
function checkSize(op, name, value, min = 1) {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`Cannot create ${op}: ${name} must be an integer \u2265 ${min}, got ${value}`);
  }
}

// nn/modules/batchnorm.ts
var BatchNorm2d = class extends Module {
  numFeatures;
  eps;
  momentum;
  dtype;
  weight;
  bias;
  runningMean;
  runningVar;
  #x;
  #saveMean;
  #saveInvStd;
  #trainedForward = true;
  #fusedRelu = false;
  constructor(numFeatures, options = {}) {
    super();
    const { eps = 1e-5, momentum = 0.1, dtype = "float32" } = options;
    checkSize("BatchNorm2d", "numFeatures", numFeatures);
    if (!(eps > 0)) throw new RangeError(`Cannot create BatchNorm2d: eps must be > 0, got ${eps}`);
    if (!(momentum >= 0 && momentum <= 1)) {
      throw new RangeError(`Cannot create BatchNorm2d: momentum must be in [0, 1], got ${momentum}`);
    }
    this.numFeatures = numFeatures;
    this.eps = eps;
    this.momentum = momentum;
    this.dtype = dtype;
    const C = numFeatures;
    this.weight = this.addParameter("weight", Tensor.full([
      C
    ], 1, dtype));
    this.bias = this.addParameter("bias", Tensor.zeros([
      C
    ], dtype));
    this.runningMean = this.addBuffer("running_mean", Tensor.zeros([
      C
    ], dtype));
    this.runningVar = this.addBuffer("running_var", Tensor.full([
      C
    ], 1, dtype));
    this.#saveMean = Tensor.zeros([
      C
    ], dtype);
    this.#saveInvStd = Tensor.zeros([
      C
    ], dtype);
  }
  // x: (N, C, H, W) → out: same shape
  forward(x) {
    return this.#forward(x, false);
  }
  /**
   * relu(this.forward(x)) in one pass: `Sequential` calls it for a BatchNorm2d followed by a
   * ReLU. The next `backward` then takes the gradient of that ReLU's output.
   * x: (N, C, H, W) → out: same shape
   */
  forwardRelu(x) {
    return this.#forward(x, true);
  }
  /** Whether the last forward was `forwardRelu` (so `backward` expects the ReLU's gradient). */
  get fusedRelu() {
    return this.#fusedRelu;
  }
  #forward(x, relu) {
    checkDType("BatchNorm2d", x, this.dtype);
    checkRank("BatchNorm2d", x, 4, "(N, C, H, W)");
    const [N, C, H, W] = x.shape;
    if (C !== this.numFeatures) {
      throw new TypeError(`Cannot run BatchNorm2d(${this.numFeatures}): input has ${C} channels (shape [${x.shape.join(", ")}])`);
    }
    if (this.training && N * H * W < 2) {
      throw new RangeError(`Cannot run BatchNorm2d in training mode on one value per channel (shape [${x.shape.join(", ")}]): use a batch of 2 or more, or eval()`);
    }
    const out = this.workTensor("out", x.shape, this.dtype, false);
    kernelsFor(this.dtype).batchNorm2dForward(out.data, this.#saveMean.data, this.#saveInvStd.data, this.runningMean.value.data, this.runningVar.value.data, x.data, this.weight.value.data, this.bias.value.data, N, C, H * W, this.eps, this.momentum, this.training, relu);
    this.#x = x;
    this.#trainedForward = this.training;
    this.#fusedRelu = relu;
    return out;
  }
  // dout: (N, C, H, W) → dx: same shape; weight.grad, bias.grad += … (after `forwardRelu`, dout
  // is the gradient of the ReLU's output)
  backward(dout) {
    const x = cached("BatchNorm2d", this.#x);
    checkDout("BatchNorm2d", dout, x.shape);
    const [N, C, H, W] = x.shape;
    const dx = this.workTensor("dx", x.shape, this.dtype);
    kernelsFor(this.dtype).batchNorm2dBackward(dx.data, this.weight.grad.data, this.bias.grad.data, dout.data, x.data, this.weight.value.data, this.#saveMean.data, this.#saveInvStd.data, N, C, H * W, this.#trainedForward, this.#fusedRelu ? this.bias.value.data : void 0);
    return dx;
  }
  toString() {
    return `BatchNorm2d(${this.numFeatures})`;
  }
};

// nn/modules/conv.ts
var Conv2d = class extends Module {
  inChannels;
  outChannels;
  kernelSize;
  stride;
  padding;
  dtype;
  weight;
  bias;
  /** Whether backward computes dx; when false it returns an empty tensor of shape (0). */
  inputGrad;
  #x;
  #dims;
  #zeroBias;
  constructor(inChannels, outChannels, options = {}) {
    super();
    const { kernelSize = 3, stride = 1, padding = 0, bias = true, inputGrad = true } = options;
    const { rng = new Rng(0), dtype = "float32" } = options;
    checkSize("Conv2d", "inChannels", inChannels);
    checkSize("Conv2d", "outChannels", outChannels);
    checkSize("Conv2d", "kernelSize", kernelSize);
    checkSize("Conv2d", "stride", stride);
    checkSize("Conv2d", "padding", padding, 0);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = kernelSize;
    this.stride = stride;
    this.padding = padding;
    this.dtype = dtype;
    this.inputGrad = inputGrad;
    const fanIn = inChannels * kernelSize * kernelSize;
    const wShape = [
      outChannels,
      inChannels,
      kernelSize,
      kernelSize
    ];
    this.weight = this.addParameter("weight", kaimingUniform(wShape, fanIn, rng, dtype));
    this.bias = bias ? this.addParameter("bias", kaimingUniform([
      outChannels
    ], fanIn, rng, dtype)) : null;
  }
  // x: (N, C, H, W) → out: (N, F, HO, WO)
  forward(x) {
    checkDType("Conv2d", x, this.dtype);
    const w = this.weight.value;
    const d = convDims("Conv2d", x.shape, w.shape, this.stride, this.padding);
    const out = this.workTensor("out", [
      d.N,
      d.F,
      d.HO,
      d.WO
    ], this.dtype, false);
    kernelsFor(this.dtype).conv2dForward(out.data, x.data, w.data, this.#biasValue().data, d);
    this.#x = x;
    this.#dims = d;
    return out;
  }
  // dout: (N, F, HO, WO) → dx: (N, C, H, W), or (0) without inputGrad; weight.grad, bias.grad += …
  backward(dout) {
    const x = cached("Conv2d", this.#x), d = this.#dims;
    checkDout("Conv2d", dout, [
      d.N,
      d.F,
      d.HO,
      d.WO
    ]);
    const k = kernelsFor(this.dtype);
    const dx = this.workTensor("dx", this.inputGrad ? x.shape : [
      0
    ], this.dtype, false);
    if (this.inputGrad) k.conv2dBackwardData(dx.data, dout.data, this.weight.value.data, d, true);
    const db = this.bias ? this.bias.grad : Tensor.zeros([
      d.F
    ], this.dtype);
    k.conv2dBackwardFilter(this.weight.grad.data, db.data, dout.data, x.data, d);
    return dx;
  }
  #biasValue() {
    if (this.bias) return this.bias.value;
    this.#zeroBias ??= Tensor.zeros([
      this.outChannels
    ], this.dtype);
    return this.#zeroBias;
  }
  toString() {
    const parts = [
      `${this.inChannels}\u2192${this.outChannels}`,
      `k=${this.kernelSize}`
    ];
    if (this.stride !== 1) parts.push(`s=${this.stride}`);
    if (this.padding !== 0) parts.push(`p=${this.padding}`);
    if (!this.bias) parts.push("bias=false");
    return `Conv2d(${parts.join(", ")})`;
  }
};

// nn/modules/sequential.ts
var Sequential = class extends Module {
  layers;
  /** @param layers the modules in order, as an array or as a record name → module */
  constructor(layers) {
    super();
    const entries = Array.isArray(layers) ? layers.map((m, i) => [
      String(i),
      m
    ]) : Object.entries(layers);
    for (const [name, m] of entries) this.addChild(name, m);
    this.layers = entries.map(([, m]) => m);
  }
  /** The child called `name` (e.g. "0" or "conv"). */
  get(name) {
    const found = this.namedChildren().find(([n]) => n === String(name));
    if (!found) {
      const names = this.namedChildren().map(([n]) => n).join(", ");
      throw new RangeError(`Cannot find layer "${name}" in Sequential: it has [${names}]`);
    }
    return found[1];
  }
  // A BatchNorm2d followed by a ReLU runs as one pass (`forwardRelu`), forward and backward:
  // the same numbers as the two layers, without the ReLU's trips through memory.
  forward(x) {
    const layers = this.layers;
    for (let i = 0; i < layers.length; i++) {
      const m = layers[i];
      if (m instanceof BatchNorm2d && layers[i + 1] instanceof ReLU) {
        x = m.forwardRelu(x);
        i++;
      } else {
        x = m.forward(x);
      }
    }
    return x;
  }
  backward(dout) {
    const layers = this.layers;
    for (let i = layers.length - 1; i >= 0; i--) {
      const m = layers[i], before = layers[i - 1];
      if (m instanceof ReLU && before instanceof BatchNorm2d && before.fusedRelu) {
        dout = before.backward(dout);
        i--;
      } else {
        dout = m.backward(dout);
      }
    }
    return dout;
  }
  toString() {
    return `Sequential(${this.layers.map((m) => m.toString()).join(", ")})`;
  }
};
function skipInputGradient(model) {
  let m = model;
  while (m instanceof Sequential) m = m.namedChildren()[0]?.[1];
  if (!(m instanceof Conv2d)) return null;
  m.inputGrad = false;
  return m;
}

// nn/modules/residual.ts
function sameShape(a, b) {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
var Residual = class extends Module {
  body;
  shortcut;
  #outShape;
  constructor(body, options = {}) {
    super();
    this.body = this.addChild("body", body);
    this.shortcut = options.shortcut ? this.addChild("shortcut", options.shortcut) : null;
  }
  forward(x) {
    const y = this.body.forward(x);
    const s = this.shortcut ? this.shortcut.forward(x) : x;
    if (!sameShape(y.shape, s.shape)) {
      throw new TypeError(`Cannot run Residual: the body gives shape [${y.shape.join(", ")}] but the shortcut gives [${s.shape.join(", ")}]; give a shortcut that maps to the body's shape`);
    }
    const out = y.data === x.data ? y.clone() : y;
    kernelsFor(out.dtype).axpy(out.data, s.data, 1, out.size);
    this.#outShape = out.shape;
    return out;
  }
  backward(dout) {
    checkDout("Residual", dout, cached("Residual", this.#outShape));
    const dxBody = this.body.backward(dout);
    const dxShort = this.shortcut ? this.shortcut.backward(dout) : dout;
    const dx = dxBody.data === dout.data ? dxBody.clone() : dxBody;
    kernelsFor(dx.dtype).axpy(dx.data, dxShort.data, 1, dx.size);
    return dx;
  }
  toString() {
    const inner = this.shortcut ? `${this.body}, shortcut=${this.shortcut}` : `${this.body}`;
    return `Residual(${inner})`;
  }
};

// nn/modules/pool.ts
function windowText(name, size, stride) {
  return stride === size ? `${name}(${size})` : `${name}(${size}, s=${stride})`;
}
var MaxPool2d = class extends Module {
  kernelSize;
  stride;
  #x;
  #argmax;
  #dims;
  constructor(kernelSize, options = {}) {
    super();
    const { stride = kernelSize } = options;
    checkSize("MaxPool2d", "kernelSize", kernelSize);
    checkSize("MaxPool2d", "stride", stride);
    this.kernelSize = kernelSize;
    this.stride = stride;
  }
  // x: (N, C, H, W) → out: (N, C, HO, WO)
  forward(x) {
    const k = this.kernelSize;
    const d = poolDims("MaxPool2d", x.shape, k, k, this.stride);
    const out = this.workTensor("out", [
      d.N,
      d.C,
      d.HO,
      d.WO
    ], x.dtype, false);
    const argmax = new Int32Array(out.size);
    kernelsFor(x.dtype).maxPool2dForward(out.data, argmax, x.data, d);
    this.#x = x;
    this.#argmax = argmax;
    this.#dims = d;
    return out;
  }
  backward(dout) {
    const x = cached("MaxPool2d", this.#x), d = this.#dims;
    checkDout("MaxPool2d", dout, [
      d.N,
      d.C,
      d.HO,
      d.WO
    ]);
    const dx = this.workTensor("dx", x.shape, x.dtype, false);
    kernelsFor(x.dtype).maxPool2dBackward(dx.data, dout.data, this.#argmax, d, true);
    return dx;
  }
  toString() {
    return windowText("MaxPool2d", this.kernelSize, this.stride);
  }
};
var AvgPool2d = class extends Module {
  kernelSize;
  stride;
  #x;
  #dims;
  constructor(kernelSize, options = {}) {
    super();
    const { stride = kernelSize } = options;
    checkSize("AvgPool2d", "kernelSize", kernelSize);
    checkSize("AvgPool2d", "stride", stride);
    this.kernelSize = kernelSize;
    this.stride = stride;
  }
  // x: (N, C, H, W) → out: (N, C, HO, WO)
  forward(x) {
    const k = this.kernelSize;
    const d = poolDims("AvgPool2d", x.shape, k, k, this.stride);
    const out = this.workTensor("out", [
      d.N,
      d.C,
      d.HO,
      d.WO
    ], x.dtype);
    kernelsFor(x.dtype).avgPool2dForward(out.data, x.data, d);
    this.#x = x;
    this.#dims = d;
    return out;
  }
  backward(dout) {
    const x = cached("AvgPool2d", this.#x), d = this.#dims;
    checkDout("AvgPool2d", dout, [
      d.N,
      d.C,
      d.HO,
      d.WO
    ]);
    const dx = this.workTensor("dx", x.shape, x.dtype);
    kernelsFor(x.dtype).avgPool2dBackward(dx.data, dout.data, d);
    return dx;
  }
  toString() {
    return windowText("AvgPool2d", this.kernelSize, this.stride);
  }
};
var GlobalAvgPool = class extends Module {
  #x;
  #dims;
  // x: (N, C, H, W) → out: (N, C)
  forward(x) {
    checkRank("GlobalAvgPool", x, 4, "(N, C, H, W)");
    const [N, C, H, W] = x.shape;
    const d = poolDims("GlobalAvgPool", x.shape, H, W, 1);
    const out = this.workTensor("out", [
      N,
      C
    ], x.dtype);
    kernelsFor(x.dtype).avgPool2dForward(out.data, x.data, d);
    this.#x = x;
    this.#dims = d;
    return out;
  }
  backward(dout) {
    const x = cached("GlobalAvgPool", this.#x), d = this.#dims;
    checkDout("GlobalAvgPool", dout, [
      d.N,
      d.C
    ]);
    const dx = this.workTensor("dx", x.shape, x.dtype);
    kernelsFor(x.dtype).avgPool2dBackward(dx.data, dout.data, d);
    return dx;
  }
  toString() {
    return "GlobalAvgPool";
  }
};

// nn/modules/linear.ts
var Linear = class extends Module {
  inFeatures;
  outFeatures;
  dtype;
  weight;
  bias;
  #x;
  constructor(inFeatures, outFeatures, options = {}) {
    super();
    const { bias = true, rng = new Rng(0), dtype = "float32" } = options;
    checkSize("Linear", "inFeatures", inFeatures);
    checkSize("Linear", "outFeatures", outFeatures);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.dtype = dtype;
    const w = kaimingUniform([
      outFeatures,
      inFeatures
    ], inFeatures, rng, dtype);
    this.weight = this.addParameter("weight", w);
    this.bias = bias ? this.addParameter("bias", kaimingUniform([
      outFeatures
    ], inFeatures, rng, dtype)) : null;
  }
  // x: (N, in) → out: (N, out)
  forward(x) {
    checkDType("Linear", x, this.dtype);
    checkRank("Linear", x, 2, "(N, inFeatures); put a Flatten before it");
    const [N, D] = x.shape;
    if (D !== this.inFeatures) {
      throw new TypeError(`Cannot run Linear(${this.inFeatures}\u2192${this.outFeatures}): input has ${D} features`);
    }
    const k = kernelsFor(this.dtype);
    const out = this.workTensor("out", [
      N,
      this.outFeatures
    ], this.dtype);
    k.gemm(out.data, x.data, this.weight.value.data, N, this.outFeatures, D, false, true, false);
    if (this.bias) k.addRowBias(out.data, this.bias.value.data, N, this.outFeatures);
    this.#x = x;
    return out;
  }
  // dout: (N, out) → dx: (N, in); weight.grad (out, in) += doutᵀ · x; bias.grad += Σ_n dout
  backward(dout) {
    const x = cached("Linear", this.#x);
    const N = x.shape[0], O = this.outFeatures, D = this.inFeatures;
    checkDout("Linear", dout, [
      N,
      O
    ]);
    const k = kernelsFor(this.dtype);
    const dx = this.workTensor("dx", [
      N,
      D
    ], this.dtype);
    k.gemm(dx.data, dout.data, this.weight.value.data, N, D, O, false, false, false);
    k.gemm(this.weight.grad.data, dout.data, x.data, O, D, N, true, false, true);
    if (this.bias) k.sumRows(this.bias.grad.data, dout.data, N, O);
    return dx;
  }
  toString() {
    return `Linear(${this.inFeatures}\u2192${this.outFeatures}${this.bias ? "" : ", bias=false"})`;
  }
};

// nn/modules/scale.ts
var Scale = class extends Module {
  factor;
  #shape;
  constructor(factor) {
    super();
    if (!Number.isFinite(factor)) {
      throw new RangeError(`Cannot create Scale: factor must be a finite number, got ${factor}`);
    }
    this.factor = factor;
  }
  // x: any shape → out: same shape
  forward(x) {
    const out = this.workTensor("out", x.shape, x.dtype);
    kernelsFor(x.dtype).axpy(out.data, x.data, this.factor, x.size);
    this.#shape = x.shape;
    return out;
  }
  backward(dout) {
    checkDout("Scale", dout, cached("Scale", this.#shape));
    const dx = this.workTensor("dx", dout.shape, dout.dtype);
    kernelsFor(dout.dtype).axpy(dx.data, dout.data, this.factor, dout.size);
    return dx;
  }
  toString() {
    return `Scale(${this.factor})`;
  }
};

// nn/modules/flatten.ts
var Flatten = class extends Module {
  #inShape;
  #outShape;
  // x: (N, d1, …, dk) → out: (N, d1·…·dk), sharing x's storage
  forward(x) {
    if (x.rank < 1) throw new TypeError("Cannot run Flatten: input must have a batch axis");
    this.#inShape = x.shape;
    this.#outShape = [
      x.shape[0],
      shapeSize(x.shape.slice(1))
    ];
    return x.reshape(this.#outShape);
  }
  backward(dout) {
    const shape = cached("Flatten", this.#inShape);
    checkDout("Flatten", dout, this.#outShape);
    return dout.reshape(shape);
  }
  toString() {
    return "Flatten";
  }
};

// nn/modules/dropout.ts
var Dropout = class extends Module {
  p;
  #rng;
  #mask;
  #shape;
  constructor(p = 0.5, options = {}) {
    super();
    if (!(p >= 0 && p < 1)) {
      throw new RangeError(`Cannot create Dropout: p must be in [0, 1), got ${p}`);
    }
    this.p = p;
    this.#rng = options.rng ?? new Rng(0);
  }
  // x: any shape → out: same shape
  forward(x) {
    this.#shape = x.shape;
    if (!this.training || this.p === 0) {
      this.#mask = null;
      return x;
    }
    const out = this.workTensor("out", x.shape, x.dtype);
    const mask = this.workTensor("mask", x.shape, x.dtype);
    kernelsFor(x.dtype).dropoutForward(out.data, mask.data, x.data, x.size, this.p, this.#rng.nextUint32());
    this.#mask = mask;
    return out;
  }
  backward(dout) {
    const shape = cached("Dropout", this.#shape);
    checkDout("Dropout", dout, shape);
    const mask = this.#mask;
    if (!mask) return dout;
    const dx = this.workTensor("dx", shape, dout.dtype);
    kernelsFor(dout.dtype).dropoutBackward(dx.data, dout.data, mask.data, dout.size);
    return dx;
  }
  toString() {
    return `Dropout(p=${this.p})`;
  }
};

// nn/losses.ts
function crossEntropy(logits, y, options = {}) {
  const { labelSmoothing = 0 } = options;
  if (logits.rank !== 2) {
    throw new TypeError(`Cannot compute crossEntropy: logits must have shape (N, C), got [${logits.shape.join(", ")}]`);
  }
  const [N, C] = logits.shape;
  if (y.length !== N) {
    throw new TypeError(`Cannot compute crossEntropy: ${N} rows of logits but ${y.length} labels`);
  }
  for (let n = 0; n < N; n++) {
    if (!Number.isInteger(y[n]) || y[n] < 0 || y[n] >= C) {
      throw new RangeError(`Cannot compute crossEntropy: label ${y[n]} at index ${n} is not a class in [0, ${C})`);
    }
  }
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
    throw new RangeError(`Cannot compute crossEntropy: labelSmoothing must be in [0, 1], got ${labelSmoothing}`);
  }
  if (N === 0) throw new RangeError("Cannot compute crossEntropy of an empty batch");
  const k = kernelsFor(logits.dtype);
  const dlogits = Tensor.zeros([
    N,
    C
  ], logits.dtype);
  const loss = labelSmoothing === 0 ? k.softmaxCrossEntropy(dlogits.data, logits.data, y, N, C) : k.softmaxCrossEntropySmoothed(dlogits.data, logits.data, y, N, C, labelSmoothing);
  return {
    loss,
    dlogits
  };
}

// nn/optim.ts
function checkNonNegative(op, name, value) {
  if (!(value >= 0) || !Number.isFinite(value)) {
    throw new RangeError(`Cannot create ${op}: ${name} must be a finite number \u2265 0, got ${value}`);
  }
}
var Optimizer = class {
  params;
  /** The learning rate used by the next `step()`. */
  lr;
  constructor(params, lr, op) {
    if (params.length === 0) {
      throw new RangeError(`Cannot create ${op}: the parameter list is empty`);
    }
    checkNonNegative(op, "lr", lr);
    this.params = params;
    this.lr = lr;
  }
  /** Sets every parameter's gradient to zero. */
  zeroGrad() {
    for (const p of this.params) p.grad.data.fill(0);
  }
  /** Copies a saved state in, after checking every name and shape (nothing copied on error). */
  loadStateDict(state) {
    const own = this.stateDict(), op = this.constructor.name;
    const missing = [
      ...own.keys()
    ].filter((k) => !state.has(k));
    const unexpected = [
      ...state.keys()
    ].filter((k) => !own.has(k));
    if (missing.length > 0 || unexpected.length > 0) {
      throw new TypeError(`Cannot load ${op} state: missing keys [${missing.join(", ")}], unexpected keys [${unexpected.join(", ")}]; was it saved for another model or optimizer?`);
    }
    for (const [name, t] of own) {
      const s = state.get(name);
      if (s.shape.join(",") !== t.shape.join(",")) {
        throw new TypeError(`Cannot load ${op} state "${name}": shape [${s.shape.join(", ")}] does not match [${t.shape.join(", ")}]`);
      }
    }
    for (const [name, t] of own) t.data.set(state.get(name).data);
  }
  /** A state tensor per parameter, zero-filled, with the parameter's shape and dtype. */
  zerosLike() {
    return this.params.map((p) => Tensor.zeros(p.value.shape, p.value.dtype));
  }
};
var SGD = class extends Optimizer {
  momentum;
  weightDecay;
  nesterov;
  #velocity;
  constructor(params, options = {}) {
    const { lr = 0.01, momentum = 0, weightDecay = 0, nesterov = false } = options;
    super(params, lr, "SGD");
    checkNonNegative("SGD", "momentum", momentum);
    checkNonNegative("SGD", "weightDecay", weightDecay);
    if (nesterov && momentum === 0) {
      throw new RangeError("Cannot create SGD: Nesterov momentum needs momentum > 0");
    }
    this.momentum = momentum;
    this.weightDecay = weightDecay;
    this.nesterov = nesterov;
    this.#velocity = momentum > 0 ? this.zerosLike() : [];
  }
  stateDict() {
    return new Map(this.#velocity.map((v, i) => [
      `${this.params[i].name}.momentum_buffer`,
      v
    ]));
  }
  step() {
    this.params.forEach((p, i) => {
      const w = p.value.data, v = this.#velocity[i]?.data ?? w.subarray(0, 0);
      kernelsFor(p.value.dtype).sgdStep(w, p.grad.data, v, w.length, this.lr, this.momentum, this.weightDecay, this.nesterov);
    });
  }
};
var AdamBase = class extends Optimizer {
  beta1;
  beta2;
  eps;
  weightDecay;
  // step: (1) float64, the steps taken so far (the bias correction uses t = step after the
  // increment); a tensor so that it is saved with the rest of the state.
  #step = Tensor.zeros([
    1
  ], "float64");
  #m;
  #v;
  #decoupled;
  constructor(params, options, decoupled) {
    const name = decoupled ? "AdamW" : "Adam";
    const { lr = 1e-3, betas = [
      0.9,
      0.999
    ], eps = 1e-8 } = options;
    const { weightDecay = decoupled ? 0.01 : 0 } = options;
    super(params, lr, name);
    for (const [i, b] of betas.entries()) {
      if (!(b >= 0 && b < 1)) {
        throw new RangeError(`Cannot create ${name}: betas[${i}] must be in [0, 1), got ${b}`);
      }
    }
    checkNonNegative(name, "eps", eps);
    checkNonNegative(name, "weightDecay", weightDecay);
    [this.beta1, this.beta2] = betas;
    this.eps = eps;
    this.weightDecay = weightDecay;
    this.#decoupled = decoupled;
    this.#m = this.zerosLike();
    this.#v = this.zerosLike();
  }
  /** Steps taken so far. */
  get stepCount() {
    return this.#step.data[0];
  }
  stateDict() {
    const out = /* @__PURE__ */ new Map([
      [
        "step",
        this.#step
      ]
    ]);
    this.params.forEach((p, i) => {
      out.set(`${p.name}.exp_avg`, this.#m[i]);
      out.set(`${p.name}.exp_avg_sq`, this.#v[i]);
    });
    return out;
  }
  step() {
    const t = ++this.#step.data[0];
    this.params.forEach((p, i) => {
      const w = p.value.data;
      kernelsFor(p.value.dtype).adamStep(w, p.grad.data, this.#m[i].data, this.#v[i].data, w.length, this.lr, this.beta1, this.beta2, this.eps, t, this.weightDecay, this.#decoupled);
    });
  }
};
var Adam = class extends AdamBase {
  constructor(params, options = {}) {
    super(params, options, false);
  }
};
var AdamW = class extends AdamBase {
  constructor(params, options = {}) {
    super(params, options, true);
  }
};

// nn/schedule.ts
function checkPositive(op, name, value, allowZero = false) {
  const ok = Number.isFinite(value) && (allowZero ? value >= 0 : value > 0);
  if (!ok) {
    throw new RangeError(`Cannot create ${op}: ${name} must be ${allowZero ? "\u2265 0" : "> 0"}, got ${value}`);
  }
}
function checkStep2(op, step) {
  if (!Number.isInteger(step) || step < 0) {
    throw new RangeError(`Cannot evaluate ${op}: step must be an integer \u2265 0, got ${step}`);
  }
}
function stepDecay(options) {
  const { lr, stepSize, gamma = 0.1, warmupSteps = 0 } = options;
  checkPositive("stepDecay", "lr", lr, true);
  checkPositive("stepDecay", "stepSize", stepSize);
  checkPositive("stepDecay", "gamma", gamma);
  checkPositive("stepDecay", "warmupSteps", warmupSteps, true);
  return (step) => {
    checkStep2("stepDecay", step);
    if (step < warmupSteps) return lr * step / warmupSteps;
    return lr * gamma ** Math.floor(step / stepSize);
  };
}
function cosineWithWarmup(options) {
  const { lr, totalSteps, warmupSteps = 0, minLr = 0 } = options;
  checkPositive("cosineWithWarmup", "lr", lr, true);
  checkPositive("cosineWithWarmup", "totalSteps", totalSteps);
  checkPositive("cosineWithWarmup", "warmupSteps", warmupSteps, true);
  checkPositive("cosineWithWarmup", "minLr", minLr, true);
  if (warmupSteps >= totalSteps) {
    throw new RangeError(`Cannot create cosineWithWarmup: warmupSteps (${warmupSteps}) must be below totalSteps (${totalSteps})`);
  }
  return (step) => {
    checkStep2("cosineWithWarmup", step);
    if (step < warmupSteps) return lr * step / warmupSteps;
    const t = Math.min(1, (step - warmupSteps) / (totalSteps - warmupSteps));
    return minLr + (lr - minLr) * 0.5 * (1 + Math.cos(Math.PI * t));
  };
}
function oneCycle(options) {
  const { maxLr, totalSteps, pctStart = 0.3, divFactor = 25, finalDivFactor = 1e4 } = options;
  const { anneal = "cos" } = options;
  checkPositive("oneCycle", "maxLr", maxLr, true);
  checkPositive("oneCycle", "totalSteps", totalSteps);
  checkPositive("oneCycle", "divFactor", divFactor);
  checkPositive("oneCycle", "finalDivFactor", finalDivFactor);
  if (!(pctStart > 0 && pctStart < 1)) {
    throw new RangeError(`Cannot create oneCycle: pctStart must be in (0, 1), got ${pctStart}`);
  }
  const initialLr = maxLr / divFactor, minLr = initialLr / finalDivFactor;
  const peakStep = pctStart * totalSteps - 1, lastStep = totalSteps - 1;
  if (peakStep < 1 || lastStep <= peakStep) {
    throw new RangeError(`Cannot create oneCycle: pctStart\xB7totalSteps \u2212 1 = ${peakStep} must be \u2265 1 and below totalSteps \u2212 1 = ${lastStep}; use more steps or another pctStart`);
  }
  const move = (from, to, pct) => anneal === "cos" ? to + (from - to) / 2 * (Math.cos(Math.PI * pct) + 1) : from + (to - from) * pct;
  return (step) => {
    checkStep2("oneCycle", step);
    const s = Math.min(step, lastStep);
    if (s <= peakStep) return move(initialLr, maxLr, s / peakStep);
    return move(maxLr, minLr, (s - peakStep) / (lastStep - peakStep));
  };
}

// nn/models/_args.ts
function checkModelArgs(model, imSize, hiddenDim, kernelSize, nClasses) {
  if (!Array.isArray(imSize) || imSize.length !== 3) {
    throw new TypeError(`Cannot build ${model}: imSize must be [channels, height, width], got ${String(imSize)}`);
  }
  const named = [
    [
      "imSize[0]",
      imSize[0]
    ],
    [
      "imSize[1]",
      imSize[1]
    ],
    [
      "imSize[2]",
      imSize[2]
    ],
    [
      "hiddenDim",
      hiddenDim
    ],
    [
      "kernelSize",
      kernelSize
    ],
    [
      "nClasses",
      nClasses
    ]
  ];
  for (const [name, v] of named) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`Cannot build ${model}: ${name} must be an integer \u2265 1, got ${v}`);
    }
  }
  if (kernelSize % 2 === 0) {
    throw new RangeError(`Cannot build ${model}: kernelSize ${kernelSize} is even, but 'same' padding needs an odd kernel (3, 5, 7, \u2026)`);
  }
}

// nn/models/convnet.ts
var CNN = class extends Sequential {
  imSize;
  hiddenDim;
  kernelSize;
  nClasses;
  constructor(imSize, hiddenDim, kernelSize, nClasses, options = {}) {
    checkModelArgs("CNN", imSize, hiddenDim, kernelSize, nClasses);
    const [C, H, W] = imSize;
    if (H % 2 !== 0 || W % 2 !== 0) {
      throw new RangeError(`Cannot build CNN: the 2\xD72 max-pool needs an even height and width, got ${H}\xD7${W}`);
    }
    const { rng = new Rng(0), dtype = "float32" } = options;
    super({
      conv: new Conv2d(C, hiddenDim, {
        kernelSize,
        padding: (kernelSize - 1) / 2,
        rng,
        dtype
      }),
      relu: new ReLU(),
      pool: new MaxPool2d(2),
      flatten: new Flatten(),
      fc: new Linear(hiddenDim * (H / 2) * (W / 2), nClasses, {
        rng,
        dtype
      })
    });
    this.imSize = [
      C,
      H,
      W
    ];
    this.hiddenDim = hiddenDim;
    this.kernelSize = kernelSize;
    this.nClasses = nClasses;
  }
};

// nn/models/mymodel.ts
var MYMODEL_DEFAULTS = {
  hiddenDim: 16,
  kernelSize: 3
};
function convBnRelu(cin, cout, pool, c) {
  const conv = new Conv2d(cin, cout, {
    kernelSize: c.k,
    padding: (c.k - 1) / 2,
    bias: false,
    rng: c.rng,
    dtype: c.dtype
  });
  const bn = new BatchNorm2d(cout, {
    dtype: c.dtype
  });
  return new Sequential(pool ? [
    conv,
    new MaxPool2d(2),
    bn,
    new ReLU()
  ] : [
    conv,
    bn,
    new ReLU()
  ]);
}
function residual(ch, c) {
  const a = convBnRelu(ch, ch, false, c), b = convBnRelu(ch, ch, false, c);
  return new Residual(new Sequential([
    ...a.layers,
    ...b.layers
  ]));
}
var MyModel = class extends Sequential {
  imSize;
  hiddenDim;
  kernelSize;
  nClasses;
  constructor(imSize, hiddenDim, kernelSize, nClasses, options = {}) {
    checkModelArgs("MyModel", imSize, hiddenDim, kernelSize, nClasses);
    const [C, H, W] = imSize;
    if (H !== W || H % 8 !== 0) {
      throw new RangeError(`Cannot build MyModel: it pools three times by 2 then globally, so images must be square with a side divisible by 8, got ${H}\xD7${W}`);
    }
    const { rng = new Rng(0), dtype = "float32" } = options;
    const c = {
      k: kernelSize,
      rng,
      dtype
    }, w = hiddenDim;
    super({
      prep: convBnRelu(C, w, false, c),
      layer1: convBnRelu(w, 2 * w, true, c),
      res1: residual(2 * w, c),
      layer2: convBnRelu(2 * w, 4 * w, true, c),
      layer3: convBnRelu(4 * w, 8 * w, true, c),
      res3: residual(8 * w, c),
      pool: new MaxPool2d(H / 8),
      flatten: new Flatten(),
      fc: new Linear(8 * w, nClasses, {
        bias: false,
        rng,
        dtype
      }),
      scale: new Scale(0.125)
    });
    this.imSize = [
      C,
      H,
      W
    ];
    this.hiddenDim = hiddenDim;
    this.kernelSize = kernelSize;
    this.nClasses = nClasses;
  }
};
function myModelFlops(imSize, hiddenDim, kernelSize, nClasses) {
  const [C, H, W] = imSize, w = hiddenDim, k2 = kernelSize * kernelSize;
  const px = H * W;
  const macs = px * C * w * k2 + // prep
  px * w * 2 * w * k2 + // layer1 (conv before the pool)
  2 * (px / 4) * (2 * w) ** 2 * k2 + // res1
  px / 4 * 2 * w * 4 * w * k2 + // layer2
  px / 16 * 4 * w * 8 * w * k2 + // layer3
  2 * (px / 64) * (8 * w) ** 2 * k2 + // res3
  8 * w * nClasses;
  return 2 * macs;
}

// data/_pickle.ts
var Tuple = class {
  items;
  constructor(items) {
    this.items = items;
  }
};
var Dtype = class {
  descr;
  /** The byte order character from the dtype's state (`|` for single bytes). */
  byteOrder;
  constructor(descr) {
    this.descr = descr;
    this.byteOrder = "";
  }
};
var NdArray = class {
  shape = [];
  dtype = null;
  fortranOrder = false;
  data = new Uint8Array(0);
};
var Global = class {
  name;
  constructor(name) {
    this.name = name;
  }
};
var RECONSTRUCT = /* @__PURE__ */ new Set([
  "numpy.core.multiarray._reconstruct",
  "numpy._core.multiarray._reconstruct"
]);
var ALLOWED_GLOBALS = /* @__PURE__ */ new Set([
  ...RECONSTRUCT,
  "numpy.ndarray",
  "numpy.dtype"
]);
var latin1 = new TextDecoder("latin1");
function bytesToString(bytes) {
  return latin1.decode(bytes);
}
function readPickle(bytes, name) {
  return new Reader(bytes, name).run();
}
var Reader = class {
  bytes;
  name;
  pos;
  stack;
  marks;
  memo;
  view;
  constructor(bytes, name) {
    this.bytes = bytes;
    this.name = name;
    this.pos = 0;
    this.stack = [];
    this.marks = [];
    this.memo = /* @__PURE__ */ new Map();
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  fail(why, at = this.pos) {
    throw new Error(`Cannot read pickle "${this.name}": ${why} (at byte ${at})`);
  }
  need(n) {
    if (n < 0 || this.pos + n > this.bytes.length) {
      this.fail(`the file ends early: ${n} more bytes needed but only ${this.bytes.length - this.pos} remain`);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }
  u8() {
    return this.bytes[this.need(1)];
  }
  u16() {
    return this.view.getUint16(this.need(2), true);
  }
  i32() {
    return this.view.getInt32(this.need(4), true);
  }
  u32() {
    return this.view.getUint32(this.need(4), true);
  }
  take(n) {
    const at = this.need(n);
    return this.bytes.subarray(at, at + n);
  }
  line() {
    const end = this.bytes.indexOf(10, this.pos);
    if (end < 0) this.fail("a GLOBAL name has no end of line");
    const text = bytesToString(this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    return text;
  }
  pop() {
    if (this.stack.length === 0 || this.stack.length <= (this.marks.at(-1) ?? -1)) {
      this.fail("an opcode needs a value but the stack is empty");
    }
    return this.stack.pop();
  }
  popMark() {
    const mark = this.marks.pop();
    if (mark === void 0) this.fail("an opcode needs a MARK but none is open");
    return this.stack.splice(mark);
  }
  top() {
    if (this.stack.length === 0) this.fail("an opcode needs a value but the stack is empty");
    return this.stack[this.stack.length - 1];
  }
  run() {
    while (true) {
      const at = this.pos;
      const op = this.u8();
      if (op === 46) {
        if (this.stack.length !== 1 || this.marks.length > 0) {
          this.fail(`STOP with ${this.stack.length} values on the stack`, at);
        }
        return this.stack[0];
      }
      this.step(op, at);
    }
  }
  step(op, at) {
    const s = this.stack;
    switch (op) {
      case 128: {
        const version = this.u8();
        if (version > 2) this.fail(`pickle protocol ${version} is not supported (only 2)`, at);
        return;
      }
      case 125:
        s.push(/* @__PURE__ */ new Map());
        return;
      case 93:
        s.push([]);
        return;
      case 41:
        s.push(new Tuple([]));
        return;
      case 40:
        this.marks.push(s.length);
        return;
      case 78:
        s.push(null);
        return;
      case 136:
      case 137:
        s.push(op === 136);
        return;
      case 75:
        s.push(this.u8());
        return;
      case 77:
        s.push(this.u16());
        return;
      case 74:
        s.push(this.i32());
        return;
      case 85:
        s.push(this.take(this.u8()));
        return;
      case 84: {
        const n = this.i32();
        if (n < 0) this.fail(`BINSTRING has a negative length ${n}`, at);
        s.push(this.take(n));
        return;
      }
      case 113:
        this.memo.set(this.u8(), this.top());
        return;
      case 114:
        this.memo.set(this.u32(), this.top());
        return;
      case 104:
      case 106: {
        const key = op === 104 ? this.u8() : this.u32();
        if (!this.memo.has(key)) this.fail(`memo entry ${key} was never stored`, at);
        s.push(this.memo.get(key));
        return;
      }
      default:
        this.structure(op, at);
    }
  }
  structure(op, at) {
    const s = this.stack;
    switch (op) {
      case 133:
      case 134:
      case 135: {
        const items = [];
        for (let i = op - 132; i > 0; i--) items.unshift(this.pop());
        s.push(new Tuple(items));
        return;
      }
      case 116:
        s.push(new Tuple(this.popMark()));
        return;
      case 97: {
        const value = this.pop();
        this.list(at).push(value);
        return;
      }
      case 101: {
        const values = this.popMark();
        const list = this.list(at);
        for (const v of values) list.push(v);
        return;
      }
      case 115: {
        const value = this.pop(), key = this.pop();
        this.dict(at).set(this.key(key, at), value);
        return;
      }
      case 117: {
        const items = this.popMark();
        if (items.length % 2 !== 0) this.fail("SETITEMS with an odd number of values", at);
        const dict = this.dict(at);
        for (let i = 0; i < items.length; i += 2) dict.set(this.key(items[i], at), items[i + 1]);
        return;
      }
      case 99: {
        const name = `${this.line()}.${this.line()}`;
        if (!ALLOWED_GLOBALS.has(name)) {
          this.fail(`refusing global "${name}": only numpy arrays of CIFAR-10 are read`, at);
        }
        s.push(new Global(name));
        return;
      }
      case 82:
        this.reduce(at);
        return;
      case 98:
        this.build(at);
        return;
      default:
        this.fail(`unexpected opcode 0x${op.toString(16).padStart(2, "0")} ('${String.fromCharCode(op)}'): only the opcodes of Python 2 CIFAR-10 pickles are read, and nothing is executed`, at);
    }
  }
  list(at) {
    const list = this.top();
    if (!Array.isArray(list)) this.fail("APPEND(S) onto something that is not a list", at);
    return list;
  }
  dict(at) {
    const dict = this.top();
    if (!(dict instanceof Map)) this.fail("SETITEM(S) onto something that is not a dict", at);
    return dict;
  }
  key(key, at) {
    if (!(key instanceof Uint8Array)) this.fail("a dict key is not a byte string", at);
    return bytesToString(key);
  }
  /** `_reconstruct(ndarray, (0,), b"b")` → an empty NdArray; `dtype("u1", 0, 1)` → a Dtype. */
  reduce(at) {
    const args = this.pop(), callable = this.pop();
    if (!(callable instanceof Global) || !(args instanceof Tuple)) {
      this.fail("REDUCE needs a recognised global and an argument tuple", at);
    }
    const a = args.items;
    if (RECONSTRUCT.has(callable.name)) {
      if (!(a[0] instanceof Global) || a[0].name !== "numpy.ndarray") {
        this.fail("_reconstruct is only accepted for numpy.ndarray", at);
      }
      this.stack.push(new NdArray());
    } else if (callable.name === "numpy.dtype") {
      if (!(a[0] instanceof Uint8Array)) {
        this.fail("numpy.dtype needs a byte-string descriptor", at);
      }
      this.stack.push(new Dtype(bytesToString(a[0])));
    } else {
      this.fail(`refusing to call "${callable.name}"`, at);
    }
  }
  /** Applies the state tuple that numpy's `__reduce__` gives an ndarray or a dtype. */
  build(at) {
    const state = this.pop(), target = this.top();
    if (!(state instanceof Tuple)) this.fail("BUILD needs a state tuple", at);
    const st = state.items;
    if (target instanceof Dtype) {
      if (!(st[1] instanceof Uint8Array)) this.fail("a dtype state has no byte order", at);
      target.byteOrder = bytesToString(st[1]);
    } else if (target instanceof NdArray) {
      const [version, shape, dtype, fortran, data] = st;
      if (version !== 1 || !(shape instanceof Tuple) || !(dtype instanceof Dtype) || !(data instanceof Uint8Array) || shape.items.some((d) => typeof d !== "number")) {
        this.fail("an ndarray state is not (1, shape, dtype, fortran_order, bytes)", at);
      }
      target.shape = shape.items;
      target.dtype = dtype;
      target.fortranOrder = fortran === true || fortran === 1;
      target.data = data;
    } else {
      this.fail("BUILD on something that is not a numpy array or dtype", at);
    }
  }
};

// data/_cifar10_python.ts
var IMAGE_BYTES = 3072;
function bad(path, why) {
  return new Error(`Cannot read CIFAR-10 python batch "${path}": ${why}; the file is damaged or not a CIFAR-10 python pickle \u2014 use the binary format from \`deno task data:cifar10\` instead`);
}
function dictOf(value, path) {
  if (!(value instanceof Map)) throw bad(path, "the pickle does not hold a dict");
  return value;
}
function readPythonBatch(bytes, path, numClasses) {
  const dict = dictOf(readPickle(bytes, path), path);
  const data = dict.get("data");
  if (!(data instanceof NdArray)) throw bad(path, 'key "data" is missing or not a numpy array');
  const [n, width] = data.shape;
  if (data.shape.length !== 2 || width !== IMAGE_BYTES) {
    throw bad(path, `"data" has shape (${data.shape.join(", ")}) but must be (N, ${IMAGE_BYTES})`);
  }
  if (data.dtype?.descr !== "u1" && data.dtype?.descr !== "|u1") {
    throw bad(path, `"data" has dtype "${data.dtype?.descr}" but must be uint8 ("u1")`);
  }
  if (data.fortranOrder) throw bad(path, '"data" is in Fortran order; C order is expected');
  if (data.data.length !== n * IMAGE_BYTES) {
    throw bad(path, `"data" holds ${data.data.length} bytes but (${n}, ${IMAGE_BYTES}) needs ${n * IMAGE_BYTES}`);
  }
  const list = dict.get("labels");
  if (!Array.isArray(list)) throw bad(path, 'key "labels" is missing or not a list');
  if (list.length !== n) throw bad(path, `"labels" has ${list.length} entries for ${n} images`);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const label = list[i];
    if (typeof label !== "number" || !Number.isInteger(label) || label < 0) {
      throw bad(path, `label ${i} is ${String(label)}, not a non-negative integer`);
    }
    if (label >= numClasses) {
      throw new RangeError(`Cannot read CIFAR-10 python batch "${path}": image ${i} has label ${label} but labels must be 0 \u2026 ${numClasses - 1}; the file is damaged or not CIFAR-10`);
    }
    labels[i] = label;
  }
  return {
    images: data.data,
    labels
  };
}
function readPythonMeta(bytes, path) {
  const dict = dictOf(readPickle(bytes, path), path);
  const names = dict.get("label_names");
  if (!Array.isArray(names) || names.some((x) => !(x instanceof Uint8Array))) {
    throw bad(path, 'key "label_names" is missing or not a list of strings');
  }
  if (names.length !== 10) {
    throw bad(path, `"label_names" has ${names.length} names but CIFAR-10 has 10`);
  }
  return names.map((x) => bytesToString(x));
}

// data/locate.ts
var BINARY_FOLDER = "cifar-10-batches-bin";
var PYTHON_FOLDER = "cifar-10-batches-py";
var CIFAR10_DIR_OPTION = Object.freeze({
  "cifar10-dir": Object.freeze({
    type: "string"
  })
});
var CIFAR10_DIR_HELP = "  --cifar10-dir DIR  where CIFAR-10 is (default: $CIFAR10_DIR, else data/ in the project)";
function defaultCifar10Dir() {
  const here = new URL(".", import.meta.url);
  if (here.protocol !== "file:") return `${Deno.cwd()}/data`;
  let path = decodeURIComponent(here.pathname).replace(/\/$/, "");
  if (/^\/[A-Za-z]:/.test(path)) path = path.slice(1);
  return path;
}
async function isFile(path) {
  try {
    return (await Deno.stat(path)).isFile;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return false;
    throw e;
  }
}
async function findCifar10Batches(dir) {
  const base = dir.replace(/[\\/]+$/, "") || "/";
  const candidates = [
    {
      dir: base,
      format: "binary"
    },
    {
      dir: base,
      format: "python"
    },
    {
      dir: `${base}/${BINARY_FOLDER}`,
      format: "binary"
    },
    {
      dir: `${base}/${PYTHON_FOLDER}`,
      format: "python"
    }
  ];
  for (const c of candidates) {
    const first = c.format === "binary" ? "data_batch_1.bin" : "data_batch_1";
    if (await isFile(`${c.dir}/${first}`)) return c;
  }
  return null;
}
function envDir() {
  const state = Deno.permissions.querySync({
    name: "env",
    variable: "CIFAR10_DIR"
  }).state;
  if (state !== "granted") return void 0;
  const value = Deno.env.get("CIFAR10_DIR");
  return value === void 0 || value === "" ? void 0 : value;
}
async function locateCifar10(options = {}) {
  let dir, source;
  const fromEnv = envDir();
  if (options.cifar10Dir !== void 0 && options.cifar10Dir !== "") {
    [dir, source] = [
      options.cifar10Dir,
      "flag"
    ];
  } else if (fromEnv !== void 0) {
    [dir, source] = [
      fromEnv,
      "env"
    ];
  } else {
    [dir, source] = [
      options.defaultDir ?? defaultCifar10Dir(),
      "default"
    ];
  }
  return {
    dir,
    source,
    batches: await findCifar10Batches(dir)
  };
}
function missingCifar10Error(dir, source) {
  const from = source === "flag" ? " (from --cifar10-dir)" : source === "env" ? " (from CIFAR10_DIR)" : source === "default" ? " (the default location)" : "";
  return new Error(`Cannot find CIFAR-10 in "${dir}"${from}: neither it nor its ${BINARY_FOLDER} or ${PYTHON_FOLDER} folder holds data_batch_1(.bin); run \`deno task data:cifar10\` to download it, or pass --cifar10-dir (or set CIFAR10_DIR) to the folder that holds it`);
}

// data/cifar10.ts
var CIFAR10_CLASSES = Object.freeze([
  "airplane",
  "automobile",
  "bird",
  "cat",
  "deer",
  "dog",
  "frog",
  "horse",
  "ship",
  "truck"
]);
var IMAGE_BYTES2 = 3072;
var IMAGE_SHAPE = Object.freeze([
  3,
  32,
  32
]);
var RECORD_BYTES = 1 + IMAGE_BYTES2;
var TRAIN_BATCHES = 5;
function imageCount(set) {
  return set.labels.length;
}
async function loadCifar10(dir) {
  const found = await findCifar10Batches(dir);
  if (found === null) throw missingCifar10Error(dir);
  return found.format === "binary" ? await loadBinary(found.dir) : await loadPython(found.dir);
}
async function loadBinary(dir) {
  const trainFiles = Array.from({
    length: TRAIN_BATCHES
  }, (_, i) => `${dir}/data_batch_${i + 1}.bin`);
  const testFile = `${dir}/test_batch.bin`;
  const classes = parseMetaText(await readText(`${dir}/batches.meta.txt`), `${dir}/batches.meta.txt`);
  const buffer = {
    bytes: new Uint8Array(0)
  };
  const train = await readBinaryFiles(trainFiles, classes.length, buffer);
  const test = await readBinaryFiles([
    testFile
  ], classes.length, buffer);
  return {
    train,
    test,
    classes,
    dir,
    format: "binary"
  };
}
async function recordCount(path) {
  const size = (await statFile(path)).size;
  if (size === 0 || size % RECORD_BYTES !== 0) {
    throw new Error(`Cannot read CIFAR-10 batch "${path}": its size ${size} bytes is not a positive multiple of ${RECORD_BYTES} (1 label byte + ${IMAGE_BYTES2} pixel bytes per image); the file is damaged or not a CIFAR-10 binary batch \u2014 download it again with \`deno task data:cifar10\``);
  }
  return size / RECORD_BYTES;
}
async function readBinaryFiles(paths, numClasses, buffer) {
  const counts = [];
  for (const path of paths) counts.push(await recordCount(path));
  const total = counts.reduce((a, b) => a + b, 0);
  const images = new Uint8Array(total * IMAGE_BYTES2);
  const labels = new Uint8Array(total);
  let n = 0;
  for (let f = 0; f < paths.length; f++) {
    const size = counts[f] * RECORD_BYTES;
    if (buffer.bytes.length < size) buffer.bytes = new Uint8Array(size);
    const file = buffer.bytes.subarray(0, size);
    await readExactly(paths[f], file);
    for (let i = 0; i < counts[f]; i++, n++) {
      const record = i * RECORD_BYTES;
      labels[n] = file[record];
      images.set(file.subarray(record + 1, record + RECORD_BYTES), n * IMAGE_BYTES2);
    }
    checkLabels({
      images,
      labels: labels.subarray(n - counts[f], n)
    }, numClasses, paths[f]);
  }
  return {
    images,
    labels
  };
}
async function readExactly(path, into) {
  using file = await Deno.open(path, {
    read: true
  });
  let off = 0;
  while (off < into.length) {
    const got = await file.read(into.subarray(off));
    if (got === null) {
      throw new Error(`Cannot read CIFAR-10 batch "${path}": it ended after ${off} of ${into.length} bytes (was it changed while being read?)`);
    }
    off += got;
  }
}
async function loadPython(dir) {
  const classes = readPythonMeta(await readBytes(`${dir}/batches.meta`), `${dir}/batches.meta`);
  const buffer = {
    bytes: new Uint8Array(0)
  };
  const store = new SetBuilder();
  for (let i = 1; i <= TRAIN_BATCHES; i++) {
    const path = `${dir}/data_batch_${i}`;
    const bytes = await readIntoBuffer(path, buffer);
    store.append(readPythonBatch(bytes, path, classes.length), TRAIN_BATCHES);
  }
  const testPath = `${dir}/test_batch`;
  const test = readPythonBatch(await readIntoBuffer(testPath, buffer), testPath, classes.length);
  return {
    train: store.result(),
    test,
    classes,
    dir,
    format: "python"
  };
}
async function readIntoBuffer(path, buffer) {
  const size = (await statFile(path)).size;
  if (buffer.bytes.length < size) buffer.bytes = new Uint8Array(size);
  const bytes = buffer.bytes.subarray(0, size);
  await readExactly(path, bytes);
  return bytes;
}
var SetBuilder = class {
  images = new Uint8Array(0);
  labels = new Uint8Array(0);
  n = 0;
  append(set, expectedParts) {
    const count2 = set.labels.length;
    if (this.n + count2 > this.labels.length) {
      const capacity = Math.max(this.n + count2, count2 * expectedParts);
      const images = new Uint8Array(capacity * IMAGE_BYTES2), labels = new Uint8Array(capacity);
      images.set(this.images.subarray(0, this.n * IMAGE_BYTES2));
      labels.set(this.labels.subarray(0, this.n));
      [this.images, this.labels] = [
        images,
        labels
      ];
    }
    this.images.set(set.images, this.n * IMAGE_BYTES2);
    this.labels.set(set.labels, this.n);
    this.n += count2;
  }
  result() {
    return {
      images: this.images.subarray(0, this.n * IMAGE_BYTES2),
      labels: this.labels.subarray(0, this.n)
    };
  }
};
function parseMetaText(text, path) {
  const classes = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  if (classes.length !== CIFAR10_CLASSES.length) {
    throw new Error(`Cannot read CIFAR-10 class names from "${path}": found ${classes.length} names but CIFAR-10 has ${CIFAR10_CLASSES.length}; is this CIFAR-100 or a damaged file?`);
  }
  return classes;
}
function checkLabels(set, numClasses, path) {
  const { labels } = set;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= numClasses) {
      throw new RangeError(`Cannot read CIFAR-10 batch "${path}": image ${i} has label ${labels[i]} but labels must be 0 \u2026 ${numClasses - 1}; the file is damaged or not CIFAR-10`);
    }
  }
}
async function statFile(path) {
  try {
    return await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`Cannot read CIFAR-10: "${path}" is missing, so the batches folder is incomplete; download it again with \`deno task data:cifar10\` or pass --cifar10-dir`);
    }
    throw e;
  }
}
async function readBytes(path) {
  await statFile(path);
  return await Deno.readFile(path);
}
async function readText(path) {
  return new TextDecoder().decode(await readBytes(path));
}

// data/splits.ts
function sliceImages(set, start, end) {
  const n = set.labels.length;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > n) {
    throw new RangeError(`Cannot slice images ${start} \u2026 ${end} out of a set of ${n} images`);
  }
  return {
    images: set.images.subarray(start * IMAGE_BYTES2, end * IMAGE_BYTES2),
    labels: set.labels.subarray(start, end)
  };
}
function count(name, value, fallback, max) {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < 0 || n > max) {
    throw new RangeError(`Cannot split CIFAR-10 with ${name}=${n}: it must be an integer in 0 \u2026 ${max}`);
  }
  return n;
}
function splitCifar10(data, options = {}) {
  const total = data.train.labels.length;
  const valSize = count("valSize", options.valSize, Math.min(1e3, total), total);
  const trainSize = total - valSize;
  const numTrain = count("numTrain", options.numTrain, trainSize, trainSize);
  const numVal = count("numVal", options.numVal, valSize, valSize);
  const numTest = count("numTest", options.numTest, data.test.labels.length, data.test.labels.length);
  return {
    train: sliceImages(data.train, 0, numTrain),
    val: sliceImages(data.train, trainSize, trainSize + numVal),
    test: sliceImages(data.test, 0, numTest),
    classes: data.classes
  };
}

// data/normalize.ts
var PLANE = 1024;
function meanImage(set) {
  const n = set.labels.length;
  if (n === 0) throw new RangeError("Cannot compute the mean image of an empty set");
  const sum = new Float64Array(IMAGE_BYTES2);
  const { images } = set;
  for (let i = 0; i < n; i++) {
    const base = i * IMAGE_BYTES2;
    for (let p = 0; p < IMAGE_BYTES2; p++) sum[p] += images[base + p];
  }
  const mean = new Float32Array(IMAGE_BYTES2);
  for (let p = 0; p < IMAGE_BYTES2; p++) mean[p] = sum[p] / n;
  return mean;
}
function channelMeanStd(set) {
  const n = set.labels.length;
  if (n === 0) throw new RangeError("Cannot compute channel statistics of an empty set");
  const sum = [
    0,
    0,
    0
  ], sumSq = [
    0,
    0,
    0
  ];
  const hist = new Float64Array(3 * 256);
  const { images } = set;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const base = i * IMAGE_BYTES2 + c * PLANE, h = c * 256;
      for (let p = 0; p < PLANE; p++) hist[h + images[base + p]]++;
    }
  }
  for (let c = 0; c < 3; c++) {
    for (let v = 0; v < 256; v++) {
      sum[c] += hist[c * 256 + v] * v;
      sumSq[c] += hist[c * 256 + v] * v * v;
    }
  }
  const count2 = n * PLANE;
  const mean = sum.map((s) => s / count2);
  const std = sumSq.map((s, c) => Math.sqrt(Math.max(0, s / count2 - mean[c] * mean[c])));
  return {
    mean: mean.map((m) => m / 255),
    std: std.map((s) => s / 255)
  };
}
var Normalization = class _Normalization {
  json;
  /** scale: (3, 32, 32) */
  scale;
  /** shift: (3, 32, 32) */
  shift;
  constructor(json) {
    this.json = json;
    this.scale = new Float32Array(IMAGE_BYTES2).fill(1);
    this.shift = new Float32Array(IMAGE_BYTES2);
    if (json.kind === "meanImage") {
      for (let p = 0; p < IMAGE_BYTES2; p++) this.shift[p] = -json.mean[p];
    } else if (json.kind === "channel") {
      for (let c = 0; c < 3; c++) {
        const scale = 1 / (255 * json.std[c]), shift = -json.mean[c] / json.std[c];
        this.scale.fill(scale, c * PLANE, (c + 1) * PLANE);
        this.shift.fill(shift, c * PLANE, (c + 1) * PLANE);
      }
    }
  }
  /** Which normalisation this is. */
  get kind() {
    return this.json.kind;
  }
  /** The raw values 0 … 255 as floats. */
  static none() {
    return new _Normalization({
      kind: "none"
    });
  }
  /** Subtracts the per-pixel mean image of `train` (Part 1). */
  static meanImage(train) {
    return new _Normalization({
      kind: "meanImage",
      mean: Array.from(meanImage(train))
    });
  }
  /** `(x/255 − mean[c]) / std[c]` with `train`'s per-channel statistics (Part 2). */
  static channel(train) {
    const { mean, std } = channelMeanStd(train);
    return _Normalization.fromJSON({
      kind: "channel",
      mean,
      std
    });
  }
  /** A normalisation saved with {@link Normalization.toJSON}, checked. */
  static fromJSON(json) {
    const bad2 = (why) => new TypeError(`Cannot restore a normalisation: ${why}`);
    if (json.kind === "meanImage" && json.mean?.length !== IMAGE_BYTES2) {
      throw bad2(`a mean image needs ${IMAGE_BYTES2} values, got ${json.mean?.length}`);
    }
    if (json.kind === "channel") {
      if (json.mean?.length !== 3 || json.std?.length !== 3) throw bad2("needs 3 means and 3 stds");
      if (json.std.some((s) => !(s > 0))) {
        throw new RangeError(`Cannot normalise by std [${json.std.join(", ")}]: each must be > 0`);
      }
    }
    if (![
      "none",
      "meanImage",
      "channel"
    ].includes(json.kind)) {
      throw bad2(`unknown kind "${json.kind}"`);
    }
    return new _Normalization(json);
  }
  /** The parameters as plain data (`JSON.stringify` uses this). */
  toJSON() {
    return this.json;
  }
  /** Writes image `index` of `images` as floats into `out` at `offset`. */
  apply(images, index, out, offset) {
    const { scale, shift } = this;
    const src = index * IMAGE_BYTES2;
    for (let p = 0; p < IMAGE_BYTES2; p++) out[offset + p] = images[src + p] * scale[p] + shift[p];
  }
  /** A short description, e.g. `Normalization(channel)`. */
  toString() {
    return `Normalization(${this.kind})`;
  }
};

// data/augment.ts
var SIDE = 32;
var PLANE2 = 1024;
function augmentDefaults(options) {
  const { pad = 4, flip = true } = options === true ? {} : options;
  if (!Number.isInteger(pad) || pad < 0 || pad > SIDE) {
    throw new RangeError(`Cannot augment with pad=${pad}: it must be an integer in 0 \u2026 ${SIDE}`);
  }
  return {
    pad,
    flip
  };
}
function drawAugment(rng, options) {
  const { pad, flip } = options;
  const dy = pad > 0 ? rng.int(2 * pad + 1) : 0;
  const dx = pad > 0 ? rng.int(2 * pad + 1) : 0;
  return {
    dy,
    dx,
    flip: flip ? rng.uniform() < 0.5 : false
  };
}
function augmentImage(images, index, out, offset, norm, draw, pad) {
  const { scale, shift } = norm;
  const src = index * IMAGE_BYTES2;
  const oy = draw.dy - pad, ox = draw.dx - pad;
  for (let c = 0; c < 3; c++) {
    for (let h = 0; h < SIDE; h++) {
      const sh = h + oy;
      const row = c * PLANE2 + h * SIDE;
      if (sh < 0 || sh >= SIDE) {
        for (let w = 0; w < SIDE; w++) out[offset + row + w] = shift[row + w];
        continue;
      }
      const srcRow = src + c * PLANE2 + sh * SIDE;
      for (let w = 0; w < SIDE; w++) {
        const sw = (draw.flip ? SIDE - 1 - w : w) + ox;
        const p = row + w;
        out[offset + p] = sw >= 0 && sw < SIDE ? images[srcRow + sw] * scale[p] + shift[p] : shift[p];
      }
    }
  }
}

// data/batches.ts
var rawValues = null;
function noNormalization() {
  return rawValues ??= Normalization.none();
}
function makeBatch(set, indices, options = {}) {
  const b = indices.length, n = set.labels.length;
  const x = options.out ? options.out.x.subarray(0, b * IMAGE_BYTES2) : new Float32Array(b * IMAGE_BYTES2);
  const y = options.out ? options.out.y.subarray(0, b) : new Int32Array(b);
  if (x.length < b * IMAGE_BYTES2 || y.length < b) {
    throw new TypeError(`Cannot make a batch of ${b} images in buffers of ${options.out.x.length} floats and ${options.out.y.length} labels: they must hold ${b * IMAGE_BYTES2} and ${b}`);
  }
  const norm = options.normalize ?? noNormalization();
  const aug = options.augment ? augmentDefaults(options.augment) : null;
  if (aug !== null && options.rng === void 0) {
    throw new TypeError("Cannot augment without a seeded generator: pass rng (an Rng)");
  }
  for (let k = 0; k < b; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= n) {
      throw new RangeError(`Cannot take image ${i} of a set of ${n} images`);
    }
    y[k] = set.labels[i];
    if (aug === null) norm.apply(set.images, i, x, k * IMAGE_BYTES2);
    else {
      const draw = drawAugment(options.rng, aug);
      augmentImage(set.images, i, x, k * IMAGE_BYTES2, norm, draw, aug.pad);
    }
  }
  const ids = indices instanceof Int32Array ? indices : Int32Array.from(indices);
  return {
    x: new Tensor(x, [
      b,
      ...IMAGE_SHAPE
    ]),
    y,
    indices: ids
  };
}
function batchCount(set, options) {
  const n = set.labels.length;
  return options.dropLast ? Math.floor(n / options.batchSize) : Math.ceil(n / options.batchSize);
}
function* batches(set, options) {
  const { batchSize, shuffle = false, dropLast = false, rng } = options;
  if (!Number.isInteger(batchSize) || batchSize <= 0) {
    throw new RangeError(`Cannot make batches of size ${batchSize}: it must be a positive integer`);
  }
  if (shuffle && rng === void 0) {
    throw new TypeError("Cannot shuffle without a seeded generator: pass rng (an Rng)");
  }
  const n = set.labels.length;
  const order = new Int32Array(n);
  if (shuffle) order.set(rng.permutation(n));
  else for (let i = 0; i < n; i++) order[i] = i;
  const out = {
    x: new Float32Array(Math.min(batchSize, n) * IMAGE_BYTES2),
    y: new Int32Array(Math.min(batchSize, n))
  };
  for (let start = 0; start < n; start += batchSize) {
    const b = Math.min(batchSize, n - start);
    if (b < batchSize && dropLast) return;
    yield makeBatch(set, order.subarray(start, start + b), {
      ...options,
      out
    });
  }
}
function toTensor(set, options = {}) {
  const n = set.labels.length;
  const norm = options.normalize ?? noNormalization();
  const x = new Float32Array(n * IMAGE_BYTES2);
  for (let i = 0; i < n; i++) norm.apply(set.images, i, x, i * IMAGE_BYTES2);
  const t = new Tensor(x, [
    n,
    ...IMAGE_SHAPE
  ]);
  return options.dtype === "float64" ? t.astype("float64") : t;
}
function labelsInt32(set) {
  return Int32Array.from(set.labels);
}

// nn/_atomic.ts
async function writeFileAtomic(path, data) {
  const tmp = `${path}.tmp`;
  try {
    if (typeof data === "string") await Deno.writeTextFile(tmp, data);
    else await Deno.writeFile(tmp, data);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {
    });
    throw e;
  }
}

// nn/safetensors.ts
var DTYPES = {
  U8: {
    bytes: 1,
    rank: 1,
    ctor: Uint8Array
  },
  I8: {
    bytes: 1,
    rank: 2,
    ctor: Int8Array
  },
  I16: {
    bytes: 2,
    rank: 3,
    ctor: Int16Array
  },
  I32: {
    bytes: 4,
    rank: 4,
    ctor: Int32Array
  },
  F32: {
    bytes: 4,
    rank: 5,
    ctor: Float32Array
  },
  F64: {
    bytes: 8,
    rank: 6,
    ctor: Float64Array
  },
  I64: {
    bytes: 8,
    rank: 7,
    ctor: BigInt64Array
  }
};
var MAX_HEADER = 1e8;
if (new Uint8Array(new Uint16Array([
  1
]).buffer)[0] !== 1) {
  throw new Error("Cannot use safetensors: this machine is big-endian, the format is little-endian");
}
function dtypeOf(data, name) {
  for (const [dtype, { ctor }] of Object.entries(DTYPES)) {
    if (data.constructor === ctor) return dtype;
  }
  throw new TypeError(`Cannot save tensor "${name}": ${data?.constructor?.name} is not a supported array (use Float64Array, Float32Array, BigInt64Array, Int32Array, Int16Array, Int8Array or Uint8Array)`);
}
function sizeOf(shape) {
  return shape.reduce((a, d) => a * d, 1);
}
function encodeSafetensors(tensors, metadata = {}) {
  const entries = Object.entries(tensors).map(([name, t]) => {
    const dtype = dtypeOf(t.data, name);
    if (!t.shape.every((d) => Number.isInteger(d) && d >= 0) || sizeOf(t.shape) !== t.data.length) {
      throw new TypeError(`Cannot save tensor "${name}": shape [${t.shape.join(", ")}] does not match its ${t.data.length} elements`);
    }
    return {
      name,
      dtype,
      t
    };
  });
  entries.sort((a, b) => DTYPES[b.dtype].rank - DTYPES[a.dtype].rank || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header = {};
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== "string") {
      throw new TypeError(`Cannot save metadata "${k}": values must be strings, got ${typeof v}`);
    }
  }
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const { name, dtype, t } of entries) {
    const end = offset + t.data.byteLength;
    header[name] = {
      dtype,
      shape: [
        ...t.shape
      ],
      data_offsets: [
        offset,
        end
      ]
    };
    offset = end;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(32);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const { t } of entries) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}
function corrupt(source, why) {
  return new Error(`Cannot load safetensors from ${source}: ${why}`);
}
function parseHeader(bytes, source) {
  if (bytes.length < 8) {
    throw corrupt(source, `it has ${bytes.length} bytes, fewer than the 8-byte header length`);
  }
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER)) {
    throw corrupt(source, `the header length ${n} exceeds ${MAX_HEADER}: not a safetensors file`);
  }
  const start = 8 + Number(n);
  if (start > bytes.length) {
    throw corrupt(source, `the file is truncated: the header needs ${n} bytes but only ${bytes.length - 8} follow`);
  }
  let header;
  try {
    header = JSON.parse(new TextDecoder("utf-8", {
      fatal: true
    }).decode(bytes.subarray(8, start)));
  } catch (e) {
    throw corrupt(source, `the header is not valid UTF-8 JSON (${e.message})`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) {
    throw corrupt(source, "the header is not a JSON object");
  }
  return {
    header,
    start
  };
}
function parseMetadata(raw, source) {
  if (raw === void 0) return {};
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw corrupt(source, "__metadata__ is not an object of strings");
  }
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== "string") throw corrupt(source, `__metadata__["${k}"] is not a string`);
  }
  return {
    ...raw
  };
}
function parseEntry(name, raw, source) {
  const info = raw;
  const where = `tensor "${name}"`;
  if (info === null || typeof info !== "object") throw corrupt(source, `${where} is not an object`);
  const dtype = info.dtype;
  if (typeof dtype !== "string" || !(dtype in DTYPES)) {
    throw corrupt(source, `${where} has dtype ${JSON.stringify(info.dtype)}; supported: ${Object.keys(DTYPES)}`);
  }
  const shape = info.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw corrupt(source, `${where} has shape ${JSON.stringify(shape)}, not a list of sizes`);
  }
  const off = info.data_offsets;
  if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    throw corrupt(source, `${where} has data_offsets ${JSON.stringify(off)}, not [begin, end]`);
  }
  const [begin, end] = off;
  const want = sizeOf(shape) * DTYPES[dtype].bytes;
  if (end - begin !== want) {
    throw corrupt(source, `${where} spans ${end - begin} bytes but ${dtype} [${shape}] needs ${want}`);
  }
  return {
    name,
    dtype,
    shape,
    begin,
    end
  };
}
function decodeSafetensors(bytes, source = "buffer") {
  const { header, start } = parseHeader(bytes, source);
  const metadata = parseMetadata(header.__metadata__, source);
  const entries = Object.entries(header).filter(([name]) => name !== "__metadata__").map(([name, raw]) => parseEntry(name, raw, source)).sort((a, b) => a.begin - b.begin || a.end - b.end);
  const dataLength = bytes.length - start;
  let expected = 0;
  for (const e of entries) {
    if (e.begin !== expected) {
      throw corrupt(source, `tensor "${e.name}" starts at byte ${e.begin} but the previous one ends at ${expected} (offsets must be contiguous, without overlap)`);
    }
    expected = e.end;
  }
  if (expected > dataLength) {
    throw corrupt(source, `the file is truncated: the header says the data ends at byte ${expected} but only ${dataLength} bytes of data are present`);
  }
  if (expected < dataLength) {
    throw corrupt(source, `${dataLength - expected} bytes follow the last tensor's data`);
  }
  const tensors = /* @__PURE__ */ new Map();
  for (const e of entries) {
    const buf = bytes.slice(start + e.begin, start + e.end).buffer;
    tensors.set(e.name, {
      dtype: e.dtype,
      shape: e.shape,
      data: new DTYPES[e.dtype].ctor(buf)
    });
  }
  return {
    tensors,
    metadata
  };
}
async function loadSafetensors(path) {
  return decodeSafetensors(await Deno.readFile(path), `"${path}"`);
}
async function saveSafetensors(path, tensors, options = {}) {
  await writeFileAtomic(path, encodeSafetensors(tensors, options.metadata));
}

// nn/checkpoint.ts
var MODEL_NAMES = [
  "convnet",
  "mymodel"
];
var WEIGHTS_FORMAT = "convnet.ts/weights-v1";
var TRAIN_FORMAT = "convnet.ts/train-v1";
function buildModel(config, seed = 0) {
  const args = [
    config.imSize,
    config.hiddenDim,
    config.kernelSize,
    config.nClasses
  ];
  const options = {
    rng: new Rng(seed),
    dtype: "float32"
  };
  if (config.name === "convnet") return new CNN(...args, options);
  if (config.name === "mymodel") return new MyModel(...args, options);
  throw new RangeError(`Cannot build model "${config.name}": use one of ${MODEL_NAMES.join(", ")}`);
}
function firstConvName(model) {
  for (const [name, t] of model.stateDict()) if (t.rank === 4) return name;
  return void 0;
}
function tensorsOf(model, prefix = "") {
  const out = {};
  for (const [name, t] of model.stateDict()) out[prefix + name] = t;
  return out;
}
function encodeWeights(model, config, options = {}) {
  const metadata = {
    ...options.extra,
    format: WEIGHTS_FORMAT,
    model: JSON.stringify(config)
  };
  if (options.normalization !== void 0) {
    metadata.normalization = JSON.stringify(options.normalization);
  }
  const first = firstConvName(model);
  if (first !== void 0) metadata.first_conv = first;
  return encodeSafetensors(tensorsOf(model), metadata);
}
function parseConfig(metadata, source) {
  const raw = metadata.model;
  if (raw === void 0) {
    throw new TypeError(`Cannot load ${source}: its __metadata__ has no "model" configuration, so it was not written by convnet.ts (deno task train:convnet or train:mymodel write one)`);
  }
  let config;
  try {
    config = JSON.parse(raw);
  } catch (e) {
    throw new TypeError(`Cannot load ${source}: __metadata__.model is not JSON (${e})`);
  }
  if (!MODEL_NAMES.includes(config?.name)) {
    throw new TypeError(`Cannot load ${source}: it holds model "${config?.name}", not one of ${MODEL_NAMES.join(", ")}`);
  }
  return config;
}
function toTensor2(t, name, source) {
  if (!(t.data instanceof Float32Array || t.data instanceof Float64Array)) {
    throw new TypeError(`Cannot load "${name}" from ${source}: dtype ${t.dtype} is not F32/F64`);
  }
  return new Tensor(t.data, t.shape);
}
function refuseOtherModel(config, expect, source) {
  if (expect !== void 0 && config.name !== expect) {
    throw new TypeError(`Cannot load ${source} as a ${expect}: it is a checkpoint of ${config.name}; pass --model ${config.name} or another checkpoint`);
  }
}
function loadInto(model, state, source) {
  try {
    model.loadStateDict(state);
  } catch (e) {
    throw new TypeError(`Cannot load ${source}: ${e.message}`);
  }
}
function decodeWeights(bytes, options = {}) {
  const source = options.source ?? "the weights";
  const st = decodeSafetensors(bytes, source);
  const config = parseConfig(st.metadata, source);
  refuseOtherModel(config, options.expect, source);
  const model = buildModel(config);
  const state = /* @__PURE__ */ new Map();
  for (const [name, t] of st.tensors) state.set(name, toTensor2(t, name, source));
  loadInto(model, state, source);
  const norm = st.metadata.normalization;
  return {
    model,
    config,
    normalization: norm === void 0 ? void 0 : JSON.parse(norm),
    metadata: st.metadata
  };
}
async function loadWeights(path, options = {}) {
  return decodeWeights(await Deno.readFile(path), {
    ...options,
    source: `"${path}"`
  });
}
function encodeTrainCheckpoint(model, optimizer, state) {
  const tensors = tensorsOf(model, "model.");
  for (const [name, t] of optimizer.stateDict()) tensors[`optimizer.${name}`] = t;
  const metadata = {
    format: TRAIN_FORMAT,
    model: JSON.stringify(state.config),
    progress: JSON.stringify(state.progress)
  };
  if (state.normalization !== void 0) {
    metadata.normalization = JSON.stringify(state.normalization);
  }
  return encodeSafetensors(tensors, metadata);
}
function peekTrainCheckpoint(bytes, source = "the checkpoint") {
  const st = decodeSafetensors(bytes, source);
  if (st.metadata.format !== TRAIN_FORMAT) {
    throw new TypeError(`Cannot resume from ${source}: its format is "${st.metadata.format}", not "${TRAIN_FORMAT}" (resume from the run folder's checkpoint.safetensors, not the weights file)`);
  }
  const config = parseConfig(st.metadata, source);
  const norm = st.metadata.normalization;
  return {
    config,
    normalization: norm === void 0 ? void 0 : JSON.parse(norm),
    progress: JSON.parse(st.metadata.progress ?? "null")
  };
}
function loadTrainCheckpoint(bytes, model, optimizer, options = {}) {
  const source = options.source ?? "the checkpoint";
  const state = peekTrainCheckpoint(bytes, source);
  refuseOtherModel(state.config, options.expect, source);
  const st = decodeSafetensors(bytes, source);
  const weights = /* @__PURE__ */ new Map(), opt = /* @__PURE__ */ new Map();
  for (const [name, t] of st.tensors) {
    if (name.startsWith("model.")) weights.set(name.slice(6), toTensor2(t, name, source));
    else if (name.startsWith("optimizer.")) opt.set(name.slice(10), toTensor2(t, name, source));
    else {
      throw new TypeError(`Cannot load ${source}: tensor "${name}" is neither model. nor optimizer.`);
    }
  }
  loadInto(model, weights, source);
  try {
    optimizer.loadStateDict(opt);
  } catch (e) {
    throw new TypeError(`Cannot load ${source}: ${e.message}`);
  }
  return state;
}

// nn/classifiers.ts
function resolve(o) {
  const r = {
    inputDim: o.inputDim ?? [
      3,
      32,
      32
    ],
    numFilters: o.numFilters ?? 32,
    filterSize: o.filterSize ?? 7,
    hiddenDim: o.hiddenDim ?? 100,
    numClasses: o.numClasses ?? 10,
    weightScale: o.weightScale ?? 1e-3,
    reg: o.reg ?? 0,
    dtype: o.dtype ?? "float32",
    seed: o.seed ?? 0
  };
  const [C, H, W] = r.inputDim;
  for (const [name, v] of [
    [
      "numFilters",
      r.numFilters
    ],
    [
      "hiddenDim",
      r.hiddenDim
    ],
    [
      "numClasses",
      r.numClasses
    ],
    [
      "C",
      C
    ],
    [
      "H",
      H
    ],
    [
      "W",
      W
    ]
  ]) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`Invalid ${name} ${v}: it must be an integer \u2265 1`);
    }
  }
  if (!Number.isInteger(r.filterSize) || r.filterSize < 1 || r.filterSize % 2 === 0) {
    throw new RangeError(`Invalid filter size ${r.filterSize}: it must be an odd integer \u2265 1 so that padding (K \u2212 1) / 2 keeps the image size`);
  }
  if (r.filterSize > H || r.filterSize > W) {
    throw new RangeError(`Invalid filter size ${r.filterSize}: it must not exceed the ${H}\xD7${W} image`);
  }
  if (H % 2 !== 0 || W % 2 !== 0) {
    throw new RangeError(`Cannot 2\xD72-pool a ${H}\xD7${W} image: H and W must be even`);
  }
  if (!(r.weightScale > 0)) {
    throw new RangeError(`Invalid weight scale ${r.weightScale}: it must be > 0`);
  }
  if (!(r.reg >= 0)) throw new RangeError(`Invalid regularisation ${r.reg}: it must be \u2265 0`);
  return r;
}
function convReluPool(x, w, b, pad) {
  const dims = convDims("convReluPool", x.shape, w.shape, 1, pad);
  if (x.dtype === "float32") checkConvPoolReluFits(dims);
  const out = Tensor.zeros([
    dims.N,
    dims.F,
    dims.HO / 2,
    dims.WO / 2
  ], x.dtype);
  const argmax = new Int32Array(out.size);
  kernelsFor(x.dtype).convPoolRelu2dForward(out.data, argmax, x.data, w.data, b.data, dims);
  const cache = {
    x,
    dims,
    argmax
  };
  return {
    out,
    cache
  };
}
function convReluPoolBack(dout, cache) {
  const { x, dims, argmax } = cache;
  const dw = Tensor.zeros([
    dims.F,
    dims.C,
    dims.KH,
    dims.KW
  ], dout.dtype);
  const db = Tensor.zeros([
    dims.F
  ], dout.dtype);
  kernelsFor(dout.dtype).convPoolRelu2dBackwardFilter(dw.data, db.data, dout.data, argmax, x.data, dims);
  return {
    dw,
    db
  };
}
function regularise(reg, params, grads, names) {
  let penalty = 0;
  if (reg === 0) return 0;
  for (const name of names) {
    const w = params[name];
    const k = kernelsFor(w.dtype);
    penalty += 0.5 * reg * k.sumOfSquares(w.data, w.size);
    k.axpy(grads[name].data, w.data, reg, w.size);
  }
  return penalty;
}
function scaled(shape, rng, scale, dtype) {
  return Tensor.randn(shape, rng, {
    std: scale,
    dtype
  });
}
var TwoLayerConvNet = class {
  params;
  reg;
  pad;
  constructor(options = {}) {
    const o = resolve(options);
    const [C, H, W] = o.inputDim;
    const rng = new Rng(o.seed);
    const F = o.numFilters, K = o.filterSize;
    this.reg = o.reg;
    this.pad = (K - 1) / 2;
    this.params = {
      W1: scaled([
        F,
        C,
        K,
        K
      ], rng, o.weightScale, o.dtype),
      b1: Tensor.zeros([
        F
      ], o.dtype),
      W2: scaled([
        F * (H / 2) * (W / 2),
        o.numClasses
      ], rng, o.weightScale, o.dtype),
      b2: Tensor.zeros([
        o.numClasses
      ], o.dtype)
    };
  }
  scores(x) {
    const p = this.params;
    const hidden = convReluPool(x, p.W1, p.b1, this.pad);
    return affineForward(hidden.out, p.W2, p.b2).out;
  }
  loss(x, y) {
    const p = this.params;
    const hidden = convReluPool(x, p.W1, p.b1, this.pad);
    const fc = affineForward(hidden.out, p.W2, p.b2);
    const { loss, dx: dScores } = softmaxLoss(fc.out, y);
    const dFc = affineBackward(dScores, fc.cache);
    const dConv = convReluPoolBack(dFc.dx, hidden.cache);
    const grads = {
      W1: dConv.dw,
      b1: dConv.db,
      W2: dFc.dw,
      b2: dFc.db
    };
    return {
      loss: loss + regularise(this.reg, p, grads, [
        "W1",
        "W2"
      ]),
      grads
    };
  }
};
var ThreeLayerConvNet = class {
  params;
  reg;
  pad;
  constructor(options = {}) {
    const o = resolve(options);
    const [C, H, W] = o.inputDim;
    const rng = new Rng(o.seed);
    const F = o.numFilters, K = o.filterSize, D = o.hiddenDim;
    this.reg = o.reg;
    this.pad = (K - 1) / 2;
    this.params = {
      W1: scaled([
        F,
        C,
        K,
        K
      ], rng, o.weightScale, o.dtype),
      b1: Tensor.zeros([
        F
      ], o.dtype),
      W2: scaled([
        F * (H / 2) * (W / 2),
        D
      ], rng, o.weightScale, o.dtype),
      b2: Tensor.zeros([
        D
      ], o.dtype),
      W3: scaled([
        D,
        o.numClasses
      ], rng, o.weightScale, o.dtype),
      b3: Tensor.zeros([
        o.numClasses
      ], o.dtype)
    };
  }
  forward(x) {
    const p = this.params;
    const conv = convReluPool(x, p.W1, p.b1, this.pad);
    const fc1 = affineForward(conv.out, p.W2, p.b2);
    const relu = reluForward3(fc1.out);
    const fc2 = affineForward(relu.out, p.W3, p.b3);
    return {
      conv,
      fc1,
      relu,
      fc2
    };
  }
  scores(x) {
    return this.forward(x).fc2.out;
  }
  loss(x, y) {
    const { conv, fc1, relu, fc2 } = this.forward(x);
    const { loss, dx: dScores } = softmaxLoss(fc2.out, y);
    const d2 = affineBackward(dScores, fc2.cache);
    const d1 = affineBackward(reluBackward3(d2.dx, relu.cache), fc1.cache);
    const d0 = convReluPoolBack(d1.dx, conv.cache);
    const grads = {
      W1: d0.dw,
      b1: d0.db,
      W2: d1.dw,
      b2: d1.db,
      W3: d2.dw,
      b3: d2.db
    };
    return {
      loss: loss + regularise(this.reg, this.params, grads, [
        "W1",
        "W2",
        "W3"
      ]),
      grads
    };
  }
};

// nn/solver.ts
var UPDATE_RULES = [
  "sgd",
  "sgd_momentum",
  "rmsprop",
  "adam"
];
var DivergenceError = class extends Error {
  iteration;
  learningRate;
  constructor(iteration, learningRate, loss) {
    super(`Training diverged: the loss became ${loss} at iteration ${iteration} with learning rate ${learningRate.toExponential(2)}; lower --lr (or raise --reg) and try again`), this.iteration = iteration, this.learningRate = learningRate;
    this.name = "DivergenceError";
  }
};
function checkOption(name, value, ok, range) {
  if (!ok || !Number.isFinite(value)) {
    throw new RangeError(`Invalid ${name} ${value}: it must be ${range}`);
  }
}
function resolveSolverOptions(o) {
  const r = {
    updateRule: o.updateRule ?? "sgd_momentum",
    learningRate: o.learningRate ?? 1e-4,
    momentum: o.momentum ?? 0.9,
    decayRate: o.decayRate ?? 0.99,
    beta1: o.beta1 ?? 0.9,
    beta2: o.beta2 ?? 0.999,
    epsilon: o.epsilon ?? 1e-8,
    lrDecay: o.lrDecay ?? 1,
    batchSize: o.batchSize ?? 50,
    numEpochs: o.numEpochs ?? 1,
    accFrequency: o.accFrequency ?? 50,
    numTrainSamples: o.numTrainSamples ?? 1e3,
    evalBatchSize: o.evalBatchSize ?? 500,
    seed: o.seed ?? 0
  };
  if (!UPDATE_RULES.includes(r.updateRule)) {
    throw new RangeError(`Unknown update rule "${r.updateRule}": use one of ${UPDATE_RULES.join(", ")}`);
  }
  checkOption("learning rate", r.learningRate, r.learningRate > 0, "> 0");
  checkOption("momentum", r.momentum, r.momentum >= 0 && r.momentum < 1, "in [0, 1)");
  checkOption("decay rate", r.decayRate, r.decayRate > 0 && r.decayRate < 1, "in (0, 1)");
  checkOption("beta1", r.beta1, r.beta1 >= 0 && r.beta1 < 1, "in [0, 1)");
  checkOption("beta2", r.beta2, r.beta2 >= 0 && r.beta2 < 1, "in [0, 1)");
  checkOption("epsilon", r.epsilon, r.epsilon > 0, "> 0");
  checkOption("lr decay", r.lrDecay, r.lrDecay > 0 && r.lrDecay <= 1, "in (0, 1]");
  for (const [name, v] of [
    [
      "batch size",
      r.batchSize
    ],
    [
      "number of epochs",
      r.numEpochs
    ],
    [
      "accuracy frequency",
      r.accFrequency
    ],
    [
      "number of train samples",
      r.numTrainSamples
    ],
    [
      "eval batch size",
      r.evalBatchSize
    ]
  ]) checkOption(name, v, Number.isInteger(v) && v >= 1, "an integer \u2265 1");
  checkOption("seed", r.seed, Number.isInteger(r.seed), "an integer");
  return r;
}
var Solver = class {
  model;
  data;
  hooks;
  options;
  lossHistory;
  checks;
  bestValAcc;
  bestParams;
  /** Seconds from the start of `train()` to the first check with val accuracy ≥ 0.5. */
  secondsToHalf;
  learningRate;
  state;
  step;
  constructor(model, data, hooks = {}) {
    this.model = model;
    this.data = data;
    this.hooks = hooks;
    this.lossHistory = [];
    this.checks = [];
    this.bestValAcc = -1;
    this.bestParams = {};
    this.secondsToHalf = null;
    this.state = /* @__PURE__ */ new Map();
    this.step = 0;
    this.options = resolveSolverOptions(hooks);
    this.learningRate = this.options.learningRate;
    if (data.train.length < 1 || data.val.length < 1) {
      throw new RangeError(`Cannot train: the training (${data.train.length}) and validation (${data.val.length}) sets must not be empty`);
    }
  }
  /** Fraction of `dataset` (or of its first `limit` indices of `order`) classified right. */
  checkAccuracy(dataset, indices) {
    const n = indices ? indices.length : dataset.length;
    const batch = this.options.evalBatchSize;
    let correct = 0;
    for (let start = 0; start < n; start += batch) {
      const idx = new Int32Array(Math.min(batch, n - start));
      for (let i = 0; i < idx.length; i++) idx[i] = indices ? indices[start + i] : start + i;
      const scores = this.model.scores(dataset.gather(idx));
      const predicted = argmaxRows(scores);
      for (let i = 0; i < idx.length; i++) {
        if (predicted[i] === dataset.labels[idx[i]]) correct++;
      }
    }
    return correct / n;
  }
  /** Runs the whole optimisation; returns the best validation accuracy. */
  train() {
    const o = this.options;
    const rng = new Rng(o.seed);
    const { train, val } = this.data;
    const perEpoch = Math.max(Math.floor(train.length / o.batchSize), 1);
    const total = perEpoch * o.numEpochs;
    const started = performance.now();
    let order = rng.permutation(train.length);
    let lastLoss = NaN;
    for (let it = 0; it < total; it++) {
      const epoch = Math.floor(it / perEpoch);
      const within = it % perEpoch;
      if (within === 0 && it > 0) order = rng.permutation(train.length);
      const idx = order.subarray(within * o.batchSize, (within + 1) * o.batchSize);
      const { loss, grads } = this.model.loss(train.gather(idx), gatherLabels(train, idx));
      if (!Number.isFinite(loss)) throw new DivergenceError(it + 1, this.learningRate, loss);
      lastLoss = loss;
      this.lossHistory.push(loss);
      this.update(grads);
      this.hooks.onIteration?.(it + 1, loss);
      const epochEnd = within === perEpoch - 1;
      if (it === 0 || epochEnd || (it + 1) % o.accFrequency === 0) {
        const sample = rng.permutation(train.length).subarray(0, Math.min(o.numTrainSamples, train.length));
        const check = {
          iteration: it + 1,
          epoch: epochEnd ? epoch + 1 : epoch,
          loss: lastLoss,
          trainAcc: this.checkAccuracy(train, sample),
          valAcc: this.checkAccuracy(val),
          learningRate: this.learningRate,
          seconds: (performance.now() - started) / 1e3
        };
        this.checks.push(check);
        if (check.valAcc > this.bestValAcc) {
          this.bestValAcc = check.valAcc;
          this.bestParams = Object.fromEntries(Object.entries(this.model.params).map(([k, v]) => [
            k,
            v.clone()
          ]));
        }
        if (this.secondsToHalf === null && check.valAcc >= 0.5) {
          this.secondsToHalf = check.seconds;
        }
        this.hooks.onCheck?.(check);
      }
      if (epochEnd) this.learningRate *= o.lrDecay;
    }
    for (const [k, v] of Object.entries(this.bestParams)) this.model.params[k].data.set(v.data);
    return this.bestValAcc;
  }
  update(grads) {
    const o = this.options;
    this.step++;
    for (const [name, w] of Object.entries(this.model.params)) {
      const g = grads[name];
      if (!g || g.size !== w.size) {
        throw new TypeError(`Cannot update "${name}": the model returned no matching gradient`);
      }
      const k = kernelsFor(w.dtype);
      const n = w.size;
      const s = this.slots(name, w, o.updateRule === "adam" ? 2 : 1);
      switch (o.updateRule) {
        case "sgd":
          k.sgdStep(w.data, g.data, s[0].data, n, this.learningRate, 0, 0, false);
          break;
        case "sgd_momentum":
          k.sgdStep(w.data, g.data, s[0].data, n, this.learningRate, o.momentum, 0, false);
          break;
        case "rmsprop":
          k.rmspropStep(w.data, g.data, s[0].data, n, this.learningRate, o.decayRate, o.epsilon);
          break;
        case "adam":
          k.adamStep(w.data, g.data, s[0].data, s[1].data, n, this.learningRate, o.beta1, o.beta2, o.epsilon, this.step, 0, false);
          break;
      }
    }
  }
  slots(name, w, count2) {
    let s = this.state.get(name);
    if (!s) {
      s = Array.from({
        length: count2
      }, () => Tensor.zeros(w.shape, w.dtype));
      this.state.set(name, s);
    }
    return s;
  }
};
function argmaxRows(scores) {
  const [N, C] = scores.shape;
  const out = new Int32Array(N);
  for (let n = 0; n < N; n++) {
    let best = 0;
    for (let c = 1; c < C; c++) {
      if (scores.data[n * C + c] > scores.data[n * C + best]) best = c;
    }
    out[n] = best;
  }
  return out;
}
function gatherLabels(d, idx) {
  const y = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) y[i] = d.labels[idx[i]];
  return y;
}

// nn/dataset.ts
var TensorDataset = class {
  x;
  labels;
  constructor(x, y) {
    this.x = x;
    if (x.rank < 1 || x.shape[0] !== y.length) {
      throw new TypeError(`Cannot make a dataset: x has ${x.shape[0] ?? 0} samples but y has ${y.length} labels`);
    }
    this.labels = Int32Array.from(y);
  }
  get length() {
    return this.x.shape[0];
  }
  gather(indices) {
    const sample = this.x.size / this.length;
    const out = Tensor.zeros([
      indices.length,
      ...this.x.shape.slice(1)
    ], this.x.dtype);
    for (let i = 0; i < indices.length; i++) {
      const j = indices[i];
      if (!Number.isInteger(j) || j < 0 || j >= this.length) {
        throw new RangeError(`Cannot gather sample ${j} from a dataset of ${this.length}`);
      }
      out.data.set(this.x.data.subarray(j * sample, (j + 1) * sample), i * sample);
    }
    return out;
  }
};

// kernels/webgpu/_device.ts
var adapterPromise;
var devicePromise;
function findAdapter() {
  if (adapterPromise === void 0) {
    const gpu = globalThis.navigator?.gpu;
    adapterPromise = gpu === void 0 ? Promise.resolve(null) : gpu.requestAdapter({
      powerPreference: "high-performance"
    }).catch(() => null);
  }
  return adapterPromise;
}
function describeAdapter(adapter) {
  const info = adapter.info;
  const description = info.description || [
    info.vendor,
    info.architecture,
    info.device
  ].filter((s) => s !== "").join(" ") || "unknown adapter";
  const flag = info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false;
  return {
    description,
    isFallback: flag || /llvmpipe|swiftshader|lavapipe/i.test(description)
  };
}
function getDevice() {
  if (devicePromise === void 0) {
    devicePromise = requestDevice();
    devicePromise.catch(() => devicePromise = void 0);
  }
  return devicePromise;
}
async function requestDevice() {
  const adapter = await findAdapter();
  if (adapter === null) {
    throw new Error("Cannot use the WebGPU backend: Deno found no GPU adapter (navigator.gpu.requestAdapter() returned null); install a Vulkan driver (e.g. Debian's libvulkan1 and mesa-vulkan-drivers) or use --backend wasm");
  }
  const l = adapter.limits;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxStorageBuffersPerShaderStage: Math.min(l.maxStorageBuffersPerShaderStage, 10),
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup
    }
  });
  device.lost.then(() => {
    devicePromise = void 0;
  });
  return device;
}
async function releaseDevice() {
  if (devicePromise === void 0) return;
  const pending = devicePromise;
  devicePromise = void 0;
  try {
    (await pending).destroy();
  } catch {
  }
}

// kernels/webgpu/conv.ts
var conv_exports2 = {};
__export(conv_exports2, {
  conv2dBackwardData: () => conv2dBackwardData3,
  conv2dBackwardFilter: () => conv2dBackwardFilter3,
  conv2dForward: () => conv2dForward3
});

// kernels/webgpu/_limits.ts
function checkBufferSize(op, name, bytes, limits) {
  if (!Number.isSafeInteger(bytes) || bytes < 0) {
    throw new RangeError(`Cannot run ${op}: buffer "${name}" has an invalid size of ${bytes} bytes`);
  }
  if (bytes > limits.maxBufferSize) {
    throw new RangeError(`Cannot run ${op}: buffer "${name}" needs ${bytes} bytes, over this device's maxBufferSize of ${limits.maxBufferSize}; use a smaller batch`);
  }
  if (bytes > limits.maxStorageBufferBindingSize) {
    throw new RangeError(`Cannot run ${op}: buffer "${name}" needs ${bytes} bytes, over this device's maxStorageBufferBindingSize of ${limits.maxStorageBufferBindingSize}; use a smaller batch`);
  }
}
function checkWorkgroups(op, groups, limits) {
  const max = limits.maxComputeWorkgroupsPerDimension;
  groups.forEach((g, axis) => {
    if (!Number.isInteger(g) || g < 0 || g > max) {
      throw new RangeError(`Cannot run ${op}: it needs ${g} workgroups along ${"xyz"[axis]} (grid ${groups.join("\xD7")}), over this device's maxComputeWorkgroupsPerDimension of ${max}; use a smaller batch`);
    }
  });
}
function grid1d(count2, perGroup, maxPerDim) {
  const groups = Math.ceil(count2 / perGroup);
  if (groups <= maxPerDim) return [
    groups,
    1,
    1
  ];
  return [
    maxPerDim,
    Math.ceil(groups / maxPerDim),
    1
  ];
}

// kernels/webgpu/wgsl/_gemm_tile.wgsl
var gemm_tile_default = "// The tiled GEMM main loop shared by matmul and the three conv kernels: C (M\xD7N) = A (M\xD7K) \xB7 B (K\xD7N).\n// _shaders.ts appends it to a kernel that defines dimM/dimN, kRange (the [begin, end) slice of K\n// this dispatch sums: TypeScript splits K over several dispatches on llvmpipe, whose loop limiter\n// stops a loop nest after 65535 iterations), loadA(m, k), loadB(k, n) and storeC(m, n, v); loads\n// are only called in bounds. One workgroup computes a (WG_M\xB7TM)\xD7(WG_N\xB7TN)\n// block of C, staging TK-deep slices of A and B in workgroup memory; one invocation computes\n// TM\xD7TN outputs, strided by the workgroup size so neighbouring invocations touch neighbouring columns.\n\noverride WG_M: u32 = 16; // invocations per workgroup along M\noverride WG_N: u32 = 16; // invocations per workgroup along N\nconst TM: u32 = 4;       // outputs per invocation along M\nconst TN: u32 = 4;       // outputs per invocation along N\nconst TK: u32 = 16;      // depth of one shared-memory slice\n\nvar<workgroup> tileA: array<f32, WG_M * TM * TK>; // (BM, TK)\nvar<workgroup> tileB: array<f32, TK * WG_N * TN>; // (TK, BN)\n\n@compute @workgroup_size(WG_N, WG_M)\nfn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {\n  let M = dimM();\n  let N = dimN();\n  let kr = kRange();\n  let BM = WG_M * TM;\n  let BN = WG_N * TN;\n  let m0 = wid.y * BM;\n  let n0 = wid.x * BN;\n  let tid = lid.y * WG_N + lid.x;\n  let threads = WG_M * WG_N;\n  var acc: array<f32, TM * TN>;\n  for (var k0 = kr.x; k0 < kr.y; k0 += TK) {\n    for (var e = tid; e < BM * TK; e += threads) {\n      let m = m0 + e / TK;\n      let k = k0 + e % TK;\n      var v = 0.0;\n      if (m < M && k < kr.y) { v = loadA(m, k); }\n      tileA[e] = v;\n    }\n    for (var e = tid; e < TK * BN; e += threads) {\n      let k = k0 + e / BN;\n      let n = n0 + e % BN;\n      var v = 0.0;\n      if (k < kr.y && n < N) { v = loadB(k, n); }\n      tileB[e] = v;\n    }\n    workgroupBarrier();\n    for (var kk = 0u; kk < TK; kk++) {\n      var b: array<f32, TN>;\n      for (var j = 0u; j < TN; j++) { b[j] = tileB[kk * BN + lid.x + j * WG_N]; }\n      for (var i = 0u; i < TM; i++) {\n        let a = tileA[(lid.y + i * WG_M) * TK + kk];\n        for (var j = 0u; j < TN; j++) { acc[i * TN + j] = fma(a, b[j], acc[i * TN + j]); }\n      }\n    }\n    workgroupBarrier();\n  }\n  for (var i = 0u; i < TM; i++) {\n    let m = m0 + lid.y + i * WG_M;\n    for (var j = 0u; j < TN; j++) {\n      let n = n0 + lid.x + j * WG_N;\n      if (m < M && n < N) { storeC(m, n, acc[i * TN + j]); }\n    }\n  }\n}\n";

// kernels/webgpu/wgsl/matmul.wgsl
var matmul_default = "// Matmul with transposes (kernels/ref/gemm.ts): c (M\xD7N) = [c +] op(a) \xB7 op(b), row-major.\n// One invocation computes TM\xD7TN outputs of c; tiling in _gemm_tile.wgsl (appended).\n// Bindings: 0 params, 1 c (M, N) read-write, 2 a (M, K) or (K, M) if transA, 3 b (K, N) or (N, K) if transB.\n\nstruct Params { M: u32, N: u32, K: u32, transA: u32, transB: u32, accumulate: u32, kBegin: u32, kEnd: u32 }\n\n@group(0) @binding(0) var<uniform> p: Params;\n@group(0) @binding(1) var<storage, read_write> c: array<f32>;\n@group(0) @binding(2) var<storage, read> a: array<f32>;\n@group(0) @binding(3) var<storage, read> b: array<f32>;\n\nfn dimM() -> u32 { return p.M; }\nfn dimN() -> u32 { return p.N; }\nfn kRange() -> vec2u { return vec2u(p.kBegin, p.kEnd); }\n\nfn loadA(m: u32, k: u32) -> f32 {\n  if (p.transA != 0u) { return a[k * p.M + m]; }\n  return a[m * p.K + k];\n}\n\nfn loadB(k: u32, n: u32) -> f32 {\n  if (p.transB != 0u) { return b[n * p.K + k]; }\n  return b[k * p.N + n];\n}\n\nfn storeC(m: u32, n: u32, v: f32) {\n  let i = m * p.N + n;\n  if (p.accumulate != 0u) { c[i] = c[i] + v; } else { c[i] = v; }\n}\n";

// kernels/webgpu/wgsl/conv2d_forward.wgsl
var conv2d_forward_default = "// Conv2d forward (kernels/ref/conv2d.ts) as an implicit GEMM: out (F \xD7 N\xB7HO\xB7WO) = w (F \xD7 C\xB7KH\xB7KW)\n// \xB7 im2col(x) (C\xB7KH\xB7KW \xD7 N\xB7HO\xB7WO) + b. One invocation computes TM\xD7TN outputs; the im2col matrix is\n// never stored: loadB gathers x (zero outside the padding). Tiling in _gemm_tile.wgsl (appended).\n// Bindings: 0 params, 1 out (N, F, HO, WO), 2 x (N, C, H, W), 3 w (F, C, KH, KW), 4 b (F).\n\nstruct Params { N: u32, C: u32, H: u32, W: u32, F: u32, KH: u32, KW: u32, stride: u32, pad: u32, HO: u32, WO: u32, kBegin: u32, kEnd: u32, first: u32 }\n\n@group(0) @binding(0) var<uniform> p: Params;\n@group(0) @binding(1) var<storage, read_write> out: array<f32>;\n@group(0) @binding(2) var<storage, read> x: array<f32>;\n@group(0) @binding(3) var<storage, read> w: array<f32>;\n@group(0) @binding(4) var<storage, read> bias: array<f32>;\n\nfn dimM() -> u32 { return p.F; }\nfn dimN() -> u32 { return p.N * p.HO * p.WO; }\nfn kRange() -> vec2u { return vec2u(p.kBegin, p.kEnd); }\n\nfn loadA(f: u32, k: u32) -> f32 { return w[f * p.C * p.KH * p.KW + k]; }\n\n// k = (c, kh, kw), q = (n, i, j) \u2192 x[n, c, i\xB7s + kh \u2212 pad, j\xB7s + kw \u2212 pad] or 0\nfn loadB(k: u32, q: u32) -> f32 {\n  let kw = k % p.KW;\n  let kh = (k / p.KW) % p.KH;\n  let c = k / (p.KW * p.KH);\n  let j = q % p.WO;\n  let i = (q / p.WO) % p.HO;\n  let n = q / (p.WO * p.HO);\n  let h = i32(i * p.stride + kh) - i32(p.pad);\n  let col = i32(j * p.stride + kw) - i32(p.pad);\n  if (h < 0 || h >= i32(p.H) || col < 0 || col >= i32(p.W)) { return 0.0; }\n  return x[((n * p.C + c) * p.H + u32(h)) * p.W + u32(col)];\n}\n\nfn storeC(f: u32, q: u32, v: f32) {\n  let plane = p.HO * p.WO;\n  let n = q / plane;\n  let i = (n * p.F + f) * plane + q % plane;\n  if (p.first != 0u) { out[i] = v + bias[f]; } else { out[i] = out[i] + v; } // later K slices add\n}\n";

// kernels/webgpu/wgsl/conv2d_backward_data.wgsl
var conv2d_backward_data_default = "// Conv2d backward data (kernels/ref/conv2d.ts), dx += \u2202L/\u2202x, as an implicit GEMM:\n// dx (C \xD7 N\xB7H\xB7W) += w\u1D40 (C \xD7 F\xB7KH\xB7KW) \xB7 cols(dout) (F\xB7KH\xB7KW \xD7 N\xB7H\xB7W), where cols(dout) holds\n// dout[n, f, i, j] when h = i\xB7s + kh \u2212 pad and x = j\xB7s + kw \u2212 pad for whole i, j in range, else 0.\n// One invocation computes TM\xD7TN elements of dx; tiling in _gemm_tile.wgsl (appended).\n// Bindings: 0 params, 1 dx (N, C, H, W) read-write, 2 dout (N, F, HO, WO), 3 w (F, C, KH, KW).\n\nstruct Params { N: u32, C: u32, H: u32, W: u32, F: u32, KH: u32, KW: u32, stride: u32, pad: u32, HO: u32, WO: u32, kBegin: u32, kEnd: u32 }\n\n@group(0) @binding(0) var<uniform> p: Params;\n@group(0) @binding(1) var<storage, read_write> dx: array<f32>;\n@group(0) @binding(2) var<storage, read> dout: array<f32>;\n@group(0) @binding(3) var<storage, read> w: array<f32>;\n\nfn dimM() -> u32 { return p.C; }\nfn dimN() -> u32 { return p.N * p.H * p.W; }\nfn kRange() -> vec2u { return vec2u(p.kBegin, p.kEnd); }\n\n// k = (f, kh, kw) \u2192 w[f, c, kh, kw]\nfn loadA(c: u32, k: u32) -> f32 {\n  let kk = k % (p.KH * p.KW);\n  let f = k / (p.KH * p.KW);\n  return w[(f * p.C + c) * p.KH * p.KW + kk];\n}\n\n// k = (f, kh, kw), q = (n, h, x) \u2192 dout[n, f, i, j] with i\xB7s = h + pad \u2212 kh, j\xB7s = x + pad \u2212 kw\nfn loadB(k: u32, q: u32) -> f32 {\n  let kw = k % p.KW;\n  let kh = (k / p.KW) % p.KH;\n  let f = k / (p.KW * p.KH);\n  let col = q % p.W;\n  let h = (q / p.W) % p.H;\n  let n = q / (p.W * p.H);\n  let ti = i32(h + p.pad) - i32(kh);\n  let tj = i32(col + p.pad) - i32(kw);\n  if (ti < 0 || tj < 0) { return 0.0; }\n  let s = p.stride;\n  if (u32(ti) % s != 0u || u32(tj) % s != 0u) { return 0.0; }\n  let i = u32(ti) / s;\n  let j = u32(tj) / s;\n  if (i >= p.HO || j >= p.WO) { return 0.0; }\n  return dout[((n * p.F + f) * p.HO + i) * p.WO + j];\n}\n\nfn storeC(c: u32, q: u32, v: f32) {\n  let plane = p.H * p.W;\n  let idx = ((q / plane) * p.C + c) * plane + q % plane;\n  dx[idx] = dx[idx] + v;\n}\n";

// kernels/webgpu/wgsl/conv2d_backward_filter.wgsl
var conv2d_backward_filter_default = "// Conv2d backward filter (kernels/ref/conv2d.ts), dw += \u2202L/\u2202w, as an implicit GEMM:\n// dw (F \xD7 C\xB7KH\xB7KW) += dout (F \xD7 N\xB7HO\xB7WO) \xB7 im2col(x)\u1D40 (N\xB7HO\xB7WO \xD7 C\xB7KH\xB7KW). The bias gradient is\n// channel_sum.wgsl's job. One invocation computes TM\xD7TN elements of dw; tiling in _gemm_tile.wgsl.\n// Bindings: 0 params, 1 dw (F, C, KH, KW) read-write, 2 dout (N, F, HO, WO), 3 x (N, C, H, W).\n\nstruct Params { N: u32, C: u32, H: u32, W: u32, F: u32, KH: u32, KW: u32, stride: u32, pad: u32, HO: u32, WO: u32, kBegin: u32, kEnd: u32 }\n\n@group(0) @binding(0) var<uniform> p: Params;\n@group(0) @binding(1) var<storage, read_write> dw: array<f32>;\n@group(0) @binding(2) var<storage, read> dout: array<f32>;\n@group(0) @binding(3) var<storage, read> x: array<f32>;\n\nfn dimM() -> u32 { return p.F; }\nfn dimN() -> u32 { return p.C * p.KH * p.KW; }\nfn kRange() -> vec2u { return vec2u(p.kBegin, p.kEnd); }\n\n// q = (n, i, j) \u2192 dout[n, f, i, j]\nfn loadA(f: u32, q: u32) -> f32 {\n  let plane = p.HO * p.WO;\n  return dout[((q / plane) * p.F + f) * plane + q % plane];\n}\n\n// q = (n, i, j), k = (c, kh, kw) \u2192 x[n, c, i\xB7s + kh \u2212 pad, j\xB7s + kw \u2212 pad] or 0\nfn loadB(q: u32, k: u32) -> f32 {\n  let kw = k % p.KW;\n  let kh = (k / p.KW) % p.KH;\n  let c = k / (p.KW * p.KH);\n  let j = q % p.WO;\n  let i = (q / p.WO) % p.HO;\n  let n = q / (p.WO * p.HO);\n  let h = i32(i * p.stride + kh) - i32(p.pad);\n  let col = i32(j * p.stride + kw) - i32(p.pad);\n  if (h < 0 || h >= i32(p.H) || col < 0 || col >= i32(p.W)) { return 0.0; }\n  return x[((n * p.C + c) * p.H + u32(h)) * p.W + u32(col)];\n}\n\nfn storeC(f: u32, k: u32, v: f32) {\n  let idx = f * p.C * p.KH * p.KW + k;\n  dw[idx] = dw[idx] + v;\n}\n";

// kernels/webgpu/wgsl/channel_sum.wgsl
var channel_sum_default = "// Channel sums (kernels/ref/gemm.ts sumRows; the conv bias gradient of kernels/ref/conv2d.ts):\n// sums[c] += \u03A3_{o, i} m[(o\xB7C + c)\xB7inner + i] for m viewed as (outer, C, inner).\n// One workgroup per channel c: its WG invocations stride over the outer\xB7inner terms, then a\n// tree reduction in workgroup memory. Bindings: 0 params, 1 sums (C) read-write, 2 m (outer, C, inner).\n\noverride WG: u32 = 256; // invocations per workgroup, a power of two\n\nstruct Params { outer: u32, C: u32, inner: u32 }\n\n@group(0) @binding(0) var<uniform> p: Params;\n@group(0) @binding(1) var<storage, read_write> sums: array<f32>;\n@group(0) @binding(2) var<storage, read> m: array<f32>;\n\nvar<workgroup> partial: array<f32, WG>;\n\n@compute @workgroup_size(WG)\nfn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u) {\n  let c = wid.x;\n  let count = p.outer * p.inner;\n  var s = 0.0;\n  for (var t = lid; t < count; t += WG) {\n    s += m[((t / p.inner) * p.C + c) * p.inner + t % p.inner];\n  }\n  partial[lid] = s;\n  workgroupBarrier();\n  for (var half = WG / 2u; half > 0u; half /= 2u) {\n    if (lid < half) { partial[lid] += partial[lid + half]; }\n    workgroupBarrier();\n  }\n  if (lid == 0u) { sums[c] = sums[c] + partial[0]; }\n}\n";

// kernels/webgpu/wgsl/add_bias.wgsl
var add_bias_default = "// Bias add (kernels/ref/gemm.ts addRowBias): out[(o\xB7C + c)\xB7inner + i] += bias[c] for out viewed as\n// (outer, C, inner) \u2014 rows of an affine output when inner = 1, conv planes otherwise.\n// One invocation per element of out, on a 2-D grid of 1-D workgroups (index = (y\xB7gx + x)\xB7WG + lid).\n// Bindings: 0 params, 1 out read-write, 2 bias (C).\n\noverride WG: u32 = 256;\n\nstruct Params { count: u32, C: u32, inner: u32 }\n\n@group(0) @binding(0) var<uniform> p: Params;\n@group(0) @binding(1) var<storage, read_write> out: array<f32>;\n@group(0) @binding(2) var<storage, read> bias: array<f32>;\n\n@compute @workgroup_size(WG)\nfn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,\n        @builtin(num_workgroups) groups: vec3u) {\n  let e = (wid.y * groups.x + wid.x) * WG + lid;\n  if (e >= p.count) { return; }\n  out[e] = out[e] + bias[(e / p.inner) % p.C];\n}\n";

// kernels/webgpu/wgsl/relu_forward.wgsl
var relu_forward_default = "// ReLU forward (kernels/ref/elementwise.ts): out = max(x, 0). One invocation per element, on a\n// 2-D grid of 1-D workgroups (index = (y\xB7gx + x)\xB7WG + lid). Bindings: 0 params, 1 out (n), 2 x (n).\n\noverride WG: u32 = 256;\n\nstruct Params { n: u32 }\n\n@group(0) @binding(0) var<uniform> p: Params;\n@group(0) @binding(1) var<storage, read_write> out: array<f32>;\n@group(0) @binding(2) var<storage, read> x: array<f32>;\n\n@compute @workgroup_size(WG)\nfn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,\n        @builtin(num_workgroups) groups: vec3u) {\n  let e = (wid.y * groups.x + wid.x) * WG + lid;\n  if (e >= p.n) { return; }\n  out[e] = select(0.0, x[e], x[e] > 0.0);\n}\n";

// kernels/webgpu/wgsl/relu_backward.wgsl
var relu_backward_default = "// ReLU backward (kernels/ref/elementwise.ts): dx = dout where x > 0, else 0 (overwrites dx).\n// One invocation per element, on a 2-D grid of 1-D workgroups (index = (y\xB7gx + x)\xB7WG + lid).\n// Bindings: 0 params, 1 dx (n), 2 dout (n), 3 x (n).\n\noverride WG: u32 = 256;\n\nstruct Params { n: u32 }\n\n@group(0) @binding(0) var<uniform> p: Params;\n@group(0) @binding(1) var<storage, read_write> dx: array<f32>;\n@group(0) @binding(2) var<storage, read> dout: array<f32>;\n@group(0) @binding(3) var<storage, read> x: array<f32>;\n\n@compute @workgroup_size(WG)\nfn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,\n        @builtin(num_workgroups) groups: vec3u) {\n  let e = (wid.y * groups.x + wid.x) * WG + lid;\n  if (e >= p.n) { return; }\n  dx[e] = select(0.0, dout[e], x[e] > 0.0);\n}\n";

// kernels/webgpu/wgsl/max_pool_forward.wgsl
var max_pool_forward_default = "// Max-pool forward (kernels/ref/pool2d.ts): one invocation per output element computes the\n// window maximum, starting at the window's first element (ties keep the first, row-major), and\n// its flat index into x. 2-D grid of 1-D workgroups (index = (y\xB7gx + x)\xB7WG + lid).\n// Bindings: 0 params, 1 out (N, C, HO, WO), 2 argmax (N, C, HO, WO) i32, 3 x (N, C, H, W).\n\noverride WG: u32 = 256;\n\nstruct Params { NC: u32, H: u32, W: u32, PH: u32, PW: u32, stride: u32, HO: u32, WO: u32 }\n\n@group(0) @binding(0) var<uniform> p: Params;\n@group(0) @binding(1) var<storage, read_write> out: array<f32>;\n@group(0) @binding(2) var<storage, read_write> argmax: array<i32>;\n@group(0) @binding(3) var<storage, read> x: array<f32>;\n\n@compute @workgroup_size(WG)\nfn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,\n        @builtin(num_workgroups) groups: vec3u) {\n  let o = (wid.y * groups.x + wid.x) * WG + lid;\n  if (o >= p.NC * p.HO * p.WO) { return; }\n  let j = o % p.WO;\n  let i = (o / p.WO) % p.HO;\n  let plane = (o / (p.WO * p.HO)) * p.H * p.W;\n  var best = plane + i * p.stride * p.W + j * p.stride;\n  var bestValue = x[best];\n  for (var ph = 0u; ph < p.PH; ph++) {\n    let row = plane + (i * p.stride + ph) * p.W + j * p.stride;\n    for (var pw = 0u; pw < p.PW; pw++) {\n      let v = x[row + pw];\n      if (v > bestValue) {\n        bestValue = v;\n        best = row + pw;\n      }\n    }\n  }\n  out[o] = bestValue;\n  argmax[o] = i32(best);\n}\n";

// kernels/webgpu/wgsl/max_pool_backward.wgsl
var max_pool_backward_default = "// Max-pool backward (kernels/ref/pool2d.ts), dx += \u2202L/\u2202x, as a gather with no atomics: one\n// invocation per element of dx visits every window that contains it and adds dout where that\n// window's argmax is this element. 2-D grid of 1-D workgroups (index = (y\xB7gx + x)\xB7WG + lid).\n// Bindings: 0 params, 1 dx (N, C, H, W) read-write, 2 dout (N, C, HO, WO), 3 argmax (N, C, HO, WO).\n\noverride WG: u32 = 256;\n\nstruct Params { NC: u32, H: u32, W: u32, PH: u32, PW: u32, stride: u32, HO: u32, WO: u32 }\n\n@group(0) @binding(0) var<uniform> p: Params;\n@group(0) @binding(1) var<storage, read_write> dx: array<f32>;\n@group(0) @binding(2) var<storage, read> dout: array<f32>;\n@group(0) @binding(3) var<storage, read> argmax: array<i32>;\n\n// The first window index whose span [o\xB7s, o\xB7s + size) reaches position v.\nfn firstWindow(v: u32, size: u32, s: u32) -> u32 {\n  if (v + 1u <= size) { return 0u; }\n  return (v + 1u - size + s - 1u) / s;\n}\n\n@compute @workgroup_size(WG)\nfn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,\n        @builtin(num_workgroups) groups: vec3u) {\n  let e = (wid.y * groups.x + wid.x) * WG + lid;\n  if (e >= p.NC * p.H * p.W) { return; }\n  let col = e % p.W;\n  let h = (e / p.W) % p.H;\n  let nc = e / (p.W * p.H);\n  var g = 0.0;\n  for (var i = firstWindow(h, p.PH, p.stride); i < p.HO && i * p.stride <= h; i++) {\n    for (var j = firstWindow(col, p.PW, p.stride); j < p.WO && j * p.stride <= col; j++) {\n      let o = (nc * p.HO + i) * p.WO + j;\n      if (argmax[o] == i32(e)) { g += dout[o]; }\n    }\n  }\n  dx[e] = dx[e] + g;\n}\n";

// kernels/webgpu/wgsl/softmax_cross_entropy.wgsl
var softmax_cross_entropy_default = "// Softmax cross-entropy (kernels/ref/loss.ts): one invocation per row n of scores x (N, C)\n// writes that row's loss \u2212log softmax(x_n)[y_n] (row maximum subtracted) to losses[n] and its\n// gradient row dx_n = (softmax(x_n) \u2212 onehot(y_n)) / N (overwriting). The mean is \u03A3 losses / N.\n// 1-D grid of 1-D workgroups. Bindings: 0 params, 1 dx (N, C), 2 losses (N), 3 x (N, C), 4 y (N) i32.\n\noverride WG: u32 = 64;\n\nstruct Params { N: u32, C: u32 }\n\n@group(0) @binding(0) var<uniform> p: Params;\n@group(0) @binding(1) var<storage, read_write> dx: array<f32>;\n@group(0) @binding(2) var<storage, read_write> losses: array<f32>;\n@group(0) @binding(3) var<storage, read> x: array<f32>;\n@group(0) @binding(4) var<storage, read> y: array<i32>;\n\n@compute @workgroup_size(WG)\nfn main(@builtin(global_invocation_id) gid: vec3u) {\n  let n = gid.x;\n  if (n >= p.N) { return; }\n  let row = n * p.C;\n  var mx = x[row];\n  for (var c = 1u; c < p.C; c++) { mx = max(mx, x[row + c]); }\n  var sum = 0.0;\n  for (var c = 0u; c < p.C; c++) { sum += exp(x[row + c] - mx); }\n  let logSum = log(sum);\n  let label = u32(y[n]);\n  losses[n] = -(x[row + label] - mx - logSum);\n  let invN = 1.0 / f32(p.N);\n  for (var c = 0u; c < p.C; c++) {\n    var g = exp(x[row + c] - mx - logSum) * invN;\n    if (c == label) { g -= invN; }\n    dx[row + c] = g;\n  }\n}\n";

// kernels/webgpu/wgsl/softmax_cross_entropy_smoothed.wgsl
var softmax_cross_entropy_smoothed_default = "// Softmax cross-entropy with label smoothing \u03B5 (kernels/ref/cross_entropy.ts, PyTorch's\n// F.cross_entropy(label_smoothing=\u03B5)): the target of row n is q_n = (1 \u2212 \u03B5)\xB7onehot(y_n) + \u03B5/C.\n// One invocation per row n of scores x (N, C) writes that row's loss \u2212\u03A3_c q_nc\xB7log softmax(x_n)_c\n// (row maximum subtracted) to losses[n] and its gradient row dx_n = (softmax(x_n) \u2212 q_n) / N\n// (overwriting). The mean loss is \u03A3 losses / N.\n// 1-D grid of 1-D workgroups. Bindings: 0 params, 1 dx (N, C), 2 losses (N), 3 x (N, C), 4 y (N) i32.\n\noverride WG: u32 = 64;\n\nstruct Params { N: u32, C: u32, smoothing: f32 }\n\n@group(0) @binding(0) var<uniform> p: Params;\n@group(0) @binding(1) var<storage, read_write> dx: array<f32>;\n@group(0) @binding(2) var<storage, read_write> losses: array<f32>;\n@group(0) @binding(3) var<storage, read> x: array<f32>;\n@group(0) @binding(4) var<storage, read> y: array<i32>;\n\n@compute @workgroup_size(WG)\nfn main(@builtin(global_invocation_id) gid: vec3u) {\n  let n = gid.x;\n  if (n >= p.N) { return; }\n  let row = n * p.C;\n  var mx = x[row];\n  for (var c = 1u; c < p.C; c++) { mx = max(mx, x[row + c]); }\n  var sum = 0.0;\n  for (var c = 0u; c < p.C; c++) { sum += exp(x[row + c] - mx); }\n  let logSum = log(sum) + mx;\n  let label = u32(y[n]);\n  let off = p.smoothing / f32(p.C);\n  let on = 1.0 - p.smoothing + off;\n  let invN = 1.0 / f32(p.N);\n  var loss = 0.0;\n  for (var c = 0u; c < p.C; c++) {\n    let q = select(off, on, c == label);\n    let logP = x[row + c] - logSum;\n    loss -= q * logP;\n    dx[row + c] = (exp(logP) - q) * invN;\n  }\n  losses[n] = loss;\n}\n";

// kernels/webgpu/wgsl/axpy.wgsl
var axpy_default = "// axpy (kernels/ref/axpy.ts): y += alpha\xB7x. One invocation per element, on a 2-D grid of 1-D\n// workgroups (index = (y\xB7gx + x)\xB7WG + lid). The residual add (alpha = 1, forward and backward)\n// and Scale (alpha = factor, into a cleared y) of the module API.\n// Bindings: 0 params, 1 y (n) read-write, 2 x (n).\n\noverride WG: u32 = 256;\n\nstruct Params { n: u32, alpha: f32 }\n\n@group(0) @binding(0) var<uniform> p: Params;\n@group(0) @binding(1) var<storage, read_write> y: array<f32>;\n@group(0) @binding(2) var<storage, read> x: array<f32>;\n\n@compute @workgroup_size(WG)\nfn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,\n        @builtin(num_workgroups) groups: vec3u) {\n  let e = (wid.y * groups.x + wid.x) * WG + lid;\n  if (e >= p.n) { return; }\n  y[e] = y[e] + p.alpha * x[e];\n}\n";

// kernels/webgpu/wgsl/sgd_step.wgsl
var sgd_step_default = "// SGD with momentum, weight decay and Nesterov (kernels/ref/optim.ts, torch.optim.SGD):\n// one invocation per parameter element updates w[i] and its velocity v[i].\n// 2-D grid of 1-D workgroups (index = (y\xB7gx + x)\xB7WG + lid).\n// Bindings: 0 params, 1 w (n) read-write, 2 v (n) read-write, 3 g (n).\n\noverride WG: u32 = 256;\n\nstruct Params { n: u32, nesterov: u32, lr: f32, momentum: f32, weightDecay: f32 }\n\n@group(0) @binding(0) var<uniform> p: Params;\n@group(0) @binding(1) var<storage, read_write> w: array<f32>;\n@group(0) @binding(2) var<storage, read_write> v: array<f32>;\n@group(0) @binding(3) var<storage, read> g: array<f32>;\n\n@compute @workgroup_size(WG)\nfn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,\n        @builtin(num_workgroups) groups: vec3u) {\n  let i = (wid.y * groups.x + wid.x) * WG + lid;\n  if (i >= p.n) { return; }\n  var d = g[i] + p.weightDecay * w[i];\n  if (p.momentum > 0.0) {\n    let vi = p.momentum * v[i] + d;\n    v[i] = vi;\n    d = select(vi, d + p.momentum * vi, p.nesterov != 0u);\n  }\n  w[i] = w[i] - p.lr * d;\n}\n";

// kernels/webgpu/wgsl/adam_step.wgsl
var adam_step_default = "// Adam / AdamW (kernels/ref/optim.ts, torch.optim.Adam/AdamW): one invocation per parameter\n// element updates w[i], m[i], v[i]. The step-dependent scalars (stepSize = lr / (1 \u2212 \u03B2\u2081\u1D57),\n// sqrtBias2 = \u221A(1 \u2212 \u03B2\u2082\u1D57), decay, l2) come from TypeScript. 2-D grid of 1-D workgroups.\n// Bindings: 0 params, 1 w (n), 2 m (n), 3 v (n) read-write, 4 g (n).\n\noverride WG: u32 = 256;\n\nstruct Params {\n  n: u32, beta1: f32, beta2: f32, eps: f32, stepSize: f32, sqrtBias2: f32, decay: f32, l2: f32\n}\n\n@group(0) @binding(0) var<uniform> p: Params;\n@group(0) @binding(1) var<storage, read_write> w: array<f32>;\n@group(0) @binding(2) var<storage, read_write> m: array<f32>;\n@group(0) @binding(3) var<storage, read_write> v: array<f32>;\n@group(0) @binding(4) var<storage, read> g: array<f32>;\n\n@compute @workgroup_size(WG)\nfn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,\n        @builtin(num_workgroups) groups: vec3u) {\n  let i = (wid.y * groups.x + wid.x) * WG + lid;\n  if (i >= p.n) { return; }\n  let wi = w[i] * p.decay;\n  let gi = g[i] + p.l2 * wi;\n  let mi = p.beta1 * m[i] + (1.0 - p.beta1) * gi;\n  let vi = p.beta2 * v[i] + (1.0 - p.beta2) * gi * gi;\n  m[i] = mi;\n  v[i] = vi;\n  w[i] = wi - p.stepSize * mi / (sqrt(vi) / p.sqrtBias2 + p.eps);\n}\n";

// kernels/webgpu/wgsl/avg_pool_forward.wgsl
var avg_pool_forward_default = "// Average-pool forward (kernels/ref/avgpool.ts): one invocation per output element sums its\n// PH\xD7PW window and divides by PH\xB7PW. 2-D grid of 1-D workgroups (index = (y\xB7gx + x)\xB7WG + lid).\n// Bindings: 0 params, 1 out (N, C, HO, WO), 2 x (N, C, H, W).\n\noverride WG: u32 = 256;\n\nstruct Params { NC: u32, H: u32, W: u32, PH: u32, PW: u32, stride: u32, HO: u32, WO: u32 }\n\n@group(0) @binding(0) var<uniform> p: Params;\n@group(0) @binding(1) var<storage, read_write> out: array<f32>;\n@group(0) @binding(2) var<storage, read> x: array<f32>;\n\n@compute @workgroup_size(WG)\nfn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,\n        @builtin(num_workgroups) groups: vec3u) {\n  let o = (wid.y * groups.x + wid.x) * WG + lid;\n  if (o >= p.NC * p.HO * p.WO) { return; }\n  let j = o % p.WO;\n  let i = (o / p.WO) % p.HO;\n  let plane = (o / (p.WO * p.HO)) * p.H * p.W;\n  var sum = 0.0;\n  for (var ph = 0u; ph < p.PH; ph++) {\n    let row = plane + (i * p.stride + ph) * p.W + j * p.stride;\n    for (var pw = 0u; pw < p.PW; pw++) { sum += x[row + pw]; }\n  }\n  out[o] = sum / f32(p.PH * p.PW);\n}\n";

// kernels/webgpu/wgsl/avg_pool_backward.wgsl
var avg_pool_backward_default = "// Average-pool backward (kernels/ref/avgpool.ts), dx += \u2202L/\u2202x, as a gather with no atomics: one\n// invocation per element of dx adds dout / (PH\xB7PW) of every window that contains it.\n// 2-D grid of 1-D workgroups (index = (y\xB7gx + x)\xB7WG + lid).\n// Bindings: 0 params, 1 dx (N, C, H, W) read-write, 2 dout (N, C, HO, WO).\n\noverride WG: u32 = 256;\n\nstruct Params { NC: u32, H: u32, W: u32, PH: u32, PW: u32, stride: u32, HO: u32, WO: u32 }\n\n@group(0) @binding(0) var<uniform> p: Params;\n@group(0) @binding(1) var<storage, read_write> dx: array<f32>;\n@group(0) @binding(2) var<storage, read> dout: array<f32>;\n\n// The first window index whose span [o\xB7s, o\xB7s + size) reaches position v.\nfn firstWindow(v: u32, size: u32, s: u32) -> u32 {\n  if (v + 1u <= size) { return 0u; }\n  return (v + 1u - size + s - 1u) / s;\n}\n\n@compute @workgroup_size(WG)\nfn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,\n        @builtin(num_workgroups) groups: vec3u) {\n  let e = (wid.y * groups.x + wid.x) * WG + lid;\n  if (e >= p.NC * p.H * p.W) { return; }\n  let col = e % p.W;\n  let h = (e / p.W) % p.H;\n  let nc = e / (p.W * p.H);\n  var g = 0.0;\n  for (var i = firstWindow(h, p.PH, p.stride); i < p.HO && i * p.stride <= h; i++) {\n    for (var j = firstWindow(col, p.PW, p.stride); j < p.WO && j * p.stride <= col; j++) {\n      g += dout[(nc * p.HO + i) * p.WO + j];\n    }\n  }\n  dx[e] = dx[e] + g / f32(p.PH * p.PW);\n}\n";

// kernels/webgpu/wgsl/batch_norm_forward.wgsl
var batch_norm_forward_default = "// Batch-norm 2-D forward (kernels/ref/batchnorm.ts, PyTorch's nn.BatchNorm2d): one workgroup per\n// channel c. In training its WG invocations reduce the mean, then the biased variance (two\n// passes, tree reductions in workgroup memory), update the running statistics (unbiased\n// variance) and save \u03BC and 1/\u221A(\u03C3\xB2 + \u03B5); in evaluation they use the running statistics. Then\n// they normalise the channel: out = \u03B3\xB7(x \u2212 \u03BC)/\u221A(\u03C3\xB2 + \u03B5) + \u03B2.\n// Bindings: 0 params, 1 out (N, C, HW), 2 saveMean (C), 3 saveInvStd (C), 4 runningMean (C),\n// 5 runningVar (C), 6 x (N, C, HW), 7 gamma (C), 8 beta (C).\n\noverride WG: u32 = 256; // a power of two\n\nstruct Params { N: u32, C: u32, HW: u32, training: u32, eps: f32, momentum: f32 }\n\n@group(0) @binding(0) var<uniform> p: Params;\n@group(0) @binding(1) var<storage, read_write> out: array<f32>;\n@group(0) @binding(2) var<storage, read_write> saveMean: array<f32>;\n@group(0) @binding(3) var<storage, read_write> saveInvStd: array<f32>;\n@group(0) @binding(4) var<storage, read_write> runningMean: array<f32>;\n@group(0) @binding(5) var<storage, read_write> runningVar: array<f32>;\n@group(0) @binding(6) var<storage, read> x: array<f32>;\n@group(0) @binding(7) var<storage, read> gamma: array<f32>;\n@group(0) @binding(8) var<storage, read> beta: array<f32>;\n\nvar<workgroup> partial: array<f32, WG>;\n\n// \u03A3 over the workgroup of v (every invocation gets the total).\nfn reduce(lid: u32, v: f32) -> f32 {\n  partial[lid] = v;\n  workgroupBarrier();\n  for (var half = WG / 2u; half > 0u; half /= 2u) {\n    if (lid < half) { partial[lid] += partial[lid + half]; }\n    workgroupBarrier();\n  }\n  let total = partial[0];\n  workgroupBarrier();\n  return total;\n}\n\nfn at(c: u32, t: u32) -> u32 { return ((t / p.HW) * p.C + c) * p.HW + t % p.HW; }\n\n@compute @workgroup_size(WG)\nfn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u) {\n  let c = wid.x;\n  let M = p.N * p.HW;\n  var mean = runningMean[c];\n  var variance = runningVar[c];\n  if (p.training != 0u) {\n    var s = 0.0;\n    for (var t = lid; t < M; t += WG) { s += x[at(c, t)]; }\n    mean = reduce(lid, s) / f32(M);\n    var sq = 0.0;\n    for (var t = lid; t < M; t += WG) { let d = x[at(c, t)] - mean; sq += d * d; }\n    variance = reduce(lid, sq) / f32(M);\n  }\n  let invStd = 1.0 / sqrt(variance + p.eps);\n  if (lid == 0u) {\n    saveMean[c] = mean;\n    saveInvStd[c] = invStd;\n    if (p.training != 0u) {\n      let m = p.momentum;\n      runningMean[c] = (1.0 - m) * runningMean[c] + m * mean;\n      runningVar[c] = (1.0 - m) * runningVar[c] + m * variance * f32(M) / f32(M - 1u);\n    }\n  }\n  let scale = gamma[c] * invStd;\n  let shift = beta[c] - mean * scale;\n  for (var t = lid; t < M; t += WG) { let i = at(c, t); out[i] = x[i] * scale + shift; }\n}\n";

// kernels/webgpu/wgsl/batch_norm_backward.wgsl
var batch_norm_backward_default = "// Batch-norm 2-D backward (kernels/ref/batchnorm.ts): one workgroup per channel c reduces \u03A3 dout\n// and \u03A3 dout\xB7x\u0302 (tree reductions in workgroup memory), adds them to dbeta[c] and dgamma[c], then\n// adds into dx: \u03B3\xB7\u03C3\u207B\xB9\xB7(dout \u2212 \u03A3dout/M \u2212 x\u0302\xB7\u03A3dout\xB7x\u0302/M) in training, \u03B3\xB7\u03C3\u207B\xB9\xB7dout in evaluation.\n// Bindings: 0 params, 1 dx (N, C, HW), 2 dgamma (C), 3 dbeta (C) read-write, 4 dout (N, C, HW),\n// 5 x (N, C, HW), 6 gamma (C), 7 saveMean (C), 8 saveInvStd (C).\n\noverride WG: u32 = 256; // a power of two\n\nstruct Params { N: u32, C: u32, HW: u32, training: u32 }\n\n@group(0) @binding(0) var<uniform> p: Params;\n@group(0) @binding(1) var<storage, read_write> dx: array<f32>;\n@group(0) @binding(2) var<storage, read_write> dgamma: array<f32>;\n@group(0) @binding(3) var<storage, read_write> dbeta: array<f32>;\n@group(0) @binding(4) var<storage, read> dout: array<f32>;\n@group(0) @binding(5) var<storage, read> x: array<f32>;\n@group(0) @binding(6) var<storage, read> gamma: array<f32>;\n@group(0) @binding(7) var<storage, read> saveMean: array<f32>;\n@group(0) @binding(8) var<storage, read> saveInvStd: array<f32>;\n\nvar<workgroup> partial: array<vec2f, WG>;\n\nfn at(c: u32, t: u32) -> u32 { return ((t / p.HW) * p.C + c) * p.HW + t % p.HW; }\n\n@compute @workgroup_size(WG)\nfn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u) {\n  let c = wid.x;\n  let M = p.N * p.HW;\n  let mean = saveMean[c];\n  let invStd = saveInvStd[c];\n  var s = vec2f(0.0);\n  for (var t = lid; t < M; t += WG) {\n    let i = at(c, t);\n    s += vec2f(dout[i], dout[i] * (x[i] - mean) * invStd);\n  }\n  partial[lid] = s;\n  workgroupBarrier();\n  for (var half = WG / 2u; half > 0u; half /= 2u) {\n    if (lid < half) { partial[lid] += partial[lid + half]; }\n    workgroupBarrier();\n  }\n  let sums = partial[0]; // (\u03A3 dout, \u03A3 dout\xB7x\u0302)\n  if (lid == 0u) {\n    dbeta[c] = dbeta[c] + sums.x;\n    dgamma[c] = dgamma[c] + sums.y;\n  }\n  let k = gamma[c] * invStd;\n  var meanDout = 0.0;\n  var meanDoutXhat = 0.0;\n  if (p.training != 0u) {\n    meanDout = sums.x / f32(M);\n    meanDoutXhat = sums.y / f32(M);\n  }\n  for (var t = lid; t < M; t += WG) {\n    let i = at(c, t);\n    let xhat = (x[i] - mean) * invStd;\n    dx[i] = dx[i] + k * (dout[i] - meanDout - xhat * meanDoutXhat);\n  }\n}\n";

// kernels/webgpu/_shaders.ts
var withTile = (src) => () => `${src}
${gemm_tile_default}`;
var plain = (src) => () => src;
var SHADERS = {
  matmul: withTile(matmul_default),
  conv2d_forward: withTile(conv2d_forward_default),
  conv2d_backward_data: withTile(conv2d_backward_data_default),
  conv2d_backward_filter: withTile(conv2d_backward_filter_default),
  channel_sum: plain(channel_sum_default),
  add_bias: plain(add_bias_default),
  relu_forward: plain(relu_forward_default),
  relu_backward: plain(relu_backward_default),
  max_pool_forward: plain(max_pool_forward_default),
  max_pool_backward: plain(max_pool_backward_default),
  softmax_cross_entropy: plain(softmax_cross_entropy_default),
  softmax_cross_entropy_smoothed: plain(softmax_cross_entropy_smoothed_default),
  axpy: plain(axpy_default),
  sgd_step: plain(sgd_step_default),
  adam_step: plain(adam_step_default),
  avg_pool_forward: plain(avg_pool_forward_default),
  avg_pool_backward: plain(avg_pool_backward_default),
  batch_norm_forward: plain(batch_norm_forward_default),
  batch_norm_backward: plain(batch_norm_backward_default)
};
function wgslConst(src, name) {
  const m = new RegExp(`const ${name}: u32 = (\\d+);`).exec(src);
  if (m === null) throw new Error(`Cannot find const ${name} in wgsl/_gemm_tile.wgsl`);
  return Number(m[1]);
}
var GEMM_PER_INVOCATION = {
  M: wgslConst(gemm_tile_default, "TM"),
  N: wgslConst(gemm_tile_default, "TN")
};

// kernels/webgpu/_context.ts
function packParams(u32s, f32s = []) {
  const bytes = Math.max(16, Math.ceil((u32s.length + f32s.length) / 4) * 16);
  const buf = new ArrayBuffer(bytes);
  const view = new DataView(buf);
  u32s.forEach((v, i) => view.setUint32(4 * i, v, true));
  f32s.forEach((v, i) => view.setFloat32(4 * (u32s.length + i), v, true));
  return buf;
}
var MAX_CACHED_PARAMS = 1024;
var GpuContext = class {
  device;
  adapter;
  isFallback;
  #pipelines = /* @__PURE__ */ new Map();
  #params = /* @__PURE__ */ new Map();
  #encoder = null;
  #recording = 0;
  #errors = [];
  constructor(device, adapter, isFallback) {
    this.device = device;
    this.adapter = adapter;
    this.isFallback = isFallback;
    device.addEventListener("uncapturederror", (e) => {
      if (this.#errors.length < 5) this.#errors.push(e.error.message);
    });
  }
  /** Throws the WebGPU errors reported since the last check (a failed dispatch or copy). */
  throwIfFailed(op) {
    if (this.#errors.length === 0) return;
    const messages = this.#errors.splice(0);
    throw new Error(`Cannot trust ${op}: WebGPU reported ${messages.join("; ")}`);
  }
  /** The compiled pipeline for a shader and its constants, compiled once. */
  pipeline(shader, constants = {}) {
    const key = `${shader} ${JSON.stringify(constants)}`;
    let p = this.#pipelines.get(key);
    if (p === void 0) {
      const module2 = this.device.createShaderModule({
        label: shader,
        code: SHADERS[shader]()
      });
      p = this.device.createComputePipeline({
        label: key,
        layout: "auto",
        compute: {
          module: module2,
          entryPoint: "main",
          constants
        }
      });
      this.#pipelines.set(key, p);
    }
    return p;
  }
  /** A storage buffer of `bytes` (rounded up to 4), checked against the device's limits. */
  createBuffer(op, name, bytes, usage = 0) {
    checkBufferSize(op, name, bytes, this.device.limits);
    return this.device.createBuffer({
      label: name,
      size: Math.max(4, Math.ceil(bytes / 4) * 4),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST | usage
    });
  }
  #paramBuffer(params) {
    const key = Array.from(new Uint32Array(params)).join(",");
    let buf = this.#params.get(key);
    if (buf === void 0) {
      if (this.#params.size >= MAX_CACHED_PARAMS) this.#params.clear();
      buf = this.device.createBuffer({
        size: params.byteLength,
        usage: GPUBufferUsage.UNIFORM,
        mappedAtCreation: true
      });
      new Uint8Array(buf.getMappedRange()).set(new Uint8Array(params));
      buf.unmap();
      this.#params.set(key, buf);
    }
    return buf;
  }
  /** The open command encoder (created on first use). */
  get encoder() {
    this.#encoder ??= this.device.createCommandEncoder();
    return this.#encoder;
  }
  /** Records one dispatch after checking its buffers and grid against the device limits. */
  dispatch(d) {
    const limits = this.device.limits;
    for (const [name, buffer] of d.buffers) checkBufferSize(d.op, name, buffer.size, limits);
    checkWorkgroups(d.op, d.workgroups, limits);
    if (d.workgroups.some((g) => g === 0)) return;
    const pipeline = this.pipeline(d.shader, d.constants);
    const entries = [
      {
        binding: 0,
        resource: {
          buffer: this.#paramBuffer(d.params)
        }
      },
      ...d.buffers.map(([, buffer], i) => ({
        binding: i + 1,
        resource: {
          buffer
        }
      }))
    ];
    const group = this.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries
    });
    const pass = this.encoder.beginComputePass({
      label: d.op
    });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(...d.workgroups);
    pass.end();
  }
  /** Submits what was recorded, unless inside `record()` (which submits once at its end). */
  flush() {
    if (this.#recording > 0 || this.#encoder === null) return;
    this.device.queue.submit([
      this.#encoder.finish()
    ]);
    this.#encoder = null;
  }
  /** Runs `fn`, recording every kernel it calls into one command buffer, then submits it. */
  async record(fn) {
    this.#recording++;
    try {
      return await fn();
    } finally {
      this.#recording--;
      this.flush();
    }
  }
  /** Copies `bytes` of `src` into a mappable buffer and returns them (waits for the GPU). */
  async readBytes(src, bytes) {
    return (await this.readMany([
      [
        src,
        bytes
      ]
    ]))[0];
  }
  /** Reads several buffers' first bytes back with one submit and one wait. */
  async readMany(reads) {
    const stagings = reads.map(([src, bytes]) => {
      const size = Math.max(4, Math.ceil(bytes / 4) * 4);
      const staging = this.device.createBuffer({
        size,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST
      });
      this.encoder.copyBufferToBuffer(src, 0, staging, 0, size);
      return staging;
    });
    const recording = this.#recording;
    this.#recording = 0;
    this.flush();
    this.#recording = recording;
    try {
      await Promise.all(stagings.map((b) => b.mapAsync(GPUMapMode.READ)));
      const out = stagings.map((b, i) => b.getMappedRange().slice(0, reads[i][1]));
      this.throwIfFailed("the values read back");
      return out;
    } finally {
      for (const b of stagings) b.destroy();
    }
  }
};
var contexts = /* @__PURE__ */ new WeakMap();
async function getContext() {
  const device = await getDevice();
  let ctx = contexts.get(device);
  if (ctx === void 0) {
    const summary = describeAdapter(await findAdapter());
    ctx = new GpuContext(device, summary.description, summary.isFallback);
    contexts.set(device, ctx);
  }
  return ctx;
}

// kernels/webgpu/tensor.ts
var GpuTensor = class _GpuTensor {
  ctx;
  buffer;
  shape;
  dtype;
  size;
  constructor(ctx, buffer, shape, dtype) {
    this.ctx = ctx;
    this.buffer = buffer;
    this.shape = [
      ...shape
    ];
    this.dtype = dtype;
    this.size = shapeSize(shape);
  }
  /** A zero-filled tensor (WebGPU zeroes new buffers). */
  static async zeros(shape, dtype = "float32") {
    const ctx = await getContext();
    const buffer = ctx.createBuffer("GpuTensor.zeros", `(${shape})`, 4 * shapeSize(shape));
    return new _GpuTensor(ctx, buffer, shape, dtype);
  }
  /** Uploads `data` (converted to float32, or int32 for an Int32Array) as a tensor of `shape`. */
  static async fromArray(data, shape) {
    const size = shapeSize(shape);
    if (data.length !== size) {
      throw new TypeError(`Cannot upload to the GPU: ${data.length} values do not fill shape (${shape}) of ${size}`);
    }
    const dtype = data instanceof Int32Array ? "int32" : "float32";
    const t = await _GpuTensor.zeros(shape, dtype);
    t.write(data);
    return t;
  }
  /** Uploads a CPU `Tensor` (float64 values are rounded to float32). */
  static fromTensor(t) {
    return _GpuTensor.fromArray(t.data, t.shape);
  }
  /**
   * Overwrites the contents with `data`. The copy is recorded into the context's command
   * encoder, so it lands after the work recorded before it and before the work after it.
   */
  write(data) {
    if (data.length !== this.size) {
      throw new TypeError(`Cannot write ${data.length} values into a GPU tensor of shape (${this.shape})`);
    }
    const bytes = 4 * this.size;
    if (bytes === 0) return;
    const staging = this.ctx.device.createBuffer({
      size: bytes,
      usage: GPUBufferUsage.COPY_SRC,
      mappedAtCreation: true
    });
    const range = staging.getMappedRange();
    if (this.dtype === "int32") new Int32Array(range).set(data);
    else new Float32Array(range).set(data);
    staging.unmap();
    this.ctx.encoder.copyBufferToBuffer(staging, 0, this.buffer, 0, bytes);
    this.ctx.flush();
  }
  /** Reads the values back (waits for the work queued so far). */
  async read() {
    if (this.dtype !== "float32") {
      throw new TypeError(`Cannot read a ${this.dtype} GPU tensor as float32: use readInt32()`);
    }
    return new Float32Array(await this.ctx.readBytes(this.buffer, 4 * this.size));
  }
  /** Reads an int32 tensor back (labels, argmax). */
  async readInt32() {
    return new Int32Array(await this.ctx.readBytes(this.buffer, 4 * this.size));
  }
  /** Reads the values back as a float32 CPU `Tensor` of the same shape. */
  async toTensor() {
    return new Tensor(await this.read(), this.shape);
  }
  /** Frees the GPU memory; the tensor must not be used afterwards. */
  destroy() {
    this.buffer.destroy();
  }
};

// kernels/webgpu/_kernel.ts
var WORKGROUP = {
  /** matmul and the conv kernels: WG_M × WG_N invocations, each TM × TN outputs. */
  gemm: {
    WG_M: 16,
    WG_N: 16
  },
  /**
   * The GEMM workgroup on a software (fallback) adapter: llvmpipe's compile time grows with
   * the workgroup size (measured on llvmpipe 15: 4×4 compiles in 1.6 s, 8×8 in 8.6 s,
   * 16×16 in 25–50 s per conv shader), and it runs no faster with bigger workgroups.
   */
  gemmFallback: {
    WG_M: 4,
    WG_N: 4
  },
  /** element-wise kernels, pooling and the optimizers: one invocation per element. */
  elementwise: {
    WG: 256
  },
  /** channel_sum: one workgroup per channel, a power of two. */
  reduce: {
    WG: 256
  },
  /** softmax_cross_entropy: one invocation per row. */
  rows: {
    WG: 64
  }
};
function bufferOf(a) {
  return a instanceof GpuTensor ? a.buffer : a;
}
function bind(op, name, a, elements) {
  const buffer = bufferOf(a);
  if (buffer.size < 4 * elements) {
    throw new TypeError(`Cannot run ${op}: "${name}" holds ${Math.floor(buffer.size / 4)} values but the shapes need ${elements}`);
  }
  return [
    name,
    buffer
  ];
}
function gemmWorkgroup(ctx) {
  return ctx.isFallback ? WORKGROUP.gemmFallback : WORKGROUP.gemm;
}
var FALLBACK_K_SLICE = 8192;
function kSlices(ctx, K) {
  if (!ctx.isFallback || K <= FALLBACK_K_SLICE) return [
    [
      0,
      K
    ]
  ];
  const out = [];
  for (let k = 0; k < K; k += FALLBACK_K_SLICE) out.push([
    k,
    Math.min(K, k + FALLBACK_K_SLICE)
  ]);
  return out;
}
function gemmGrid(ctx, M, N) {
  const { WG_M, WG_N } = gemmWorkgroup(ctx);
  return [
    Math.ceil(N / (WG_N * GEMM_PER_INVOCATION.N)),
    Math.ceil(M / (WG_M * GEMM_PER_INVOCATION.M)),
    1
  ];
}
function elementGrid(ctx, count2) {
  return grid1d(count2, WORKGROUP.elementwise.WG, ctx.device.limits.maxComputeWorkgroupsPerDimension);
}

// kernels/webgpu/conv.ts
function convParams(d, k, first) {
  const sizes3 = [
    d.N,
    d.C,
    d.H,
    d.W,
    d.F,
    d.KH,
    d.KW,
    d.stride,
    d.pad,
    d.HO,
    d.WO,
    ...k
  ];
  return packParams(first === void 0 ? sizes3 : [
    ...sizes3,
    +first
  ]);
}
function sizes2(d) {
  return {
    x: d.N * d.C * d.H * d.W,
    w: d.F * d.C * d.KH * d.KW,
    out: d.N * d.F * d.HO * d.WO
  };
}
async function conv2dForward3(out, x, w, b, d) {
  const ctx = await getContext(), op = "conv2dForward", n = sizes2(d);
  const buffers2 = [
    bind(op, "out", out, n.out),
    bind(op, "x", x, n.x),
    bind(op, "w", w, n.w),
    bind(op, "b", b, d.F)
  ];
  kSlices(ctx, d.C * d.KH * d.KW).forEach((k, i) => ctx.dispatch({
    op,
    shader: "conv2d_forward",
    buffers: buffers2,
    params: convParams(d, k, i === 0),
    workgroups: gemmGrid(ctx, d.F, d.N * d.HO * d.WO),
    constants: gemmWorkgroup(ctx)
  }));
  ctx.flush();
}
async function conv2dBackwardData3(dx, dout, w, d) {
  const ctx = await getContext(), op = "conv2dBackwardData", n = sizes2(d);
  const buffers2 = [
    bind(op, "dx", dx, n.x),
    bind(op, "dout", dout, n.out),
    bind(op, "w", w, n.w)
  ];
  for (const k of kSlices(ctx, d.F * d.KH * d.KW)) {
    ctx.dispatch({
      op,
      shader: "conv2d_backward_data",
      buffers: buffers2,
      params: convParams(d, k),
      workgroups: gemmGrid(ctx, d.C, d.N * d.H * d.W),
      constants: gemmWorkgroup(ctx)
    });
  }
  ctx.flush();
}
async function conv2dBackwardFilter3(dw, db, dout, x, d) {
  const ctx = await getContext(), op = "conv2dBackwardFilter", n = sizes2(d);
  const doutB = bind(op, "dout", dout, n.out);
  const buffers2 = [
    bind(op, "dw", dw, n.w),
    doutB,
    bind(op, "x", x, n.x)
  ];
  for (const k of kSlices(ctx, d.N * d.HO * d.WO)) {
    ctx.dispatch({
      op,
      shader: "conv2d_backward_filter",
      buffers: buffers2,
      params: convParams(d, k),
      workgroups: gemmGrid(ctx, d.F, d.C * d.KH * d.KW),
      constants: gemmWorkgroup(ctx)
    });
  }
  if (db !== null) {
    ctx.dispatch({
      op,
      shader: "channel_sum",
      buffers: [
        bind(op, "db", db, d.F),
        doutB
      ],
      params: packParams([
        d.N,
        d.F,
        d.HO * d.WO
      ]),
      workgroups: [
        d.F,
        1,
        1
      ],
      constants: WORKGROUP.reduce
    });
  }
  ctx.flush();
}

// kernels/webgpu/dense.ts
var dense_exports2 = {};
__export(dense_exports2, {
  addRowBias: () => addRowBias3,
  axpy: () => axpy3,
  gemm: () => gemm3,
  reluBackward: () => reluBackward4,
  reluForward: () => reluForward4,
  softmaxCrossEntropy: () => softmaxCrossEntropy3,
  softmaxCrossEntropySmoothed: () => softmaxCrossEntropySmoothed3,
  sumRows: () => sumRows3
});
async function gemm3(c, a, b, M, N, K, transA, transB, accumulate) {
  const ctx = await getContext(), op = "gemm";
  const buffers2 = [
    bind(op, "c", c, M * N),
    bind(op, "a", a, M * K),
    bind(op, "b", b, K * N)
  ];
  kSlices(ctx, K).forEach(([k0, k1], i) => ctx.dispatch({
    op,
    shader: "matmul",
    buffers: buffers2,
    params: packParams([
      M,
      N,
      K,
      +transA,
      +transB,
      +(accumulate || i > 0),
      k0,
      k1
    ]),
    workgroups: gemmGrid(ctx, M, N),
    constants: gemmWorkgroup(ctx)
  }));
  ctx.flush();
}
async function addRowBias3(out, bias, rows, cols) {
  const ctx = await getContext(), op = "addRowBias";
  ctx.dispatch({
    op,
    shader: "add_bias",
    buffers: [
      bind(op, "out", out, rows * cols),
      bind(op, "bias", bias, cols)
    ],
    params: packParams([
      rows * cols,
      cols,
      1
    ]),
    workgroups: elementGrid(ctx, rows * cols),
    constants: WORKGROUP.elementwise
  });
  ctx.flush();
}
async function sumRows3(sums, m, rows, cols) {
  const ctx = await getContext(), op = "sumRows";
  ctx.dispatch({
    op,
    shader: "channel_sum",
    buffers: [
      bind(op, "sums", sums, cols),
      bind(op, "m", m, rows * cols)
    ],
    params: packParams([
      rows,
      cols,
      1
    ]),
    workgroups: [
      cols,
      1,
      1
    ],
    constants: WORKGROUP.reduce
  });
  ctx.flush();
}
async function reluForward4(out, x, n) {
  const ctx = await getContext(), op = "reluForward";
  ctx.dispatch({
    op,
    shader: "relu_forward",
    buffers: [
      bind(op, "out", out, n),
      bind(op, "x", x, n)
    ],
    params: packParams([
      n
    ]),
    workgroups: elementGrid(ctx, n),
    constants: WORKGROUP.elementwise
  });
  ctx.flush();
}
async function reluBackward4(dx, dout, x, n) {
  const ctx = await getContext(), op = "reluBackward";
  ctx.dispatch({
    op,
    shader: "relu_backward",
    buffers: [
      bind(op, "dx", dx, n),
      bind(op, "dout", dout, n),
      bind(op, "x", x, n)
    ],
    params: packParams([
      n
    ]),
    workgroups: elementGrid(ctx, n),
    constants: WORKGROUP.elementwise
  });
  ctx.flush();
}
async function softmaxCrossEntropy3(dx, losses, x, y, N, C) {
  const ctx = await getContext(), op = "softmaxCrossEntropy";
  const { WG } = WORKGROUP.rows;
  ctx.dispatch({
    op,
    shader: "softmax_cross_entropy",
    buffers: [
      bind(op, "dx", dx, N * C),
      bind(op, "losses", losses, N),
      bind(op, "x", x, N * C),
      bind(op, "y", y, N)
    ],
    params: packParams([
      N,
      C
    ]),
    workgroups: [
      Math.ceil(N / WG),
      1,
      1
    ],
    constants: WORKGROUP.rows
  });
  ctx.flush();
}
async function softmaxCrossEntropySmoothed3(dx, losses, x, y, N, C, smoothing) {
  if (!(smoothing >= 0 && smoothing <= 1)) {
    throw new RangeError(`Cannot run softmaxCrossEntropySmoothed: smoothing must be in [0, 1], got ${smoothing}`);
  }
  const ctx = await getContext(), op = "softmaxCrossEntropySmoothed";
  const { WG } = WORKGROUP.rows;
  ctx.dispatch({
    op,
    shader: "softmax_cross_entropy_smoothed",
    buffers: [
      bind(op, "dx", dx, N * C),
      bind(op, "losses", losses, N),
      bind(op, "x", x, N * C),
      bind(op, "y", y, N)
    ],
    params: packParams([
      N,
      C
    ], [
      smoothing
    ]),
    workgroups: [
      Math.ceil(N / WG),
      1,
      1
    ],
    constants: WORKGROUP.rows
  });
  ctx.flush();
}
async function axpy3(y, x, alpha, n) {
  const ctx = await getContext(), op = "axpy";
  ctx.dispatch({
    op,
    shader: "axpy",
    buffers: [
      bind(op, "y", y, n),
      bind(op, "x", x, n)
    ],
    params: packParams([
      n
    ], [
      alpha
    ]),
    workgroups: elementGrid(ctx, n),
    constants: WORKGROUP.elementwise
  });
  ctx.flush();
}

// kernels/webgpu/norm.ts
var norm_exports = {};
__export(norm_exports, {
  batchNorm2dBackward: () => batchNorm2dBackward3,
  batchNorm2dForward: () => batchNorm2dForward3
});
async function batchNorm2dForward3(out, saveMean, saveInvStd, runningMean, runningVar, x, gamma, beta, N, C, HW, eps, momentum, training) {
  if (training && N * HW < 2) {
    throw new RangeError(`Cannot run batchNorm2dForward in training on ${N * HW} value per channel: the unbiased variance needs at least 2`);
  }
  const ctx = await getContext(), op = "batchNorm2dForward", n = N * C * HW;
  ctx.dispatch({
    op,
    shader: "batch_norm_forward",
    buffers: [
      bind(op, "out", out, n),
      bind(op, "saveMean", saveMean, C),
      bind(op, "saveInvStd", saveInvStd, C),
      bind(op, "runningMean", runningMean, C),
      bind(op, "runningVar", runningVar, C),
      bind(op, "x", x, n),
      bind(op, "gamma", gamma, C),
      bind(op, "beta", beta, C)
    ],
    params: packParams([
      N,
      C,
      HW,
      +training
    ], [
      eps,
      momentum
    ]),
    workgroups: [
      C,
      1,
      1
    ],
    constants: WORKGROUP.reduce
  });
  ctx.flush();
}
async function batchNorm2dBackward3(dx, dgamma, dbeta, dout, x, gamma, saveMean, saveInvStd, N, C, HW, training) {
  const ctx = await getContext(), op = "batchNorm2dBackward", n = N * C * HW;
  ctx.dispatch({
    op,
    shader: "batch_norm_backward",
    buffers: [
      bind(op, "dx", dx, n),
      bind(op, "dgamma", dgamma, C),
      bind(op, "dbeta", dbeta, C),
      bind(op, "dout", dout, n),
      bind(op, "x", x, n),
      bind(op, "gamma", gamma, C),
      bind(op, "saveMean", saveMean, C),
      bind(op, "saveInvStd", saveInvStd, C)
    ],
    params: packParams([
      N,
      C,
      HW,
      +training
    ]),
    workgroups: [
      C,
      1,
      1
    ],
    constants: WORKGROUP.reduce
  });
  ctx.flush();
}

// kernels/webgpu/optim.ts
var optim_exports2 = {};
__export(optim_exports2, {
  adamStep: () => adamStep3,
  sgdStep: () => sgdStep3
});
async function sgdStep3(w, g, v, n, lr, momentum, weightDecay, nesterov) {
  const ctx = await getContext(), op = "sgdStep";
  ctx.dispatch({
    op,
    shader: "sgd_step",
    buffers: [
      bind(op, "w", w, n),
      bind(op, "v", v, n),
      bind(op, "g", g, n)
    ],
    params: packParams([
      n,
      +nesterov
    ], [
      lr,
      momentum,
      weightDecay
    ]),
    workgroups: elementGrid(ctx, n),
    constants: WORKGROUP.elementwise
  });
  ctx.flush();
}
async function adamStep3(w, g, m, v, n, lr, beta1, beta2, eps, step, weightDecay, decoupled) {
  if (!Number.isInteger(step) || step < 1) {
    throw new RangeError(`Cannot run adamStep: step must be an integer \u2265 1, got ${step}`);
  }
  const ctx = await getContext(), op = "adamStep";
  const stepSize = lr / (1 - beta1 ** step);
  const sqrtBias2 = Math.sqrt(1 - beta2 ** step);
  const decay = decoupled ? 1 - lr * weightDecay : 1;
  const l2 = decoupled ? 0 : weightDecay;
  ctx.dispatch({
    op,
    shader: "adam_step",
    buffers: [
      bind(op, "w", w, n),
      bind(op, "m", m, n),
      bind(op, "v", v, n),
      bind(op, "g", g, n)
    ],
    params: packParams([
      n
    ], [
      beta1,
      beta2,
      eps,
      stepSize,
      sqrtBias2,
      decay,
      l2
    ]),
    workgroups: elementGrid(ctx, n),
    constants: WORKGROUP.elementwise
  });
  ctx.flush();
}

// kernels/webgpu/pool.ts
var pool_exports2 = {};
__export(pool_exports2, {
  avgPool2dBackward: () => avgPool2dBackward3,
  avgPool2dForward: () => avgPool2dForward3,
  maxPool2dBackward: () => maxPool2dBackward3,
  maxPool2dForward: () => maxPool2dForward3
});
function poolParams(d) {
  return packParams([
    d.N * d.C,
    d.H,
    d.W,
    d.PH,
    d.PW,
    d.stride,
    d.HO,
    d.WO
  ]);
}
async function maxPool2dForward3(out, argmax, x, d) {
  const ctx = await getContext(), op = "maxPool2dForward";
  const nOut = d.N * d.C * d.HO * d.WO;
  ctx.dispatch({
    op,
    shader: "max_pool_forward",
    buffers: [
      bind(op, "out", out, nOut),
      bind(op, "argmax", argmax, nOut),
      bind(op, "x", x, d.N * d.C * d.H * d.W)
    ],
    params: poolParams(d),
    workgroups: elementGrid(ctx, nOut),
    constants: WORKGROUP.elementwise
  });
  ctx.flush();
}
async function maxPool2dBackward3(dx, dout, argmax, d) {
  const ctx = await getContext(), op = "maxPool2dBackward";
  const nOut = d.N * d.C * d.HO * d.WO, nx = d.N * d.C * d.H * d.W;
  ctx.dispatch({
    op,
    shader: "max_pool_backward",
    buffers: [
      bind(op, "dx", dx, nx),
      bind(op, "dout", dout, nOut),
      bind(op, "argmax", argmax, nOut)
    ],
    params: poolParams(d),
    workgroups: elementGrid(ctx, nx),
    constants: WORKGROUP.elementwise
  });
  ctx.flush();
}
async function avgPool2dForward3(out, x, d) {
  const ctx = await getContext(), op = "avgPool2dForward";
  const nOut = d.N * d.C * d.HO * d.WO;
  ctx.dispatch({
    op,
    shader: "avg_pool_forward",
    buffers: [
      bind(op, "out", out, nOut),
      bind(op, "x", x, d.N * d.C * d.H * d.W)
    ],
    params: poolParams(d),
    workgroups: elementGrid(ctx, nOut),
    constants: WORKGROUP.elementwise
  });
  ctx.flush();
}
async function avgPool2dBackward3(dx, dout, d) {
  const ctx = await getContext(), op = "avgPool2dBackward";
  const nx = d.N * d.C * d.H * d.W;
  ctx.dispatch({
    op,
    shader: "avg_pool_backward",
    buffers: [
      bind(op, "dx", dx, nx),
      bind(op, "dout", dout, d.N * d.C * d.HO * d.WO)
    ],
    params: poolParams(d),
    workgroups: elementGrid(ctx, nx),
    constants: WORKGROUP.elementwise
  });
  ctx.flush();
}

// kernels/webgpu/mod.ts
var gpuKernels = {
  name: "webgpu",
  ...conv_exports2,
  ...pool_exports2,
  ...norm_exports,
  ...dense_exports2,
  ...optim_exports2
};
async function webgpuAvailable() {
  const adapter = await findAdapter();
  return adapter === null ? null : describeAdapter(adapter);
}

// nn/webgpu/cnn.ts
var PARAMS = [
  "conv.weight",
  "conv.bias",
  "fc.weight",
  "fc.bias"
];
var GpuCNN = class _GpuCNN {
  ctx;
  model;
  batchSize;
  options;
  #p;
  #a;
  #ring;
  #ringN = [];
  #destroyed = false;
  #lastN = 0;
  constructor(ctx, model, batchSize, options, p, a, ring) {
    this.ctx = ctx;
    this.model = model;
    this.batchSize = batchSize;
    this.options = options;
    this.#p = p;
    this.#a = a;
    this.#ring = ring;
  }
  /**
   * Uploads `model`'s weights (and SGD momentum buffers, keyed by parameter name, when resuming)
   * and allocates everything a step of up to `batchSize` images needs.
   */
  static async fromModel(model, batchSize, options, velocities = /* @__PURE__ */ new Map()) {
    const ctx = await getContext();
    const opts = {
      momentum: 0,
      weightDecay: 0,
      nesterov: false,
      lossEvery: 10,
      ...options
    };
    const named = model.namedParameters();
    const p = {};
    for (const name of PARAMS) {
      const t = named.get(name);
      if (t === void 0) throw new TypeError(`Cannot put the CNN on the GPU: no ${name}`);
      p[name] = {
        value: await GpuTensor.fromArray(t.data, t.shape),
        grad: await GpuTensor.zeros(t.shape),
        velocity: velocities.has(name) ? await GpuTensor.fromTensor(velocities.get(name)) : await GpuTensor.zeros(t.shape)
      };
    }
    const { conv, pool } = _GpuCNN.#dims(model, batchSize);
    const B = batchSize, K = model.nClasses, D = conv.F * pool.HO * pool.WO;
    const shapes2 = {
      x: [
        B,
        conv.C,
        conv.H,
        conv.W
      ],
      y: [
        B
      ],
      conv: [
        B,
        conv.F,
        conv.HO,
        conv.WO
      ],
      relu: [
        B,
        conv.F,
        conv.HO,
        conv.WO
      ],
      dconv: [
        B,
        conv.F,
        conv.HO,
        conv.WO
      ],
      pool: [
        B,
        D
      ],
      argmax: [
        B,
        D
      ],
      dpool: [
        B,
        D
      ],
      scores: [
        B,
        K
      ],
      dscores: [
        B,
        K
      ],
      losses: [
        B
      ]
    };
    const a = {};
    for (const [name, shape] of Object.entries(shapes2)) {
      a[name] = await GpuTensor.zeros(shape, name === "y" || name === "argmax" ? "int32" : "float32");
    }
    const ring = await GpuTensor.zeros([
      opts.lossEvery,
      B
    ]);
    return new _GpuCNN(ctx, model, batchSize, opts, p, a, ring);
  }
  static #dims(model, N) {
    const [C, H, W] = model.imSize, F = model.hiddenDim, k = model.kernelSize;
    const conv = convDims("GpuCNN conv", [
      N,
      C,
      H,
      W
    ], [
      F,
      C,
      k,
      k
    ], 1, (k - 1) / 2);
    return {
      conv,
      pool: poolDims("GpuCNN pool", [
        N,
        F,
        conv.HO,
        conv.WO
      ], 2, 2, 2)
    };
  }
  /**
   * One SGD step on a batch (x: (N, C, H, W) normalised images, y: (N) labels, N ≤ batchSize),
   * recorded and submitted without waiting. Every `lossEvery` steps it reads the loss ring and
   * returns the mean loss of each of those steps; otherwise it returns null.
   */
  async step(x, y, lr = this.options.lr) {
    await this.#record(x, y, lr);
    return this.#ringN.length === this.options.lossEvery ? await this.readLosses() : null;
  }
  /**
   * One step whose loss and scores come back at once (one wait): what a loop that logs every
   * batch needs. scores: (N, nClasses)
   */
  async stepAndRead(x, y, lr = this.options.lr) {
    await this.#record(x, y, lr);
    const { losses, scores } = await this.readLossesAndScores();
    return {
      loss: losses[losses.length - 1],
      scores
    };
  }
  async #record(x, y, lr) {
    if (this.#destroyed) throw new Error("Cannot step a GpuCNN after destroy()");
    const N = y.length, { conv, pool } = _GpuCNN.#dims(this.model, N);
    if (N < 1 || N > this.batchSize || x.length !== N * conv.C * conv.H * conv.W) {
      throw new RangeError(`Cannot run GpuCNN.step: ${N} labels and ${x.length} values for a batch of at most ${this.batchSize} images of (${this.model.imSize})`);
    }
    const a = this.#a, p = this.#p, K = this.model.nClasses, D = conv.F * pool.HO * pool.WO;
    const bad2 = y.findIndex((label) => !(label >= 0 && label < K));
    if (bad2 >= 0) {
      throw new RangeError(`Cannot run GpuCNN.step: label ${y[bad2]} at index ${bad2} is not a class in [0, ${K})`);
    }
    await this.ctx.record(async () => {
      a.x.write(padTo(x, a.x.size));
      a.y.write(padTo(y, a.y.size));
      const enc = this.ctx.encoder;
      for (const name of PARAMS) enc.clearBuffer(p[name].grad.buffer);
      await gpuKernels.conv2dForward(a.conv, a.x, p["conv.weight"].value, p["conv.bias"].value, conv);
      await this.#forwardRest(N, K, D, conv, pool);
      await gpuKernels.softmaxCrossEntropy(a.dscores, a.losses, a.scores, a.y, N, K);
      this.ctx.encoder.copyBufferToBuffer(a.losses.buffer, 0, this.#ring.buffer, 4 * this.#ringN.length * this.batchSize, 4 * N);
      await gpuKernels.gemm(a.dpool, a.dscores, p["fc.weight"].value, N, D, K, false, false, false);
      await gpuKernels.gemm(p["fc.weight"].grad, a.dscores, a.pool, K, D, N, true, false, true);
      await gpuKernels.sumRows(p["fc.bias"].grad, a.dscores, N, K);
      await gpuKernels.maxPool2dBackward(a.relu, a.dpool, a.argmax, pool);
      await gpuKernels.reluBackward(a.dconv, a.relu, a.conv, N * conv.F * conv.HO * conv.WO);
      await gpuKernels.conv2dBackwardFilter(p["conv.weight"].grad, p["conv.bias"].grad, a.dconv, a.x, conv);
      const o = this.options;
      for (const name of PARAMS) {
        const s = p[name];
        await gpuKernels.sgdStep(s.value, s.grad, s.velocity, s.value.size, lr, o.momentum, o.weightDecay, o.nesterov);
      }
    });
    this.#ringN.push(N);
    this.#lastN = N;
  }
  async #forwardRest(N, K, D, conv, pool) {
    const a = this.#a, p = this.#p;
    await gpuKernels.reluForward(a.relu, a.conv, N * conv.F * conv.HO * conv.WO);
    await gpuKernels.maxPool2dForward(a.pool, a.argmax, a.relu, pool);
    await gpuKernels.gemm(a.scores, a.pool, p["fc.weight"].value, N, K, D, false, true, false);
    await gpuKernels.addRowBias(a.scores, p["fc.bias"].value, N, K);
    this.ctx.encoder.clearBuffer(a.relu.buffer, 0, 4 * N * conv.F * conv.HO * conv.WO);
  }
  /** Reads the mean loss of each step since the last read (waits for the GPU). */
  async readLosses() {
    return (await this.#read(false)).losses;
  }
  /**
   * Reads the losses since the last read and the last step's scores with one wait.
   * scores: (N, nClasses)
   */
  async readLossesAndScores() {
    const r = await this.#read(true);
    return {
      losses: r.losses,
      scores: r.scores
    };
  }
  async #read(withScores) {
    const N = this.#lastN, K = this.model.nClasses;
    const reads = [
      [
        this.#ring.buffer,
        4 * this.#ring.size
      ]
    ];
    if (withScores) reads.push([
      this.#a.scores.buffer,
      4 * N * K
    ]);
    if (this.#ringN.length === 0 && !withScores) return {
      losses: []
    };
    const [ring, scores] = await this.ctx.readMany(reads);
    const all = new Float32Array(ring);
    const losses = this.#ringN.map((n, s) => {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += all[s * this.batchSize + i];
      return sum / n;
    });
    this.#ringN.length = 0;
    return {
      losses,
      scores: scores && new Tensor(new Float32Array(scores), [
        N,
        K
      ])
    };
  }
  /** Copies the GPU weights back into the model's parameters (e.g. before a checkpoint). */
  async copyToModel() {
    const named = this.model.namedParameters();
    for (const name of PARAMS) named.get(name).data.set(await this.#p[name].value.read());
  }
  /** The SGD momentum buffers, by parameter name, read back. */
  async velocities() {
    const out = /* @__PURE__ */ new Map();
    for (const name of PARAMS) out.set(name, await this.#p[name].velocity.toTensor());
    return out;
  }
  /** Frees every GPU buffer. */
  destroy() {
    this.#destroyed = true;
    for (const s of Object.values(this.#p)) for (const t of Object.values(s)) t.destroy();
    for (const t of Object.values(this.#a)) t.destroy();
    this.#ring.destroy();
  }
};
function padTo(a, n) {
  if (a.length === n) return a;
  const out = new a.constructor(n);
  out.set(a);
  return out;
}

// nn/webgpu/_units.ts
async function makeSlot(param, velocity) {
  const t = param.value;
  return {
    param,
    value: await GpuTensor.fromArray(t.data, t.shape),
    grad: await GpuTensor.zeros(t.shape),
    velocity: velocity ? await GpuTensor.fromTensor(velocity) : await GpuTensor.zeros(t.shape)
  };
}
var ConvUnit = class _ConvUnit {
  conv;
  bn;
  pooled;
  imSize;
  slots;
  x;
  dx;
  out;
  dout;
  #t;
  constructor(conv, bn, pooled, imSize, slots, x, dx, t) {
    this.conv = conv;
    this.bn = bn;
    this.pooled = pooled;
    this.imSize = imSize;
    this.slots = slots;
    this.x = x;
    this.dx = dx;
    this.#t = t;
    this.out = t.out;
    this.dout = t.dout;
  }
  /** Allocates the unit for batches of up to B images on the input buffers `x` and `dx`. */
  static async create(conv, bn, pooled, imSize, B, x, dx, velocity) {
    const params = [
      conv.weight,
      bn.weight,
      bn.bias
    ];
    const slots = await Promise.all(params.map((p2) => makeSlot(p2, velocity(p2))));
    const { c, p } = _ConvUnit.dims(conv, pooled, imSize, B);
    const full = [
      B,
      c.F,
      c.HO,
      c.WO
    ], after = p ? [
      B,
      c.F,
      p.HO,
      p.WO
    ] : full;
    const shapes2 = {
      z: full,
      dz: full,
      out: after,
      dout: after,
      b: after,
      db: after
    };
    if (p) Object.assign(shapes2, {
      p: after,
      dp: after,
      argmax: after
    });
    const t = {};
    for (const [name, shape] of Object.entries(shapes2)) {
      t[name] = await GpuTensor.zeros(shape, name === "argmax" ? "int32" : "float32");
    }
    t.saveMean = await GpuTensor.zeros([
      c.F
    ]);
    t.saveInvStd = await GpuTensor.zeros([
      c.F
    ]);
    t.runningMean = await GpuTensor.fromTensor(bn.runningMean.value);
    t.runningVar = await GpuTensor.fromTensor(bn.runningVar.value);
    t.zeroBias = await GpuTensor.zeros([
      c.F
    ]);
    return new _ConvUnit(conv, bn, pooled, imSize, slots, x, dx, t);
  }
  /** The conv and pool dimensions for a batch of N. */
  static dims(conv, pooled, [C, H, W], N) {
    const kk = conv.kernelSize, op = "GpuMyModel conv";
    const c = convDims(op, [
      N,
      C,
      H,
      W
    ], [
      conv.outChannels,
      C,
      kk,
      kk
    ], 1, conv.padding);
    const p = pooled ? poolDims("GpuMyModel pool", [
      N,
      c.F,
      c.HO,
      c.WO
    ], 2, 2, 2) : null;
    return {
      c,
      p
    };
  }
  /** The output's (C, H, W). */
  get outSize() {
    const { c, p } = _ConvUnit.dims(this.conv, this.pooled, this.imSize, 1);
    return p ? [
      c.F,
      p.HO,
      p.WO
    ] : [
      c.F,
      c.HO,
      c.WO
    ];
  }
  /** Records the forward pass of N images (BN in training: running statistics move). */
  async forward(N) {
    const t = this.#t, { c, p } = _ConvUnit.dims(this.conv, this.pooled, this.imSize, N);
    const [w, gamma, beta] = this.slots;
    await gpuKernels.conv2dForward(t.z, this.x, w.value, t.zeroBias, c);
    if (p) await gpuKernels.maxPool2dForward(t.p, t.argmax, t.z, p);
    const bnIn = p ? t.p : t.z, HW = p ? p.HO * p.WO : c.HO * c.WO;
    await gpuKernels.batchNorm2dForward(t.b, t.saveMean, t.saveInvStd, t.runningMean, t.runningVar, bnIn, gamma.value, beta.value, N, c.F, HW, this.bn.eps, this.bn.momentum, true);
    await gpuKernels.reluForward(t.out, t.b, N * c.F * HW);
  }
  /** Clears what backward accumulates into: ∂L/∂out, the parameters' gradients, the scratch. */
  clearGrads(enc) {
    const t = this.#t;
    for (const name of [
      "dout",
      "dz",
      "dp"
    ]) if (t[name]) enc.clearBuffer(t[name].buffer);
    for (const s of this.slots) enc.clearBuffer(s.grad.buffer);
  }
  /** Records the backward pass of N images from ∂L/∂out (adds ∂L/∂x into dx when it exists). */
  async backward(N) {
    const t = this.#t, { c, p } = _ConvUnit.dims(this.conv, this.pooled, this.imSize, N);
    const [w, gamma, beta] = this.slots;
    const HW = p ? p.HO * p.WO : c.HO * c.WO;
    await gpuKernels.reluBackward(t.db, this.dout, t.b, N * c.F * HW);
    const bnIn = p ? t.p : t.z, dBnIn = p ? t.dp : t.dz;
    await gpuKernels.batchNorm2dBackward(dBnIn, gamma.grad, beta.grad, t.db, bnIn, gamma.value, t.saveMean, t.saveInvStd, N, c.F, HW, true);
    if (p) await gpuKernels.maxPool2dBackward(t.dz, t.dp, t.argmax, p);
    await gpuKernels.conv2dBackwardFilter(w.grad, null, t.dz, this.x, c);
    if (this.dx) await gpuKernels.conv2dBackwardData(this.dx, t.dz, w.value, c);
  }
  /** Copies the BN running statistics back into the CPU module. */
  async copyStatsToModule() {
    this.bn.runningMean.value.data.set(await this.#t.runningMean.read());
    this.bn.runningVar.value.data.set(await this.#t.runningVar.read());
  }
  /** Frees the unit's buffers (not its input, which belongs to the unit before it). */
  destroy() {
    for (const s of this.slots) for (const g of [
      s.value,
      s.grad,
      s.velocity
    ]) g.destroy();
    for (const g of Object.values(this.#t)) g.destroy();
  }
};

// nn/webgpu/_ring.ts
var LossRing = class _LossRing {
  ctx;
  steps;
  batchSize;
  #buffer;
  #n = [];
  #lastN = 0;
  constructor(ctx, steps, batchSize, buffer) {
    this.ctx = ctx;
    this.steps = steps;
    this.batchSize = batchSize;
    this.#buffer = buffer;
  }
  /** A ring of `steps` rows of up to `batchSize` losses. */
  static async create(ctx, steps, batchSize) {
    if (!Number.isInteger(steps) || steps < 1) {
      throw new RangeError(`Cannot create a loss ring: lossEvery must be an integer \u2265 1, got ${steps}`);
    }
    return new _LossRing(ctx, steps, batchSize, await GpuTensor.zeros([
      steps,
      batchSize
    ]));
  }
  /** True when every row holds a step that was not read yet. */
  get full() {
    return this.#n.length === this.steps;
  }
  /** Records the copy of a step's N losses (losses: (≥ N)) into the next row. */
  push(losses, N) {
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
  async read(scores, K) {
    if (this.#n.length === 0 && scores === null) return {
      losses: []
    };
    const N = this.#lastN;
    const reads = [
      [
        this.#buffer.buffer,
        4 * this.#buffer.size
      ]
    ];
    if (scores) reads.push([
      scores.buffer,
      4 * N * K
    ]);
    const [ring, s] = await this.ctx.readMany(reads);
    const all = new Float32Array(ring);
    const losses = this.#n.map((n, step) => {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += all[step * this.batchSize + i];
      return sum / n;
    });
    this.#n.length = 0;
    return {
      losses,
      scores: s && new Tensor(new Float32Array(s), [
        N,
        K
      ])
    };
  }
  /** Frees the ring's buffer. */
  destroy() {
    this.#buffer.destroy();
  }
};

// nn/webgpu/mymodel.ts
var STAGES = [
  "prep",
  "layer1",
  "res1",
  "layer2",
  "layer3",
  "res3"
];
var GpuMyModel = class _GpuMyModel {
  ctx;
  model;
  batchSize;
  options;
  #units;
  #residuals;
  #fc;
  #a;
  #ring;
  #destroyed = false;
  constructor(ctx, model, batchSize, options, parts, a, ring) {
    this.ctx = ctx;
    this.model = model;
    this.batchSize = batchSize;
    this.options = options;
    this.#units = parts.units;
    this.#residuals = parts.residuals;
    this.#fc = parts.fc;
    this.#a = a;
    this.#ring = ring;
  }
  /**
   * Uploads `model`'s weights and BN statistics (and SGD momentum buffers, keyed by parameter
   * name, when resuming) and allocates everything a step of up to `batchSize` images needs.
   */
  static async fromModel(model, batchSize, options, velocities = /* @__PURE__ */ new Map()) {
    const ctx = await getContext();
    const opts = {
      momentum: 0,
      weightDecay: 0,
      nesterov: false,
      lossEvery: 10,
      labelSmoothing: 0,
      ...options
    };
    const names = new Map([
      ...model.namedParameters()
    ].map(([n, t]) => [
      t,
      n
    ]));
    const velocity = (p) => velocities.get(names.get(p.value) ?? "");
    const B = batchSize, K = model.nClasses, [C, H, W] = model.imSize;
    const x = await GpuTensor.zeros([
      B,
      C,
      H,
      W
    ]);
    const units = [], residuals = [];
    let input = x, dInput = null, size = [
      C,
      H,
      W
    ];
    for (const stage of STAGES) {
      const m = model.get(stage);
      const body = m instanceof Residual ? m.body : m;
      const first = units.length;
      for (const [conv, bn, pooled] of unitsOf(stage, body)) {
        const u = await ConvUnit.create(conv, bn, pooled, size, B, input, dInput, velocity);
        units.push(u);
        [input, dInput, size] = [
          u.out,
          u.dout,
          u.outSize
        ];
      }
      if (m instanceof Residual) residuals.push([
        units[first],
        units[units.length - 1]
      ]);
    }
    const fcWeight = model.get("fc").parameters()[0];
    const fc = await makeSlot(fcWeight, velocity(fcWeight));
    const D = size[0];
    const shapes2 = {
      y: [
        B
      ],
      pooled: [
        B,
        D
      ],
      argmax: [
        B,
        D
      ],
      dpooled: [
        B,
        D
      ],
      fcOut: [
        B,
        K
      ],
      dfcOut: [
        B,
        K
      ],
      scores: [
        B,
        K
      ],
      dscores: [
        B,
        K
      ],
      losses: [
        B
      ]
    };
    const a = {};
    for (const [name, shape] of Object.entries(shapes2)) {
      a[name] = await GpuTensor.zeros(shape, name === "y" || name === "argmax" ? "int32" : "float32");
    }
    a.x = x;
    const ring = await LossRing.create(ctx, opts.lossEvery, B);
    return new _GpuMyModel(ctx, model, B, opts, {
      units,
      residuals,
      fc
    }, a, ring);
  }
  /** The global max-pool over the last unit's (8w, H/8, W/8) output, for N images. */
  #globalPool(N) {
    const [C, H, W] = this.#units[this.#units.length - 1].outSize;
    return poolDims("GpuMyModel global pool", [
      N,
      C,
      H,
      W
    ], H, W, H);
  }
  /** Every parameter slot, in the model's order. */
  get #slots() {
    return [
      ...this.#units.flatMap((u) => u.slots),
      this.#fc
    ];
  }
  /**
   * One SGD step on a batch (x: (N, C, H, W) normalised images, y: (N) labels, N ≤ batchSize),
   * recorded and submitted without waiting. Every `lossEvery` steps it reads the loss ring and
   * returns the mean loss of each of those steps; otherwise it returns null.
   */
  async step(x, y, lr = this.options.lr) {
    await this.#record(x, y, lr);
    return this.#ring.full ? await this.readLosses() : null;
  }
  /** One step whose loss and scores come back at once (one wait).  scores: (N, nClasses) */
  async stepAndRead(x, y, lr = this.options.lr) {
    await this.#record(x, y, lr);
    const { losses, scores } = await this.#ring.read(this.#a.scores, this.model.nClasses);
    return {
      loss: losses[losses.length - 1],
      scores
    };
  }
  /** Reads the mean loss of each step since the last read (waits for the GPU). */
  async readLosses() {
    return (await this.#ring.read(null, this.model.nClasses)).losses;
  }
  #check(x, y) {
    if (this.#destroyed) throw new Error("Cannot step a GpuMyModel after destroy()");
    const N = y.length, [C, H, W] = this.model.imSize, K = this.model.nClasses;
    if (N < 2 || N > this.batchSize || x.length !== N * C * H * W) {
      throw new RangeError(`Cannot run GpuMyModel.step: ${N} labels and ${x.length} values for a batch of 2 to ${this.batchSize} images of (${this.model.imSize}) (batch norm needs 2 or more)`);
    }
    const bad2 = y.findIndex((label) => !(label >= 0 && label < K));
    if (bad2 >= 0) {
      throw new RangeError(`Cannot run GpuMyModel.step: label ${y[bad2]} at index ${bad2} is not a class in [0, ${K})`);
    }
  }
  async #record(x, y, lr) {
    this.#check(x, y);
    const N = y.length, a = this.#a;
    await this.ctx.record(async () => {
      a.x.write(padTo2(x, a.x.size));
      a.y.write(padTo2(y, a.y.size));
      const enc = this.ctx.encoder;
      for (const u of this.#units) u.clearGrads(enc);
      enc.clearBuffer(this.#fc.grad.buffer);
      await this.#forward(N);
      const o = this.options, K = this.model.nClasses;
      await gpuKernels.softmaxCrossEntropySmoothed(a.dscores, a.losses, a.scores, a.y, N, K, o.labelSmoothing);
      this.#ring.push(a.losses, N);
      await this.#backward(N);
      for (const s of this.#slots) {
        const n = s.value.size;
        await gpuKernels.sgdStep(s.value, s.grad, s.velocity, n, lr, o.momentum, o.weightDecay, o.nesterov);
      }
    });
  }
  async #forward(N) {
    const a = this.#a, K = this.model.nClasses, gp = this.#globalPool(N), D = gp.C;
    const ends = new Map(this.#residuals.map(([first, last]) => [
      last,
      first
    ]));
    for (const u of this.#units) {
      await u.forward(N);
      const first = ends.get(u);
      if (first) await gpuKernels.axpy(u.out, first.x, 1, first.x.size / this.batchSize * N);
    }
    await gpuKernels.maxPool2dForward(a.pooled, a.argmax, this.#units.at(-1).out, gp);
    await gpuKernels.gemm(a.fcOut, a.pooled, this.#fc.value, N, K, D, false, true, false);
    this.ctx.encoder.clearBuffer(a.scores.buffer);
    await gpuKernels.axpy(a.scores, a.fcOut, SCALE, N * K);
  }
  async #backward(N) {
    const a = this.#a, K = this.model.nClasses, gp = this.#globalPool(N), D = gp.C;
    const enc = this.ctx.encoder;
    enc.clearBuffer(a.dfcOut.buffer);
    await gpuKernels.axpy(a.dfcOut, a.dscores, SCALE, N * K);
    await gpuKernels.gemm(a.dpooled, a.dfcOut, this.#fc.value, N, D, K, false, false, false);
    await gpuKernels.gemm(this.#fc.grad, a.dfcOut, a.pooled, K, D, N, true, false, true);
    await gpuKernels.maxPool2dBackward(this.#units.at(-1).dout, a.dpooled, a.argmax, gp);
    const starts = new Map(this.#residuals.map(([first, last]) => [
      first,
      last
    ]));
    for (let i = this.#units.length - 1; i >= 0; i--) {
      const u = this.#units[i];
      await u.backward(N);
      const last = starts.get(u);
      if (last) await gpuKernels.axpy(u.dx, last.dout, 1, u.x.size / this.batchSize * N);
    }
  }
  /** Copies the GPU weights and BN running statistics back into the model. */
  async copyToModel() {
    for (const s of this.#slots) s.param.value.data.set(await s.value.read());
    for (const u of this.#units) await u.copyStatsToModule();
  }
  /** The SGD momentum buffers, by parameter name, read back. */
  async velocities() {
    const names = new Map([
      ...this.model.namedParameters()
    ].map(([n, t]) => [
      t,
      n
    ]));
    const out = /* @__PURE__ */ new Map();
    for (const s of this.#slots) out.set(names.get(s.param.value), await s.velocity.toTensor());
    return out;
  }
  /** Frees every GPU buffer. */
  destroy() {
    this.#destroyed = true;
    for (const u of this.#units) u.destroy();
    for (const t of [
      this.#fc.value,
      this.#fc.grad,
      this.#fc.velocity
    ]) t.destroy();
    for (const t of Object.values(this.#a)) t.destroy();
    this.#ring.destroy();
  }
};
var SCALE = 0.125;
function unitsOf(stage, seq) {
  const out = [];
  const layers = seq.layers;
  for (let i = 0; i < layers.length; ) {
    const conv = layers[i], pooled = layers[i + 1] instanceof MaxPool2d;
    const bn = layers[i + (pooled ? 2 : 1)];
    if (!(conv instanceof Conv2d) || conv.bias !== null || !(bn instanceof BatchNorm2d)) {
      throw new TypeError(`Cannot put MyModel on the GPU: ${stage} is not conv (no bias) \u2013 [max-pool] \u2013 BN \u2013 ReLU`);
    }
    out.push([
      conv,
      bn,
      pooled
    ]);
    i += pooled ? 4 : 3;
  }
  return out;
}
function padTo2(a, n) {
  if (a.length === n) return a;
  const out = new a.constructor(n);
  out.set(a);
  return out;
}

// tasks/_train_eval.ts
function flipHorizontal(x) {
  const W = x.shape[3];
  const out = x.data.slice();
  for (let r = 0; r < out.length; r += W) out.subarray(r, r + W).reverse();
  return new Tensor(out, x.shape);
}
function predictBatch(model, x, tta) {
  const logits = model.forward(x).clone();
  if (!tta) return logits;
  const flipped = model.forward(flipHorizontal(x));
  const k = kernelsFor(logits.dtype);
  k.axpy(logits.data, flipped.data, 1, logits.size);
  k.axpy(logits.data, logits.data.slice(), -0.5, logits.size);
  return logits;
}
function countCorrect(logits, y) {
  const predicted = argmaxRows(logits);
  let correct = 0;
  for (let b = 0; b < predicted.length; b++) if (predicted[b] === y[b]) correct++;
  return correct;
}
async function evaluate(model, set, options) {
  const K = options.nClasses, n = set.labels.length;
  const confusion = Array.from({
    length: K
  }, () => new Array(K).fill(0));
  const preds = new Int32Array(Math.min(n, options.batchSize));
  let lossSum = 0, correct = 0;
  await forEachBatch(model, set, options, (logits, start) => {
    const B = logits.shape[0], y = set.labels.subarray(start, start + B);
    lossSum += crossEntropy(logits, y).loss * B;
    preds.set(argmaxRows(logits));
    for (let b = 0; b < B; b++) {
      confusion[y[b]][preds[b]]++;
      if (preds[b] === y[b]) correct++;
    }
  });
  return {
    loss: lossSum / n,
    correct,
    total: n,
    confusion
  };
}
async function forEachBatch(model, set, options, visit) {
  const n = set.labels.length, bs = options.batchSize;
  const wasTraining = model.training;
  model.eval();
  const out = {
    x: new Float32Array(Math.min(n, bs) * IMAGE_BYTES2),
    y: new Int32Array(Math.min(n, bs))
  };
  const indices = new Int32Array(Math.min(n, bs));
  try {
    for (let start = 0; start < n; start += bs) {
      const b = Math.min(bs, n - start);
      for (let i = 0; i < b; i++) indices[i] = start + i;
      const batch = makeBatch(set, indices.subarray(0, b), {
        normalize: options.normalize,
        out
      });
      visit(predictBatch(model, batch.x, options.tta), start);
      await yieldToEventLoop();
    }
  } finally {
    model.train(wasTraining);
  }
}
function yieldToEventLoop() {
  return new Promise((resolve2) => setTimeout(resolve2, 0));
}

// tasks/_train_log.ts
function pyFloat(v) {
  return Number.isInteger(v) ? v.toFixed(1) : String(v);
}
function roundHalfEven(v) {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
function logLine(l) {
  const { epoch, seen, total, percent, trainLoss, valLoss, valAcc } = l;
  return `Train Epoch: ${epoch} [${seen}/${total} (${roundHalfEven(percent)}%)]	Train Loss: ${trainLoss.toFixed(6)}	Val Loss: ${valLoss.toFixed(6)}	Val Acc: ${pyFloat(valAcc)}`;
}

// tasks/_train_loop.ts
var NonFiniteLossError = class extends Error {
  step;
  epoch;
  lr;
  constructor(step, epoch, lr, loss) {
    super(`Training stopped: the loss is ${loss} at step ${step} (epoch ${epoch}) with learning rate ${lr}; the weights of the last checkpoint are kept. Lower --lr and start again`), this.step = step, this.epoch = epoch, this.lr = lr;
  }
};
var ORDER = 1;
var AUGMENT = 2;
function rngFor(seed, ...stream) {
  let h = Math.trunc(seed) | 0;
  for (const v of stream) {
    h = Math.imul(h ^ h >>> 15, 739982445) ^ Math.imul(v + 2654435769, 695872825);
    h = h ^ h >>> 12 | 0;
  }
  return new Rng(h);
}
function makeSchedule(c, totalSteps) {
  const warmupSteps = Math.round(c.warmup * totalSteps);
  if (c.schedule === "constant") return () => c.lr;
  if (c.schedule === "cosine") {
    return cosineWithWarmup({
      lr: c.lr,
      totalSteps,
      warmupSteps: Math.min(warmupSteps, totalSteps - 1)
    });
  }
  try {
    return oneCycle({
      maxLr: c.lr,
      totalSteps,
      pctStart: c.warmup,
      anneal: "linear"
    });
  } catch (e) {
    throw new RangeError(`Cannot use --schedule onecycle with --warmup ${c.warmup} over ${totalSteps} steps (${e.message}); use more images or epochs, or --schedule cosine`);
  }
}
function modelConfigOf(c, nClasses) {
  return {
    name: c.model,
    imSize: [
      3,
      32,
      32
    ],
    hiddenDim: c.hiddenDim,
    kernelSize: c.kernelSize,
    nClasses
  };
}
function createSession(config, data, saved) {
  const modelConfig = modelConfigOf(config, data.classes.length);
  const model = buildModel(modelConfig, config.seed);
  skipInputGradient(model);
  model.reuseBuffers();
  const optimizer = new SGD(model.parameters(), {
    lr: config.lr,
    momentum: config.momentum,
    weightDecay: config.weightDecay,
    nesterov: config.nesterov
  });
  const batchesPerEpoch = Math.ceil(data.train.labels.length / config.batchSize);
  const normalization = saved ? Normalization.fromJSON(saved.normalization) : Normalization.channel(data.train);
  return {
    model,
    modelConfig,
    optimizer,
    schedule: makeSchedule(config, config.epochs * batchesPerEpoch),
    normalization,
    batchesPerEpoch,
    buffers: {
      x: new Float32Array(config.batchSize * IMAGE_BYTES2),
      y: new Int32Array(config.batchSize)
    },
    progress: {
      config,
      epoch: 0,
      batch: 0,
      step: 0,
      metrics: [],
      seconds: 0,
      timeline: []
    }
  };
}
function sessionWeights(s, classes) {
  return encodeWeights(s.model, s.modelConfig, {
    normalization: s.normalization.toJSON(),
    extra: {
      classes: JSON.stringify(classes),
      tta: String(s.progress.config.tta),
      train_config: JSON.stringify(s.progress.config)
    }
  });
}
function cpuStep(s, batch, lr) {
  const c = s.progress.config;
  const logits = s.model.forward(batch.x);
  const { loss, dlogits } = crossEntropy(logits, batch.y, {
    labelSmoothing: c.labelSmoothing
  });
  if (!Number.isFinite(loss)) return {
    loss,
    acc: NaN
  };
  const acc = countCorrect(logits, batch.y) / batch.y.length;
  s.optimizer.zeroGrad();
  s.model.backward(dlogits);
  s.optimizer.lr = lr;
  s.optimizer.step();
  return {
    loss,
    acc
  };
}
async function trainStep(s, data, order, e, b) {
  const c = s.progress.config, n = data.train.labels.length;
  const start = b * c.batchSize, end = Math.min(n, start + c.batchSize);
  const batch = makeBatch(data.train, order.subarray(start, end), {
    normalize: s.normalization,
    augment: c.augment,
    rng: rngFor(c.seed, AUGMENT, e, b),
    out: s.buffers
  });
  const lr = s.schedule(s.progress.step);
  const { loss, acc } = s.runner ? await s.runner.step(batch.x.data, batch.y, lr) : cpuStep(s, batch, lr);
  if (!Number.isFinite(loss)) throw new NonFiniteLossError(s.progress.step, e + 1, lr, loss);
  s.progress.step++;
  return {
    loss,
    acc,
    lr,
    seen: end
  };
}
async function logProgress(s, data, e, b, r, hooks) {
  const c = s.progress.config, n = data.train.labels.length;
  const val = await evaluate(s.model, data.val, {
    normalize: s.normalization,
    batchSize: c.testBatchSize,
    tta: c.tta,
    nClasses: data.classes.length
  });
  const valAcc = 100 * val.correct / val.total;
  s.progress.metrics.push({
    iteration: s.progress.step - 1,
    epoch: e + (b + 1) / s.batchesPerEpoch,
    trainLoss: r.loss,
    trainAcc: r.acc,
    valLoss: val.loss,
    valAcc: val.correct / val.total,
    lr: r.lr
  });
  const pct = 100 * b / s.batchesPerEpoch;
  await hooks.log?.(logLine({
    epoch: e + 1,
    seen: b * c.batchSize,
    total: n,
    percent: pct,
    trainLoss: r.loss,
    valLoss: val.loss,
    valAcc
  }));
}
async function trainEpochs(s, data, hooks = {}) {
  const c = s.progress.config, n = data.train.labels.length;
  s.model.train();
  while (s.progress.epoch < c.epochs) {
    const e = s.progress.epoch;
    const order = rngFor(c.seed, ORDER, e).permutation(n);
    for (let b = s.progress.batch; b < s.batchesPerEpoch; b++) {
      const t0 = performance.now();
      const r = await trainStep(s, data, order, e, b);
      s.progress.batch = b + 1;
      if (b % c.logInterval === 0 || b === s.batchesPerEpoch - 1) {
        await s.runner?.sync();
        await logProgress(s, data, e, b, r, hooks);
      } else {
        s.progress.metrics.push({
          iteration: s.progress.step - 1,
          epoch: e + (b + 1) / s.batchesPerEpoch,
          trainLoss: r.loss,
          trainAcc: r.acc,
          lr: r.lr
        });
      }
      s.progress.seconds += (performance.now() - t0) / 1e3;
      hooks.onBatch?.(r.seen, n);
      await yieldToEventLoop();
      if (b < s.batchesPerEpoch - 1 && hooks.shouldStop?.()) {
        await s.runner?.sync();
        return "stopped";
      }
    }
    s.progress.epoch = e + 1;
    s.progress.batch = 0;
    const last = s.progress.metrics.at(-1);
    s.progress.timeline.push({
      epoch: e + 1,
      seconds: s.progress.seconds,
      valAcc: last.valAcc,
      valLoss: last.valLoss
    });
    await hooks.onEpochEnd?.(s);
    if (s.progress.epoch < c.epochs && hooks.shouldStop?.()) return "stopped";
  }
  return "done";
}

// tasks/_train_config.ts
var SCHEDULES = [
  "constant",
  "cosine",
  "onecycle"
];
var DEFAULTS = {
  convnet: {
    model: "convnet",
    lr: 0.02,
    momentum: 0.9,
    weightDecay: 5e-4,
    nesterov: false,
    schedule: "cosine",
    warmup: 0,
    labelSmoothing: 0,
    augment: false,
    tta: false,
    batchSize: 128,
    epochs: 4,
    hiddenDim: 32,
    kernelSize: 7,
    seed: 1,
    testBatchSize: 500,
    logInterval: 100,
    numTrain: 49e3,
    numVal: 1e3,
    numTest: 1e4
  },
  mymodel: {
    model: "mymodel",
    lr: 0.4,
    momentum: 0.9,
    weightDecay: 5e-4,
    nesterov: true,
    schedule: "onecycle",
    warmup: 0.25,
    labelSmoothing: 0.2,
    augment: true,
    tta: true,
    batchSize: 512,
    epochs: 13,
    hiddenDim: 16,
    kernelSize: 3,
    seed: 1,
    testBatchSize: 500,
    logInterval: 20,
    numTrain: 49e3,
    numVal: 1e3,
    numTest: 1e4
  }
};
var TRAIN_HELP = `Train a ConvNet on CIFAR-10 (the homework's train.py).

Usage: deno task train --model convnet|mymodel [options]
       deno task train --resume RUN_DIR [--threads N] [--backend B]

Model and recipe (defaults depend on --model; see the configuration printed at start):
  --model NAME            convnet (the homework's shallow net) or mymodel (ResNet-9 style)
  --hidden-dim N          width: convnet's conv filters, mymodel's first stage
  --kernel-size K         odd kernel size of the convolutions
  --lr X                  (peak) learning rate of SGD
  --momentum X            SGD momentum (0 turns it off)
  --weight-decay X        L2 weight decay (PyTorch's weight_decay)
  --nesterov / --no-nesterov
  --schedule S            constant, cosine or onecycle
  --warmup F              fraction of the steps spent warming up (cosine) or rising (onecycle)
  --label-smoothing X     label smoothing of the cross-entropy, in [0, 1)
  --augment / --no-augment    random crops and flips of the training images
  --tta / --no-tta        flip test-time augmentation when evaluating
  --batch-size N          training batch size
  --epochs N              passes over the training images
  --seed N                seed of the initial weights, the shuffling and the augmentation
  --test-batch-size N     batch size when evaluating
  --log-interval N        batches between log lines (each measures the validation set)
  --num-train N           training images (default 49000; fewer for a quick run)
  --num-val N             validation images, the last of the training files (default 1000)
  --num-test N            test images (default 10000)

Run:
  --out DIR               the run folder (default runs/<model>-<timestamp>)
  --resume DIR            continue the run in DIR from its last checkpoint
  --threads N             worker threads of the kernels (default $CONVNET_THREADS, else the cores)
  --backend B             ref, wasm, webgpu or auto (default wasm; webgpu trains convnet or
                          mymodel on the GPU, evaluation stays on WASM; auto takes webgpu on a
                          hardware adapter \u2014 not yet validated on a real GPU, hence not the
                          default)
${CIFAR10_DIR_HELP}
  -h, --help              show this help
`;
function atLeast(flag, v, min) {
  if (!(v >= min)) throw new RangeError(`Cannot use --${flag} ${v}: it must be \u2265 ${min}`);
}
function checkTrainConfig(c) {
  if (!SCHEDULES.includes(c.schedule)) {
    throw new RangeError(`Cannot use --schedule ${c.schedule}: use one of ${SCHEDULES.join(", ")}`);
  }
  for (const [flag, v] of [
    [
      "lr",
      c.lr
    ],
    [
      "momentum",
      c.momentum
    ],
    [
      "weight-decay",
      c.weightDecay
    ]
  ]) atLeast(flag, v, 0);
  if (c.momentum >= 1) throw new RangeError(`Cannot use --momentum ${c.momentum}: it must be < 1`);
  if (c.nesterov && c.momentum === 0) {
    throw new RangeError("Cannot use --nesterov with --momentum 0: Nesterov needs momentum > 0");
  }
  if (!(c.labelSmoothing >= 0 && c.labelSmoothing < 1)) {
    throw new RangeError(`Cannot use --label-smoothing ${c.labelSmoothing}: it must be in [0, 1)`);
  }
  if (!(c.warmup >= 0 && c.warmup < 1)) {
    throw new RangeError(`Cannot use --warmup ${c.warmup}: it must be in [0, 1)`);
  }
  const ints = [
    [
      "batch-size",
      c.batchSize,
      1
    ],
    [
      "epochs",
      c.epochs,
      1
    ],
    [
      "hidden-dim",
      c.hiddenDim,
      1
    ],
    [
      "kernel-size",
      c.kernelSize,
      1
    ],
    [
      "test-batch-size",
      c.testBatchSize,
      1
    ],
    [
      "log-interval",
      c.logInterval,
      1
    ],
    [
      "num-train",
      c.numTrain,
      1
    ],
    [
      "num-val",
      c.numVal,
      1
    ],
    [
      "num-test",
      c.numTest,
      1
    ]
  ];
  for (const [flag, v, min] of ints) atLeast(flag, v, min);
  if (c.kernelSize % 2 === 0) {
    throw new RangeError(`Cannot use --kernel-size ${c.kernelSize}: it must be odd (3, 5, 7, \u2026)`);
  }
}

// web/src/cifar10_bytes.ts
var RECORD_BYTES2 = IMAGE_BYTES2 + 1;
var TRAIN_BATCH_FILES = Object.freeze([
  1,
  2,
  3,
  4,
  5
].map((i) => `data_batch_${i}.bin`));
var TEST_BATCH_FILE = "test_batch.bin";
var META_FILE = "batches.meta.txt";
var KNOWN = /* @__PURE__ */ new Set([
  ...TRAIN_BATCH_FILES,
  TEST_BATCH_FILE,
  META_FILE
]);
function checkBatchFile(name, size) {
  if (!KNOWN.has(name)) {
    throw new TypeError(`Cannot use "${name}": it is not a file of CIFAR-10's binary format; pick ${TRAIN_BATCH_FILES.join(", ")}, ${TEST_BATCH_FILE} and ${META_FILE} from the cifar-10-batches-bin folder (deno task data:cifar10 downloads it)`);
  }
  if (name === META_FILE) return;
  if (size === 0 || size % RECORD_BYTES2 !== 0) {
    throw new Error(`Cannot read CIFAR-10 batch "${name}": its size ${size} bytes is not a positive multiple of ${RECORD_BYTES2} (1 label byte + ${IMAGE_BYTES2} pixel bytes per image); the file is damaged or not a CIFAR-10 binary batch \u2014 download it again with \`deno task data:cifar10\``);
  }
}
function copyRecords(bytes, set, at) {
  for (let i = 0; i < bytes.length / RECORD_BYTES2; i++) {
    const record = i * RECORD_BYTES2;
    set.labels[at + i] = bytes[record];
    set.images.set(bytes.subarray(record + 1, record + RECORD_BYTES2), (at + i) * IMAGE_BYTES2);
  }
}
async function loadCifar10Splits(sources, options = {}) {
  const missing = TRAIN_BATCH_FILES.filter((name) => !sources.has(name));
  if (missing.length > 0) {
    throw new Error(`Cannot load CIFAR-10: ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} missing; give all five training batches of the binary format`);
  }
  for (const s of sources.values()) checkBatchFile(s.name, s.size);
  const meta = sources.get(META_FILE);
  const classes = meta ? parseMetaText(new TextDecoder().decode(await meta.read()), META_FILE) : [
    ...CIFAR10_CLASSES
  ];
  const counts = TRAIN_BATCH_FILES.map((name) => sources.get(name).size / RECORD_BYTES2);
  const total = counts.reduce((a, b) => a + b, 0);
  const train = {
    images: new Uint8Array(total * IMAGE_BYTES2),
    labels: new Uint8Array(total)
  };
  const testSource = sources.get(TEST_BATCH_FILE);
  const numTest = options.numTest ?? 0;
  if (numTest > 0 && !testSource) {
    throw new Error(`Cannot test on ${numTest} images: ${TEST_BATCH_FILE} is missing; give it too, or set the test images to 0`);
  }
  const testCount = numTest > 0 && testSource ? testSource.size / RECORD_BYTES2 : 0;
  const test = {
    images: new Uint8Array(testCount * IMAGE_BYTES2),
    labels: new Uint8Array(testCount)
  };
  const probe = splitCifar10({
    train,
    test,
    classes
  }, {
    ...options,
    numTest
  });
  const valStart = total - Math.min(1e3, total), valEnd = valStart + probe.val.labels.length;
  const numTrain = probe.train.labels.length;
  let start = 0;
  for (let f = 0; f < TRAIN_BATCH_FILES.length; f++) {
    const end = start + counts[f];
    const parts = [
      [
        0,
        numTrain
      ],
      [
        valStart,
        valEnd
      ]
    ].map(([a, b]) => [
      Math.max(start, a),
      Math.min(end, b)
    ]).filter(([a, b]) => a < b);
    if (parts.length > 0) {
      const from = Math.min(...parts.map((p) => p[0])), to = Math.max(...parts.map((p) => p[1]));
      const source = sources.get(TRAIN_BATCH_FILES[f]);
      const bytes = await readChecked(source, (from - start) * RECORD_BYTES2, (to - start) * RECORD_BYTES2);
      copyRecords(bytes, train, from);
      checkLabels({
        images: train.images,
        labels: train.labels.subarray(from, to)
      }, classes.length, TRAIN_BATCH_FILES[f]);
    }
    start = end;
  }
  if (testCount > 0) {
    copyRecords(await readChecked(testSource, 0, testSource.size), test, 0);
    checkLabels(test, classes.length, TEST_BATCH_FILE);
  }
  return splitCifar10({
    train,
    test,
    classes
  }, {
    ...options,
    numTest
  });
}
async function readChecked(source, start, end) {
  const bytes = await source.read(start, end);
  if (bytes.length !== end - start) {
    throw new Error(`Cannot read CIFAR-10 batch "${source.name}": bytes ${start} \u2026 ${end - 1} of its ${source.size} came back as ${bytes.length} bytes (was it changed while being read?)`);
  }
  return bytes;
}
export {
  Adam,
  AdamBase,
  AdamW,
  AvgPool2d,
  BINARY_FOLDER,
  BatchNorm2d,
  CIFAR10_CLASSES,
  CIFAR10_DIR_HELP,
  CIFAR10_DIR_OPTION,
  CNN,
  Conv2d,
  DEFAULTS,
  DivergenceError,
  Dropout,
  Flatten,
  GlobalAvgPool,
  GpuCNN,
  GpuMyModel,
  GpuTensor,
  IMAGE_BYTES2 as IMAGE_BYTES,
  IMAGE_SHAPE,
  Linear,
  META_FILE,
  MODEL_NAMES,
  MYMODEL_DEFAULTS,
  MaxPool2d,
  Module,
  MyModel,
  Normalization,
  Optimizer,
  PYTHON_FOLDER,
  RECORD_BYTES2 as RECORD_BYTES,
  ReLU,
  Residual,
  Rng,
  SGD,
  Scale,
  Sequential,
  Solver,
  TEST_BATCH_FILE,
  TRAIN_BATCH_FILES,
  TRAIN_FORMAT,
  Tensor,
  TensorDataset,
  ThreeLayerConvNet,
  TwoLayerConvNet,
  UPDATE_RULES,
  WEIGHTS_FORMAT,
  affineBackward,
  affineForward,
  affineReluBackward,
  affineReluForward,
  argmaxRows,
  arrayFor,
  batchCount,
  batches,
  buildModel,
  channelMeanStd,
  checkBatchFile,
  checkTrainConfig,
  convBackward,
  convBackwardNaive,
  convForward,
  convForwardNaive,
  convReluBackward,
  convReluForward,
  convReluPoolBackward,
  convReluPoolForward,
  cosineWithWarmup,
  createSession,
  crossEntropy,
  decodeSafetensors,
  decodeWeights,
  defaultCifar10Dir,
  encodeSafetensors,
  encodeTrainCheckpoint,
  encodeWeights,
  evalNumericalGradient,
  evalNumericalGradientArray,
  evaluate,
  findCifar10Batches,
  firstConvName,
  freeWasmArray,
  getThreads,
  gpuKernels,
  gradientErrors,
  imageCount,
  labelsInt32,
  loadCifar10,
  loadCifar10Splits,
  loadSafetensors,
  loadTrainCheckpoint,
  loadWeights,
  locateCifar10,
  makeBatch,
  maxPoolBackward,
  maxPoolBackwardNaive,
  maxPoolForward,
  maxPoolForwardNaive,
  meanImage,
  missingCifar10Error,
  myModelFlops,
  oneCycle,
  peekTrainCheckpoint,
  relError,
  releaseDevice,
  reluBackward3 as reluBackward,
  reluForward3 as reluForward,
  saveSafetensors,
  sessionWeights,
  setFloat32Backend,
  setThreads,
  setThreadsAsync,
  shapeSize,
  skipInputGradient,
  sliceImages,
  softmaxLoss,
  splitCifar10,
  stepDecay,
  svmLoss3 as svmLoss,
  toTensor,
  trainEpochs,
  wasmArray,
  build as wasmBuild,
  webgpuAvailable
};
