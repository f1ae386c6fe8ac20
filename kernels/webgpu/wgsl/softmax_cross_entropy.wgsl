// Softmax cross-entropy (kernels/ref/loss.ts): one invocation per row n of scores x (N, C)
// writes that row's loss −log softmax(x_n)[y_n] (row maximum subtracted) to losses[n] and its
// gradient row dx_n = (softmax(x_n) − onehot(y_n)) / N (overwriting). The mean is Σ losses / N.
// 1-D grid of 1-D workgroups. Bindings: 0 params, 1 dx (N, C), 2 losses (N), 3 x (N, C), 4 y (N) i32.

override WG: u32 = 64;

struct Params { N: u32, C: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> dx: array<f32>;
@group(0) @binding(2) var<storage, read_write> losses: array<f32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;
@group(0) @binding(4) var<storage, read> y: array<i32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let n = gid.x;
  if (n >= p.N) { return; }
  let row = n * p.C;
  var mx = x[row];
  for (var c = 1u; c < p.C; c++) { mx = max(mx, x[row + c]); }
  var sum = 0.0;
  for (var c = 0u; c < p.C; c++) { sum += exp(x[row + c] - mx); }
  let logSum = log(sum);
  let label = u32(y[n]);
  losses[n] = -(x[row + label] - mx - logSum);
  let invN = 1.0 / f32(p.N);
  for (var c = 0u; c < p.C; c++) {
    var g = exp(x[row + c] - mx - logSum) * invN;
    if (c == label) { g -= invN; }
    dx[row + c] = g;
  }
}
