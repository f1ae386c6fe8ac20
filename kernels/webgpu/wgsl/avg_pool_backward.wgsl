// Average-pool backward (kernels/ref/avgpool.ts), dx += ∂L/∂x, as a gather with no atomics: one
// invocation per element of dx adds dout / (PH·PW) of every window that contains it (the last
// windows of `ceil_mode` sizes, clipped at x's edge, divide by the part inside).
// 2-D grid of 1-D workgroups (index = (y·gx + x)·WG + lid).
// Bindings: 0 params, 1 dx (N, C, H, W) read-write, 2 dout (N, C, HO, WO).

override WG: u32 = 256;

struct Params { NC: u32, H: u32, W: u32, PH: u32, PW: u32, stride: u32, HO: u32, WO: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> dx: array<f32>;
@group(0) @binding(2) var<storage, read> dout: array<f32>;

// The first window index whose span [o·s, o·s + size) reaches position v.
fn firstWindow(v: u32, size: u32, s: u32) -> u32 {
  if (v + 1u <= size) { return 0u; }
  return (v + 1u - size + s - 1u) / s;
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,
        @builtin(num_workgroups) groups: vec3u) {
  let e = (wid.y * groups.x + wid.x) * WG + lid;
  if (e >= p.NC * p.H * p.W) { return; }
  let col = e % p.W;
  let h = (e / p.W) % p.H;
  let nc = e / (p.W * p.H);
  var g = 0.0; // whole windows, divided once
  var clipped = 0.0; // clipped windows, each divided by its own size
  for (var i = firstWindow(h, p.PH, p.stride); i < p.HO && i * p.stride <= h; i++) {
    let rows = min(p.PH, p.H - i * p.stride);
    for (var j = firstWindow(col, p.PW, p.stride); j < p.WO && j * p.stride <= col; j++) {
      let cols = min(p.PW, p.W - j * p.stride);
      let d = dout[(nc * p.HO + i) * p.WO + j];
      if (rows == p.PH && cols == p.PW) { g += d; } else { clipped += d / f32(rows * cols); }
    }
  }
  dx[e] = dx[e] + (g / f32(p.PH * p.PW) + clipped);
}
