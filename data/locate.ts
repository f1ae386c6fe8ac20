/**
 * Where CIFAR-10 is: one rule for every task.
 *
 * 1. the `--cifar10-dir` flag, when given;
 * 2. else the `CIFAR10_DIR` environment variable (read only when the env permission for it is
 *    granted, so that no prompt appears);
 * 3. else `data/` in the project (the folder of this module), which `deno task data:cifar10`
 *    fills and training tasks may fill by downloading.
 *
 * Each location may be the batches folder itself (`cifar-10-batches-bin` or
 * `cifar-10-batches-py`) or the folder holding it.
 *
 * @module
 */

/** The folder the official binary tarball unpacks to. */
export const BINARY_FOLDER = "cifar-10-batches-bin";
/** The folder the official python tarball unpacks to. */
export const PYTHON_FOLDER = "cifar-10-batches-py";

/** The `--cifar10-dir` option for `node:util`'s `parseArgs`, the same in every task. */
export const CIFAR10_DIR_OPTION: Readonly<
  { "cifar10-dir": Readonly<{ type: "string" }> }
> = Object.freeze({
  "cifar10-dir": Object.freeze({ type: "string" as const }),
});

/** The line for `--cifar10-dir` in a task's `--help`. */
export const CIFAR10_DIR_HELP =
  "  --cifar10-dir DIR  where CIFAR-10 is (default: $CIFAR10_DIR, else data/ in the project)";

/** A batches folder and the format of the files in it. */
export interface Cifar10Batches {
  /** The folder holding `data_batch_1(.bin)` … `test_batch(.bin)`. */
  dir: string;
  /** `binary` (`cifar-10-batches-bin`) or `python` (`cifar-10-batches-py`, pickles). */
  format: "binary" | "python";
}

/** Where CIFAR-10 should be, which rule chose it, and the batches folder found there. */
export interface Cifar10Location {
  /** The folder named by the flag, the variable or the default. */
  dir: string;
  /** Which rule chose `dir`. */
  source: "flag" | "env" | "default";
  /** The batches folder found in or at `dir`, or null when there is none. */
  batches: Cifar10Batches | null;
}

/** `data/` in the project: this module's folder, or `./data` when imported by URL. */
export function defaultCifar10Dir(): string {
  const here = new URL(".", import.meta.url);
  if (here.protocol !== "file:") return `${Deno.cwd()}/data`;
  let path = decodeURIComponent(here.pathname).replace(/\/$/, "");
  if (/^\/[A-Za-z]:/.test(path)) path = path.slice(1); // file:///C:/… on Windows
  return path;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return false;
    throw e;
  }
}

/**
 * The batches folder at `dir` (the folder itself, else its `cifar-10-batches-bin`, else its
 * `cifar-10-batches-py` child), or null. A folder counts when its first batch file is there.
 */
export async function findCifar10Batches(dir: string): Promise<Cifar10Batches | null> {
  const base = dir.replace(/[\\/]+$/, "") || "/";
  const candidates: Cifar10Batches[] = [
    { dir: base, format: "binary" },
    { dir: base, format: "python" },
    { dir: `${base}/${BINARY_FOLDER}`, format: "binary" },
    { dir: `${base}/${PYTHON_FOLDER}`, format: "python" },
  ];
  for (const c of candidates) {
    const first = c.format === "binary" ? "data_batch_1.bin" : "data_batch_1";
    if (await isFile(`${c.dir}/${first}`)) return c;
  }
  return null;
}

function envDir(): string | undefined {
  const state = Deno.permissions.querySync({ name: "env", variable: "CIFAR10_DIR" }).state;
  if (state !== "granted") return undefined;
  const value = Deno.env.get("CIFAR10_DIR");
  return value === undefined || value === "" ? undefined : value;
}

/**
 * Resolves where CIFAR-10 is: `options.cifar10Dir` (the `--cifar10-dir` flag), else the
 * `CIFAR10_DIR` environment variable, else `data/` in the project; and looks for the batches
 * there. It never downloads (see `ensureCifar10` in `data/download.ts`). `defaultDir` replaces
 * the project's `data/` (for tests and programs embedding the library).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { locateCifar10 } from "./locate.ts";
 * const where = await locateCifar10({ cifar10Dir: "/no/such/folder" });
 * assert.equal(where.source, "flag");
 * assert.equal(where.batches, null);
 * ```
 */
export async function locateCifar10(
  options: { cifar10Dir?: string; defaultDir?: string } = {},
): Promise<Cifar10Location> {
  let dir: string, source: Cifar10Location["source"];
  const fromEnv = envDir();
  if (options.cifar10Dir !== undefined && options.cifar10Dir !== "") {
    [dir, source] = [options.cifar10Dir, "flag"];
  } else if (fromEnv !== undefined) {
    [dir, source] = [fromEnv, "env"];
  } else {
    [dir, source] = [options.defaultDir ?? defaultCifar10Dir(), "default"];
  }
  return { dir, source, batches: await findCifar10Batches(dir) };
}

/** The error for a folder without CIFAR-10, with what to do about it. */
export function missingCifar10Error(dir: string, source?: Cifar10Location["source"]): Error {
  const from = source === "flag"
    ? " (from --cifar10-dir)"
    : source === "env"
    ? " (from CIFAR10_DIR)"
    : source === "default"
    ? " (the default location)"
    : "";
  return new Error(
    `Cannot find CIFAR-10 in "${dir}"${from}: neither it nor its ${BINARY_FOLDER} or ` +
      `${PYTHON_FOLDER} folder holds data_batch_1(.bin); run \`deno task data:cifar10\` to ` +
      "download it, or pass --cifar10-dir (or set CIFAR10_DIR) to the folder that holds it",
  );
}
