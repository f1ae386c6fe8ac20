import { decode, encode } from "fast-png";
import jpeg from "jpeg-js";
import { assertAtMost, assertEquals, assertThrows } from "./_assert.ts";
import {
  convolveImages,
  cropSquare,
  mapToImage,
  processingFilters,
  toBatch,
} from "../train/viz/convolve.ts";
import {
  decodeImage,
  encodePng,
  imageSize,
  MAX_IMAGE_PIXELS,
  resizeBilinear,
  type RgbImage,
  rgbImage,
  sideBySide,
  upscale,
} from "../train/viz/image.ts";

const REPO = new URL("..", import.meta.url).pathname;

/** A test photo: top half blue sky (0, 0, 255), bottom half (255, 0, 0); size × size. */
function skyAndGround(width: number, height: number): RgbImage {
  const im = rgbImage(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      im.data.set(y < height / 2 ? [0, 0, 255] : [255, 0, 0], (y * width + x) * 3);
    }
  }
  return im;
}

Deno.test("image helpers", async (t) => {
  await t.step("PNG and JPEG decode to RGB", () => {
    const im = skyAndGround(8, 6);
    assertEquals(decodeImage(encodePng(im)), im);
    const rgba = encode({
      width: 1,
      height: 1,
      data: Uint8Array.from([9, 8, 7, 128]),
      channels: 4,
    });
    assertEquals([...decodeImage(rgba).data], [9, 8, 7]);
    const grey = encode({ width: 2, height: 1, data: Uint8Array.from([0, 200]), channels: 1 });
    assertEquals([...decodeImage(grey).data], [0, 0, 0, 200, 200, 200]);
    const rgbaData = new Uint8Array(16 * 16 * 4).fill(255);
    const jpg = jpeg.encode({ width: 16, height: 16, data: rgbaData }, 90).data;
    const back = decodeImage(jpg);
    assertEquals([back.width, back.height], [16, 16]);
    assertAtMost(255 - Math.min(...back.data), 2, "JPEG white error");
    assertThrows(() => decodeImage(new Uint8Array([1, 2, 3]), "x.gif"), TypeError, "neither a PNG");
  });
  await t.step("a truncated or huge image is refused by name, the huge one before decoding", () => {
    const png = encodePng(skyAndGround(40, 30));
    assertThrows(
      () => decodeImage(png.subarray(0, png.length >> 1), '"half.png"'),
      TypeError,
      'Cannot decode "half.png": the PNG file is damaged or truncated (',
    );
    assertThrows(
      () => decodeImage(png.subarray(0, 20), '"tiny.png"'),
      TypeError,
      "before its size",
    );
    const huge = png.slice();
    new DataView(huge.buffer).setUint32(16, 100000);
    new DataView(huge.buffer).setUint32(20, 100000);
    assertEquals(imageSize(huge), { width: 100000, height: 100000 });
    assertThrows(
      () => decodeImage(huge, '"huge.png"'),
      RangeError,
      'Cannot decode "huge.png": it is 100000×100000 pixels, more than the ' +
        `${MAX_IMAGE_PIXELS / 1e6} megapixels this reads; downscale it first`,
    );
    const jpg = Uint8Array.from(
      jpeg.encode({ width: 16, height: 8, data: new Uint8Array(512) }, 90).data,
    );
    assertEquals(imageSize(jpg), { width: 16, height: 8 });
    const sof = jpg.findIndex((b, i) => b === 0xff && jpg[i + 1] === 0xc0);
    const bigJpg = jpg.slice();
    new DataView(bigJpg.buffer).setUint16(sof + 5, 60000); // height
    new DataView(bigJpg.buffer).setUint16(sof + 7, 60000); // width
    assertThrows(() => decodeImage(bigJpg, '"huge.jpg"'), RangeError, "60000×60000 pixels");
    assertThrows(
      () => decodeImage(jpg.subarray(0, jpg.length - 200), '"cut.jpg"'),
      TypeError,
      "the JPEG file is damaged or truncated",
    );
  });
  await t.step("crop, resize, upscale and side-by-side keep sizes and colours", () => {
    const im = skyAndGround(30, 20);
    assertEquals([cropSquare(im).width, cropSquare(im).height], [20, 20]);
    const small = resizeBilinear(im, 10, 10);
    assertEquals([...small.data.subarray(0, 3)], [0, 0, 255]);
    assertEquals([...small.data.subarray(small.data.length - 3)], [255, 0, 0]);
    const big = upscale(rgbImage(1, 1, [1, 2, 3]), 3);
    assertEquals([big.width, big.height, big.data[big.data.length - 1]], [3, 3, 3]);
    const row = sideBySide([rgbImage(2, 2, 0), rgbImage(3, 1, 0)], 1, 255);
    assertEquals([row.width, row.height], [6, 2]);
    assertEquals([...row.data.subarray(6, 9)], [255, 255, 255]); // the gap
  });
});

Deno.test("convolveImages()", async (t) => {
  await t.step("the filters are the aside's greyscale and blue Sobel filters", () => {
    const { w, b } = processingFilters();
    assertEquals([w[4], w[13], w[22]].map((v) => +v.toFixed(6)), [0.3, 0.6, 0.1]);
    assertEquals([...w.subarray(27 + 18, 27 + 27)], [1, 2, 1, 0, 0, 0, -1, -2, -1]);
    assertEquals([...b], [0, 128]);
  });
  await t.step("greyscale is 0.3R+0.6G+0.1B; the edge lights up at the horizon", () => {
    const S = 8;
    const sheet = convolveImages([skyAndGround(S, S)], { size: S, gap: 0 });
    assertEquals([sheet.width, sheet.height], [3 * S, S]);
    const at = (x: number, y: number) => sheet.data[(y * sheet.width + x) * 3];
    // Grey: sky 0.1·255 = 25.5 → 0 after rescaling, ground 0.3·255 = 76.5 → 255.
    assertEquals([at(S + 3, 1), at(S + 3, 6)], [0, 255]);
    // Edges: Sobel on blue is 4·(x[y−1] − x[y+1]) + 128: largest on the two rows at the horizon,
    // smallest on the top row (zero padding above the sky), flat elsewhere.
    const column = Array.from({ length: S }, (_, y) => at(2 * S + 3, y));
    assertEquals([column[0], column[3], column[4]], [0, 255, 255]);
    assertEquals(new Set([column[1], column[2], column[5], column[6]]).size, 1, `${column}`);
  });
  await t.step("a batch of images runs in one convolution, one row each", () => {
    const sheet = convolveImages([skyAndGround(40, 30), rgbImage(12, 50, 0)], { size: 10 });
    assertEquals([sheet.width, sheet.height], [3 * 10 + 2 * 8, 2 * 10 + 8]);
    assertEquals(toBatch([rgbImage(2, 2, [1, 2, 3])]).length, 12);
    assertEquals([...mapToImage([5, 5], 2, 1).data], [128, 128, 128, 128, 128, 128]);
    assertThrows(() => convolveImages([]), RangeError, "no images");
    assertThrows(() => convolveImages([rgbImage(4, 4)], { size: 2 }), RangeError, "size 2");
  });
});

Deno.test("deno task convolve", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeFile(`${dir}/photo.png`, encodePng(skyAndGround(64, 48)));
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      `${REPO}tasks/convolve.ts`,
      "--size",
      "32",
      `${dir}/photo.png`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  const img = decode(await Deno.readFile(`${dir}/photo_convolved.png`));
  assertEquals([img.width, img.height], [3 * 32 + 2 * 8, 32]);
  await Deno.remove(dir, { recursive: true });
});
