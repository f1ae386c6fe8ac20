/**
 * The op table kernels/wasm/_ops.ts is the one declaration of every WASM op's arguments: the
 * committed dispatcher is what the table generates, every kernel's AssemblyScript signature
 * agrees with its declaration, and a job packed by name refuses a missing, unknown or
 * ill-typed argument before anything runs.
 */

import assert from "node:assert/strict";
import {
  DISPATCH_FILE,
  dispatchSource,
  JOB_ARGS_FILE,
  jobArgsSource,
  OPS,
  parseArgs,
  slotCount,
} from "../kernels/wasm/_ops.ts";
import { MAX_ARGS } from "../kernels/wasm/_layout.ts";
import { job, runNamed } from "../kernels/wasm/_job.ts";
import { carve } from "../kernels/wasm/_arena.ts";
import { heapF32 } from "../kernels/wasm/_arena.ts";

const wasmDir = new URL("../kernels/wasm/", import.meta.url);

Deno.test("the committed generated files are what the op table generates", async () => {
  for (
    const [file, source] of [[DISPATCH_FILE, dispatchSource()], [JOB_ARGS_FILE, jobArgsSource()]]
  ) {
    const committed = await Deno.readTextFile(new URL(file, wasmDir));
    assert.ok(
      committed === source,
      `kernels/wasm/${file} is stale: run \`deno task build:kernels\` and commit it`,
    );
  }
});

// The parameters of `export function fn(...)` in an AssemblyScript file: [name, type][].
function signature(source: string, fn: string): [string, string][] {
  const m = new RegExp(`export function ${fn}\\(([^)]*)\\)`).exec(source);
  assert.ok(m, `no export function ${fn}`);
  return m[1].split(",").map((p) => p.trim()).filter((p) => p !== "").map((p) => {
    const [name, type] = p.split(":").map((s) => s.trim());
    return [name, type];
  });
}

const AS_TYPE: Record<string, string> = {
  ptr: "usize",
  scratch: "usize",
  error: "usize",
  i32: "i32",
  u32: "u32",
  f32: "f32",
  f64: "f64",
  bool: "bool",
};

Deno.test("every op's declaration agrees with its kernel's AssemblyScript signature", async () => {
  for (const op of Object.values(OPS)) {
    const source = await Deno.readTextFile(new URL(`assembly/${op.module}.ts`, wasmDir));
    const want: [string, string][] = [
      ...(op.threaded ? [["tid", "i32"], ["nth", "i32"]] as [string, string][] : []),
      ...op.args.map((a): [string, string] => [a.name, AS_TYPE[a.kind]]),
    ];
    assert.deepEqual(signature(source, op.fn), want, `op ${op.name} (assembly/${op.module}.ts)`);
    if (op.returns) assert.ok(!op.threaded, `op ${op.name} returns a result: one thread`);
  }
});

Deno.test("op codes are unique, every op fits the control block, lengths name its scalars", () => {
  const codes = Object.values(OPS).map((op) => op.code);
  assert.equal(new Set(codes).size, codes.length, `duplicate op codes: ${codes}`);
  for (const op of Object.values(OPS)) {
    assert.ok(slotCount(op) <= MAX_ARGS, `op ${op.name} takes ${slotCount(op)} slots`);
    const scalars = new Set(op.args.filter((a) => a.kind === "i32").map((a) => a.name));
    for (const a of op.args) {
      if (a.kind !== "ptr" || a.length === "") continue;
      for (const term of a.length.split(/[*/]/)) {
        assert.ok(/^\d+$/.test(term) || scalars.has(term), `op ${op.name}: ${a.name}[${a.length}]`);
      }
    }
  }
});

Deno.test("a bad declaration is refused with the op and argument named", () => {
  assert.throws(() => parseArgs("t", "x in f32[n], n: i32"), /op t: bad argument "x in f32\[n\]"/);
  assert.throws(() => parseArgs("t", "x: inout, n: i32"), /pointer x has no element type/);
  assert.throws(() => parseArgs("t", "x: f32 f32[n]"), /scalar x has an element type/);
  assert.throws(() => parseArgs("t", "x: f16"), /unknown kind "f16"/);
});

Deno.test("job(): arguments by name; a missing, unknown, swapped or ill-typed one throws", () => {
  const [py, px] = carve("test", [{ name: "y", bytes: 16 }, { name: "x", bytes: 16 }]);
  const heap = heapF32();
  heap.set([1, 2, 3, 4], py / 4);
  heap.set([10, 20, 30, 40], px / 4);
  job("axpy", { n: 4, alpha: 0.5, x: px, y: py }, 1); // any order of the names
  assert.deepEqual([...heapF32().subarray(py / 4, py / 4 + 4)], [6, 12, 18, 24]);
  const before = [...heapF32().subarray(py / 4, py / 4 + 4)];
  const cases: [Record<string, number | boolean>, RegExp][] = [
    [{ y: py, x: px, alpha: 0.5 }, /axpy: argument n is missing/],
    [
      { y: py, x: px, alpha: 0.5, n: 4, m: 4 },
      /axpy: it takes no argument m; it takes y, x, alpha, n/,
    ],
    [{ y: py, x: 4, alpha: 0.5, n: px }, /axpy: argument x is an arena pointer: got 4/], // swapped
    [{ y: py, x: px, alpha: 0.5, n: 2.5 }, /argument n is an i32: pass an integer, got 2.5/],
    [{ y: py, x: px, alpha: true, n: 4 }, /argument alpha is an f32: pass a number, got true/],
    [{ y: py + 2, x: px, alpha: 0.5, n: 4 }, /argument y is an arena pointer/],
    [{ y: 0, x: px, alpha: 0.5, n: 4 }, /argument y is an arena pointer: got 0/],
  ];
  for (const [args, message] of cases) {
    assert.throws(
      () => runNamed("axpy", args, 1),
      (e: Error) => e instanceof TypeError && message.test(e.message),
    );
  }
  assert.throws(
    () => runNamed("axpy", { y: py, x: px, alpha: 0.5, n: 2 ** 31 }, 1),
    /outside \[−2³¹, 2³¹\)/,
  );
  assert.throws(() => runNamed("gemm", {}, 1), /gemm: argument c is missing/);
  assert.throws(() => runNamed("batchNormBackward", { training: 1 }, 1), /argument dx is missing/);
  assert.throws(() => runNamed("axpyy", {}, 1), /op axpyy: no such op/);
  // flags are booleans, not numbers
  const [pp, pg, pb] = carve("test", [{ name: "p", bytes: 4 }, { name: "g", bytes: 4 }, {
    name: "b",
    bytes: 4,
  }]);
  const sgd = { param: pp, grad: pg, buf: pb, n: 1, lr: 0.1, momentum: 0, dampening: 0, wd: 0 };
  assert.throws(
    () => runNamed("sgdStep", { ...sgd, nesterov: 1, first: false }, 1),
    /nesterov is a flag/,
  );
  assert.deepEqual([...heapF32().subarray(py / 4, py / 4 + 4)], before, "nothing ran");
});

// Never run: each call must fail the type check (an unused directive fails it too).
export function typeRefusals(p: number): void {
  // @ts-expect-error: n is missing
  job("axpy", { y: p, x: p, alpha: 1 }, 1);
  // @ts-expect-error: m is no argument of axpy
  job("axpy", { y: p, x: p, alpha: 1, n: 4, m: 4 }, 1);
  const gemm = { c: p, a: p, b: p, M: 1, N: 1, K: 1, transA: 1, transB: false, acc: false };
  // @ts-expect-error: a flag is a boolean
  job("gemm", { ...gemm, scratch: p, scratchBytes: 0 }, 1);
  // @ts-expect-error: no such op
  job("axpyy", {}, 1);
}
