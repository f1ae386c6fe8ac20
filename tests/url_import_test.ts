// Importing the library by URL from a web server: the .wasm and the worker script are found
// through import.meta.url. Serves this checkout on 127.0.0.1 and runs a conv in a fresh
// `deno run` process that imports mod.ts over HTTP, with two threads.
import { assertAlmostEquals, assertEquals } from "./_assert.ts";

const root = new URL("../", import.meta.url);
const TYPES: Record<string, string> = {
  ".ts": "application/typescript",
  ".wasm": "application/wasm",
  ".json": "application/json",
};

Deno.test("mod.ts imported by URL runs a conv on two threads", async () => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const path = new URL(req.url).pathname;
    if (path.includes("..")) return new Response("bad path", { status: 400 });
    try {
      const body = await Deno.readFile(new URL(`.${path}`, root));
      const ext = path.slice(path.lastIndexOf("."));
      return new Response(body, { headers: { "content-type": TYPES[ext] ?? "text/plain" } });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  const host = `127.0.0.1:${server.addr.port}`;
  const dir = await Deno.makeTempDir();
  try {
    const script = `${dir}/main.ts`;
    await Deno.writeTextFile(
      script,
      `import { convForward, getThreads, Tensor } from "http://${host}/mod.ts";
const x = Tensor.full([2, 3, 8, 8], 1, "float32");
const w = Tensor.full([4, 3, 3, 3], 0.5, "float32");
const b = Tensor.full([4], 0.25, "float32");
const { out } = convForward(x, w, b, { stride: 1, pad: 1 });
console.log(JSON.stringify({ threads: getThreads(), center: out.data[9 * 1 + 8 * 0 + 9], corner: out.data[0] }));
`,
    );
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-lock",
        "--no-config",
        `--allow-import=${host}`,
        `--allow-net=${host}`,
        "--allow-env=CONVNET_THREADS",
        script,
      ],
      env: { CONVNET_THREADS: "2", DENO_DIR: `${dir}/deno_dir`, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(stderr);
    assertEquals(code, 0, `subprocess failed: ${err}`);
    const result = JSON.parse(new TextDecoder().decode(stdout).trim());
    assertEquals(result.threads, 2);
    // out[0, 0, 1, 1]: a full 3×3×3 window of ones times 0.5, plus 0.25
    assertAlmostEquals(result.center, 13.75, 1e-6);
    // out[0, 0, 0, 0]: a 2×2×3 window
    assertAlmostEquals(result.corner, 6.25, 1e-6);
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno publish ships the library without its tests and benches", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["publish", "--dry-run", "--allow-dirty"],
    cwd: decodeURIComponent(root.pathname),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  assertEquals(code, 0, out);
  const files = [...out.matchAll(/(file:\/\/\S+) \(/g)].map((m) => m[1].slice(root.href.length));
  const shipped = (prefix: string) => files.filter((f) => f.startsWith(prefix));
  assertEquals([shipped("tests/"), shipped("bench/")], [[], []]);
  assertEquals(files.includes("mod.ts") && files.includes("kernels/wasm/kernels.wasm"), true);
});
