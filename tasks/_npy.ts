/**
 * A small reader for NumPy's `.npy` files holding uint8 arrays in C order, as the homework's
 * challenge images (`test_images.npy`, shape (N, 32, 32, 3)) are distributed. Format
 * (numpy.lib.format, versions 1–3):
 *
 * ```
 * "\x93NUMPY" major minor   6 + 2 bytes
 * HEADER_LEN                 uint16 LE (version 1) or uint32 LE (versions 2, 3)
 * header                     a Python dict literal, e.g.
 *                            {'descr': '|u1', 'fortran_order': False, 'shape': (10, 32, 32, 3), }
 * data                       the elements, row-major when fortran_order is False
 * ```
 *
 * Anything else (another dtype, Fortran order, a truncated file) is refused with a message
 * that says how to convert it.
 *
 * @module
 */

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/** A uint8 array read from a `.npy` file. */
export interface NpyUint8 {
  shape: number[];
  /** data: (shape…) row-major */
  data: Uint8Array;
}

function bad(source: string, why: string): TypeError {
  return new TypeError(`Cannot read ${source} as a .npy array: ${why}`);
}

function headerField(header: string, key: string, source: string): string {
  const m = header.match(new RegExp(`['"]${key}['"]\\s*:\\s*(\\([^)]*\\)|'[^']*'|"[^"]*"|\\w+)`));
  if (!m) throw bad(source, `its header has no '${key}' (header: ${header.trim()})`);
  return m[1];
}

/**
 * Parses `.npy` bytes holding a uint8 C-order array.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeNpyUint8, parseNpyUint8 } from "./_npy.ts";
 * const bytes = encodeNpyUint8(new Uint8Array([1, 2, 3, 4, 5, 6]), [2, 3]);
 * const { shape, data } = parseNpyUint8(bytes);
 * assert.deepEqual(shape, [2, 3]);
 * assert.deepEqual([...data], [1, 2, 3, 4, 5, 6]);
 * ```
 */
export function parseNpyUint8(bytes: Uint8Array, source = "the bytes"): NpyUint8 {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw bad(source, 'it does not start with "\\x93NUMPY" (save it with numpy.save)');
  }
  const major = bytes[6];
  if (major < 1 || major > 3) throw bad(source, `format version ${major}.${bytes[7]} is unknown`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) throw bad(source, "the file is truncated in its header");
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenBytes + headerLen;
  if (start > bytes.length) {
    throw bad(source, `the file is truncated: the header needs ${headerLen} bytes`);
  }
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(
    bytes.subarray(8 + lenBytes, start),
  );
  const descr = headerField(header, "descr", source).replace(/['"]/g, "");
  if (!["|u1", "u1", "<u1", ">u1", "|B", "B"].includes(descr)) {
    throw bad(
      source,
      `its dtype is '${descr}', not uint8 ('|u1'); save it with images.astype(numpy.uint8)`,
    );
  }
  if (headerField(header, "fortran_order", source) !== "False") {
    throw bad(source, "it is in Fortran order; save it with numpy.ascontiguousarray(images)");
  }
  const shapeText = headerField(header, "shape", source);
  const shape = shapeText.replace(/[()\s]/g, "").split(",").filter((s) => s !== "").map(Number);
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw bad(source, `its shape ${shapeText} is not a tuple of sizes`);
  }
  const size = shape.reduce((a, d) => a * d, 1);
  if (bytes.length - start !== size) {
    throw bad(
      source,
      `shape ${shapeText} needs ${size} bytes of data but ${
        bytes.length - start
      } follow the header` +
        (bytes.length - start < size ? " (the file is truncated)" : ""),
    );
  }
  return { shape, data: bytes.subarray(start) };
}

/** Reads a uint8 `.npy` file; see {@linkcode parseNpyUint8}. */
export async function readNpyUint8(path: string): Promise<NpyUint8> {
  return parseNpyUint8(await Deno.readFile(path), `"${path}"`);
}

/** `.npy` (version 1) bytes of a uint8 C-order array, as `numpy.save` writes them. */
export function encodeNpyUint8(data: Uint8Array, shape: readonly number[]): Uint8Array {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(", ");
  let header = `{'descr': '|u1', 'fortran_order': False, 'shape': (${dims}), }`;
  const total = 10 + header.length + 1;
  header += " ".repeat((64 - (total % 64)) % 64) + "\n";
  const out = new Uint8Array(10 + header.length + data.length);
  out.set(MAGIC);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(data, 10 + header.length);
  return out;
}
