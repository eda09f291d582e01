/**
 * UI test of the Jupyter front end: drives Jupyter Notebook (Debian's `jupyter-notebook`) in
 * headless Chromium with `playwright-core`. For each notebook it opens the page, restarts the
 * kernel, clears the committed outputs, runs all cells from the page and waits for the last one;
 * it fails on any error output, on a chart that is missing or not visible, and saves a screenshot
 * to `reports/ui/<notebook>.png`. Then it starts a training stage from a scratch notebook and
 * checks that its progress bar updates live in the page while the cell runs.
 *
 * The notebooks are never saved: autosave is switched off in each page and the files are compared
 * byte for byte afterwards (and restored if anything wrote to them).
 *
 * Usage: `deno task test:ui [--notebooks 01_eda,02_preprocessing] [--sample N]
 *         [--timeout MINUTES] [--no-progress-check]`
 *
 * Needs Jupyter Notebook, Chromium and `npm install`; without them it says what to install and
 * exits with code 2.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { intFlag, parseFlags, runCommand } from "../../lib/io/cli_args.ts";
import { ensureDenoKernel, frontEndArgs, serverUrl } from "../../lib/jupyter/jupyter_setup.ts";
import { listNotebooks } from "../../lib/jupyter/run_notebooks.ts";
import type { Notebook } from "../../lib/jupyter/notebook_json.ts";
import type { Browser, Page } from "playwright-core";

const USAGE = `Usage: deno task test:ui [options]
  --notebooks a,b       only these notebooks (names like 01_eda, in the order given)
  --sample N            set NETFLIX_SAMPLE=N for the kernels (as CI does with 1500)
  --timeout MINUTES     per-notebook limit (default 45)
  --no-progress-check   skip the live-progress check
  --help                show this help`;

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SHOTS = join(ROOT, "reports", "ui");
const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";
/** Chromium flags that work in a container without a display or outside network. */
const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const PROGRESS_NOTEBOOK = "ui_progress_check.ipynb";

/** What is missing to run this test, as install commands; empty when everything is there. */
async function missing(): Promise<string[]> {
  const out: string[] = [];
  const notebook = await new Deno.Command("jupyter", {
    args: ["notebook", "--version"],
    stdout: "null",
    stderr: "null",
  }).output().then((o) => o.success, () => false);
  if (!notebook) {
    out.push(
      "Jupyter Notebook: sudo apt-get install -y --no-install-recommends jupyter-notebook " +
        "(or: python3 -m pip install notebook)",
    );
  }
  try {
    Deno.statSync(CHROMIUM);
  } catch {
    out.push(
      `Chromium (looked for ${CHROMIUM}; set CHROMIUM_PATH to use another): ` +
        "sudo apt-get install -y --no-install-recommends chromium",
    );
  }
  try {
    await import("playwright-core");
  } catch {
    out.push("playwright-core (a devDependency): npm install");
  }
  return out;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** A running Jupyter Notebook server on `notebooks/`. */
interface Server {
  base: string;
  token: string;
  stop(): Promise<void>;
  log(): string;
}

async function startServer(env: Record<string, string>): Promise<Server> {
  const token = crypto.randomUUID().replaceAll("-", "");
  const port = freePort();
  const args = frontEndArgs("notebook", {
    dir: "notebooks",
    port,
    noBrowser: true,
    token,
    allowRoot: Deno.uid?.() === 0,
  });
  const child = new Deno.Command("jupyter", {
    args: [...args, "--ip=127.0.0.1"],
    cwd: ROOT,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let log = "";
  let url: string | undefined;
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      log += chunk;
      for (const line of chunk.split("\n")) url ??= serverUrl(line);
    }
  };
  const reading = Promise.all([collect(child.stdout), collect(child.stderr)]);
  const started = Date.now();
  let exited = false;
  child.status.then(() => exited = true);
  while (!url) {
    if (exited) throw new Error(`jupyter notebook exited before serving:\n${log}`);
    if (Date.now() - started > 60_000) {
      child.kill("SIGTERM");
      throw new Error(`jupyter notebook did not print its URL within 60 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    base: `http://127.0.0.1:${port}`,
    token,
    log: () => log,
    async stop() {
      if (!exited) child.kill("SIGTERM");
      await child.status;
      await reading.catch(() => {});
    },
  };
}

/** Page-side state of a notebook run, read by polling. */
interface RunState {
  /** Code cells whose prompt shows a number (executed). */
  executed: number;
  /** Code cells in the notebook. */
  codeCells: number;
  /** A cell still runs or is queued (`In [*]`). */
  busy: boolean;
  /** Error outputs: cell index and first line. */
  errors: string[];
  /** Outputs carrying an SVG chart. */
  charts: number;
  /** Other stderr text (warnings): shown, not failed on. */
  warnings: string[];
}

const READ_STATE = `(() => {
  const nb = Jupyter.notebook;
  const cells = nb.get_cells().filter((c) => c.cell_type === "code");
  const errors = [];
  const warnings = [];
  let charts = 0;
  nb.get_cells().forEach((c, i) => {
    if (c.cell_type !== "code") return;
    for (const o of c.output_area.outputs) {
      if (o.output_type === "error") errors.push("cell " + i + ": " + o.ename + ": " + o.evalue);
      if (o.output_type === "stream" && o.name === "stderr") {
        const line = "cell " + i + " (stderr): " + o.text.split("\\n")[0];
        (/\\berror\\b/i.test(o.text) ? errors : warnings).push(line);
      }
      if (o.data && o.data["image/svg+xml"] !== undefined) charts++;
    }
  });
  return {
    executed: cells.filter((c) => typeof c.input_prompt_number === "number").length,
    codeCells: cells.length,
    busy: cells.some((c) => c.input_prompt_number === "*"),
    errors,
    charts,
    warnings,
  };
})()`;

async function openNotebook(page: Page, server: Server, name: string): Promise<void> {
  await page.goto(`${server.base}/notebooks/${encodeURIComponent(name)}?token=${server.token}`, {
    waitUntil: "load",
    timeout: 60_000,
  });
  await page.waitForFunction(
    "window.Jupyter && Jupyter.notebook && Jupyter.notebook._fully_loaded && " +
      "Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected()",
    undefined,
    { timeout: 120_000 },
  );
  // Never write the notebook back: the committed outputs come from a full run.
  await page.evaluate("Jupyter.notebook.set_autosave_interval(0)");
}

async function restartAndRunAll(page: Page): Promise<void> {
  await page.evaluate(`new Promise((resolve) => {
    Jupyter.notebook.clear_all_output();
    Jupyter.notebook.kernel.restart(() => resolve(true), () => resolve(false));
  })`);
  await page.waitForFunction(
    "Jupyter.notebook.kernel.is_connected() && " +
      "document.querySelector('#kernel_indicator_icon.kernel_idle_icon') !== null",
    undefined,
    { timeout: 120_000 },
  );
  await page.evaluate("Jupyter.notebook.execute_all_cells()");
}

/** Polls until every code cell ran (or an error shows, or time runs out). */
async function waitForLastCell(page: Page, name: string, timeoutMs: number): Promise<RunState> {
  const started = Date.now();
  let lastReport = started;
  while (true) {
    const state = await page.evaluate<RunState>(READ_STATE);
    if (state.errors.length > 0) return state;
    if (!state.busy && state.executed === state.codeCells) {
      // The Deno kernel can send a cell's last output just after "idle": give it a moment.
      await new Promise((r) => setTimeout(r, 1500));
      return await page.evaluate<RunState>(READ_STATE);
    }
    if (!state.busy && Date.now() - started > 10_000) {
      throw new Error(
        `${name}: the kernel stopped with ${state.executed} of ${state.codeCells} code cells run ` +
          "and no error output (was the run interrupted or the kernel restarted?)",
      );
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(
        `${name}: not finished after ${(timeoutMs / 60000).toFixed(0)} min ` +
          `(${state.executed} of ${state.codeCells} code cells run); raise --timeout`,
      );
    }
    if (Date.now() - lastReport > 60_000) {
      lastReport = Date.now();
      console.log(`  … ${state.executed}/${state.codeCells} cells after ${secs(started)} s`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

function secs(since: number): string {
  return ((Date.now() - since) / 1000).toFixed(1);
}

/** Every chart output is drawn in the page: an <svg> with a real size, on screen when scrolled to. */
async function checkChartsVisible(page: Page, name: string, expected: number): Promise<number> {
  const charts = page.locator("#notebook-container .output_svg svg");
  const n = await charts.count();
  if (n !== expected) {
    throw new Error(`${name}: ${expected} chart outputs but ${n} SVG charts drawn in the page`);
  }
  for (let i = 0; i < n; i++) {
    const chart = charts.nth(i);
    await chart.scrollIntoViewIfNeeded();
    const box = await chart.boundingBox();
    if (!(await chart.isVisible()) || !box || box.width < 50 || box.height < 50) {
      throw new Error(
        `${name}: chart ${i + 1} of ${n} is not visible (box ${JSON.stringify(box)})`,
      );
    }
  }
  return n;
}

/** Lets the whole notebook lay out at full height so a full-page screenshot shows every cell. */
async function screenshot(page: Page, name: string): Promise<string> {
  await page.addStyleTag({
    content: "html, body, #site { height: auto !important; overflow: visible !important; }" +
      " #header { display: none !important; }",
  });
  const path = join(SHOTS, `${name.replace(/\.ipynb$/, "")}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

function committedCharts(nb: Notebook): number {
  let n = 0;
  for (const cell of nb.cells) {
    for (const out of cell.outputs ?? []) if (out.data?.["image/svg+xml"] !== undefined) n++;
  }
  return n;
}

/** The scratch notebook: trains the study forest on a copy of processed_data/features (a forced stage). */
function progressNotebook(): Notebook {
  const source = [
    'import { trainModels } from "../lib/pipeline/train_models.ts";',
    'import { notebookArtifacts } from "../lib/pipeline/notebook_stages.ts";',
    'const dir = await Deno.makeTempDir({ prefix: "ui-progress-" });',
    "const copy = async (from: string, to: string): Promise<void> => {",
    "  await Deno.mkdir(to, { recursive: true });",
    "  for await (const e of Deno.readDir(from)) {",
    "    if (e.isDirectory) await copy(`${from}/${e.name}`, `${to}/${e.name}`);",
    "    else await Deno.copyFile(`${from}/${e.name}`, `${to}/${e.name}`);",
    "  }",
    "};",
    "await copy(notebookArtifacts().features, `${dir}/features`);",
    'await trainModels({ dir, models: ["study_rf"], ablation: false });',
    "await Deno.remove(dir, { recursive: true });",
    'console.log("trained study_rf in a scratch folder");',
  ].join("\n");
  return {
    cells: [{ cell_type: "code", source, metadata: {}, outputs: [], execution_count: null }],
    metadata: {
      kernelspec: { name: "deno", display_name: "Deno", language: "typescript" },
      language_info: { name: "typescript" },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

/** Records every value a <progress> element shows while the cell is still running. */
const WATCH_PROGRESS = `(() => {
  window.__progress = [];
  const cell = Jupyter.notebook.get_cell(0);
  const record = () => {
    for (const p of cell.output_area.element[0].querySelectorAll("progress")) {
      const running = cell.input_prompt_number === "*";
      const last = window.__progress[window.__progress.length - 1];
      if (!last || last.value !== p.value || last.running !== running) {
        window.__progress.push({ value: p.value, running, at: performance.now() });
      }
    }
  };
  new MutationObserver(record).observe(cell.output_area.element[0], {
    subtree: true, childList: true, attributes: true, characterData: true,
  });
  return true;
})()`;

async function checkLiveProgress(page: Page, server: Server, timeoutMs: number): Promise<string> {
  const file = join(ROOT, "notebooks", PROGRESS_NOTEBOOK);
  await Deno.writeTextFile(file, JSON.stringify(progressNotebook(), null, 1) + "\n");
  try {
    await openNotebook(page, server, PROGRESS_NOTEBOOK);
    await page.evaluate(WATCH_PROGRESS);
    await restartAndRunAll(page);
    const state = await waitForLastCell(page, PROGRESS_NOTEBOOK, timeoutMs);
    if (state.errors.length > 0) {
      throw new Error(`the training cell failed:\n  ${state.errors.join("\n  ")}`);
    }
    const seen = await page.evaluate<{ value: number; running: boolean }[]>("window.__progress");
    const live = new Set(
      seen.filter((s) => s.running && s.value > 0 && s.value < 1).map((s) => s.value),
    );
    if (live.size < 2) {
      throw new Error(
        "the progress bar did not update live while the training cell ran: saw " +
          `${JSON.stringify(seen.slice(0, 10))}${seen.length > 10 ? " …" : ""}`,
      );
    }
    const finished = seen.some((s) => s.value === 1);
    if (!finished) throw new Error("the progress bar never reached 100 %");
    await screenshot(page, PROGRESS_NOTEBOOK);
    return `${live.size} intermediate values shown while the cell ran, then 100 %`;
  } finally {
    await Deno.remove(file).catch(() => {});
  }
}

async function snapshot(paths: string[]): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for (const p of paths) out.set(p, await Deno.readFile(p));
  return out;
}

async function main(): Promise<void> {
  const flags = parseFlags(Deno.args, {
    notebooks: { type: "string" },
    sample: { type: "string" },
    timeout: { type: "string", default: "45" },
    "no-progress-check": { type: "boolean", default: false },
  });
  const timeoutMs = intFlag("timeout", flags.timeout, { min: 1 }) * 60_000;
  const env: Record<string, string> = {};
  if (flags.sample !== undefined) {
    env.NETFLIX_SAMPLE = String(intFlag("sample", flags.sample, { min: 1 }));
  }
  const needed = await missing();
  if (needed.length > 0) {
    console.error(`The UI test needs:\n  ${needed.join("\n  ")}`);
    Deno.exit(2);
  }
  Deno.chdir(ROOT);
  const kernel = await ensureDenoKernel();
  if (kernel.registered) console.log(kernel.message);
  const paths = await listNotebooks("notebooks", {
    only: flags.notebooks?.split(",").map((s) => s.trim()).filter(Boolean),
  });
  const before = await snapshot(paths);
  await Deno.mkdir(SHOTS, { recursive: true });

  const { chromium } = await import("playwright-core");
  const t0 = Date.now();
  const server = await startServer(env);
  let browser: Browser | undefined;
  const failures: string[] = [];
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
    });
    console.log(
      `Jupyter Notebook at ${server.base}, Chromium ${CHROMIUM}` +
        (env.NETFLIX_SAMPLE ? `, NETFLIX_SAMPLE=${env.NETFLIX_SAMPLE}` : ", full data"),
    );
    for (const path of paths) {
      const name = path.split("/").pop()!;
      const started = Date.now();
      console.log(`▶ ${name}`);
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const pageErrors: string[] = [];
      page.on("pageerror", (err) => pageErrors.push(err.message));
      try {
        await openNotebook(page, server, name);
        await restartAndRunAll(page);
        const state = await waitForLastCell(page, name, timeoutMs);
        const shot = await screenshot(page, name).catch((err) => `(no screenshot: ${err.message})`);
        if (state.errors.length > 0) {
          throw new Error(
            `error output:\n    ${state.errors.join("\n    ")}\n  screenshot: ${shot}`,
          );
        }
        const expected = committedCharts(JSON.parse(new TextDecoder().decode(before.get(path))));
        if (state.charts !== expected) {
          throw new Error(
            `${state.charts} chart outputs, the committed notebook has ${expected} (its outputs ` +
              "come from a full run with the ablation: after a plain `deno task all`, which skips " +
              "it, notebook 05 draws fewer; run `npx deno task all --ablation` first, or use " +
              "--sample N, which trains it)",
          );
        }
        const drawn = await checkChartsVisible(page, name, state.charts);
        for (const w of state.warnings) console.log(`  note: ${w}`);
        if (pageErrors.length > 0) throw new Error(`page errors: ${pageErrors.join("; ")}`);
        console.log(
          `  ✓ ${state.executed} cells, ${drawn} charts visible, ${secs(started)} s → ${shot}`,
        );
      } catch (err) {
        failures.push(`${name}: ${(err as Error).message}`);
        console.error(`  ✗ ${(err as Error).message}`);
      } finally {
        await page.close();
      }
    }
    if (!flags["no-progress-check"]) {
      console.log("▶ live progress of a stage started from a notebook (training study_rf)");
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const started = Date.now();
      try {
        const what = await checkLiveProgress(page, server, timeoutMs);
        console.log(`  ✓ ${what}, ${secs(started)} s`);
      } catch (err) {
        failures.push(`live progress: ${(err as Error).message}`);
        console.error(`  ✗ ${(err as Error).message}`);
      } finally {
        await page.close();
      }
    }
  } finally {
    await browser?.close();
    await server.stop();
    for (const [path, bytes] of before) {
      const now = await Deno.readFile(path);
      if (now.length !== bytes.length || now.some((b, i) => b !== bytes[i])) {
        await Deno.writeFile(path, bytes);
        failures.push(`${path} was written during the UI test (restored)`);
      }
    }
  }
  if (failures.length > 0) {
    throw new Error(`UI test failed:\n  ${failures.join("\n  ")}\n(screenshots in reports/ui/)`);
  }
  console.log(`UI test passed in ${secs(t0)} s; screenshots in reports/ui/`);
}

if (import.meta.main) {
  await runCommand(USAGE, main);
}
