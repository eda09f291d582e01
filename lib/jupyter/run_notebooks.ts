/**
 * Runs Jupyter notebooks headless on the Deno kernel (through `jupyter nbconvert`): finds
 * Jupyter, executes a notebook, and names the first failing cell. The HTML report built from the
 * executed notebooks is in `report/html_report.ts`.
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
import { runCaptured as run } from "./jupyter_setup.ts";
import { joinSource, type Notebook, stripAnsi } from "./notebook_json.ts";

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
