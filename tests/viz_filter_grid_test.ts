import { decode } from "fast-png";
import { assertEquals, assertThrows } from "./_assert.ts";
import { fakeFilters } from "./_viz_fixture.ts";
import { filterGrid, filterGridPng } from "../train/viz/filter_grid.ts";

/** The RGB triples of an image row by row. */
function pixels(data: ArrayLike<number>, width: number, height: number, channels = 3) {
  const rows: number[][][] = [];
  for (let y = 0; y < height; y++) {
    const row: number[][] = [];
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * channels;
      row.push([data[o], data[o + 1], data[o + 2]]);
    }
    rows.push(row);
  }
  return rows;
}

Deno.test("filterGrid()", async (t) => {
  await t.step("a tiny RGB weight tensor gives exactly the expected pixels", () => {
    // w: (F=2, C=3, KH=1, KW=2); each filter rescaled on its own over all its channels.
    const w = {
      data: [0, 1, 2, 3, 4, 5, -1, -1, -1, 1, 1, 1],
      shape: [2, 3, 1, 2],
    };
    const a = [0, 102, 204], b = [51, 153, 255]; // filter 0: ⌊255·v/5⌋ for R, G, B
    const c = [0, 0, 255], d = [0, 255, 255]; // filter 1: −1 → 0, 1 → 255
    const bg = [255, 255, 255];
    const row = [a, a, b, b, bg, bg, c, c, d, d]; // 2 columns, padding 1, upscaled ×2
    const png = filterGridPng(w, { padding: 1, scale: 2 });
    const img = decode(png);
    assertEquals([img.width, img.height, img.channels], [10, 2, 3]);
    assertEquals(pixels(img.data, 10, 2), [row, row]);
  });
  await t.step("grey tiles for one channel, mid-grey for a constant filter, empty cells", () => {
    // w: (3, 1, 1, 1) → a 2×2 grid with one empty cell, no padding.
    const img = filterGrid({ data: [5, -2, 7], shape: [3, 1, 1, 1] }, {
      padding: 0,
      scale: 1,
      background: 0,
    });
    assertEquals(pixels(img.data, 2, 2), [
      [[128, 128, 128], [128, 128, 128]],
      [[128, 128, 128], [0, 0, 0]],
    ]);
    const ramp = filterGrid({ data: [0, 1, 2, 3], shape: [1, 1, 2, 2] }, { scale: 1 });
    assertEquals(pixels(ramp.data, 2, 2), [[[0, 0, 0], [85, 85, 85]], [[170, 170, 170], [
      255,
      255,
      255,
    ]]]);
  });
  await t.step("other channel counts give one grey tile per (filter, channel)", () => {
    // w: (2, 4, 1, 1) → 8 tiles, 3 columns × 3 rows with padding 1: 5 × 5 before scaling.
    const img = filterGrid({ data: new Float32Array(8), shape: [2, 4, 1, 1] }, { scale: 1 });
    assertEquals([img.width, img.height], [5, 5]);
  });
  await t.step("32 filters of 7×7×3 make a 6×6 grid upscaled ×8 by default", () => {
    const img = filterGrid({ data: fakeFilters(32, 7), shape: [32, 3, 7, 7] });
    assertEquals([img.width, img.height], [(6 * 7 + 5) * 8, (6 * 7 + 5) * 8]);
    assertEquals(
      filterGridPng({ data: fakeFilters(32, 7), shape: [32, 3, 7, 7] }).length > 0,
      true,
    );
  });
  await t.step("rejects wrong shapes and diverged weights with clear errors", () => {
    assertThrows(
      () => filterGrid({ data: [1, 2], shape: [2, 1] }),
      TypeError,
      "expected conv weights (F, C, KH, KW)",
    );
    assertThrows(
      () => filterGrid({ data: [1, 2, 3], shape: [1, 1, 2, 2] }),
      TypeError,
      "needs 4 weights but data has 3",
    );
    assertThrows(
      () => filterGrid({ data: [1, NaN, 3, 4], shape: [1, 1, 2, 2] }),
      RangeError,
      "weight 1 is NaN; the run has diverged",
    );
    assertThrows(
      () => filterGrid({ data: [1], shape: [1, 1, 1, 1] }, { padding: -1 }),
      RangeError,
      "padding -1",
    );
  });
});
