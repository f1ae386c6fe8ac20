// Conv2d backward data (kernels/ref/conv2d.ts), dx += ∂L/∂x, as an implicit GEMM:
// dx (C × N·H·W) += wᵀ (C × F·KH·KW) · cols(dout) (F·KH·KW × N·H·W), where cols(dout) holds
// dout[n, f, i, j] when h = i·s + kh − pad and x = j·s + kw − pad for whole i, j in range, else 0.
// One invocation computes TM×TN elements of dx; tiling in _gemm_tile.wgsl (appended).
// Bindings: 0 params, 1 dx (N, C, H, W) read-write, 2 dout (N, F, HO, WO), 3 w (F, C, KH, KW).

struct Params { N: u32, C: u32, H: u32, W: u32, F: u32, KH: u32, KW: u32, stride: u32, pad: u32, HO: u32, WO: u32, kBegin: u32, kEnd: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> dx: array<f32>;
@group(0) @binding(2) var<storage, read> dout: array<f32>;
@group(0) @binding(3) var<storage, read> w: array<f32>;

fn dimM() -> u32 { return p.C; }
fn dimN() -> u32 { return p.N * p.H * p.W; }
fn kRange() -> vec2u { return vec2u(p.kBegin, p.kEnd); }

// k = (f, kh, kw) → w[f, c, kh, kw]
fn loadA(c: u32, k: u32) -> f32 {
  let kk = k % (p.KH * p.KW);
  let f = k / (p.KH * p.KW);
  return w[(f * p.C + c) * p.KH * p.KW + kk];
}

// k = (f, kh, kw), q = (n, h, x) → dout[n, f, i, j] with i·s = h + pad − kh, j·s = x + pad − kw
fn loadB(k: u32, q: u32) -> f32 {
  let kw = k % p.KW;
  let kh = (k / p.KW) % p.KH;
  let f = k / (p.KW * p.KH);
  let col = q % p.W;
  let h = (q / p.W) % p.H;
  let n = q / (p.W * p.H);
  let ti = i32(h + p.pad) - i32(kh);
  let tj = i32(col + p.pad) - i32(kw);
  if (ti < 0 || tj < 0) { return 0.0; }
  let s = p.stride;
  if (u32(ti) % s != 0u || u32(tj) % s != 0u) { return 0.0; }
  let i = u32(ti) / s;
  let j = u32(tj) / s;
  if (i >= p.HO || j >= p.WO) { return 0.0; }
  return dout[((n * p.F + f) * p.HO + i) * p.WO + j];
}

fn storeC(c: u32, q: u32, v: f32) {
  let plane = p.H * p.W;
  let idx = ((q / plane) * p.C + c) * plane + q % plane;
  dx[idx] = dx[idx] + v;
}
