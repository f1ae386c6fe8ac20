/**
 * `deno task notebooks [name…]`: runs the homework's notebooks (`notebooks/*.ipynb`) top to
 * bottom in Deno's Jupyter kernel, headless, with `jupyter nbconvert --execute`, and writes the
 * executed copies (and, with `--html`, HTML pages) into one folder. A notebook with an error
 * cell fails the task. The same command runs in CI (`tests/notebooks_test.ts`).
 *
 * Needs Jupyter's nbconvert (Debian: `apt-get install jupyter-nbconvert python3-nbclient`) and
 * the Deno kernel (`deno jupyter --install`).
 *
 * @module
 */

import { basename, join, resolve } from "node:path";
import { parseFlags, runTask } from "../train/cli.ts";

/** The notebooks folder of the project. */
export const NOTEBOOKS_DIR = new URL("../notebooks/", import.meta.url).pathname;
/** Seconds one cell may run by default (the one-epoch training is the longest). */
export const CELL_TIMEOUT_S = 600;

const HELP = `Usage: deno task notebooks [options] [name...]

Executes the notebooks in notebooks/ (all of them, or the names given: convnet or
convnet.ipynb) in Deno's Jupyter kernel with \`jupyter nbconvert --execute\`, NO_COLOR=1, and
writes the executed copies into the output folder. Stops at the first notebook with an error
cell. The notebooks that train read CIFAR-10 from CIFAR10_DIR (else data/).

Options:
  --out DIR        output folder (default runs/notebooks)
  --html           also write an HTML page of each executed notebook
  --timeout S      seconds one cell may run (default ${CELL_TIMEOUT_S})
  -h, --help       show this help

Environment:
  JUPYTER          the jupyter command (default /usr/bin/jupyter where it exists, else jupyter)

Setup: apt-get install jupyter-nbconvert python3-nbclient; deno jupyter --install`;

/** The jupyter command: $JUPYTER, else Debian's /usr/bin/jupyter, else `jupyter` on PATH. */
export function jupyterCommand(): string {
  const fromEnv = Deno.env.get("JUPYTER");
  if (fromEnv) return fromEnv;
  try {
    Deno.statSync("/usr/bin/jupyter");
    return "/usr/bin/jupyter";
  } catch {
    return "jupyter";
  }
}

async function output(cmd: string, args: string[]): Promise<{ ok: boolean; text: string }> {
  try {
    const r = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    const text = new TextDecoder().decode(r.stdout) + new TextDecoder().decode(r.stderr);
    return { ok: r.success, text };
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { ok: false, text: `${cmd}: not found` };
    throw e;
  }
}

/**
 * Why the notebooks cannot run here, or null when they can: nbconvert must answer and one of
 * Jupyter's data folders must hold the `deno` kernelspec.
 */
export async function notebooksUnavailable(jupyter = jupyterCommand()): Promise<string | null> {
  const nbconvert = await output(jupyter, ["nbconvert", "--version"]);
  if (!nbconvert.ok) {
    return `Cannot run the notebooks: "${jupyter} nbconvert" failed (${nbconvert.text.trim()}); ` +
      "install it with `apt-get install jupyter-nbconvert python3-nbclient` or set JUPYTER";
  }
  const paths = await output(jupyter, ["--paths", "--json"]);
  const data: string[] = paths.ok ? JSON.parse(paths.text).data ?? [] : [];
  for (const dir of data) {
    try {
      await Deno.stat(join(dir, "kernels", "deno", "kernel.json"));
      return null;
    } catch {
      // not in this folder
    }
  }
  return `Cannot run the notebooks: no Deno kernel in Jupyter's data folders (${
    data.join(", ")
  }); run \`deno jupyter --install\``;
}

/** The notebooks of notebooks/, sorted; `names` picks some (with or without `.ipynb`). */
export async function listNotebooks(names: string[] = []): Promise<string[]> {
  const all: string[] = [];
  for await (const e of Deno.readDir(NOTEBOOKS_DIR)) {
    if (e.isFile && e.name.endsWith(".ipynb")) all.push(e.name);
  }
  all.sort();
  if (names.length === 0) return all.map((n) => join(NOTEBOOKS_DIR, n));
  return names.map((name) => {
    const file = name.endsWith(".ipynb") ? basename(name) : `${basename(name)}.ipynb`;
    if (!all.includes(file)) {
      throw new RangeError(`Unknown notebook "${name}": use one of ${all.join(", ")}`);
    }
    return join(NOTEBOOKS_DIR, file);
  });
}

/** Options of {@linkcode executeNotebook}. */
export interface ExecuteOptions {
  /** Folder for the executed copy (created; the copy appears there whole or not at all). */
  outDir: string;
  html?: boolean;
  timeoutS?: number;
  jupyter?: string;
  /** Extra environment for the kernel (NO_COLOR=1 is always set). */
  env?: Record<string, string>;
}

/** What one run of a notebook gave. */
export interface ExecuteResult {
  ok: boolean;
  /** The executed copy (present when ok, or when nbconvert wrote one despite an error). */
  executed: string;
  seconds: number;
  /** nbconvert's output (its traceback on an error cell). */
  log: string;
}

/**
 * Executes one notebook in its own folder (the kernel's working directory, so `../mod.ts`
 * resolves) and moves the executed copy into `outDir`.
 */
export async function executeNotebook(path: string, o: ExecuteOptions): Promise<ExecuteResult> {
  const jupyter = o.jupyter ?? jupyterCommand();
  const name = basename(path, ".ipynb");
  const outDir = resolve(o.outDir); // nbconvert runs in notebooks/
  await Deno.mkdir(outDir, { recursive: true });
  const scratch = await Deno.makeTempDir({ dir: outDir, prefix: `.${name}-` });
  const started = performance.now();
  try {
    const run = async (to: string, input: string, extra: string[]) =>
      await new Deno.Command(jupyter, {
        args: ["nbconvert", "--to", to, ...extra, "--output-dir", scratch, input],
        cwd: NOTEBOOKS_DIR,
        env: { ...o.env, NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
    const r = await run("notebook", path, [
      "--execute",
      "--ExecutePreprocessor.kernel_name=deno",
      `--ExecutePreprocessor.timeout=${o.timeoutS ?? CELL_TIMEOUT_S}`,
    ]);
    const log = new TextDecoder().decode(r.stdout) + new TextDecoder().decode(r.stderr);
    const executed = join(outDir, `${name}.ipynb`);
    const seconds = (performance.now() - started) / 1000;
    if (!r.success) return { ok: false, executed, seconds, log };
    if (o.html) {
      const h = await run("html", join(scratch, `${name}.ipynb`), []);
      if (!h.success) {
        const text = new TextDecoder().decode(h.stderr);
        return { ok: false, executed, seconds, log: `${log}\n${text}` };
      }
      await Deno.rename(join(scratch, `${name}.html`), join(outDir, `${name}.html`));
    }
    await Deno.rename(join(scratch, `${name}.ipynb`), executed);
    return { ok: true, executed, seconds, log };
  } finally {
    await Deno.remove(scratch, { recursive: true });
  }
}

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags({
    args,
    allowPositionals: true,
    options: {
      out: { type: "string", default: join("runs", "notebooks") },
      html: { type: "boolean", default: false },
      timeout: { type: "string", default: String(CELL_TIMEOUT_S) },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const timeoutS = Number(values.timeout);
  if (!Number.isInteger(timeoutS) || timeoutS < 1) {
    throw new RangeError(`Invalid --timeout ${values.timeout}: use whole seconds ≥ 1`);
  }
  const notebooks = await listNotebooks(positionals);
  const jupyter = jupyterCommand();
  const why = await notebooksUnavailable(jupyter);
  if (why) throw new Error(why);
  console.log("notebooks configuration:", {
    notebooks: notebooks.map((n) => basename(n)),
    out: values.out,
    html: values.html,
    timeoutS,
    jupyter,
  });
  const total = performance.now();
  for (const path of notebooks) {
    const r = await executeNotebook(path, { outDir: values.out, html: values.html, timeoutS });
    if (!r.ok) {
      console.error(r.log.trim());
      console.error(`${basename(path)} failed after ${r.seconds.toFixed(1)} s (an error cell)`);
      return 1;
    }
    console.log(`${basename(path)}: ${r.seconds.toFixed(1)} s → ${r.executed}`);
  }
  console.log(
    `all ${notebooks.length} notebooks in ${((performance.now() - total) / 1000).toFixed(1)} s`,
  );
  return 0;
}

if (import.meta.main) await runTask("notebooks", () => main(Deno.args));
