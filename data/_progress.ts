/**
 * A one-line progress bar for downloads on stderr: bytes so far, a bar, the rate and the time
 * left. It redraws at most ten times a second and stays quiet when stderr is not a terminal
 * (CI logs, pipes), so logs hold no carriage-return noise.
 *
 * @module
 */

const MiB = 1024 * 1024;

/** Bytes as `12.3 MiB` (or `512 B` / `4.0 KiB` below a MiB). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < MiB) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / MiB).toFixed(1)} MiB`;
}

/** Seconds as `m:ss`, or `h:mm:ss` from an hour; `--:--` when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const mm = h > 0 ? String(m).padStart(2, "0") : String(m);
  return `${h > 0 ? `${h}:` : ""}${mm}:${String(r).padStart(2, "0")}`;
}

/**
 * The text of the bar after `done` of `total` bytes (null when the size is unknown) in
 * `elapsed` seconds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { progressLine } from "./_progress.ts";
 * assert.equal(
 *   progressLine(50 * 1024 * 1024, 100 * 1024 * 1024, 10, 10),
 *   "50.0 MiB / 100.0 MiB [#####-----]  50%  5.0 MiB/s  0:10 left",
 * );
 * ```
 */
export function progressLine(
  done: number,
  total: number | null,
  elapsed: number,
  width = 24,
): string {
  const rate = elapsed > 0 ? done / elapsed : 0;
  const speed = `${formatBytes(rate)}/s`;
  if (total === null || total <= 0) return `${formatBytes(done)}  ${speed}`;
  const fraction = Math.min(1, done / total);
  const filled = Math.round(fraction * width);
  const bar = "#".repeat(filled) + "-".repeat(width - filled);
  const left = rate > 0 ? (total - done) / rate : NaN;
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  return `${formatBytes(done)} / ${formatBytes(total)} [${bar}] ${percent}  ${speed}  ${
    formatDuration(left)
  } left`;
}

/** A progress bar drawing to stderr when it is a terminal. */
export class ProgressBar {
  private start = performance.now();
  private lastDraw = 0;
  private done = 0;
  private encoder = new TextEncoder();

  /**
   * @param label what is being fetched, printed before the numbers
   * @param total the byte count, or null when the server did not say
   * @param enabled draw at all (default: stderr is a terminal)
   */
  constructor(
    private label: string,
    private total: number | null,
    private enabled = Deno.stderr.isTerminal(),
  ) {}

  /** Records `bytes` more received, redrawing if 100 ms have passed. */
  add(bytes: number): void {
    this.done += bytes;
    const now = performance.now();
    if (this.enabled && now - this.lastDraw >= 100) {
      this.lastDraw = now;
      this.draw();
    }
  }

  /** Draws the final state and ends the line. */
  finish(): void {
    if (!this.enabled) return;
    this.draw();
    Deno.stderr.writeSync(this.encoder.encode("\n"));
  }

  private draw(): void {
    const elapsed = (performance.now() - this.start) / 1000;
    const line = `${this.label} ${progressLine(this.done, this.total, elapsed)}`;
    Deno.stderr.writeSync(this.encoder.encode(`\r${line}\x1b[K`));
  }
}
