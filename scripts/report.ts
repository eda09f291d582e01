/**
 * Runs the project notebooks headless on the Deno Jupyter kernel and writes one HTML report.
 *
 * Usage: `deno task report [--notebooks 01_eda,02_preprocessing] [--sample N] [--inplace]
 *         [--jobs N] [--timeout SECONDS] [--out reports/report.html]`
 *
 * - Checks that `jupyter nbconvert` is installed (prints how to install it and exits with code 2
 *   if not; with `--if-available`, exits 0 after saying so). Registers the `deno` kernel for this
 *   checkout when Jupyter lists none or its executable is gone, and says so.
 * - Runs `notebooks/0*.ipynb` in name order. Each executed copy goes to `reports/executed/`.
 *   With `--inplace` a notebook that ran cleanly is also copied back over `notebooks/<name>`, so
 *   the committed notebooks carry their outputs; a failing notebook never overwrites its source.
 * - Stops at the first failing notebook, printing the notebook, the failing cell (index, source
 *   head) and the error name and message; exits with code 1. A notebook whose executed copy
 *   contains any error output also counts as failing.
 * - `--sample N` sets `NETFLIX_SAMPLE=N` for the kernels (notebooks then use N titles: quick CI
 *   runs). Combined with `--inplace` it is refused unless `--force` is given, because committed
 *   notebooks should carry full-data outputs.
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
import { atomicWrite } from "../lib/io/atomic_write.ts";
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
  --out PATH         report path (default reports/report.html)
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
    out: { type: "string", default: "reports/report.html" },
  });
  // The report is written from the project folder (main() changes into it below).
  outputFileFlag("out", resolve(fileURLToPath(new URL("../", import.meta.url)), args.out), {
    example: "reports/report.html",
  });
  const env: Record<string, string> = {};
  if (args.sample !== undefined) {
    env.NETFLIX_SAMPLE = String(intFlag("sample", args.sample, { min: 1 }));
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
  // Up to `jobs` notebooks at once; results are reported and kept in name order.
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
      executeNotebook(path, { outputDir: "reports/executed", env, timeoutSeconds: timeout })
        .finally(() => clearInterval(heartbeat)),
    );
  };
  const executed: ReportNotebook[] = [];
  for (const [k, path] of paths.entries()) {
    for (const next of paths.slice(k, k + jobs)) start(next);
    console.log(`▶ ${path}`);
    const result = await running.get(path)!;
    if (!result.ok) {
      await Promise.allSettled(running.values()); // let the ones already started finish
      const log = join("reports/executed", `${basename(path, ".ipynb")}.stderr.txt`);
      await atomicWrite(log, result.stderr);
      console.error(describeError(path, result.error!));
      fail(`Stopped at the first failing notebook (full nbconvert log: ${log}).`, 1);
    }
    console.log(`  ✓ ${result.seconds.toFixed(1)} s → ${result.outputPath}`);
    if (args.inplace) {
      await atomicWrite(path, JSON.stringify(result.notebook, null, 1) + "\n");
      console.log(`  ✓ outputs written back to ${path}`);
    }
    executed.push({ name: basename(path), notebook: result.notebook!, seconds: result.seconds });
  }
  await writeReport(args.out, executed, {
    title: "Netflix genre prediction — notebook report",
    notes: [
      `Generated ${new Date().toISOString()} from ${executed.length} notebook(s)` +
      (env.NETFLIX_SAMPLE ? `, sample of ${env.NETFLIX_SAMPLE} titles` : ", full data") + ".",
    ],
  });
  console.log(
    `All notebooks passed in ${((performance.now() - t0) / 1000).toFixed(1)} s; ` +
      `report written to ${args.out}`,
  );
}
