// `deno doc --lint mod.ts`: every symbol the package exports has JSDoc, an explicit type, and
// references only public types.
import { fileURLToPath as fromFileUrl } from "node:url";
import { assertEquals } from "./_assert.ts";

const ROOT = fromFileUrl(new URL("../", import.meta.url));

interface DocLintError {
  kind: string;
  message: string;
  /** Repository-relative path. */
  file: string;
  line: number;
}

/** The errors of `deno doc --lint` as printed (NO_COLOR): `error[kind]: message` then `--> path:line:col`. */
function parseDocLint(output: string): DocLintError[] {
  const found: DocLintError[] = [];
  const re = /^error\[([\w-]+)\]: (.*)\n\s*--> (.+):(\d+):\d+$/gm;
  for (const m of output.matchAll(re)) {
    let file = m[3].startsWith("file://") ? fromFileUrl(m[3]) : m[3];
    if (file.startsWith(ROOT)) file = file.slice(ROOT.length);
    found.push({ kind: m[1], message: m[2], file, line: Number(m[4]) });
  }
  return found;
}

async function docLint(): Promise<{ code: number; output: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--lint", "mod.ts"],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
  }).output();
  const text = new TextDecoder();
  return { code, output: text.decode(stdout) + text.decode(stderr) };
}

Deno.test("deno doc --lint mod.ts", async (t) => {
  const { code, output } = await docLint();
  const errors = parseDocLint(output);
  const total = output.match(/Found (\d+) documentation lint errors?/);

  await t.step("every error printed is parsed", () => {
    // a change in deno's output format must not turn this test into one that cannot fail
    assertEquals(errors.length, total ? Number(total[1]) : 0, `errors parsed from:\n${output}`);
    assertEquals(code !== 0, errors.length > 0, `exit code ${code} for ${errors.length} errors`);
  });

  await t.step("no errors", () => {
    const list = errors.map((e) => `  ${e.file}:${e.line} ${e.kind}: ${e.message}`).join("\n");
    assertEquals(
      errors.length,
      0,
      `deno doc --lint mod.ts reports ${errors.length} error(s):\n${list}`,
    );
  });
});

Deno.test("parseDocLint()", () => {
  const sample = [
    "error[missing-jsdoc]: exported symbol is missing JSDoc documentation",
    `   --> ${ROOT}nn/optim.ts:269:3`,
    "    | ",
    "269 |   constructor(params: readonly Parameter[], options: AdamOptions = {}) {",
    "",
    "error[private-type-ref]: public type 'A.prototype.ctx' references private type 'B'",
    `  --> file://${ROOT}kernels/webgpu/tensor.ts:31:3`,
    "",
    "error: Found 2 documentation lint errors.",
  ].join("\n");
  assertEquals(parseDocLint(sample), [
    {
      kind: "missing-jsdoc",
      message: "exported symbol is missing JSDoc documentation",
      file: "nn/optim.ts",
      line: 269,
    },
    {
      kind: "private-type-ref",
      message: "public type 'A.prototype.ctx' references private type 'B'",
      file: "kernels/webgpu/tensor.ts",
      line: 31,
    },
  ]);
});
