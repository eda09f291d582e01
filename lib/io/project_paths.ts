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
