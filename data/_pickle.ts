/**
 * A safe reader for the Python 2 pickles of CIFAR-10's python format (`data_batch_1` …,
 * `test_batch`, `batches.meta`).
 *
 * Python's own unpickler runs code named in the file; this one runs nothing. It understands only
 * the opcodes those files use (protocol 2: dicts, lists, tuples, byte strings, small ints, None,
 * booleans, the memo) and only three globals, which it never calls but turns into plain data:
 * `numpy.core.multiarray._reconstruct` and `numpy.ndarray` build an {@link NdArray},
 * `numpy.dtype` a {@link Dtype}. Any other opcode or global is rejected with an error naming it.
 *
 * Byte strings come back as `Uint8Array` views into the input (no copy), so a 30 MB array costs
 * nothing to read.
 *
 * @module
 */

/** A pickled tuple (lists are plain arrays). */
export class Tuple {
  constructor(readonly items: PickleValue[]) {}
}

/** A numpy dtype, e.g. `u1` (uint8). */
export class Dtype {
  /** The byte order character from the dtype's state (`|` for single bytes). */
  byteOrder = "";
  constructor(readonly descr: string) {}
}

/** A numpy array: its shape, dtype and raw bytes (a view into the pickle). */
export class NdArray {
  shape: number[] = [];
  dtype: Dtype | null = null;
  fortranOrder = false;
  data: Uint8Array = new Uint8Array(0);
}

/** A global the reader recognises (never called). */
class Global {
  constructor(readonly name: string) {}
}

/** What a pickle can hold here. Dict keys are byte strings decoded as Latin-1. */
export type PickleValue =
  | null
  | boolean
  | number
  | Uint8Array
  | PickleValue[]
  | Tuple
  | Map<string, PickleValue>
  | NdArray
  | Dtype
  | Global;

const RECONSTRUCT = new Set([
  "numpy.core.multiarray._reconstruct",
  "numpy._core.multiarray._reconstruct",
]);
const ALLOWED_GLOBALS = new Set([...RECONSTRUCT, "numpy.ndarray", "numpy.dtype"]);
const latin1 = new TextDecoder("latin1");

/** Decodes a pickled byte string (Python 2 `str`) as Latin-1 text. */
export function bytesToString(bytes: Uint8Array): string {
  return latin1.decode(bytes);
}

/**
 * Reads one pickle from `bytes`. `name` (the file) appears in every error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readPickle } from "./_pickle.ts";
 * // PROTO 2, EMPTY_LIST, MARK, BININT1 3, BININT1 4, APPENDS, STOP
 * const bytes = new Uint8Array([0x80, 2, 0x5d, 0x28, 0x4b, 3, 0x4b, 4, 0x65, 0x2e]);
 * assert.deepEqual(readPickle(bytes, "list.pkl"), [3, 4]);
 * ```
 */
export function readPickle(bytes: Uint8Array, name: string): PickleValue {
  return new Reader(bytes, name).run();
}

class Reader {
  private pos = 0;
  private stack: PickleValue[] = [];
  private marks: number[] = [];
  private memo = new Map<number, PickleValue>();
  private view: DataView;

  constructor(private bytes: Uint8Array, private name: string) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(why: string, at = this.pos): never {
    throw new Error(`Cannot read pickle "${this.name}": ${why} (at byte ${at})`);
  }

  private need(n: number): number {
    if (n < 0 || this.pos + n > this.bytes.length) {
      this.fail(
        `the file ends early: ${n} more bytes needed but only ${
          this.bytes.length - this.pos
        } remain`,
      );
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  private u8(): number {
    return this.bytes[this.need(1)];
  }
  private u16(): number {
    return this.view.getUint16(this.need(2), true);
  }
  private i32(): number {
    return this.view.getInt32(this.need(4), true);
  }
  private u32(): number {
    return this.view.getUint32(this.need(4), true);
  }
  private take(n: number): Uint8Array {
    const at = this.need(n);
    return this.bytes.subarray(at, at + n);
  }
  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) this.fail("a GLOBAL name has no end of line");
    const text = bytesToString(this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    return text;
  }

  private pop(): PickleValue {
    if (this.stack.length === 0 || this.stack.length <= (this.marks.at(-1) ?? -1)) {
      this.fail("an opcode needs a value but the stack is empty");
    }
    return this.stack.pop()!;
  }
  private popMark(): PickleValue[] {
    const mark = this.marks.pop();
    if (mark === undefined) this.fail("an opcode needs a MARK but none is open");
    return this.stack.splice(mark);
  }
  private top(): PickleValue {
    if (this.stack.length === 0) this.fail("an opcode needs a value but the stack is empty");
    return this.stack[this.stack.length - 1];
  }

  run(): PickleValue {
    while (true) {
      const at = this.pos;
      const op = this.u8();
      if (op === 0x2e) { // STOP
        if (this.stack.length !== 1 || this.marks.length > 0) {
          this.fail(`STOP with ${this.stack.length} values on the stack`, at);
        }
        return this.stack[0];
      }
      this.step(op, at);
    }
  }

  private step(op: number, at: number): void {
    const s = this.stack;
    switch (op) {
      case 0x80: { // PROTO
        const version = this.u8();
        if (version > 2) this.fail(`pickle protocol ${version} is not supported (only 2)`, at);
        return;
      }
      case 0x7d: // EMPTY_DICT
        s.push(new Map());
        return;
      case 0x5d: // EMPTY_LIST
        s.push([]);
        return;
      case 0x29: // EMPTY_TUPLE
        s.push(new Tuple([]));
        return;
      case 0x28: // MARK
        this.marks.push(s.length);
        return;
      case 0x4e: // NONE
        s.push(null);
        return;
      case 0x88: // NEWTRUE
      case 0x89: // NEWFALSE
        s.push(op === 0x88);
        return;
      case 0x4b: // BININT1
        s.push(this.u8());
        return;
      case 0x4d: // BININT2
        s.push(this.u16());
        return;
      case 0x4a: // BININT
        s.push(this.i32());
        return;
      case 0x55: // SHORT_BINSTRING
        s.push(this.take(this.u8()));
        return;
      case 0x54: { // BINSTRING
        const n = this.i32();
        if (n < 0) this.fail(`BINSTRING has a negative length ${n}`, at);
        s.push(this.take(n));
        return;
      }
      case 0x71: // BINPUT
        this.memo.set(this.u8(), this.top());
        return;
      case 0x72: // LONG_BINPUT
        this.memo.set(this.u32(), this.top());
        return;
      case 0x68: // BINGET
      case 0x6a: { // LONG_BINGET
        const key = op === 0x68 ? this.u8() : this.u32();
        if (!this.memo.has(key)) this.fail(`memo entry ${key} was never stored`, at);
        s.push(this.memo.get(key)!);
        return;
      }
      default:
        this.structure(op, at);
    }
  }

  private structure(op: number, at: number): void {
    const s = this.stack;
    switch (op) {
      case 0x85: // TUPLE1
      case 0x86: // TUPLE2
      case 0x87: { // TUPLE3
        const items: PickleValue[] = [];
        for (let i = op - 0x84; i > 0; i--) items.unshift(this.pop());
        s.push(new Tuple(items));
        return;
      }
      case 0x74: // TUPLE
        s.push(new Tuple(this.popMark()));
        return;
      case 0x61: { // APPEND
        const value = this.pop();
        this.list(at).push(value);
        return;
      }
      case 0x65: { // APPENDS
        const values = this.popMark();
        const list = this.list(at);
        for (const v of values) list.push(v);
        return;
      }
      case 0x73: { // SETITEM
        const value = this.pop(), key = this.pop();
        this.dict(at).set(this.key(key, at), value);
        return;
      }
      case 0x75: { // SETITEMS
        const items = this.popMark();
        if (items.length % 2 !== 0) this.fail("SETITEMS with an odd number of values", at);
        const dict = this.dict(at);
        for (let i = 0; i < items.length; i += 2) dict.set(this.key(items[i], at), items[i + 1]);
        return;
      }
      case 0x63: { // GLOBAL
        const name = `${this.line()}.${this.line()}`;
        if (!ALLOWED_GLOBALS.has(name)) {
          this.fail(`refusing global "${name}": only numpy arrays of CIFAR-10 are read`, at);
        }
        s.push(new Global(name));
        return;
      }
      case 0x52: // REDUCE
        this.reduce(at);
        return;
      case 0x62: // BUILD
        this.build(at);
        return;
      default:
        this.fail(
          `unexpected opcode 0x${op.toString(16).padStart(2, "0")} ('${
            String.fromCharCode(op)
          }'): only the opcodes of Python 2 CIFAR-10 pickles are read, and nothing is executed`,
          at,
        );
    }
  }

  private list(at: number): PickleValue[] {
    const list = this.top();
    if (!Array.isArray(list)) this.fail("APPEND(S) onto something that is not a list", at);
    return list;
  }
  private dict(at: number): Map<string, PickleValue> {
    const dict = this.top();
    if (!(dict instanceof Map)) this.fail("SETITEM(S) onto something that is not a dict", at);
    return dict;
  }
  private key(key: PickleValue, at: number): string {
    if (!(key instanceof Uint8Array)) this.fail("a dict key is not a byte string", at);
    return bytesToString(key);
  }

  /** `_reconstruct(ndarray, (0,), b"b")` → an empty NdArray; `dtype("u1", 0, 1)` → a Dtype. */
  private reduce(at: number): void {
    const args = this.pop(), callable = this.pop();
    if (!(callable instanceof Global) || !(args instanceof Tuple)) {
      this.fail("REDUCE needs a recognised global and an argument tuple", at);
    }
    const a = args.items;
    if (RECONSTRUCT.has(callable.name)) {
      if (!(a[0] instanceof Global) || a[0].name !== "numpy.ndarray") {
        this.fail("_reconstruct is only accepted for numpy.ndarray", at);
      }
      this.stack.push(new NdArray());
    } else if (callable.name === "numpy.dtype") {
      if (!(a[0] instanceof Uint8Array)) {
        this.fail("numpy.dtype needs a byte-string descriptor", at);
      }
      this.stack.push(new Dtype(bytesToString(a[0])));
    } else {
      this.fail(`refusing to call "${callable.name}"`, at);
    }
  }

  /** Applies the state tuple that numpy's `__reduce__` gives an ndarray or a dtype. */
  private build(at: number): void {
    const state = this.pop(), target = this.top();
    if (!(state instanceof Tuple)) this.fail("BUILD needs a state tuple", at);
    const st = state.items;
    if (target instanceof Dtype) {
      if (!(st[1] instanceof Uint8Array)) this.fail("a dtype state has no byte order", at);
      target.byteOrder = bytesToString(st[1]);
    } else if (target instanceof NdArray) {
      const [version, shape, dtype, fortran, data] = st;
      if (
        version !== 1 || !(shape instanceof Tuple) || !(dtype instanceof Dtype) ||
        !(data instanceof Uint8Array) || shape.items.some((d) => typeof d !== "number")
      ) {
        this.fail("an ndarray state is not (1, shape, dtype, fortran_order, bytes)", at);
      }
      target.shape = shape.items as number[];
      target.dtype = dtype;
      target.fortranOrder = fortran === true || fortran === 1;
      target.data = data;
    } else {
      this.fail("BUILD on something that is not a numpy array or dtype", at);
    }
  }
}
