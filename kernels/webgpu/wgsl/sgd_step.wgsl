// SGD with momentum, weight decay and Nesterov (kernels/ref/optim.ts, torch.optim.SGD):
// one invocation per parameter element updates w[i] and its velocity v[i].
// 2-D grid of 1-D workgroups (index = (y·gx + x)·WG + lid).
// Bindings: 0 params, 1 w (n) read-write, 2 v (n) read-write, 3 g (n).

override WG: u32 = 256;

struct Params { n: u32, nesterov: u32, lr: f32, momentum: f32, weightDecay: f32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> v: array<f32>;
@group(0) @binding(3) var<storage, read> g: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,
        @builtin(num_workgroups) groups: vec3u) {
  let i = (wid.y * groups.x + wid.x) * WG + lid;
  if (i >= p.n) { return; }
  var d = g[i] + p.weightDecay * w[i];
  if (p.momentum > 0.0) {
    let vi = p.momentum * v[i] + d;
    v[i] = vi;
    d = select(vi, d + p.momentum * vi, p.nesterov != 0u);
  }
  w[i] = w[i] - p.lr * d;
}
