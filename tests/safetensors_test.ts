import { assertEquals, assertRejects, assertThrows, assertTrue } from "./_assert.ts";
import {
  decodeSafetensors,
  encodeSafetensors,
  loadSafetensors,
  saveSafetensors,
} from "../nn/safetensors.ts";
import { Tensor } from "../core/tensor.ts";

function headerOf(bytes: Uint8Array): { n: number; json: string } {
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  return { n, json: new TextDecoder().decode(bytes.subarray(8, 8 + n)) };
}

Deno.test("encodeSafetensors()", async (t) => {
  await t.step("lays out the header and data as the reference implementation does", () => {
    const bytes = encodeSafetensors({
      b: { data: new Int32Array([7, -8]), shape: [2] },
      a: { data: new Float32Array([1.5]), shape: [1] },
      z: { data: new Float64Array([2]), shape: [1, 1] },
    }, { first_conv: "a" });
    const { n, json } = headerOf(bytes);
    assertEquals(n % 8, 0);
    // Widest dtype first, then by name; __metadata__ first; padded with spaces.
    assertEquals(
      json.trimEnd(),
      '{"__metadata__":{"first_conv":"a"},' +
        '"z":{"dtype":"F64","shape":[1,1],"data_offsets":[0,8]},' +
        '"a":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},' +
        '"b":{"dtype":"I32","shape":[2],"data_offsets":[12,20]}}',
    );
    assertEquals(bytes.length, 8 + n + 20);
    const data = new DataView(bytes.buffer, 8 + n);
    assertEquals(data.getFloat64(0, true), 2);
    assertEquals(data.getFloat32(8, true), 1.5);
    assertEquals(data.getInt32(12, true), 7);
    assertEquals(data.getInt32(16, true), -8);
  });
  await t.step("rejects a shape that does not match the data, and non-string metadata", () => {
    assertThrows(
      () => encodeSafetensors({ w: { data: new Float32Array(5), shape: [2, 3] } }),
      TypeError,
      'tensor "w": shape [2, 3] does not match its 5 elements',
    );
    assertThrows(
      () => encodeSafetensors({}, { epoch: 3 as unknown as string }),
      TypeError,
      'metadata "epoch"',
    );
  });
});

Deno.test("decodeSafetensors()", async (t) => {
  const original = {
    "conv1.weight": new Tensor(Float32Array.from([0.1, -0.2, 0.3, 1e-30, 3e38, -0]), [1, 2, 1, 3]),
    "fc.bias": { data: Float64Array.from([Math.PI, -Math.E, 1e-300]), shape: [3] },
    labels: { data: Int32Array.from([0, 9, -2147483648, 2147483647]), shape: [2, 2] },
    empty: { data: new Float32Array(0), shape: [0, 4] },
  };
  const bytes = encodeSafetensors(original, { first_conv: "conv1.weight", format: "pt" });

  await t.step("round-trips f32, f64 and i32 bit for bit, with metadata", () => {
    const st = decodeSafetensors(bytes);
    assertEquals(st.metadata, { first_conv: "conv1.weight", format: "pt" });
    assertEquals([...st.tensors.keys()], ["fc.bias", "conv1.weight", "empty", "labels"]);
    const w = st.tensors.get("conv1.weight")!;
    assertEquals(w.dtype, "F32");
    assertEquals(w.shape, [1, 2, 1, 3]);
    assertEquals(w.data, original["conv1.weight"].data);
    assertEquals(st.tensors.get("fc.bias")!.data, original["fc.bias"].data);
    assertEquals(st.tensors.get("labels")!.dtype, "I32");
    assertEquals(st.tensors.get("labels")!.data, original.labels.data);
    assertEquals(st.tensors.get("empty")!.shape, [0, 4]);
  });
  await t.step("refuses every truncation with a clear error", () => {
    for (const cut of [0, 4, 8, 20, bytes.length - 1]) {
      const e = assertThrows(() => decodeSafetensors(bytes.slice(0, cut), "m.safetensors"), Error);
      assertTrue(e.message.startsWith("Cannot load safetensors from m.safetensors: "), e.message);
      assertTrue(/truncated|fewer than/.test(e.message), e.message);
    }
  });
  await t.step("refuses corrupt headers, offsets and trailing bytes", () => {
    const { n } = headerOf(bytes);
    const withHeader = (json: string, data = new Uint8Array(0)) => {
      const h = new TextEncoder().encode(json);
      const out = new Uint8Array(8 + h.length + data.length);
      new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
      out.set(h, 8);
      out.set(data, 8 + h.length);
      return out;
    };
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true);
    assertThrows(() => decodeSafetensors(huge), Error, "not a safetensors file");
    assertThrows(() => decodeSafetensors(withHeader("{oops")), Error, "not valid UTF-8 JSON");
    assertThrows(() => decodeSafetensors(withHeader("[1]")), Error, "not a JSON object");
    assertThrows(
      () => decodeSafetensors(withHeader('{"w":{"dtype":"Q7","shape":[1],"data_offsets":[0,1]}}')),
      Error,
      'tensor "w" has dtype "Q7"',
    );
    assertThrows(
      () =>
        decodeSafetensors(
          withHeader('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}', new Uint8Array(4)),
        ),
      Error,
      "spans 4 bytes but F32 [2] needs 8",
    );
    assertThrows(
      () =>
        decodeSafetensors(
          withHeader(
            '{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},' +
              '"b":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}',
            new Uint8Array(3),
          ),
        ),
      Error,
      "must be contiguous",
    );
    assertThrows(
      () => decodeSafetensors(withHeader('{"__metadata__":{"k":1}}')),
      Error,
      '__metadata__["k"] is not a string',
    );
    const extra = new Uint8Array(bytes.length + 3);
    extra.set(bytes);
    assertThrows(() => decodeSafetensors(extra), Error, "3 bytes follow the last tensor");
    assertEquals(n > 0, true);
  });
});

Deno.test("saveSafetensors() and loadSafetensors()", async (t) => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/model.safetensors`;
  await t.step("write atomically and read back", async () => {
    await saveSafetensors(path, { w: { data: new Float32Array([1, 2]), shape: [2] } }, {
      metadata: { epoch: "3" },
    });
    const names = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    assertEquals(names, ["model.safetensors"]);
    const st = await loadSafetensors(path);
    assertEquals(st.metadata.epoch, "3");
    assertEquals([...st.tensors.get("w")!.data], [1, 2]);
  });
  await t.step("a truncated file names its path", async () => {
    const bytes = await Deno.readFile(path);
    await Deno.writeFile(path, bytes.subarray(0, bytes.length - 2));
    await assertRejects(() => loadSafetensors(path), Error, `"${path}": the file is truncated`);
  });
  await Deno.remove(dir, { recursive: true });
});
