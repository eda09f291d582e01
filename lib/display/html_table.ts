/**
 * Escaped HTML tables for notebooks (titles and descriptions are data and may hold `<`, `&`…).
 *
 * @module
 */

import { escapeHtml } from "./escape_html.ts";
import { display } from "./kernel_display.ts";

/** A table row: column name → cell value. */
export type Row = Record<string, string | number | null | undefined>;

/** Cell text: empty for missing values, integers as they are, other numbers to `digits`. */
function formatCell(v: Row[string], digits: number): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toFixed(digits);
  return String(v);
}

/**
 * Renders rows as an HTML table; every header and cell is escaped, numbers are formatted with
 * `digits` decimals.
 *
 * @example
 * ```ts
 * htmlTable([{ title: "<Tom & Jerry>", f1: 0.5 }]); // "<table>…&lt;Tom &amp; Jerry&gt;…"
 * ```
 */
export function htmlTable(
  rows: readonly Row[],
  options: { digits?: number; caption?: string } = {},
): string {
  const digits = options.digits ?? 3;
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const fmt = (v: Row[string]) => formatCell(v, digits);
  const head = cols.map((c) => `<th style="text-align:left">${escapeHtml(c)}</th>`).join("");
  const body = rows.map((r) =>
    `<tr>${
      cols.map((c) =>
        `<td style="text-align:${typeof r[c] === "number" ? "right" : "left"}">${
          escapeHtml(fmt(r[c]))
        }</td>`
      ).join("")
    }</tr>`
  ).join("\n");
  const caption = options.caption ? `<caption>${escapeHtml(options.caption)}</caption>` : "";
  return `<table>${caption}<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/**
 * Shows rows as a table: HTML in Jupyter, a plain-text table on the console elsewhere.
 *
 * @example
 * ```ts
 * await showTable([{ genre: "Dramas", f1: 0.71 }]);
 * ```
 */
export async function showTable(
  rows: readonly Row[],
  options: { digits?: number; caption?: string } = {},
): Promise<void> {
  const shown = await display({
    "text/html": htmlTable(rows, options),
    "text/plain": textTable(rows, options),
  });
  if (!shown) console.log(textTable(rows, options));
}

/**
 * Plain-text table (for logs and the console).
 *
 * @example
 * ```ts
 * console.log(textTable([{ a: 1, b: "x" }]));
 * ```
 */
export function textTable(
  rows: readonly Row[],
  options: { digits?: number; caption?: string } = {},
): string {
  const digits = options.digits ?? 3;
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cells = rows.map((r) =>
    cols.map((c) => {
      const v = r[c];
      return v === null || v === undefined
        ? ""
        : typeof v === "number"
        ? (Number.isInteger(v) ? String(v) : v.toFixed(digits))
        : String(v);
    })
  );
  const widths = cols.map((c, j) => Math.max(c.length, ...cells.map((r) => r[j].length)));
  const line = (r: string[]) => r.map((v, j) => v.padEnd(widths[j])).join("  ").trimEnd();
  return [
    ...(options.caption ? [options.caption] : []),
    line(cols),
    line(widths.map((w) => "-".repeat(w))),
    ...cells.map(line),
  ].join("\n");
}
