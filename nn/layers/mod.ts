/**
 * The functional layer API of the homework's Part 1: every forward returns `{ out, cache }`,
 * every backward takes `(dout, cache)`.
 *
 * @module
 */

export * from "./conv.ts";
export * from "./pool.ts";
export * from "./affine.ts";
export * from "./relu.ts";
export * from "./loss.ts";
export * from "./sandwich.ts";
