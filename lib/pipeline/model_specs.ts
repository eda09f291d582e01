/**
 * The configurations the training stage knows: the study's two models and the project's best.
 *
 * @module
 */

import { BEST_MODEL, makeBestModel } from "./best_model.ts";
import type { FeatureBlock } from "../features/processed_data.ts";
import { makeStudyLr, makeStudyRf } from "./study_models.ts";
import { probeOllama } from "../embedders/ollama_probe.ts";
import { type MetricsFile, type ModelSpec, runTraining } from "./train_stage.ts";

/**
 * The three model specs `deno task train` trains, in order.
 *
 * @example
 * ```ts
 * const names = modelSpecs().map((s) => s.name); // ["study_lr", "study_rf", "best"]
 * ```
 */
export function modelSpecs(options: { progress?: boolean } = {}): ModelSpec[] {
  return [
    {
      name: "study_lr",
      description: "Study baseline: logistic regression (C=1, L2), threshold 0.5",
      features: ["text", "categorical"],
      make: () => makeStudyLr(),
      thresholds: "fixed",
    },
    {
      name: "study_rf",
      description:
        "Study random forest: 100 trees per genre, depth 20, balanced_subsample, global CV threshold",
      features: ["text", "categorical"],
      make: () => makeStudyRf({ progress: options.progress }),
      thresholds: "global",
    },
    {
      name: BEST_MODEL.name,
      description: BEST_MODEL.description,
      features: BEST_MODEL.features,
      make: () => makeBestModel({ progress: options.progress }),
      thresholds: BEST_MODEL.thresholds,
    },
  ];
}

/** The name of the project's best model. */
export const BEST_MODEL_NAME: string = BEST_MODEL.name;

/** Feature sets of the ablation (the best model retrained on each). */
export const ABLATION_SETS: FeatureBlock[][] = [
  ["text"],
  ["categorical"],
  ["text", "categorical"],
  ["text", "categorical", "metadata"],
];

/** Options for {@linkcode trainProject}. */
export interface TrainProjectOptions {
  /** Processed folder (default `processed_data`). */
  dir?: string;
  /** Model names to train (default all three). */
  models?: string[];
  /** Run the ablation of the best model (default true when the best model is trained). */
  ablation?: boolean;
  /** Progress bars (default true). */
  progress?: boolean;
}

/**
 * Trains the project's models as `deno task train` does and writes metrics.json.
 *
 * @example
 * ```ts
 * const metrics = await trainProject({ models: ["study_lr", "best"] });
 * ```
 */
export async function trainProject(options: TrainProjectOptions = {}): Promise<MetricsFile> {
  const all = modelSpecs({ progress: options.progress });
  const wanted = options.models ?? all.map((s) => s.name);
  for (const w of wanted) {
    if (!all.some((s) => s.name === w)) {
      throw new Error(
        `unknown model "${w}"; choose from ${all.map((s) => s.name).join(", ")}`,
      );
    }
  }
  const specs = all.filter((s) => wanted.includes(s.name));
  const hasBest = wanted.includes(BEST_MODEL_NAME);
  const probe = await probeOllama({ timeoutMs: 800 });
  return await runTraining(specs, {
    dir: options.dir,
    best: BEST_MODEL_NAME,
    ablation: hasBest && (options.ablation ?? true) ? ABLATION_SETS : [],
    embedderComparison: {
      available: probe.available,
      note: probe.available
        ? "Ollama is reachable: run `deno task preprocess --embedder ollama --out processed_data_ollama` " +
          "then `deno task train --dir processed_data_ollama` to compare lsa with embeddinggemma."
        : `lsa vs embeddinggemma not run: ${probe.reason}`,
    },
  });
}
