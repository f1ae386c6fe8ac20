/**
 * `--backend` and `--threads` of the training and prediction tasks: the hook between the
 * command line and `kernels/mod.ts`: it picks the backend float32 runs on (`wasm`, the
 * default, or `ref`) and the WASM thread count, and whether training steps run on the GPU
 * (`webgpu`: `convnet` and `mymodel`; evaluation stays on WASM).
 *
 * @module
 */

import { setFloat32Backend } from "../kernels/mod.ts";
import { setThreads } from "../kernels/wasm/mod.ts";
import { type AdapterSummary, webgpuAvailable } from "../kernels/webgpu/mod.ts";

/** The values `--backend` accepts. */
export const BACKENDS = ["ref", "wasm", "webgpu", "auto"] as const;
/** A backend name. */
export type BackendName = (typeof BACKENDS)[number];

/** The models whose training step runs on WebGPU. */
export const WEBGPU_MODELS: readonly string[] = ["convnet", "mymodel"];

/** The backend a run uses, as printed in its configuration. */
export interface SelectedBackend {
  /** The kernels' own name (`kernelsFor("float32").name`), or "webgpu" for GPU training. */
  name: string;
  /** WASM threads. */
  threads: number;
  /** The GPU adapter training steps run on (webgpu only). */
  adapter?: string;
}

/**
 * Checks that the backend asked for is available and returns what float32 runs on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { selectBackend } from "./backend.ts";
 * assert.equal(selectBackend("ref", 1).name, "ref");
 * assert.equal(selectBackend("auto", 1).name, "wasm");
 * ```
 */
export function selectBackend(backend: BackendName, threads: number): SelectedBackend {
  const name = backend === "auto" || backend === "webgpu" ? "wasm" : backend;
  const kernels = setFloat32Backend(name);
  if (name === "ref") return { name: kernels.name, threads: 1 }; // plain single-threaded loops
  setThreads(threads);
  return { name: kernels.name, threads };
}

/**
 * `--backend auto` trains on WebGPU only when the probe measured its step faster than this
 * fraction of the WASM step's time (a 10 % margin over timing noise).
 */
export const AUTO_WEBGPU_MARGIN = 0.9;

/** Measured milliseconds per training step on WASM and on WebGPU (`train/probe.ts`). */
export interface StepTimes {
  /** A step on the CPU model (WASM). */
  wasmMs: number;
  /** A step through the GPU step runner. */
  webgpuMs: number;
}

/** How `selectTrainBackend` reports and measures. */
export interface SelectTrainBackendOptions {
  /** Where the reasons for `auto`'s choice go (default console.error). */
  note?: (line: string) => void;
  /** The GPU adapter, or null (default: `webgpuAvailable`). */
  adapterOf?: () => Promise<AdapterSummary | null>;
  /** Times a training step on each backend; `auto` without it stays on WASM. */
  probe?: () => Promise<StepTimes>;
}

/**
 * The training backend for `model`: `webgpu` needs an adapter and a model in `WEBGPU_MODELS`
 * (otherwise it throws, saying what to do); `auto` takes WebGPU only on a hardware adapter,
 * with a supported model, when `probe` measures its training step faster than
 * `AUTO_WEBGPU_MARGIN` times the WASM step, and notes why it chose what it chose (through
 * `note`). The CPU kernels (evaluation, and everything else) are set as `selectBackend` sets
 * them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { selectTrainBackend } from "./backend.ts";
 * const notes: string[] = [];
 * const chosen = await selectTrainBackend("auto", 1, "mymodel", { note: (n) => notes.push(n) });
 * assert.equal(chosen.name, "wasm");
 * assert.equal(notes.length, 1);
 * ```
 */
export async function selectTrainBackend(
  backend: BackendName,
  threads: number,
  model: string,
  options: SelectTrainBackendOptions = {},
): Promise<SelectedBackend> {
  const { note = console.error, adapterOf = webgpuAvailable, probe } = options;
  const cpu = selectBackend(backend, threads);
  if (backend !== "webgpu" && backend !== "auto") return cpu;
  const supported = WEBGPU_MODELS.includes(model);
  if (backend === "webgpu" && !supported) {
    throw new RangeError(
      `Cannot train ${model} with --backend webgpu: the GPU training step supports ` +
        `${WEBGPU_MODELS.join(", ")} so far; use --backend wasm`,
    );
  }
  const adapter = await adapterOf();
  if (backend === "webgpu") {
    if (adapter === null) {
      throw new Error(
        "Cannot use --backend webgpu: Deno found no GPU adapter (install a Vulkan driver, " +
          "e.g. Debian's libvulkan1 and mesa-vulkan-drivers) or use --backend wasm",
      );
    }
    return { name: "webgpu", threads: cpu.threads, adapter: adapter.description };
  }
  if (adapter === null) note("--backend auto: no WebGPU adapter, training on WASM");
  else if (adapter.isFallback) {
    note(
      `--backend auto: only a software WebGPU adapter (${adapter.description}), training on WASM`,
    );
  } else if (!supported) {
    note(`--backend auto: ${model} has no WebGPU training step yet, training on WASM`);
  } else if (probe === undefined) {
    note("--backend auto: WebGPU's speed was not measured, training on WASM");
  } else {
    let t: StepTimes;
    try {
      t = await probe();
    } catch (e) {
      note(`--backend auto: WebGPU failed a test step (${(e as Error).message}), training on WASM`);
      return cpu;
    }
    const faster = t.webgpuMs < AUTO_WEBGPU_MARGIN * t.wasmMs;
    note(
      `--backend auto: a training step took ${t.webgpuMs.toFixed(1)} ms on WebGPU ` +
        `(${adapter.description}) and ${t.wasmMs.toFixed(1)} ms on WASM (${cpu.threads} ` +
        `threads), training on ${faster ? "WebGPU" : "WASM"}` +
        (faster ? "" : ` (WebGPU must take under ${AUTO_WEBGPU_MARGIN}× the WASM time)`),
    );
    if (faster) return { name: "webgpu", threads: cpu.threads, adapter: adapter.description };
  }
  return cpu;
}
