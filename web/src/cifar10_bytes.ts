/**
 * CIFAR-10 binary batches from bytes rather than a folder, for the browser: files fetched from
 * `deno task serve` (its `/cifar10/` folder) or picked by the user (read locally, never
 * uploaded). The same checks and messages as `loadCifar10`, and the same splits (`splitCifar10`),
 * so a page trains on exactly the images `deno task train` trains on. Only the parts of the batch
 * files that hold the images of the splits are read (HTTP range requests when served).
 *
 * @module
 */

import {
  checkLabels,
  CIFAR10_CLASSES,
  IMAGE_BYTES,
  type ImageSet,
  parseMetaText,
} from "../../data/cifar10.ts";
import { splitCifar10, type SplitOptions } from "../../data/splits.ts";
import type { TrainData } from "../../train/loop.ts";

/** Bytes per record of a binary batch: 1 label byte, then the image. */
export const RECORD_BYTES = IMAGE_BYTES + 1;
/** The training batches, in order. */
export const TRAIN_BATCH_FILES: readonly string[] = Object.freeze(
  [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`),
);
/** The test batch. */
export const TEST_BATCH_FILE = "test_batch.bin";
/** The class names, one a line. */
export const META_FILE = "batches.meta.txt";
const KNOWN = new Set([...TRAIN_BATCH_FILES, TEST_BATCH_FILE, META_FILE]);

/** A file of the binary format: its name, its size, and how to read it. */
export interface BatchSource {
  name: string;
  size: number;
  /** Bytes `start … end-1` (default: the whole file). */
  read(start?: number, end?: number): Promise<Uint8Array>;
}

/**
 * Checks a file the user gave: its name must be one of the binary format's and a batch's size a
 * positive multiple of {@linkcode RECORD_BYTES}. Throws, saying what was wrong and what to do.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkBatchFile } from "./cifar10_bytes.ts";
 * checkBatchFile("data_batch_1.bin", 3073 * 2);
 * assert.throws(() => checkBatchFile("data_batch_1.bin", 100), /not a positive multiple of 3073/);
 * assert.throws(() => checkBatchFile("cat.png", 100), /not a file of CIFAR-10/);
 * ```
 */
export function checkBatchFile(name: string, size: number): void {
  if (!KNOWN.has(name)) {
    throw new TypeError(
      `Cannot use "${name}": it is not a file of CIFAR-10's binary format; pick ` +
        `${TRAIN_BATCH_FILES.join(", ")}, ${TEST_BATCH_FILE} and ${META_FILE} from the ` +
        "cifar-10-batches-bin folder (deno task data:cifar10 downloads it)",
    );
  }
  if (name === META_FILE) return;
  if (size === 0 || size % RECORD_BYTES !== 0) {
    throw new Error(
      `Cannot read CIFAR-10 batch "${name}": its size ${size} bytes is not a positive multiple ` +
        `of ${RECORD_BYTES} (1 label byte + ${IMAGE_BYTES} pixel bytes per image); the file ` +
        "is damaged or not a CIFAR-10 binary batch — download it again with " +
        "`deno task data:cifar10`",
    );
  }
}

/** Copies the records in `bytes` into `set` from image `at` on. */
function copyRecords(bytes: Uint8Array, set: ImageSet, at: number) {
  for (let i = 0; i < bytes.length / RECORD_BYTES; i++) {
    const record = i * RECORD_BYTES;
    set.labels[at + i] = bytes[record];
    set.images.set(bytes.subarray(record + 1, record + RECORD_BYTES), (at + i) * IMAGE_BYTES);
  }
}

/**
 * The splits of `deno task train` (`splitCifar10` with the same counts) from binary batch files,
 * reading only the records of the batches that hold training or validation images (the test
 * set is left empty unless `numTest` is given). Needs all five training batches (their sizes place the validation
 * images); the class names come from `batches.meta.txt` when it is there.
 */
export async function loadCifar10Splits(
  sources: ReadonlyMap<string, BatchSource>,
  options: SplitOptions = {},
): Promise<TrainData> {
  const missing = TRAIN_BATCH_FILES.filter((name) => !sources.has(name));
  if (missing.length > 0) {
    throw new Error(
      `Cannot load CIFAR-10: ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} ` +
        "missing; give all five training batches of the binary format",
    );
  }
  for (const s of sources.values()) checkBatchFile(s.name, s.size);
  const meta = sources.get(META_FILE);
  const classes = meta
    ? parseMetaText(new TextDecoder().decode(await meta.read()), META_FILE)
    : [...CIFAR10_CLASSES];
  const counts = TRAIN_BATCH_FILES.map((name) => sources.get(name)!.size / RECORD_BYTES);
  const total = counts.reduce((a, b) => a + b, 0);
  const train: ImageSet = {
    images: new Uint8Array(total * IMAGE_BYTES), // images: (total, 3, 32, 32), filled where used
    labels: new Uint8Array(total),
  };
  const testSource = sources.get(TEST_BATCH_FILE);
  const numTest = options.numTest ?? 0;
  if (numTest > 0 && !testSource) {
    throw new Error(
      `Cannot test on ${numTest} images: ${TEST_BATCH_FILE} is missing; give it too, or set ` +
        "the test images to 0",
    );
  }
  const testCount = numTest > 0 && testSource ? testSource.size / RECORD_BYTES : 0;
  const test: ImageSet = {
    images: new Uint8Array(testCount * IMAGE_BYTES),
    labels: new Uint8Array(testCount),
  };
  // Checks the counts before anything is read.
  const probe = splitCifar10({ train, test, classes }, { ...options, numTest });
  const valStart = total - Math.min(1000, total), valEnd = valStart + probe.val.labels.length;
  const numTrain = probe.train.labels.length;
  let start = 0;
  for (let f = 0; f < TRAIN_BATCH_FILES.length; f++) {
    const end = start + counts[f];
    // The records of this file that training or validation use: one covering range.
    const parts = [[0, numTrain], [valStart, valEnd]]
      .map(([a, b]) => [Math.max(start, a), Math.min(end, b)])
      .filter(([a, b]) => a < b);
    if (parts.length > 0) {
      const from = Math.min(...parts.map((p) => p[0])), to = Math.max(...parts.map((p) => p[1]));
      const source = sources.get(TRAIN_BATCH_FILES[f])!;
      const bytes = await readChecked(
        source,
        (from - start) * RECORD_BYTES,
        (to - start) * RECORD_BYTES,
      );
      copyRecords(bytes, train, from);
      checkLabels(
        { images: train.images, labels: train.labels.subarray(from, to) },
        classes.length,
        TRAIN_BATCH_FILES[f],
      );
    }
    start = end;
  }
  if (testCount > 0) {
    copyRecords(await readChecked(testSource!, 0, testSource!.size), test, 0);
    checkLabels(test, classes.length, TEST_BATCH_FILE);
  }
  return splitCifar10({ train, test, classes }, { ...options, numTest });
}

async function readChecked(source: BatchSource, start: number, end: number): Promise<Uint8Array> {
  const bytes = await source.read(start, end);
  if (bytes.length !== end - start) {
    throw new Error(
      `Cannot read CIFAR-10 batch "${source.name}": bytes ${start} … ${end - 1} of its ` +
        `${source.size} came back as ${bytes.length} bytes (was it changed while being read?)`,
    );
  }
  return bytes;
}
