import { assertEquals, assertThrows, assertTrue } from "./_assert.ts";
import {
  buildModel,
  decodeWeights,
  encodeTrainCheckpoint,
  encodeWeights,
  loadTrainCheckpoint,
  type ModelConfig,
  peekTrainCheckpoint,
} from "../nn/checkpoint.ts";
import { SGD } from "../nn/optim.ts";

const CONVNET: ModelConfig = {
  name: "convnet",
  imSize: [3, 32, 32],
  hiddenDim: 4,
  kernelSize: 3,
  nClasses: 10,
};
const MYMODEL: ModelConfig = { ...CONVNET, name: "mymodel", hiddenDim: 2 };

/** The header exactly as the Python `safetensors` package parses it. */
function rawHeader(bytes: Uint8Array): { header: Record<string, unknown>; start: number } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  return { header, start: 8 + n };
}

Deno.test("encodeWeights()", async (t) => {
  await t.step("convnet: the header safetensors (PyTorch) expects", () => {
    const model = buildModel(CONVNET, 3);
    const bytes = encodeWeights(model, CONVNET, { normalization: { kind: "none" } });
    const { header, start } = rawHeader(bytes);
    assertEquals((start - 8) % 8, 0, "the data starts 8-byte aligned");
    const entries = Object.entries(header).filter(([k]) => k !== "__metadata__") as [
      string,
      { dtype: string; shape: number[]; data_offsets: [number, number] },
    ][];
    assertEquals(entries.map(([k]) => k).sort(), [
      "conv.bias",
      "conv.weight",
      "fc.bias",
      "fc.weight",
    ]);
    const shapes = Object.fromEntries(entries.map(([k, v]) => [k, v.shape]));
    assertEquals(shapes, {
      "conv.weight": [4, 3, 3, 3],
      "conv.bias": [4],
      "fc.weight": [10, 4 * 16 * 16],
      "fc.bias": [10],
    });
    for (const [, v] of entries) assertEquals(v.dtype, "F32");
    // Offsets: contiguous from 0, no holes or overlaps, ending at the end of the file.
    const spans = entries.map(([, v]) => v.data_offsets).sort((a, b) => a[0] - b[0]);
    let at = 0;
    for (const [b, e] of spans) {
      assertEquals(b, at);
      at = e;
    }
    assertEquals(at, bytes.length - start);
    // The bytes at each offset are the tensor's float32 values, little-endian.
    const [, w] = entries.find(([k]) => k === "conv.weight")!;
    const stored = new Float32Array(
      bytes.slice(start + w.data_offsets[0], start + w.data_offsets[1]).buffer,
    );
    assertEquals([...stored], [...model.stateDict().get("conv.weight")!.data]);
    const meta = header.__metadata__ as Record<string, string>;
    assertTrue(Object.values(meta).every((v) => typeof v === "string"), "metadata is strings");
    assertEquals(JSON.parse(meta.model), CONVNET);
    assertEquals(meta.first_conv, "conv.weight");
    assertEquals(meta.format, "convnet.ts/weights-v1");
  });

  await t.step("mymodel: PyTorch's state_dict names, BN buffers included", () => {
    const model = buildModel(MYMODEL);
    const { header } = rawHeader(encodeWeights(model, MYMODEL));
    const names = Object.keys(header).filter((k) => k !== "__metadata__");
    for (
      const k of [
        "prep.0.weight",
        "prep.1.weight",
        "prep.1.bias",
        "prep.1.running_mean",
        "prep.1.running_var",
        "res1.body.0.weight",
        "fc.weight",
      ]
    ) assertTrue(names.includes(k), `${k} in [${names.join(", ")}]`);
    assertEquals(names.length, [...model.stateDict().keys()].length);
  });
});

Deno.test("decodeWeights()", async (t) => {
  const model = buildModel(CONVNET, 5);
  const norm = { kind: "channel", mean: [0.4, 0.5, 0.6], std: [0.2, 0.25, 0.3] };
  const bytes = encodeWeights(model, CONVNET, { normalization: norm, extra: { tta: "true" } });

  await t.step("round trip: tensors, configuration, normalisation, metadata", () => {
    const back = decodeWeights(bytes);
    assertEquals(back.config, CONVNET);
    assertEquals(back.normalization, norm);
    assertEquals(back.metadata.tta, "true");
    for (const [name, t] of model.stateDict()) {
      assertEquals([...back.model.stateDict().get(name)!.data], [...t.data], name);
    }
  });

  await t.step("refuses a truncated file", () => {
    assertThrows(() => decodeWeights(bytes.subarray(0, bytes.length - 1)), Error, "truncated");
    assertThrows(() => decodeWeights(bytes.subarray(0, 100)), Error, "truncated");
  });

  await t.step("refuses a checkpoint of another model", () => {
    assertThrows(
      () => decodeWeights(bytes, { expect: "mymodel" }),
      TypeError,
      "it is a checkpoint of convnet",
    );
    // Metadata that says mymodel over convnet tensors: the names do not match.
    const lying = encodeWeights(model, { ...CONVNET, name: "mymodel" });
    assertThrows(() => decodeWeights(lying), TypeError, "missing keys [prep.0.weight");
  });

  await t.step("refuses mismatched shapes", () => {
    const wider = encodeWeights(model, { ...CONVNET, hiddenDim: 8 });
    assertThrows(() => decodeWeights(wider), TypeError, "shape [4, 3, 3, 3] does not match");
  });

  await t.step("refuses a file without our metadata", () => {
    const plain = encodeWeights(model, CONVNET);
    const { header, start } = rawHeader(plain);
    delete header.__metadata__;
    const json = new TextEncoder().encode(JSON.stringify(header).padEnd(start - 8, " "));
    const stripped = new Uint8Array(plain);
    stripped.set(json, 8);
    assertThrows(() => decodeWeights(stripped), TypeError, "not written by convnet.ts");
  });
});

Deno.test("encodeTrainCheckpoint()", async (t) => {
  const model = buildModel(CONVNET, 1);
  const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  for (const p of model.parameters()) p.grad.data.fill(0.5);
  opt.step(); // fills the momentum buffers
  const progress = { epoch: 1, batch: 3, step: 7 };
  const bytes = encodeTrainCheckpoint(model, opt, {
    config: CONVNET,
    normalization: { kind: "none" },
    progress,
  });

  await t.step("round trip: weights, momentum buffers and progress", () => {
    const model2 = buildModel(CONVNET, 99);
    const opt2 = new SGD(model2.parameters(), { lr: 0.1, momentum: 0.9 });
    const state = loadTrainCheckpoint(bytes, model2, opt2);
    assertEquals(state.progress, progress);
    assertEquals(state.config, CONVNET);
    for (const [name, t] of opt.stateDict()) {
      assertEquals([...opt2.stateDict().get(name)!.data], [...t.data], name);
    }
    for (const [name, t] of model.stateDict()) {
      assertEquals([...model2.stateDict().get(name)!.data], [...t.data], name);
    }
  });

  await t.step("refusals: weights file, another model, another optimizer, truncated", () => {
    assertThrows(
      () => peekTrainCheckpoint(encodeWeights(model, CONVNET)),
      TypeError,
      "not the weights file",
    );
    const other = buildModel(MYMODEL);
    assertThrows(
      () =>
        loadTrainCheckpoint(bytes, other, new SGD(other.parameters(), { momentum: 0.9 }), {
          expect: "mymodel",
        }),
      TypeError,
      "checkpoint of convnet",
    );
    const plain = new SGD(buildModel(CONVNET).parameters(), { lr: 0.1 });
    assertThrows(
      () => loadTrainCheckpoint(bytes, buildModel(CONVNET), plain),
      TypeError,
      "unexpected keys [conv.bias.momentum_buffer",
    );
    assertThrows(
      () => loadTrainCheckpoint(bytes.subarray(0, bytes.length - 8), model, opt),
      Error,
      "truncated",
    );
  });
});

/** Whether Python's `safetensors` package is importable here (it is optional). */
async function hasPythonSafetensors(): Promise<boolean> {
  try {
    const out = await new Deno.Command("python3", {
      args: ["-c", "import safetensors.numpy"],
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

Deno.test({
  name: "encodeWeights() read by Python's safetensors package",
  ignore: !(await hasPythonSafetensors()),
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const model = buildModel(MYMODEL, 4);
    await Deno.writeFile(`${dir}/m.safetensors`, encodeWeights(model, MYMODEL));
    const script = `
import json, sys
from safetensors import safe_open
from safetensors.numpy import load_file
d = load_file(sys.argv[1])
with safe_open(sys.argv[1], "np") as f:
    meta = f.metadata()
print(json.dumps({"meta": meta, "t": {k: [str(v.dtype), list(v.shape), v.astype("float64").tolist()] for k, v in d.items()}}))
`;
    const out = await new Deno.Command("python3", {
      args: ["-c", script, `${dir}/m.safetensors`],
    }).output();
    assertTrue(out.success, new TextDecoder().decode(out.stderr));
    const py = JSON.parse(new TextDecoder().decode(out.stdout));
    assertEquals(JSON.parse(py.meta.model), MYMODEL);
    const state = model.stateDict();
    assertEquals(Object.keys(py.t).sort(), [...state.keys()].sort());
    for (const [name, t] of state) {
      const [dtype, shape, values] = py.t[name];
      assertEquals([dtype, shape], ["float32", [...t.shape]], name);
      assertEquals(values.flat(4), [...t.data], name);
    }
    await Deno.remove(dir, { recursive: true });
  },
});
