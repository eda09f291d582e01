/**
 * "Run or load" for notebooks: use the files a previous run wrote when they match the requested
 * data, otherwise run the stage now. A full run uses `processed_data/`; a quick run on
 * `NETFLIX_SAMPLE` titles uses its own folder (`processed_data/sample_<N>/`), so it never
 * replaces the full run's features, models or results.
 *
 * @module
 */

import { trainModels } from "./train_models.ts";
import { runPreprocess } from "./preprocess.ts";
import { runExplain } from "./explain_stage.ts";
import type { ExplanationsMetrics, MetricsFile } from "./metrics_file.ts";
import type { ProcessedConfig } from "../features/processed_data.ts";
import { dataPath, projectPath, sampleSize } from "../io/project_paths.ts";
import { Artifacts } from "./artifacts.ts";

/**
 * The processed folder the notebooks use: `processed_data/`, or `processed_data/sample_<N>/`
 * when `NETFLIX_SAMPLE` asks for a quick run.
 *
 * @example
 * ```ts
 * const artifacts = notebookArtifacts();
 * console.log(artifacts.dir); // ".../processed_data"
 * ```
 */
export function notebookArtifacts(): Artifacts {
  return Artifacts.forSample(sampleSize(), projectPath("processed_data"));
}

/**
 * Returns config.json of the notebooks' processed folder, running the preprocessing stage first
 * when it is missing, was built for another sample size, or `rebuild` is set.
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
  const artifacts = notebookArtifacts();
  if (!options.rebuild) {
    try {
      const config = await artifacts.readConfig();
      if (config.input.sample === sample) return { config, ranNow: false };
    } catch {
      // Not there yet: build it below.
    }
  }
  const { config } = await runPreprocess({ input: dataPath(), outDir: artifacts.dir, sample });
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
  const artifacts = notebookArtifacts();
  if (!options.retrain) {
    const metrics = await artifacts.readMetricsIfAny();
    if (metrics?.features_id === config.id) return { metrics, ranNow: false };
  }
  const metrics = await trainModels({ dir: artifacts.dir });
  return { metrics, ranNow: true };
}

/**
 * "Run or load" for notebook 06: metrics.json's `explanations` when they were made for the
 * current features and best model, otherwise trains (if needed) and runs the explain stage now.
 *
 * @example
 * ```ts
 * const { metrics, explanations } = await ensureExplained();
 * console.log(explanations.claims.length); // 3
 * ```
 */
export async function ensureExplained(options: { rerun?: boolean } = {}): Promise<
  { metrics: MetricsFile; explanations: ExplanationsMetrics; ranNow: boolean }
> {
  const { metrics } = await ensureTrained();
  const e = metrics.explanations;
  if (!options.rerun && e && e.features_id === metrics.features_id && e.model === metrics.best) {
    return { metrics, explanations: e, ranNow: false };
  }
  const artifacts = notebookArtifacts();
  const explanations = await runExplain({ dir: artifacts.dir });
  return { metrics: await artifacts.readMetrics(), explanations, ranNow: true };
}
