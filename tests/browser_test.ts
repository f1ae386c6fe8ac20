/**
 * Opens a run's report.html in Debian's Chromium, headless, through the DevTools protocol
 * (a small client over Deno's WebSocket), and checks that the charts rendered: SVG marks in
 * both chart containers, a screenshot that is not blank and shows the curve colours, and no
 * console errors or uncaught exceptions. Skips itself only when Chromium is absent outside CI
 * (`.ci/run` installs it with apt).
 */

import { chromium, inCi, noteIfSkipped } from "./_chromium.ts";
import { decode } from "fast-png";
import { assertEquals, assertTrue } from "./_assert.ts";
import { writeFakeRun } from "./_viz_fixture.ts";
import { loadRun } from "../train/viz/plot.ts";
import { writeReport } from "../train/viz/report.ts";

noteIfSkipped("browser_test.ts");

type Json = Record<string, unknown>;

/** A minimal DevTools-protocol session on one page target. */
class Page {
  #ws: WebSocket;
  #next = 1;
  #pending = new Map<number, (msg: Json) => void>();
  events: Json[] = [];
  #waiters: { method: string; resolve: () => void }[] = [];

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.onmessage = (e) => {
      const msg = JSON.parse(e.data) as Json;
      if (typeof msg.id === "number") this.#pending.get(msg.id)?.(msg);
      else {
        this.events.push(msg);
        this.#waiters = this.#waiters.filter((w) =>
          w.method !== msg.method || (w.resolve(), false)
        );
      }
    };
  }

  static async connect(url: string): Promise<Page> {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = () => reject(new Error(`Cannot connect to Chromium's DevTools at ${url}`));
    });
    return new Page(ws);
  }

  send(method: string, params: Json = {}): Promise<Json> {
    const id = this.#next++;
    this.#ws.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) => {
      this.#pending.set(id, (msg) => {
        this.#pending.delete(id);
        if (msg.error) reject(new Error(`${method} failed: ${JSON.stringify(msg.error)}`));
        else resolve(msg.result as Json);
      });
    });
  }

  waitFor(method: string): Promise<void> {
    return new Promise((resolve) => this.#waiters.push({ method, resolve }));
  }

  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.send("Runtime.evaluate", { expression, returnByValue: true });
    return (r.result as { value: T }).value;
  }

  close(): Promise<void> {
    const closed = new Promise<void>((resolve) => (this.#ws.onclose = () => resolve()));
    this.#ws.close();
    return closed;
  }
}

/** Starts headless Chromium and returns its DevTools port (read from its stderr). */
async function launch(path: string, profile: string) {
  const child = new Deno.Command(path, {
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--hide-scrollbars",
      "--remote-debugging-port=0",
      `--user-data-dir=${profile}`,
      "about:blank",
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
    const m = text.match(/DevTools listening on ws:\/\/127\.0\.0\.1:(\d+)\//);
    if (m) {
      // Keep draining stderr so Chromium never blocks on a full pipe.
      const drain = (async () => {
        while (!(await reader.read()).done) { /* discard */ }
      })();
      return { child, port: Number(m[1]), drain };
    }
  }
  child.kill();
  await child.status;
  throw new Error(`Cannot start Chromium (${path}): no DevTools port in its output:\n${text}`);
}

/** Pixels of the screenshot within 12 of `hex` per channel, and the number of distinct colours. */
function colours(png: Uint8Array, hex: string): { matching: number; distinct: number } {
  const img = decode(png);
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const seen = new Set<number>();
  let matching = 0;
  for (let p = 0; p < img.width * img.height; p++) {
    const o = p * img.channels, d = img.data;
    seen.add((d[o] << 16) | (d[o + 1] << 8) | d[o + 2]);
    if (Math.abs(d[o] - r) <= 12 && Math.abs(d[o + 1] - g) <= 12 && Math.abs(d[o + 2] - b) <= 12) {
      matching++;
    }
  }
  return { matching, distinct: seen.size };
}

Deno.test({
  name: "report.html in headless Chromium",
  ignore: !chromium && !inCi,
  async fn(t) {
    if (!chromium) throw new Error("Chromium is missing in CI: .ci/run should have installed it");
    const dir = await Deno.makeTempDir();
    await writeFakeRun(dir, "convnet");
    const report = await writeReport(dir, await loadRun(dir));
    const { child, port, drain } = await launch(chromium, `${dir}/profile`);
    try {
      let target: Json | undefined;
      for (let i = 0; i < 50 && !target; i++) {
        const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
        target = targets.find((x: Json) => x.type === "page");
        if (!target) await new Promise((r) => setTimeout(r, 100));
      }
      if (!target) throw new Error("Chromium opened no page target within 5 s");
      const page = await Page.connect(target.webSocketDebuggerUrl as string);
      await Promise.all(["Runtime.enable", "Log.enable", "Page.enable"].map((m) => page.send(m)));
      await page.send("Emulation.setDeviceMetricsOverride", {
        width: 1200,
        height: 1400,
        deviceScaleFactor: 1,
        mobile: false,
      });
      const loaded = page.waitFor("Page.loadEventFired");
      await page.send("Page.navigate", { url: `file://${report}` });
      await loaded;

      await t.step("the charts render into SVG within 20 s", async () => {
        let rendered = false;
        for (let i = 0; i < 200 && !rendered; i++) {
          rendered = await page.evaluate<boolean>("document.body.dataset.rendered === 'true'");
          if (!rendered) await new Promise((r) => setTimeout(r, 100));
        }
        assertTrue(rendered, "the page never set data-rendered");
        const marks = await page.evaluate<number[]>(
          `["loss", "accuracy"].map((id) => document.querySelectorAll("#" + id + " svg path").length)`,
        );
        assertTrue(marks.every((n) => n > 10), `SVG paths per chart: ${marks}`);
      });
      await t.step("the screenshot is not blank and shows the curves", async () => {
        const shot = await page.send("Page.captureScreenshot", { format: "png" });
        const png = Uint8Array.from(atob(shot.data as string), (c) => c.charCodeAt(0));
        await Deno.writeFile(`${dir}/screenshot.png`, png);
        const blue = colours(png, "#1f77b4"), orange = colours(png, "#ff7f0e");
        assertTrue(blue.distinct > 50, `${blue.distinct} distinct colours: a blank page?`);
        assertTrue(blue.matching > 1000, `${blue.matching} train-blue pixels`);
        assertTrue(orange.matching > 500, `${orange.matching} val-orange pixels`);
      });
      await t.step("the log-scale checkbox redraws the loss chart", async () => {
        const title =
          `document.querySelector("#loss svg").textContent.includes("loss (log scale)")`;
        assertEquals(await page.evaluate<boolean>(title), false);
        await page.evaluate(`document.getElementById("logscale").click()`);
        let log = false;
        for (let i = 0; i < 100 && !log; i++) {
          log = await page.evaluate<boolean>(title);
          if (!log) await new Promise((r) => setTimeout(r, 100));
        }
        assertTrue(log, "the loss chart did not switch to a log axis");
        assertEquals(
          await page.evaluate<number>(`document.querySelectorAll("#loss svg").length`),
          1,
        );
      });
      await t.step("no console errors or uncaught exceptions", () => {
        const errors = page.events.filter((e) => {
          const p = e.params as Json;
          if (e.method === "Runtime.exceptionThrown") return true;
          if (e.method === "Runtime.consoleAPICalled") return p.type === "error";
          if (e.method === "Log.entryAdded") return (p.entry as Json).level === "error";
          return false;
        });
        assertEquals(errors.map((e) => JSON.stringify(e.params).slice(0, 300)), []);
      });
      await page.close();
      // Close the browser through DevTools, so that it ends its helper processes itself.
      const version = await (await fetch(`http://127.0.0.1:${port}/json/version`)).json();
      const browser = await Page.connect(version.webSocketDebuggerUrl);
      await browser.send("Browser.close").catch(() => {}); // the socket may close first
      await browser.close().catch(() => {});
    } finally {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const exited = await Promise.race([
        child.status.then(() => true),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 3000))),
      ]);
      clearTimeout(timer);
      if (!exited) child.kill("SIGTERM");
      await child.status;
      await drain.catch(() => {});
      await Deno.remove(dir, { recursive: true });
    }
  },
});
