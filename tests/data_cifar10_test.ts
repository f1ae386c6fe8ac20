import { CIFAR10_CLASSES, loadCifar10 } from "../data/cifar10.ts";
import { readPickle } from "../data/_pickle.ts";
import { assertEquals, assertRejects, assertThrows, assertTrue } from "./_assert.ts";
import {
  binaryBatch,
  ndarray,
  pickleBatch,
  Py2Pickler,
  syntheticSet,
  tempDir,
  writeBinaryCifar,
  writePythonCifar,
} from "./_data_fixtures.ts";

Deno.test("loadCifar10() binary format", async (t) => {
  await using tmp = await tempDir("bin");
  const expected = await writeBinaryCifar(`${tmp.dir}/cifar-10-batches-bin`, 6, 4);

  await t.step("the batches folder itself", async () => {
    const data = await loadCifar10(`${tmp.dir}/cifar-10-batches-bin`);
    assertEquals(data.format, "binary");
    assertEquals(data.train, expected.train);
    assertEquals(data.test, expected.test);
    assertEquals(data.classes, [...CIFAR10_CLASSES]);
  });
  await t.step("its parent folder", async () => {
    const data = await loadCifar10(tmp.dir);
    assertEquals(data.dir, `${tmp.dir}/cifar-10-batches-bin`);
    assertEquals(data.train.labels, expected.train.labels);
  });
});

Deno.test("loadCifar10() python format", async (t) => {
  await using tmp = await tempDir("py");
  const expected = await writePythonCifar(`${tmp.dir}/cifar-10-batches-py`, 300, 7);

  await t.step("300 images per batch (LONG_BINPUT memo entries)", async () => {
    const data = await loadCifar10(tmp.dir);
    assertEquals(data.format, "python");
    assertEquals(data.train.labels.length, 1500);
    assertEquals(data.train, expected.train);
    assertEquals(data.test, expected.test);
    assertEquals(data.classes, [...CIFAR10_CLASSES]);
  });
  await t.step("same contents as the binary format of the same images", async () => {
    await writeBinaryCifar(`${tmp.dir}/bin`, 300, 7);
    const bin = await loadCifar10(`${tmp.dir}/bin`);
    const py = await loadCifar10(`${tmp.dir}/cifar-10-batches-py`);
    assertEquals(bin.train, py.train);
    assertEquals(bin.test, py.test);
  });
  await t.step("the binary format wins when both are there", async () => {
    await writeBinaryCifar(`${tmp.dir}/cifar-10-batches-bin`);
    assertEquals((await loadCifar10(tmp.dir)).format, "binary");
  });
});

Deno.test("loadCifar10() rejects bad input", async (t) => {
  await using tmp = await tempDir("bad");

  await t.step("missing folder: names it and gives the hint", async () => {
    const e = await assertRejects(() => loadCifar10(`${tmp.dir}/nowhere`), Error, "nowhere");
    assertTrue(e.message.includes("deno task data:cifar10"), e.message);
    assertTrue(e.message.includes("--cifar10-dir"), e.message);
  });
  await t.step("a missing batch file is named", async () => {
    const dir = `${tmp.dir}/missing`;
    await writeBinaryCifar(dir);
    await Deno.remove(`${dir}/data_batch_3.bin`);
    await assertRejects(() => loadCifar10(dir), Error, 'data_batch_3.bin" is missing');
  });
  await t.step("a batch file of the wrong size", async () => {
    const dir = `${tmp.dir}/size`;
    await writeBinaryCifar(dir);
    const bytes = await Deno.readFile(`${dir}/data_batch_2.bin`);
    await Deno.writeFile(`${dir}/data_batch_2.bin`, bytes.subarray(0, bytes.length - 5));
    const e = await assertRejects(() => loadCifar10(dir), Error, "data_batch_2.bin");
    assertTrue(e.message.includes(`size ${bytes.length - 5} bytes`), e.message);
  });
  await t.step("a short training batch is named with its count (binary and python)", async () => {
    const dir = `${tmp.dir}/short`;
    await writeBinaryCifar(dir, 6);
    await Deno.writeFile(`${dir}/data_batch_5.bin`, binaryBatch(syntheticSet(2, 0)));
    await assertRejects(
      () => loadCifar10(dir),
      Error,
      `"${dir}/data_batch_5.bin": it holds 2 images but "${dir}/data_batch_1.bin" holds 6`,
    );
    const py = `${tmp.dir}/shortpy`;
    await writePythonCifar(py, 6);
    await Deno.writeFile(`${py}/data_batch_4`, pickleBatch(syntheticSet(3, 0), "x"));
    await assertRejects(() => loadCifar10(py), Error, 'data_batch_4": it holds 3 images but');
  });
  await t.step("a label byte above 9", async () => {
    const dir = `${tmp.dir}/label`;
    await writeBinaryCifar(dir);
    const set = syntheticSet(3, 0);
    set.labels[2] = 10;
    await Deno.writeFile(`${dir}/test_batch.bin`, binaryBatch(set));
    const e = await assertRejects(() => loadCifar10(dir), RangeError, "test_batch.bin");
    assertTrue(e.message.includes("image 2 has label 10"), e.message);
  });
  await t.step("class names that are not CIFAR-10's ten", async () => {
    const dir = `${tmp.dir}/meta`;
    await writeBinaryCifar(dir);
    await Deno.writeTextFile(`${dir}/batches.meta.txt`, "apple\npear\n");
    await assertRejects(() => loadCifar10(dir), Error, "found 2 names");
  });
  await t.step("a python label above 9", async () => {
    const dir = `${tmp.dir}/pylabel`;
    await writePythonCifar(dir);
    const set = syntheticSet(4, 0);
    set.labels[1] = 12;
    await Deno.writeFile(`${dir}/data_batch_5`, pickleBatch(set, "x"));
    const e = await assertRejects(() => loadCifar10(dir), RangeError, "data_batch_5");
    assertTrue(e.message.includes("image 1 has label 12"), e.message);
  });
});

/** A batch pickle whose dict holds what `fill` writes after the "data" key. */
function pickleWith(fill: (p: Py2Pickler) => void): Uint8Array {
  const p = new Py2Pickler().op(0x80, 2, 0x7d).put().op(0x28);
  fill(p);
  return p.op(0x75, 0x2e).bytes();
}

Deno.test("readPickle() rejects unexpected content", async (t) => {
  await using tmp = await tempDir("pickle");
  const cases: [string, Uint8Array, string][] = [
    [
      "a global other than numpy's",
      pickleWith((p) => p.str("x").global("os", "system")),
      'refusing global "os.system"',
    ],
    [
      "an opcode outside the whitelist (SHORT_BINUNICODE)",
      pickleWith((p) => p.op(0x8c, 1, 0x61)),
      "unexpected opcode 0x8c",
    ],
    ["protocol 4", new Uint8Array([0x80, 4, 0x7d, 0x2e]), "protocol 4"],
    ["a truncated BINSTRING", new Uint8Array([0x80, 2, 0x54, 100, 0, 0, 0, 1, 2]), "ends early"],
    ["STOP with two values", new Uint8Array([0x80, 2, 0x4e, 0x4e, 0x2e]), "STOP with 2 values"],
    ["a memo entry never stored", new Uint8Array([0x80, 2, 0x68, 5, 0x2e]), "memo entry 5"],
  ];
  for (const [name, bytes, message] of cases) {
    await t.step(name, () => {
      assertThrows(() => readPickle(bytes, "f.pkl"), Error, message);
    });
  }

  const dir = `${tmp.dir}/cifar-10-batches-py`;
  await writePythonCifar(dir);
  const batch: [string, Uint8Array, string][] = [
    ["no data key", pickleWith((p) => p.str("labels").op(0x5d)), 'key "data" is missing'],
    [
      "data of the wrong shape",
      pickleWith((p) => (p.str("data"), ndarray(p, new Uint8Array(10), [2, 5]))),
      "has shape (2, 5)",
    ],
    [
      "labels not matching the images",
      pickleWith((
        p,
      ) => (p.str("data"), ndarray(p, new Uint8Array(3072), [1, 3072]), p.str("labels").op(0x5d))),
      '"labels" has 0 entries for 1 images',
    ],
    ["not a dict", new Uint8Array([0x80, 2, 0x5d, 0x2e]), "does not hold a dict"],
  ];
  for (const [name, bytes, message] of batch) {
    await t.step(`python batch with ${name}`, async () => {
      await Deno.writeFile(`${dir}/data_batch_4`, bytes);
      const e = await assertRejects(() => loadCifar10(dir), Error, message);
      assertTrue(e.message.includes("data_batch_4"), e.message);
    });
  }
});

const realDir = Deno.env.get("CIFAR10_DIR");

Deno.test({
  name: "loadCifar10() real CIFAR-10 (CIFAR10_DIR)",
  ignore: !realDir,
  fn: async () => {
    const data = await loadCifar10(realDir!);
    assertEquals(data.train.images.length, 50000 * 3072);
    assertEquals(data.test.images.length, 10000 * 3072);
    assertEquals(data.classes, [...CIFAR10_CLASSES]);
    const perClass = (labels: Uint8Array) => {
      const counts = new Array(10).fill(0);
      for (const l of labels) counts[l]++;
      return counts;
    };
    assertEquals(perClass(data.train.labels), new Array(10).fill(5000));
    assertEquals(perClass(data.test.labels), new Array(10).fill(1000));
    // The first images: a frog and two trucks in training, a cat and two ships in test.
    assertEquals([...data.train.labels.subarray(0, 3)], [6, 9, 9]);
    assertEquals([...data.test.labels.subarray(0, 3)], [3, 8, 8]);
  },
});
