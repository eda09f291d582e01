/**
 * Scatter plots, optionally coloured by a category and with labels placed so they do not
 * overlap (e.g. the 2-D projection of the embeddings, or F1 against support per genre).
 *
 * @module
 */

import {
  type ChartOptions,
  checkFields,
  type Datum,
  fieldRef,
  guessType,
  header,
  pickRows,
  scaleOf,
  tooltipFields,
  type VegaLiteSpec,
} from "./spec.ts";
import { estimateTextWidth } from "./text_width.ts";

/** Options for {@linkcode scatter}. */
export interface ScatterOptions extends ChartOptions {
  /** Numeric field for the horizontal axis. */
  x: string;
  /** Numeric field for the vertical axis. */
  y: string;
  /** Nominal field colouring the points (e.g. primary genre). */
  color?: string;
  /** Legend title for `color`. */
  colorTitle?: string;
  /** Explicit colour order / domain for `color` (legend order). */
  colorOrder?: string[];
  /** Vega colour scheme for `color` (default "tableau20"). */
  scheme?: string;
  /** Fields shown in the tooltip (default: x, y, color, label). */
  tooltip?: string[];
  /** Field written next to each point (e.g. genre names on F1 vs support). */
  label?: string;
  /** Title of the horizontal axis, with units. */
  xTitle?: string;
  /** Title of the vertical axis, with units. */
  yTitle?: string;
  /** Horizontal scale type (default "linear"); "log" suits counts such as support. */
  xScale?: "linear" | "log";
  /** Vertical scale type (default "linear"). */
  yScale?: "linear" | "log";
  /** Point area in px² (default 12 for many points, 40 for few). */
  size?: number;
  /** Point opacity (default 0.6 for many points, 0.9 for few). */
  opacity?: number;
  /** d3 format for numbers in tooltips (default ".3~f"). */
  format?: string;
  /** Columns in the colour legend (default 1, 2 when there are more than 20 colours). */
  legendColumns?: number;
}

/**
 * A scatter plot, optionally coloured by a category and labelled per point. Suits a 2-D
 * embedding projection of ~8k titles coloured by genre, or F1 vs support with genre labels.
 *
 * @example
 * ```ts
 * const spec = scatter(
 *   [{ genre: "Dramas", support: 420, f1: 0.62 }, { genre: "Anime", support: 30, f1: 0.41 }],
 *   { x: "support", y: "f1", label: "genre", title: "F1 vs support", xScale: "log" },
 * );
 * ```
 */
export function scatter(data: readonly Datum[], options: ScatterOptions): VegaLiteSpec {
  const { x, y, color, label } = options;
  const tip = options.tooltip ?? [x, y, ...(color ? [color] : []), ...(label ? [label] : [])];
  checkFields("scatter", data, [x, y, color, label, ...tip]);
  const many = data.length > 500;
  const types: Record<string, "nominal" | "quantitative"> = {
    [x]: "quantitative",
    [y]: "quantitative",
  };
  const xEnc = {
    field: fieldRef(x),
    type: "quantitative",
    title: options.xTitle ?? x,
    scale: scaleOf(options.xScale),
  };
  const yEnc = {
    field: fieldRef(y),
    type: "quantitative",
    title: options.yTitle ?? y,
    scale: scaleOf(options.yScale),
  };
  const nColors = color ? new Set(data.map((d) => d[color])).size : 0;
  const colorEnc = color
    ? {
      color: {
        field: fieldRef(color),
        type: "nominal",
        title: options.colorTitle ?? color,
        scale: {
          scheme: options.scheme ?? "tableau20",
          ...(options.colorOrder ? { domain: options.colorOrder } : {}),
        },
        ...(options.colorOrder ? { sort: options.colorOrder } : {}),
        legend: { columns: options.legendColumns ?? (nColors > 20 ? 2 : 1), symbolLimit: 100 },
      },
    }
    : {};
  const points = {
    mark: {
      type: "circle",
      size: options.size ?? (many ? 12 : 40),
      opacity: options.opacity ?? (many ? 0.6 : 0.9),
      // Per-point aria labels would triple the SVG size of an ~8k-point projection.
      ...(many ? { aria: false } : {}),
      ...(color ? {} : { color: "#4c78a8" }),
    },
    encoding: {
      x: xEnc,
      y: yEnc,
      ...colorEnc,
      tooltip: tooltipFields(
        tip,
        Object.fromEntries(tip.map((f) => [f, types[f] ?? guessType(data, f)])),
        options.format ?? ".3~f",
      ),
    },
  };
  const fields = [x, y, color, label, ...tip];
  const base = {
    ...header(options),
    width: options.width ?? (many ? 560 : label ? 640 : 480),
    height: options.height ?? (many ? 460 : label ? 420 : 320),
    data: { values: pickRows(data, fields) },
  };
  if (!label) return { ...base, ...points };
  const fontSize = 10;
  const placed = placeLabels(data, {
    x,
    y,
    label,
    width: base.width,
    height: base.height,
    xLog: options.xScale === "log",
    yLog: options.yScale === "log",
    fontSize,
  });
  const values = base.data.values.map((row, i) => ({
    ...row,
    __label_dx: placed[i].dx,
    __label_dy: placed[i].dy,
    __label_align: placed[i].align,
  }));
  return {
    ...base,
    data: { values },
    layer: [
      points,
      {
        mark: {
          type: "text",
          baseline: "middle",
          fontSize,
          dx: { expr: "datum.__label_dx" },
          dy: { expr: "datum.__label_dy" },
          align: { expr: "datum.__label_align" },
        },
        encoding: {
          x: xEnc,
          y: yEnc,
          text: { field: fieldRef(label), type: "nominal" },
          ...(color ? colorEnc : {}),
        },
      },
    ],
  };
}

interface LabelPlacement {
  dx: number;
  dy: number;
  align: "left" | "right";
}

/**
 * Greedy label placement: each label goes right of its point unless that overlaps a label
 * already placed, then left, then shifted up or down. Pixel positions are estimated from the
 * data extent and the plot size (axis "nice" rounding only spreads points further apart).
 */
function placeLabels(
  rows: readonly Datum[],
  o: {
    x: string;
    y: string;
    label: string;
    width: number;
    height: number;
    xLog: boolean;
    yLog: boolean;
    fontSize: number;
  },
): LabelPlacement[] {
  const tx = (v: number) => (o.xLog ? Math.log10(Math.max(v, 1e-12)) : v);
  const ty = (v: number) => (o.yLog ? Math.log10(Math.max(v, 1e-12)) : v);
  const xs = rows.map((r) => tx(Number(r[o.x])));
  const ys = rows.map((r) => ty(Number(r[o.y])));
  const ext = (a: number[]) => {
    const f = a.filter(Number.isFinite);
    const lo = Math.min(...f), hi = Math.max(...f);
    return [lo, hi > lo ? hi : lo + 1];
  };
  const [x0, x1] = ext(xs);
  const [y0, y1] = ext(ys);
  const px = xs.map((v) => ((v - x0) / (x1 - x0)) * o.width);
  const py = ys.map((v) => o.height - ((v - y0) / (y1 - y0)) * o.height);
  const boxes: [number, number, number, number][] = [];
  const overlap = (b: [number, number, number, number]) => {
    let total = 0;
    for (const c of boxes) {
      const w = Math.min(b[2], c[2]) - Math.max(b[0], c[0]);
      const h = Math.min(b[3], c[3]) - Math.max(b[1], c[1]);
      if (w > 0 && h > 0) total += w * h;
    }
    // Leaving the plot counts as overlap too.
    if (b[2] > o.width + 40) total += (b[2] - o.width - 40) * (b[3] - b[1]);
    if (b[0] < -40) total += (-40 - b[0]) * (b[3] - b[1]);
    return total;
  };
  const lineH = o.fontSize + 2;
  const candidates: LabelPlacement[] = [];
  for (const dy of [0, -lineH, lineH, -2 * lineH, 2 * lineH]) {
    candidates.push({ dx: 5, dy, align: "left" }, { dx: -5, dy, align: "right" });
  }
  // Place labels from the top of the plot down so crowded clusters spread evenly.
  const order = rows.map((_, i) => i).sort((a, b) => py[a] - py[b]);
  const out: LabelPlacement[] = new Array(rows.length);
  for (const i of order) {
    const text = String(rows[i][o.label] ?? "");
    const w = estimateTextWidth(text, o.fontSize);
    let best = candidates[0];
    let bestBox: [number, number, number, number] | undefined;
    let bestCost = Infinity;
    for (const c of candidates) {
      const left = c.align === "left" ? px[i] + c.dx : px[i] + c.dx - w;
      const top = py[i] + c.dy - lineH / 2;
      const box: [number, number, number, number] = [left, top, left + w, top + lineH];
      const cost = overlap(box) + Math.abs(c.dy) * 0.01;
      if (cost < bestCost) [best, bestBox, bestCost] = [c, box, cost];
      if (cost < 1) break;
    }
    out[i] = best;
    if (bestBox) boxes.push(bestBox);
  }
  return out;
}
