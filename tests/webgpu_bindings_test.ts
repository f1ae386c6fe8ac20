/**
 * Every WebGPU shader's storage bindings agree with the WASM op table (kernels/wasm/_ops.ts):
 * each bound array is one of its op's arrays (names mapped where the shader's differ), with the
 * same element type, read_write exactly where the op writes it (out or inout), at bindings
 * 1, 2, … in the table's order with the written arrays first. Reads the WGSL files; needs no GPU.
 */

import assert from "node:assert/strict";
import { type ArgSpec, OPS } from "../kernels/wasm/_ops.ts";

type Ptr = Extract<ArgSpec, { kind: "ptr" }>;

// shader → its op, the shader's names that differ from the op's, and buffers the op lacks
const SHADER_OPS: Record<
  string,
  { op: string; rename?: Record<string, string>; extra?: string[] }
> = {
  matmul: { op: "gemm" },
  conv2d_forward: { op: "convForward", rename: { bias: "b" } },
  conv2d_backward_data: { op: "convBackward" },
  conv2d_backward_filter: { op: "convBackward" },
  channel_sum: { op: "sumRows" },
  add_bias: { op: "addRowBias" },
  relu_forward: { op: "reluForward" },
  relu_backward: { op: "reluBackward" },
  max_pool_forward: { op: "maxPoolForward" },
  max_pool_backward: { op: "maxPoolBackward" },
  // losses: the per-row losses, summed on the device (WASM returns the mean)
  softmax_cross_entropy: { op: "softmaxCrossEntropy", extra: ["losses"] },
  softmax_cross_entropy_smoothed: { op: "softmaxCrossEntropySmoothed", extra: ["losses"] },
  axpy: { op: "axpy" },
  sgd_step: { op: "sgdStep", rename: { w: "param", v: "buf", g: "grad" } },
  adam_step: { op: "adamStep", rename: { w: "param", g: "grad" } },
  avg_pool_forward: { op: "avgPoolForward" },
  avg_pool_backward: { op: "avgPoolBackward" },
  batch_norm_forward: { op: "batchNormForward" },
  batch_norm_backward: { op: "batchNormBackward" },
  dropout_forward: { op: "dropoutForward" },
  dropout_backward: { op: "dropoutBackward" },
};

const wgslDir = new URL("../kernels/webgpu/wgsl/", import.meta.url);

Deno.test("every WebGPU shader's bindings agree with its op in the WASM op table", async () => {
  const files = [...Deno.readDirSync(wgslDir)].map((e) => e.name)
    .filter((n) => n.endsWith(".wgsl") && !n.startsWith("_")).map((n) => n.slice(0, -5)).sort();
  assert.deepEqual(files, Object.keys(SHADER_OPS).sort(), "one entry per shader file");
  for (const [shader, { op, rename = {}, extra = [] }] of Object.entries(SHADER_OPS)) {
    const src = await Deno.readTextFile(new URL(`${shader}.wgsl`, wgslDir));
    const spec = OPS[op];
    assert.ok(spec, `${shader}: no op ${op}`);
    const arrays = new Map(
      spec.args.filter((a): a is Ptr => a.kind === "ptr").map((a) => [a.name, a]),
    );
    const bound: { name: string; write: boolean }[] = [];
    const re = /@binding\((\d+)\)\s+var<storage,\s*(read|read_write)>\s+(\w+):\s*array<(\w+)>/g;
    for (const [, binding, access, name, type] of src.matchAll(re)) {
      const write = access === "read_write";
      assert.equal(Number(binding), bound.length + 1, `${shader}: ${name} at binding ${binding}`);
      bound.push({ name, write });
      if (extra.includes(name)) continue;
      const a = arrays.get(rename[name] ?? name);
      assert.ok(a, `${shader}: binding ${name} is no array of op ${op}`);
      assert.equal(type, a.dtype, `${shader}: ${name} holds ${type}, op ${op} ${a.dtype}`);
      assert.equal(write, a.role !== "in", `${shader}: ${name} is ${access}, op ${op} ${a.role}`);
    }
    assert.ok(bound.length > 0, `${shader}: no storage bindings found`);
    const order = [...arrays.values()].filter((a) => a.role !== "in")
      .concat([...arrays.values()].filter((a) => a.role === "in")).map((a) => a.name);
    const names = bound.filter((b) => !extra.includes(b.name)).map((b) => rename[b.name] ?? b.name);
    assert.deepEqual(names, order.filter((n) => names.includes(n)), `${shader}: binding order`);
  }
});
