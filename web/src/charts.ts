/**
 * The page's charts: the Vega-Lite specs of `report.html` (train/viz/chart.ts: the loss and
 * the accuracy charts of the metrics rows so far), compiled by Vega-Lite and drawn by Vega as
 * SVG. The entry of `web/dist/charts.js`, which the page imports (Vega and Vega-Lite inside).
 *
 * @module
 */

import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { accuracyChartOptions, lineChartSpec, lossChartOptions } from "../../train/viz/chart.ts";
import type { MetricsRow } from "../../train/viz/metrics.ts";

/** The charts of a run's metrics rows; a chart without any point yet is null. */
export interface ChartSpecs {
  loss: TopLevelSpec | null;
  accuracy: TopLevelSpec | null;
}

/** A spec, or null where `lineChartSpec` refuses an empty chart (a RangeError). */
function orNull(make: () => TopLevelSpec): TopLevelSpec | null {
  try {
    return make();
  } catch (e) {
    if (e instanceof RangeError) return null;
    throw e;
  }
}

/** The Vega-Lite specs `report.html` draws for these rows (without its zoom binding). */
export function chartSpecs(rows: readonly MetricsRow[]): ChartSpecs {
  return {
    loss: orNull(() => lineChartSpec(lossChartOptions(rows))),
    accuracy: orNull(() => lineChartSpec(accuracyChartOptions(rows))),
  };
}

/** A page element the charts draw into (the DOM's `Element`; this project checks without DOM types). */
export interface ChartElement {
  replaceChildren(): void;
}

/** Draws the charts into two elements, replacing what was drawn before. */
export class Charts {
  #views = new Map<ChartElement, vega.View>();
  /** The specs drawn last. */
  drawn: ChartSpecs = { loss: null, accuracy: null };

  constructor(readonly loss: ChartElement, readonly accuracy: ChartElement) {}

  /** Draws the charts of `rows`. */
  async draw(rows: readonly MetricsRow[]): Promise<void> {
    const specs = chartSpecs(rows);
    await Promise.all([
      this.#show(this.loss, specs.loss),
      this.#show(this.accuracy, specs.accuracy),
    ]);
    this.drawn = specs;
  }

  /** Removes the charts. */
  clear(): void {
    for (const view of this.#views.values()) view.finalize();
    this.#views.clear();
    this.loss.replaceChildren();
    this.accuracy.replaceChildren();
    this.drawn = { loss: null, accuracy: null };
  }

  async #show(el: ChartElement, spec: TopLevelSpec | null): Promise<void> {
    this.#views.get(el)?.finalize();
    this.#views.delete(el);
    el.replaceChildren();
    if (spec === null) return;
    const view = new vega.View(vega.parse(compile(spec).spec), {
      renderer: "svg",
      container: el as never, // an Element in the page
      hover: true,
    });
    this.#views.set(el, view);
    await view.runAsync();
  }
}
