// Conv2d backward filter (kernels/ref/conv2d.ts), dw += ∂L/∂w, as an implicit GEMM:
// dw (F × C·KH·KW) += dout (F × N·HO·WO) · im2col(x)ᵀ (N·HO·WO × C·KH·KW). The bias gradient is
// channel_sum.wgsl's job. One invocation computes TM×TN elements of dw; tiling in _gemm_tile.wgsl.
// Bindings: 0 params, 1 dw (F, C, KH, KW) read-write, 2 dout (N, F, HO, WO), 3 x (N, C, H, W).

struct Params { N: u32, C: u32, H: u32, W: u32, F: u32, KH: u32, KW: u32, stride: u32, pad: u32, HO: u32, WO: u32, kBegin: u32, kEnd: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> dw: array<f32>;
@group(0) @binding(2) var<storage, read> dout: array<f32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;

fn dimM() -> u32 { return p.F; }
fn dimN() -> u32 { return p.C * p.KH * p.KW; }
fn kRange() -> vec2u { return vec2u(p.kBegin, p.kEnd); }

// q = (n, i, j) → dout[n, f, i, j]
fn loadA(f: u32, q: u32) -> f32 {
  let plane = p.HO * p.WO;
  return dout[((q / plane) * p.F + f) * plane + q % plane];
}

// q = (n, i, j), k = (c, kh, kw) → x[n, c, i·s + kh − pad, j·s + kw − pad] or 0
fn loadB(q: u32, k: u32) -> f32 {
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

fn storeC(f: u32, k: u32, v: f32) {
  let idx = f * p.C * p.KH * p.KW + k;
  dw[idx] = dw[idx] + v;
}
