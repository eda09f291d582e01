/**
 * Fingerprints of the project's library code, so a stage's outputs are reused only while the
 * code that made them is unchanged — and only the code that stage runs: editing a chart does not
 * retrain a model.
 *
 * @module
 */

import { join, relative } from "node:path";
import { sha256Hex } from "../core/sha256.ts";
import { projectPath } from "./project_paths.ts";

/** What reading the data and building the features runs. */
const FEATURES_CODE = ["core", "io", "data", "text", "embedders", "features", "model_selection"];
/** What fitting and scoring models runs, on top of the features. */
const MODELS_CODE = [...FEATURES_CODE, "metrics", "models"];

/** The parts of `lib/` (folders or files) each stage's outputs depend on. */
export const STAGE_CODE: Readonly<Record<"preprocess" | "train" | "explain", readonly string[]>> = {
  preprocess: [...FEATURES_CODE, "pipeline/preprocess.ts"],
  train: [
    ...MODELS_CODE,
    "pipeline/best_model.ts",
    "pipeline/genre_model.ts",
    "pipeline/metrics_file.ts",
    "pipeline/model_catalog.ts",
    "pipeline/train_stage.ts",
  ],
  explain: [...MODELS_CODE, "analysis", "pipeline"],
};

const cache = new Map<string, Promise<string>>();

/**
 * SHA-256 over the `.ts` files of the given parts of `lib/` (paths and contents, in path order);
 * by default the parts a stage depends on ({@linkcode STAGE_CODE}). Computed once per process.
 *
 * @example
 * ```ts
 * const code = await libSourceHash(STAGE_CODE.train); // "3f2a…"
 * ```
 */
export function libSourceHash(parts: readonly string[]): Promise<string> {
  const key = parts.join("|");
  let p = cache.get(key);
  if (!p) {
    p = hashParts(parts);
    cache.set(key, p);
  }
  return p;
}

async function hashParts(parts: readonly string[]): Promise<string> {
  const root = projectPath("lib");
  const files: string[] = [];
  const walk = async (path: string) => {
    const info = await Deno.stat(path);
    if (info.isFile) {
      if (path.endsWith(".ts")) files.push(path);
      return;
    }
    for await (const e of Deno.readDir(path)) await walk(join(path, e.name));
  };
  for (const part of parts) await walk(join(root, part));
  files.sort();
  const lines: string[] = [];
  for (const f of files) {
    lines.push(`${relative(root, f)}:${await sha256Hex(await Deno.readFile(f))}`);
  }
  return await sha256Hex(lines.join("\n"));
}
