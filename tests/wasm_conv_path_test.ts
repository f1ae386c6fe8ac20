/**
 * The conv dispatch rules are stated once, in the module's `convPath`: every case of the
 * differential table (tests/_wasm_cases.ts) takes the path written here, every path is covered
 * by some case, and the scratch sizes follow the same answer.
 */

import assert from "node:assert/strict";
import { CONV_CASES } from "./_wasm_cases.ts";
import { convDims } from "../core/dims.ts";
import {
  type ConvPath,
  convPath,
  type ConvPathName,
  setPartialTiles,
} from "../kernels/wasm/mod.ts";
import { exports } from "../kernels/wasm/_runtime.ts";

// Per case of CONV_CASES, in order: forward, data gradient and filter gradient paths (I im2col +
// GEMM, or GEMM + col2im for the data gradient; D direct; S stride-2 planes; W Winograd), and
// "+" where the filter gradient is image-chunked. Winograd covers odd maps too (a partial tile
// grid, winogradPartialFits), so cases 5, 19 and 25 take it, 28 for its forward and 49 for its
// data gradient.
const EXPECTED: readonly string[] = [
  "III",
  "III",
  "DII+",
  "SSI",
  "DID",
  "WWW",
  "III",
  "IIS+",
  "III",
  "DII",
  "III",
  "III+",
  "III",
  "III",
  "III",
  "DII",
  "IID",
  "III",
  "DWI+",
  "WWW",
  "III",
  "SII",
  "DII+",
  "III",
  "III",
  "WWW",
  "DII+",
  "III",
  "WII",
  "DII",
  "III",
  "III+",
  "WWW",
  "III",
  "DII",
  "DII+",
  "WIW+",
  "WWW",
  "WIW",
  "WII+",
  "WIW",
  "DWI",
  "DWI+",
  "WWW+",
  "WWW",
  "WIW+",
  "WWW+",
  "WWW",
  "WWW+",
  "WWW+",
  "WWW+",
  "WWW+",
  "WWW+",
  "WWW",
  "WWW",
  "WWW+",
  "WWW+",
  "WWW+",
  "WWW+",
  "WWW",
  "WWW+",
  "WWW+",
  "III+",
  "SSS+",
  "SSS+",
  "SSS+",
  "SIS+",
  "SSS+",
  "ISI+",
  "ISS+",
  "ISI+",
  "ISI+",
  "ISS+",
  "SIS+",
  "ISI+",
  "SSS+",
  "IIS+",
  "III",
  "III+",
  "III",
  "III",
  "III+",
];

const LETTER: Record<ConvPathName, string> = {
  im2col: "I",
  direct: "D",
  stride2: "S",
  winograd: "W",
};

function code(p: ConvPath): string {
  return LETTER[p.forward] + LETTER[p.data] + LETTER[p.filter] + (p.filterChunked ? "+" : "");
}

Deno.test("convPath: every case of the differential table takes its stated path", () => {
  assert.equal(EXPECTED.length, CONV_CASES.length, "one expected path per case of CONV_CASES");
  CONV_CASES.forEach(([xs, ws, stride, pad], i) => {
    const got = code(convPath(convDims("test", xs, ws, stride, pad)));
    assert.equal(got, EXPECTED[i], `case ${i}: x=(${xs}) w=(${ws}) s=${stride} p=${pad}`);
  });
});

Deno.test("convPath: the differential table covers every path of every pass", () => {
  const seen = new Set(
    CONV_CASES.map(([xs, ws, s, p]) => code(convPath(convDims("t", xs, ws, s, p)))),
  );
  const has = (at: number, letter: string) => [...seen].some((c) => c[at] === letter);
  for (const letter of "IDSW") assert.ok(has(0, letter), `forward path ${letter} untested`);
  for (const letter of "ISW") assert.ok(has(1, letter), `data path ${letter} untested`);
  for (const letter of "IDSW") assert.ok(has(2, letter), `filter path ${letter} untested`);
  assert.ok(has(3, "+"), "no case with an image-chunked filter gradient");
  assert.ok([...seen].some((c) => c.length === 3), "no case with a column-split filter gradient");
  assert.ok(![...seen].some((c) => c[1] === "D"), "the data gradient has no direct path");
});

Deno.test("convPath: the job-wide filter scratch exists exactly where the filter gradient is chunked", () => {
  const shapes = [
    ...CONV_CASES.map(([xs, ws, s, p]) => convDims("t", xs, ws, s, p)),
    convDims("W5", [128, 64, 32, 32], [64, 64, 3, 3], 1, 1), // F·C = 4096: chunked Winograd
    convDims("wide", [4, 32, 16, 16], [64, 32, 3, 3], 2, 1), // 18432 weights: columns
  ];
  for (const d of shapes) {
    const args = [d.N, d.C, d.H, d.W, d.F, d.KH, d.KW, d.stride, d.pad, d.HO, d.WO] as const;
    const shared = exports.convBackwardSharedBytes(...args);
    const path = convPath(d);
    assert.equal(shared > 0, path.filterChunked, `x=(${d.N},${d.C},${d.H},${d.W}) F=${d.F}`);
  }
});

Deno.test("setPartialTiles(false) keeps odd maps on the paths they took before partial tiles", () => {
  // AirNet's 3×3 convs (31, 15, 7 and 3 wide) and an exact-grid shape that never changes
  const cases: [number[], number[], string, string][] = [
    [[512, 24, 31, 31], [64, 24, 3, 3], "WWW+", "III"],
    [[512, 64, 15, 15], [64, 64, 3, 3], "WWW+", "III"],
    [[512, 64, 15, 15], [128, 64, 3, 3], "WWW+", "III"],
    [[512, 128, 7, 7], [128, 128, 3, 3], "WWW+", "III"],
    [[512, 128, 3, 3], [128, 128, 3, 3], "WWW+", "III"],
    [[128, 64, 32, 32], [64, 64, 3, 3], "WWW+", "WWW+"],
  ];
  try {
    for (const [xs, ws, on, off] of cases) {
      const d = convDims("t", xs, ws, 1, 1);
      setPartialTiles(true);
      assert.equal(code(convPath(d)), on, `x=(${xs}) w=(${ws}) with partial tiles`);
      setPartialTiles(false);
      assert.equal(code(convPath(d)), off, `x=(${xs}) w=(${ws}) without`);
    }
  } finally {
    setPartialTiles(true);
  }
});
