// Adam / AdamW (kernels/ref/optim.ts, torch.optim.Adam/AdamW): one invocation per parameter
// element updates w[i], m[i], v[i]. The step-dependent scalars (stepSize = lr / (1 − β₁ᵗ),
// sqrtBias2 = √(1 − β₂ᵗ), decay, l2) come from TypeScript. 2-D grid of 1-D workgroups.
// Bindings: 0 params, 1 w (n), 2 m (n), 3 v (n) read-write, 4 g (n).

override WG: u32 = 256;

struct Params {
  n: u32, beta1: f32, beta2: f32, eps: f32, stepSize: f32, sqrtBias2: f32, decay: f32, l2: f32
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> m: array<f32>;
@group(0) @binding(3) var<storage, read_write> v: array<f32>;
@group(0) @binding(4) var<storage, read> g: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,
        @builtin(num_workgroups) groups: vec3u) {
  let i = (wid.y * groups.x + wid.x) * WG + lid;
  if (i >= p.n) { return; }
  let wi = w[i] * p.decay;
  let gi = g[i] + p.l2 * wi;
  let mi = p.beta1 * m[i] + (1.0 - p.beta1) * gi;
  let vi = p.beta2 * v[i] + (1.0 - p.beta2) * gi * gi;
  m[i] = mi;
  v[i] = vi;
  w[i] = wi - p.stepSize * mi / (sqrt(vi) / p.sqrtBias2 + p.eps);
}
