import { Rng } from "../core/random.ts";
import { Normalization } from "../data/normalize.ts";
import { alternatingFlip, augmentDefaults, augmentImage } from "../data/augment.ts";
import { makeBatch } from "../data/batches.ts";
import { assertAtMost, assertEquals, assertThrows } from "./_assert.ts";
import { IMAGE_BYTES, syntheticSet } from "./_data_fixtures.ts";

/** Alternating flips flip this close to half the images in an epoch (10,000 images). */
const FLIP_SHARE_TOL = 0.02;

/**
 * The specification of a reflect-padded crop: pad the image explicitly (PyTorch's "reflect":
 * mirror without repeating the edge), crop at (dy, dx), then flip, then normalise.
 */
function reflectCrop(
  image: Uint8Array,
  norm: Normalization,
  dy: number,
  dx: number,
  flip: boolean,
  pad: number,
): Float32Array {
  const S = 32 + 2 * pad, padded = new Uint8Array(3 * S * S);
  const mirror = (i: number) => (i < 0 ? -i : i > 31 ? 62 - i : i);
  for (let c = 0; c < 3; c++) {
    for (let h = 0; h < S; h++) {
      for (let w = 0; w < S; w++) {
        padded[(c * S + h) * S + w] = image[c * 1024 + mirror(h - pad) * 32 + mirror(w - pad)];
      }
    }
  }
  const out = new Float32Array(IMAGE_BYTES);
  for (let c = 0; c < 3; c++) {
    for (let h = 0; h < 32; h++) {
      for (let w = 0; w < 32; w++) {
        const p = c * 1024 + h * 32 + w;
        const v = padded[(c * S + h + dy) * S + (flip ? 31 - w : w) + dx];
        out[p] = v * norm.scale[p] + norm.shift[p];
      }
    }
  }
  return out;
}

Deno.test("augmentImage() with padMode reflect", async (t) => {
  const set = syntheticSet(2, 5);
  const norm = Normalization.channel(set);
  for (const pad of [1, 2, 4]) {
    await t.step(`pad ${pad}: every offset and flip equals the explicit padded crop`, () => {
      const out = new Float32Array(IMAGE_BYTES);
      for (let dy = 0; dy <= 2 * pad; dy++) {
        for (let dx = 0; dx <= 2 * pad; dx++) {
          for (const flip of [false, true]) {
            augmentImage(set.images, 1, out, 0, norm, { dy, dx, flip }, pad, "reflect");
            const image = set.images.subarray(IMAGE_BYTES, 2 * IMAGE_BYTES);
            assertEquals(out, reflectCrop(image, norm, dy, dx, flip, pad), `${dy},${dx},${flip}`);
          }
        }
      }
    });
  }
  await t.step("the centre crop is the image itself in both modes", () => {
    const a = new Float32Array(IMAGE_BYTES), b = new Float32Array(IMAGE_BYTES);
    augmentImage(set.images, 0, a, 0, norm, { dy: 2, dx: 2, flip: false }, 2, "reflect");
    augmentImage(set.images, 0, b, 0, norm, { dy: 2, dx: 2, flip: false }, 2);
    assertEquals(a, b);
  });
});

Deno.test("alternatingFlip()", async (t) => {
  await t.step("half the images in epoch 0, the others in epoch 1, period 2", () => {
    const n = 10_000;
    let flipped = 0;
    for (let i = 0; i < n; i++) {
      const f0 = alternatingFlip(3, i, 0);
      if (f0) flipped++;
      assertEquals([alternatingFlip(3, i, 1), alternatingFlip(3, i, 6)], [!f0, f0]);
    }
    assertAtMost(Math.abs(flipped / n - 0.5), FLIP_SHARE_TOL, "|share flipped − ½|");
  });
  await t.step("another seed flips another set of images", () => {
    let same = 0;
    for (let i = 0; i < 1000; i++) {
      if (alternatingFlip(3, i, 0) === alternatingFlip(4, i, 0)) same++;
    }
    assertAtMost(Math.abs(same / 1000 - 0.5), 0.06, "agreement between seeds 3 and 4, − ½");
  });
});

Deno.test("makeBatch() with translate and alternating flips", async (t) => {
  const set = syntheticSet(9, 8);
  const norm = Normalization.channel(set);
  const indices = [7, 2, 5, 0];
  for (const epoch of [0, 1]) {
    await t.step(`epoch ${epoch}: crops from the rng, flips from (seed, index, epoch)`, () => {
      const augment = {
        pad: 2,
        padMode: "reflect" as const,
        flip: "alternate" as const,
        epoch,
        seed: 9,
      };
      const got = makeBatch(set, indices, { normalize: norm, augment, rng: new Rng(1) });
      const rng = new Rng(1), out = new Float32Array(IMAGE_BYTES);
      indices.forEach((i, k) => {
        const dy = rng.int(5), dx = rng.int(5), flip = alternatingFlip(9, i, epoch);
        augmentImage(set.images, i, out, 0, norm, { dy, dx, flip }, 2, "reflect");
        assertEquals(got.x.data.subarray(k * IMAGE_BYTES, (k + 1) * IMAGE_BYTES), out);
      });
    });
  }
  await t.step("refuses alternating flips without an epoch and too wide a reflection", () => {
    assertThrows(() => augmentDefaults({ flip: "alternate" }), TypeError, "without the epoch");
    assertThrows(() => augmentDefaults({ pad: 32, padMode: "reflect" }), RangeError, "0 … 31");
    assertThrows(() => augmentDefaults({ padMode: "edge" as never }), RangeError, "padMode");
    assertEquals(augmentDefaults(true), { pad: 4, padMode: "zero", flip: true, epoch: 0, seed: 0 });
  });
});
