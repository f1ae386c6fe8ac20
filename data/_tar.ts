/**
 * A streaming, defensive tar extractor (POSIX ustar, with GNU long names and pax `path`
 * records), enough for the CIFAR-10 tarball and nothing more permissive.
 *
 * Every header checksum is verified; entry paths that are absolute or contain `..` are refused,
 * as are links, devices and anything but plain files and folders, so nothing can be written
 * outside the destination folder. File contents are written as they stream past: into a folder
 * (`extractTar`, for `deno task data:cifar10`) or into memory (`extractTarToMemory`, for the web
 * page, which reads the tarball a user picked).
 *
 * @module
 */

const BLOCK = 512;
/** The most bytes a GNU long name or a pax header may have: far above any real path. */
const MAX_HEADER_DATA = 1 << 20;
const decoder = new TextDecoder();

/** Reads exact byte counts out of a stream of chunks. */
class StreamBytes {
  private chunk: Uint8Array = new Uint8Array(0);
  private off = 0;
  /** Bytes consumed so far. */
  position = 0;

  constructor(private reader: ReadableStreamDefaultReader<Uint8Array>) {}

  private async more(): Promise<boolean> {
    while (this.off >= this.chunk.length) {
      const r = await this.reader.read();
      if (r.done) return false;
      [this.chunk, this.off] = [r.value, 0];
    }
    return true;
  }

  /** Passes the next `n` bytes to `fn` piece by piece; throws if the stream ends first. */
  async take(n: number, fn: (piece: Uint8Array) => void | Promise<void>): Promise<void> {
    while (n > 0) {
      if (!(await this.more())) {
        throw new Error(`the archive ends early, ${n} bytes short at byte ${this.position}`);
      }
      const piece = this.chunk.subarray(
        this.off,
        this.off + Math.min(n, this.chunk.length - this.off),
      );
      this.off += piece.length;
      this.position += piece.length;
      n -= piece.length;
      await fn(piece);
    }
  }

  /** The next `n` bytes as one array, or null when the stream is already at its end. */
  async exact(n: number): Promise<Uint8Array | null> {
    if (!(await this.more())) return null;
    const out = new Uint8Array(n);
    let at = 0;
    await this.take(n, (piece) => {
      out.set(piece, at);
      at += piece.length;
    });
    return out;
  }

  /** Reads to the end of the stream (trailing padding), returning how many bytes were left. */
  async drain(): Promise<number> {
    let left = 0;
    while (await this.more()) {
      left += this.chunk.length - this.off;
      this.position += this.chunk.length - this.off;
      this.off = this.chunk.length;
    }
    return left;
  }
}

function cString(block: Uint8Array, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return decoder.decode(end < 0 ? field : field.subarray(0, end));
}

function octal(block: Uint8Array, start: number, length: number): number {
  if (block[start] & 0x80) { // GNU base-256 for large values
    let value = block[start] & 0x7f;
    for (let i = 1; i < length; i++) value = value * 256 + block[start + i];
    return value;
  }
  const text = cString(block, start, length).trim();
  if (!/^[0-7]*$/.test(text)) {
    throw new Error(`a header field holds "${text}", not an octal number`);
  }
  return text === "" ? 0 : parseInt(text, 8);
}

function checkHeader(block: Uint8Array, index: number): void {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i];
  const stored = octal(block, 148, 8);
  if (sum !== stored) {
    throw new Error(
      `the header of entry ${index} is damaged (checksum ${stored}, computed ${sum})`,
    );
  }
}

/**
 * The path segments of a tar entry, refusing absolute paths and `..`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { safeEntryPath } from "./_tar.ts";
 * assert.deepEqual(safeEntryPath("./cifar/data_batch_1.bin"), ["cifar", "data_batch_1.bin"]);
 * assert.throws(() => safeEntryPath("a/../../etc/passwd"), /would escape/);
 * ```
 */
export function safeEntryPath(path: string): string[] {
  if (/^([\\/]|[A-Za-z]:)/.test(path)) {
    throw new Error(`entry "${path}" has an absolute path, which would escape the target folder`);
  }
  const parts = path.split(/[\\/]+/).filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) {
    throw new Error(`entry "${path}" contains "..", which would escape the target folder`);
  }
  return parts;
}

function paxPath(records: Uint8Array): string | null {
  const text = decoder.decode(records);
  let path: string | null = null;
  for (const line of text.split("\n")) {
    const m = /^\d+ path=(.*)$/.exec(line);
    if (m) path = m[1];
  }
  return path;
}

const TYPE_NAMES: Record<string, string> = {
  "1": "hard link",
  "2": "symbolic link",
  "3": "character device",
  "4": "block device",
  "6": "FIFO",
};

/** Where the entries go, by their checked path segments. */
interface TarSink {
  folder(parts: string[]): Promise<void>;
  /** Receives one file's bytes piece by piece, in order, then `close()`. */
  file(parts: string[], size: number): Promise<{
    write(piece: Uint8Array): void | Promise<void>;
    close(): void;
  }>;
}

/** A sink writing into the folder `dest`. */
function folderSink(dest: string): TarSink {
  return {
    folder: (parts) => Deno.mkdir(`${dest}/${parts.join("/")}`, { recursive: true }),
    async file(parts) {
      if (parts.length > 1) {
        await Deno.mkdir(`${dest}/${parts.slice(0, -1).join("/")}`, { recursive: true });
      }
      const file = await Deno.open(`${dest}/${parts.join("/")}`, {
        write: true,
        create: true,
        truncate: true,
      });
      return {
        async write(piece) {
          for (let off = 0; off < piece.length;) off += await file.write(piece.subarray(off));
        },
        close: () => file.close(),
      };
    },
  };
}

async function extractWith(stream: ReadableStream<Uint8Array>, sink: TarSink): Promise<string[]> {
  const reader = stream.getReader();
  try {
    return await extractEntries(new StreamBytes(reader), sink);
  } catch (e) {
    await reader.cancel(e).catch(() => {}); // stop the download too
    throw e;
  }
}

/**
 * Extracts the tar stream into `dest` (which must exist), returning the files written
 * (relative paths). Reads the stream to its end, so a checksum of its source covers every byte.
 */
export function extractTar(stream: ReadableStream<Uint8Array>, dest: string): Promise<string[]> {
  return extractWith(stream, folderSink(dest));
}

/**
 * The files of a tar stream in memory: relative path → bytes, for the files `keep` accepts
 * (the others are read past). The same checks as {@linkcode extractTar}; no file system.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { extractTarToMemory } from "./_tar.ts";
 * const empty = new Blob([new Uint8Array(1024)]).stream(); // just the two end blocks
 * assert.equal((await extractTarToMemory(empty)).size, 0);
 * ```
 */
export async function extractTarToMemory(
  stream: ReadableStream<Uint8Array>,
  keep: (path: string) => boolean = () => true,
): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  await extractWith(stream, {
    folder: () => Promise.resolve(),
    file(parts, size) {
      const path = parts.join("/");
      if (!keep(path)) return Promise.resolve({ write() {}, close() {} });
      const data = new Uint8Array(size);
      let at = 0;
      return Promise.resolve({
        write(piece) {
          data.set(piece, at);
          at += piece.length;
        },
        close: () => void files.set(path, data),
      });
    },
  });
  return files;
}

async function extractEntries(bytes: StreamBytes, sink: TarSink): Promise<string[]> {
  const files: string[] = [];
  let longName: string | null = null;
  for (let index = 0;; index++) {
    const header = await bytes.exact(BLOCK);
    if (header === null) throw new Error("the archive ends without its two end blocks");
    if (header.every((b) => b === 0)) {
      await bytes.drain();
      return files;
    }
    checkHeader(header, index);
    const type = String.fromCharCode(header[156] || 0x30);
    const size = octal(header, 124, 12);
    const padded = Math.ceil(size / BLOCK) * BLOCK;
    const ustar = cString(header, 257, 6) === "ustar";
    const prefix = ustar ? cString(header, 345, 155) : "";
    const name = longName ?? (prefix ? `${prefix}/` : "") + cString(header, 0, 100);
    longName = null;
    if (type === "L" || type === "x") {
      if (size > MAX_HEADER_DATA) {
        throw new Error(
          `entry ${index} has ${size} bytes of long-name data (at most ${MAX_HEADER_DATA})`,
        );
      }
      const data = await bytes.exact(padded) ?? new Uint8Array(0);
      longName = type === "L" ? cString(data, 0, size) : paxPath(data.subarray(0, size));
      continue;
    }
    if (type === "g") {
      await bytes.take(padded, () => {});
      continue;
    }
    if (type !== "0" && type !== "5" && type !== "7") {
      const kind = TYPE_NAMES[type] ?? `type "${type}"`;
      throw new Error(`entry "${name}" is a ${kind}; only plain files and folders are extracted`);
    }
    const parts = safeEntryPath(name);
    if (parts.length === 0) {
      await bytes.take(padded, () => {});
      continue;
    }
    if (type === "5") {
      await sink.folder(parts);
      await bytes.take(padded, () => {});
      continue;
    }
    const file = await sink.file(parts, size);
    try {
      await bytes.take(size, (piece) => file.write(piece));
    } finally {
      file.close();
    }
    await bytes.take(padded - size, () => {});
    files.push(parts.join("/"));
  }
}
