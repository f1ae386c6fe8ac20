/**
 * Fetching CIFAR-10: download, checksum, streaming extraction, all-or-nothing.
 *
 * The tarball streams through an MD5 hash and a progress bar into gunzip
 * (`DecompressionStream`) and the tar extractor, which writes into
 * `<dir>/cifar-10-batches-bin.partial/`. Only when the stream has ended, its MD5 matches and every
 * batch file is there with a sensible size is the folder renamed to `<dir>/cifar-10-batches-bin`.
 * On any failure the partial folder is deleted; if the process is killed instead, the next run
 * deletes the leftover and starts over. A run that finds the data already there does nothing.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { BINARY_FOLDER, findCifar10Batches, locateCifar10, missingCifar10Error } from "./locate.ts";
import { extractTar } from "./_tar.ts";
import { formatBytes, ProgressBar } from "./_progress.ts";

/** The official binary tarball. */
export const CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz";
/** Its MD5, as published on https://www.cs.toronto.edu/~kriz/cifar.html. */
export const CIFAR10_MD5 = "c32a1d4ab5d03f1284b67883e8d87530";

const BATCH_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`).concat("test_batch.bin");
const RECORD_BYTES = 3073;

/** How to download. */
export interface DownloadOptions {
  /** Where from (default {@link CIFAR10_URL}). */
  url?: string;
  /** The expected MD5 of the tarball, hex (default {@link CIFAR10_MD5}). */
  md5?: string;
  /** Draw a progress bar (default: when stderr is a terminal). */
  progress?: boolean;
  /** Where to say what is happening (default: nothing). */
  log?: (line: string) => void;
}

/** What {@link downloadCifar10} did. */
export interface DownloadResult {
  /** The batches folder. */
  dir: string;
  /** False when the data was already there and nothing was done. */
  downloaded: boolean;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * Downloads and extracts CIFAR-10 (binary format) into `<dir>/cifar-10-batches-bin`, unless
 * `dir` already holds CIFAR-10 in either format.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { downloadCifar10 } from "./download.ts";
 * const dir = Deno.env.get("CIFAR10_DIR");
 * if (dir) {
 *   const result = await downloadCifar10(dir); // already there: nothing to do
 *   assert.equal(result.downloaded, false);
 * }
 * ```
 */
export async function downloadCifar10(
  dir: string,
  options: DownloadOptions = {},
): Promise<DownloadResult> {
  const found = await findCifar10Batches(dir);
  if (found !== null) return { dir: found.dir, downloaded: false };
  const { url = CIFAR10_URL, md5 = CIFAR10_MD5, log = () => {} } = options;
  const target = `${dir}/${BINARY_FOLDER}`, partial = `${target}.partial`;
  if (await exists(target)) {
    throw new Error(
      `Cannot download CIFAR-10 into "${target}": the folder exists but holds no ` +
        "data_batch_1.bin; remove it (or move it away) and run again",
    );
  }
  await Deno.mkdir(dir, { recursive: true });
  if (await exists(partial)) {
    log(`Removing "${partial}", left by an interrupted download`);
    await Deno.remove(partial, { recursive: true });
  }
  await Deno.mkdir(partial);
  try {
    log(`Downloading ${url} into "${dir}"`);
    const digest = await fetchAndExtract(url, partial, options.progress);
    if (digest !== md5.toLowerCase()) {
      throw new Error(
        `Cannot use the CIFAR-10 download from ${url}: its MD5 is ${digest} but should be ` +
          `${md5}; the file was corrupted on the way (or the URL serves another file), so it ` +
          "was deleted — run the command again",
      );
    }
    await verifyBatches(`${partial}/${BINARY_FOLDER}`, url);
    await Deno.rename(`${partial}/${BINARY_FOLDER}`, target);
    await Deno.remove(partial, { recursive: true });
  } catch (e) {
    await Deno.remove(partial, { recursive: true }).catch(() => {});
    throw e;
  }
  log(`CIFAR-10 is in "${target}"`);
  return { dir: target, downloaded: true };
}

/** Streams `url` through MD5 and progress into gunzip and tar; returns the MD5 (hex). */
async function fetchAndExtract(url: string, dest: string, progress?: boolean): Promise<string> {
  const response = await fetch(url).catch((e) => {
    const cause = e.cause instanceof Error ? ` (${e.cause.message})` : "";
    throw new Error(
      `Cannot download CIFAR-10 from ${url}: ${e.message}${cause}; check the connection`,
    );
  });
  if (!response.ok || response.body === null) {
    await response.body?.cancel();
    throw new Error(
      `Cannot download CIFAR-10 from ${url}: the server answered ${response.status} ` +
        `${response.statusText}; check the URL`,
    );
  }
  const header = response.headers.get("content-length");
  const total = header !== null && /^\d+$/.test(header) ? Number(header) : null;
  const hash = createHash("md5");
  const bar = new ProgressBar(url.split("/").pop() ?? url, total, progress);
  let received = 0;
  const counted = response.body.pipeThrough(
    new TransformStream<Uint8Array<ArrayBuffer>, Uint8Array<ArrayBuffer>>({
      transform(chunk, controller) {
        hash.update(chunk);
        received += chunk.length;
        bar.add(chunk.length);
        controller.enqueue(chunk);
      },
    }),
  );
  try {
    await extractTar(counted.pipeThrough(new DecompressionStream("gzip")), dest);
  } catch (e) {
    const short = total !== null && received < total;
    const why = short
      ? `the download stopped after ${formatBytes(received)} of ${formatBytes(total)} (truncated)`
      : `the archive cannot be extracted: ${(e as Error).message}`;
    throw new Error(`Cannot download CIFAR-10 from ${url}: ${why}; nothing was kept, run again`);
  } finally {
    bar.finish();
  }
  if (total !== null && received !== total) {
    throw new Error(
      `Cannot download CIFAR-10 from ${url}: received ${received} bytes but the server ` +
        `announced ${total} (truncated); nothing was kept, run again`,
    );
  }
  return hash.digest("hex");
}

/** Checks that every batch file was extracted with a size CIFAR-10 records can have. */
async function verifyBatches(dir: string, url: string): Promise<void> {
  for (const name of [...BATCH_FILES, "batches.meta.txt"]) {
    let size: number;
    try {
      size = (await Deno.stat(`${dir}/${name}`)).size;
    } catch {
      throw new Error(
        `Cannot use the CIFAR-10 download from ${url}: the archive has no ` +
          `${BINARY_FOLDER}/${name}; is it the binary version of CIFAR-10?`,
      );
    }
    if (name.endsWith(".bin") && (size === 0 || size % RECORD_BYTES !== 0)) {
      throw new Error(
        `Cannot use the CIFAR-10 download from ${url}: ${name} has ${size} bytes, not a ` +
          `positive multiple of ${RECORD_BYTES}`,
      );
    }
  }
}

/**
 * The batches folder to train on, by the rule of `locateCifar10` (`cifar10Dir` from
 * `--cifar10-dir`, else `CIFAR10_DIR`, else `data/`). When nothing is there and the location is
 * the default one, downloads it if `download` is true; otherwise throws the error that says what
 * to do. A folder named by the flag or the variable is never downloaded into implicitly.
 */
export async function ensureCifar10(
  options: { cifar10Dir?: string; defaultDir?: string; download?: boolean } & DownloadOptions = {},
): Promise<string> {
  const where = await locateCifar10(options);
  if (where.batches !== null) return where.batches.dir;
  if (options.download && where.source === "default") {
    options.log?.(`CIFAR-10 is not in "${where.dir}" yet`);
    return (await downloadCifar10(where.dir, options)).dir;
  }
  throw missingCifar10Error(where.dir, where.source);
}
