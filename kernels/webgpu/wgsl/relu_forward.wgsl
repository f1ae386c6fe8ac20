// ReLU forward (kernels/ref/elementwise.ts): out = max(x, 0). One invocation per element, on a
// 2-D grid of 1-D workgroups (index = (y·gx + x)·WG + lid). Bindings: 0 params, 1 out (n), 2 x (n).

override WG: u32 = 256;

struct Params { n: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,
        @builtin(num_workgroups) groups: vec3u) {
  let e = (wid.y * groups.x + wid.x) * WG + lid;
  if (e >= p.n) { return; }
  out[e] = select(0.0, x[e], x[e] > 0.0);
}
