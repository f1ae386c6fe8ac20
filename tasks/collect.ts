/**
 * `deno task collect [--out hw2_code.zip] [runs…]`: the homework's `collect_submission.sh`.
 * Zips the deliverables (see `_collect.ts`) with fflate, atomically.
 *
 * @module
 */

import { parseFlags, runTask } from "../train/cli.ts";
import { zipSync } from "fflate";
import { bestRuns, type CollectedRun, extraMarkdown, readRun, runScript } from "./_collect.ts";
import { writeFileAtomic } from "../train/viz/image.ts";

const HELP = `Zip the homework's deliverables.

Usage: deno task collect [--out hw2_code.zip] [--predictions predictions.csv] [RUN_DIR…]

  RUN_DIR…             run folders of deno task train (default: every folder in runs/)
  --out PATH           the zip to write (default hw2_code.zip)
  --predictions PATH   predictions.csv to include (default predictions.csv, when it exists)
  -h, --help           show this help
`;

const SOURCES: [string, string][] = [
  ["nn/models/convnet.ts", "models/convnet.ts"],
  ["nn/models/mymodel.ts", "models/mymodel.ts"],
  ["nn/models/_args.ts", "models/_args.ts"],
  ["tasks/train.ts", "tasks/train.ts"],
  ["train/config.ts", "train/config.ts"],
  ["train/loop.ts", "train/loop.ts"],
  ["train/log.ts", "train/log.ts"],
  ["train/eval.ts", "train/eval.ts"],
  ["train/files.ts", "train/files.ts"],
  ["train/backend.ts", "train/backend.ts"],
  ["tasks/predict.ts", "tasks/predict.ts"],
  ["tasks/_npy.ts", "tasks/_npy.ts"],
];

/** The project root (two levels above this file). */
function projectRoot(): string {
  return decodeURIComponent(new URL("..", import.meta.url).pathname).replace(/\/$/, "");
}

async function defaultRuns(): Promise<string[]> {
  const dirs: string[] = [];
  try {
    for await (const e of Deno.readDir("runs")) {
      if (!e.isDirectory) continue;
      try {
        await Deno.stat(`runs/${e.name}/config.json`);
        dirs.push(`runs/${e.name}`);
      } catch (err) {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      }
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return dirs.sort();
}

/** The zip's entries: path → bytes. */
export async function collectFiles(
  runs: readonly CollectedRun[],
  predictions?: Uint8Array,
): Promise<Record<string, Uint8Array>> {
  const enc = new TextEncoder(), root = projectRoot();
  const files: Record<string, Uint8Array> = {};
  for (const [from, to] of SOURCES) files[to] = await Deno.readFile(`${root}/${from}`);
  const best = bestRuns(runs);
  for (const model of ["convnet", "mymodel"]) {
    files[`run_${model}.sh`] = enc.encode(runScript(model, best.get(model)?.config));
  }
  for (const [model, run] of best) {
    for (
      const f of [
        `${model}.log`,
        ...["lossvstrain", "valaccuracy", "gridfilt"].map((k) => `${model}_${k}.png`),
      ]
    ) {
      const bytes = run.files.get(f);
      if (bytes) files[f] = bytes;
    }
  }
  for (const run of runs) {
    for (const [f, bytes] of run.files) files[`runs/${run.name}/${f}`] = bytes;
  }
  if (predictions) files["predictions.csv"] = predictions;
  files["extra.md"] = enc.encode(extraMarkdown(runs));
  return files;
}

/** Runs the collect task with command-line `args`; returns the exit code. */
export async function collect(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags({
    args,
    allowPositionals: true,
    options: {
      out: { type: "string", default: "hw2_code.zip" },
      predictions: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const dirs = positionals.length > 0 ? positionals : await defaultRuns();
  const runs = await Promise.all(dirs.map(readRun));
  const predPath = values.predictions ?? "predictions.csv";
  let predictions: Uint8Array | undefined;
  try {
    predictions = await Deno.readFile(predPath);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound) || values.predictions !== undefined) {
      throw new Error(`Cannot include --predictions "${predPath}": ${(e as Error).message}`);
    }
  }
  console.log(
    `Configuration: ${
      JSON.stringify({ out: values.out, runs: dirs, predictions: predictions ? predPath : null })
    }`,
  );
  const files = await collectFiles(runs, predictions);
  await writeFileAtomic(values.out!, zipSync(files, { level: 6 }));
  console.log(`Wrote ${values.out}: ${Object.keys(files).length} files`);
  for (const name of Object.keys(files)) console.log(`  ${name}`);
  return 0;
}

if (import.meta.main) await runTask("collect", () => collect(Deno.args));
