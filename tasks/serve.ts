/**
 * `deno task serve`: serves the training page (web/) on 127.0.0.1 with the headers that make it
 * cross-origin isolated (`Cross-Origin-Opener-Policy: same-origin`,
 * `Cross-Origin-Embedder-Policy: require-corp`), so the page can share WASM memory with worker
 * threads; and the local CIFAR-10 binary batches under `/cifar10/`, found by the rule every task
 * uses (`--cifar10-dir`, else `CIFAR10_DIR`, else `data/`). The browser build (`/dist/`) is
 * made fresh in memory at start (`buildWeb`, as `deno task build:web`), so it is never stale.
 * Prints the page's URL. Run with `--help`.
 *
 * @module
 */

import { CIFAR10_DIR_HELP, CIFAR10_DIR_OPTION, locateCifar10 } from "../data/locate.ts";
import { parseNumber } from "../train/config.ts";
import { parseFlags, runTask } from "../train/cli.ts";
import { buildWeb } from "./build_web.ts";

const HELP = `Serve the in-browser trainer (web/) on 127.0.0.1.

Usage: deno task serve [--port 8000] [--cifar10-dir DIR]

  --port N           TCP port (default 8000; 0 picks a free one)
${CIFAR10_DIR_HELP}
  --no-isolation     leave out the cross-origin isolation headers (the page then trains on
                     one thread, as on a plain static server)
  --help             show this help

Open the printed URL. The page trains any model of deno task train; a URL such as
  /?model=convnet&numTrain=20000&epochs=1&seed=1&threads=2&autostart=1
starts that run, the same run as deno task train with the same settings.`;

/** The port `deno task serve` listens on unless `--port` says otherwise. */
export const DEFAULT_PORT = 8000;
const webRoot = new URL("../web/", import.meta.url);
const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".bin": "application/octet-stream",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
};
const DATA_FILES = new Set([
  ...[1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`),
  "test_batch.bin",
  "batches.meta.txt",
]);

/** What `serveWeb` serves. */
export interface ServeOptions {
  /** The browser build served under /dist/ (`buildWeb()`): file name → bytes. */
  dist: ReadonlyMap<string, Uint8Array>;
  port?: number;
  /** The binary batches folder served under /cifar10/ (none: the page asks for files). */
  dataDir?: string;
  /** Send the cross-origin isolation headers (default true). */
  isolation?: boolean;
}

/** Bytes `start … end` (inclusive) of a `Range: bytes=…` header (one range), or null. */
function parseRange(header: string, size: number): [number, number] | "unsatisfiable" | null {
  const m = header.match(/^bytes=(\d*)-(\d*)$/);
  if (!m || (m[1] === "" && m[2] === "")) return null;
  let start: number, end: number;
  if (m[1] === "") [start, end] = [Math.max(0, size - Number(m[2])), size - 1];
  else [start, end] = [Number(m[1]), m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1)];
  return start > end || start >= size ? "unsatisfiable" : [start, end];
}

async function readAt(
  file: Deno.FsFile,
  start: number,
  length: number,
): Promise<Uint8Array<ArrayBuffer>> {
  await file.seek(start, Deno.SeekMode.Start);
  const bytes = new Uint8Array(length);
  for (let off = 0; off < length;) {
    const got = await file.read(bytes.subarray(off));
    if (got === null) return bytes.subarray(0, off);
    off += got;
  }
  return bytes;
}

async function fileResponse(
  path: string,
  headers: Headers,
  head: boolean,
  range: string | null,
): Promise<Response> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) {
      return new Response("not found\n", { status: 404, headers });
    }
    throw e;
  }
  const info = await file.stat();
  if (!info.isFile) {
    file.close();
    return new Response("not found\n", { status: 404, headers });
  }
  const dot = path.lastIndexOf(".");
  headers.set("content-type", TYPES[path.slice(dot)] ?? "application/octet-stream");
  headers.set("accept-ranges", "bytes");
  const wanted = range === null ? null : parseRange(range, info.size);
  if (wanted === "unsatisfiable") {
    file.close();
    headers.set("content-range", `bytes */${info.size}`);
    return new Response(null, { status: 416, headers });
  }
  if (wanted !== null && !head) {
    const [start, end] = wanted;
    try {
      const bytes = await readAt(file, start, end - start + 1);
      headers.set("content-range", `bytes ${start}-${start + bytes.length - 1}/${info.size}`);
      headers.set("content-length", String(bytes.length));
      return new Response(bytes, { status: 206, headers });
    } finally {
      file.close();
    }
  }
  headers.set("content-length", String(info.size));
  if (head) {
    file.close();
    return new Response(null, { headers });
  }
  return new Response(file.readable, { headers });
}

/** Starts the server (listening when this returns) and returns it with the page's URL. */
export function serveWeb(options: ServeOptions): { server: Deno.HttpServer; url: string } {
  const isolation = options.isolation ?? true;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: options.port ?? DEFAULT_PORT, onListen: () => {} },
    (req) => {
      const headers = new Headers({ "cache-control": "no-cache" });
      if (isolation) {
        headers.set("cross-origin-opener-policy", "same-origin");
        headers.set("cross-origin-embedder-policy", "require-corp");
        headers.set("cross-origin-resource-policy", "same-origin");
      }
      if (req.method !== "GET" && req.method !== "HEAD") {
        return new Response("only GET and HEAD\n", { status: 405, headers });
      }
      const head = req.method === "HEAD";
      let path: string;
      try {
        path = decodeURIComponent(new URL(req.url).pathname);
      } catch {
        return new Response("bad path\n", { status: 400, headers });
      }
      if (path.split("/").some((part) => part === ".." || part.startsWith("."))) {
        return new Response("bad path\n", { status: 400, headers });
      }
      if (path.startsWith("/cifar10/")) {
        const name = path.slice("/cifar10/".length);
        if (!options.dataDir || !DATA_FILES.has(name)) {
          return new Response("not found\n", { status: 404, headers });
        }
        return fileResponse(`${options.dataDir}/${name}`, headers, head, req.headers.get("range"));
      }
      if (path.startsWith("/dist/")) {
        const bytes = options.dist.get(path.slice("/dist/".length));
        if (!bytes) return new Response("not found\n", { status: 404, headers });
        const type = TYPES[path.slice(path.lastIndexOf("."))];
        headers.set("content-type", type ?? "application/octet-stream");
        headers.set("content-length", String(bytes.length));
        return new Response(head ? null : bytes as Uint8Array<ArrayBuffer>, { headers });
      }
      if (path.endsWith("/")) path += "index.html";
      const file = new URL(`.${path}`, webRoot).pathname;
      return fileResponse(file, headers, head, req.headers.get("range"));
    },
  );
  return { server, url: `http://127.0.0.1:${server.addr.port}/` };
}

async function main(args: string[]): Promise<number> {
  const { values } = parseFlags({
    args,
    options: {
      port: { type: "string" },
      "no-isolation": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
      ...CIFAR10_DIR_OPTION,
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const port = values.port === undefined ? DEFAULT_PORT : parseNumber("port", values.port, "int");
  if (port < 0 || port > 65535) {
    throw new RangeError(`Cannot listen on --port ${port}: use 0 … 65535`);
  }
  const where = await locateCifar10({ cifar10Dir: values["cifar10-dir"] });
  let dataDir: string | undefined;
  if (where.batches?.format === "binary") dataDir = where.batches.dir;
  else if (where.batches?.format === "python") {
    console.error(
      `CIFAR-10 in "${where.batches.dir}" is the python format; the page reads the binary ` +
        "one (deno task data:cifar10 downloads it): pick the files in the page instead",
    );
  } else {
    console.error(
      `No CIFAR-10 in "${where.dir}": run deno task data:cifar10, pass --cifar10-dir DIR, ` +
        "or pick the batch files in the page",
    );
  }
  const isolation = !values["no-isolation"];
  const dist = await buildWeb();
  const { server, url } = serveWeb({ port, dataDir, isolation, dist });
  console.log(
    `Serving the trainer on ${url} (${
      isolation ? "cross-origin isolated" : "not isolated: one thread"
    }; CIFAR-10 ${dataDir ? `from ${dataDir}` : "not served"}). Ctrl-C stops.`,
  );
  await server.finished;
  return 0;
}

if (import.meta.main) await runTask("serve", () => main(Deno.args));
