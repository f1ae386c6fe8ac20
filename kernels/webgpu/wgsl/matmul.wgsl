// Matmul with transposes (kernels/ref/gemm.ts): c (M×N) = [c +] op(a) · op(b), row-major.
// One invocation computes TM×TN outputs of c; tiling in _gemm_tile.wgsl (appended).
// Bindings: 0 params, 1 c (M, N) read-write, 2 a (M, K) or (K, M) if transA, 3 b (K, N) or (N, K) if transB.

struct Params { M: u32, N: u32, K: u32, transA: u32, transB: u32, accumulate: u32, kBegin: u32, kEnd: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> c: array<f32>;
@group(0) @binding(2) var<storage, read> a: array<f32>;
@group(0) @binding(3) var<storage, read> b: array<f32>;

fn dimM() -> u32 { return p.M; }
fn dimN() -> u32 { return p.N; }
fn kRange() -> vec2u { return vec2u(p.kBegin, p.kEnd); }

fn loadA(m: u32, k: u32) -> f32 {
  if (p.transA != 0u) { return a[k * p.M + m]; }
  return a[m * p.K + k];
}

fn loadB(k: u32, n: u32) -> f32 {
  if (p.transB != 0u) { return b[n * p.K + k]; }
  return b[k * p.N + n];
}

fn storeC(m: u32, n: u32, v: f32) {
  let i = m * p.N + n;
  if (p.accumulate != 0u) { c[i] = c[i] + v; } else { c[i] = v; }
}
