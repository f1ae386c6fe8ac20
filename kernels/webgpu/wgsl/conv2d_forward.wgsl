// Conv2d forward (kernels/ref/conv2d.ts) as an implicit GEMM: out (F × N·HO·WO) = w (F × C·KH·KW)
// · im2col(x) (C·KH·KW × N·HO·WO) + b. One invocation computes TM×TN outputs; the im2col matrix is
// never stored: loadB gathers x (zero outside the padding). Tiling in _gemm_tile.wgsl (appended).
// Bindings: 0 params, 1 out (N, F, HO, WO), 2 x (N, C, H, W), 3 w (F, C, KH, KW), 4 b (F).

struct Params { N: u32, C: u32, H: u32, W: u32, F: u32, KH: u32, KW: u32, stride: u32, pad: u32, HO: u32, WO: u32, kBegin: u32, kEnd: u32, first: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> w: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;

fn dimM() -> u32 { return p.F; }
fn dimN() -> u32 { return p.N * p.HO * p.WO; }
fn kRange() -> vec2u { return vec2u(p.kBegin, p.kEnd); }

fn loadA(f: u32, k: u32) -> f32 { return w[f * p.C * p.KH * p.KW + k]; }

// k = (c, kh, kw), q = (n, i, j) → x[n, c, i·s + kh − pad, j·s + kw − pad] or 0
fn loadB(k: u32, q: u32) -> f32 {
  let kw = k % p.KW;
  let kh = (k / p.KW) % p.KH;
  let c = k / (p.KW * p.KH);
  let j = q % p.WO;
  let i = (q / p.WO) % p.HO;
  let n = q / (p.WO * p.HO);
  let h = i32(i * p.stride + kh) - i32(p.pad);
  let col = i32(j * p.stride + kw) - i32(p.pad);
  if (h < 0 || h >= i32(p.H) || col < 0 || col >= i32(p.W)) { return 0.0; }
  return x[((n * p.C + c) * p.H + u32(h)) * p.W + u32(col)];
}

fn storeC(f: u32, q: u32, v: f32) {
  let plane = p.HO * p.WO;
  let n = q / plane;
  let i = (n * p.F + f) * plane + q % plane;
  if (p.first != 0u) { out[i] = v + bias[f]; } else { out[i] = out[i] + v; } // later K slices add
}
