// The import graph points down (../shared/DESIGN.md): each top-level folder imports only the
// folders listed for it in LAYERS. The test reads every TypeScript file's relative imports
// (static, dynamic, `export … from` and worker URLs) and fails on any other edge, naming the file.
import { fileURLToPath as fromFileUrl } from "node:url";
import { dirname, join, normalize, relative } from "node:path";
import { assertEquals } from "./_assert.ts";

const ROOT = fromFileUrl(new URL("../", import.meta.url));

/**
 * What each folder may import besides itself. `core` is the ground floor; `.` is the root
 * (`mod.ts`), which may import everything and which nothing under it imports (doc examples
 * aside, which are not code).
 */
const LAYERS: Record<string, readonly string[]> = {
  core: [],
  kernels: ["core"],
  data: ["core"],
  nn: ["core", "kernels"],
  interop: ["core", "kernels", "nn", "data"],
  train: ["core", "kernels", "nn", "data"],
  tasks: ["core", "kernels", "nn", "data", "interop", "train", "."],
  web: ["core", "kernels", "nn", "data", "train", "tasks", "."],
  notebooks: ["core", "kernels", "nn", "data", "train", "tasks", "."],
};

/** Folders left out: tests and benches may import anything; generated or vendored code. */
const SKIP = [
  ".git",
  "tests",
  "bench",
  "runs",
  "node_modules",
  "web/dist",
  "kernels/wasm/assembly",
];

/** Relative specifiers in code (comment lines are dropped first, so doc examples do not count). */
export function importsOf(source: string): string[] {
  const code = source.split("\n").filter((l) => !/^\s*(\*|\/\/|\/\*)/.test(l)).join("\n");
  const re =
    /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|new URL\(\s*)["'](\.{1,2}\/[^"']+\.(?:ts|js))["']/g;
  return [...code.matchAll(re)].map((m) => m[1]);
}

function topOf(path: string): string {
  return path.includes("/") ? path.split("/")[0] : ".";
}

async function* sourceFiles(dir = ""): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(join(ROOT, dir))) {
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    if (SKIP.includes(path)) continue;
    if (entry.isDirectory) yield* sourceFiles(path);
    else if (entry.isFile && path.endsWith(".ts")) yield path;
  }
}

Deno.test("layering: imports point down", async (t) => {
  const edges: { from: string; to: string }[] = [];
  for await (const file of sourceFiles()) {
    for (const spec of importsOf(await Deno.readTextFile(join(ROOT, file)))) {
      edges.push({ from: file, to: normalize(join(dirname(file), spec)) });
    }
  }

  await t.step("every folder is listed", () => {
    const unlisted = [...new Set(edges.map((e) => topOf(e.from)))]
      .filter((top) => top !== "." && !(top in LAYERS));
    assertEquals(unlisted, [], "folders with imports but no entry in LAYERS");
  });

  await t.step("no upward or sideways import", () => {
    const bad = edges.filter(({ from, to }) => {
      const a = topOf(from), b = topOf(to);
      return a !== b && a !== "." && !(LAYERS[a] ?? []).includes(b);
    }).map(({ from, to }) => `${from} imports ${relative(".", to)}`);
    assertEquals(bad, [], `imports that point up or sideways:\n${bad.join("\n")}`);
  });

  await t.step("the graph was read", () => {
    // a broken reader must not make this test pass on an empty graph
    const seen = new Set(edges.map((e) => `${topOf(e.from)}->${topOf(e.to)}`));
    for (
      const edge of ["kernels->core", "nn->kernels", "data->core", "train->nn", "tasks->train"]
    ) {
      assertEquals(seen.has(edge), true, `expected at least one ${edge} import`);
    }
  });
});

Deno.test("importsOf()", () => {
  const src = [
    'import { Tensor } from "../core/tensor.ts";',
    'export { relu } from "./relu.ts";',
    'import type { Rng } from "../core/random.ts";',
    'const m = await import("../kernels/wasm/mod.ts");',
    'new Worker(new URL("./_worker.ts", import.meta.url));',
    ' * import { conv } from "../mod.ts"; (a doc example)',
    'import assert from "node:assert/strict";',
  ].join("\n");
  assertEquals(importsOf(src), [
    "../core/tensor.ts",
    "./relu.ts",
    "../core/random.ts",
    "../kernels/wasm/mod.ts",
    "./_worker.ts",
  ]);
});
