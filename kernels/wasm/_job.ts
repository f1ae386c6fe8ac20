/**
 * `job(name, args, nth)`: runs a WASM op with its arguments given by name, packed into the
 * control block in the order of its declaration in _ops.ts (the order the generated dispatcher
 * reads them). A missing, unknown or ill-typed argument throws a TypeError naming the op and
 * the argument, before anything runs.
 *
 * @module
 */

import { ARENA_BASE, MAX_ARGS } from "./_layout.ts";
import { type ArgSpec, OPS, type OpSpec, slotCount } from "./_ops.ts";
import { runJob, setArg } from "./_runtime.ts";
import type { OpArgs, OpName } from "./_job_args.ts";

export type { OpArgs, OpName };

/** A job's arguments by name, unchecked: numbers, booleans for `bool` flags. */
export type JobArgs = Readonly<Record<string, number | boolean>>;

const I32_MIN = -(2 ** 31), I32_MAX = 2 ** 31 - 1, U32_END = 2 ** 32;

// The slots of each op, its argument names (a scratch's two) in order, and the kinds to check.
interface Packing {
  spec: OpSpec;
  names: string[];
  kinds: (ArgSpec["kind"] | "bytes")[];
  nullable: boolean[];
  known: Set<string>;
}

const PACKINGS = new Map<string, Packing>();
for (const spec of Object.values(OPS)) {
  const names: string[] = [], kinds: Packing["kinds"] = [], nullable: boolean[] = [];
  for (const a of spec.args) {
    if (a.kind === "error") continue;
    names.push(a.name);
    kinds.push(a.kind);
    nullable.push(a.kind === "ptr" && a.nullable);
    if (a.kind === "scratch") {
      names.push(`${a.name}Bytes`);
      kinds.push("bytes");
      nullable.push(false);
    }
  }
  if (slotCount(spec) > MAX_ARGS) {
    throw new RangeError(`Cannot declare op ${spec.name}: ${names.length} slots > ${MAX_ARGS}`);
  }
  PACKINGS.set(spec.name, { spec, names, kinds, nullable, known: new Set(names) });
}

function bad(op: string, name: string, why: string): TypeError {
  return new TypeError(`Cannot run WASM op ${op}: argument ${name} ${why} (kernels/wasm/_ops.ts)`);
}

function describe(kind: Packing["kinds"][number]): string {
  if (kind === "ptr" || kind === "scratch") return "an arena pointer";
  if (kind === "bytes") return "a byte count";
  return `${/^[if]/.test(kind) ? "an" : "a"} ${kind}`;
}

// The slot value of argument `name` of kind `kind`, checked (the messages built only on error).
function slot(
  op: string,
  name: string,
  kind: Packing["kinds"][number],
  nullable: boolean,
  v: unknown,
): number {
  if (kind === "bool") {
    if (typeof v !== "boolean") throw bad(op, name, `is a flag: pass a boolean, got ${v}`);
    return v ? 1 : 0;
  }
  if (typeof v !== "number") throw bad(op, name, `is ${describe(kind)}: pass a number, got ${v}`);
  if (kind === "f32" || kind === "f64") return v;
  if (!Number.isInteger(v)) {
    throw bad(op, name, `is ${describe(kind)}: pass an integer, got ${v}`);
  }
  if (kind === "i32") {
    if (v < I32_MIN || v > I32_MAX) throw bad(op, name, `is an i32: got ${v}, outside [−2³¹, 2³¹)`);
  } else if (kind === "u32" || kind === "bytes") {
    if (v < 0 || v >= U32_END) {
      throw bad(op, name, `is ${describe(kind)}: got ${v}, outside [0, 2³²)`);
    }
  } else if (!((v === 0 && nullable) || (v >= ARENA_BASE && v < U32_END && v % 4 === 0))) {
    throw bad(
      op,
      name,
      `is an arena pointer: got ${v}, not a multiple of 4 in [${ARENA_BASE}, 2³²)${
        nullable ? " or 0" : ""
      }`,
    );
  }
  return v;
}

/**
 * Runs op `name` of _ops.ts with `args` (every declared argument by name; a `scratch` argument
 * `s` as `s` and `sBytes`) on `nth` threads, and returns the job's scalar result. The types
 * (`OpArgs`, generated from the table) catch a wrong name at type-check time; the checks here
 * catch what a cast or plain JavaScript lets through.
 */
export function job<K extends OpName>(name: K, args: OpArgs[K], nth: number): number {
  return runNamed(name, args as unknown as JobArgs, nth);
}

/** `job` without the static types (for arguments assembled at run time, and the tests). */
export function runNamed(name: string, args: JobArgs, nth: number): number {
  const packing = PACKINGS.get(name);
  if (!packing) {
    throw new TypeError(`Cannot run WASM op ${name}: no such op in kernels/wasm/_ops.ts`);
  }
  const { names, kinds, nullable, known } = packing;
  for (let i = 0; i < names.length; i++) {
    const v = args[names[i]];
    if (v === undefined) throw bad(name, names[i], "is missing");
    setArg(i, slot(name, names[i], kinds[i], nullable[i], v)); // the job is not posted yet
  }
  for (const key in args) {
    if (!known.has(key)) {
      throw new TypeError(
        `Cannot run WASM op ${name}: it takes no argument ${key}; it takes ${names.join(", ")}`,
      );
    }
  }
  return runJob(packing.spec.code, nth);
}
