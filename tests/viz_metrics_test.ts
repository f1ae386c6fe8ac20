import { assertEquals, assertThrows, assertTrue } from "./_assert.ts";
import { fakeMetrics } from "./_viz_fixture.ts";
import {
  formatMetricsCsv,
  METRICS_HEADER,
  metricsCsvLine,
  parseMetricsCsv,
} from "../train/viz/metrics.ts";

Deno.test("metrics.csv", async (t) => {
  await t.step("the header is the run-folder contract's", () => {
    assertEquals(METRICS_HEADER, "iteration,epoch,train_loss,val_loss,train_acc,val_acc,lr");
  });
  await t.step("format then parse gives back the rows, empty cells as missing", () => {
    const rows = fakeMetrics(100, 50);
    const text = formatMetricsCsv(rows);
    assertEquals(text.split("\n")[2], metricsCsvLine(rows[1]));
    assertTrue(/^5,0\.1,[\d.]+,,,,0\.001$/.test(text.split("\n")[2]), text.split("\n")[2]);
    assertEquals(parseMetricsCsv(text), rows);
  });
  await t.step("NaN and Infinity are measurements; CRLF and column order do not matter", () => {
    const rows = parseMetricsCsv("val_loss,iteration\r\nNaN,3\r\n-Infinity,4\r\n");
    assertTrue(Number.isNaN(rows[0].valLoss));
    assertEquals(rows[1], { iteration: 4, valLoss: -Infinity });
  });
  await t.step("bad input names the file, line and column", () => {
    assertThrows(
      () => parseMetricsCsv("step,loss\n1,2\n", "run/metrics.csv"),
      TypeError,
      'no "iteration"',
    );
    assertThrows(
      () => parseMetricsCsv("iteration,lr\n1,fast\n", "run/metrics.csv"),
      TypeError,
      'Cannot read run/metrics.csv line 2: "fast" in column lr is not a number',
    );
    assertThrows(
      () => parseMetricsCsv("iteration,lr\n,0.1\n"),
      TypeError,
      "the iteration cell is empty",
    );
  });
});
