/**
 * Data pipeline benches: loading CIFAR-10 against the bare file reads (the I/O floor), and
 * making a training batch with and without augmentation against a plain copy of its bytes.
 *
 *   CIFAR10_DIR=../shared/data/cifar-10-batches-bin \
 *     deno bench --allow-read --allow-env bench/data_bench.ts
 *
 * The load benches need CIFAR10_DIR; the batch benches use synthetic images when it is unset.
 */

import { loadCifar10 } from "../data/cifar10.ts";
import { batches, makeBatch } from "../data/batches.ts";
import { Normalization } from "../data/normalize.ts";
import { findCifar10Batches } from "../data/locate.ts";
import { Rng } from "../core/random.ts";

const dir = Deno.env.get("CIFAR10_DIR");
const found = dir ? await findCifar10Batches(dir) : null;

if (found !== null && found.format === "binary") {
  const files = [1, 2, 3, 4, 5].map((i) => `${found.dir}/data_batch_${i}.bin`)
    .concat(`${found.dir}/test_batch.bin`);
  Deno.bench({
    group: "load CIFAR-10 (60,000 images, binary)",
    name: "read the 6 files (I/O floor)",
    baseline: true,
    fn: async () => {
      for (const f of files) await Deno.readFile(f);
    },
  });
  Deno.bench({
    group: "load CIFAR-10 (60,000 images, binary)",
    name: "loadCifar10",
    fn: async () => {
      await loadCifar10(found.dir);
    },
  });
}

const N = 2048, B = 128;
const set = {
  images: Uint8Array.from({ length: N * 3072 }, (_, i) => (i * 7) & 255),
  labels: Uint8Array.from({ length: N }, (_, i) => i % 10),
};
const norm = Normalization.channel(set);
const out = { x: new Float32Array(B * 3072), y: new Int32Array(B) };
const x = out.x;
const indices = new Rng(0).permutation(N).subarray(0, B);
const rng = new Rng(1);

Deno.bench({
  group: "one batch B=128 (3x32x32)",
  name: "copy the bytes (floor)",
  baseline: true,
  fn: () => {
    for (let k = 0; k < B; k++) {
      const i = indices[k] * 3072;
      for (let p = 0; p < 3072; p++) x[k * 3072 + p] = set.images[i + p];
    }
  },
});
Deno.bench({
  group: "one batch B=128 (3x32x32)",
  name: "makeBatch, channel normalisation",
  fn: () => {
    makeBatch(set, indices, { normalize: norm, out });
  },
});
Deno.bench({
  group: "one batch B=128 (3x32x32)",
  name: "makeBatch, normalisation + crop + flip",
  fn: () => {
    makeBatch(set, indices, { normalize: norm, augment: true, rng, out });
  },
});
Deno.bench({
  group: "epoch of 2,048 images, B=128, shuffled + augmented",
  name: "batches()",
  fn: () => {
    for (
      const _ of batches(set, { batchSize: B, shuffle: true, augment: true, rng, normalize: norm })
    ) {
      // consume
    }
  },
});
