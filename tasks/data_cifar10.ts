/**
 * `deno task data:cifar10`: downloads CIFAR-10 (binary format), checks its MD5 and unpacks it
 * into `<dir>/cifar-10-batches-bin` — all or nothing, and nothing at all when it is there.
 *
 * Its task in deno.json grants `--allow-net` for every host, so that `--url` can name a mirror:
 * narrowing it to the URL's host would need the task to re-run Deno with that host added, which
 * needs `--allow-run` — a wider grant than the network for a task that only downloads.
 *
 * @module
 */

import { parseFlags, runTask } from "../train/cli.ts";
import { CIFAR10_MD5, CIFAR10_URL, downloadCifar10 } from "../data/download.ts";
import { BINARY_FOLDER, defaultCifar10Dir } from "../data/locate.ts";

const HELP = `Usage: deno task data:cifar10 [--dir DIR] [--url URL] [--md5 HASH] [--quiet]

Downloads CIFAR-10 (binary version, 162 MiB), verifies its MD5 and extracts it into
DIR/${BINARY_FOLDER}. Does nothing when DIR already holds CIFAR-10 (either format).

Options:
  --dir DIR    the folder to put ${BINARY_FOLDER} in (default: data/ in the project)
  --url URL    where to download from, e.g. a mirror (default: ${CIFAR10_URL});
               the task may reach any host for this, and fetches nothing else
  --md5 HASH   the expected MD5 of the tarball (default: ${CIFAR10_MD5})
  --quiet      no progress bar (it is off anyway when stderr is not a terminal)
  -h, --help   this text`;

async function main(): Promise<number> {
  const { values } = parseFlags({
    args: Deno.args,
    options: {
      dir: { type: "string", default: defaultCifar10Dir() },
      url: { type: "string", default: CIFAR10_URL },
      md5: { type: "string", default: CIFAR10_MD5 },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (!/^[0-9a-fA-F]{32}$/.test(values.md5)) {
    throw new RangeError(`Cannot use --md5 ${values.md5}: an MD5 is 32 hexadecimal digits`);
  }
  console.log("data:cifar10 configuration:");
  console.log(`  dir  ${values.dir}`);
  console.log(`  url  ${values.url}`);
  console.log(`  md5  ${values.md5}`);
  const result = await downloadCifar10(values.dir, {
    url: values.url,
    md5: values.md5,
    progress: values.quiet ? false : undefined,
    log: (line) => console.log(line),
  });
  console.log(
    result.downloaded
      ? `Done: CIFAR-10 is in "${result.dir}"`
      : `Nothing to do: CIFAR-10 is already in "${result.dir}"`,
  );
  return 0;
}

if (import.meta.main) await runTask("data:cifar10", main);
