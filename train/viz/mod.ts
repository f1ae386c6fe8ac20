/**
 * Pictures of training runs: loss and accuracy curves, first-layer filter grids, the HTML run
 * report, and the convolution aside. Training tasks import this module; the run-folder
 * contract they follow is documented in `./plot.ts`.
 *
 * At the end of every epoch (and of the run), a training task calls:
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadRun, writeMetrics, writeReport, writeRunPictures } from "./mod.ts";
 * const runDir = await Deno.makeTempDir();
 * const metrics = [
 *   { iteration: 0, epoch: 0, trainLoss: 2.30, valLoss: 2.30, valAcc: 0.10, lr: 1e-3 },
 *   { iteration: 50, epoch: 1, trainLoss: 1.70, valLoss: 1.80, valAcc: 0.38, lr: 1e-3 },
 * ];
 * await writeMetrics(runDir, metrics);
 * const firstConv = { data: new Float32Array(8 * 3 * 3 * 3).map((_, i) => Math.sin(i)), shape: [8, 3, 3, 3] };
 * const { written } = await writeRunPictures(runDir, { model: "convnet", metrics, firstConv });
 * assert.equal(written.length, 3);
 * await writeReport(runDir, { model: "convnet", config: { model: "convnet", lr: 1e-3 }, metrics, firstConv });
 * assert.deepEqual((await loadRun(runDir, { name: "convnet" })).metrics, metrics);
 * await Deno.remove(runDir, { recursive: true });
 * ```
 *
 * @module
 */

export {
  accuracyChartOptions,
  COLORS,
  lineChartSpec,
  lossChartOptions,
  metricSeries,
} from "./chart.ts";
export type { LineChartOptions, Series, XAxis } from "./chart.ts";
export { filterGrid, filterGridPng } from "./filter_grid.ts";
export type { ConvWeights, FilterGridOptions } from "./filter_grid.ts";
export { decodeImage, encodePng, writeFileAtomic } from "./image.ts";
export type { RgbImage } from "./image.ts";
export {
  formatMetricsCsv,
  METRICS_COLUMNS,
  METRICS_HEADER,
  metricsCsvLine,
  parseMetricsCsv,
} from "./metrics.ts";
export type { MetricName, MetricsRow } from "./metrics.ts";
export { firstConvWeight, loadRun, runFileNames, writeMetrics, writeRunPictures } from "./plot.ts";
export type { RunData, RunPicturesInput, TestMetrics, WrittenFiles } from "./plot.ts";
export { svgToPng, vegaLiteToPng, vegaLiteToSvg } from "./render.ts";
export { reportHtml, writeReport } from "./report.ts";
export type { ReportOptions } from "./report.ts";
export { convolveImages, processingFilters } from "./convolve.ts";
