/**
 * `deno task train` as a function: trains the catalog's models (all, or the ones named) with
 * the ablation of the best model, on the random split and the temporal one, and says in
 * metrics.json whether the comparison with the study's Ollama embedder can be run here (the one reason it
 * asks an Ollama server anything).
 *
 * @module
 */

import { probeOllama } from "../embedders/ollama_probe.ts";
import type { SplitName } from "../features/processed_data.ts";
import type { MetricsFile } from "./metrics_file.ts";
import { BEST_MODEL_NAME, modelSpecs } from "./model_catalog.ts";
import { runTraining } from "./train_stage.ts";

/** Options for {@linkcode trainModels}. */
export interface TrainModelsOptions {
  /** Processed folder (default `processed_data`). */
  dir?: string;
  /** Model names to train (default all three). */
  models?: string[];
  /**
   * Run the ablation of the best model (default true; only when the best model is trained).
   * With false, the ablation rows of metrics.json that are still up to date are kept.
   */
  ablation?: boolean;
  /** Retrain even what is up to date (same spec, features and code). */
  force?: boolean;
  /** Workers to fit on (default: the cores, at most 2; 1 = this thread only). */
  workers?: number;
  /** Splits to train and score on (default both: random, then temporal). */
  splits?: readonly SplitName[];
}

/**
 * Whether the study's own embedder (Ollama `embeddinggemma`) can be compared with ours: asks the
 * Ollama server (800 ms at most) and says what to run, or why not.
 */
async function embedderComparison(): Promise<
  NonNullable<MetricsFile["embedder_comparison"]>
> {
  const probe = await probeOllama({ timeoutMs: 800 });
  return {
    available: probe.available,
    note: probe.available
      ? "Ollama is reachable: run `deno task preprocess --embedder ollama --out processed_data_ollama` " +
        "then `deno task train --dir processed_data_ollama` to compare the default embedder with embeddinggemma."
      : `the comparison with embeddinggemma was not run: ${probe.reason}`,
  };
}

/**
 * Trains the project's models as `deno task train` does and writes metrics.json.
 *
 * @example
 * ```ts
 * const metrics = await trainModels({ models: ["study_lr", "best"] });
 * ```
 */
export async function trainModels(options: TrainModelsOptions = {}): Promise<MetricsFile> {
  const all = modelSpecs();
  const wanted = options.models ?? all.map((s) => s.name);
  for (const w of wanted) {
    if (!all.some((s) => s.name === w)) {
      throw new Error(
        `unknown model "${w}"; choose from ${all.map((s) => s.name).join(", ")}`,
      );
    }
  }
  const specs = all.filter((s) => wanted.includes(s.name));
  return await runTraining(specs, {
    dir: options.dir,
    force: options.force,
    workers: options.workers,
    splits: options.splits,
    best: BEST_MODEL_NAME,
    ablation: options.ablation,
    embedderComparison: await embedderComparison(),
  });
}
