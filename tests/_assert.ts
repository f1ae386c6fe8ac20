/**
 * Test assertions on top of `node:assert` (JSR's @std/assert is unreachable from our
 * machines). Names follow @std/assert so the tests read the same.
 *
 * @module
 */

import assert from "node:assert/strict";

/** Deep, strict equality (typed arrays compare element by element). */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  assert.deepStrictEqual(actual, expected, message);
}

/** Asserts `value` is true. */
export function assertTrue(value: boolean, message?: string): void {
  assert.ok(value, message);
}

/** Asserts |actual − expected| ≤ tolerance. */
export function assertAlmostEquals(
  actual: number,
  expected: number,
  tolerance: number,
  message?: string,
): void {
  if (!(Math.abs(actual - expected) <= tolerance)) {
    throw new assert.AssertionError({
      message: message ??
        `Expected ${actual} to be within ${tolerance} of ${expected} (difference ${
          Math.abs(actual - expected)
        })`,
    });
  }
}

/** Asserts `actual ≤ bound`, showing both in the failure. */
export function assertAtMost(actual: number, bound: number, what = "value"): void {
  if (!(actual <= bound)) {
    throw new assert.AssertionError({ message: `Expected ${what} ${actual} to be ≤ ${bound}` });
  }
}

type Ctor = abstract new (...args: never[]) => Error;

/** Asserts that `fn` throws an instance of `errorClass` whose message includes `includes`. */
export function assertThrows(fn: () => unknown, errorClass?: Ctor, includes?: string): Error {
  try {
    fn();
  } catch (e) {
    checkError(e, errorClass, includes);
    return e as Error;
  }
  throw new assert.AssertionError({ message: "Expected the function to throw" });
}

/** Async twin of `assertThrows`. */
export async function assertRejects(
  fn: () => Promise<unknown>,
  errorClass?: Ctor,
  includes?: string,
): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    checkError(e, errorClass, includes);
    return e as Error;
  }
  throw new assert.AssertionError({ message: "Expected the promise to reject" });
}

function checkError(e: unknown, errorClass?: Ctor, includes?: string): void {
  if (errorClass && !(e instanceof errorClass)) {
    throw new assert.AssertionError({
      message: `Expected ${errorClass.name} but got ${(e as Error)?.constructor?.name}: ${
        (e as Error)?.message
      }`,
    });
  }
  if (includes !== undefined && !String((e as Error)?.message).includes(includes)) {
    throw new assert.AssertionError({
      message: `Expected the error message to include "${includes}" but got "${
        (e as Error)?.message
      }"`,
    });
  }
}

/**
 * Asserts two arrays agree: max |a − b| / max(1, max |b|) ≤ tol (a normalised max error).
 * On failure, prints the max difference and the first mismatching indices.
 */
export function assertAllClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: number,
  what = "arrays",
): void {
  if (actual.length !== expected.length) {
    throw new assert.AssertionError({
      message: `${what}: lengths differ (${actual.length} vs ${expected.length})`,
    });
  }
  let scale = 1, maxDiff = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  const bad: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i] - expected[i]);
    if (!(diff <= maxDiff)) maxDiff = Number.isNaN(diff) ? Infinity : Math.max(maxDiff, diff);
    if (!(diff / scale <= tol) && bad.length < 5) {
      bad.push(`[${i}] ${actual[i]} vs ${expected[i]}`);
    }
  }
  if (bad.length > 0) {
    throw new assert.AssertionError({
      message: `${what}: normalised max error ${maxDiff / scale} > ${tol}; first mismatches: ${
        bad.join(", ")
      }`,
    });
  }
}
