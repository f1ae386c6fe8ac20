// The command line every task shares (train/cli.ts): one-line flag errors that name the flag,
// and one exit code for usage errors.
import { assertEquals, assertThrows, assertTrue } from "./_assert.ts";
import { FAILURE, flagErrorMessage, parseFlags, USAGE_ERROR } from "../train/cli.ts";

const OPTIONS = { lr: { type: "string" }, help: { type: "boolean", short: "h" } } as const;

Deno.test("parseFlags()", async (t) => {
  const cases: [string[], string][] = [
    [
      ["--lr", "-1"],
      "Cannot read --lr -1: join a value that starts with a dash to its flag, as in --lr=-1",
    ],
    [["--foo"], "Cannot use --foo: there is no such flag; see --help"],
    [["x"], 'Cannot use "x": this task takes flags only (--name value); see --help'],
    [["--lr"], "Cannot use --lr: it needs a value"],
    [["--help=3"], "Cannot use --help with a value: it is a switch (write --help alone)"],
  ];
  for (const [args, message] of cases) {
    await t.step(args.join(" "), () => {
      const e = assertThrows(() => parseFlags({ args, options: OPTIONS }), RangeError, message);
      assertTrue(!e.message.includes("\n"), "one line");
    });
  }
  await t.step("--lr=-1 is read", () => {
    assertEquals(parseFlags({ args: ["--lr=-1"], options: OPTIONS }).values.lr, "-1");
  });
  await t.step("other errors keep their first line", () => {
    const e = Object.assign(new Error("Something new\nmore"), { code: "ERR_OTHER" });
    assertEquals(flagErrorMessage(e, []), "Cannot parse the flags: Something new; see --help");
  });
});

const TASKS = [
  ["gradcheck", "tasks/gradcheck.ts"],
  ["convolve", "tasks/convolve.ts"],
  ["plot", "tasks/plot.ts"],
  ["data:cifar10", "tasks/data_cifar10.ts"],
  ["train", "tasks/train.ts"],
  ["train:twolayer", "tasks/train_twolayer.ts"],
  ["predict", "tasks/predict.ts"],
  ["collect", "tasks/collect.ts"],
  ["build:kernels", "tasks/build_kernels.ts"],
  ["build:web", "tasks/build_web.ts"],
  ["serve", "tasks/serve.ts"],
  ["notebooks", "tasks/notebooks.ts"],
];

Deno.test("every entry point in tasks/ is in TASKS", async () => {
  const files: string[] = [];
  for await (const e of Deno.readDir(new URL("../tasks/", import.meta.url))) {
    if (e.isFile && e.name.endsWith(".ts") && !e.name.startsWith("_")) {
      files.push(`tasks/${e.name}`);
    }
  }
  assertEquals(files.sort(), TASKS.map(([, file]) => file).sort());
});

Deno.test("every task: an unknown flag is one line naming it, exit code USAGE_ERROR", async (t) => {
  assertEquals([USAGE_ERROR, FAILURE], [2, 1]);
  const root = new URL("..", import.meta.url).pathname;
  for (const [task, file] of TASKS) {
    await t.step(task, async () => {
      const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-read", "--allow-env", file, "--bogus"],
        cwd: root,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const err = new TextDecoder().decode(stderr);
      assertEquals(code, USAGE_ERROR, err);
      assertEquals(err, `${task}: Cannot use --bogus: there is no such flag; see --help\n`);
      assertEquals(new TextDecoder().decode(stdout), "");
    });
  }
});
