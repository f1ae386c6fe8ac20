/**
 * The TypeScript side of the PyTorch oracle: finds Debian's PyTorch and runs
 * `interop/oracle.py` on a list of jobs (see that file), for tests/interop_*_test.ts.
 *
 * @module
 */

/** The Python that has PyTorch (Debian's `python3-torch`), not whichever `python3` is first. */
export const PYTHON = "/usr/bin/python3";

const ORACLE = new URL("./oracle.py", import.meta.url);

let available: Promise<boolean> | undefined;

/**
 * Whether `/usr/bin/python3 -c "import torch"` succeeds (checked once). Without it the interop
 * tests skip themselves and print a note that says how to install it.
 */
export function torchAvailable(): Promise<boolean> {
  available ??= (async () => {
    try {
      const command = new Deno.Command(PYTHON, {
        args: ["-c", "import torch, numpy"],
        stdout: "null",
        stderr: "null",
      });
      return (await command.output()).success;
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return false; // no /usr/bin/python3 at all
      throw e;
    }
  })();
  return available;
}

/** The note the interop tests print when they skip. */
export const NO_TORCH_NOTE = `PyTorch is not installed (${PYTHON} -c "import torch" failed): ` +
  "skipping the PyTorch interop checks; install Debian's python3-torch (.ci/run does) to run them";

/** One job of `interop/oracle.py` (its docstring lists the kinds and their fields). */
export type OracleJob = { cmd: string } & Record<string, unknown>;

/** What a job gave back: `ok`, and the job's fields (`loss`) or the `error` it raised. */
export type OracleResult = { ok: boolean; error?: string } & Record<string, unknown>;

/**
 * Runs `jobs` in one Python process (PyTorch takes a second or two to import) and returns a
 * result per job. Throws when the process itself fails, with its stderr.
 */
export async function runOracle(jobs: OracleJob[], dir: string): Promise<OracleResult[]> {
  const path = `${dir}/jobs.json`;
  await Deno.writeTextFile(path, JSON.stringify({ jobs }));
  const out = await new Deno.Command(PYTHON, {
    args: [ORACLE.pathname, path],
    env: { PYTHONDONTWRITEBYTECODE: "1" },
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  if (!out.success) {
    throw new Error(`Cannot run interop/oracle.py (exit ${out.code}):\n${stderr}`);
  }
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  return JSON.parse(lines[lines.length - 1]).results;
}

/**
 * max |a − b| / max |b|: how far `a` is from the oracle's `b`, relative to b's largest element
 * (elementwise relative errors blow up on elements near zero).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { normRel } from "./torch.ts";
 * assert.equal(normRel([1, 2.5], [1, 2]), 0.25);
 * ```
 */
export function normRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) {
    throw new TypeError(`Cannot compare ${a.length} values with ${b.length}`);
  }
  let diff = 0, big = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    big = Math.max(big, Math.abs(b[i]));
  }
  return big === 0 ? diff : diff / big;
}
