/**
 * `deno task convolve <image>…`: the homework's aside on image processing with convolutions.
 * Each PNG or JPEG is centre-cropped, resized, and run through a greyscale filter and a
 * horizontal-edge (Sobel) filter in one convolution; the original and both results are
 * written side by side, one row per image. See `train/viz/convolve.ts`.
 *
 * @module
 */

import { parseFlags, runTask, USAGE_ERROR } from "../train/cli.ts";
import { basename, dirname, extname, join } from "node:path";
import { convolveImages } from "../train/viz/convolve.ts";
import { decodeImage, encodePng, writeFileAtomic } from "../train/viz/image.ts";

const HELP = `Usage: deno task convolve [options] <image.png|image.jpg>...

Resizes each image, applies a greyscale filter and a horizontal-edge (Sobel) filter with a
convolution (stride 1, pad 1), and writes original | greyscale | edges side by side.

Options:
  --size N      side of the resized square images (default 200)
  --out FILE    output PNG (default: <first image>_convolved.png beside it)
  -h, --help    show this help`;

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags({
    args,
    allowPositionals: true,
    options: {
      size: { type: "string", default: "200" },
      out: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length === 0) {
    console.error(`Cannot convolve: give at least one image\n\n${HELP}`);
    return USAGE_ERROR;
  }
  const size = Number(values.size);
  const first = positionals[0];
  const out = values.out ??
    join(dirname(first), `${basename(first, extname(first))}_convolved.png`);
  console.log("convolve configuration:", { images: positionals, size, out });
  const images = [];
  for (const path of positionals) images.push(decodeImage(await Deno.readFile(path), `"${path}"`));
  const sheet = convolveImages(images, { size });
  await writeFileAtomic(out, encodePng(sheet));
  console.log(`wrote ${out} (${sheet.width}×${sheet.height})`);
  return 0;
}

if (import.meta.main) await runTask("convolve", () => main(Deno.args));
