/**
 * The one declaration of every WASM kernel op: its code, the AssemblyScript function that runs
 * it, and its arguments in order, each with a kind. From this table
 * `deno task build:kernels` generates the dispatcher's unpacking (assembly/_dispatch.ts), and
 * the TypeScript side packs a job's arguments by name through it (`job` in _job.ts), so no
 * argument position is written by hand anywhere.
 *
 * An argument is written `name: kind`, where kind is
 * - `in`, `out` or `inout` and an element type with its length, e.g. `in f32[N*C*H*W]`: a
 *   pointer (byte offset into the arena) to an array the kernel reads, writes or both; `in?`
 *   (and so on) where 0 (no array) is allowed;
 * - `i32`, `u32`, `f32` or `f64`: a scalar (f32 is rounded to float32 by the kernel);
 * - `bool`: a flag, passed as a boolean;
 * - `scratch`: per-thread scratch, two slots: `name` (its base) and `nameBytes` (bytes per
 *   thread); thread tid gets base + tid · bytes;
 * - `error`: no slot; the kernel gets the address of the job's scalar result (where it reports
 *   a bad index).
 *
 * @module
 */

/** A pointer argument's access. */
export type Role = "in" | "out" | "inout";
/** A scalar argument's kind. */
export type ScalarKind = "i32" | "u32" | "f32" | "f64" | "bool";

/** One argument of an op, as parsed from its declaration. */
export type ArgSpec =
  | {
    name: string;
    kind: "ptr";
    role: Role;
    dtype: "f32" | "i32" | "u8";
    /** The element count as a product of scalar names and integers ("N*C*H*W"), or "". */
    length: string;
    nullable: boolean;
  }
  | { name: string; kind: ScalarKind }
  | { name: string; kind: "scratch" }
  | { name: string; kind: "error" };

/** One op: its code, the AssemblyScript module and function, and its arguments. */
export interface OpSpec {
  name: string;
  code: number;
  /** The file under assembly/ (without .ts) that exports `fn`. */
  module: string;
  /** The AssemblyScript function. */
  fn: string;
  /** Whether every thread runs a share (fn takes tid, nth first); else thread 0 runs it alone. */
  threaded: boolean;
  /** Whether fn returns the job's f64 result (only where not threaded). */
  returns: boolean;
  args: readonly ArgSpec[];
}

// name → [code, module, threaded (t) or alone returning a result (r), arguments]
const DECLARATIONS: Record<string, readonly [number, string, "t" | "r", string]> = {
  convForward: [
    1,
    "conv2d",
    "t",
    "out: out f32[N*F*HO*WO], x: in f32[N*C*H*W], " +
    "w: in f32[F*C*KH*KW], b: in f32[F], N: i32, C: i32, H: i32, W: i32, F: i32, KH: i32, " +
    "KW: i32, s: i32, pad: i32, HO: i32, WO: i32, scratch: scratch",
  ],
  convBackward: [
    2,
    "conv2d",
    "t",
    "dx: inout f32[N*C*H*W], dout: in f32[N*F*HO*WO], " +
    "x: in f32[N*C*H*W], w: in f32[F*C*KH*KW], dw: inout f32[F*C*KH*KW], db: inout f32[F], " +
    "N: i32, C: i32, H: i32, W: i32, F: i32, KH: i32, KW: i32, s: i32, pad: i32, HO: i32, " +
    "WO: i32, scratch: scratch, doData: bool, doFilter: bool, shared: inout? u8, " +
    "overwriteData: bool",
  ],
  maxPoolForward: [
    4,
    "pool2d",
    "t",
    "out: out f32[NC*HO*WO], argmax: out i32[NC*HO*WO], " +
    "x: in f32[NC*H*W], NC: i32, H: i32, W: i32, PH: i32, PW: i32, s: i32, HO: i32, WO: i32",
  ],
  maxPoolBackward: [
    5,
    "pool2d",
    "t",
    "dx: inout f32[NC*HW], dout: in f32[NC*HOWO], " +
    "argmax: in i32[NC*HOWO], NC: i32, HOWO: i32, HW: i32, clear: i32, error: error",
  ],
  gemm: [
    6,
    "gemm_entry",
    "t",
    "c: inout f32[M*N], a: in f32[M*K], b: in f32[K*N], M: i32, " +
    "N: i32, K: i32, transA: bool, transB: bool, acc: bool, scratch: scratch",
  ],
  addRowBias: [
    7,
    "elementwise",
    "t",
    "out: inout f32[rows*cols], bias: in f32[cols], " +
    "rows: i32, cols: i32",
  ],
  sumRows: [
    8,
    "elementwise",
    "t",
    "sums: inout f32[cols], m: in f32[rows*cols], rows: i32, " +
    "cols: i32",
  ],
  reluForward: [9, "elementwise", "t", "out: out f32[n], x: in f32[n], n: i32"],
  reluBackward: [10, "elementwise", "t", "dx: out f32[n], dout: in f32[n], x: in f32[n], n: i32"],
  softmaxCrossEntropy: [
    11,
    "loss",
    "r",
    "dx: out f32[N*C], x: in f32[N*C], y: in i32[N], " +
    "N: i32, C: i32",
  ],
  svmLoss: [12, "loss", "r", "dx: out f32[N*C], x: in f32[N*C], y: in i32[N], N: i32, C: i32"],
  sgdStep: [
    13,
    "optim",
    "t",
    "param: inout f32[n], grad: in f32[n], buf: inout f32[n], " +
    "n: i32, lr: f64, momentum: f64, dampening: f64, wd: f64, nesterov: bool, first: bool",
  ],
  adamStep: [
    14,
    "optim",
    "t",
    "param: inout f32[n], grad: in f32[n], m: inout f32[n], " +
    "v: inout f32[n], n: i32, lr: f64, beta1: f64, beta2: f64, eps: f64, wd: f64, step: i32, " +
    "decoupled: bool",
  ],
  // 20–27: the module kernels (numbered apart from the conv/gemm ops, which may grow)
  avgPoolForward: [
    20,
    "avgpool",
    "t",
    "out: out f32[NC*HO*WO], x: in f32[NC*H*W], NC: i32, " +
    "H: i32, W: i32, PH: i32, PW: i32, s: i32, HO: i32, WO: i32",
  ],
  avgPoolBackward: [
    21,
    "avgpool",
    "t",
    "dx: inout f32[NC*H*W], dout: in f32[NC*HO*WO], " +
    "NC: i32, H: i32, W: i32, PH: i32, PW: i32, s: i32, HO: i32, WO: i32",
  ],
  batchNormForward: [
    22,
    "batchnorm",
    "t",
    "out: out f32[N*C*HW], saveMean: out f32[C], " +
    "saveInvStd: out f32[C], runningMean: inout f32[C], runningVar: inout f32[C], " +
    "x: in f32[N*C*HW], gamma: in f32[C], beta: in f32[C], N: i32, C: i32, HW: i32, " +
    "eps: f64, momentum: f64, training: bool, relu: bool",
  ],
  batchNormBackward: [
    23,
    "batchnorm",
    "t",
    "dx: inout f32[N*C*HW], dgamma: inout f32[C], " +
    "dbeta: inout f32[C], dout: in f32[N*C*HW], x: in f32[N*C*HW], gamma: in f32[C], " +
    "saveMean: in f32[C], saveInvStd: in f32[C], N: i32, C: i32, HW: i32, training: bool, " +
    "reluBeta: in? f32[C]",
  ],
  dropoutForward: [
    24,
    "dropout",
    "t",
    "out: out f32[n], mask: out f32[n], x: in f32[n], " +
    "n: i32, seed: u32, T: u32, keepNone: bool, scale: f64",
  ],
  dropoutBackward: [
    25,
    "dropout",
    "t",
    "dx: inout f32[n], dout: in f32[n], mask: in f32[n], " +
    "n: i32",
  ],
  softmaxCrossEntropySmoothed: [
    26,
    "cross_entropy",
    "r",
    "dx: out f32[N*C], x: in f32[N*C], " +
    "y: in i32[N], N: i32, C: i32, smoothing: f64",
  ],
  axpy: [27, "axpy", "t", "y: inout f32[n], x: in f32[n], alpha: f32, n: i32"],
  // 28–29: the Part 1 Solver's kernels
  rmspropStep: [
    28,
    "solver",
    "t",
    "w: inout f32[n], g: in f32[n], cache: inout f32[n], " +
    "n: i32, lr: f32, decayRate: f32, eps: f32",
  ],
  sumOfSquares: [29, "solver", "r", "x: in f32[n], n: i32"],
  // 30–31: the Part 1 ConvNets' fused first layer (conv – 2×2 max-pool – relu)
  convPoolReluForward: [
    30,
    "conv_pool",
    "t",
    "out: out f32[N*F*HO*WO/4], " +
    "argmax: out i32[N*F*HO*WO/4], x: in f32[N*C*H*W], w: in f32[F*C*KH*KW], b: in f32[F], " +
    "N: i32, C: i32, H: i32, W: i32, F: i32, KH: i32, KW: i32, s: i32, pad: i32, HO: i32, " +
    "WO: i32, scratch: scratch",
  ],
  convPoolReluBackwardFilter: [
    31,
    "conv_pool",
    "t",
    "dw: inout f32[F*C*KH*KW], " +
    "db: inout f32[F], dout: in f32[N*F*HO*WO/4], argmax: in i32[N*F*HO*WO/4], " +
    "x: in f32[N*C*H*W], N: i32, C: i32, H: i32, W: i32, F: i32, KH: i32, KW: i32, s: i32, " +
    "pad: i32, HO: i32, WO: i32, scratch: scratch, error: error",
  ],
  // 32: the max-pool backward's argmax check, run before its scatter
  argmaxOutside: [
    32,
    "pool2d",
    "t",
    "argmax: in i32[NC*HOWO], NC: i32, HOWO: i32, HW: i32, " +
    "error: error",
  ],
};

const SCALARS: readonly string[] = ["i32", "u32", "f32", "f64", "bool"];

/** Parses one op's argument list (see the module doc); throws a TypeError on a bad entry. */
export function parseArgs(op: string, text: string): ArgSpec[] {
  return text.split(",").map((part) => {
    const m = /^\s*(\w+):\s*(\S+)(?:\s+(f32|i32|u8)(?:\[([\w*/]+)\])?)?\s*$/.exec(part);
    if (!m) throw new TypeError(`Cannot read op ${op}: bad argument "${part.trim()}"`);
    const [, name, kind, dtype, length] = m;
    const role = kind.replace("?", "");
    if (role === "in" || role === "out" || role === "inout") {
      if (!dtype) throw new TypeError(`Cannot read op ${op}: pointer ${name} has no element type`);
      return {
        name,
        kind: "ptr",
        role,
        dtype: dtype as "f32" | "i32" | "u8",
        length: length ?? "",
        nullable: kind.endsWith("?"),
      };
    }
    if (dtype) throw new TypeError(`Cannot read op ${op}: scalar ${name} has an element type`);
    if (SCALARS.includes(kind)) return { name, kind: kind as ScalarKind };
    if (kind === "scratch" || kind === "error") return { name, kind };
    throw new TypeError(`Cannot read op ${op}: argument ${name} has an unknown kind "${kind}"`);
  });
}

/** Every op, by name. */
export const OPS: Readonly<Record<string, OpSpec>> = Object.fromEntries(
  Object.entries(DECLARATIONS).map(([name, [code, module, mode, text]]) => [name, {
    name,
    code,
    module,
    fn: name,
    threaded: mode === "t",
    returns: mode === "r",
    args: parseArgs(name, text),
  }]),
);

/** The number of f64 argument slots an op takes (a scratch takes two, an error none). */
export function slotCount(op: OpSpec): number {
  return op.args.reduce((n, a) => n + (a.kind === "scratch" ? 2 : a.kind === "error" ? 0 : 1), 0);
}

/** Where the generated dispatcher lives, relative to kernels/wasm/. */
export const DISPATCH_FILE = "assembly/_dispatch.ts";

/**
 * The AssemblyScript source of assembly/_dispatch.ts: `dispatch(op, tid, nth)` unpacks each
 * op's arguments from the control block's f64 slots in the order of `OPS` and calls its kernel.
 */
export function dispatchSource(): string {
  const ops = Object.values(OPS).sort((a, b) => a.code - b.code);
  const byModule = new Map<string, string[]>();
  for (const op of ops) byModule.set(op.module, [...(byModule.get(op.module) ?? []), op.fn]);
  const imports = [...byModule.keys()].sort().map((m) =>
    `import { ${byModule.get(m)!.sort().join(", ")} } from "./${m}";`
  );
  const cases = ops.map((op) => {
    const values: string[] = op.threaded ? ["tid", "nth"] : [];
    let slot = 0;
    for (const a of op.args) {
      if (a.kind === "ptr" || a.kind === "u32") values.push(`p(${slot++})`);
      else if (a.kind === "i32") values.push(`n(${slot++})`);
      else if (a.kind === "f64") values.push(`f(${slot++})`);
      else if (a.kind === "f32") values.push(`<f32> f(${slot++})`);
      else if (a.kind === "bool") values.push(`n(${slot++}) != 0`);
      else if (a.kind === "scratch") {
        values.push(`p(${slot}) + <usize> tid * p(${slot + 1})`);
        slot += 2;
      } else values.push("CTRL + 32");
    }
    const call = `${op.fn}(\n${values.map((v) => `        ${v},\n`).join("")}      )`;
    const body = op.returns
      ? `      if (tid == 0) store<f64>(CTRL + 32, ${call});`
      : `      ${call};`;
    return `    case ${op.code}: // ${op.name}\n${body}\n      break;`;
  });
  return `// GENERATED by \`deno task build:kernels\` from kernels/wasm/_ops.ts: do not edit.
// The control block's argument slots (f64 at CTRL + 64 + 8·i) unpacked for each op's kernel.

${imports.join("\n")}

const CTRL: usize = 256;

// @ts-ignore: decorator
@inline function p(i: i32): usize {
  return <usize> load<f64>(CTRL + 64 + (<usize> i << 3));
}

// @ts-ignore: decorator
@inline function n(i: i32): i32 {
  return <i32> load<f64>(CTRL + 64 + (<usize> i << 3));
}

// @ts-ignore: decorator
@inline function f(i: i32): f64 {
  return load<f64>(CTRL + 64 + (<usize> i << 3));
}

/** Runs this thread's share of job \`op\`, its arguments read from the control block. */
// @ts-ignore: decorator
@inline export function dispatch(op: i32, tid: i32, nth: i32): void {
  switch (op) {
${cases.join("\n")}
  }
}
`;
}

/** Where the generated argument types live, relative to kernels/wasm/. */
export const JOB_ARGS_FILE = "_job_args.ts";

/**
 * The TypeScript source of _job_args.ts: `OpArgs`, each op's job arguments by name and type,
 * so that `job` refuses a missing, misspelt or ill-typed argument at type-check time too.
 */
export function jobArgsSource(): string {
  const ops = Object.values(OPS).sort((a, b) => a.code - b.code);
  const body = ops.map((op) => {
    const fields: string[] = [];
    for (const a of op.args) {
      if (a.kind === "error") continue;
      if (a.kind === "ptr") {
        const length = a.length === "" ? "" : `[${a.length}]`;
        fields.push(`    /** ${a.role}${a.nullable ? " (or 0)" : ""} ${a.dtype}${length} */`);
        fields.push(`    ${a.name}: number;`);
      } else if (a.kind === "scratch") {
        fields.push(`    /** per-thread scratch: base, and bytes per thread */`);
        fields.push(`    ${a.name}: number;`, `    ${a.name}Bytes: number;`);
      } else fields.push(`    ${a.name}: ${a.kind === "bool" ? "boolean" : "number"};`);
    }
    return `  ${op.name}: {\n${fields.join("\n")}\n  };`;
  });
  return `// GENERATED by \`deno task build:kernels\` from kernels/wasm/_ops.ts: do not edit.

/** Each WASM op's job arguments by name (pointers, scalars and scratch sizes; flags as booleans). */
export interface OpArgs {
${body.join("\n")}
}

/** The name of a WASM op. */
export type OpName = keyof OpArgs;
`;
}
