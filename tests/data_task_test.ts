import { createHash } from "node:crypto";
import { loadCifar10 } from "../data/cifar10.ts";
import { assertEquals, assertTrue } from "./_assert.ts";
import { cifarTarball, tempDir } from "./_data_fixtures.ts";

const TASK = new URL("../tasks/data_cifar10.ts", import.meta.url).pathname;

/** `deno run` of the task with the permissions it needs for a local server. */
function task(args: string[]): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-write", "--allow-net=127.0.0.1", TASK, ...args],
    stdout: "piped",
    stderr: "piped",
  });
}

async function run(args: string[]): Promise<{ code: number; out: string }> {
  const { code, stdout, stderr } = await task(args).output();
  const text = new TextDecoder();
  return { code, out: text.decode(stdout) + text.decode(stderr) };
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

Deno.test("deno task data:cifar10", async (t) => {
  const good = await cifarTarball();
  const md5 = createHash("md5").update(good.bytes).digest("hex");
  let release = () => {};
  const stalled = new Promise<void>((resolve) => (release = resolve));
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    if (new URL(request.url).pathname === "/good.tar.gz") return new Response(good.bytes);
    // /stall.tar.gz: half the archive, then nothing until the test ends
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(good.bytes.slice(0, good.bytes.length >> 1));
        await stalled;
        controller.close();
      },
    });
    return new Response(body, { headers: { "content-length": String(good.bytes.length) } });
  });
  const url = (path: string) => `http://127.0.0.1:${server.addr.port}${path}`;
  await using tmp = await tempDir("task");
  try {
    await t.step("--help", async () => {
      const { code, out } = await run(["--help"]);
      assertEquals(code, 0);
      assertTrue(out.includes("Usage: deno task data:cifar10"), out);
    });
    await t.step("a bad --md5 is refused before anything happens", async () => {
      const { code, out } = await run(["--dir", tmp.dir, "--md5", "xyz"]);
      assertEquals(code, 2); // a usage error
      assertTrue(out.includes("Cannot use --md5 xyz"), out);
    });
    await t.step("killed mid-download: nothing looks complete; the rerun succeeds", async () => {
      const child = task(["--dir", tmp.dir, "--url", url("/stall.tar.gz"), "--md5", md5]).spawn();
      const partial = `${tmp.dir}/cifar-10-batches-bin.partial/cifar-10-batches-bin`;
      for (let i = 0; i < 200 && !(await exists(`${partial}/data_batch_1.bin`)); i++) {
        await new Promise((r) => setTimeout(r, 25));
      }
      assertTrue(await exists(`${partial}/data_batch_1.bin`), "the download had started");
      child.kill("SIGKILL");
      await child.output();
      assertTrue(!(await exists(`${tmp.dir}/cifar-10-batches-bin`)), "no complete-looking folder");
      const { code, out } = await run([
        "--dir",
        tmp.dir,
        "--url",
        url("/good.tar.gz"),
        "--md5",
        md5,
      ]);
      assertEquals(code, 0, out);
      assertTrue(out.includes("left by an interrupted download"), out);
      assertTrue(out.includes(`  url  ${url("/good.tar.gz")}`), out);
      assertEquals((await loadCifar10(tmp.dir)).train, good.expected.train);
    });
    await t.step("the task's own permissions (deno.json) let --url reach a mirror", async () => {
      const root = new URL("..", import.meta.url).pathname;
      const line: string = JSON.parse(await Deno.readTextFile(`${root}deno.json`))
        .tasks["data:cifar10"];
      const [deno, ...args] = line.split(/\s+/);
      assertEquals(deno, "deno", line);
      const dir = `${tmp.dir}/mirror`;
      const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
        args: [...args, "--dir", dir, "--url", url("/good.tar.gz"), "--md5", md5],
        cwd: root,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const out = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
      assertEquals(code, 0, out);
      assertEquals((await loadCifar10(dir)).train, good.expected.train);
    });
    await t.step("a second run does nothing", async () => {
      const { code, out } = await run([
        "--dir",
        tmp.dir,
        "--url",
        url("/good.tar.gz"),
        "--md5",
        md5,
      ]);
      assertEquals(code, 0);
      assertTrue(out.includes("Nothing to do"), out);
    });
  } finally {
    release();
    await server.shutdown();
  }
});
