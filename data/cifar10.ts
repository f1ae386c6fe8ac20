/**
 * Loading CIFAR-10 (Krizhevsky, 2009) from either official format into two uint8 stores.
 *
 * - Binary format (`cifar-10-batches-bin`): `data_batch_1.bin` … `data_batch_5.bin` and
 *   `test_batch.bin`, each a run of 3073-byte records (1 label byte, then 3072 pixel bytes), and
 *   `batches.meta.txt` with one class name per line.
 * - Python format (`cifar-10-batches-py`): `data_batch_1` … `data_batch_5`, `test_batch` and
 *   `batches.meta`, Python 2 pickles read by the safe reader in `_pickle.ts`.
 *
 * Either way an image is 3072 bytes: the 1024 red, then 1024 green, then 1024 blue values, each
 * plane 32 rows of 32 — so a store of N images is exactly an (N, 3, 32, 32) array.
 *
 * @module
 */

import { readPythonBatch, readPythonMeta } from "./_cifar10_python.ts";
import { findCifar10Batches, missingCifar10Error } from "./locate.ts";

/** The ten class names, in label order. */
export const CIFAR10_CLASSES: readonly string[] = Object.freeze([
  "airplane",
  "automobile",
  "bird",
  "cat",
  "deer",
  "dog",
  "frog",
  "horse",
  "ship",
  "truck",
]);

/** Bytes per image: 3 channels × 32 rows × 32 columns. */
export const IMAGE_BYTES = 3072;
/** The shape of one image, channels first. */
export const IMAGE_SHAPE: readonly number[] = Object.freeze([3, 32, 32]);
const RECORD_BYTES = 1 + IMAGE_BYTES;
const TRAIN_BATCHES = 5;

/** A set of images with their labels, as bytes straight from the files. */
export interface ImageSet {
  /** images: (N, 3, 32, 32) uint8, each image R plane, G plane, B plane, rows in order. */
  images: Uint8Array;
  /** labels: (N) uint8, each in 0 … 9. */
  labels: Uint8Array;
}

/** CIFAR-10 as loaded: 50,000 training and 10,000 test images for the official files. */
export interface Cifar10 {
  /** The five training batches, in file order: (50000, 3, 32, 32) for the official files. */
  train: ImageSet;
  /** The test batch: (10000, 3, 32, 32) for the official files. */
  test: ImageSet;
  /** The class names, in label order (`airplane` … `truck`). */
  classes: string[];
  /** The batches folder that was read. */
  dir: string;
  /** Which official format it held. */
  format: "binary" | "python";
}

/** The number of images in a set. */
export function imageCount(set: ImageSet): number {
  return set.labels.length;
}

/**
 * Loads CIFAR-10 from `dir`: the batches folder itself (`cifar-10-batches-bin` or
 * `cifar-10-batches-py`) or the folder holding it. The binary format wins when both are there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadCifar10 } from "./cifar10.ts";
 * const dir = Deno.env.get("CIFAR10_DIR");
 * if (dir) {
 *   const { train, test, classes } = await loadCifar10(dir);
 *   assert.equal(train.images.length, 50000 * 3 * 32 * 32);
 *   assert.equal(test.labels.length, 10000);
 *   assert.equal(classes[0], "airplane");
 * }
 * ```
 */
export async function loadCifar10(dir: string): Promise<Cifar10> {
  const found = await findCifar10Batches(dir);
  if (found === null) throw missingCifar10Error(dir);
  return found.format === "binary" ? await loadBinary(found.dir) : await loadPython(found.dir);
}

async function loadBinary(dir: string): Promise<Cifar10> {
  const trainFiles = Array.from(
    { length: TRAIN_BATCHES },
    (_, i) => `${dir}/data_batch_${i + 1}.bin`,
  );
  const testFile = `${dir}/test_batch.bin`;
  const classes = parseMetaText(
    await readText(`${dir}/batches.meta.txt`),
    `${dir}/batches.meta.txt`,
  );
  const buffer = { bytes: new Uint8Array(0) };
  const counts = await Promise.all(trainFiles.map(recordCount));
  counts.forEach((n, i) => checkBatchCount(trainFiles[i], n, trainFiles[0], counts[0]));
  const train = await readBinaryFiles(trainFiles, classes.length, buffer);
  const test = await readBinaryFiles([testFile], classes.length, buffer);
  return { train, test, classes, dir, format: "binary" };
}

/**
 * Refuses a training batch file whose image count differs from the first one's: CIFAR-10's
 * five training batches hold 10,000 images each, so a shorter one was cut short or comes from
 * elsewhere (it would otherwise shrink the training set silently).
 */
function checkBatchCount(path: string, count: number, firstPath: string, first: number): void {
  if (count === first) return;
  throw new Error(
    `Cannot read CIFAR-10 batch "${path}": it holds ${count} images but "${firstPath}" holds ` +
      `${first}; the training batches are all the same size (10000 in CIFAR-10), so this file ` +
      "was cut short or comes from another copy — download it again with `deno task data:cifar10`",
  );
}

/** The number of records in a binary batch file, after checking its size. */
async function recordCount(path: string): Promise<number> {
  const size = (await statFile(path)).size;
  if (size === 0 || size % RECORD_BYTES !== 0) {
    throw new Error(
      `Cannot read CIFAR-10 batch "${path}": its size ${size} bytes is not a positive multiple ` +
        `of ${RECORD_BYTES} (1 label byte + ${IMAGE_BYTES} pixel bytes per image); the file ` +
        "is damaged or not a CIFAR-10 binary batch — download it again with " +
        "`deno task data:cifar10`",
    );
  }
  return size / RECORD_BYTES;
}

/** Reads binary batch files into one set, through one reusable file buffer. */
async function readBinaryFiles(
  paths: string[],
  numClasses: number,
  buffer: { bytes: Uint8Array },
): Promise<ImageSet> {
  const counts: number[] = [];
  for (const path of paths) counts.push(await recordCount(path));
  const total = counts.reduce((a, b) => a + b, 0);
  const images = new Uint8Array(total * IMAGE_BYTES); // images: (N, 3, 32, 32)
  const labels = new Uint8Array(total); // labels: (N)
  let n = 0;
  for (let f = 0; f < paths.length; f++) {
    const size = counts[f] * RECORD_BYTES;
    if (buffer.bytes.length < size) buffer.bytes = new Uint8Array(size);
    const file = buffer.bytes.subarray(0, size); // file: (count, 3073)
    await readExactly(paths[f], file);
    for (let i = 0; i < counts[f]; i++, n++) {
      const record = i * RECORD_BYTES;
      labels[n] = file[record];
      images.set(file.subarray(record + 1, record + RECORD_BYTES), n * IMAGE_BYTES);
    }
    checkLabels({ images, labels: labels.subarray(n - counts[f], n) }, numClasses, paths[f]);
  }
  return { images, labels };
}

async function readExactly(path: string, into: Uint8Array): Promise<void> {
  using file = await Deno.open(path, { read: true });
  let off = 0;
  while (off < into.length) {
    const got = await file.read(into.subarray(off));
    if (got === null) {
      throw new Error(
        `Cannot read CIFAR-10 batch "${path}": it ended after ${off} of ${into.length} bytes ` +
          `(was it changed while being read?)`,
      );
    }
    off += got;
  }
}

async function loadPython(dir: string): Promise<Cifar10> {
  const classes = readPythonMeta(await readBytes(`${dir}/batches.meta`), `${dir}/batches.meta`);
  // Every file is read into one reusable buffer and its batch copied into the store before the
  // next is read, so memory holds the store plus one file (not six 31 MB files).
  const buffer = { bytes: new Uint8Array(0) };
  const store = new SetBuilder();
  let first = 0;
  for (let i = 1; i <= TRAIN_BATCHES; i++) {
    const path = `${dir}/data_batch_${i}`;
    const bytes = await readIntoBuffer(path, buffer);
    const batch = readPythonBatch(bytes, path, classes.length);
    if (i === 1) first = batch.labels.length;
    checkBatchCount(path, batch.labels.length, `${dir}/data_batch_1`, first);
    store.append(batch, TRAIN_BATCHES);
  }
  const testPath = `${dir}/test_batch`;
  const test = readPythonBatch(await readIntoBuffer(testPath, buffer), testPath, classes.length);
  return { train: store.result(), test, classes, dir, format: "python" }; // test: a view, last use
}

/** Reads a whole file into `buffer` (grown when too small) and returns the filled part. */
async function readIntoBuffer(path: string, buffer: { bytes: Uint8Array }): Promise<Uint8Array> {
  const size = (await statFile(path)).size;
  if (buffer.bytes.length < size) buffer.bytes = new Uint8Array(size);
  const bytes = buffer.bytes.subarray(0, size);
  await readExactly(path, bytes);
  return bytes;
}

/** Concatenates sets, sizing the store from the first one (exact for the official files). */
class SetBuilder {
  private images = new Uint8Array(0); // images: (capacity, 3, 32, 32)
  private labels = new Uint8Array(0); // labels: (capacity)
  private n = 0;

  append(set: ImageSet, expectedParts: number): void {
    const count = set.labels.length;
    if (this.n + count > this.labels.length) {
      const capacity = Math.max(this.n + count, count * expectedParts);
      const images = new Uint8Array(capacity * IMAGE_BYTES), labels = new Uint8Array(capacity);
      images.set(this.images.subarray(0, this.n * IMAGE_BYTES));
      labels.set(this.labels.subarray(0, this.n));
      [this.images, this.labels] = [images, labels];
    }
    this.images.set(set.images, this.n * IMAGE_BYTES);
    this.labels.set(set.labels, this.n);
    this.n += count;
  }

  result(): ImageSet {
    return {
      images: this.images.subarray(0, this.n * IMAGE_BYTES),
      labels: this.labels.subarray(0, this.n),
    };
  }
}

/** Class names from `batches.meta.txt`: one per line, blank lines ignored. */
export function parseMetaText(text: string, path: string): string[] {
  const classes = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  if (classes.length !== CIFAR10_CLASSES.length) {
    throw new Error(
      `Cannot read CIFAR-10 class names from "${path}": found ${classes.length} names but ` +
        `CIFAR-10 has ${CIFAR10_CLASSES.length}; is this CIFAR-100 or a damaged file?`,
    );
  }
  return classes;
}

/** Throws if any label is not below `numClasses`, naming the file and the image. */
export function checkLabels(set: ImageSet, numClasses: number, path: string): void {
  const { labels } = set;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= numClasses) {
      throw new RangeError(
        `Cannot read CIFAR-10 batch "${path}": image ${i} has label ${labels[i]} but labels ` +
          `must be 0 … ${numClasses - 1}; the file is damaged or not CIFAR-10`,
      );
    }
  }
}

async function statFile(path: string): Promise<Deno.FileInfo> {
  try {
    return await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(
        `Cannot read CIFAR-10: "${path}" is missing, so the batches folder is incomplete; ` +
          "download it again with `deno task data:cifar10` or pass --cifar10-dir",
      );
    }
    throw e;
  }
}

async function readBytes(path: string): Promise<Uint8Array> {
  await statFile(path);
  return await Deno.readFile(path);
}

async function readText(path: string): Promise<string> {
  return new TextDecoder().decode(await readBytes(path));
}
