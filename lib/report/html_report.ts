/**
 * The HTML report: executed notebooks stitched into one self-contained page — a table of
 * contents, Markdown cells (rendered by {@linkcode markdownToHtml}), code with `In [n]`, text
 * outputs and figures inlined as data URIs. Every text value is escaped.
 *
 * @module
 */

import { atomicWrite } from "../io/atomic_write.ts";
import { escapeHtml } from "../display/escape_html.ts";
import {
  joinSource,
  type Notebook,
  type NotebookOutput,
  stripAnsi,
} from "../jupyter/notebook_json.ts";
import { type Heading, inlineMarkdownToHtml, markdownToHtml } from "./markdown.ts";

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

/** Renders one output; rich types first (SVG, PNG, HTML, Markdown), then plain text. */
function outputHtml(out: NotebookOutput, idPrefix: string): string {
  if (out.output_type === "stream") {
    const cls = out.name === "stderr" ? "stream stderr" : "stream";
    return `<pre class="${cls}">${escapeHtml(stripAnsi(joinSource(out.text)))}</pre>`;
  }
  if (out.output_type === "error") {
    const tb = (out.traceback ?? []).map(stripAnsi).join("\n");
    return `<pre class="error">${escapeHtml(`${out.ename}: ${out.evalue}`)}${
      tb ? "\n" + escapeHtml(tb) : ""
    }</pre>`;
  }
  const data = out.data ?? {};
  const svg = data["image/svg+xml"];
  if (svg !== undefined) {
    // An <img> keeps each SVG's ids and styles separate from the page (Vega reuses clip ids).
    return `<div class="figure"><img alt="${
      escapeHtml(joinSource(data["text/plain"]) || "figure")
    }" src="data:image/svg+xml;base64,${base64(joinSource(svg))}"></div>`;
  }
  for (const type of ["image/png", "image/jpeg"]) {
    const img = data[type];
    if (typeof img === "string" || Array.isArray(img)) {
      const b64 = joinSource(img).replace(/\s+/g, "");
      if (/^[A-Za-z0-9+/=]*$/.test(b64)) {
        return `<div class="figure"><img alt="figure" src="data:${type};base64,${b64}"></div>`;
      }
    }
  }
  // HTML outputs come from the project's own display helpers, which escape data values.
  if (data["text/html"] !== undefined) {
    return `<div class="html-output">${joinSource(data["text/html"])}</div>`;
  }
  if (data["text/markdown"] !== undefined) {
    return `<div class="md-output">${
      markdownToHtml(joinSource(data["text/markdown"]), { idPrefix })
    }</div>`;
  }
  if (data["text/plain"] !== undefined) {
    return `<pre class="result">${escapeHtml(stripAnsi(joinSource(data["text/plain"])))}</pre>`;
  }
  return "";
}

/** An executed notebook to include in the report. */
export interface ReportNotebook {
  /** Display name (e.g. the file name). */
  name: string;
  /** Notebook JSON. */
  notebook: Notebook;
  /** Seconds it took to execute, when known. */
  seconds?: number;
}

/** Options for {@linkcode notebooksToHtml}. */
export interface ReportOptions {
  /** Page title (default "Notebook report"). */
  title?: string;
  /** Extra lines under the title (e.g. sample size, date). */
  notes?: string[];
}

const REPORT_CSS = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;
color:#1f2328;line-height:1.5}
main{max-width:1100px;margin:0 auto;padding:24px}
nav.toc{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:12px 20px}
nav.toc ul{margin:4px 0;padding-left:20px}
section.notebook{border-top:3px solid #4c78a8;margin-top:40px;padding-top:8px}
.cell{margin:12px 0}
.code .source{background:#f6f8fa;border-left:3px solid #4c78a8;padding:8px 12px;overflow-x:auto;
font-size:13px;margin:0}
.prompt{color:#57606a;font-size:12px;font-family:monospace}
pre{white-space:pre-wrap;word-break:break-word}
pre.stream,pre.result{margin:4px 0;padding:4px 12px;font-size:13px}
pre.stderr{background:#fff8c5}
pre.error{background:#ffebe9;border-left:3px solid #cf222e;padding:8px 12px}
.figure img{max-width:100%;height:auto}
table{border-collapse:collapse;margin:8px 0}
th,td{border:1px solid #d0d7de;padding:3px 8px;font-size:14px}
code{background:#eff1f3;padding:1px 4px;border-radius:4px;font-size:90%}
pre code{background:none;padding:0}
.meta{color:#57606a;font-size:13px}
`;

/**
 * Builds one self-contained HTML page from executed notebooks: a table of contents (notebooks and
 * their Markdown headings), Markdown cells, code with `In [n]`, text outputs, and figures inlined
 * as data URIs. Every text value is escaped.
 *
 * @example
 * ```ts
 * import type { Notebook } from "../jupyter/notebook_json.ts";
 * const notebook: Notebook = JSON.parse(await Deno.readTextFile("reports/executed/01_eda.ipynb"));
 * const html = notebooksToHtml([{ name: "01_eda.ipynb", notebook }], { title: "Netflix genres" });
 * ```
 */
export function notebooksToHtml(notebooks: ReportNotebook[], options: ReportOptions = {}): string {
  const title = options.title ?? "Notebook report";
  const toc: string[] = [];
  const sections: string[] = [];
  notebooks.forEach((entry, n) => {
    const prefix = `nb${n + 1}-`;
    const headings: Heading[] = [];
    const body: string[] = [];
    for (const cell of entry.notebook.cells ?? []) {
      const source = joinSource(cell.source);
      if (cell.cell_type === "markdown") {
        body.push(
          `<div class="cell markdown">${
            markdownToHtml(source, { idPrefix: prefix, headings })
          }</div>`,
        );
      } else if (cell.cell_type === "code") {
        if (source.trim() === "" && !(cell.outputs ?? []).length) continue;
        const count = cell.execution_count ?? " ";
        const outputs = (cell.outputs ?? []).map((o) => outputHtml(o, prefix)).join("\n");
        body.push(
          `<div class="cell code"><div class="prompt">In [${escapeHtml(String(count))}]:</div>` +
            `<pre class="source"><code>${escapeHtml(source)}</code></pre>` +
            (outputs ? `<div class="outputs">${outputs}</div>` : "") + "</div>",
        );
      } else if (source.trim()) {
        body.push(`<pre class="cell raw">${escapeHtml(source)}</pre>`);
      }
    }
    // Make heading ids unique within the page.
    const seen = new Map<string, number>();
    for (const hd of headings) {
      const k = seen.get(hd.id) ?? 0;
      seen.set(hd.id, k + 1);
      if (k > 0) {
        const newId = `${hd.id}-${k + 1}`;
        const at = body.findIndex((b) => b.includes(`id="${escapeHtml(hd.id)}"`));
        if (at >= 0) {
          body[at] = body[at].replace(`id="${escapeHtml(hd.id)}"`, `id="${escapeHtml(newId)}"`);
        }
        hd.id = newId;
      }
    }
    const anchor = `${prefix}top`;
    const timing = entry.seconds !== undefined
      ? ` · executed in ${entry.seconds.toFixed(1)} s`
      : "";
    const sub = headings.filter((hd) => hd.level <= 3)
      .map((hd) =>
        `<li style="margin-left:${(hd.level - 1) * 14}px"><a href="#${escapeHtml(hd.id)}">${
          inlineMarkdownToHtml(hd.text)
        }</a></li>`
      ).join("");
    toc.push(
      `<li><a href="#${anchor}">${escapeHtml(entry.name)}</a>${sub ? `<ul>${sub}</ul>` : ""}</li>`,
    );
    sections.push(
      `<section class="notebook" id="${anchor}"><p class="meta">${escapeHtml(entry.name)}${
        escapeHtml(timing)
      }</p>\n${body.join("\n")}\n</section>`,
    );
  });
  const notes = (options.notes ?? []).map((n) => `<p class="meta">${escapeHtml(n)}</p>`).join("");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${notes}
<nav class="toc"><strong>Contents</strong><ul>${toc.join("")}</ul></nav>
${sections.join("\n")}
</main>
</body>
</html>
`;
}

/**
 * Writes the combined report for executed notebooks to `path` atomically.
 *
 * @example
 * ```ts
 * import type { Notebook } from "../jupyter/notebook_json.ts";
 * const notebook: Notebook = JSON.parse(await Deno.readTextFile("reports/executed/01_eda.ipynb"));
 * await writeReport("reports/report.html", [{ name: "01_eda.ipynb", notebook }]);
 * ```
 */
export async function writeReport(
  path: string,
  notebooks: ReportNotebook[],
  options: ReportOptions = {},
): Promise<void> {
  await atomicWrite(path, notebooksToHtml(notebooks, options));
}
