/**
 * Heatmaps: one coloured cell per (row, column) pair, e.g. genre co-occurrence.
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

/** Options for {@linkcode heatmap}. */
export interface HeatmapOptions extends ChartOptions {
  /** Field for columns. */
  x: string;
  /** Field for rows. */
  y: string;
  /** Numeric field coloured in each cell. */
  value: string;
  /** Title of the column axis. */
  xTitle?: string;
  /** Title of the row axis. */
  yTitle?: string;
  /** Legend title for the colour scale, with units. */
  valueTitle?: string;
  /** Side of one square cell in pixels (default 14: fits 10 px labels without overlap). */
  cellSize?: number;
  /** Column order (default: sorted by name). */
  xOrder?: string[];
  /** Row order (default: the column order when rows and columns share values, else by name). */
  yOrder?: string[];
  /** Column label angle: -90 (default, never overlaps) or -45. */
  labelAngle?: -90 | -45;
  /** Vega colour scheme name (default "blues"). */
  scheme?: string;
  /** Colour domain [min, max] (default: the data's extent). */
  domain?: [number, number];
  /** d3 format for tooltips and the legend, e.g. ".2f". */
  format?: string;
  /** Write the value in each cell (only sensible for small matrices). */
  showValues?: boolean;
}

/**
 * A heatmap of `value` over `x` × `y` categories, sized so every label is readable: cells of
 * `cellSize` px (default 14), 10 px labels, column labels at −90°, label limits wide enough for
 * long genre names. A 42 × 42 genre matrix comes out at roughly 590 px square plus labels.
 *
 * @example
 * ```ts
 * const spec = heatmap(
 *   [{ a: "Dramas", b: "Comedies", jaccard: 0.12 }],
 *   { x: "a", y: "b", value: "jaccard", title: "Genre co-occurrence", valueTitle: "Jaccard" },
 * );
 * ```
 */
export function heatmap(cells: readonly Datum[], options: HeatmapOptions): VegaLiteSpec {
  const { x, y, value } = options;
  checkFields("heatmap", cells, [x, y, value]);
  const cell = options.cellSize ?? 14;
  const labelFontSize = Math.max(8, Math.min(11, Math.floor(cell * 0.72)));
  const xs = options.xOrder ?? [...new Set(cells.map((c) => String(c[x])))].sort();
  const ysFromData = [...new Set(cells.map((c) => String(c[y])))];
  const sameAxes = ysFromData.length === xs.length && ysFromData.every((v) => xs.includes(v));
  const ys = options.yOrder ?? (sameAxes ? xs : ysFromData.sort());
  const angle = options.labelAngle ?? -90;
  const types = { [x]: "nominal", [y]: "nominal", [value]: "quantitative" } as const;
  const layers: unknown[] = [{
    mark: {
      type: "rect",
      stroke: "white",
      strokeWidth: 0.5,
      // Per-cell aria labels would make a 42 × 42 matrix ~4× larger; tooltips still work.
      ...(cells.length > 400 ? { aria: false } : {}),
    },
    encoding: {
      color: {
        field: fieldRef(value),
        type: "quantitative",
        title: options.valueTitle ?? value,
        scale: {
          scheme: options.scheme ?? "blues",
          ...(options.domain ? { domain: options.domain } : {}),
        },
        legend: {
          gradientLength: Math.min(300, Math.max(120, ys.length * cell)),
          ...(options.format ? { format: options.format } : {}),
        },
      },
      tooltip: tooltipFields([y, x, value], types, options.format ?? ".3f"),
    },
  }];
  if (options.showValues) {
    layers.push({
      mark: { type: "text", fontSize: Math.max(7, Math.floor(cell * 0.45)) },
      encoding: {
        text: { field: fieldRef(value), type: "quantitative", format: options.format ?? ".2f" },
      },
    });
  }
  return {
    ...header(options),
    width: { step: cell },
    height: { step: cell },
    data: { values: pickRows(cells, [x, y, value]) },
    encoding: {
      x: {
        field: fieldRef(x),
        type: "nominal",
        sort: xs,
        title: options.xTitle ?? x,
        axis: {
          labelAngle: angle,
          labelAlign: "right",
          labelBaseline: angle === -90 ? "middle" : "top",
          labelFontSize,
          labelLimit: 400,
          labelOverlap: false,
          labelPadding: 4,
          orient: "bottom",
        },
      },
      y: {
        field: fieldRef(y),
        type: "nominal",
        sort: ys,
        title: options.yTitle ?? y,
        axis: { labelFontSize, labelLimit: 400, labelOverlap: false, labelPadding: 4 },
      },
    },
    layer: layers,
  };
}
