import { decode } from "fast-png";
import { assertEquals, assertThrows, assertTrue } from "./_assert.ts";
import { fakeMetrics } from "./_viz_fixture.ts";
import {
  accuracyChartOptions,
  COLORS,
  type LineChartOptions,
  lineChartSpec,
  lossChartOptions,
} from "../train/viz/chart.ts";
import { svgToPng, vegaLiteToPng, vegaLiteToSvg } from "../train/viz/render.ts";
import { FontMetrics } from "../train/viz/_font_metrics.ts";
import dejaVuTtf from "dejavu-fonts-ttf/ttf/DejaVuSans.ttf" with { type: "bytes" };

const dejaVu = new FontMetrics(dejaVuTtf);

/** Pixels whose RGB is within `tol` of `hex` in every channel. */
function countColour(png: Uint8Array, hex: string, tol = 12): number {
  const img = decode(png);
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  let n = 0;
  for (let p = 0; p < img.width * img.height; p++) {
    const d = img.data, o = p * img.channels;
    if (
      Math.abs(d[o] - r) <= tol && Math.abs(d[o + 1] - g) <= tol && Math.abs(d[o + 2] - b) <= tol
    ) n++;
  }
  return n;
}

function svgSize(svg: string): [number, number] {
  const m = svg.match(/^<svg[^>]* width="(\d+)" height="(\d+)"/);
  if (!m) throw new Error(`no size in ${svg.slice(0, 200)}`);
  return [Number(m[1]), Number(m[2])];
}

const ONE_SERIES = (y: number[]): LineChartOptions => ({
  title: "t",
  xTitle: "x",
  yTitle: "y",
  series: [{ name: "s", color: COLORS.train, x: y.map((_, i) => i), y }],
});

Deno.test("lineChartSpec()", async (t) => {
  await t.step("an empty history is a clear RangeError", () => {
    assertThrows(
      () => lineChartSpec(lossChartOptions([])),
      RangeError,
      'Cannot plot "Training and validation loss": there is nothing to draw (no series has any',
    );
  });
  await t.step("an all-NaN history is a clear RangeError", () => {
    assertThrows(
      () => lineChartSpec(ONE_SERIES([NaN, Infinity])),
      RangeError,
      "all 2 values are NaN, ±∞ or ≤ 0",
    );
  });
  await t.step("series whose x and y lengths differ are a TypeError", () => {
    const o = ONE_SERIES([1, 2]);
    o.series[0].x = [0];
    assertThrows(() => lineChartSpec(o), TypeError, 'series "s" has 1 x values but 2 y values');
  });
  await t.step("a value ≤ 0 is a marked gap on a log axis only", () => {
    const json = (logY: boolean) =>
      JSON.stringify(lineChartSpec({ ...ONE_SERIES([1, 0, 2]), logY }));
    assertTrue(json(true).includes('"type":"log"'));
    assertTrue(json(true).includes('"bad":true'));
    assertTrue(!json(false).includes('"bad":true'));
  });
  await t.step("a long training curve gets a light raw line and its moving average", () => {
    const o = lossChartOptions(fakeMetrics(2000, 100));
    assertEquals(o.series.map((s) => s.name), [
      "train loss",
      "train loss (moving avg)",
      "val loss",
    ]);
    assertEquals(o.series[0].color, COLORS.trainLight);
    assertEquals(o.series[1].width, 2);
    assertEquals(o.series[1].y.length, o.series[0].y.length);
  });
  await t.step("epochs on x, accuracies as percentages, missing cells skipped", () => {
    const rows = fakeMetrics(100, 50);
    const o = accuracyChartOptions(rows, { x: "epoch" });
    assertEquals(o.xTitle, "epoch");
    assertEquals(o.yFormat, ".0%");
    assertEquals(o.series[0].x, [0, 1, 2]); // val measured at iterations 0, 50, 100
    assertEquals(lossChartOptions(rows).series[0].x.length, rows.length);
  });
});

Deno.test("vegaLiteToPng()", async (t) => {
  const rows = fakeMetrics();
  await t.step("the loss chart decodes to twice the SVG size and shows both colours", async () => {
    const spec = lineChartSpec(lossChartOptions(rows));
    const [w, h] = svgSize(await vegaLiteToSvg(spec));
    const png = await vegaLiteToPng(spec);
    const img = decode(png);
    assertEquals([img.width, img.height], [2 * w, 2 * h]);
    assertTrue(w > 640 && h > 360, `chart ${w}×${h} is smaller than its plot area`);
    const train = countColour(png, COLORS.train), val = countColour(png, COLORS.val);
    assertTrue(train > 2000, `${train} train-blue pixels`);
    assertTrue(val > 2000, `${val} val-orange pixels`);
    assertEquals(countColour(png, COLORS.bad), 0);
  });
  await t.step("the same input gives byte-identical PNGs", async () => {
    const spec = lineChartSpec(accuracyChartOptions(rows, { x: "epoch" }));
    assertEquals(await vegaLiteToPng(spec), await vegaLiteToPng(spec));
  });
  await t.step("a NaN in the history is drawn as a marked gap, not a crash", async () => {
    const broken = rows.map((r) => r.iteration === 200 ? { ...r, trainLoss: NaN } : r);
    const png = await vegaLiteToPng(lineChartSpec(lossChartOptions(broken, { logY: true })));
    assertTrue(countColour(png, COLORS.bad) > 100, "no red NaN marker");
    assertTrue(countColour(png, COLORS.train) > 2000);
  });
  await t.step("text is drawn with the bundled font (dark pixels in the title band)", async () => {
    const png = await vegaLiteToPng(lineChartSpec(lossChartOptions(rows)));
    const img = decode(png);
    let dark = 0;
    for (let p = 0; p < img.width * 40; p++) if (img.data[p * img.channels] < 64) dark++;
    assertTrue(dark > 500, `${dark} dark pixels in the title band`);
  });
});

Deno.test("FontMetrics", async (t) => {
  await t.step("advance widths agree with resvg's layout of the same font", async () => {
    // Row 1: the text then "H"; row 2: a lone "H" where the widths say the first one starts.
    // Both rows' ink must end in the same column.
    // (No kerning pairs such as "Tr": resvg kerns them, the widths do not.)
    const text = "loss 0.8394 (moving avg) abcdefghijklmnopqrstuvwxyz";
    const size = 40, left = 10;
    const width = dejaVu.width(text, size);
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.ceil(width) + 80}" ` +
      `height="120"><text x="${left}" y="45" font-size="${size}">${text}H</text>` +
      `<text x="${left + width}" y="105" font-size="${size}">H</text></svg>`;
    const img = decode(await svgToPng(svg, { scale: 1 }));
    const rightmost = (y0: number, y1: number) => {
      let right = -1;
      for (let y = y0; y < y1; y++) {
        for (let x = 0; x < img.width; x++) {
          if (img.data[(y * img.width + x) * img.channels] < 128) right = Math.max(right, x);
        }
      }
      return right;
    };
    const [row1, row2] = [rightmost(0, 60), rightmost(60, 120)];
    assertTrue(row2 > width, `no ink in row 2 (${row2})`);
    assertTrue(Math.abs(row1 - row2) <= 2, `text ends at ${row1}, the widths say ${row2}`);
    assertEquals(dejaVu.width("MM", 10), 2 * dejaVu.width("M", 10));
    assertTrue(dejaVu.width("i", 10) < dejaVu.width("W", 10));
  });
});
