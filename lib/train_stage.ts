/**
 * The training stage: for each model, 5-fold cross-validated out-of-fold probabilities on the
 * training rows (folds stratified by genre count), thresholds chosen on them, a final fit on all
 * training rows, one evaluation on the test rows; then `metrics.json`, the fitted models and the
 * probabilities on disk.
 *
 * Files written under the processed folder:
 * - `metrics.json`: `{ best, models: { NAME: { f1_macro, …, per_genre, thresholds, cv_curve, … } },
 *   ablation, embedder_comparison }`
 * - `models/<NAME>/`: the fitted model (see lib/model_store.ts) and `thresholds.json`
 * - `predictions/<NAME>_oof.npy` (train rows × genres) and `<NAME>_test.npy` (test rows × genres)
 *
 * @module
 */

import { join } from "node:path";
import { atomicWriteJson } from "./atomic_write.ts";
import { crossValPredictProba } from "./cross_val_predict.ts";
import type { Matrix } from "./matrix.ts";
import type { EstimatorFactory } from "./estimator.ts";
import { genreCountStrata, stratifiedKFold } from "./k_fold.ts";
import { binarize, evaluate, type EvaluationReport } from "./metrics.ts";
import { saveModel } from "./model_store.ts";
import { readMatrix, writeNpy } from "./npy.ts";
import {
  DEFAULT_PROCESSED_DIR,
  type FeatureBlock,
  loadProcessed,
  type ProcessedData,
} from "./processed_data.ts";
import { type CvCurvePoint, tuneThresholds } from "./threshold_tuning.ts";

/** How a model's decision thresholds are chosen. */
export type ThresholdStrategy = "fixed" | "global" | "per_genre";

/** One model configuration the stage trains. */
export interface ModelSpec {
  /** Key in metrics.json and folder name under models/. */
  name: string;
  /** One line for tables and notebooks. */
  description: string;
  /** Feature blocks the model reads. */
  features: FeatureBlock[];
  /** Makes a fresh, unfitted model. */
  make: EstimatorFactory;
  /** Threshold choice: fixed 0.5 (the study's LR), the study's global CV grid, or per genre. */
  thresholds: ThresholdStrategy;
}

/** Scores of one threshold choice (used for the alternatives of each model). */
export interface ThresholdVariant {
  thresholds: number | Record<string, number>;
  f1_macro: number;
  f1_micro: number;
  exact_match: number;
  cv_f1_macro: number;
}

/** One model's entry in metrics.json. */
export interface ModelMetrics extends EvaluationReport {
  description: string;
  features: FeatureBlock[];
  embedder: string;
  n_features: number;
  threshold_strategy: ThresholdStrategy;
  thresholds: number | Record<string, number>;
  cv_curve: CvCurvePoint[];
  cv_f1_macro: number;
  threshold_variants: Record<ThresholdStrategy, ThresholdVariant>;
  fit_seconds: number;
  predict_seconds: number;
  cv_seconds: number;
}

/** Contents of metrics.json. */
export interface MetricsFile {
  best: string;
  created: string;
  split: { train: number; test: number; seed: number };
  cv: { folds: number; stratified_by: string; seed: number };
  models: Record<string, ModelMetrics>;
  ablation?: Record<string, AblationResult>;
  embedder_comparison?: { available: boolean; note: string; results?: Record<string, unknown> };
}

/** One ablation row: the best model on a subset of feature blocks. */
export interface AblationResult {
  features: FeatureBlock[];
  n_features: number;
  f1_macro: number;
  f1_micro: number;
  f1_samples: number;
  exact_match: number;
  cv_f1_macro: number;
  fit_seconds: number;
}

/** Options for {@linkcode trainModel} and {@linkcode runTraining}. */
export interface TrainOptions {
  /** Processed folder (default `processed_data`). */
  dir?: string;
  /** CV folds (default 5) and seed (default 42). */
  folds?: number;
  seed?: number;
  /** Save the fitted model and probabilities (default true). */
  save?: boolean;
  /** Print progress lines (default true). */
  verbose?: boolean;
}

/** A trained model with its evaluation. */
export interface TrainedModel {
  spec: ModelSpec;
  metrics: ModelMetrics;
  oof: Float32Array;
  testProba: Float32Array;
}

const dataCache = new Map<string, Promise<ProcessedData>>();

/**
 * Loads the processed arrays for a feature set (memoised per folder and feature list).
 *
 * @example
 * ```ts
 * const data = await loadFeatures("processed_data", ["text", "categorical"]);
 * ```
 */
export function loadFeatures(dir: string, features: FeatureBlock[]): Promise<ProcessedData> {
  const key = `${dir}|${features.join(",")}`;
  let p = dataCache.get(key);
  if (!p) {
    p = loadProcessed(dir, { features });
    p.catch(() => dataCache.delete(key));
    dataCache.set(key, p);
  }
  return p;
}

/** Forgets loaded arrays (after re-running preprocess in the same process). */
export function clearFeatureCache(): void {
  dataCache.clear();
}

/**
 * Trains one model spec: CV out-of-fold probabilities → thresholds → final fit → test scores.
 *
 * @example
 * ```ts
 * const { metrics } = await trainModel(studyLrSpec(), { save: false });
 * console.log(metrics.f1_macro);
 * ```
 */
export async function trainModel(
  spec: ModelSpec,
  options: TrainOptions = {},
): Promise<TrainedModel> {
  const dir = options.dir ?? DEFAULT_PROCESSED_DIR;
  const log = options.verbose === false ? () => {} : (s: string) => console.log(s);
  const data = await loadFeatures(dir, spec.features);
  const names = data.config.genres;
  const folds = stratifiedKFold(genreCountStrata(data.yTrain), {
    nSplits: options.folds ?? 5,
    seed: options.seed ?? 42,
  });
  log(`\n▶ ${spec.name}: ${spec.description}`);
  log(
    `  features ${spec.features.join("+")} (${data.XTrain.cols} columns), ${folds.length}-fold CV`,
  );

  const tCv = performance.now();
  const oof = await crossValPredictProba(spec.make, [data.XTrain, data.yTrain], {
    folds,
    onFold: (k, s) => log(`  fold ${k + 1}/${folds.length} done in ${s.toFixed(1)} s`),
  });
  const cvSeconds = (performance.now() - tCv) / 1000;
  const tuned = tuneThresholds(data.yTrain, oof, { folds });

  const tFit = performance.now();
  const model = spec.make();
  await model.fit(data.XTrain, data.yTrain);
  const fitSeconds = (performance.now() - tFit) / 1000;
  const tPred = performance.now();
  const proba = await model.predictProba(data.XTest);
  const predictSeconds = (performance.now() - tPred) / 1000;

  const perGenre = Object.fromEntries(names.map((g, j) => [g, tuned.perLabel[j]]));
  const choices: Record<ThresholdStrategy, number | Float64Array> = {
    fixed: 0.5,
    global: tuned.globalThreshold,
    per_genre: tuned.perLabel,
  };
  const variants = {} as Record<ThresholdStrategy, ThresholdVariant>;
  for (
    const [strategy, t] of Object.entries(choices) as [ThresholdStrategy, number | Float64Array][]
  ) {
    const report = evaluate(data.yTest, binarize(proba, t), { labelNames: names });
    const cvReport = evaluate(data.yTrain, binarize(oof, t), { labelNames: names });
    variants[strategy] = {
      thresholds: typeof t === "number" ? t : perGenre,
      f1_macro: report.f1_macro,
      f1_micro: report.f1_micro,
      exact_match: report.exact_match,
      cv_f1_macro: cvReport.f1_macro,
    };
  }
  const chosen = choices[spec.thresholds];
  const report = evaluate(data.yTest, binarize(proba, chosen), { labelNames: names });
  const metrics: ModelMetrics = {
    description: spec.description,
    ...report,
    features: spec.features,
    embedder: `${data.config.embedder.kind}/${data.config.embedder.model}`,
    n_features: data.XTrain.cols,
    threshold_strategy: spec.thresholds,
    thresholds: typeof chosen === "number" ? chosen : perGenre,
    cv_curve: tuned.cvCurve,
    cv_f1_macro: variants[spec.thresholds].cv_f1_macro,
    threshold_variants: variants,
    fit_seconds: round(fitSeconds),
    predict_seconds: round(predictSeconds),
    cv_seconds: round(cvSeconds),
  };
  log(
    `  test: F1 macro ${report.f1_macro.toFixed(4)}, micro ${report.f1_micro.toFixed(4)}, ` +
      `exact ${(report.exact_match * 100).toFixed(2)}% (thresholds: ${spec.thresholds}); ` +
      `fit ${fitSeconds.toFixed(1)} s`,
  );
  if (options.save ?? true) {
    const modelDir = join(dir, "models", spec.name);
    await saveModel(modelDir, model);
    await atomicWriteJson(join(modelDir, "thresholds.json"), {
      strategy: spec.thresholds,
      genres: names,
      thresholds: names.map((_, j) => typeof chosen === "number" ? chosen : chosen[j]),
      features: spec.features,
    });
    await writeNpy(join(dir, "predictions", `${spec.name}_oof.npy`), oof);
    await writeNpy(join(dir, "predictions", `${spec.name}_test.npy`), proba);
  }
  return { spec, metrics, oof: oof.data, testProba: proba.data };
}

/**
 * Retrains a model spec on several feature sets (the ablation the study asked for but never ran).
 *
 * @example
 * ```ts
 * const rows = await runAblation(bestSpec, [["text"], ["categorical"]], { save: false });
 * ```
 */
export async function runAblation(
  spec: ModelSpec,
  featureSets: FeatureBlock[][],
  options: TrainOptions = {},
): Promise<Record<string, AblationResult>> {
  const out: Record<string, AblationResult> = {};
  for (const features of featureSets) {
    const key = features.join("+");
    const { metrics } = await trainModel(
      {
        ...spec,
        name: `${spec.name}_ablation_${key}`,
        description: `${spec.name}'s model retrained on ${features.join(" + ")} only`,
        features,
      },
      { ...options, save: false },
    );
    out[key] = {
      features,
      n_features: metrics.n_features,
      f1_macro: metrics.f1_macro,
      f1_micro: metrics.f1_micro,
      f1_samples: metrics.f1_samples,
      exact_match: metrics.exact_match,
      cv_f1_macro: metrics.cv_f1_macro,
      fit_seconds: metrics.fit_seconds,
    };
  }
  return out;
}

/** Options for {@linkcode runTraining}. */
export interface RunTrainingOptions extends TrainOptions {
  /** Feature sets for the ablation of the best model (empty: skip). */
  ablation?: FeatureBlock[][];
  /** Name of the spec recorded as `best` (chosen beforehand, never by test scores). */
  best: string;
  /** Recorded when Ollama was not available for an lsa-vs-embeddinggemma comparison. */
  embedderComparison?: MetricsFile["embedder_comparison"];
}

/**
 * Trains every spec, runs the ablation, and writes metrics.json.
 *
 * @example
 * ```ts
 * const metrics = await runTraining([studyLr, studyRf, best], { best: "best" });
 * ```
 */
export async function runTraining(
  specs: ModelSpec[],
  options: RunTrainingOptions,
): Promise<MetricsFile> {
  const dir = options.dir ?? DEFAULT_PROCESSED_DIR;
  const models: Record<string, ModelMetrics> = {};
  let config: ProcessedData["config"] | undefined;
  for (const spec of specs) {
    const trained = await trainModel(spec, options);
    models[spec.name] = trained.metrics;
    config ??= (await loadFeatures(dir, spec.features)).config;
  }
  if (!models[options.best]) {
    throw new Error(`runTraining: best model "${options.best}" is not among the trained specs`);
  }
  const file: MetricsFile = {
    best: options.best,
    created: new Date().toISOString(),
    split: { train: config!.counts.train, test: config!.counts.test, seed: config!.split.seed },
    cv: {
      folds: options.folds ?? 5,
      stratified_by: "number of genres per title",
      seed: options.seed ?? 42,
    },
    models,
  };
  const bestSpec = specs.find((s) => s.name === options.best)!;
  if (options.ablation && options.ablation.length > 0) {
    file.ablation = await runAblation(bestSpec, options.ablation, options);
  }
  if (options.embedderComparison) file.embedder_comparison = options.embedderComparison;
  if (options.save ?? true) await atomicWriteJson(join(dir, "metrics.json"), file);
  return file;
}

/**
 * Reads metrics.json written by the training stage.
 *
 * @example
 * ```ts
 * const metrics = await readMetrics();
 * console.log(metrics.best, metrics.models[metrics.best].f1_macro);
 * ```
 */
export async function readMetrics(dir: string = DEFAULT_PROCESSED_DIR): Promise<MetricsFile> {
  const path = join(dir, "metrics.json");
  try {
    return JSON.parse(await Deno.readTextFile(path)) as MetricsFile;
  } catch {
    throw new Error(`${path} not found or unreadable: run \`npx deno task train\` first.`);
  }
}

/**
 * Reads a trained model's saved probabilities: out-of-fold on the training rows and on the test
 * rows (rows × genres, float32).
 *
 * @example
 * ```ts
 * const { oof, test } = await readPredictions("processed_data", "best");
 * ```
 */
export async function readPredictions(
  dir: string,
  name: string,
): Promise<{ oof: Matrix; test: Matrix }> {
  const hint = "re-run `npx deno task train`";
  const oof = await readMatrix(join(dir, "predictions", `${name}_oof.npy`), { dtype: "<f4", hint });
  const test = await readMatrix(join(dir, "predictions", `${name}_test.npy`), {
    dtype: "<f4",
    hint,
  });
  return { oof: oof as Matrix, test: test as Matrix };
}

/**
 * A model's thresholds as one number per genre (in genre order), from its metrics entry.
 *
 * @example
 * ```ts
 * const t = thresholdsOf(metrics.models.best, config.genres);
 * ```
 */
export function thresholdsOf(model: ModelMetrics, genres: readonly string[]): Float64Array {
  const t = model.thresholds;
  return Float64Array.from(genres, (g) => typeof t === "number" ? t : t[g]);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
