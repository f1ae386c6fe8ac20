// The page: renders what the trainer Worker (dist/trainer.js) posts and sends it commands. The
// trainer owns the WASM memory and the kernel threads; this thread never blocks.
// URL contract: ?model=convnet&numTrain=20000&epochs=1&seed=1&threads=2&autostart=1 starts that
// run; at its end window.convnetResult holds { steps, losses, valAccuracy, imagesPerSecond,
// threads, crossOriginIsolated, backend, … } and #result shows it as JSON.

const $ = (id) => document.getElementById(id);
const form = $("settings");
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
const INTEGERS = new Set([
  "numTrain",
  "numVal",
  "numTest",
  "epochs",
  "batchSize",
  "seed",
  "hiddenDim",
  "threads",
]);
const params = new URLSearchParams(location.search);
const trainer = new Worker(new URL("dist/trainer.js", import.meta.url), { type: "module" });
let rows = [], firstStepAt = null, openedAt = 0, running = false, loaded = false;

for (const name of ["model", ...NUMBERS]) {
  if (params.has(name)) form.elements[name].value = params.get(name);
}

function show(id, text) {
  $(id).textContent = text;
}

function setRunning(on) {
  running = on;
  $("start").disabled = on;
  $("stop").disabled = !on;
  $("pause").disabled = !on;
  $("resume").disabled = true;
  $("evaluate").disabled = on || !loaded;
  form.elements.weightsFile.disabled = on;
}

/** The run the form describes; a RangeError naming the field for a bad value. */
function readRun() {
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
  return {
    model: form.elements.model.value,
    overrides,
    threads,
    dataUrl: new URL("cifar10/", location.href).href,
    fromWeights: loaded && form.elements.fromWeights.checked,
  };
}

/** Clears the last run's output and starts `type` ("start" or "evaluate") of the form's run. */
function start(type = "start") {
  show("error", "");
  let run;
  try {
    run = readRun();
  } catch (e) {
    show("error", e.message);
    return;
  }
  rows = [];
  charts.then((c) => c.clear());
  firstStepAt = null;
  openedAt = performance.now();
  show("log", "");
  show("stats", "");
  show("result", "");
  $("weights").hidden = true;
  $("confusion").hidden = true;
  $("panel").hidden = true;
  delete globalThis.convnetResult;
  delete globalThis.convnetEvaluation;
  delete globalThis.convnetCharts;
  setRunning(true);
  if (type === "evaluate") $("stop").disabled = $("pause").disabled = true;
  trainer.postMessage({ type, run });
}

/** The charts of report.html (dist/charts.js: its Vega-Lite specs, drawn by Vega). */
const charts = import("./dist/charts.js").then(
  ({ Charts }) => new Charts($("lossChart"), $("accuracyChart")),
);
/** How often the charts are redrawn during a run, at most (ms). */
const CHART_INTERVAL_MS = 1000;
let drawnAt = 0, drawing = null;

/** Redraws the charts from the rows so far; during a run at most every CHART_INTERVAL_MS. */
async function draw(force = false) {
  if (!force && (drawing || performance.now() - drawnAt < CHART_INTERVAL_MS)) return;
  await drawing;
  drawnAt = performance.now();
  drawing = charts.then((c) => c.draw(rows)).catch((e) => show("error", `Cannot draw: ${e}`));
  await drawing;
  drawing = null;
}

/** The test set's confusion matrix: rows the true class, columns the predicted one. */
function drawConfusion({ accuracy, confusion, classes }) {
  const table = $("confusion");
  table.replaceChildren();
  table.createCaption().textContent = `Test accuracy ${(100 * accuracy).toFixed(2)}% ` +
    `(${confusion.flat().reduce((a, b) => a + b, 0)} images); rows: true class, columns: predicted`;
  const head = table.createTHead().insertRow();
  head.insertCell().textContent = "";
  for (const name of classes) head.appendChild(document.createElement("th")).textContent = name;
  const body = table.createTBody();
  confusion.forEach((counts, k) => {
    const row = body.insertRow();
    row.appendChild(document.createElement("th")).textContent = classes[k];
    const total = counts.reduce((a, b) => a + b, 0) || 1;
    counts.forEach((n, j) => {
      const cell = row.insertCell();
      cell.textContent = String(n);
      const shade = Math.round(255 - 155 * n / total);
      cell.style.background = j === k
        ? `rgb(${shade}, 255, ${shade})`
        : `rgb(255, ${shade}, ${shade})`;
    });
  });
  table.hidden = false;
}

/** Test images with their true class, the predicted one and the top-3 probabilities. */
function drawPanel(entries, classes) {
  const panel = $("panel");
  panel.replaceChildren();
  for (const { label, predicted, top, image } of entries) {
    const figure = document.createElement("figure");
    figure.dataset.predicted = String(predicted);
    figure.className = predicted === label ? "right" : "wrong";
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 32;
    const pixels = new ImageData(32, 32);
    for (let i = 0; i < 1024; i++) {
      for (let ch = 0; ch < 3; ch++) pixels.data[4 * i + ch] = image[ch * 1024 + i];
      pixels.data[4 * i + 3] = 255;
    }
    canvas.getContext("2d").putImageData(pixels, 0, 0);
    canvas.setAttribute("aria-label", `a test image of a ${classes[label]}`);
    const caption = document.createElement("figcaption");
    caption.textContent = `${classes[label]} → ${classes[predicted]}: ` +
      top.map(({ k, p }) => `${classes[k]} ${(100 * p).toFixed(1)}%`).join(", ");
    figure.append(canvas, caption);
    panel.append(figure);
  }
  panel.hidden = entries.length === 0;
}

/** The first layer's filters as a grid of RGB tiles, each scaled to its own range. */
function drawFilters([f, c, kh, kw], data) {
  const canvas = $("filters"), g = canvas.getContext("2d");
  const cols = Math.ceil(Math.sqrt(f)), rows = Math.ceil(f / cols), gap = 1;
  const image = g.createImageData(cols * (kw + gap), rows * (kh + gap));
  for (let k = 0; k < f; k++) {
    const tile = data.subarray(k * c * kh * kw, (k + 1) * c * kh * kw);
    let lo = Infinity, hi = -Infinity;
    for (const v of tile) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    const scale = hi > lo ? 255 / (hi - lo) : 0;
    const x0 = (k % cols) * (kw + gap), y0 = Math.floor(k / cols) * (kh + gap);
    for (let y = 0; y < kh; y++) {
      for (let x = 0; x < kw; x++) {
        const o = ((y0 + y) * image.width + x0 + x) * 4;
        for (let ch = 0; ch < 3; ch++) {
          image.data[o + ch] = (tile[(Math.min(ch, c - 1) * kh + y) * kw + x] - lo) * scale;
        }
        image.data[o + 3] = 255;
      }
    }
  }
  const small = new OffscreenCanvas(image.width, image.height);
  small.getContext("2d").putImageData(image, 0, 0);
  const zoom = Math.max(
    1,
    Math.floor(Math.min(canvas.width / image.width, canvas.height / image.height)),
  );
  g.clearRect(0, 0, canvas.width, canvas.height);
  g.imageSmoothingEnabled = false;
  g.drawImage(small, 0, 0, image.width * zoom, image.height * zoom);
  canvas.hidden = false;
}

trainer.onmessage = async ({ data: m }) => {
  if (m.type === "ready") {
    const threads = form.elements.threads;
    if (!params.has("threads")) threads.value = String(Math.min(m.hardwareConcurrency, 64));
    show(
      "isolation",
      m.crossOriginIsolated
        ? `Cross-origin isolated: training can use up to ${m.hardwareConcurrency} threads.`
        : "Not cross-origin isolated (no SharedArrayBuffer): training runs on one thread. " +
          "Serve the page with deno task serve for threads.",
    );
    $("start").disabled = false;
    if (params.get("autostart") === "1") start();
  } else if (m.type === "status") show("status", m.text);
  else if (m.type === "files") show("status", `Using the picked files: ${m.names.join(", ")}`);
  else if (m.type === "step") {
    if (firstStepAt === null) firstStepAt = performance.now();
    rows.push(m.row);
    show(
      "stats",
      `epoch ${m.epoch}, ${m.seen}/${m.total} images, step ${m.step}: loss ${m.loss.toFixed(4)}, ` +
        (Number.isFinite(m.acc) ? `batch accuracy ${(100 * m.acc).toFixed(1)}%, ` : "") +
        `${m.imagesPerSecond.toFixed(0)} images/s, ` +
        `${Math.max(0, m.secondsLeft).toFixed(0)} s left`,
    );
    draw();
  } else if (m.type === "val") {
    $("log").textContent += m.line + "\n";
  } else if (m.type === "done") {
    await draw(true);
    globalThis.convnetCharts = (await charts).drawn;
    const result = {
      ...m.result,
      secondsToFirstStep: firstStepAt === null ? null : (firstStepAt - openedAt) / 1000,
      secondsToFirstStepFromLoad: firstStepAt === null ? null : firstStepAt / 1000,
    };
    globalThis.convnetResult = result;
    show("result", JSON.stringify(result));
    if (m.result.test) drawConfusion(m.result.test);
    show(
      "status",
      `Run ${m.result.outcome}: validation accuracy ${(100 * m.result.valAccuracy).toFixed(2)}%`,
    );
    setRunning(false);
  } else if (m.type === "panel") drawPanel(m.entries, m.classes);
  else if (m.type === "loaded") {
    loaded = true;
    form.elements.model.value = m.model;
    form.elements.fromWeights.disabled = false;
    form.elements.fromWeights.checked = true;
    $("evaluate").disabled = running;
    show("status", m.text);
  } else if (m.type === "evaluated") {
    const evaluation = { name: m.name, test: m.test, panel: m.panel };
    globalThis.convnetEvaluation = evaluation;
    show("result", JSON.stringify(evaluation));
    drawConfusion(m.test);
    show("status", `${m.name}: test accuracy ${(100 * m.test.accuracy).toFixed(2)}%`);
    setRunning(false);
  } else if (m.type === "paused") {
    show("status", `Paused after step ${m.step}: press Resume to go on, or Stop`);
    $("pause").disabled = true;
    $("resume").disabled = false;
  } else if (m.type === "resumed") {
    show("status", `Resumed at step ${m.step}`);
    $("pause").disabled = false;
    $("resume").disabled = true;
  } else if (m.type === "filters") drawFilters(m.shape, m.data);
  else if (m.type === "weights") {
    const link = $("weights");
    if (link.href) URL.revokeObjectURL(link.href);
    link.href = URL.createObjectURL(new Blob([m.bytes], { type: "application/octet-stream" }));
    link.download = m.name;
    link.textContent = `Download the weights (${m.name}, for deno task predict)`;
    link.hidden = false;
  } else if (m.type === "error") {
    show("error", m.message);
    show("status", "");
    setRunning(false);
  }
};

trainer.onerror = (e) => {
  e.preventDefault();
  const simd = typeof WebAssembly === "object" &&
    WebAssembly.validate(
      new Uint8Array([
        0,
        97,
        115,
        109,
        1,
        0,
        0,
        0,
        1,
        5,
        1,
        96,
        0,
        1,
        123,
        3,
        2,
        1,
        0,
        10,
        10,
        1,
        8,
        0,
        65,
        0,
        253,
        15,
        253,
        98,
        11,
      ]),
    );
  show(
    "error",
    simd
      ? `The trainer failed to start: ${e.message ?? "unknown error"}`
      : "Cannot train here: this browser lacks WebAssembly SIMD, which the kernels need; use a current Chrome, Firefox or Safari",
  );
  show("isolation", "");
  setRunning(false);
  $("start").disabled = true;
};

form.addEventListener("submit", (e) => {
  e.preventDefault();
  if (!running) start();
});
$("stop").addEventListener("click", () => trainer.postMessage({ type: "stop" }));
$("evaluate").addEventListener("click", () => {
  if (!running) start("evaluate");
});
/** Sends a weights file to the trainer, which reads it as deno task predict does. */
async function loadWeightsFile(file) {
  show("error", "");
  const bytes = await file.arrayBuffer();
  trainer.postMessage({ type: "load", name: file.name, bytes }, [bytes]);
}

form.elements.weightsFile.addEventListener("change", (e) => {
  if (e.target.files[0]) loadWeightsFile(e.target.files[0]);
});
$("pause").addEventListener("click", () => {
  $("pause").disabled = true; // until the trainer says it paused (between two steps)
  trainer.postMessage({ type: "pause" });
});
$("resume").addEventListener("click", () => {
  $("resume").disabled = true;
  trainer.postMessage({ type: "resume" });
});
/** CIFAR-10 from the user's disk: the tarball, or batch files; read here, never uploaded. */
async function useFiles(list) {
  if (list.length === 0) return;
  show("error", "");
  const tarball = list.find((f) => /\.(tar\.gz|tgz)$/i.test(f.name));
  if (tarball) {
    show("status", `Reading ${tarball.name}…`);
    trainer.postMessage({ type: "tarball", name: tarball.name, file: tarball });
    return;
  }
  show("status", `Reading ${list.length} file${list.length === 1 ? "" : "s"}…`);
  const files = await Promise.all(
    list.map(async (f) => ({ name: f.name, bytes: await f.arrayBuffer() })),
  );
  trainer.postMessage({ type: "files", files }, files.map((f) => f.bytes));
}

form.elements.files.addEventListener("change", (e) => useFiles([...e.target.files]));
document.addEventListener("dragover", (e) => {
  e.preventDefault();
  e.dataTransfer.dropEffect = "copy";
});
document.addEventListener("drop", (e) => {
  e.preventDefault();
  const list = [...(e.dataTransfer?.files ?? [])];
  if (running) show("error", "Cannot change the data during a run: stop it first");
  else {
    const weights = list.find((f) => f.name.endsWith(".safetensors"));
    if (weights) loadWeightsFile(weights);
    else useFiles(list);
  }
});
