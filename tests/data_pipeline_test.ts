import { Rng } from "../core/random.ts";
import { loadCifar10 } from "../data/cifar10.ts";
import { sliceImages, splitCifar10 } from "../data/splits.ts";
import { channelMeanStd, meanImage, Normalization } from "../data/normalize.ts";
import { augmentImage } from "../data/augment.ts";
import { batchCount, batches, labelsInt32, makeBatch, toTensor } from "../data/batches.ts";
import { assertAllClose, assertEquals, assertThrows, assertTrue } from "./_assert.ts";
import { IMAGE_BYTES, sliceSet, syntheticSet } from "./_data_fixtures.ts";

/** float32 arithmetic of one affine map per pixel, relative to values up to ~255. */
const TOL_F32 = 1e-6;
/** Absolute error of a float32 value near 255: half an ulp is 7.6e-6. */
const TOL_F32_PIXEL = 2e-5;

Deno.test("splitCifar10()", async (t) => {
  const data = { train: syntheticSet(30, 1), test: syntheticSet(8, 2), classes: ["a"] };
  await t.step("valSize=5: train first 25, val last 5, test all", () => {
    const s = splitCifar10(data, { valSize: 5 });
    assertEquals(s.train, sliceSet(data.train, 0, 25));
    assertEquals(s.val, sliceSet(data.train, 25, 30));
    assertEquals(s.test, data.test);
    assertTrue(s.train.images.buffer === data.train.images.buffer, "a view, not a copy");
  });
  await t.step("first N of each split", () => {
    const s = splitCifar10(data, { valSize: 5, numTrain: 3, numVal: 2, numTest: 4 });
    assertEquals(s.train, sliceSet(data.train, 0, 3));
    assertEquals(s.val, sliceSet(data.train, 25, 27));
    assertEquals(s.test, sliceSet(data.test, 0, 4));
  });
  await t.step("counts out of range", () => {
    assertThrows(() => splitCifar10(data, { valSize: 5, numTrain: 26 }), RangeError, "numTrain=26");
    assertThrows(() => splitCifar10(data, { numVal: 31 }), RangeError, "numVal=31");
    assertThrows(() => splitCifar10(data, { numTest: -1 }), RangeError, "numTest=-1");
    assertThrows(() => sliceImages(data.test, 2, 9), RangeError, "of a set of 8");
  });
});

Deno.test("meanImage() and channelMeanStd()", async (t) => {
  const set = syntheticSet(17, 3);
  await t.step("mean image against a float64 loop", () => {
    const expected = new Float64Array(IMAGE_BYTES);
    for (let i = 0; i < 17; i++) {
      for (let p = 0; p < IMAGE_BYTES; p++) expected[p] += set.images[i * IMAGE_BYTES + p] / 17;
    }
    assertAllClose(meanImage(set), expected, TOL_F32, "mean image");
  });
  await t.step("channel mean and std against a two-pass loop", () => {
    const { mean, std } = channelMeanStd(set);
    for (let c = 0; c < 3; c++) {
      const values: number[] = [];
      for (let i = 0; i < 17; i++) {
        for (let p = 0; p < 1024; p++) {
          values.push(set.images[i * IMAGE_BYTES + c * 1024 + p] / 255);
        }
      }
      const m = values.reduce((a, v) => a + v, 0) / values.length;
      const s = Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / values.length);
      assertAllClose([mean[c], std[c]], [m, s], 1e-12, `channel ${c}`);
    }
  });
  await t.step("empty set", () => {
    assertThrows(() => meanImage(sliceImages(set, 0, 0)), RangeError, "empty");
  });
});

function stats(x: Float32Array, n: number, channel: number): { mean: number; std: number } {
  let s = 0, s2 = 0;
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < 1024; p++) {
      const v = x[i * IMAGE_BYTES + channel * 1024 + p];
      s += v;
      s2 += v * v;
    }
  }
  const mean = s / (n * 1024);
  return { mean, std: Math.sqrt(s2 / (n * 1024) - mean * mean) };
}

Deno.test("Normalization", async (t) => {
  const train = syntheticSet(20, 4), other = syntheticSet(5, 9);
  await t.step("channel: the training split gets mean 0 and std 1 per channel", () => {
    const x = toTensor(train, { normalize: Normalization.channel(train) }).data;
    for (let c = 0; c < 3; c++) {
      const { mean, std } = stats(x, 20, c);
      assertAllClose([mean, std], [0, 1], 1e-5, `channel ${c}`);
    }
  });
  await t.step("meanImage: the training split gets a zero mean image", () => {
    const x = toTensor(train, { normalize: Normalization.meanImage(train) }).data;
    const mean = new Float64Array(IMAGE_BYTES);
    for (let i = 0; i < 20; i++) {
      for (let p = 0; p < IMAGE_BYTES; p++) mean[p] += x[i * IMAGE_BYTES + p] / 20;
    }
    assertAllClose(mean, new Float64Array(IMAGE_BYTES), TOL_F32_PIXEL, "mean of centred images");
  });
  await t.step("none: the raw bytes", () => {
    assertEquals(toTensor(other).data, Float32Array.from(other.images));
  });
  await t.step("a JSON round trip normalises identically", () => {
    for (const norm of [Normalization.channel(train), Normalization.meanImage(train)]) {
      const back = Normalization.fromJSON(JSON.parse(JSON.stringify(norm)));
      assertEquals(back.kind, norm.kind);
      assertEquals(
        toTensor(other, { normalize: back }).data,
        toTensor(other, { normalize: norm }).data,
      );
    }
  });
  await t.step("bad saved parameters", () => {
    assertThrows(
      () => Normalization.fromJSON({ kind: "meanImage", mean: [1, 2] }),
      TypeError,
      "3072",
    );
    assertThrows(
      () => Normalization.fromJSON({ kind: "channel", mean: [0, 0, 0], std: [1, 0, 1] }),
      RangeError,
      "std [1, 0, 1]",
    );
  });
});

/** Augmentation the slow, obvious way: pad into a (3, 32+2p, 32+2p) array, crop, flip. */
function referenceAugment(image: Uint8Array, dy: number, dx: number, flip: boolean, pad: number) {
  const side = 32 + 2 * pad;
  const padded = new Uint8Array(3 * side * side); // padded: (3, side, side)
  for (let c = 0; c < 3; c++) {
    for (let h = 0; h < 32; h++) {
      for (let w = 0; w < 32; w++) {
        padded[(c * side + h + pad) * side + w + pad] = image[c * 1024 + h * 32 + w];
      }
    }
  }
  const out = new Float32Array(IMAGE_BYTES); // out: (3, 32, 32)
  for (let c = 0; c < 3; c++) {
    for (let h = 0; h < 32; h++) {
      for (let w = 0; w < 32; w++) {
        const cw = flip ? 31 - w : w;
        out[c * 1024 + h * 32 + w] = padded[(c * side + h + dy) * side + cw + dx];
      }
    }
  }
  return out;
}

Deno.test("augmentImage()", async (t) => {
  const set = syntheticSet(1, 5);
  const none = Normalization.none();
  for (
    const [dy, dx, flip, pad] of [[0, 0, false, 4], [8, 8, true, 4], [3, 6, true, 4], [
      2,
      0,
      false,
      1,
    ], [0, 0, true, 0]] as const
  ) {
    await t.step(`dy=${dy} dx=${dx} flip=${flip} pad=${pad} matches pad-crop-flip`, () => {
      const out = new Float32Array(IMAGE_BYTES);
      augmentImage(set.images, 0, out, 0, none, { dy, dx, flip }, pad);
      assertEquals(out, referenceAugment(set.images, dy, dx, flip, pad));
    });
  }
  await t.step("padding is black before normalisation", () => {
    const norm = Normalization.channel(syntheticSet(4, 1));
    const out = new Float32Array(IMAGE_BYTES);
    augmentImage(set.images, 0, out, 0, norm, { dy: 0, dx: 0, flip: false }, 4);
    assertEquals(out[0], norm.shift[0]); // (0, 0) comes from the padding
    assertEquals(out[4 * 32 + 4], Math.fround(set.images[0] * norm.scale[0] + norm.shift[0]));
  });
});

Deno.test("batches()", async (t) => {
  const set = syntheticSet(23, 6);
  const norm = Normalization.channel(set);
  const full = toTensor(set, { normalize: norm }).data;

  await t.step("in order: every image once, batches of 5 then 3", () => {
    const sizes: number[] = [];
    let next = 0;
    for (const { x, y, indices } of batches(set, { batchSize: 5, normalize: norm })) {
      sizes.push(y.length);
      assertEquals(x.shape, [y.length, 3, 32, 32]);
      assertEquals([...indices], Array.from({ length: y.length }, (_, k) => next + k));
      assertEquals(x.data, full.subarray(next * IMAGE_BYTES, (next + y.length) * IMAGE_BYTES));
      next += y.length;
    }
    assertEquals(sizes, [5, 5, 5, 5, 3]);
    assertEquals(batchCount(set, { batchSize: 5 }), 5);
    assertEquals(batchCount(set, { batchSize: 5, dropLast: true }), 4);
  });
  await t.step("shuffled: a permutation per epoch, reproducible from the seed", () => {
    const epoch = (rng: Rng) => {
      const order: number[] = [];
      for (
        const { x, y, indices } of batches(set, {
          batchSize: 4,
          shuffle: true,
          rng,
          normalize: norm,
        })
      ) {
        for (let k = 0; k < y.length; k++) {
          assertEquals(y[k], set.labels[indices[k]]);
          const i = indices[k];
          assertEquals(
            x.data.subarray(k * IMAGE_BYTES, (k + 1) * IMAGE_BYTES),
            full.subarray(i * IMAGE_BYTES, (i + 1) * IMAGE_BYTES),
          );
        }
        order.push(...indices);
      }
      return order;
    };
    const rng = new Rng(7);
    const first = epoch(rng), second = epoch(rng);
    assertEquals([...first].sort((a, b) => a - b), Array.from({ length: 23 }, (_, i) => i));
    assertTrue(first.join() !== second.join(), "each epoch draws a new order");
    assertEquals(epoch(new Rng(7)), first);
  });
  await t.step("dropLast skips the short batch", () => {
    const sizes = [...batches(set, { batchSize: 10, dropLast: true })].map((b) => b.y.length);
    assertEquals(sizes, [10, 10]);
  });
  await t.step("augmented: each image as augmentImage with the draws from the same seed", () => {
    const got =
      [...batches(set, { batchSize: 23, augment: true, rng: new Rng(3), normalize: norm })][0];
    const rng = new Rng(3);
    for (let i = 0; i < 23; i++) {
      const dy = rng.int(9), dx = rng.int(9), flip = rng.uniform() < 0.5;
      const out = new Float32Array(IMAGE_BYTES);
      augmentImage(set.images, i, out, 0, norm, { dy, dx, flip }, 4);
      assertEquals(got.x.data.subarray(i * IMAGE_BYTES, (i + 1) * IMAGE_BYTES), out);
    }
  });
  await t.step("one reusable buffer", () => {
    const buffers = new Set([...batches(set, { batchSize: 5 })].map((b) => b.x.data.buffer));
    assertEquals(buffers.size, 1);
  });
  await t.step("bad options", () => {
    assertThrows(() => [...batches(set, { batchSize: 0 })], RangeError, "size 0");
    assertThrows(() => [...batches(set, { batchSize: 4, shuffle: true })], TypeError, "rng");
    assertThrows(() => [...batches(set, { batchSize: 4, augment: true })], TypeError, "rng");
    assertThrows(
      () => makeBatch(set, [23]),
      RangeError,
      "image 23 of a set of 23",
    );
    assertThrows(
      () =>
        makeBatch(set, [1, 2], { out: { x: new Float32Array(IMAGE_BYTES), y: new Int32Array(2) } }),
      TypeError,
      "must hold 6144 and 2",
    );
  });
});

Deno.test("makeBatch() and toTensor()", async (t) => {
  const set = syntheticSet(9, 8);
  const norm = Normalization.meanImage(set);
  const full = toTensor(set, { normalize: norm });
  await t.step("indices with repeats, as the Solver samples them", () => {
    const { x, y, indices } = makeBatch(set, [4, 4, 0], { normalize: norm });
    assertEquals(x.shape, [3, 3, 32, 32]);
    assertEquals([...y], [set.labels[4], set.labels[4], set.labels[0]]);
    assertEquals([...indices], [4, 4, 0]);
    assertEquals(
      x.data.subarray(0, IMAGE_BYTES),
      full.data.subarray(4 * IMAGE_BYTES, 5 * IMAGE_BYTES),
    );
    assertEquals(x.data.subarray(2 * IMAGE_BYTES), full.data.subarray(0, IMAGE_BYTES));
  });
  await t.step("into given buffers", () => {
    const out = { x: new Float32Array(4 * IMAGE_BYTES), y: new Int32Array(4) };
    const batch = makeBatch(set, [1, 2], { normalize: norm, out });
    assertTrue(batch.x.data.buffer === out.x.buffer && batch.y.buffer === out.y.buffer);
    assertEquals(batch.x.shape, [2, 3, 32, 32]);
  });
  await t.step("float64 for the naive layers", () => {
    const x64 = toTensor(set, { normalize: norm, dtype: "float64" });
    assertEquals(x64.dtype, "float64");
    assertEquals(x64.data, Float64Array.from(full.data));
  });
});

Deno.test("labelsInt32()", () => {
  assertEquals(
    labelsInt32({ images: new Uint8Array(6144), labels: Uint8Array.from([9, 3]) }),
    Int32Array.from([9, 3]),
  );
});

const realDir = Deno.env.get("CIFAR10_DIR");

Deno.test({
  name: "splitCifar10() and Normalization.channel() on real CIFAR-10 (CIFAR10_DIR)",
  ignore: !realDir,
  fn: async () => {
    const data = await loadCifar10(realDir!);
    const { train, val, test } = splitCifar10(data);
    assertEquals([train.labels.length, val.labels.length, test.labels.length], [
      49000,
      1000,
      10000,
    ]);
    assertEquals(val.labels, data.train.labels.subarray(49000));
    // The well-known CIFAR-10 statistics (torchvision recipes), over the 49,000 images.
    const { mean, std } = channelMeanStd(train);
    assertAllClose(mean, [0.4914, 0.4822, 0.4465], 1e-3, "channel means");
    assertAllClose(std, [0.2470, 0.2435, 0.2616], 1e-3, "channel stds");
  },
});
