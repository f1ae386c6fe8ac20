// Softmax cross-entropy with label smoothing ε (kernels/ref/cross_entropy.ts, PyTorch's
// F.cross_entropy(label_smoothing=ε)): the target of row n is q_n = (1 − ε)·onehot(y_n) + ε/C.
// One invocation per row n of scores x (N, C) writes that row's loss −Σ_c q_nc·log softmax(x_n)_c
// (row maximum subtracted) to losses[n] and its gradient row dx_n = (softmax(x_n) − q_n) / N
// (overwriting). The mean loss is Σ losses / N.
// 1-D grid of 1-D workgroups. Bindings: 0 params, 1 dx (N, C), 2 losses (N), 3 x (N, C), 4 y (N) i32.

override WG: u32 = 64;

struct Params { N: u32, C: u32, smoothing: f32 }

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
  let logSum = log(sum) + mx;
  let label = u32(y[n]);
  let off = p.smoothing / f32(p.C);
  let on = 1.0 - p.smoothing + off;
  let invN = 1.0 / f32(p.N);
  var loss = 0.0;
  for (var c = 0u; c < p.C; c++) {
    let q = select(off, on, c == label);
    let logP = x[row + c] - logSum;
    loss -= q * logP;
    dx[row + c] = (exp(logP) - q) * invN;
  }
  losses[n] = loss;
}
