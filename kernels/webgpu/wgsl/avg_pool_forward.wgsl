// Average-pool forward (kernels/ref/avgpool.ts): one invocation per output element sums its
// PH×PW window and divides by PH·PW (the last windows of `ceil_mode` sizes: clipped at x's edge
// and divided by the part inside). 2-D grid of 1-D workgroups (index = (y·gx + x)·WG + lid).
// Bindings: 0 params, 1 out (N, C, HO, WO), 2 x (N, C, H, W).

override WG: u32 = 256;

struct Params { NC: u32, H: u32, W: u32, PH: u32, PW: u32, stride: u32, HO: u32, WO: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,
        @builtin(num_workgroups) groups: vec3u) {
  let o = (wid.y * groups.x + wid.x) * WG + lid;
  if (o >= p.NC * p.HO * p.WO) { return; }
  let j = o % p.WO;
  let i = (o / p.WO) % p.HO;
  let plane = (o / (p.WO * p.HO)) * p.H * p.W;
  let rows = min(p.PH, p.H - i * p.stride);
  let cols = min(p.PW, p.W - j * p.stride);
  var sum = 0.0;
  for (var ph = 0u; ph < rows; ph++) {
    let row = plane + (i * p.stride + ph) * p.W + j * p.stride;
    for (var pw = 0u; pw < cols; pw++) { sum += x[row + pw]; }
  }
  out[o] = sum / f32(rows * cols);
}
