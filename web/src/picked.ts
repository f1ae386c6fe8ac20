/**
 * CIFAR-10 from the user's disk, in the page: the binary batch files, or the tarball
 * `cifar-10-binary.tar.gz` itself, read locally (never uploaded). The tarball goes through the
 * same gunzip (`DecompressionStream`) and tar extractor (data/_tar.ts) as
 * `deno task data:cifar10`, into memory instead of a folder.
 *
 * @module
 */

import { extractTarToMemory } from "../../data/_tar.ts";
import {
  type BatchSource,
  checkBatchFile,
  META_FILE,
  TEST_BATCH_FILE,
  TRAIN_BATCH_FILES,
} from "./cifar10_bytes.ts";

/** The folder of the binary batches in the official tarball. */
export const TARBALL_FOLDER = "cifar-10-batches-bin";

/** A source reading from bytes in memory. */
function memorySource(name: string, bytes: Uint8Array): BatchSource {
  return {
    name,
    size: bytes.length,
    read: (start = 0, end = bytes.length) => Promise.resolve(bytes.subarray(start, end)),
  };
}

/**
 * The batches of files the user picked, each checked as `loadCifar10` checks it; all five
 * training batches are needed. Throws, saying what was wrong and what to do.
 */
export function pickedSources(
  files: readonly { name: string; bytes: Uint8Array }[],
): Map<string, BatchSource> {
  const sources = new Map<string, BatchSource>();
  for (const f of files) {
    checkBatchFile(f.name, f.bytes.length);
    sources.set(f.name, memorySource(f.name, f.bytes));
  }
  const missing = TRAIN_BATCH_FILES.filter((n) => !sources.has(n));
  if (missing.length > 0) {
    throw new Error(
      `Cannot use these files: ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} ` +
        "missing; pick all five training batches of the binary format",
    );
  }
  return sources;
}

/** True for a file name the page reads as the CIFAR-10 tarball. */
export function isTarball(name: string): boolean {
  return /\.(tar\.gz|tgz)$/i.test(name);
}

/**
 * The batches in a picked `cifar-10-binary.tar.gz` (gunzipped and untarred in memory, reading
 * only the batch files), checked like picked batch files.
 */
export async function tarballSources(name: string, file: Blob): Promise<Map<string, BatchSource>> {
  const wanted = new Set(
    [...TRAIN_BATCH_FILES, TEST_BATCH_FILE, META_FILE].map((n) => `${TARBALL_FOLDER}/${n}`),
  );
  let files: Map<string, Uint8Array>;
  try {
    const stream = file.stream().pipeThrough(new DecompressionStream("gzip"));
    files = await extractTarToMemory(stream, (path) => wanted.has(path));
  } catch (e) {
    throw new Error(
      `Cannot read "${name}": the archive cannot be extracted: ${(e as Error).message}; pick ` +
        "cifar-10-binary.tar.gz as downloaded (deno task data:cifar10 downloads it)",
    );
  }
  const missing = TRAIN_BATCH_FILES.filter((n) => !files.has(`${TARBALL_FOLDER}/${n}`));
  if (missing.length > 0) {
    throw new Error(
      `Cannot use "${name}": the archive has no ${TARBALL_FOLDER}/${missing[0]}; is it the ` +
        "binary version of CIFAR-10 (cifar-10-binary.tar.gz)?",
    );
  }
  return pickedSources(
    [...files].map(([path, bytes]) => ({ name: path.slice(TARBALL_FOLDER.length + 1), bytes })),
  );
}
