/**
 * Bar charts: one numeric field per category, and bars grouped by a second category.
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

/** Options for {@linkcode barChart}. */
export interface BarChartOptions extends ChartOptions {
  /** Category field (one bar per value). */
  x: string;
  /** Numeric field giving each bar's length. */
  y: string;
  /** Title of the category axis (default: the field name). */
  xTitle?: string;
  /** Title of the value axis, with units (default: the field name). */
  yTitle?: string;
  /** Bar order: by value (default "descending"), data order ("none"), or an explicit list. */
  sort?: "ascending" | "descending" | "none" | string[];
  /** Nominal field that colours the bars (with a legend). */
  color?: string;
  /** Legend title for `color`. */
  colorTitle?: string;
  /** Fixed bar colour when `color` is not given. */
  fill?: string;
  /** Draw categories down the left (best for long names such as genres). */
  horizontal?: boolean;
  /** d3 format for values on the axis and in tooltips, e.g. ".2f" or ".0%". */
  format?: string;
  /** Print each bar's value at its end. */
  labels?: boolean;
  /** Pixels per bar along the category axis (default 18 horizontal, 22 vertical). */
  step?: number;
  /** Extra fields shown in the tooltip. */
  tooltip?: string[];
}

/** Category order for bars: explicit, data order (null) or by summed value. */
function categoryOrder(
  rows: readonly Datum[],
  category: string,
  value: string,
  sort: BarChartOptions["sort"],
): string[] | null {
  if (Array.isArray(sort)) return sort;
  if (sort === "none") return null;
  const totals = new Map<string, number>();
  for (const row of rows) {
    const key = String(row[category]);
    const v = Number(row[value]);
    totals.set(key, (totals.get(key) ?? 0) + (Number.isFinite(v) ? v : 0));
  }
  const sign = sort === "ascending" ? 1 : -1;
  // An explicit order (rather than `sort: "-x"`) stays consistent across layers.
  return [...totals.entries()].sort((a, b) => sign * (a[1] - b[1]) || (a[0] < b[0] ? -1 : 1))
    .map(([k]) => k);
}

/**
 * A bar chart of one numeric field per category.
 *
 * `x` is always the category field and `y` the value field; `horizontal: true` only changes the
 * drawing (categories on the vertical axis), and `xTitle`/`yTitle` keep naming the category and
 * value axes.
 *
 * @example
 * ```ts
 * const spec = barChart(
 *   [{ genre: "Dramas", titles: 2106 }, { genre: "Comedies", titles: 1471 }],
 *   { x: "genre", y: "titles", title: "Titles per genre", yTitle: "titles (count)", horizontal: true },
 * );
 * ```
 */
export function barChart(data: readonly Datum[], options: BarChartOptions): VegaLiteSpec {
  const { x, y, color } = options;
  checkFields("barChart", data, [x, y, color, ...(options.tooltip ?? [])]);
  const horizontal = options.horizontal ?? false;
  const catChannel = horizontal ? "y" : "x";
  const valChannel = horizontal ? "x" : "y";
  const types: Record<string, "nominal" | "quantitative"> = { [x]: "nominal", [y]: "quantitative" };
  if (color) types[color] = "nominal";
  const category = {
    field: fieldRef(x),
    type: "nominal",
    title: options.xTitle ?? x,
    sort: categoryOrder(data, x, y, options.sort),
    axis: horizontal
      ? { labelLimit: 320 }
      : { labelAngle: -45, labelAlign: "right", labelLimit: 200 },
  };
  const value = {
    field: fieldRef(y),
    type: "quantitative",
    title: options.yTitle ?? y,
    ...(options.format ? { axis: { format: options.format } } : {}),
  };
  const step = options.step ?? (horizontal ? 18 : 22);
  const tip = [x, y, ...(color && color !== x ? [color] : []), ...(options.tooltip ?? [])];
  const barMark = { type: "bar", ...(color ? {} : { color: options.fill ?? "#4c78a8" }) };
  const barEncoding = {
    ...(color
      ? { color: { field: fieldRef(color), type: "nominal", title: options.colorTitle ?? color } }
      : {}),
    tooltip: tooltipFields([...new Set(tip)], types, options.format),
  };
  const size = horizontal
    ? { width: options.width ?? 420, height: options.height ?? { step } }
    : { width: options.width ?? { step }, height: options.height ?? 300 };
  const head = {
    ...header(options),
    ...size,
    data: { values: pickRows(data, [x, y, color, ...(options.tooltip ?? [])]) },
  };
  const position = { [catChannel]: category, [valChannel]: value };
  if (!options.labels) {
    return { ...head, mark: barMark, encoding: { ...position, ...barEncoding } };
  }
  // Shared positional encoding at the layer level keeps one sort for bars and their labels.
  return {
    ...head,
    encoding: position,
    layer: [
      { mark: barMark, encoding: barEncoding },
      {
        mark: {
          type: "text",
          ...(horizontal ? { align: "left", dx: 3 } : { baseline: "bottom", dy: -2 }),
          fontSize: 10,
        },
        encoding: {
          text: { field: fieldRef(y), type: "quantitative", format: options.format ?? ".3~f" },
        },
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Grouped bar chart

/** Options for {@linkcode groupedBarChart}. */
export interface GroupedBarOptions extends ChartOptions {
  /** Category field (e.g. genre). */
  category: string;
  /** Numeric field (e.g. F1). */
  value: string;
  /** Field naming the group inside each category (e.g. model). */
  group: string;
  /** Title of the category axis (default: the field name). */
  categoryTitle?: string;
  /** Title of the value axis, with units (default: the field name). */
  valueTitle?: string;
  /** Legend title for the groups (default: the field name). */
  groupTitle?: string;
  /** Category order: an explicit list, or by mean value (default "descending"), or "none". */
  sort?: "ascending" | "descending" | "none" | string[];
  /** Group order (legend and bar order within a category). */
  groupOrder?: string[];
  /** Categories down the left (default true: suits long genre names). */
  horizontal?: boolean;
  /** Thickness of one bar in pixels (default 5). */
  barSize?: number;
  /** d3 format for the value axis and tooltips, e.g. ".2f". */
  format?: string;
}

/**
 * Bars for several groups side by side within each category, e.g. F1 per genre for each model.
 *
 * @example
 * ```ts
 * const spec = groupedBarChart(
 *   [
 *     { genre: "Dramas", model: "LR", f1: 0.61 },
 *     { genre: "Dramas", model: "RF", f1: 0.55 },
 *   ],
 *   { category: "genre", value: "f1", group: "model", title: "F1 per genre", valueTitle: "F1" },
 * );
 * ```
 */
export function groupedBarChart(data: readonly Datum[], options: GroupedBarOptions): VegaLiteSpec {
  const { category, value, group } = options;
  checkFields("groupedBarChart", data, [category, value, group]);
  const horizontal = options.horizontal ?? true;
  const catChannel = horizontal ? "y" : "x";
  const valChannel = horizontal ? "x" : "y";
  const offChannel = horizontal ? "yOffset" : "xOffset";
  const groups = options.groupOrder ??
    [...new Set(data.map((d) => String(d[group])))];
  const barSize = options.barSize ?? 5;
  const step = Math.max(12, barSize * groups.length + 4);
  let sort: unknown = null;
  if (Array.isArray(options.sort)) sort = options.sort;
  else if (options.sort !== "none") {
    sort = {
      field: fieldRef(value),
      op: "mean",
      order: options.sort === "ascending" ? "ascending" : "descending",
    };
  }
  const types = { [category]: "nominal", [value]: "quantitative", [group]: "nominal" } as const;
  return {
    ...header(options),
    ...(horizontal
      ? { width: options.width ?? 420, height: options.height ?? { step, for: "position" } }
      : { width: options.width ?? { step, for: "position" }, height: options.height ?? 300 }),
    data: { values: pickRows(data, [category, value, group]) },
    mark: { type: "bar" },
    encoding: {
      [catChannel]: {
        field: fieldRef(category),
        type: "nominal",
        title: options.categoryTitle ?? category,
        sort,
        scale: { paddingInner: 0.2 },
        axis: horizontal
          ? { labelLimit: 320 }
          : { labelAngle: -45, labelAlign: "right", labelLimit: 200 },
      },
      [offChannel]: { field: fieldRef(group), type: "nominal", sort: groups },
      [valChannel]: {
        field: fieldRef(value),
        type: "quantitative",
        title: options.valueTitle ?? value,
        ...(options.format ? { axis: { format: options.format } } : {}),
      },
      color: {
        field: fieldRef(group),
        type: "nominal",
        title: options.groupTitle ?? group,
        sort: groups,
        legend: { orient: "top", direction: "horizontal" },
      },
      tooltip: tooltipFields([category, group, value], types, options.format ?? ".3f"),
    },
  };
}
