/**
 * Runs the project notebooks headless on the Deno Jupyter kernel and writes one HTML report.
 *
 * Usage: `deno task report [--notebooks 01_eda,02_preprocessing] [--sample N] [--inplace]
 *         [--jobs N] [--timeout SECONDS] [--out reports/report.html]`
 *
 * - Checks that `jupyter nbconvert` is installed (prints how to install it and exits with code 2
 *   if not; with `--if-available`, exits 0 after saying so). Registers the `deno` kernel for this
 *   checkout when Jupyter lists none or its executable is gone, and says so.
 * - Runs `notebooks/0*.ipynb` in name order. Nothing of the previous report is touched until
 *   every notebook has passed: the executed copies and the charts go to temporary folders, which
 *   then replace `reports/executed/` and `reports/figures/` (each a rename), and
 *   `reports/report.html` is written last. An interrupted or failing run leaves the previous
 *   report whole (a failing notebook's copy and log go to `reports/last_failure/`). With
 *   `--inplace` the executed notebooks are copied back over `notebooks/<name>` once all passed.
 * - Stops at the first failing notebook, printing the notebook, the failing cell (index, source
 *   head) and the error name and message; exits with code 1. A notebook whose executed copy
 *   contains any error output also counts as failing.
 * - `--sample N` sets `NETFLIX_SAMPLE=N` for the kernels (notebooks then use N titles and their
 *   own `processed_data/sample_N/`: quick CI runs), and writes the report to `reports/sample_N/`,
 *   never over the full one. Combined with `--inplace` it is refused unless `--force` is given,
 *   because committed notebooks should carry full-data outputs.
 * - Finally writes `reports/report.html`: all executed notebooks, with a table of contents,
 *   figures inlined; self-contained.
 * - Cells have no time limit by default (`--timeout -1`); pass `--timeout 3600` to cap each cell.
 * - `--jobs N` runs up to N notebooks at once, each on its own kernel (default 1). Only for
 *   outputs that are already up to date (`deno task all` passes `--jobs 3` after its stages): a
 *   notebook that has to run a stage itself would race the others for the same files.
 *
 * @module
 */

import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { atomicWrite, writeDirAtomically } from "../lib/io/atomic_write.ts";
import { reportsDir } from "../lib/io/project_paths.ts";
import { intFlag, outputFileFlag, parseFlags, runCommand, UsageError } from "../lib/io/cli_args.ts";
import { ensureDenoKernel } from "../lib/jupyter/jupyter_setup.ts";
import {
  describeError,
  executeNotebook,
  installInstructions,
  jupyterStatus,
  listNotebooks,
} from "../lib/jupyter/run_notebooks.ts";
import { type ReportNotebook, writeReport } from "../lib/report/html_report.ts";

const USAGE = `Usage: deno task report [options]
  --notebooks a,b    run only these notebooks (names like 01_eda, in the order given)
  --sample N         set NETFLIX_SAMPLE=N for the notebooks (quick run on N titles)
  --inplace          also write executed notebooks back to notebooks/ (only those that pass)
  --force            allow --inplace together with --sample
  --if-available     when Jupyter is missing, explain and exit 0 (deno task all)
  --jobs N           run up to N notebooks at once (default 1; only when the stages' outputs
                     are up to date, as in deno task all)
  --timeout S        per-cell timeout in seconds (default -1: none)
  --out PATH         report path (default reports/report.html; reports/sample_N/report.html with --sample)
  --help             show this help`;

/** A failure already explained on stderr: exit with `code`, no further message. */
function fail(message: string, code = 1): never {
  console.error(message);
  Deno.exit(code);
}

if (import.meta.main) {
  await runCommand(USAGE, main);
}

async function main(): Promise<void> {
  const args = parseFlags(Deno.args, {
    notebooks: { type: "string" },
    sample: { type: "string" },
    inplace: { type: "boolean", default: false },
    force: { type: "boolean", default: false },
    "if-available": { type: "boolean", default: false },
    timeout: { type: "string", default: "-1" },
    jobs: { type: "string", default: "1" },
    out: { type: "string" },
  });
  const env: Record<string, string> = {};
  const sample = args.sample === undefined ? undefined : intFlag("sample", args.sample, { min: 1 });
  // Everything this run writes: reports/, or a sample's own reports/sample_N/.
  const target = reportsDir(sample);
  const out = args.out ?? join(target, "report.html");
  // The report is written from the project folder (main() changes into it below).
  outputFileFlag("out", resolve(fileURLToPath(new URL("../", import.meta.url)), out), {
    example: "reports/report.html",
  });
  if (sample !== undefined) {
    env.NETFLIX_SAMPLE = String(sample);
    if (args.inplace && !args.force) {
      throw new UsageError(
        "--inplace with --sample would commit outputs computed on a sample; " +
          "drop --sample, or add --force if that is really wanted",
      );
    }
  }
  const timeout = args.timeout === "-1" ? -1 : intFlag("timeout", args.timeout, { min: 1 });
  const jobs = intFlag("jobs", args.jobs, { min: 1 });

  let status = await jupyterStatus();
  if (!status.nbconvert) {
    if (args["if-available"]) {
      console.log(`\nSkipping the notebook report:\n${installInstructions(status)}`);
      return;
    }
    fail(installInstructions(status), 2);
  }
  const kernel = await ensureDenoKernel();
  if (kernel.registered) {
    console.log(kernel.message);
    status = await jupyterStatus();
  }

  const root = fileURLToPath(new URL("../", import.meta.url));
  Deno.chdir(root);
  let paths: string[];
  try {
    paths = await listNotebooks("notebooks", {
      only: args.notebooks?.split(",").map((s) => s.trim()).filter(Boolean),
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (paths.length === 0) throw new Error("No notebooks matching notebooks/0*.ipynb to run.");

  console.log(
    `Running ${paths.length} notebook(s) with nbconvert ${status.nbconvertVersion ?? ""} on the ` +
      `deno kernel${env.NETFLIX_SAMPLE ? ` (NETFLIX_SAMPLE=${env.NETFLIX_SAMPLE})` : ""}…`,
  );
  const t0 = performance.now();
  // The executed copies and the charts go to temporary folders that replace executed/ and
  // figures/ only when every notebook has passed; then report.html. An interrupted run leaves
  // the previous report whole.
  // A run of some notebooks keeps the other notebooks' copies and charts.
  const keep = args.notebooks !== undefined;
  const executed: ReportNotebook[] = [];
  try {
    await writeDirAtomically(join(target, "figures"), async (figures) => {
      await copyFiles(join(target, "figures"), figures, { all: keep });
      env.NETFLIX_FIGURES_DIR = resolve(figures);
      env.NETFLIX_FIGURES_FINAL_DIR = resolve(join(target, "figures"));
      await writeDirAtomically(join(target, "executed"), async (outputDir) => {
        await copyFiles(join(target, "executed"), outputDir, { all: keep });
        executed.push(...await runAll(paths, { outputDir, env, timeout, jobs, target }));
      });
    });
  } catch (err) {
    if (err instanceof NotebookFailed) fail(err.message, 1);
    throw err;
  }
  if (args.inplace) {
    for (const [k, path] of paths.entries()) {
      await atomicWrite(path, JSON.stringify(executed[k].notebook, null, 1) + "\n");
      console.log(`  ✓ outputs written back to ${path}`);
    }
  }
  await writeReport(out, executed, {
    title: "Netflix genre prediction — notebook report",
    notes: [
      `Generated ${new Date().toISOString()} from ${executed.length} notebook(s)` +
      (sample !== undefined ? `, sample of ${sample} titles` : ", full data") + ".",
    ],
  });
  console.log(
    `All notebooks passed in ${((performance.now() - t0) / 1000).toFixed(1)} s; ` +
      `report written to ${out}`,
  );
}

/**
 * Runs the notebooks (up to `jobs` at once, reported and kept in name order) with their executed
 * copies in `outputDir`; at the first failure writes its copy and log to
 * `<target>/last_failure/` and throws {@linkcode NotebookFailed}.
 */
async function runAll(
  paths: string[],
  options: {
    outputDir: string;
    env: Record<string, string>;
    timeout: number;
    jobs: number;
    target: string;
  },
): Promise<ReportNotebook[]> {
  type Result = Awaited<ReturnType<typeof executeNotebook>>;
  const running = new Map<string, Promise<Result>>();
  const start = (path: string): void => {
    if (running.has(path)) return;
    const begun = performance.now();
    const heartbeat = setInterval(() => {
      const min = ((performance.now() - begun) / 60000).toFixed(0);
      console.log(`  … ${path} still running (${min} min)`);
    }, 5 * 60 * 1000);
    running.set(
      path,
      executeNotebook(path, {
        outputDir: options.outputDir,
        env: options.env,
        timeoutSeconds: options.timeout,
      }).finally(() => clearInterval(heartbeat)),
    );
  };
  const executed: ReportNotebook[] = [];
  for (const [k, path] of paths.entries()) {
    for (const next of paths.slice(k, k + options.jobs)) start(next);
    console.log(`▶ ${path}`);
    const result = await running.get(path)!;
    if (!result.ok) {
      await Promise.allSettled(running.values()); // let the ones already started finish
      const failed = join(options.target, "last_failure");
      const name = basename(path, ".ipynb");
      const log = join(failed, `${name}.stderr.txt`);
      await atomicWrite(log, result.stderr);
      if (result.notebook) {
        await atomicWrite(join(failed, `${name}.ipynb`), JSON.stringify(result.notebook, null, 1));
      }
      console.error(describeError(path, result.error!));
      throw new NotebookFailed(
        `Stopped at the first failing notebook (full nbconvert log: ${log}); the previous ` +
          `report in ${options.target} was left as it was.`,
      );
    }
    console.log(`  ✓ ${result.seconds.toFixed(1)} s`);
    executed.push({ name: basename(path), notebook: result.notebook!, seconds: result.seconds });
  }
  return executed;
}

/** A notebook failed (already described on stderr); the staged outputs are dropped. */
class NotebookFailed extends Error {}

/**
 * Copies into `to` the `.gitkeep` of `from` (a tracked placeholder) and, with `all`, every other
 * file of it (not hidden temporaries, not folders); nothing when `from` does not exist.
 */
async function copyFiles(from: string, to: string, options: { all: boolean }): Promise<void> {
  try {
    for await (const e of Deno.readDir(from)) {
      const wanted = e.name === ".gitkeep" || (options.all && !e.name.startsWith("."));
      if (e.isFile && wanted) await Deno.copyFile(join(from, e.name), join(to, e.name));
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
}
