/**
 * Renders Vega-Lite specs to SVG on the server (no browser, no canvas), saves them under
 * `reports/figures/`, and shows them in the Deno Jupyter kernel as an SVG image plus the
 * interactive `application/vnd.vegalite.v5+json` bundle.
 *
 * @module
 */

import * as vega from "vega";
import { compile } from "vega-lite";
import { basename, join, relative } from "node:path";
import { atomicWrite } from "../io/atomic_write.ts";
import { display, inJupyter } from "../display/kernel_display.ts";
import { figuresDir, finalFiguresDir, PROJECT_ROOT } from "../io/project_paths.ts";
import { VEGA_LITE_V5_SCHEMA, type VegaLiteSpec } from "./spec.ts";
import { estimateTextWidth } from "./text_width.ts";

/** A path relative to the project root when inside it (keeps machine paths out of notebooks). */
function displayPath(path: string): string {
  const rel = relative(PROJECT_ROOT, path);
  return rel && !rel.startsWith("..") && !rel.startsWith("/") ? rel : path;
}

type TextItem = { fontSize?: number; fontWeight?: string | number; text?: unknown };
let metricsInstalled = false;

/** Replaces Vega's crude 0.8 em/char fallback with {@linkcode estimateTextWidth}. */
function useEstimatedTextMetrics(): void {
  if (metricsInstalled) return;
  // `textMetrics` is exported by vega (from vega-scenegraph) but missing from its typings.
  const metrics = (vega as unknown as {
    textMetrics: { width: (item: TextItem, text?: unknown) => number };
  }).textMetrics;
  metrics.width = (item: TextItem, text?: unknown) => {
    const size = item.fontSize != null ? +item.fontSize || 0 : 11;
    const value = text == null ? "" : String(text).trim();
    const weight = item.fontWeight;
    const bold = weight === "bold" || (typeof weight === "number" && weight >= 600);
    return estimateTextWidth(value, size, { bold });
  };
  metricsInstalled = true;
}

// ---------------------------------------------------------------------------------------------
// Compile and render

interface CollectingLogger {
  messages: string[];
  level(): number;
  level(level: number): CollectingLogger;
  error(...args: unknown[]): CollectingLogger;
  warn(...args: unknown[]): CollectingLogger;
  info(...args: unknown[]): CollectingLogger;
  debug(...args: unknown[]): CollectingLogger;
}

function collectingLogger(): CollectingLogger {
  const messages: string[] = [];
  const logger = {
    messages,
    level(level?: number) {
      return level === undefined ? vega.Warn : logger;
    },
    error(...args: unknown[]) {
      messages.push(`error: ${args.map(String).join(" ")}`);
      return logger;
    },
    warn(...args: unknown[]) {
      messages.push(args.map(String).join(" "));
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  return logger as CollectingLogger;
}

/** Result of {@linkcode compileChart}. */
export interface CompiledChart {
  /** The compiled Vega spec. */
  vega: vega.Spec;
  /** Warnings Vega-Lite reported while compiling (empty for a clean spec). */
  warnings: string[];
}

/**
 * Title text of a spec (first line when the title is multi-line), or "" when it has none.
 *
 * @example
 * ```ts
 * chartTitle({ $schema: "", title: { text: "F1 per genre" } }); // "F1 per genre"
 * ```
 */
export function chartTitle(spec: VegaLiteSpec): string {
  const t = spec.title;
  if (typeof t === "string") return t;
  if (t && typeof t === "object") {
    const text = (t as { text?: unknown }).text;
    if (typeof text === "string") return text;
    if (Array.isArray(text)) return text.map(String).join(" ");
  }
  return "";
}

/**
 * Compiles a Vega-Lite spec to Vega, collecting warnings instead of printing them.
 *
 * @example
 * ```ts
 * import { barChart } from "./bar_charts.ts";
 * const rows = [{ genre: "Dramas", n: 2106 }, { genre: "Comedies", n: 1471 }];
 * const { vega, warnings } = compileChart(barChart(rows, { x: "genre", y: "n", title: "Titles" }));
 * console.log(Object.keys(vega));
 * if (warnings.length) console.warn(warnings);
 * ```
 */
export function compileChart(spec: VegaLiteSpec): CompiledChart {
  const logger = collectingLogger();
  try {
    // deno-lint-ignore no-explicit-any
    const out = compile(spec as any, { logger: logger as any });
    return { vega: out.spec as vega.Spec, warnings: logger.messages };
  } catch (err) {
    throw new Error(
      `Vega-Lite could not compile the chart "${chartTitle(spec)}": ${(err as Error).message}. ` +
        "Check the field names, mark and encoding types passed to the chart builder.",
    );
  }
}

/**
 * Renders a Vega-Lite spec to an SVG string on the server (Vega's headless "none" renderer, text
 * measured with {@linkcode estimateTextWidth}). Compile warnings are printed with console.warn.
 *
 * @example
 * ```ts
 * import { barChart } from "./bar_charts.ts";
 * const rows = [{ genre: "Dramas", n: 2106 }, { genre: "Comedies", n: 1471 }];
 * const svg = await renderSvg(barChart(rows, { x: "genre", y: "n", title: "Titles per genre" }));
 * ```
 */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  useEstimatedTextMetrics();
  const compiled = compileChart(spec);
  for (const w of compiled.warnings) console.warn(`vega-lite (${chartTitle(spec)}): ${w}`);
  const logger = collectingLogger();
  // deno-lint-ignore no-explicit-any
  const view = new vega.View(vega.parse(compiled.vega), { renderer: "none", logger } as any);
  try {
    const svg = await view.toSVG();
    for (const m of logger.messages) console.warn(`vega (${chartTitle(spec)}): ${m}`);
    return svg;
  } finally {
    view.finalize();
  }
}

/**
 * The spec to hand to interactive frontends: a copy with the Vega-Lite v5 `$schema` (the Deno
 * kernel labels output by MIME type, and notebook frontends render that type with Vega-Lite 5).
 *
 * @example
 * ```ts
 * import { barChart } from "./bar_charts.ts";
 * const rows = [{ genre: "Dramas", n: 2106 }, { genre: "Comedies", n: 1471 }];
 * interactiveSpec(barChart(rows, { x: "genre", y: "n", title: "t" })).$schema;
 * // "https://vega.github.io/schema/vega-lite/v5.json"
 * ```
 */
export function interactiveSpec(spec: VegaLiteSpec): VegaLiteSpec {
  return { ...spec, $schema: VEGA_LITE_V5_SCHEMA };
}

// ---------------------------------------------------------------------------------------------
// Save and show

/** Options for {@linkcode showChart}. */
export interface ShowChartOptions {
  /** File name without extension: letters, digits, `.`, `_`, `-` (e.g. "f1_per_genre"). */
  name: string;
  /**
   * Folder for the SVG. Default: {@linkcode figuresDir} (the project's `reports/figures`, a
   * sample run's own, or a report run's staging folder). A relative path is taken from the cwd.
   */
  dir?: string;
  /** Also attach the interactive Vega-Lite spec in Jupyter (default true). */
  interactive?: boolean;
  /** Outside Jupyter, do not print the saved path. */
  quiet?: boolean;
}

/** Result of {@linkcode saveChart}. */
export interface ShownChart {
  /** Path of the saved SVG. */
  path: string;
  /** The SVG markup. */
  svg: string;
}

function checkName(name: string): void {
  if (typeof name !== "string" || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new Error(
      `invalid figure name ${JSON.stringify(name)}; use letters, digits, ".", "_" ` +
        'or "-" (no slashes or extension), e.g. "f1_per_genre"',
    );
  }
}

/**
 * Renders a chart to SVG and saves it atomically as `<dir>/<name>.svg`, without displaying it.
 *
 * @example
 * ```ts
 * import { barChart } from "./bar_charts.ts";
 * const rows = [{ genre: "Dramas", n: 2106 }, { genre: "Comedies", n: 1471 }];
 * const { path } = await saveChart(barChart(rows, { x: "genre", y: "n", title: "Titles" }), {
 *   name: "titles_per_genre",
 * });
 * ```
 */
export async function saveChart(
  spec: VegaLiteSpec,
  options: Pick<ShowChartOptions, "name" | "dir">,
): Promise<ShownChart> {
  checkName(options.name);
  const svg = await renderSvg(spec);
  const path = join(options.dir ?? figuresDir(), `${options.name}.svg`);
  await atomicWrite(path, svg);
  return { path, svg };
}

/**
 * Renders a chart to SVG, saves it like {@linkcode saveChart}, and in Jupyter displays it as
 * `image/svg+xml` + `application/vnd.vegalite.v5+json` + `text/plain` (the title). Outside Jupyter
 * it prints the saved path. Resolves to nothing, so a cell ending in it shows only the chart.
 *
 * @example
 * ```ts
 * import { barChart } from "./bar_charts.ts";
 * const rows = [{ genre: "Dramas", n: 2106 }, { genre: "Comedies", n: 1471 }];
 * await showChart(barChart(rows, { x: "genre", y: "n", title: "Titles per genre" }), {
 *   name: "titles_per_genre",
 * });
 * ```
 */
export async function showChart(spec: VegaLiteSpec, options: ShowChartOptions): Promise<void> {
  const { path, svg } = await saveChart(spec, options);
  const title = chartTitle(spec) || options.name;
  // Where the chart will stay: a report run saves into a temporary folder that replaces figures/.
  const shown = displayPath(options.dir ? path : join(finalFiguresDir(), basename(path)));
  if (inJupyter()) {
    await display({
      "image/svg+xml": svg,
      ...(options.interactive === false
        ? {}
        : { "application/vnd.vegalite.v5+json": interactiveSpec(spec) }),
      "text/plain": `${title} [${shown}]`,
    });
  } else if (!options.quiet) {
    console.log(`chart "${title}" saved to ${shown}`);
  }
}
