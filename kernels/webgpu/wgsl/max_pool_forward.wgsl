// Max-pool forward (kernels/ref/pool2d.ts): one invocation per output element computes the
// window maximum, starting at the window's first element (ties keep the first, row-major), and
// its flat index into x; the last windows of `ceil_mode` sizes are clipped at x's edge. 2-D grid of 1-D workgroups (index = (y·gx + x)·WG + lid).
// Bindings: 0 params, 1 out (N, C, HO, WO), 2 argmax (N, C, HO, WO) i32, 3 x (N, C, H, W).

override WG: u32 = 256;

struct Params { NC: u32, H: u32, W: u32, PH: u32, PW: u32, stride: u32, HO: u32, WO: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read_write> argmax: array<i32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,
        @builtin(num_workgroups) groups: vec3u) {
  let o = (wid.y * groups.x + wid.x) * WG + lid;
  if (o >= p.NC * p.HO * p.WO) { return; }
  let j = o % p.WO;
  let i = (o / p.WO) % p.HO;
  let plane = (o / (p.WO * p.HO)) * p.H * p.W;
  var best = plane + i * p.stride * p.W + j * p.stride;
  var bestValue = x[best];
  let rows = min(p.PH, p.H - i * p.stride);
  let cols = min(p.PW, p.W - j * p.stride);
  for (var ph = 0u; ph < rows; ph++) {
    let row = plane + (i * p.stride + ph) * p.W + j * p.stride;
    for (var pw = 0u; pw < cols; pw++) {
      let v = x[row + pw];
      if (v > bestValue) {
        bestValue = v;
        best = row + pw;
      }
    }
  }
  out[o] = bestValue;
  argmax[o] = i32(best);
}
