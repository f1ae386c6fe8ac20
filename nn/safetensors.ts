/**
 * Read and write the safetensors format (Hugging Face), in plain TypeScript:
 *
 * ```
 * [8 bytes]  N, the header length, unsigned little-endian 64-bit
 * [N bytes]  JSON: { "__metadata__": {string: string}?,
 *                    name: { "dtype": "F32", "shape": [..], "data_offsets": [begin, end] }, … }
 *            padded with spaces so the data starts 8-byte aligned
 * [rest]     the tensors' raw little-endian bytes; offsets count from the start of this part
 * ```
 *
 * Tensors are laid out as the reference implementation does: by dtype, widest first, then by
 * name, with no holes. Loading checks the header, every offset and length, and refuses
 * truncated or corrupt files with an error that says which. Saving is atomic (tmp + rename).
 *
 * @module
 */

import { writeFileAtomic } from "./_atomic.ts";

/** The element types this module reads and writes (safetensors' names). */
export type SafeDType = "F64" | "F32" | "I64" | "I32" | "I16" | "I8" | "U8";

/** The typed array behind each {@linkcode SafeDType}. */
export type SafeArray =
  | Float64Array
  | Float32Array
  | BigInt64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array;

/** One tensor: its dtype, shape and elements (row-major). */
export interface SafeTensor {
  /** The element type as the safetensors header spells it (e.g. F32). */
  dtype: SafeDType;
  /** The extent of each axis; [] for a scalar. */
  shape: number[];
  /** The elements, row-major, in the typed array matching `dtype`. */
  data: SafeArray;
}

/** What a safetensors file holds: tensors in data order (a `Map` keeps it), and metadata. */
export interface SafeTensors {
  /** Name → tensor, in the order of the file's data section. */
  tensors: Map<string, SafeTensor>;
  /** The header's `__metadata__` strings ({} when absent). */
  metadata: Record<string, string>;
}

/** A tensor to save: anything with `data` and `shape` (a `Tensor` works); dtype from the array. */
export interface SafeTensorInput {
  /** The elements, row-major; their array type picks the dtype. */
  data: SafeArray;
  /** The extent of each axis; its product must equal data.length. */
  shape: readonly number[];
}

// Reference-implementation order of dtypes (its enum order); saving sorts widest first.
const DTYPES: Record<SafeDType, { bytes: number; rank: number; ctor: ArrayCtor }> = {
  U8: { bytes: 1, rank: 1, ctor: Uint8Array },
  I8: { bytes: 1, rank: 2, ctor: Int8Array },
  I16: { bytes: 2, rank: 3, ctor: Int16Array },
  I32: { bytes: 4, rank: 4, ctor: Int32Array },
  F32: { bytes: 4, rank: 5, ctor: Float32Array },
  F64: { bytes: 8, rank: 6, ctor: Float64Array },
  I64: { bytes: 8, rank: 7, ctor: BigInt64Array },
};
type ArrayCtor = { new (buffer: ArrayBuffer): SafeArray };

const MAX_HEADER = 100_000_000; // the reference implementation's limit

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error(
    "Cannot use safetensors: this machine is big-endian, the format is little-endian",
  );
}

function dtypeOf(data: SafeArray, name: string): SafeDType {
  for (const [dtype, { ctor }] of Object.entries(DTYPES)) {
    if (data.constructor === ctor) return dtype as SafeDType;
  }
  throw new TypeError(
    `Cannot save tensor "${name}": ${data?.constructor?.name} is not a supported array ` +
      `(use Float64Array, Float32Array, BigInt64Array, Int32Array, Int16Array, Int8Array or Uint8Array)`,
  );
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, d) => a * d, 1);
}

/**
 * Serialises tensors and string metadata to safetensors bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeSafetensors, encodeSafetensors } from "./safetensors.ts";
 * const bytes = encodeSafetensors({ w: { data: new Float32Array([1, 2, 3, 4]), shape: [2, 2] } }, {
 *   first_conv: "w",
 * });
 * const back = decodeSafetensors(bytes);
 * assert.deepEqual([...back.tensors.get("w")!.data], [1, 2, 3, 4]);
 * assert.equal(back.metadata.first_conv, "w");
 * ```
 */
export function encodeSafetensors(
  tensors: Record<string, SafeTensorInput>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const entries = Object.entries(tensors).map(([name, t]) => {
    const dtype = dtypeOf(t.data, name);
    if (!t.shape.every((d) => Number.isInteger(d) && d >= 0) || sizeOf(t.shape) !== t.data.length) {
      throw new TypeError(
        `Cannot save tensor "${name}": shape [${t.shape.join(", ")}] does not match its ` +
          `${t.data.length} elements`,
      );
    }
    return { name, dtype, t };
  });
  entries.sort((a, b) =>
    DTYPES[b.dtype].rank - DTYPES[a.dtype].rank || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  );
  const header: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== "string") {
      throw new TypeError(`Cannot save metadata "${k}": values must be strings, got ${typeof v}`);
    }
  }
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const { name, dtype, t } of entries) {
    const end = offset + t.data.byteLength;
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, end] };
    offset = end;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const { t } of entries) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

function corrupt(source: string, why: string): Error {
  return new Error(`Cannot load safetensors from ${source}: ${why}`);
}

function parseHeader(
  bytes: Uint8Array,
  source: string,
): { header: Record<string, unknown>; start: number } {
  if (bytes.length < 8) {
    throw corrupt(source, `it has ${bytes.length} bytes, fewer than the 8-byte header length`);
  }
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER)) {
    throw corrupt(source, `the header length ${n} exceeds ${MAX_HEADER}: not a safetensors file`);
  }
  const start = 8 + Number(n);
  if (start > bytes.length) {
    throw corrupt(
      source,
      `the file is truncated: the header needs ${n} bytes but only ${bytes.length - 8} follow`,
    );
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, start)));
  } catch (e) {
    throw corrupt(source, `the header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) {
    throw corrupt(source, "the header is not a JSON object");
  }
  return { header: header as Record<string, unknown>, start };
}

function parseMetadata(raw: unknown, source: string): Record<string, string> {
  if (raw === undefined) return {};
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw corrupt(source, "__metadata__ is not an object of strings");
  }
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== "string") throw corrupt(source, `__metadata__["${k}"] is not a string`);
  }
  return { ...(raw as Record<string, string>) };
}

interface Entry {
  name: string;
  dtype: SafeDType;
  shape: number[];
  begin: number;
  end: number;
}

function parseEntry(name: string, raw: unknown, source: string): Entry {
  const info = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  const where = `tensor "${name}"`;
  if (info === null || typeof info !== "object") throw corrupt(source, `${where} is not an object`);
  const dtype = info.dtype as SafeDType;
  if (typeof dtype !== "string" || !(dtype in DTYPES)) {
    throw corrupt(
      source,
      `${where} has dtype ${JSON.stringify(info.dtype)}; supported: ${Object.keys(DTYPES)}`,
    );
  }
  const shape = info.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw corrupt(source, `${where} has shape ${JSON.stringify(shape)}, not a list of sizes`);
  }
  const off = info.data_offsets;
  if (
    !Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isSafeInteger(o) && o >= 0)
  ) {
    throw corrupt(source, `${where} has data_offsets ${JSON.stringify(off)}, not [begin, end]`);
  }
  const [begin, end] = off as number[];
  const want = sizeOf(shape) * DTYPES[dtype].bytes;
  if (end - begin !== want) {
    throw corrupt(
      source,
      `${where} spans ${end - begin} bytes but ${dtype} [${shape}] needs ${want}`,
    );
  }
  return { name, dtype, shape, begin, end };
}

/**
 * Parses safetensors bytes, validating the header, offsets and lengths.
 * `source` names the bytes in error messages (a path, say).
 */
export function decodeSafetensors(bytes: Uint8Array, source = "buffer"): SafeTensors {
  const { header, start } = parseHeader(bytes, source);
  const metadata = parseMetadata(header.__metadata__, source);
  const entries = Object.entries(header)
    .filter(([name]) => name !== "__metadata__")
    .map(([name, raw]) => parseEntry(name, raw, source))
    .sort((a, b) => a.begin - b.begin || a.end - b.end);
  const dataLength = bytes.length - start;
  let expected = 0;
  for (const e of entries) {
    if (e.begin !== expected) {
      throw corrupt(
        source,
        `tensor "${e.name}" starts at byte ${e.begin} but the previous one ends at ${expected} ` +
          `(offsets must be contiguous, without overlap)`,
      );
    }
    if (e.end > dataLength) {
      throw corrupt(
        source,
        `the file is truncated: tensor "${e.name}" needs data bytes ${e.begin} to ${e.end} but ` +
          `only ${dataLength} bytes of data are present`,
      );
    }
    expected = e.end;
  }
  if (expected < dataLength) {
    throw corrupt(source, `${dataLength - expected} bytes follow the last tensor's data`);
  }
  const tensors = new Map<string, SafeTensor>();
  for (const e of entries) {
    // Copy into a fresh buffer: the data may not be aligned for its typed array.
    const buf = bytes.slice(start + e.begin, start + e.end).buffer;
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: new DTYPES[e.dtype].ctor(buf) });
  }
  return { tensors, metadata };
}

/** Reads and validates a safetensors file; see {@linkcode decodeSafetensors}. */
export async function loadSafetensors(path: string): Promise<SafeTensors> {
  return decodeSafetensors(await Deno.readFile(path), `"${path}"`);
}

/**
 * Writes tensors and metadata to `path` atomically: to `path.tmp` first, then renamed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadSafetensors, saveSafetensors } from "./safetensors.ts";
 * const dir = await Deno.makeTempDir();
 * await saveSafetensors(`${dir}/m.safetensors`, {
 *   b: { data: new Float64Array([0.5]), shape: [1] },
 * });
 * const st = await loadSafetensors(`${dir}/m.safetensors`);
 * assert.equal(st.tensors.get("b")!.dtype, "F64");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function saveSafetensors(
  path: string,
  tensors: Record<string, SafeTensorInput>,
  options: { metadata?: Record<string, string> } = {},
): Promise<void> {
  await writeFileAtomic(path, encodeSafetensors(tensors, options.metadata));
}
