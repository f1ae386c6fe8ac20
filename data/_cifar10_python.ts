/**
 * CIFAR-10's python format: the contents of its Python 2 pickles, checked field by field.
 *
 * A batch is a dict `{"batch_label": str, "labels": [int], "data": ndarray uint8 (N, 3072),
 * "filenames": [str]}`; `batches.meta` is `{"label_names": [str], "num_cases_per_batch": int,
 * "num_vis": 3072}`.
 *
 * @module
 */

import type { ImageSet } from "./cifar10.ts";
import { bytesToString, NdArray, type PickleValue, readPickle } from "./_pickle.ts";

const IMAGE_BYTES = 3072;

function bad(path: string, why: string): Error {
  return new Error(
    `Cannot read CIFAR-10 python batch "${path}": ${why}; the file is damaged or not a ` +
      "CIFAR-10 python pickle — use the binary format from `deno task data:cifar10` instead",
  );
}

function dictOf(value: PickleValue, path: string): Map<string, PickleValue> {
  if (!(value instanceof Map)) throw bad(path, "the pickle does not hold a dict");
  return value;
}

/** Reads one pickled batch (`data_batch_1` … or `test_batch`) into an image set. */
export function readPythonBatch(bytes: Uint8Array, path: string, numClasses: number): ImageSet {
  const dict = dictOf(readPickle(bytes, path), path);
  const data = dict.get("data");
  if (!(data instanceof NdArray)) throw bad(path, 'key "data" is missing or not a numpy array');
  const [n, width] = data.shape;
  if (data.shape.length !== 2 || width !== IMAGE_BYTES) {
    throw bad(path, `"data" has shape (${data.shape.join(", ")}) but must be (N, ${IMAGE_BYTES})`);
  }
  if (data.dtype?.descr !== "u1" && data.dtype?.descr !== "|u1") {
    throw bad(path, `"data" has dtype "${data.dtype?.descr}" but must be uint8 ("u1")`);
  }
  if (data.fortranOrder) throw bad(path, '"data" is in Fortran order; C order is expected');
  if (data.data.length !== n * IMAGE_BYTES) {
    throw bad(
      path,
      `"data" holds ${data.data.length} bytes but (${n}, ${IMAGE_BYTES}) needs ${n * IMAGE_BYTES}`,
    );
  }
  const list = dict.get("labels");
  if (!Array.isArray(list)) throw bad(path, 'key "labels" is missing or not a list');
  if (list.length !== n) throw bad(path, `"labels" has ${list.length} entries for ${n} images`);
  const labels = new Uint8Array(n); // labels: (N)
  for (let i = 0; i < n; i++) {
    const label = list[i];
    if (typeof label !== "number" || !Number.isInteger(label) || label < 0) {
      throw bad(path, `label ${i} is ${String(label)}, not a non-negative integer`);
    }
    if (label >= numClasses) {
      throw new RangeError(
        `Cannot read CIFAR-10 python batch "${path}": image ${i} has label ${label} but ` +
          `labels must be 0 … ${numClasses - 1}; the file is damaged or not CIFAR-10`,
      );
    }
    labels[i] = label;
  }
  return { images: data.data, labels }; // images: (N, 3, 32, 32), a view into the file bytes
}

/** Reads the class names from `batches.meta`. */
export function readPythonMeta(bytes: Uint8Array, path: string): string[] {
  const dict = dictOf(readPickle(bytes, path), path);
  const names = dict.get("label_names");
  if (!Array.isArray(names) || names.some((x) => !(x instanceof Uint8Array))) {
    throw bad(path, 'key "label_names" is missing or not a list of strings');
  }
  if (names.length !== 10) {
    throw bad(path, `"label_names" has ${names.length} names but CIFAR-10 has 10`);
  }
  return names.map((x) => bytesToString(x as Uint8Array));
}
