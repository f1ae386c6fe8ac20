/**
 * Bad weights files are refused on both sides, our loader (nn/checkpoint.ts) and the PyTorch
 * one (interop/weights.py), with a message naming the tensor, and nothing is loaded half-way:
 * a file with another model's tensors, a missing tensor, a wrong dtype, a wrong shape, a
 * truncated file. And PyTorch's writer lays a file out byte for byte as ours does. The PyTorch
 * side is skipped, with a note, without PyTorch.
 */
import { buildModel, decodeWeights, encodeWeights, type ModelConfig } from "../nn/checkpoint.ts";
import { decodeSafetensors, encodeSafetensors, type SafeTensorInput } from "../nn/safetensors.ts";
import { Tensor } from "../core/tensor.ts";
import { NO_TORCH_NOTE, runOracle, torchAvailable } from "../interop/torch.ts";
import { assertEquals, assertThrows, assertTrue } from "./_assert.ts";

const HAS_TORCH = await torchAvailable();
if (!HAS_TORCH) console.warn(`interop_refusals_test.ts: ${NO_TORCH_NOTE}`);

const MYMODEL: ModelConfig = {
  name: "mymodel",
  imSize: [3, 32, 32],
  hiddenDim: 4,
  kernelSize: 3,
  nClasses: 10,
};
const CONVNET: ModelConfig = { ...MYMODEL, name: "convnet", hiddenDim: 2 };

interface Bad {
  what: string;
  bytes: Uint8Array;
  /** What both messages must contain: the tensor's name. */
  names: string;
  /** Whether our decoder reads the tensors (so the load-into-a-model check applies). */
  decodable: boolean;
}

function badFiles(): { good: Uint8Array; bad: Bad[] } {
  const good = encodeWeights(buildModel(MYMODEL, 5), MYMODEL);
  const { tensors, metadata } = decodeSafetensors(good);
  const state: Record<string, SafeTensorInput> = Object.fromEntries(tensors);
  const without = (name: string) =>
    Object.fromEntries(Object.entries(state).filter(([k]) => k !== name));
  const convnet = decodeSafetensors(encodeWeights(buildModel(CONVNET, 5), CONVNET)).tensors;
  const fc = state["fc.weight"];
  const last = [...tensors.keys()].at(-1)!; // data order: the last tensor is cut first
  return {
    good,
    bad: [
      {
        what: "another model's tensors",
        bytes: encodeSafetensors(Object.fromEntries(convnet), metadata),
        names: "prep.0.weight",
        decodable: true,
      },
      {
        what: "a missing tensor",
        bytes: encodeSafetensors(without("res1.body.4.running_var"), metadata),
        names: "res1.body.4.running_var",
        decodable: true,
      },
      {
        what: "a wrong dtype",
        bytes: encodeSafetensors(
          {
            ...state,
            "fc.weight": { data: Int32Array.from(fc.data as Float32Array), shape: fc.shape },
          },
          metadata,
        ),
        names: "fc.weight",
        decodable: false,
      },
      {
        what: "a wrong shape",
        bytes: encodeSafetensors(
          { ...state, "fc.weight": { data: new Float32Array(10 * 16), shape: [10, 16] } },
          metadata,
        ),
        names: "fc.weight",
        decodable: true,
      },
      {
        what: "a truncated file",
        bytes: good.subarray(0, good.length - 64),
        names: last,
        decodable: false,
      },
    ],
  };
}

Deno.test("weights refusals, ours", async (t) => {
  const { good, bad } = badFiles();
  for (const b of bad) {
    await t.step(b.what, () => {
      const e = assertThrows(() => decodeWeights(b.bytes, { source: "bad.safetensors" }), Error);
      assertTrue(e.message.includes(b.names), e.message);
      if (!b.decodable) return;
      const model = decodeWeights(good).model, before = model.stateDict().get("fc.weight")!.clone();
      const state = new Map(
        [...decodeSafetensors(b.bytes).tensors].map((
          [k, v],
        ) => [k, new Tensor(v.data as Float32Array, v.shape)]),
      );
      assertThrows(() => model.loadStateDict(state), TypeError, b.names);
      assertEquals(model.stateDict().get("fc.weight")!.data, before.data);
    });
  }
});

Deno.test({
  name: "weights refusals, PyTorch's",
  ignore: !HAS_TORCH,
  fn: async (t) => {
    const dir = await Deno.makeTempDir({ prefix: "interop_refusals_" });
    const { good, bad } = badFiles();
    await Deno.writeFile(`${dir}/good.safetensors`, good);
    const jobs = [];
    for (const [i, b] of bad.entries()) {
      await Deno.writeFile(`${dir}/bad${i}.safetensors`, b.bytes);
      jobs.push({
        cmd: "refuse",
        good: `${dir}/good.safetensors`,
        bad: `${dir}/bad${i}.safetensors`,
      });
    }
    const results = await runOracle(jobs, dir);
    for (const [i, b] of bad.entries()) {
      await t.step(b.what, () => {
        const r = results[i];
        assertTrue(r.ok && r.refused === true, JSON.stringify(r));
        for (const message of [r.error, r.error_into] as string[]) {
          assertTrue(message.includes(b.names), `"${message}" does not name ${b.names}`);
        }
        assertTrue(r.unchanged === true, "the model was changed by a refused load");
      });
    }
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test({
  name: "PyTorch's safetensors writer",
  ignore: !HAS_TORCH,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "interop_copy_" });
    const bytes = encodeWeights(buildModel(MYMODEL, 5), MYMODEL, {
      normalization: { kind: "channel", mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] },
      extra: { tta: "true", classes: JSON.stringify(["airplane", "…"]) },
    });
    await Deno.writeFile(`${dir}/ours.safetensors`, bytes);
    const [r] = await runOracle(
      [{ cmd: "copy", in: `${dir}/ours.safetensors`, out: `${dir}/copy.safetensors` }],
      dir,
    );
    assertTrue(r.ok, r.error);
    // Read and written back by interop/safetensors_io.py: the same layout, so the same bytes.
    assertEquals(await Deno.readFile(`${dir}/copy.safetensors`), bytes);
    await Deno.remove(dir, { recursive: true });
  },
});
