/**
 * Argument checks shared by the model constructors.
 *
 * @module
 */

/** The image size the homework passes around: (channels, height, width). */
export type ImSize = readonly [number, number, number];

/** Checks imSize, hiddenDim, kernelSize (odd, for 'same' padding) and nClasses. */
export function checkModelArgs(
  model: string,
  imSize: ImSize,
  hiddenDim: number,
  kernelSize: number,
  nClasses: number,
): void {
  if (!Array.isArray(imSize) || imSize.length !== 3) {
    throw new TypeError(
      `Cannot build ${model}: imSize must be [channels, height, width], got ${String(imSize)}`,
    );
  }
  const named: [string, number][] = [
    ["imSize[0]", imSize[0]],
    ["imSize[1]", imSize[1]],
    ["imSize[2]", imSize[2]],
    ["hiddenDim", hiddenDim],
    ["kernelSize", kernelSize],
    ["nClasses", nClasses],
  ];
  for (const [name, v] of named) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`Cannot build ${model}: ${name} must be an integer ≥ 1, got ${v}`);
    }
  }
  if (kernelSize % 2 === 0) {
    throw new RangeError(
      `Cannot build ${model}: kernelSize ${kernelSize} is even, but 'same' padding needs an odd ` +
        `kernel (3, 5, 7, …)`,
    );
  }
}
