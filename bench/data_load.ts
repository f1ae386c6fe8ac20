/**
 * Loads CIFAR-10 once in a fresh process and prints the time taken and the memory used (the
 * resident set after loading, and its peak from getrusage), for the budget of
 * under 2 s and under 400 MB.
 *
 *   deno run --allow-read --allow-env bench/data_load.ts [DIR]   (default: CIFAR10_DIR)
 */

import process from "node:process";
import { loadCifar10 } from "../data/cifar10.ts";

const dir = Deno.args[0] ?? Deno.env.get("CIFAR10_DIR");
if (!dir) {
  console.error(
    "Usage: deno run --allow-read --allow-env bench/data_load.ts DIR (or set CIFAR10_DIR)",
  );
  Deno.exit(2);
}
const MB = 1e6;
const before = Deno.memoryUsage().rss;
const t0 = performance.now();
const data = await loadCifar10(dir);
const ms = performance.now() - t0;
const after = Deno.memoryUsage().rss;
const peak = process.resourceUsage().maxRSS * 1024; // getrusage: kilobytes
const bytes = data.train.images.length + data.train.labels.length + data.test.images.length +
  data.test.labels.length;
console.log(
  `loaded ${data.train.labels.length} + ${data.test.labels.length} images (${data.format})`,
  `from ${data.dir}`,
);
console.log(
  `time ${ms.toFixed(0)} ms; stores ${(bytes / MB).toFixed(0)} MB; rss ${
    (before / MB).toFixed(0)
  } MB before, ${(after / MB).toFixed(0)} MB after, peak ${(peak / MB).toFixed(0)} MB`,
);
