// Channel sums (kernels/ref/gemm.ts sumRows; the conv bias gradient of kernels/ref/conv2d.ts):
// sums[c] += Σ_{o, i} m[(o·C + c)·inner + i] for m viewed as (outer, C, inner).
// One workgroup per channel c: its WG invocations stride over the outer·inner terms, then a
// tree reduction in workgroup memory. Bindings: 0 params, 1 sums (C) read-write, 2 m (outer, C, inner).

override WG: u32 = 256; // invocations per workgroup, a power of two

struct Params { outer: u32, C: u32, inner: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> sums: array<f32>;
@group(0) @binding(2) var<storage, read> m: array<f32>;

var<workgroup> partial: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u) {
  let c = wid.x;
  let count = p.outer * p.inner;
  var s = 0.0;
  for (var t = lid; t < count; t += WG) {
    s += m[((t / p.inner) * p.C + c) * p.inner + t % p.inner];
  }
  partial[lid] = s;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (lid < half) { partial[lid] += partial[lid + half]; }
    workgroupBarrier();
  }
  if (lid == 0u) { sums[c] = sums[c] + partial[0]; }
}
