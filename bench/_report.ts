/**
 * Timing records for the benches and the GFLOP/s table printed when the bench process ends:
 * each bench function times its own work (`timed`), and the table shows, per workload and
 * direction, the median time, GFLOP/s and the speed relative to naive and to tfjs-wasm.
 *
 * @module
 */

interface Entry {
  workload: string;
  direction: string;
  impl: string;
  flops: number; // per run (of the batch that impl actually runs)
  samples: number[];
}

const entries = new Map<string, Entry>();

/** Runs `work`, recording its time under (workload, direction, impl) with `flops` per run. */
export function timed(
  workload: string,
  direction: string,
  impl: string,
  flops: number,
  work: () => void,
): void {
  const key = `${workload}|${direction}|${impl}`;
  let e = entries.get(key);
  if (!e) {
    e = { workload, direction, impl, flops, samples: [] };
    entries.set(key, e);
  }
  const t0 = performance.now();
  work();
  e.samples.push(performance.now() - t0);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function rate(e: Entry): number {
  return e.flops / (median(e.samples) * 1e6); // GFLOP/s
}

/** Prints the table (GFLOP/s, or Gelem/s for pooling where flops counts elements). */
export function printReport(notes: string[]): void {
  const rows: string[] = [];
  const byGroup = new Map<string, Entry[]>();
  for (const e of entries.values()) {
    const k = `${e.workload} ${e.direction}`;
    byGroup.set(k, [...(byGroup.get(k) ?? []), e]);
  }
  for (const [group, list] of byGroup) {
    const naive = list.find((e) => e.impl.startsWith("naive"));
    const tfw = list.find((e) => e.impl.startsWith("tfjs-wasm"));
    for (const e of list) {
      const r = rate(e);
      const vsNaive = naive ? (r / rate(naive)).toFixed(1) + "×" : "";
      const vsTf = tfw ? (r / rate(tfw)).toFixed(2) + "×" : "";
      rows.push(
        `| ${group} | ${e.impl} | ${median(e.samples).toFixed(2)} | ${
          r.toFixed(2)
        } | ${vsNaive} | ${vsTf} |`,
      );
    }
  }
  console.log("\n| workload | implementation | median ms | GFLOP/s | vs naive | vs tfjs-wasm |");
  console.log("|---|---|---:|---:|---:|---:|");
  for (const r of rows) console.log(r);
  console.log(summary().join("\n"));
  for (const n of notes) console.log(`Note: ${n}`);
}

// fwd+bwd GFLOP/s and bwd/fwd time ratio of each WASM configuration.
function summary(): string[] {
  const out: string[] = [
    "",
    "| workload | implementation | fwd+bwd GFLOP/s | bwd time / fwd time |",
    "|---|---|---:|---:|",
  ];
  for (const e of entries.values()) {
    if (e.direction !== "fwd" || !e.impl.startsWith("wasm")) continue;
    const b = entries.get(`${e.workload}|bwd|${e.impl}`);
    if (!b) continue;
    const tf = median(e.samples), tb = median(b.samples);
    const all = (e.flops + b.flops) / ((tf + tb) * 1e6);
    out.push(`| ${e.workload} | ${e.impl} | ${all.toFixed(2)} | ${(tb / tf).toFixed(2)} |`);
  }
  return out;
}
