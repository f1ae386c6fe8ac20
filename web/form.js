// The settings form: the URL contract fills it, and it describes the run the trainer starts.

/** The form's numeric settings, in the order of the URL contract. */
const NUMBERS = [
  "numTrain",
  "numVal",
  "numTest",
  "epochs",
  "batchSize",
  "lr",
  "seed",
  "hiddenDim",
  "threads",
];
const INTEGERS = new Set(NUMBERS.filter((name) => name !== "lr"));
/** The Part 1 choices (`deno task train:twolayer --model`, `--update-rule`), for twolayer only. */
const PART1_CHOICES = ["net", "updateRule"];

/** Fills `form` from the URL's parameters (`model` and the numeric settings). */
export function fillFromUrl(form, params) {
  for (const name of ["model", ...PART1_CHOICES, ...NUMBERS]) {
    if (params.has(name)) form.elements[name].value = params.get(name);
  }
}

/** The run `form` describes; a RangeError naming the field for a bad value. */
export function readRun(form, loaded) {
  const overrides = {};
  let threads = 1;
  for (const name of NUMBERS) {
    const text = form.elements[name].value.trim();
    if (text === "") continue;
    const v = Number(text);
    if (!Number.isFinite(v) || (INTEGERS.has(name) && !Number.isInteger(v))) {
      throw new RangeError(
        `Cannot use ${name} "${text}": it must be ${
          INTEGERS.has(name) ? "an integer" : "a number"
        }`,
      );
    }
    if (name === "threads") threads = v;
    else overrides[name] = v;
  }
  const model = form.elements.model.value;
  if (model === "twolayer") {
    for (const name of PART1_CHOICES) overrides[name] = form.elements[name].value;
  }
  return {
    backend: form.elements.backend.value,
    model,
    overrides,
    threads,
    dataUrl: new URL("cifar10/", location.href).href,
    fromWeights: loaded && form.elements.fromWeights.checked,
  };
}

/**
 * Offers WebGPU in `form` only where the trainer found an adapter (`gpu`, or null), and a
 * software one only when the user allows it; shows which adapter in `note`.
 */
export function offerWebGpu(form, note, gpu) {
  const { backend, softwareGpu } = form.elements;
  const option = [...backend.options].find((o) => o.value === "webgpu");
  softwareGpu.disabled = !gpu?.isFallback;
  option.disabled = !gpu || (gpu.isFallback && !softwareGpu.checked);
  if (option.disabled && backend.value === "webgpu") backend.value = "wasm";
  note.textContent = !gpu
    ? "No WebGPU adapter here: training runs on the CPU threads."
    : `WebGPU adapter: ${gpu.description}${gpu.isFallback ? " (software)" : ""}.`;
}
