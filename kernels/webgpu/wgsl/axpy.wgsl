// axpy (kernels/ref/axpy.ts): y += alpha·x. One invocation per element, on a 2-D grid of 1-D
// workgroups (index = (y·gx + x)·WG + lid). The residual add (alpha = 1, forward and backward)
// and Scale (alpha = factor, into a cleared y) of the module API.
// Bindings: 0 params, 1 y (n) read-write, 2 x (n).

override WG: u32 = 256;

struct Params { n: u32, alpha: f32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,
        @builtin(num_workgroups) groups: vec3u) {
  let e = (wid.y * groups.x + wid.x) * WG + lid;
  if (e >= p.n) { return; }
  y[e] = y[e] + p.alpha * x[e];
}
