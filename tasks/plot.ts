/**
 * `deno task plot <run folder>`: regenerates every picture of a training run and its
 * `report.html` from the run's files (metrics.csv, config.json, `<model>.safetensors`,
 * test_metrics.json). The run-folder contract is documented in `train/viz/plot.ts`.
 *
 * @module
 */

import { parseFlags, runTask, USAGE_ERROR } from "../train/cli.ts";
import { loadRun, writeRunPictures } from "../train/viz/plot.ts";
import { writeReport } from "../train/viz/report.ts";
import type { XAxis } from "../train/viz/chart.ts";

const HELP = `Usage: deno task plot [options] <run folder>

Regenerates <model>_lossvstrain.png, <model>_valaccuracy.png, <model>_gridfilt.png and
report.html in a run folder from its metrics.csv, config.json, <model>.safetensors and
(optional) test_metrics.json.

Options:
  --name NAME     file-name prefix (default: config.json's "model")
  --x AXIS        x axis of the curves: iteration (default) or epoch
  --log           log scale for the loss axis
  --no-report     write the PNGs only
  -h, --help      show this help`;

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags({
    args,
    allowPositionals: true,
    options: {
      name: { type: "string" },
      x: { type: "string", default: "iteration" },
      log: { type: "boolean", default: false },
      "no-report": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length !== 1) {
    console.error(
      `Cannot plot: give exactly one run folder (got ${positionals.length})\n\n${HELP}`,
    );
    return USAGE_ERROR;
  }
  if (values.x !== "iteration" && values.x !== "epoch") {
    console.error(`Cannot plot: --x must be "iteration" or "epoch", not "${values.x}"`);
    return USAGE_ERROR;
  }
  const runDir = positionals[0].replace(/\/+$/, "") || "/";
  const x = values.x as XAxis;
  const run = await loadRun(runDir, { name: values.name });
  console.log("plot configuration:", {
    runDir,
    model: run.model,
    x,
    logLoss: values.log,
    report: !values["no-report"],
    rows: run.metrics.length,
    firstConv: run.firstConv ? run.firstConv.shape : null,
    testMetrics: run.testMetrics !== undefined,
  });
  const out = await writeRunPictures(runDir, { ...run, x, logLoss: values.log });
  if (!values["no-report"]) {
    await writeReport(runDir, run, { x, logLoss: values.log });
    out.written.push("report.html");
  }
  for (const f of out.written) console.log(`wrote ${runDir}/${f}`);
  for (const s of out.skipped) console.log(`skipped ${s.file}: ${s.reason}`);
  return out.written.length > 0 ? 0 : 1;
}

if (import.meta.main) await runTask("plot", () => main(Deno.args));
