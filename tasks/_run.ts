/**
 * The run folder every training task writes: a log (printed and kept), the configuration,
 * and small helpers shared by the training tasks.
 *
 * @module
 */

import { writeFileAtomic } from "./viz/mod.ts";

/** `runs/<name>-<UTC timestamp>`, e.g. `runs/twolayer-20261127-161502`. */
export function defaultRunDir(name: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `runs/${name}-${stamp}`;
}

/** A number as Python's `%e` prints it: `1.000000e-04`. */
export function pyExp(x: number, digits = 6): string {
  const [mantissa, exponent] = x.toExponential(digits).split("e");
  const sign = exponent.startsWith("-") ? "-" : "+";
  return `${mantissa}e${sign}${exponent.replace(/^[-+]/, "").padStart(2, "0")}`;
}

/** Writes lines to stdout and to `<dir>/<name>` (appended as they come, so a crash keeps them). */
export class RunLog {
  private readonly file: Deno.FsFile;
  private readonly encoder = new TextEncoder();

  private constructor(readonly path: string, file: Deno.FsFile) {
    this.file = file;
  }

  static async open(dir: string, name: string): Promise<RunLog> {
    await Deno.mkdir(dir, { recursive: true });
    const path = `${dir}/${name}`;
    return new RunLog(path, await Deno.open(path, { create: true, write: true, truncate: true }));
  }

  line(text: string): void {
    console.log(text);
    this.file.writeSync(this.encoder.encode(text + "\n"));
  }

  close(): void {
    this.file.close();
  }
}

/** Prints and logs a resolved configuration, one `key value` per line, and saves config.json. */
export async function recordConfig(
  dir: string,
  title: string,
  config: Record<string, unknown>,
  log: RunLog,
): Promise<void> {
  log.line(`${title} configuration:`);
  const width = Math.max(...Object.keys(config).map((k) => k.length));
  for (const [k, v] of Object.entries(config)) log.line(`  ${k.padEnd(width)}  ${v}`);
  await writeFileAtomic(`${dir}/config.json`, JSON.stringify(config, null, 2) + "\n");
}

/** A one-line progress indicator on stderr, drawn only when stderr is a terminal. */
export class StepProgress {
  private readonly enabled = Deno.stderr.isTerminal();
  private readonly start = performance.now();
  private last = 0;
  private readonly encoder = new TextEncoder();

  constructor(private readonly label: string, private readonly total: number) {}

  update(done: number, extra = ""): void {
    const now = performance.now();
    if (!this.enabled || (now - this.last < 100 && done < this.total)) return;
    this.last = now;
    const elapsed = (now - this.start) / 1000;
    const rate = done / Math.max(elapsed, 1e-9);
    const left = (this.total - done) / Math.max(rate, 1e-9);
    const width = 24, filled = Math.round((done / this.total) * width);
    const bar = "#".repeat(filled) + "-".repeat(width - filled);
    Deno.stderr.writeSync(this.encoder.encode(
      `\r${this.label} [${bar}] ${done}/${this.total}  ${rate.toFixed(1)} it/s  ${
        Math.ceil(left)
      }s left ${extra}\x1b[K`,
    ));
  }

  /** Clears the line. */
  done(): void {
    if (this.enabled) Deno.stderr.writeSync(this.encoder.encode("\r\x1b[K"));
  }
}
