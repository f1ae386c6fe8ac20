// ReLU backward (kernels/ref/elementwise.ts): dx = dout where x > 0, else 0 (overwrites dx).
// One invocation per element, on a 2-D grid of 1-D workgroups (index = (y·gx + x)·WG + lid).
// Bindings: 0 params, 1 dx (n), 2 dout (n), 3 x (n).

override WG: u32 = 256;

struct Params { n: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> dx: array<f32>;
@group(0) @binding(2) var<storage, read> dout: array<f32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,
        @builtin(num_workgroups) groups: vec3u) {
  let e = (wid.y * groups.x + wid.x) * WG + lid;
  if (e >= p.n) { return; }
  dx[e] = select(0.0, dout[e], x[e] > 0.0);
}
