/**
 * What every task's command line shares: flags parsed into one-line errors that name the flag,
 * and one exit code per kind of failure.
 *
 * - `USAGE_ERROR` (2): the command line or an input is wrong (a `RangeError` or `TypeError`:
 *   an unknown flag, a bad value, a file of the wrong shape); fix the command and rerun.
 * - `FAILURE` (1): anything else (a missing file, a failed download, a diverged run).
 *
 * @module
 */

import { parseArgs, type ParseArgsConfig } from "node:util";

/** The exit code of a usage error, in every task. */
export const USAGE_ERROR = 2;
/** The exit code of any other failure, in every task. */
export const FAILURE = 1;

/**
 * The one-line message for an error of `node:util`'s `parseArgs` on `args`, naming the flag
 * and what to do.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { flagErrorMessage } from "./cli.ts";
 * const ambiguous = Object.assign(new Error("Option '--lr' argument is ambiguous.\n…"), {
 *   code: "ERR_PARSE_ARGS_INVALID_OPTION_VALUE",
 * });
 * assert.equal(
 *   flagErrorMessage(ambiguous, ["--lr", "-1"]),
 *   "Cannot read --lr -1: join a value that starts with a dash to its flag, as in --lr=-1",
 * );
 * ```
 */
export function flagErrorMessage(e: Error & { code?: string }, args: readonly string[]): string {
  const flag = /'(?:-\w, )?(--?[\w-]+)/.exec(e.message)?.[1];
  if (e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && flag !== undefined) {
    return `Cannot use ${flag}: there is no such flag; see --help`;
  }
  if (e.code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
    const word = /'([^']*)'/.exec(e.message)?.[1] ?? "";
    return `Cannot use "${word}": this task takes flags only (--name value); see --help`;
  }
  if (e.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && flag !== undefined) {
    if (e.message.includes("ambiguous")) {
      const value = args[args.indexOf(flag) + 1] ?? "";
      return `Cannot read ${flag} ${value}: join a value that starts with a dash to its flag, ` +
        `as in ${flag}=${value}`;
    }
    if (e.message.includes("argument missing")) return `Cannot use ${flag}: it needs a value`;
    if (e.message.includes("does not take an argument")) {
      return `Cannot use ${flag} with a value: it is a switch (write ${flag} alone)`;
    }
  }
  return `Cannot parse the flags: ${e.message.split("\n")[0]}; see --help`;
}

/**
 * `parseArgs` (strict) with its errors turned into a `RangeError` of one line naming the flag
 * (see {@linkcode flagErrorMessage}).
 */
export function parseFlags<T extends ParseArgsConfig>(
  config: T & { args: string[] },
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs<T>({ strict: true, ...config });
  } catch (e) {
    throw new RangeError(flagErrorMessage(e as Error, config.args));
  }
}

/**
 * Runs a task's main function and exits with its code; an error is printed as
 * `<task>: <message>` (no stack trace) and exits with `USAGE_ERROR` for a RangeError or
 * TypeError, `FAILURE` otherwise.
 */
export async function runTask(task: string, main: () => number | Promise<number>): Promise<never> {
  let code: number;
  try {
    code = await main();
  } catch (e) {
    console.error(`${task}: ${e instanceof Error ? e.message : String(e)}`);
    code = e instanceof RangeError || e instanceof TypeError ? USAGE_ERROR : FAILURE;
  }
  Deno.exit(code);
}
