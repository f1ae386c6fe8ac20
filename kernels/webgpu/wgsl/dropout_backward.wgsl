// Dropout backward (kernels/ref/dropout.ts): dx += dout · mask, the mask the forward kept.
// One invocation per element, on a 2-D grid of 1-D workgroups (index = (y·gx + x)·WG + lid).
// Bindings: 0 params, 1 dx (n) read-write, 2 dout (n), 3 mask (n).

override WG: u32 = 256;

struct Params { n: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> dx: array<f32>;
@group(0) @binding(2) var<storage, read> dout: array<f32>;
@group(0) @binding(3) var<storage, read> mask: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,
        @builtin(num_workgroups) groups: vec3u) {
  let e = (wid.y * groups.x + wid.x) * WG + lid;
  if (e >= p.n) { return; }
  dx[e] = dx[e] + dout[e] * mask[e];
}
