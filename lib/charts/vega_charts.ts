/**
 * Builders that turn plain rows into Vega-Lite specs: bar, grouped bar, heatmap, line with a
 * ±band, and scatter. Builders only build JSON-serialisable spec objects; rendering lives in
 * `chart_display.ts`.
 *
 * Specs use the Vega-Lite v5 `$schema` and only features that v5 understands, because notebook
 * frontends render `application/vnd.vegalite.v5+json` with a v5 library even though the npm
 * `vega-lite` used for server-side SVG is 6.x.
 *
 * @module
 */

/**
 * The `$schema` every builder writes (frontends render the v5 MIME type with Vega-Lite 5).
 *
 * @example
 * ```ts
 * barChart(rows, { x: "genre", y: "n", title: "t" }).$schema === VEGA_LITE_V5_SCHEMA; // true
 * ```
 */
export const VEGA_LITE_V5_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

/** One row of chart data: field name → value. */
export type Datum = Record<string, string | number | boolean | null | undefined>;

/** A Vega-Lite spec as a plain JSON object. */
export interface VegaLiteSpec {
  /** Schema URL; builders always set {@linkcode VEGA_LITE_V5_SCHEMA}. */
  $schema: string;
  /** Chart title: a string or a Vega-Lite title object with `text`. */
  title?: string | { text: string | string[]; subtitle?: string | string[] };
  /** Every other Vega-Lite property. */
  [key: string]: unknown;
}

/** Options every builder accepts. */
export interface ChartOptions {
  /** Chart title (required: every chart says what it shows). */
  title: string;
  /** A smaller line under the title, e.g. the data split or sample size. */
  subtitle?: string;
  /** Plot width in pixels (builders pick a sensible default). */
  width?: number;
  /** Plot height in pixels (builders pick a sensible default). */
  height?: number;
  /** Accessible description; defaults to the title. */
  description?: string;
}

/**
 * Font stack whose widths the server-side text measurement in `chart_display.ts` assumes.
 *
 * @example
 * ```ts
 * const spec = { ...barChart(rows, opts), config: { font: CHART_FONT } };
 * ```
 */
export const CHART_FONT = "DejaVu Sans, Verdana, Geneva, sans-serif";

const BASE_CONFIG = {
  font: CHART_FONT,
  background: "white",
  padding: 8,
  title: { fontSize: 15, subtitleFontSize: 12, anchor: "start", offset: 10, limit: 0 },
  axis: {
    labelFontSize: 11,
    titleFontSize: 12,
    labelLimit: 320,
    titlePadding: 8,
    titleFontWeight: "bold",
  },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 320, symbolLimit: 100 },
  view: { stroke: "#ddd" },
};

/**
 * Escapes a field name for Vega-Lite, where `.` and `[]` otherwise mean nested access.
 *
 * @example
 * ```ts
 * fieldRef("f1.macro"); // "f1\\.macro"
 * ```
 */
export function fieldRef(name: string): string {
  return name.replace(/[.[\]\\]/g, (c) => `\\${c}`);
}

function checkFields(what: string, rows: readonly Datum[], fields: (string | undefined)[]): void {
  if (!Array.isArray(rows)) {
    throw new TypeError(`${what}: data must be an array of row objects, got ${typeof rows}`);
  }
  if (rows.length === 0) return;
  const first = rows[0];
  for (const f of fields) {
    if (f === undefined) continue;
    if (!(f in first)) {
      throw new Error(
        `${what}: field "${f}" is not in the data (first row has: ${
          Object.keys(first).join(", ")
        }); pass the name of an existing column`,
      );
    }
  }
}

function header(opts: ChartOptions): Pick<VegaLiteSpec, "$schema" | "title"> & {
  description: string;
  config: typeof BASE_CONFIG;
} {
  if (typeof opts.title !== "string" || opts.title.trim() === "") {
    throw new Error('chart title is missing: pass { title: "…" } so the chart says what it shows');
  }
  return {
    $schema: VEGA_LITE_V5_SCHEMA,
    title: opts.subtitle ? { text: opts.title, subtitle: opts.subtitle } : { text: opts.title },
    description: opts.description ?? opts.title,
    config: BASE_CONFIG,
  };
}

/** Copies rows into plain objects holding only the fields the chart uses (keeps specs small). */
function pickRows(rows: readonly Datum[], fields: (string | undefined)[]): Datum[] {
  const keep = [...new Set(fields.filter((f): f is string => f !== undefined))];
  return rows.map((row) => {
    const out: Datum = {};
    for (const f of keep) {
      const v = row[f];
      out[f] = typeof v === "number" && !Number.isFinite(v) ? null : v;
    }
    return out;
  });
}

function tooltipFields(
  fields: string[],
  types: Record<string, "nominal" | "quantitative" | "ordinal">,
  format?: string,
) {
  return fields.map((f) => ({
    field: fieldRef(f),
    type: types[f] ?? "nominal",
    title: f,
    ...(types[f] === "quantitative" && format ? { format } : {}),
  }));
}

// ---------------------------------------------------------------------------------------------
// Bar chart

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

// ---------------------------------------------------------------------------------------------
// Heatmap

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

// ---------------------------------------------------------------------------------------------
// Line with a ± band

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

// ---------------------------------------------------------------------------------------------
// Scatter

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
    const w = text.length * o.fontSize * 0.62;
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

function scaleOf(type: "linear" | "log" | undefined) {
  return type === "log" ? { type: "log", nice: true } : { type: "linear", zero: false, nice: true };
}

function guessType(data: readonly Datum[], field: string): "nominal" | "quantitative" {
  const v = data.find((d) => d[field] !== null && d[field] !== undefined)?.[field];
  return typeof v === "number" ? "quantitative" : "nominal";
}

// ---------------------------------------------------------------------------------------------
// Multi-series line chart

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
