/**
 * Paths inside the project, resolved from this file's location so notebooks (whose working
 * folder is `notebooks/`) and scripts (run from the root) find the same files.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { join } from "node:path";

/** Absolute path of the project root. */
export const PROJECT_ROOT: string = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Absolute path of a file or folder inside the project.
 *
 * @example
 * ```ts
 * projectPath("processed_data", "metrics.json");
 * ```
 */
export function projectPath(...parts: string[]): string {
  return join(PROJECT_ROOT, ...parts);
}

/**
 * The NetFlix.csv to read: `$NETFLIX_CSV` when set, else `data/NetFlix.csv`.
 *
 * @example
 * ```ts
 * import { readTitles } from "../data/netflix_csv.ts";
 * const { titles } = await readTitles(dataPath());
 * ```
 */
export function dataPath(): string {
  return Deno.env.get("NETFLIX_CSV") || projectPath("data", "NetFlix.csv");
}

/**
 * The sample size requested with `NETFLIX_SAMPLE` (quick runs such as CI), or undefined.
 *
 * @example
 * ```ts
 * const sample = sampleSize(); // undefined on a full run
 * ```
 */
export function sampleSize(): number | undefined {
  const v = Deno.env.get("NETFLIX_SAMPLE");
  if (!v) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 10) {
    throw new Error(`NETFLIX_SAMPLE=${v}: give a whole number of titles (at least 10)`);
  }
  return n;
}

/**
 * The folder a report run writes to: `reports/` for the full data, `reports/sample_<N>/` for a
 * quick run on `sample` titles (so a sample never replaces the full report).
 *
 * @example
 * ```ts
 * reportsDir(1500); // ".../reports/sample_1500"
 * ```
 */
export function reportsDir(sample: number | undefined = sampleSize()): string {
  return sample === undefined ? projectPath("reports") : projectPath("reports", `sample_${sample}`);
}

/**
 * Where charts are saved: `$NETFLIX_FIGURES_DIR` when set (a report run points it at the
 * folder that replaces the figures once every notebook has passed), else `figures/` of
 * {@linkcode reportsDir}.
 *
 * @example
 * ```ts
 * const dir = figuresDir(); // ".../reports/figures" on a full run
 * ```
 */
export function figuresDir(): string {
  return Deno.env.get("NETFLIX_FIGURES_DIR") || join(reportsDir(), "figures");
}

/**
 * Where the charts saved in {@linkcode figuresDir} are to be found once the run that saves them
 * is over: `$NETFLIX_FIGURES_FINAL_DIR` when set (a report run saves into a temporary folder that
 * then replaces this one), else {@linkcode figuresDir} itself. Notebooks name this place.
 *
 * @example
 * ```ts
 * const dir = finalFiguresDir(); // ".../reports/figures", also during a report run
 * ```
 */
export function finalFiguresDir(): string {
  return Deno.env.get("NETFLIX_FIGURES_FINAL_DIR") || figuresDir();
}
