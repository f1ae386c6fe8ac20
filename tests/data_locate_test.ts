import { defaultCifar10Dir, findCifar10Batches, locateCifar10 } from "../data/locate.ts";
import { assertEquals, assertTrue } from "./_assert.ts";
import { tempDir, writeBinaryCifar, writePythonCifar } from "./_data_fixtures.ts";

/** Runs `fn` with CIFAR10_DIR set to `value` (or unset), restoring it afterwards. */
async function withEnv(value: string | undefined, fn: () => Promise<void>): Promise<void> {
  const saved = Deno.env.get("CIFAR10_DIR");
  if (value === undefined) Deno.env.delete("CIFAR10_DIR");
  else Deno.env.set("CIFAR10_DIR", value);
  try {
    await fn();
  } finally {
    if (saved === undefined) Deno.env.delete("CIFAR10_DIR");
    else Deno.env.set("CIFAR10_DIR", saved);
  }
}

Deno.test("locateCifar10()", async (t) => {
  await using tmp = await tempDir("locate");
  const flagDir = `${tmp.dir}/flag`, envDir = `${tmp.dir}/env`, defaultDir = `${tmp.dir}/default`;
  await writeBinaryCifar(`${flagDir}/cifar-10-batches-bin`);
  await writePythonCifar(envDir);

  await t.step("the flag wins over the variable", async () => {
    await withEnv(envDir, async () => {
      const where = await locateCifar10({ cifar10Dir: flagDir, defaultDir });
      assertEquals(where, {
        dir: flagDir,
        source: "flag",
        batches: { dir: `${flagDir}/cifar-10-batches-bin`, format: "binary" },
      });
    });
  });
  await t.step("the variable wins over the default", async () => {
    await withEnv(envDir, async () => {
      const where = await locateCifar10({ defaultDir });
      assertEquals(where, {
        dir: envDir,
        source: "env",
        batches: { dir: envDir, format: "python" },
      });
    });
  });
  await t.step("the default, with nothing there", async () => {
    await withEnv(undefined, async () => {
      assertEquals(await locateCifar10({ defaultDir }), {
        dir: defaultDir,
        source: "default",
        batches: null,
      });
    });
  });
  await t.step("an empty flag or variable counts as unset", async () => {
    await withEnv("", async () => {
      assertEquals((await locateCifar10({ cifar10Dir: "", defaultDir })).source, "default");
    });
  });
  await t.step("the project's data/ folder by default", () => {
    assertTrue(defaultCifar10Dir().endsWith("/data"), defaultCifar10Dir());
  });
  await t.step("a trailing slash and a file instead of a folder", async () => {
    assertEquals((await findCifar10Batches(`${flagDir}/`))?.dir, `${flagDir}/cifar-10-batches-bin`);
    assertEquals(await findCifar10Batches(`${flagDir}/cifar-10-batches-bin/test_batch.bin`), null);
  });
});
