/**
 * "Run or load" for notebooks: use the files a previous run wrote when they match the requested
 * data (full run, or the `NETFLIX_SAMPLE` size), otherwise run the stage now.
 *
 * @module
 */

import { trainModels } from "./train_models.ts";
import { runPreprocess } from "./preprocess.ts";
import { type MetricsFile, readMetricsFile } from "./metrics_file.ts";
import { type ProcessedConfig, readConfig } from "../features/processed_data.ts";
import { dataPath, projectPath, sampleSize } from "../io/project_paths.ts";

/** The processed folder the notebooks use. */
export const NOTEBOOK_PROCESSED_DIR: string = projectPath("processed_data");

/**
 * Returns config.json of `processed_data/`, running the preprocessing stage first when it is
 * missing, was built for another sample size, or `rebuild` is set.
 *
 * @example
 * ```ts
 * const { config } = await ensurePreprocessed();
 * console.log(config.embedder.kind);
 * ```
 */
export async function ensurePreprocessed(options: { rebuild?: boolean } = {}): Promise<
  { config: ProcessedConfig; ranNow: boolean }
> {
  const sample = sampleSize();
  if (!options.rebuild) {
    try {
      const config = await readConfig(NOTEBOOK_PROCESSED_DIR);
      if (config.input.sample === sample) return { config, ranNow: false };
    } catch {
      // Not there yet: build it below.
    }
  }
  const { config } = await runPreprocess({
    input: dataPath(),
    outDir: NOTEBOOK_PROCESSED_DIR,
    sample,
  });
  return { config, ranNow: true };
}

/**
 * Returns metrics.json, running the training stage first when it is missing, was trained on
 * other features than the current processed arrays, or `retrain` is set.
 *
 * @example
 * ```ts
 * const { metrics } = await ensureTrained();
 * console.log(metrics.best);
 * ```
 */
export async function ensureTrained(options: { retrain?: boolean } = {}): Promise<
  { metrics: MetricsFile; ranNow: boolean }
> {
  const { config } = await ensurePreprocessed();
  if (!options.retrain) {
    try {
      const metrics = await readMetricsFile(NOTEBOOK_PROCESSED_DIR);
      if (metrics.features_id === config.id) return { metrics, ranNow: false };
    } catch {
      // Not trained yet: train below.
    }
  }
  const metrics = await trainModels({ dir: NOTEBOOK_PROCESSED_DIR });
  return { metrics, ranNow: true };
}
