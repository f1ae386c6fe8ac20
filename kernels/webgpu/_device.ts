/**
 * Device acquisition for the WebGPU backend: one shared `GPUDevice` per process, requested
 * with the adapter's own limits (the defaults cap storage bindings at 128 MiB), and a clear
 * error when Deno finds no adapter. Tests call `releaseDevice()` to destroy it.
 *
 * @module
 */

/** What the backend knows about the adapter it runs on. */
export interface AdapterSummary {
  /** The adapter's description (e.g. "llvmpipe (LLVM 15.0.6, 256 bits)"). */
  description: string;
  /** Whether it is a software fallback (correct but slow: never use it for timings). */
  isFallback: boolean;
}

let adapterPromise: Promise<GPUAdapter | null> | undefined;
let devicePromise: Promise<GPUDevice> | undefined;

/** Resolves to the adapter Deno finds, or null when there is none (no GPU, no driver). */
export function findAdapter(): Promise<GPUAdapter | null> {
  if (adapterPromise === undefined) {
    const gpu = (globalThis.navigator as { gpu?: GPU } | undefined)?.gpu;
    adapterPromise = gpu === undefined
      ? Promise.resolve(null)
      : gpu.requestAdapter({ powerPreference: "high-performance" }).catch(() => null);
  }
  return adapterPromise;
}

/** Describes an adapter for logs: its description and whether it is a software fallback. */
export function describeAdapter(adapter: GPUAdapter): AdapterSummary {
  const info = adapter.info;
  const description = info.description || [info.vendor, info.architecture, info.device]
    .filter((s) => s !== "").join(" ") ||
    "unknown adapter";
  // Deno reports the fallback flag on the info object (newer spec) or on the adapter.
  const flag = (info as { isFallbackAdapter?: boolean }).isFallbackAdapter ??
    (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false;
  return { description, isFallback: flag || /llvmpipe|swiftshader|lavapipe/i.test(description) };
}

/**
 * The shared device, requested once with the adapter's maximum storage and buffer limits.
 * Throws when no adapter exists, saying how to get one.
 */
export function getDevice(): Promise<GPUDevice> {
  if (devicePromise === undefined) {
    devicePromise = requestDevice();
    devicePromise.catch(() => devicePromise = undefined);
  }
  return devicePromise;
}

async function requestDevice(): Promise<GPUDevice> {
  const adapter = await findAdapter();
  if (adapter === null) {
    throw new Error(
      "Cannot use the WebGPU backend: Deno found no GPU adapter (navigator.gpu.requestAdapter() " +
        "returned null); install a Vulkan driver (e.g. Debian's libvulkan1 and mesa-vulkan-drivers) " +
        "or use --backend wasm",
    );
  }
  const l = adapter.limits;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxStorageBuffersPerShaderStage: Math.min(l.maxStorageBuffersPerShaderStage, 10),
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
    },
  });
  device.lost.then(() => {
    // A lost (or destroyed) device cannot be reused: the next getDevice() asks for a new one.
    devicePromise = undefined;
  });
  return device;
}

/** Destroys the shared device (tests call this at the end); the next use requests a new one. */
export async function releaseDevice(): Promise<void> {
  if (devicePromise === undefined) return;
  const pending = devicePromise;
  devicePromise = undefined;
  try {
    (await pending).destroy();
  } catch {
    // the device never came: nothing to destroy
  }
}
