/**
 * What every chart builder shares: the Vega-Lite v5 spec type, the options every builder takes,
 * the chart font and base config, and the field checks and row copying the builders use.
 * Builders (one file per chart kind) only build JSON-serialisable spec objects; rendering lives
 * in `render.ts`.
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
 * import { barChart } from "./bar_charts.ts";
 * barChart([{ genre: "Dramas", n: 3 }], { x: "genre", y: "n", title: "t" }).$schema ===
 *   VEGA_LITE_V5_SCHEMA; // true
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

/** Font stack whose widths the server-side text measurement in `text_width.ts` assumes. */
const CHART_FONT = "DejaVu Sans, Verdana, Geneva, sans-serif";

/** The config every spec carries: font, sizes, label limits. */
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

/** Throws when `rows` is not an array or its first row lacks one of `fields`. */
export function checkFields(
  what: string,
  rows: readonly Datum[],
  fields: (string | undefined)[],
): void {
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

/** The `$schema`, title, description and base config of every spec (a title is required). */
export function header(opts: ChartOptions): Pick<VegaLiteSpec, "$schema" | "title"> & {
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
export function pickRows(rows: readonly Datum[], fields: (string | undefined)[]): Datum[] {
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

/** Tooltip encodings for `fields`, numbers formatted with `format`. */
export function tooltipFields(
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

/** A linear (not from zero) or log scale, rounded to nice values. */
export function scaleOf(type: "linear" | "log" | undefined) {
  return type === "log" ? { type: "log", nice: true } : { type: "linear", zero: false, nice: true };
}

/** `quantitative` when the field's first present value is a number, else `nominal`. */
export function guessType(data: readonly Datum[], field: string): "nominal" | "quantitative" {
  const v = data.find((d) => d[field] !== null && d[field] !== undefined)?.[field];
  return typeof v === "number" ? "quantitative" : "nominal";
}
