// Files from the user's disk (picked, or dropped on the page), read here and never uploaded:
// CIFAR-10 (the tarball, or batch files) and weights files, sent to the trainer Worker.

/**
 * Wires the form's file inputs and drag and drop to `trainer`; `show(id, text)` writes a
 * message, `isRunning()` says whether a run is on.
 */
export function wireFiles({ form, trainer, show, isRunning }) {
  /** Sends a weights file to the trainer, which reads it as deno task predict does. */
  async function loadWeightsFile(file) {
    show("error", "");
    const bytes = await file.arrayBuffer();
    trainer.postMessage({ type: "load", name: file.name, bytes }, [bytes]);
  }

  /** CIFAR-10 from the user's disk: the tarball, or batch files. */
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

  form.elements.weightsFile.addEventListener("change", (e) => {
    if (e.target.files[0]) loadWeightsFile(e.target.files[0]);
  });
  form.elements.files.addEventListener("change", (e) => useFiles([...e.target.files]));
  document.addEventListener("dragover", (e) => {
    e.preventDefault();
    e.dataTransfer.dropEffect = "copy";
  });
  document.addEventListener("drop", (e) => {
    e.preventDefault();
    const list = [...(e.dataTransfer?.files ?? [])];
    if (isRunning()) show("error", "Cannot change the data during a run: stop it first");
    else {
      const weights = list.find((f) => f.name.endsWith(".safetensors"));
      if (weights) loadWeightsFile(weights);
      else useFiles(list);
    }
  });
}
