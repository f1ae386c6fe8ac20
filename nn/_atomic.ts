/**
 * Atomic file writes for everything a user keeps (weights, checkpoints, metrics, pictures):
 * the data goes to `<path>.tmp`, which is renamed over `path` only once it is complete, so a
 * crash or a full disk never leaves a half-written file under the real name. On failure the
 * temporary file is removed.
 *
 * @module
 */

/** Writes `data` (bytes or text) to `path` atomically. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.tmp`;
  try {
    if (typeof data === "string") await Deno.writeTextFile(tmp, data);
    else await Deno.writeFile(tmp, data);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}
