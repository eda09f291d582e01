/**
 * Runs Jupyter notebooks headless on the Deno kernel (through `jupyter nbconvert`), finds the first
 * failing cell, and stitches executed notebooks into one self-contained HTML report.
 *
 * The Deno kernel sometimes reports a cell "idle" before its last `console.log` output or result
 * reaches Jupyter, and stock nbconvert drops whatever arrives after "idle". {@linkcode
 * executeNotebook} therefore runs nbconvert with a small preprocessor (written to a temporary
 * folder at run time) that keeps collecting a cell's output until the kernel has been quiet for a
 * moment.
 *
 * @module
 */

import { basename, join } from "node:path";
import { atomicWrite } from "../io/atomic_write.ts";
import { escapeHtml } from "../display/kernel_display.ts";
import { runCaptured as run } from "./jupyter_setup.ts";

// ---------------------------------------------------------------------------------------------
// Notebook JSON (the nbformat 4 subset we read)

/** One output of a code cell (nbformat 4). */
export interface NotebookOutput {
  output_type: "stream" | "display_data" | "execute_result" | "error" | string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
  traceback?: string[];
  execution_count?: number | null;
}

/** One cell (nbformat 4). */
export interface NotebookCell {
  cell_type: "code" | "markdown" | "raw" | string;
  source: string | string[];
  outputs?: NotebookOutput[];
  execution_count?: number | null;
  metadata?: Record<string, unknown>;
}

/** A notebook document (nbformat 4). */
export interface Notebook {
  cells: NotebookCell[];
  metadata?: Record<string, unknown>;
  nbformat?: number;
  nbformat_minor?: number;
}

/**
 * Joins a multiline nbformat string (stored as a string or a list of lines).
 *
 * @example
 * ```ts
 * joinSource(["a\n", "b"]); // "a\nb"
 * ```
 */
export function joinSource(text: string | string[] | undefined | unknown): string {
  if (Array.isArray(text)) return text.join("");
  return typeof text === "string" ? text : "";
}

/**
 * Removes ANSI colour codes (the Deno kernel colours results and tracebacks).
 *
 * @example
 * ```ts
 * stripAnsi("\x1b[33m42\x1b[39m"); // "42"
 * ```
 */
export function stripAnsi(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
}

/** Where and how a notebook failed. */
export interface CellError {
  /** 0-based index of the cell among all cells (markdown included), or -1 when unknown. */
  cellIndex: number;
  /** Execution count shown as `In [n]`, when known. */
  executionCount?: number | null;
  /** First lines of the failing cell's source. */
  sourceHead: string;
  /** Error class name, e.g. "TypeError". */
  ename: string;
  /** Error message. */
  evalue: string;
  /** Traceback lines without colour codes. */
  traceback: string[];
}

function headOf(source: string, lines = 6): string {
  const all = source.replace(/\s+$/, "").split("\n");
  return all.slice(0, lines).join("\n") + (all.length > lines ? "\n…" : "");
}

/**
 * Finds the first cell with an `error` output in a (partially) executed notebook.
 *
 * @example
 * ```ts
 * const nb = JSON.parse(await Deno.readTextFile("reports/executed/01_eda.ipynb"));
 * const err = findFirstError(nb);
 * if (err) console.error(`cell ${err.cellIndex}: ${err.ename}: ${err.evalue}`);
 * ```
 */
export function findFirstError(notebook: Notebook): CellError | undefined {
  const cells = Array.isArray(notebook?.cells) ? notebook.cells : [];
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    for (const out of cell.outputs ?? []) {
      if (out.output_type !== "error") continue;
      return {
        cellIndex: i,
        executionCount: cell.execution_count ?? null,
        sourceHead: headOf(joinSource(cell.source)),
        ename: out.ename ?? "Error",
        evalue: out.evalue ?? "",
        traceback: (out.traceback ?? []).map(stripAnsi),
      };
    }
  }
  return undefined;
}

/**
 * Parses nbconvert's stderr after a failed `--execute` (nbclient's `CellExecutionError`): the
 * failing cell's source, the error name and message; the cell index is found by matching the
 * source against `input` (the notebook that was run) when given.
 *
 * @example
 * ```ts
 * const stderr = await Deno.readTextFile("reports/executed/01_eda.stderr.txt");
 * const notebook = JSON.parse(await Deno.readTextFile("notebooks/01_eda.ipynb"));
 * const err = parseExecutionError(stderr, notebook);
 * console.error(`cell ${err?.cellIndex}: ${err?.ename}: ${err?.evalue}`);
 * ```
 */
export function parseExecutionError(stderr: string, input?: Notebook): CellError | undefined {
  const text = stripAnsi(stderr).replace(/\r\n/g, "\n");
  const marker = "An error occurred while executing the following cell:\n------------------\n";
  const at = text.lastIndexOf(marker);
  if (at < 0) {
    const timeout = /A cell timed out while it was being executed, after (\d+) seconds/.exec(text);
    if (timeout) {
      return {
        cellIndex: -1,
        sourceHead: "",
        ename: "CellTimeoutError",
        evalue: `a cell ran longer than ${timeout[1]} s`,
        traceback: [],
      };
    }
    const dead = /DeadKernelError: (.*)/.exec(text);
    if (dead) {
      return {
        cellIndex: -1,
        sourceHead: "",
        ename: "DeadKernelError",
        evalue: dead[1],
        traceback: [],
      };
    }
    return undefined;
  }
  const rest = text.slice(at + marker.length);
  const endSource = rest.indexOf("\n------------------\n");
  const source = endSource >= 0 ? rest.slice(0, endSource) : "";
  const after = endSource >= 0 ? rest.slice(endSource + "\n------------------\n".length) : rest;
  const lines = after.replace(/\s+$/, "").split("\n");
  // nbclient ends the message with "{ename}: {evalue}"; the evalue may span several lines, so
  // take the last line that starts like an error name.
  let ename = "Error", evalue = "", tbEnd = lines.length;
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /^([A-Za-z_$][\w$.]*): ?(.*)$/.exec(lines[i]);
    if (m && !/^\s/.test(lines[i])) {
      ename = m[1];
      evalue = [m[2], ...lines.slice(i + 1)].join("\n").trim();
      tbEnd = i;
      break;
    }
  }
  let cellIndex = -1;
  let executionCount: number | null | undefined;
  if (input?.cells) {
    const want = source.trim();
    cellIndex = input.cells.findIndex((c) =>
      c.cell_type === "code" && joinSource(c.source).trim() === want
    );
    if (cellIndex >= 0) executionCount = input.cells[cellIndex].execution_count;
  }
  return {
    cellIndex,
    executionCount,
    sourceHead: headOf(source),
    ename,
    evalue,
    traceback: lines.slice(0, tbEnd).filter((l) => l.trim() !== ""),
  };
}

/**
 * One-paragraph description of a failure for the terminal.
 *
 * @example
 * ```ts
 * const err = findFirstError(JSON.parse(await Deno.readTextFile("reports/executed/01_eda.ipynb")));
 * if (err) console.error(describeError("notebooks/01_eda.ipynb", err));
 * ```
 */
export function describeError(notebookPath: string, error: CellError): string {
  const where = error.cellIndex >= 0
    ? `cell ${error.cellIndex}${error.executionCount ? ` (In [${error.executionCount}])` : ""}`
    : "an unknown cell";
  const src = error.sourceHead
    ? "\n" + error.sourceHead.split("\n").map((l) => `    │ ${l}`).join("\n")
    : "";
  const tb = error.traceback.length
    ? "\n" + error.traceback.slice(-8).map((l) => `    ${l}`).join("\n")
    : "";
  return `✗ ${notebookPath} failed in ${where}:${src}\n  ${error.ename}: ${error.evalue}${tb}`;
}

// ---------------------------------------------------------------------------------------------
// Jupyter discovery

/** What {@linkcode jupyterStatus} found. */
export interface JupyterStatus {
  /** `jupyter nbconvert --version` works. */
  nbconvert: boolean;
  /** nbconvert version, when found. */
  nbconvertVersion?: string;
  /** `jupyter kernelspec list` lists a kernel named `kernelName`. */
  denoKernel: boolean;
  /** Kernel names found. */
  kernels: string[];
}

/**
 * Checks that `jupyter nbconvert` runs and that the Deno kernel is registered.
 *
 * @example
 * ```ts
 * const status = await jupyterStatus();
 * if (!status.nbconvert || !status.denoKernel) console.error(installInstructions(status));
 * ```
 */
export async function jupyterStatus(options: { kernelName?: string } = {}): Promise<JupyterStatus> {
  const kernelName = options.kernelName ?? "deno";
  const version = await run("jupyter", ["nbconvert", "--version"]);
  const nbconvert = version.code === 0;
  let kernels: string[] = [];
  const list = await run("jupyter", ["kernelspec", "list", "--json"]);
  if (list.code === 0) {
    try {
      kernels = Object.keys(JSON.parse(list.stdout).kernelspecs ?? {});
    } catch {
      kernels = [];
    }
  }
  return {
    nbconvert,
    nbconvertVersion: nbconvert ? version.stdout.trim().split("\n").pop() : undefined,
    denoKernel: kernels.includes(kernelName),
    kernels,
  };
}

/**
 * How to install what {@linkcode jupyterStatus} found missing (Debian packages or pip, then the
 * Deno kernel).
 *
 * @example
 * ```ts
 * console.error(installInstructions({ nbconvert: false, denoKernel: false, kernels: [] }));
 * ```
 */
export function installInstructions(status: JupyterStatus): string {
  const lines: string[] = [];
  if (!status.nbconvert) {
    lines.push(
      "Jupyter (nbconvert) is not installed. On Debian/Ubuntu:",
      "  sudo apt-get update && sudo apt-get install -y --no-install-recommends \\",
      "    jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel",
      "or with pip:",
      "  pip install nbconvert nbclient ipykernel",
    );
  }
  if (!status.denoKernel) {
    lines.push(
      `The Deno Jupyter kernel is not registered${
        status.kernels.length ? ` (found: ${status.kernels.join(", ")})` : ""
      }. Register it from the project folder with:`,
      "  npx deno jupyter --install",
      "and check with `jupyter kernelspec list` (it must list `deno`).",
    );
  }
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------
// Execution

/**
 * Python source of the nbconvert preprocessor that waits for a cell's late output (see module
 * docs). Written to a temporary folder and put on PYTHONPATH for each run.
 */
const LATE_OUTPUT_PREPROCESSOR = `
import queue
import time

from nbclient.exceptions import CellExecutionComplete
from nbconvert.preprocessors import ExecutePreprocessor
from traitlets import Float

try:
    from jupyter_core.utils import ensure_async
except ImportError:  # older jupyter_core
    from nbclient.util import ensure_async


class LateOutputExecutePreprocessor(ExecutePreprocessor):
    """ExecutePreprocessor that keeps reading a cell's output until the kernel is quiet."""

    quiet_seconds = Float(0.3, help="stop after this long without a message").tag(config=True)
    max_extra_seconds = Float(5.0, help="never wait longer than this per cell").tag(config=True)

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        await super()._async_poll_output_msg(parent_msg_id, cell, cell_index)
        stop = time.monotonic() + self.max_extra_seconds
        while True:
            wait = min(self.quiet_seconds, stop - time.monotonic())
            if wait <= 0:
                return
            try:
                msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=wait))
            except queue.Empty:
                return
            if msg["parent_header"].get("msg_id") != parent_msg_id:
                continue
            try:
                self.process_message(msg, cell, cell_index)
            except CellExecutionComplete:
                pass
`;

/** Options for {@linkcode executeNotebook}. */
export interface ExecuteOptions {
  /** Folder for the executed copy (same file name). Default `reports/executed`. */
  outputDir?: string;
  /** Extra environment variables for the kernel (e.g. `{ NETFLIX_SAMPLE: "500" }`). */
  env?: Record<string, string>;
  /** Per-cell timeout in seconds; -1 (default) means none. */
  timeoutSeconds?: number;
  /** Kernel name (default "deno"). */
  kernelName?: string;
}

/** Result of {@linkcode executeNotebook}. */
export interface ExecuteResult {
  /** True when nbconvert succeeded and no cell has an error output. */
  ok: boolean;
  /** Path of the executed copy (written only when nbconvert finished). */
  outputPath: string;
  /** The executed notebook, when written. */
  notebook?: Notebook;
  /** The first failure, when not ok. */
  error?: CellError;
  /** nbconvert's stderr (useful when `error` could not be determined). */
  stderr: string;
  /** Wall time in seconds. */
  seconds: number;
}

/**
 * Executes a notebook headless with `jupyter nbconvert --to notebook` on the Deno kernel, writing
 * the executed copy to `outputDir`. Stops at the first failing cell (as nbconvert does) and
 * reports it; also treats an executed notebook that contains an error output as failed.
 *
 * @example
 * ```ts
 * const res = await executeNotebook("notebooks/01_eda.ipynb", { env: { NETFLIX_SAMPLE: "300" } });
 * if (!res.ok) console.error(describeError("notebooks/01_eda.ipynb", res.error!));
 * ```
 */
export async function executeNotebook(
  path: string,
  options: ExecuteOptions = {},
): Promise<ExecuteResult> {
  const started = performance.now();
  const outputDir = options.outputDir ?? "reports/executed";
  const name = basename(path);
  const outputPath = join(outputDir, name);
  let input: Notebook;
  try {
    input = JSON.parse(await Deno.readTextFile(path));
  } catch (err) {
    throw new Error(
      `Cannot read notebook ${path}: ${
        (err as Error).message
      }. Check the path and that it is valid JSON.`,
    );
  }
  await Deno.mkdir(outputDir, { recursive: true });
  const helperDir = await Deno.makeTempDir({ prefix: "nbrunner-" });
  try {
    await Deno.writeTextFile(join(helperDir, "late_output_execute.py"), LATE_OUTPUT_PREPROCESSOR);
    const pythonPath = [helperDir, Deno.env.get("PYTHONPATH")].filter(Boolean).join(":");
    const tmpName = `.${name.replace(/\.ipynb$/, "")}.${crypto.randomUUID().slice(0, 8)}.tmp`;
    const pre = "LateOutputExecutePreprocessor";
    const args = [
      "nbconvert",
      "--to",
      "notebook",
      `--NotebookExporter.preprocessors=["late_output_execute.${pre}"]`,
      `--${pre}.enabled=True`,
      `--${pre}.timeout=${options.timeoutSeconds ?? -1}`,
      `--${pre}.kernel_name=${options.kernelName ?? "deno"}`,
      "--output-dir",
      outputDir,
      "--output",
      tmpName,
      path,
    ];
    const res = await run("jupyter", args, {
      env: { ...(options.env ?? {}), PYTHONPATH: pythonPath },
    });
    const seconds = (performance.now() - started) / 1000;
    const tmpPath = join(outputDir, `${tmpName}.ipynb`);
    if (res.code !== 0) {
      await Deno.remove(tmpPath).catch(() => {});
      const error = parseExecutionError(res.stderr, input) ?? {
        cellIndex: -1,
        sourceHead: "",
        ename: "NbconvertError",
        evalue: `jupyter nbconvert exited with code ${res.code}: ` +
          stripAnsi(res.stderr).trim().split("\n").slice(-3).join(" / "),
        traceback: [],
      };
      return { ok: false, outputPath, error, stderr: res.stderr, seconds };
    }
    await Deno.rename(tmpPath, outputPath);
    const notebook: Notebook = JSON.parse(await Deno.readTextFile(outputPath));
    const error = findFirstError(notebook);
    return { ok: !error, outputPath, notebook, error, stderr: res.stderr, seconds };
  } finally {
    await Deno.remove(helperDir, { recursive: true }).catch(() => {});
  }
}

/**
 * Notebook files `dir/0*.ipynb` in name order, optionally only those named in `only` (file names
 * with or without `.ipynb`, or paths).
 *
 * @example
 * ```ts
 * const paths = await listNotebooks("notebooks", { only: ["01_eda"] });
 * ```
 */
export async function listNotebooks(
  dir: string,
  options: { only?: string[]; pattern?: RegExp } = {},
): Promise<string[]> {
  const pattern = options.pattern ?? /^0.*\.ipynb$/;
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && pattern.test(entry.name)) names.push(entry.name);
  }
  names.sort();
  if (!options.only) return names.map((n) => join(dir, n));
  const out: string[] = [];
  for (const want of options.only) {
    const file = basename(want).replace(/\.ipynb$/, "") + ".ipynb";
    if (!names.includes(file)) {
      throw new Error(
        `No notebook "${want}" in ${dir}/ (have: ${names.join(", ") || "none"}); ` +
          "pass names like 01_eda or 01_eda.ipynb",
      );
    }
    out.push(join(dir, file));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// HTML report

function safeUrl(url: string): string | undefined {
  const u = url.trim();
  if (/^(https?:|mailto:|#|\.{0,2}\/|[\w.-]+(\/|$|#|\?))/i.test(u) && !/^\s*javascript:/i.test(u)) {
    return u;
  }
  return undefined;
}

/** Inline Markdown on one piece of text: code spans, bold, italic, links; everything escaped. */
function inline(text: string): string {
  const spans: string[] = [];
  // Protect code spans first so their content is shown literally.
  let s = text.replace(/(`+)([\s\S]*?[^`])\1(?!`)/g, (_m, _t, code: string) => {
    spans.push(`<code>${escapeHtml(code.trim())}</code>`);
    return `\u0000${spans.length - 1}\u0000`;
  });
  // Links are parsed before escaping, then each part is escaped on its own.
  s = s.replace(
    /!?\[([^\]]*)\]\(((?:[^()\s]|\([^()\s]*\))+)(?:\s+"[^"]*")?\)/g,
    (_m, label: string, url: string) => {
      const safe = safeUrl(url);
      spans.push(
        safe ? `<a href="${escapeHtml(safe)}">${escapeHtml(label)}</a>` : escapeHtml(label),
      );
      return `\u0000${spans.length - 1}\u0000`;
    },
  );
  s = escapeHtml(s);
  s = s.replace(/\*\*([^*]+)\*\*|__([^_]+)__/g, (_m, a, b) => `<strong>${a ?? b}</strong>`);
  s = s.replace(/(^|[^\w*])\*([^*\s][^*]*?)\*(?!\w)/g, "$1<em>$2</em>");
  s = s.replace(/(^|[^\w])_([^_\s][^_]*?)_(?!\w)/g, "$1<em>$2</em>");
  // deno-lint-ignore no-control-regex
  return s.replace(/\u0000(\d+)\u0000/g, (_m, i) => spans[Number(i)]);
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^\w]+/g, "-").replace(/^-|-$/g, "") ||
    "section";
}

/** A heading found while rendering, for the table of contents. */
export interface Heading {
  level: number;
  text: string;
  id: string;
}

/**
 * Renders Markdown (headings, paragraphs, lists, fenced code, block quotes, tables, rules, inline
 * code, bold, italic, links) to HTML. All text is escaped; raw HTML in the Markdown is shown as
 * text; links are limited to http(s), mailto, anchors and relative paths.
 *
 * @example
 * ```ts
 * markdownToHtml("# Results\n\nF1 **0.52** for `lr` & <rf>");
 * ```
 */
export function markdownToHtml(
  markdown: string,
  options: { idPrefix?: string; headings?: Heading[] } = {},
): string {
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  const out: string[] = [];
  const prefix = options.idPrefix ?? "";
  let i = 0;
  const isBlockStart = (l: string) =>
    /^\s*(#{1,6}\s|```|~~~|>|[-*+]\s|\d+[.)]\s|\|)/.test(l) || /^\s*([-*_])(\s*\1){2,}\s*$/.test(l);
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === "") {
      i++;
      continue;
    }
    const fence = /^\s*(```|~~~)\s*([\w+-]*)/.exec(line);
    if (fence) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i].trim().startsWith(fence[1])) body.push(lines[i++]);
      i++;
      const lang = fence[2] ? ` class="language-${escapeHtml(fence[2])}"` : "";
      out.push(`<pre><code${lang}>${escapeHtml(body.join("\n"))}</code></pre>`);
      continue;
    }
    const h = /^\s*(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      const level = h[1].length;
      const html = inline(h[2]);
      const id = `${prefix}${slug(h[2])}`;
      options.headings?.push({ level, text: h[2], id });
      out.push(`<h${level + 1} id="${escapeHtml(id)}">${html}</h${level + 1}>`);
      i++;
      continue;
    }
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
      out.push("<hr>");
      i++;
      continue;
    }
    if (/^\s*>/.test(line)) {
      const body: string[] = [];
      while (i < lines.length && /^\s*>/.test(lines[i])) {
        body.push(lines[i++].replace(/^\s*> ?/, ""));
      }
      out.push(`<blockquote>${markdownToHtml(body.join("\n"), { idPrefix: prefix })}</blockquote>`);
      continue;
    }
    if (/^\s*\|/.test(line) && i + 1 < lines.length && /^\s*\|?\s*:?-{2,}/.test(lines[i + 1])) {
      const row = (l: string) =>
        l.trim().replace(/^\||\|$/g, "").split(/(?<!\\)\|/).map((c) =>
          c.trim().replace(/\\\|/g, "|")
        );
      const head = row(line);
      const aligns = row(lines[i + 1]).map((c) =>
        c.endsWith(":") ? (c.startsWith(":") ? "center" : "right") : "left"
      );
      i += 2;
      const body: string[][] = [];
      while (i < lines.length && /^\s*\|/.test(lines[i])) body.push(row(lines[i++]));
      const td = (tag: string, c: string, j: number) =>
        `<${tag} style="text-align:${aligns[j] ?? "left"}">${inline(c)}</${tag}>`;
      out.push(
        `<table><thead><tr>${head.map((c, j) => td("th", c, j)).join("")}</tr></thead><tbody>` +
          body.map((r) => `<tr>${r.map((c, j) => td("td", c, j)).join("")}</tr>`).join("") +
          "</tbody></table>",
      );
      continue;
    }
    const list = /^\s*([-*+]|\d+[.)])\s+/.exec(line);
    if (list) {
      const ordered = /\d/.test(list[1]);
      const items: string[] = [];
      while (i < lines.length && lines[i].trim() !== "") {
        const m = /^\s*([-*+]|\d+[.)])\s+(.*)$/.exec(lines[i]);
        if (m) items.push(m[2]);
        else items[items.length - 1] += " " + lines[i].trim();
        i++;
      }
      const tag = ordered ? "ol" : "ul";
      out.push(`<${tag}>${items.map((t) => `<li>${inline(t)}</li>`).join("")}</${tag}>`);
      continue;
    }
    const para: string[] = [];
    while (
      i < lines.length && lines[i].trim() !== "" && (para.length === 0 || !isBlockStart(lines[i]))
    ) {
      para.push(lines[i++].trim());
    }
    out.push(`<p>${para.map(inline).join("\n")}</p>`);
  }
  return out.join("\n");
}

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
          inline(hd.text)
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
