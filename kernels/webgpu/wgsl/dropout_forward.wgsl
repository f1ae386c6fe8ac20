// Inverted dropout forward (kernels/ref/dropout.ts): element i is kept when
// fmix32(i·0x9E3779B9 + seed) ≥ T (T = ⌈p·2³²⌉; keepNone when T = 2³²), so the mask is the one
// the reference and WASM draw from the same seed. mask = 0 or scale = 1/(1 − p), out = x·mask
// (in float32: within an ulp of the reference's float64 product).
// One invocation per element, on a 2-D grid of 1-D workgroups (index = (y·gx + x)·WG + lid).
// Bindings: 0 params, 1 out (n), 2 mask (n), 3 x (n).

override WG: u32 = 256;

struct Params { n: u32, seed: u32, T: u32, keepNone: u32, scale: f32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read_write> mask: array<f32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;

// MurmurHash3's fmix32 of i·0x9E3779B9 + seed (kernels/ref/dropout.ts's dropoutHash).
fn dropoutHash(seed: u32, i: u32) -> u32 {
  var h = i * 0x9e3779b9u + seed;
  h ^= h >> 16u;
  h *= 0x85ebca6bu;
  h ^= h >> 13u;
  h *= 0xc2b2ae35u;
  h ^= h >> 16u;
  return h;
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,
        @builtin(num_workgroups) groups: vec3u) {
  let e = (wid.y * groups.x + wid.x) * WG + lid;
  if (e >= p.n) { return; }
  let keep = p.keepNone == 0u && dropoutHash(p.seed, e) >= p.T;
  mask[e] = select(0.0, p.scale, keep);
  out[e] = select(0.0, x[e] * p.scale, keep);
}
