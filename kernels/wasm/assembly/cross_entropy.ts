// Softmax cross-entropy with label smoothing, computed in float64 inside; matches
// kernels/ref/cross_entropy.ts (softmaxCrossEntropySmoothed), PyTorch's
// F.cross_entropy(x, y, label_smoothing=ε): targets q = (1 − ε)·onehot(y) + ε/C. Small (N×C):
// one thread. Returns the mean loss and overwrites dx = (softmax(x) − q) / N.

/** Returns the mean loss.  dx, x: (N, C) float32  y: (N) int32 class indices. */
export function softmaxCrossEntropySmoothed(
  dx: usize,
  x: usize,
  y: usize,
  N: i32,
  C: i32,
  smoothing: f64,
): f64 {
  const off = smoothing / <f64> C, on = 1 - smoothing + off;
  const invN: f64 = 1.0 / <f64> N;
  let loss: f64 = 0;
  for (let n = 0; n < N; n++) {
    const row = x + (<usize> (n * C) << 2), drow = dx + (<usize> (n * C) << 2);
    let max = <f64> load<f32>(row);
    for (let c = 1; c < C; c++) max = Math.max(max, <f64> load<f32>(row + (<usize> c << 2)));
    let sum: f64 = 0;
    for (let c = 0; c < C; c++) sum += Math.exp(<f64> load<f32>(row + (<usize> c << 2)) - max);
    const logSum = Math.log(sum) + max;
    const yn = load<i32>(y + (<usize> n << 2));
    for (let c = 0; c < C; c++) {
      const q = c == yn ? on : off;
      const logP = <f64> load<f32>(row + (<usize> c << 2)) - logSum;
      loss -= q * logP;
      store<f32>(drow + (<usize> c << 2), <f32> ((Math.exp(logP) - q) * invN));
    }
  }
  return loss * invN;
}
