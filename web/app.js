// The page: renders what the trainer Worker (dist/trainer.js) posts and sends it commands. The
// trainer owns the WASM memory and the kernel threads; this thread never blocks.
// URL contract: ?model=convnet&numTrain=20000&epochs=1&seed=1&threads=2&autostart=1 starts that
// run; at its end window.convnetResult holds { steps, losses, valAccuracy, imagesPerSecond,
// threads, crossOriginIsolated, backend, … } and #result shows it as JSON.

import { drawConfusion, drawFilters, drawPanel } from "./draw.js";
import { wireFiles } from "./files.js";
import { fillFromUrl, offerWebGpu, readRun } from "./form.js";
import { hasSimd } from "./simd.js";

const $ = (id) => document.getElementById(id);
const form = $("settings");
const params = new URLSearchParams(location.search);
const trainer = new Worker(new URL("dist/trainer.js", import.meta.url), { type: "module" });
let rows = [], firstStepAt = null, openedAt = 0, running = false, loaded = false;

fillFromUrl(form, params);

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

/** Clears the last run's output and starts `type` ("start" or "evaluate") of the form's run. */
function start(type = "start") {
  show("error", "");
  let run;
  try {
    run = readRun(form, loaded);
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
    form.elements.softwareGpu.checked = params.get("softwareGpu") === "1";
    offerWebGpu(form, $("gpu"), m.gpu);
    form.elements.softwareGpu.onchange = () => offerWebGpu(form, $("gpu"), m.gpu);
    if (params.get("backend") === "webgpu") {
      form.elements.backend.value = "webgpu";
      offerWebGpu(form, $("gpu"), m.gpu); // back to wasm where WebGPU is not offered
    }
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
    if (m.result.test) drawConfusion($("confusion"), m.result.test);
    show(
      "status",
      `Run ${m.result.outcome}: validation accuracy ${(100 * m.result.valAccuracy).toFixed(2)}%`,
    );
    setRunning(false);
  } else if (m.type === "panel") drawPanel($("panel"), m.entries, m.classes);
  else if (m.type === "loaded") {
    loaded = true;
    form.elements.model.value = m.model;
    if (m.net) form.elements.net.value = m.net;
    form.elements.fromWeights.disabled = false;
    form.elements.fromWeights.checked = true;
    $("evaluate").disabled = running;
    show("status", m.text);
  } else if (m.type === "evaluated") {
    const evaluation = { name: m.name, test: m.test, panel: m.panel };
    globalThis.convnetEvaluation = evaluation;
    show("result", JSON.stringify(evaluation));
    drawConfusion($("confusion"), m.test);
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
  } else if (m.type === "filters") drawFilters($("filters"), m.shape, m.data);
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
  const simd = hasSimd();
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
$("pause").addEventListener("click", () => {
  $("pause").disabled = true; // until the trainer says it paused (between two steps)
  trainer.postMessage({ type: "pause" });
});
$("resume").addEventListener("click", () => {
  $("resume").disabled = true;
  trainer.postMessage({ type: "resume" });
});
wireFiles({ form, trainer, show, isRunning: () => running });
