// Whether the browser can run the kernels at all.

// A module with one function returning a v128 (i32.const 0, i8x16.splat, i8x16.popcnt): valid
// only where the browser has WebAssembly SIMD, which the kernels need.
const SIMD_PROBE = "0061736d010000000105016000017b030201000a0a0108004100fd0ffd620b";

/** Whether this browser runs WebAssembly SIMD. */
export function hasSimd() {
  return typeof WebAssembly === "object" &&
    WebAssembly.validate(new Uint8Array(SIMD_PROBE.match(/../g).map((h) => parseInt(h, 16))));
}
