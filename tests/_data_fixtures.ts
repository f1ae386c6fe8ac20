/**
 * Small synthetic CIFAR-10 folders for the data tests, in both official formats.
 *
 * The python-format files are written byte for byte the way Python 2's cPickle (protocol 2)
 * wrote the official ones: byte strings as SHORT_BINSTRING/BINSTRING, every object memoised
 * with BINPUT (LONG_BINPUT past 255, counting from 1), the array through
 * `numpy.core.multiarray._reconstruct`, labels and file names appended 1000 at a time.
 *
 * @module
 */

import { CIFAR10_CLASSES, type ImageSet } from "../data/cifar10.ts";

export const IMAGE_BYTES = 3072;

/** `n` images whose bytes depend on `seed`, labels cycling through 0 … 9 from `seed`. */
export function syntheticSet(n: number, seed: number): ImageSet {
  const images = new Uint8Array(n * IMAGE_BYTES); // images: (n, 3, 32, 32)
  const labels = new Uint8Array(n); // labels: (n)
  for (let i = 0; i < n; i++) {
    labels[i] = (i + seed) % 10;
    for (let p = 0; p < IMAGE_BYTES; p++) {
      images[i * IMAGE_BYTES + p] = (p * 7 + i * 31 + seed * 13) & 255;
    }
  }
  return { images, labels };
}

/** The images and labels `i0 … i1-1` of a set (copies). */
export function sliceSet(set: ImageSet, i0: number, i1: number): ImageSet {
  return {
    images: set.images.slice(i0 * IMAGE_BYTES, i1 * IMAGE_BYTES),
    labels: set.labels.slice(i0, i1),
  };
}

/** A binary batch file: per image 1 label byte then 3072 pixel bytes. */
export function binaryBatch(set: ImageSet): Uint8Array {
  const n = set.labels.length;
  const out = new Uint8Array(n * (IMAGE_BYTES + 1));
  for (let i = 0; i < n; i++) {
    out[i * (IMAGE_BYTES + 1)] = set.labels[i];
    out.set(set.images.subarray(i * IMAGE_BYTES, (i + 1) * IMAGE_BYTES), i * (IMAGE_BYTES + 1) + 1);
  }
  return out;
}

/** The expected contents of a synthetic folder. */
export interface SyntheticCifar {
  train: ImageSet;
  test: ImageSet;
}

/** Writes a binary-format folder with 5 batches of `perBatch` and `testCount` test images. */
export async function writeBinaryCifar(
  dir: string,
  perBatch = 6,
  testCount = 4,
): Promise<SyntheticCifar> {
  await Deno.mkdir(dir, { recursive: true });
  const train = syntheticSet(5 * perBatch, 1), test = syntheticSet(testCount, 2);
  for (let b = 0; b < 5; b++) {
    const part = sliceSet(train, b * perBatch, (b + 1) * perBatch);
    await Deno.writeFile(`${dir}/data_batch_${b + 1}.bin`, binaryBatch(part));
  }
  await Deno.writeFile(`${dir}/test_batch.bin`, binaryBatch(test));
  await Deno.writeTextFile(`${dir}/batches.meta.txt`, CIFAR10_CLASSES.join("\n") + "\n\n");
  return { train, test };
}

/** Writes a python-format folder (Python 2 pickles) with the same contents as the binary one. */
export async function writePythonCifar(
  dir: string,
  perBatch = 6,
  testCount = 4,
): Promise<SyntheticCifar> {
  await Deno.mkdir(dir, { recursive: true });
  const train = syntheticSet(5 * perBatch, 1), test = syntheticSet(testCount, 2);
  for (let b = 0; b < 5; b++) {
    const part = sliceSet(train, b * perBatch, (b + 1) * perBatch);
    const label = `training batch ${b + 1} of 5`;
    await Deno.writeFile(`${dir}/data_batch_${b + 1}`, pickleBatch(part, label));
  }
  await Deno.writeFile(`${dir}/test_batch`, pickleBatch(test, "testing batch 1 of 1"));
  await Deno.writeFile(`${dir}/batches.meta`, pickleMeta(CIFAR10_CLASSES, 10000));
  return { train, test };
}

/** Writes pickle opcodes as Python 2's cPickle did, protocol 2. */
export class Py2Pickler {
  private out: number[] = [];
  private memo = 1;
  private chunks: Uint8Array[] = [];

  op(...bytes: number[]): this {
    this.out.push(...bytes);
    return this;
  }
  put(): this {
    const i = this.memo++;
    return i < 256 ? this.op(0x71, i) : this.op(0x72, i & 255, (i >> 8) & 255, (i >> 16) & 255, 0);
  }
  int(v: number): this {
    if (v >= 0 && v < 256) return this.op(0x4b, v);
    if (v >= 0 && v < 65536) return this.op(0x4d, v & 255, v >> 8);
    return this.op(0x4a, v & 255, (v >> 8) & 255, (v >> 16) & 255, (v >>> 24) & 255);
  }
  /** A Python 2 `str`: SHORT_BINSTRING below 256 bytes, else BINSTRING; then memoised. */
  str(s: string | Uint8Array): this {
    const bytes = typeof s === "string" ? Uint8Array.from(s, (c) => c.charCodeAt(0)) : s;
    if (bytes.length < 256) this.op(0x55, bytes.length);
    else {
      const n = bytes.length;
      this.op(0x54, n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255);
    }
    this.flush();
    this.chunks.push(bytes);
    return this.put();
  }
  global(module: string, name: string): this {
    this.op(0x63, ...Array.from(`${module}\n${name}\n`, (c) => c.charCodeAt(0)));
    return this.put();
  }
  private flush(): void {
    this.chunks.push(Uint8Array.from(this.out));
    this.out = [];
  }
  bytes(): Uint8Array {
    this.flush();
    const total = this.chunks.reduce((a, c) => a + c.length, 0);
    const result = new Uint8Array(total);
    let off = 0;
    for (const c of this.chunks) result.set(c, (off += c.length) - c.length);
    return result;
  }
}

const MARK = 0x28, APPENDS = 0x65, SETITEMS = 0x75, TUPLE = 0x74, REDUCE = 0x52, BUILD = 0x62;

/** A list of ints or strings, appended in batches of 1000 as cPickle did. */
function list(p: Py2Pickler, items: (number | string)[]): void {
  p.op(0x5d).put(); // EMPTY_LIST
  for (let i = 0; i < items.length; i += 1000) {
    p.op(MARK);
    for (const x of items.slice(i, i + 1000)) typeof x === "number" ? p.int(x) : p.str(x);
    p.op(APPENDS);
  }
}

/** An (n, 3072) uint8 ndarray exactly as numpy's __reduce__ pickled it under Python 2. */
export function ndarray(p: Py2Pickler, data: Uint8Array, shape: number[]): void {
  p.global("numpy.core.multiarray", "_reconstruct").global("numpy", "ndarray");
  p.int(0).op(0x85).put().str("b").op(0x87).put().op(REDUCE).put(); // (ndarray, (0,), 'b')
  p.op(MARK).int(1);
  for (const d of shape) p.int(d);
  p.op(0x86).put(); // shape tuple
  p.global("numpy", "dtype").str("u1").int(0).int(1).op(0x87).put().op(REDUCE).put();
  p.op(MARK).int(3).str("|").op(0x4e, 0x4e, 0x4e).int(-1).int(-1).int(0).op(TUPLE).put();
  p.op(BUILD).op(0x89).str(data).op(TUPLE).put().op(BUILD);
}

/** A data batch pickle: `{data, labels, batch_label, filenames}`. */
export function pickleBatch(set: ImageSet, batchLabel: string): Uint8Array {
  const n = set.labels.length;
  const p = new Py2Pickler().op(0x80, 2, 0x7d).put().op(MARK);
  p.str("data");
  ndarray(p, set.images, [n, IMAGE_BYTES]);
  p.str("labels");
  list(p, Array.from(set.labels));
  p.str("batch_label").str(batchLabel);
  p.str("filenames");
  list(p, Array.from({ length: n }, (_, i) => `image_${i}.png`));
  return p.op(SETITEMS, 0x2e).bytes();
}

/** A `batches.meta` pickle: `{num_cases_per_batch, label_names, num_vis}`. */
export function pickleMeta(classes: readonly string[], perBatch: number): Uint8Array {
  const p = new Py2Pickler().op(0x80, 2, 0x7d).put().op(MARK);
  p.str("num_cases_per_batch").int(perBatch);
  p.str("label_names");
  list(p, [...classes]);
  p.str("num_vis").int(IMAGE_BYTES);
  return p.op(SETITEMS, 0x2e).bytes();
}

/** A fresh temporary folder, removed when the returned handle is disposed (`await using`). */
export async function tempDir(prefix: string): Promise<{ dir: string } & AsyncDisposable> {
  const dir = await Deno.makeTempDir({ prefix: `convnet_${prefix}_` });
  return { dir, [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }) };
}

/** One tar entry: a 512-byte ustar header, then the data padded to 512 bytes. */
export function tarEntry(
  name: string,
  data: Uint8Array = new Uint8Array(0),
  type = "0",
): Uint8Array {
  const header = new Uint8Array(512);
  const put = (text: string, at: number) => header.set(new TextEncoder().encode(text), at);
  put(name, 0);
  put("0000644\0", 100);
  put("0000000\0", 108);
  put("0000000\0", 116);
  put(data.length.toString(8).padStart(11, "0") + "\0", 124);
  put("00000000000\0", 136);
  put(type, 156);
  put("ustar\0" + "00", 257);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
  put(sum.toString(8).padStart(6, "0") + "\0 ", 148);
  const out = new Uint8Array(512 + Math.ceil(data.length / 512) * 512);
  out.set(header);
  out.set(data, 512);
  return out;
}

/** Tar entries followed by the two zero end blocks. */
export function tar(entries: Uint8Array[]): Uint8Array {
  const total = entries.reduce((a, e) => a + e.length, 0) + 1024;
  const out = new Uint8Array(total);
  let off = 0;
  for (const e of entries) out.set(e, (off += e.length) - e.length);
  return out;
}

/** Gzips bytes with the built-in CompressionStream. */
export async function gzip(bytes: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A CIFAR-10 binary tarball laid out like the official one, and the set it holds. */
export async function cifarTarball(perBatch = 3, testCount = 2): Promise<
  { bytes: Uint8Array<ArrayBuffer>; expected: SyntheticCifar }
> {
  const train = syntheticSet(5 * perBatch, 1), test = syntheticSet(testCount, 2);
  const top = "cifar-10-batches-bin/";
  const entries = [tarEntry(top, undefined, "5")];
  for (let b = 0; b < 5; b++) {
    const part = binaryBatch(sliceSet(train, b * perBatch, (b + 1) * perBatch));
    entries.push(tarEntry(`${top}data_batch_${b + 1}.bin`, part));
  }
  entries.push(tarEntry(`${top}test_batch.bin`, binaryBatch(test)));
  const meta = new TextEncoder().encode(CIFAR10_CLASSES.join("\n") + "\n");
  entries.push(tarEntry(`${top}batches.meta.txt`, meta));
  entries.push(tarEntry(`${top}readme.html`, new TextEncoder().encode("<p>CIFAR-10</p>")));
  return { bytes: await gzip(tar(entries)), expected: { train, test } };
}
