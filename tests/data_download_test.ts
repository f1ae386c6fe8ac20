import { createHash } from "node:crypto";
import { loadCifar10 } from "../data/cifar10.ts";
import { downloadCifar10, ensureCifar10 } from "../data/download.ts";
import { formatDuration, progressLine } from "../data/_progress.ts";
import { assertEquals, assertRejects, assertTrue } from "./_assert.ts";
import { cifarTarball, gzip, tar, tarEntry, tempDir } from "./_data_fixtures.ts";

type Route = (request: Request) => Response;

/** A local HTTP server on 127.0.0.1 with a hit counter per path. */
function serve(routes: Record<string, Route>) {
  const hits: Record<string, number> = {};
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const path = new URL(request.url).pathname;
    hits[path] = (hits[path] ?? 0) + 1;
    return routes[path]?.(request) ?? new Response("not found", { status: 404 });
  });
  return {
    url: (path: string) => `http://127.0.0.1:${server.addr.port}${path}`,
    hits,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

const md5 = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("hex");

/** Bytes served with a Content-Length of `announced` but the body cut after `bytes.length`. */
function cutShort(bytes: Uint8Array, announced: number): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
  return new Response(body, { headers: { "content-length": String(announced) } });
}

async function listing(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

Deno.test("downloadCifar10() against a local server", async (t) => {
  const good = await cifarTarball();
  const corrupted = good.bytes.slice();
  for (let i = 200; i < 260; i++) corrupted[i] ^= 0x5a;
  const other = await gzip(tar([tarEntry("cifar-10-batches-py/data_batch_1", new Uint8Array(9))]));
  await using server = serve({
    "/good.tar.gz": () => new Response(good.bytes),
    "/corrupted.tar.gz": () => new Response(corrupted),
    "/truncated.tar.gz": () => new Response(good.bytes.slice(0, good.bytes.length >> 1)),
    "/cut.tar.gz": () => cutShort(good.bytes.slice(0, 1000), good.bytes.length),
    "/other.tar.gz": () => new Response(other),
  });
  const options = (path: string, hash = md5(good.bytes)) => ({
    url: server.url(path),
    md5: hash,
    progress: false,
  });

  await t.step("downloads, verifies, extracts; a second run does nothing", async () => {
    await using tmp = await tempDir("dl");
    const result = await downloadCifar10(tmp.dir, options("/good.tar.gz"));
    assertEquals(result, { dir: `${tmp.dir}/cifar-10-batches-bin`, downloaded: true });
    assertEquals(await listing(tmp.dir), ["cifar-10-batches-bin"]);
    const data = await loadCifar10(tmp.dir);
    assertEquals(data.train, good.expected.train);
    assertEquals(data.test, good.expected.test);
    const again = await downloadCifar10(tmp.dir, options("/good.tar.gz"));
    assertEquals(again.downloaded, false);
    assertEquals(server.hits["/good.tar.gz"], 1);
  });
  await t.step("a rerun after an interruption starts over", async () => {
    await using tmp = await tempDir("dl");
    await Deno.mkdir(`${tmp.dir}/cifar-10-batches-bin.partial/cifar-10-batches-bin`, {
      recursive: true,
    });
    await Deno.writeTextFile(`${tmp.dir}/cifar-10-batches-bin.partial/junk`, "half a file");
    const result = await downloadCifar10(tmp.dir, options("/good.tar.gz"));
    assertTrue(result.downloaded);
    assertEquals(await listing(tmp.dir), ["cifar-10-batches-bin"]);
    assertEquals((await loadCifar10(result.dir)).train, good.expected.train);
  });

  const failures: [string, string, string?][] = [
    ["checksum mismatch", "/good.tar.gz", "0123456789abcdef0123456789abcdef"],
    ["corrupted archive", "/corrupted.tar.gz"],
    ["truncated archive", "/truncated.tar.gz"],
    ["connection cut before Content-Length", "/cut.tar.gz"],
    ["HTTP 404", "/missing.tar.gz"],
    ["an archive without the binary batches", "/other.tar.gz", md5(other)],
  ];
  const messages: Record<string, string> = {
    "checksum mismatch": "MD5 is",
    "corrupted archive": "cannot be extracted",
    "truncated archive": "cannot be extracted",
    "connection cut before Content-Length": "truncated",
    "HTTP 404": "answered 404",
    "an archive without the binary batches": "has no cifar-10-batches-bin/data_batch_1.bin",
  };
  for (const [name, path, hash] of failures) {
    await t.step(`${name}: a clear error and nothing left behind`, async () => {
      await using tmp = await tempDir("dl");
      const e = await assertRejects(
        () => downloadCifar10(tmp.dir, options(path, hash)),
        Error,
        messages[name],
      );
      assertTrue(e.message.includes(server.url(path)), e.message);
      assertEquals(await listing(tmp.dir), []);
    });
  }
});

Deno.test("downloadCifar10() refuses unsafe tar entries", async (t) => {
  const escaping: [string, Uint8Array[]][] = [
    ["a .. path", [tarEntry("cifar-10-batches-bin/../../evil.txt", new Uint8Array([1]))]],
    ["an absolute path", [tarEntry("/tmp/convnet_evil.txt", new Uint8Array([1]))]],
    ["a symbolic link", [tarEntry("cifar-10-batches-bin/link", undefined, "2")]],
    [
      "a .. path in a GNU long name",
      [
        tarEntry("././@LongLink", new TextEncoder().encode("a/../../../evil.txt\0"), "L"),
        tarEntry("harmless", new Uint8Array([1])),
      ],
    ],
  ];
  const archives: Record<string, Uint8Array<ArrayBuffer>> = {};
  for (const [name, entries] of escaping) archives[name] = await gzip(tar(entries));
  await using server = serve(
    Object.fromEntries(
      escaping.map(([name], i) => [`/${i}.tar.gz`, () => new Response(archives[name])]),
    ),
  );
  for (const [i, [name]] of escaping.entries()) {
    await t.step(name, async () => {
      await using tmp = await tempDir("tar");
      const target = `${tmp.dir}/inner/deeper`;
      const e = await assertRejects(
        () =>
          downloadCifar10(target, {
            url: server.url(`/${i}.tar.gz`),
            md5: md5(archives[name]),
            progress: false,
          }),
        Error,
        "cannot be extracted",
      );
      assertTrue(/escape|only plain files/.test(e.message), e.message);
      assertEquals(await listing(target), []);
      assertEquals(await listing(`${tmp.dir}/inner`), ["deeper"]);
      assertEquals(await listing(tmp.dir), ["inner"]);
    });
  }
});

Deno.test("ensureCifar10()", async (t) => {
  await using tmp = await tempDir("ensure");
  const saved = Deno.env.get("CIFAR10_DIR");
  Deno.env.delete("CIFAR10_DIR");
  try {
    await ensureSteps(t, tmp.dir);
  } finally {
    if (saved !== undefined) Deno.env.set("CIFAR10_DIR", saved);
  }
});

async function ensureSteps(t: Deno.TestContext, dir: string): Promise<void> {
  const good = await cifarTarball();
  await using server = serve({ "/c.tar.gz": () => new Response(good.bytes) });
  const download = { url: server.url("/c.tar.gz"), md5: md5(good.bytes), progress: false };
  await t.step("the default location without download: the error with the hint", async () => {
    const defaultDir = `${dir}/default`;
    const e = await assertRejects(
      () => ensureCifar10({ defaultDir }),
      Error,
      "(the default location)",
    );
    assertTrue(e.message.includes("deno task data:cifar10"), e.message);
    assertEquals(await listing(dir), []);
  });
  await t.step("the default location with download: fetched into it", async () => {
    const defaultDir = `${dir}/default`;
    const got = await ensureCifar10({ defaultDir, download: true, ...download });
    assertEquals(got, `${defaultDir}/cifar-10-batches-bin`);
    assertEquals((await loadCifar10(got)).test, good.expected.test);
    assertEquals(await ensureCifar10({ defaultDir, download: true, ...download }), got);
    assertEquals(server.hits["/c.tar.gz"], 1);
  });
  await t.step("a --cifar10-dir without data: the error with the hint, no download", async () => {
    const e = await assertRejects(
      () => ensureCifar10({ cifar10Dir: `${dir}/empty`, download: true }),
      Error,
      "(from --cifar10-dir)",
    );
    assertTrue(e.message.includes("deno task data:cifar10"), e.message);
    assertEquals(await listing(dir), ["default"]);
  });
  await t.step("a --cifar10-dir with data: its batches folder", async () => {
    assertEquals(
      await ensureCifar10({ cifar10Dir: `${dir}/default` }),
      `${dir}/default/cifar-10-batches-bin`,
    );
  });
}

Deno.test("progressLine()", async (t) => {
  const MiB = 1024 * 1024;
  await t.step("known size: bytes, bar, percent, rate, time left", () => {
    assertEquals(
      progressLine(40 * MiB, 160 * MiB, 8, 8),
      "40.0 MiB / 160.0 MiB [##------]  25%  5.0 MiB/s  0:24 left",
    );
  });
  await t.step("unknown size: bytes and rate", () => {
    assertEquals(progressLine(2048, null, 2), "2.0 KiB  1.0 KiB/s");
  });
  await t.step("durations", () => {
    assertEquals(formatDuration(3725), "1:02:05");
    assertEquals(formatDuration(NaN), "--:--");
  });
});
