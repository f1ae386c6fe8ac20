/**
 * The Part 1 layers against `torch.nn.functional` (interop/oracle.py's "functional" job) on the
 * homework's shapes: conv with stride and padding, max-pool, affine, ReLU and the softmax loss,
 * forward and backward. The naive layers run in float64 against PyTorch's double; the fast
 * (WASM) conv and max-pool in float32 against the same. Skipped, with a note, without PyTorch.
 */
import {
  affineBackward,
  affineForward,
  convBackwardNaive,
  convForwardNaive,
  maxPoolBackwardNaive,
  maxPoolForwardNaive,
  reluBackward,
  reluForward,
  softmaxLoss,
} from "../nn/layers/mod.ts";
import { convBackward, convForward, maxPoolBackward, maxPoolForward } from "../nn/fast_layers.ts";
import { Rng } from "../core/random.ts";
import { loadSafetensors, type SafeTensorInput, saveSafetensors } from "../nn/safetensors.ts";
import { Tensor } from "../core/tensor.ts";
import { NO_TORCH_NOTE, normRel, runOracle, torchAvailable } from "../interop/torch.ts";
import { assertAtMost, assertTrue } from "./_assert.ts";

const HAS_TORCH = await torchAvailable();
if (!HAS_TORCH) console.warn(`interop_layers_test.ts: ${NO_TORCH_NOTE}`);

// Errors are relative to each tensor's largest element (normRel). Measured: naive 8.8e-15,
// fast 3.7e-6 (the 7×7 conv).
/** Naive float64 layers against PyTorch's double: rounding only. */
const TOL_F64 = 1e-12;
/** Fast float32 layers against PyTorch's double. */
const TOL_F32 = 2e-5;

type Outputs = Record<string, Tensor | number>;
interface Case {
  name: string;
  op: "conv" | "maxpool" | "affine" | "relu" | "softmax";
  params?: Record<string, number>;
  inputs: Record<string, Tensor | Int32Array>;
  /** Our results: "out", "dx", "dw", "db", "loss"; `fast` for the WASM twin where there is one. */
  naive: () => Outputs;
  fast?: () => Outputs;
}

function cases(rng: Rng): Case[] {
  const randn = (shape: number[]) => Tensor.randn(shape, rng);
  const out: Case[] = [];
  for (
    const [xs, ws, stride, pad] of [
      [[2, 3, 4, 4], [3, 3, 4, 4], 2, 1], // the notebook's naive forward check
      [[100, 3, 31, 31], [25, 3, 3, 3], 2, 1], // the fast-layers comparison
      [[10, 3, 32, 32], [32, 3, 7, 7], 1, 3], // the ConvNet's layer
    ] as [number[], number[], number, number][]
  ) {
    const x = randn(xs), w = randn(ws), b = randn([ws[0]]);
    const param = { stride, pad };
    const HO = 1 + (xs[2] + 2 * pad - ws[2]) / stride, WO = 1 + (xs[3] + 2 * pad - ws[3]) / stride;
    const dout = randn([xs[0], ws[0], HO, WO]);
    const run = (f: typeof convForwardNaive, g: typeof convBackwardNaive) => () => {
      const { out, cache } = f(x, w, b, param);
      return { out, ...g(dout, cache) };
    };
    out.push({
      name: `conv x=(${xs}) w=(${ws}) s=${stride} p=${pad}`,
      op: "conv",
      params: param,
      inputs: { x, w, b, dout },
      naive: run(convForwardNaive, convBackwardNaive),
      fast: run(convForward, convBackward),
    });
  }
  for (const xs of [[2, 3, 4, 4], [100, 3, 32, 32]]) {
    const x = randn(xs), param = { poolHeight: 2, poolWidth: 2, stride: 2 };
    const dout = randn([xs[0], xs[1], xs[2] / 2, xs[3] / 2]);
    const run = (f: typeof maxPoolForwardNaive, g: typeof maxPoolBackwardNaive) => () => {
      const { out, cache } = f(x, param);
      return { out, dx: g(dout, cache) };
    };
    out.push({
      name: `maxpool x=(${xs}) 2x2 s=2`,
      op: "maxpool",
      params: param,
      inputs: { x, dout },
      naive: run(maxPoolForwardNaive, maxPoolBackwardNaive),
      fast: run(maxPoolForward, maxPoolBackward),
    });
  }
  {
    const x = randn([10, 2, 3]), w = randn([6, 5]), b = randn([5]), dout = randn([10, 5]);
    out.push({
      name: "affine x=(10,2,3) w=(6,5)",
      op: "affine",
      inputs: { x, w, b, dout },
      naive: () => {
        const { out, cache } = affineForward(x, w, b);
        return { out, ...affineBackward(dout, cache) };
      },
    });
  }
  {
    const x = randn([10, 10]), dout = randn([10, 10]);
    out.push({
      name: "relu x=(10,10)",
      op: "relu",
      inputs: { x, dout },
      naive: () => {
        const { out, cache } = reluForward(x);
        return { out, dx: reluBackward(dout, cache) };
      },
    });
  }
  {
    const x = Tensor.randn([50, 10], rng, { std: 0.001 }),
      y = Int32Array.from({ length: 50 }, () => rng.int(10));
    out.push({
      name: "softmax x=(50,10)",
      op: "softmax",
      inputs: { x, y },
      naive: () => ({ ...softmaxLoss(x, y) }),
    });
  }
  return out;
}

function flat(v: Tensor | number): ArrayLike<number> {
  return typeof v === "number" ? [v] : v.data;
}

Deno.test({
  name: "Part 1 layers against torch.nn.functional",
  ignore: !HAS_TORCH,
  fn: async (t) => {
    const dir = await Deno.makeTempDir({ prefix: "interop_layers_" });
    const all = cases(new Rng(7643));
    const inputs: Record<string, SafeTensorInput> = {};
    for (const c of all) {
      for (const [k, v] of Object.entries(c.inputs)) {
        inputs[`${c.name}.${k}`] = v instanceof Tensor ? v : { data: v, shape: [v.length] };
      }
    }
    await saveSafetensors(`${dir}/in.safetensors`, inputs);
    const cmdCases = all.map((c) => ({ name: c.name, op: c.op, ...c.params }));
    const [result] = await runOracle(
      [{
        cmd: "functional",
        in: `${dir}/in.safetensors`,
        out: `${dir}/out.safetensors`,
        cases: cmdCases,
      }],
      dir,
    );
    assertTrue(result.ok, result.error);
    const torch = (await loadSafetensors(`${dir}/out.safetensors`)).tensors;
    for (const c of all) {
      await t.step(c.name, () => {
        const worst = { naive: 0, fast: 0 };
        for (
          const [kind, run, tol] of [["naive", c.naive, TOL_F64], [
            "fast",
            c.fast,
            TOL_F32,
          ]] as const
        ) {
          if (run === undefined) continue;
          const ours = run();
          const keys = Object.keys(ours);
          for (const k of keys) {
            const theirs = torch.get(`${c.name}.${k}`);
            assertTrue(theirs !== undefined, `PyTorch gave no "${c.name}.${k}"`);
            const err = normRel(flat(ours[k]), theirs!.data as Float64Array);
            worst[kind] = Math.max(worst[kind], err);
            assertAtMost(err, tol, `${kind} ${k} error`);
          }
          const expected = c.op === "softmax" ? 2 : c.op === "conv" || c.op === "affine" ? 4 : 2;
          assertTrue(keys.length === expected, `${kind} compared ${keys} only`);
        }
        console.log(`${c.name}, worst relative error: ${JSON.stringify(worst)}`);
      });
    }
    await Deno.remove(dir, { recursive: true });
  },
});
