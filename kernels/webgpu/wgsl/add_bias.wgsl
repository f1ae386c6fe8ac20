// Bias add (kernels/ref/gemm.ts addRowBias): out[(o·C + c)·inner + i] += bias[c] for out viewed as
// (outer, C, inner) — rows of an affine output when inner = 1, conv planes otherwise.
// One invocation per element of out, on a 2-D grid of 1-D workgroups (index = (y·gx + x)·WG + lid).
// Bindings: 0 params, 1 out read-write, 2 bias (C).

override WG: u32 = 256;

struct Params { count: u32, C: u32, inner: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,
        @builtin(num_workgroups) groups: vec3u) {
  let e = (wid.y * groups.x + wid.x) * WG + lid;
  if (e >= p.count) { return; }
  out[e] = out[e] + bias[(e / p.inner) % p.C];
}
