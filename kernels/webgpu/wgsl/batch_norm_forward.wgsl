// Batch-norm 2-D forward (kernels/ref/batchnorm.ts, PyTorch's nn.BatchNorm2d): one workgroup per
// channel c. In training its WG invocations reduce the mean, then the biased variance (two
// passes, tree reductions in workgroup memory), update the running statistics (unbiased
// variance) and save μ and 1/√(σ² + ε); in evaluation they use the running statistics. Then
// they normalise the channel: out = γ·(x − μ)/√(σ² + ε) + β.
// Bindings: 0 params, 1 out (N, C, HW), 2 saveMean (C), 3 saveInvStd (C), 4 runningMean (C),
// 5 runningVar (C), 6 x (N, C, HW), 7 gamma (C), 8 beta (C).

override WG: u32 = 256; // a power of two

struct Params { N: u32, C: u32, HW: u32, training: u32, eps: f32, momentum: f32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read_write> saveMean: array<f32>;
@group(0) @binding(3) var<storage, read_write> saveInvStd: array<f32>;
@group(0) @binding(4) var<storage, read_write> runningMean: array<f32>;
@group(0) @binding(5) var<storage, read_write> runningVar: array<f32>;
@group(0) @binding(6) var<storage, read> x: array<f32>;
@group(0) @binding(7) var<storage, read> gamma: array<f32>;
@group(0) @binding(8) var<storage, read> beta: array<f32>;

var<workgroup> partial: array<f32, WG>;

// Σ over the workgroup of v (every invocation gets the total).
fn reduce(lid: u32, v: f32) -> f32 {
  partial[lid] = v;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (lid < half) { partial[lid] += partial[lid + half]; }
    workgroupBarrier();
  }
  let total = partial[0];
  workgroupBarrier();
  return total;
}

fn at(c: u32, t: u32) -> u32 { return ((t / p.HW) * p.C + c) * p.HW + t % p.HW; }

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u) {
  let c = wid.x;
  let M = p.N * p.HW;
  var mean = runningMean[c];
  var variance = runningVar[c];
  if (p.training != 0u) {
    var s = 0.0;
    for (var t = lid; t < M; t += WG) { s += x[at(c, t)]; }
    mean = reduce(lid, s) / f32(M);
    var sq = 0.0;
    for (var t = lid; t < M; t += WG) { let d = x[at(c, t)] - mean; sq += d * d; }
    variance = reduce(lid, sq) / f32(M);
  }
  let invStd = 1.0 / sqrt(variance + p.eps);
  if (lid == 0u) {
    saveMean[c] = mean;
    saveInvStd[c] = invStd;
    if (p.training != 0u) {
      let m = p.momentum;
      runningMean[c] = (1.0 - m) * runningMean[c] + m * mean;
      runningVar[c] = (1.0 - m) * runningVar[c] + m * variance * f32(M) / f32(M - 1u);
    }
  }
  let scale = gamma[c] * invStd;
  let shift = beta[c] - mean * scale;
  for (var t = lid; t < M; t += WG) { let i = at(c, t); out[i] = x[i] * scale + shift; }
}
