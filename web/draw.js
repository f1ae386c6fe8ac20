// The page's pictures of a run's outcome: the confusion matrix, the panel of test images and the
// first layer's filter grid, drawn from what the trainer Worker posts.

/** The test set's confusion matrix in `table`: rows the true class, columns the predicted one. */
export function drawConfusion(table, { accuracy, confusion, classes }) {
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

/** Test images in `panel` with their true class, the predicted one and the top-3 probabilities. */
export function drawPanel(panel, entries, classes) {
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

/** The first layer's filters on `canvas` as a grid of RGB tiles, each scaled to its own range. */
export function drawFilters(canvas, [f, c, kh, kw], data) {
  const g = canvas.getContext("2d");
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
