// The tiled GEMM main loop shared by matmul and the three conv kernels: C (M×N) = A (M×K) · B (K×N).
// _shaders.ts appends it to a kernel that defines dimM/dimN, kRange (the [begin, end) slice of K
// this dispatch sums: TypeScript splits K over several dispatches on llvmpipe, whose loop limiter
// stops a loop nest after 65535 iterations), loadA(m, k), loadB(k, n) and storeC(m, n, v); loads
// are only called in bounds. One workgroup computes a (WG_M·TM)×(WG_N·TN)
// block of C, staging TK-deep slices of A and B in workgroup memory; one invocation computes
// TM×TN outputs, strided by the workgroup size so neighbouring invocations touch neighbouring columns.

override WG_M: u32 = 16; // invocations per workgroup along M
override WG_N: u32 = 16; // invocations per workgroup along N
const TM: u32 = 4;       // outputs per invocation along M
const TN: u32 = 4;       // outputs per invocation along N
const TK: u32 = 16;      // depth of one shared-memory slice

var<workgroup> tileA: array<f32, WG_M * TM * TK>; // (BM, TK)
var<workgroup> tileB: array<f32, TK * WG_N * TN>; // (TK, BN)

@compute @workgroup_size(WG_N, WG_M)
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let M = dimM();
  let N = dimN();
  let kr = kRange();
  let BM = WG_M * TM;
  let BN = WG_N * TN;
  let m0 = wid.y * BM;
  let n0 = wid.x * BN;
  let tid = lid.y * WG_N + lid.x;
  let threads = WG_M * WG_N;
  var acc: array<f32, TM * TN>;
  for (var k0 = kr.x; k0 < kr.y; k0 += TK) {
    for (var e = tid; e < BM * TK; e += threads) {
      let m = m0 + e / TK;
      let k = k0 + e % TK;
      var v = 0.0;
      if (m < M && k < kr.y) { v = loadA(m, k); }
      tileA[e] = v;
    }
    for (var e = tid; e < TK * BN; e += threads) {
      let k = k0 + e / BN;
      let n = n0 + e % BN;
      var v = 0.0;
      if (k < kr.y && n < N) { v = loadB(k, n); }
      tileB[e] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      var b: array<f32, TN>;
      for (var j = 0u; j < TN; j++) { b[j] = tileB[kk * BN + lid.x + j * WG_N]; }
      for (var i = 0u; i < TM; i++) {
        let a = tileA[(lid.y + i * WG_M) * TK + kk];
        for (var j = 0u; j < TN; j++) { acc[i * TN + j] = fma(a, b[j], acc[i * TN + j]); }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < TM; i++) {
    let m = m0 + lid.y + i * WG_M;
    for (var j = 0u; j < TN; j++) {
      let n = n0 + lid.x + j * WG_N;
      if (m < M && n < N) { storeC(m, n, acc[i * TN + j]); }
    }
  }
}
