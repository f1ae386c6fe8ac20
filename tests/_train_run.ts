/**
 * A training run in a child process, interrupted with Ctrl-C, for the resume tests.
 *
 * @module
 */

const ROOT = decodeURIComponent(new URL("..", import.meta.url).pathname);

/** Spawns `deno run tasks/train.ts ARGS`, interrupts it with Ctrl-C after `after` is printed. */
export async function interruptedRun(args: string[], after: string): Promise<number> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-env=CIFAR10_DIR,CONVNET_THREADS",
      "tasks/train.ts",
      ...args,
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "null",
  }).spawn();
  let seen = "";
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  while (!seen.includes(after)) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += value;
  }
  child.kill("SIGINT");
  while (!(await reader.read()).done); // the rest of its output
  return (await child.status).code;
}
