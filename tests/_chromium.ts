// Finds Debian's Chromium for the tests that drive a headless browser (browser_test.ts,
// web_test.ts). Outside CI a missing Chromium skips those tests with a printed note; in CI
// (`.ci/run` installs it with apt) it fails them.

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

function findChromium(): string | undefined {
  const fromEnv = Deno.env.get("CHROMIUM_PATH");
  for (const path of fromEnv ? [fromEnv] : CANDIDATES) {
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch { /* not there */ }
  }
  return undefined;
}

/** The Chromium executable, or undefined where none is installed. */
export const chromium: string | undefined = findChromium();

/** Whether this is a CI run (`CI` set and not "false"), where a missing Chromium is a failure. */
export const inCi: boolean = Deno.env.get("CI") !== undefined && Deno.env.get("CI") !== "false";

/** Prints why `file`'s browser steps are skipped, when they are (no Chromium, not in CI). */
export function noteIfSkipped(file: string): void {
  if (!chromium && !inCi) {
    console.log(
      `${file}: browser steps skipped — Chromium not found (apt-get install -y chromium, or ` +
        "set CHROMIUM_PATH)",
    );
  }
}
