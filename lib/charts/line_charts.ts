/**
 * Line charts: a line with a ±band (e.g. mean ± std over folds), and one line per series, both
 * with an optional marked x value (the chosen threshold).
 *
 * @module
 */

import {
  type ChartOptions,
  checkFields,
  type Datum,
  fieldRef,
  header,
  pickRows,
  tooltipFields,
  type VegaLiteSpec,
} from "./spec.ts";

/** Options for {@linkcode lineWithBand}. */
export interface LineWithBandOptions extends ChartOptions {
  /** Numeric field along the horizontal axis (e.g. threshold). */
  x: string;
  /** Field of the line (e.g. mean F1). */
  y: string;
  /** Field of the band's lower edge (e.g. mean − std). */
  lower: string;
  /** Field of the band's upper edge (e.g. mean + std). */
  upper: string;
  /** Vertical rule marking a chosen x, with a label. */
  mark?: { x: number; label: string };
  /** Title of the horizontal axis, with units. */
  xTitle?: string;
  /** Title of the vertical axis, with units. */
  yTitle?: string;
  /** Vertical domain, e.g. [0, 1] for scores (default: fitted to the band). */
  yDomain?: [number, number];
  /** Line and band colour (default "#4c78a8"). */
  color?: string;
  /** d3 format for tooltips (default ".3f"). */
  format?: string;
}

/**
 * A line with a shaded band (e.g. mean F1 ± std over CV folds against the decision threshold) and
 * an optional dashed rule marking a chosen x (e.g. the selected threshold).
 *
 * @example
 * ```ts
 * const rows = [0.1, 0.2, 0.3].map((t) => ({ t, f1: 0.5 - (t - 0.2) ** 2, lo: 0.45, hi: 0.55 }));
 * const spec = lineWithBand(rows, {
 *   x: "t", y: "f1", lower: "lo", upper: "hi", title: "F1 vs threshold",
 *   mark: { x: 0.2, label: "chosen 0.20" },
 * });
 * ```
 */
export function lineWithBand(data: readonly Datum[], options: LineWithBandOptions): VegaLiteSpec {
  const { x, y, lower, upper } = options;
  checkFields("lineWithBand", data, [x, y, lower, upper]);
  const color = options.color ?? "#4c78a8";
  const xEnc = { field: fieldRef(x), type: "quantitative", title: options.xTitle ?? x };
  const yScale = options.yDomain ? { domain: options.yDomain } : { zero: false };
  const fmt = options.format ?? ".3f";
  const types = { [x]: "quantitative", [y]: "quantitative", [lower]: "quantitative" } as const;
  const layers: unknown[] = [
    {
      mark: { type: "area", opacity: 0.22, color },
      encoding: {
        x: xEnc,
        y: {
          field: fieldRef(lower),
          type: "quantitative",
          title: options.yTitle ?? y,
          scale: yScale,
        },
        y2: { field: fieldRef(upper) },
      },
    },
    {
      mark: { type: "line", color, strokeWidth: 2, point: { size: 18, color } },
      encoding: {
        x: xEnc,
        y: { field: fieldRef(y), type: "quantitative", title: options.yTitle ?? y },
        tooltip: tooltipFields([x, y, lower, upper], { ...types, [upper]: "quantitative" }, fmt),
      },
    },
  ];
  if (options.mark) layers.push(...markLayers("lineWithBand", options.mark));
  return {
    ...header(options),
    width: options.width ?? 480,
    height: options.height ?? 300,
    data: { values: pickRows(data, [x, y, lower, upper]) },
    layer: layers,
  };
}

/** Options for {@linkcode lineChart}. */
export interface LineChartOptions extends ChartOptions {
  /** Quantitative x field. */
  x: string;
  /** Quantitative y field. */
  y: string;
  /** Nominal field splitting the data into one line per value. */
  color: string;
  xTitle?: string;
  yTitle?: string;
  colorTitle?: string;
  /** y-axis domain, e.g. `[0, 1]`. */
  yDomain?: [number, number];
  /** A vertical rule marking one x value (e.g. the chosen threshold). */
  mark?: { x: number; label: string };
  /** d3 number format for tooltips (default ".3f"). */
  format?: string;
}

/**
 * One line per series (long-form rows `{x, y, series}`), with an optional marked x value.
 *
 * @example
 * ```ts
 * lineChart([{ t: 0.1, v: 0.4, metric: "precision" }, { t: 0.2, v: 0.5, metric: "precision" }], {
 *   x: "t", y: "v", color: "metric", title: "Precision vs threshold",
 * });
 * ```
 */
export function lineChart(data: readonly Datum[], options: LineChartOptions): VegaLiteSpec {
  const { x, y, color } = options;
  checkFields("lineChart", data, [x, y, color]);
  const fmt = options.format ?? ".3f";
  const layers: unknown[] = [{
    mark: { type: "line", strokeWidth: 2, point: { size: 16 } },
    encoding: {
      x: { field: fieldRef(x), type: "quantitative", title: options.xTitle ?? x },
      y: {
        field: fieldRef(y),
        type: "quantitative",
        title: options.yTitle ?? y,
        scale: options.yDomain ? { domain: options.yDomain } : { zero: false },
      },
      color: { field: fieldRef(color), type: "nominal", title: options.colorTitle ?? color },
      tooltip: tooltipFields([color, x, y], { [x]: "quantitative", [y]: "quantitative" }, fmt),
    },
  }];
  if (options.mark) layers.push(...markLayers("lineChart", options.mark));
  return {
    ...header(options),
    width: options.width ?? 480,
    height: options.height ?? 300,
    data: { values: pickRows(data, [x, y, color]) },
    layer: layers,
  };
}

/** A dashed vertical rule at `mark.x` with its label (the chosen threshold in threshold charts). */
function markLayers(what: string, mark: { x: number; label: string }): unknown[] {
  if (!Number.isFinite(mark.x)) {
    throw new Error(`${what}: mark.x must be a finite number, got ${mark.x}`);
  }
  const markData = { values: [{ x: mark.x, label: mark.label }] };
  return [
    {
      data: markData,
      mark: { type: "rule", color: "#d62728", strokeDash: [5, 4], strokeWidth: 1.5 },
      encoding: { x: { field: "x", type: "quantitative" } },
    },
    {
      data: markData,
      mark: {
        type: "text",
        color: "#d62728",
        align: "left",
        baseline: "top",
        dx: 4,
        dy: 4,
        fontSize: 11,
      },
      encoding: {
        x: { field: "x", type: "quantitative" },
        y: { value: 0 },
        text: { field: "label", type: "nominal" },
      },
    },
  ];
}
