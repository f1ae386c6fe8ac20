// WebGPU limit validation: sizes past maxBufferSize / maxStorageBufferBindingSize and grids past
// maxComputeWorkgroupsPerDimension throw a RangeError naming the sizes before anything runs
// (WebGPU itself would silently skip the dispatch), and the 2-D grid of the element-wise
// kernels reaches past 65535 workgroups.
import { assertEquals, assertThrows, assertTrue } from "./_assert.ts";
import { adapter, gpuTest } from "./_webgpu.ts";
import { grid1d } from "../kernels/webgpu/_limits.ts";
import {
  checkBufferSize,
  checkWorkgroups,
  describeAdapter,
  getContext,
  gpuKernels,
  GpuTensor,
  WORKGROUP,
} from "../kernels/webgpu/mod.ts";

const LIMITS = {
  maxStorageBufferBindingSize: 1024,
  maxBufferSize: 4096,
  maxComputeWorkgroupsPerDimension: 100,
};

Deno.test("checkBufferSize() and checkWorkgroups()", async (t) => {
  await t.step("within the limits passes", () => {
    checkBufferSize("op", "x", 1024, LIMITS);
    checkWorkgroups("op", [100, 100, 1], LIMITS);
  });
  await t.step("past maxStorageBufferBindingSize", () => {
    assertThrows(
      () => checkBufferSize("conv2dForward", "x", 1028, LIMITS),
      RangeError,
      'Cannot run conv2dForward: buffer "x" needs 1028 bytes, over this device\'s ' +
        "maxStorageBufferBindingSize of 1024",
    );
  });
  await t.step("past maxBufferSize", () => {
    assertThrows(
      () => checkBufferSize("gemm", "c", 8192, LIMITS),
      RangeError,
      "maxBufferSize of 4096",
    );
  });
  await t.step("past maxComputeWorkgroupsPerDimension", () => {
    assertThrows(
      () => checkWorkgroups("reluForward", [1, 101, 1], LIMITS),
      RangeError,
      "needs 101 workgroups along y (grid 1×101×1), over this device's " +
        "maxComputeWorkgroupsPerDimension of 100",
    );
  });
  await t.step("grid1d() folds long 1-D grids into rows", () => {
    assertEquals(grid1d(256 * 100, 256, 100), [100, 1, 1]);
    assertEquals(grid1d(256 * 100 + 1, 256, 100), [100, 2, 1]);
    assertEquals(grid1d(0, 256, 100), [0, 1, 1]);
  });
});

gpuTest("webgpu kernels check the device limits", async (t) => {
  const ctx = await getContext();
  const limits = ctx.device.limits;
  await t.step("the adapter is described", () => {
    const summary = describeAdapter(adapter!);
    assertTrue(summary.description.length > 0, "a description");
    assertEquals(summary.isFallback, ctx.isFallback);
  });
  await t.step("a tensor past maxStorageBufferBindingSize is refused", async () => {
    const n = limits.maxStorageBufferBindingSize / 4 + 1;
    let error: unknown;
    await GpuTensor.zeros([n]).catch((e) => error = e);
    assertTrue(error instanceof RangeError, `RangeError, got ${error}`);
    assertTrue(String((error as Error).message).includes(`needs ${4 * n} bytes`), String(error));
  });
  await t.step("a gemm grid past maxComputeWorkgroupsPerDimension is refused", async () => {
    const wg = ctx.isFallback ? WORKGROUP.gemmFallback : WORKGROUP.gemm;
    const N = (limits.maxComputeWorkgroupsPerDimension + 1) * wg.WG_N * 4;
    const c = await GpuTensor.zeros([N]), a = await GpuTensor.zeros([1]);
    let error: unknown;
    await gpuKernels.gemm(c, a, c, 1, N, 1, false, false, false).catch((e) => error = e);
    assertTrue(error instanceof RangeError, `RangeError, got ${error}`);
    assertTrue(
      String((error as Error).message).includes(
        `maxComputeWorkgroupsPerDimension of ${limits.maxComputeWorkgroupsPerDimension}`,
      ),
      String(error),
    );
    c.destroy();
    a.destroy();
  });
  await t.step("an operand smaller than the shapes is refused", async () => {
    const x = await GpuTensor.zeros([10]);
    let error: unknown;
    await gpuKernels.reluForward(x, x, 11).catch((e) => error = e);
    assertTrue(error instanceof TypeError, `TypeError, got ${error}`);
    assertTrue(String((error as Error).message).includes("holds 10 values"), String(error));
    x.destroy();
  });
  await t.step("ReLU past 65535 workgroups runs on a 2-D grid", async () => {
    const n = limits.maxComputeWorkgroupsPerDimension * WORKGROUP.elementwise.WG + 1000;
    const host = new Float32Array(n);
    for (let i = 0; i < n; i += 997) host[i] = i % 2 === 0 ? i : -i;
    host[n - 1] = 5;
    const x = await GpuTensor.fromArray(host, [n]);
    const out = await GpuTensor.zeros([n]);
    await gpuKernels.reluForward(out, x, n);
    const got = await out.read();
    assertEquals(got[n - 1], 5, "last element");
    for (let i = 0; i < n; i += 997) assertEquals(got[i], Math.max(host[i], 0), `[${i}]`);
    x.destroy();
    out.destroy();
  });
});

gpuTest("webgpu read-back throws what WebGPU reported", async () => {
  const ctx = await getContext();
  const x = await GpuTensor.zeros([4]);
  // the same buffer bound writable and read-only: WebGPU rejects the dispatch asynchronously
  await gpuKernels.reluForward(x, x, 4);
  let error: unknown;
  await x.read().catch((e) => error = e);
  assertTrue(error instanceof Error, `an Error, got ${error}`);
  assertTrue(String(error).includes("WebGPU reported"), String(error));
  ctx.throwIfFailed("nothing"); // the errors were consumed by the read
  x.destroy();
});
