// Classification losses over a batch of scores, computed in float64 inside; match
// kernels/ref/loss.ts (softmaxCrossEntropy, svmLoss). Small (N×C): one thread. Each returns
// the mean loss and overwrites dx.

/** Returns the mean loss.  dx, x: (N, C) float32  y: (N) int32 class indices. */
export function softmaxCrossEntropy(dx: usize, x: usize, y: usize, N: i32, C: i32): f64 {
  let loss: f64 = 0;
  const invN: f64 = 1.0 / <f64> N;
  for (let n = 0; n < N; n++) {
    const row = <usize> (n * C);
    let max = <f64> load<f32>(x + (row << 2));
    for (let c = 1; c < C; c++) max = Math.max(max, <f64> load<f32>(x + ((row + c) << 2)));
    let sum: f64 = 0;
    for (let c = 0; c < C; c++) sum += Math.exp(<f64> load<f32>(x + ((row + c) << 2)) - max);
    const logSum = Math.log(sum);
    const yn = <usize> load<i32>(y + (<usize> n << 2));
    loss -= <f64> load<f32>(x + ((row + yn) << 2)) - max - logSum;
    for (let c = 0; c < C; c++) {
      const q = (row + c) << 2;
      let g = Math.exp(<f64> load<f32>(x + q) - max - logSum) * invN;
      if (<usize> c == yn) g -= invN;
      store<f32>(dx + q, <f32> g);
    }
  }
  return loss * invN;
}

/** Returns the mean hinge loss (margin 1).  dx, x: (N, C) float32  y: (N) int32. */
export function svmLoss(dx: usize, x: usize, y: usize, N: i32, C: i32): f64 {
  let loss: f64 = 0;
  const invN: f64 = 1.0 / <f64> N;
  for (let n = 0; n < N; n++) {
    const row = <usize> (n * C);
    const yn = load<i32>(y + (<usize> n << 2));
    const correct = <f64> load<f32>(x + ((row + <usize> yn) << 2));
    let positives = 0;
    for (let c = 0; c < C; c++) {
      const q = (row + <usize> c) << 2;
      let g: f64 = 0;
      if (c != yn) {
        const margin = <f64> load<f32>(x + q) - correct + 1;
        if (margin > 0) {
          loss += margin;
          g = invN;
          positives++;
        }
      }
      store<f32>(dx + q, <f32> g);
    }
    store<f32>(dx + ((row + <usize> yn) << 2), <f32> (-<f64> positives * invN));
  }
  return loss * invN;
}
