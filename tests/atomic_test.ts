import { writeFileAtomic } from "../nn/_atomic.ts";
import { assertEquals, assertRejects } from "./_assert.ts";

Deno.test("writeFileAtomic()", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    await t.step("writes bytes and text, replacing what was there", async () => {
      await writeFileAtomic(`${dir}/a.bin`, new Uint8Array([1, 2, 3]));
      assertEquals([...await Deno.readFile(`${dir}/a.bin`)], [1, 2, 3]);
      await writeFileAtomic(`${dir}/a.bin`, "text");
      assertEquals(await Deno.readTextFile(`${dir}/a.bin`), "text");
    });
    await t.step("on failure keeps the old file and leaves no temporary file", async () => {
      await Deno.mkdir(`${dir}/taken`); // a folder where the file should go: rename fails
      await Deno.writeTextFile(`${dir}/taken/inside`, "keep");
      await assertRejects(() => writeFileAtomic(`${dir}/taken`, "new"));
      assertEquals(await Deno.readTextFile(`${dir}/taken/inside`), "keep");
      const names = [];
      for await (const e of Deno.readDir(dir)) names.push(e.name);
      assertEquals(names.sort(), ["a.bin", "taken"]);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
