/**
 * Where a training step's time goes, layer by layer: forward and backward of every leaf module
 * of a model at batch B, on the training tasks' settings (`reuseBuffers`), the mean of
 * `REPEATS` steps after one warm-up. Prints one line per layer (its output shape, milliseconds
 * forward and backward, and for convs the effective GFLOP/s of the direct convolution).
 *
 *   deno run --allow-read --allow-env bench/layer_profile.ts [airnet|mymodel] [batch] [threads]
 *
 * Measured on the shared 2-core machine (airnet 64/128/128, batch 512, 2 threads, load about
 * 4), before the Winograd path took odd maps: the 3×3 convs took 4.1 s of the 4.4 s step (116
 * images/s), at 21–46 GFLOP/s forward and 28–44 backward (im2col on rows 31, 15, 7 and 3 pixels
 * wide); batch norm, pooling and ReLU 0.26 s. bench/airnet_conv_bench.ts times each conv on
 * both paths.
 *
 * @module
 */

import {
  AirNet,
  AIRNET_WIDTHS,
  Conv2d,
  crossEntropy,
  MyModel,
  Rng,
  setThreads,
  Tensor,
} from "../mod.ts";

/** Timed steps after the warm-up. */
const REPEATS = 2;

type Layer = ReturnType<AirNet["namedChildren"]>[number][1];

const [name = "airnet", batchText = "512", threadsText = "2"] = Deno.args;
const B = Number(batchText);
setThreads(Number(threadsText));
const net = name === "airnet"
  ? new AirNet([3, 32, 32], AIRNET_WIDTHS, 10, { rng: new Rng(0) })
  : new MyModel([3, 32, 32], 16, 3, 10, { rng: new Rng(0) });
net.reuseBuffers();
const rng = new Rng(3);
const x = Tensor.randn([B, 3, 32, 32], rng, { dtype: "float32" });
const y = Int32Array.from({ length: B }, () => rng.int(10));

const leaves: [string, Layer][] = [];
const visit = (path: string, m: Layer): void => {
  const children = m.namedChildren();
  if (children.length === 0) leaves.push([path, m]);
  for (const [n, c] of children) visit(path ? `${path}.${n}` : n, c);
};
visit("", net as Layer);

const fwd = new Map<string, number>(), bwd = new Map<string, number>();
const outShape = new Map<string, readonly number[]>();
for (let it = 0; it <= REPEATS; it++) {
  let h = x;
  for (const [n, m] of leaves) {
    const t = performance.now();
    h = m.forward(h);
    if (it > 0) fwd.set(n, (fwd.get(n) ?? 0) + (performance.now() - t) / REPEATS);
    outShape.set(n, h.shape);
  }
  let d = crossEntropy(h, y, { labelSmoothing: 0.2 }).dlogits;
  for (const [n, m] of [...leaves].reverse()) {
    const t = performance.now();
    d = m.backward(d);
    if (it > 0) bwd.set(n, (bwd.get(n) ?? 0) + (performance.now() - t) / REPEATS);
  }
}

let total = 0;
for (const [n, m] of leaves) {
  const f = fwd.get(n)!, b = bwd.get(n)!, out = outShape.get(n)!;
  total += f + b;
  let rate = "";
  if (m instanceof Conv2d) {
    const [HO, WO] = [out[2], out[3]];
    const flops = 2 * B * HO * WO * m.outChannels * m.inChannels * m.kernelSize ** 2;
    rate = `  ${(flops / f / 1e6).toFixed(1)} / ${(2 * flops / b / 1e6).toFixed(1)} GFLOP/s`;
  }
  console.log(
    `${n.padEnd(12)} ${String(m).slice(0, 40).padEnd(40)} ${out.join("×").padEnd(16)} ` +
      `fwd ${f.toFixed(0).padStart(5)} ms  bwd ${b.toFixed(0).padStart(5)} ms${rate}`,
  );
}
console.log(
  `${name} batch ${B}: ${total.toFixed(0)} ms per step (${(B / total * 1000).toFixed(0)} images/s)`,
);
