// Batch-norm 2-D backward (kernels/ref/batchnorm.ts): one workgroup per channel c reduces Σ dout
// and Σ dout·x̂ (tree reductions in workgroup memory), adds them to dbeta[c] and dgamma[c], then
// adds into dx: γ·σ⁻¹·(dout − Σdout/M − x̂·Σdout·x̂/M) in training, γ·σ⁻¹·dout in evaluation.
// Bindings: 0 params, 1 dx (N, C, HW), 2 dgamma (C), 3 dbeta (C) read-write, 4 dout (N, C, HW),
// 5 x (N, C, HW), 6 gamma (C), 7 saveMean (C), 8 saveInvStd (C).

override WG: u32 = 256; // a power of two

struct Params { N: u32, C: u32, HW: u32, training: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> dx: array<f32>;
@group(0) @binding(2) var<storage, read_write> dgamma: array<f32>;
@group(0) @binding(3) var<storage, read_write> dbeta: array<f32>;
@group(0) @binding(4) var<storage, read> dout: array<f32>;
@group(0) @binding(5) var<storage, read> x: array<f32>;
@group(0) @binding(6) var<storage, read> gamma: array<f32>;
@group(0) @binding(7) var<storage, read> saveMean: array<f32>;
@group(0) @binding(8) var<storage, read> saveInvStd: array<f32>;

var<workgroup> partial: array<vec2f, WG>;

fn at(c: u32, t: u32) -> u32 { return ((t / p.HW) * p.C + c) * p.HW + t % p.HW; }

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u) {
  let c = wid.x;
  let M = p.N * p.HW;
  let mean = saveMean[c];
  let invStd = saveInvStd[c];
  var s = vec2f(0.0);
  for (var t = lid; t < M; t += WG) {
    let i = at(c, t);
    s += vec2f(dout[i], dout[i] * (x[i] - mean) * invStd);
  }
  partial[lid] = s;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (lid < half) { partial[lid] += partial[lid + half]; }
    workgroupBarrier();
  }
  let sums = partial[0]; // (Σ dout, Σ dout·x̂)
  if (lid == 0u) {
    dbeta[c] = dbeta[c] + sums.x;
    dgamma[c] = dgamma[c] + sums.y;
  }
  let k = gamma[c] * invStd;
  var meanDout = 0.0;
  var meanDoutXhat = 0.0;
  if (p.training != 0u) {
    meanDout = sums.x / f32(M);
    meanDoutXhat = sums.y / f32(M);
  }
  for (var t = lid; t < M; t += WG) {
    let i = at(c, t);
    let xhat = (x[i] - mean) * invStd;
    dx[i] = dx[i] + k * (dout[i] - meanDout - xhat * meanDoutXhat);
  }
}
