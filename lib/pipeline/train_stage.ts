/**
 * The training stage: for each model, 5-fold cross-validated out-of-fold probabilities on the
 * training rows (folds stratified by genre count), thresholds chosen on them, a final fit on all
 * training rows, one evaluation on the test rows ({@linkcode trainModel}: one spec on the arrays
 * it is given, no file read or written); then `metrics.json`, the fitted models and the
 * probabilities on disk ({@linkcode runTraining}, through `artifacts.ts`).
 *
 * Every model is trained and scored the same way on the temporal split too (titles added through
 * 2019 and the undated ones train, later ones test; features fitted on its training rows; CV
 * thresholds from its training rows only): evaluation only, the saved model is the random split's.
 *
 * Files written under the processed folder:
 * - `metrics.json`: `{ best, models: { NAME: { f1_macro, …, per_genre, thresholds, cv_curve, …,
 *   temporal: { f1_macro, …, per_genre, n_train, n_test, … } } }, ablation,
 *   embedder_comparison }`
 * - `models/<NAME>/`: the {@linkcode GenreModel} (feature pipeline, estimator, its thresholds)
 * - `predictions/<NAME>_oof.npy` (train rows × genres) and `<NAME>_test.npy` (test rows × genres)
 *
 * @module
 */

import { join } from "node:path";
import type { EstimatorPool } from "../core/estimator.ts";
import type { Matrix } from "../core/matrix.ts";
import { FeaturePipeline } from "../features/feature_pipeline.ts";
import { GenreModel } from "./genre_model.ts";
import { binarize, evaluate, type EvaluationReport } from "../metrics/multi_label_metrics.ts";
import {
  type EntryRef,
  mergeMetrics,
  type MetricsFile,
  type ModelMetrics,
  type ThresholdVariant,
  TrainedEntries,
} from "./metrics_file.ts";
import { buildEstimator } from "../models/model_store.ts";
import { openPool } from "../models/estimator_pool.ts";
import { defaultWorkers } from "../core/worker_pool.ts";
import { sha256Hex } from "../core/sha256.ts";
import { codeFingerprint } from "../io/source_hash.ts";
import {
  checkSplits,
  type ProcessedData,
  type SplitName,
  SPLITS,
} from "../features/processed_data.ts";
import {
  THRESHOLD_STRATEGIES,
  ThresholdedClassifier,
  type ThresholdStrategy,
} from "../models/thresholded_classifier.ts";
import { Artifacts } from "./artifacts.ts";
import { ProgressBar } from "../display/progress.ts";
import type { ModelSpec } from "./model_catalog.ts";

/** Options for {@linkcode trainModel} and {@linkcode runTraining}. */
export interface TrainOptions {
  /** Print progress lines (default true). */
  verbose?: boolean;
  /** Workers to fit on (default: the cores, at most 2; 1 = this thread only). */
  workers?: number;
  /** A pool already open to fit on (then `workers` is not used). */
  pool?: EstimatorPool;
}

/** Options for {@linkcode trainModel}. */
export interface TrainModelOptions extends TrainOptions {
  /** Keep the CV fold models in the trained model's `foldModels` (default false). */
  keepFoldModels?: boolean;
}

/** A trained model with its evaluation. */
export interface TrainedModel {
  spec: ModelSpec;
  metrics: ModelMetrics;
  /** The fitted model with its thresholds (its `oof` holds the out-of-fold probabilities). */
  model: ThresholdedClassifier;
  /** The processed arrays it was trained and scored on. */
  data: ProcessedData;
  /** Its probabilities of the test rows. */
  testProba: Matrix;
}

/**
 * Trains one model spec on one split's arrays (the spec's feature blocks): its
 * {@linkcode ThresholdedClassifier} (CV out-of-fold probabilities → thresholds → final fit, side
 * by side on the worker pool) → test scores. Reads and saves nothing ({@linkcode runTraining}
 * reads the arrays and saves the random split's models).
 *
 * @example
 * ```ts
 * import { Artifacts } from "./artifacts.ts";
 * import { modelSpecs } from "./model_catalog.ts";
 * const studyLr = modelSpecs().find((s) => s.name === "study_lr")!;
 * const data = await new Artifacts().loadFeatures({ features: studyLr.features });
 * const { metrics } = await trainModel(studyLr, data);
 * console.log(metrics.f1_macro);
 * ```
 */
export async function trainModel(
  spec: ModelSpec,
  data: ProcessedData,
  options: TrainModelOptions = {},
): Promise<TrainedModel> {
  using owned = options.pool ? undefined : openPool(options.workers ?? defaultWorkers());
  const pool = options.pool ?? owned!;
  const log = options.verbose === false ? () => {} : (s: string) => console.log(s);
  const { split } = data;
  if (data.features.join("+") !== spec.features.join("+")) {
    throw new Error(
      `model "${spec.name}" reads ${spec.features.join(" + ")}, but the arrays given are of ` +
        `${
          data.features.join(" + ")
        }: load them with \`loadFeatures({ features: spec.features })\``,
    );
  }
  const names = data.config.genres;
  const model = buildEstimator(spec.estimator, `model "${spec.name}"`);
  if (!(model instanceof ThresholdedClassifier)) {
    throw new Error(`model "${spec.name}": its estimator must be "thresholded", got ${model.kind}`);
  }
  const nFolds = model.options.folds;
  log(`\n▶ ${spec.name} [${split} split]: ${spec.description}`);
  log(
    `  ${split} split: ${data.trainIdx.length} train / ${data.testIdx.length} test titles; ` +
      `features ${spec.features.join("+")} (${data.XTrain.cols} columns), ${nFolds}-fold CV`,
  );
  const bar = new ProgressBar(`${spec.name} [${split} split]: CV folds`, nFolds, {
    silent: options.verbose === false,
  });
  await model.fit(data.XTrain, data.yTrain, {
    pool,
    onFold: () => bar.tick(),
    keepFoldModels: options.keepFoldModels,
  });
  bar.done();
  await bar.flush();
  const trained = new Date().toISOString();
  const tuning = model.tuning!;
  const tPred = performance.now();
  const proba = await model.predictProba(data.XTest);
  const predictSeconds = (performance.now() - tPred) / 1000;

  const byGenre = (t: ArrayLike<number>) => Object.fromEntries(names.map((g, j) => [g, t[j]]));
  const shown: Record<ThresholdStrategy, number | Record<string, number>> = {
    fixed: model.options.fixed,
    global: tuning.globalThreshold,
    per_genre: byGenre(tuning.perLabel),
    shrunk: byGenre(model.thresholdsFor("shrunk")),
  };
  // The test rows are predicted once; each threshold choice is scored on those probabilities
  // (the model's own choice is what `model.predict` would give).
  const variants = {} as Record<ThresholdStrategy, ThresholdVariant>;
  const reports = {} as Record<ThresholdStrategy, EvaluationReport>;
  for (const strategy of THRESHOLD_STRATEGIES) {
    const t = model.thresholdsFor(strategy);
    const report = evaluate(data.yTest, binarize(proba, t), { labelNames: names });
    reports[strategy] = report;
    variants[strategy] = {
      thresholds: shown[strategy],
      f1_macro: report.f1_macro,
      f1_micro: report.f1_micro,
      exact_match: report.exact_match,
      cv_f1_macro: tuning.cvF1[strategy],
    };
  }
  const strategy = model.options.strategy;
  const report = reports[strategy];
  const metrics: ModelMetrics = {
    description: spec.description,
    ...report,
    features: spec.features,
    features_id: data.config.id,
    embedder: `${data.config.embedder.kind}/${data.config.embedder.model}`,
    n_features: data.XTrain.cols,
    n_train: data.XTrain.rows,
    n_test: data.XTest.rows,
    threshold_strategy: strategy,
    thresholds: shown[strategy],
    cv_curve: tuning.cvCurve,
    cv_f1_macro: tuning.cvF1[strategy],
    threshold_variants: variants,
    fit_seconds: round(model.seconds!.final),
    predict_seconds: round(predictSeconds),
    cv_seconds: round(model.seconds!.cv),
    trained,
  };
  const { f1_macro, f1_micro, exact_match } = report;
  log(
    `  ${split} test: F1 macro ${f1_macro.toFixed(4)}, micro ${f1_micro.toFixed(4)}, ` +
      `exact ${(exact_match * 100).toFixed(2)}% (thresholds: ${strategy}); ` +
      `fit ${model.seconds!.final.toFixed(1)} s`,
  );
  return { spec, metrics, model, data, testProba: proba };
}

/**
 * Saves a model trained on the random split: the {@linkcode GenreModel} (pipeline + estimator +
 * thresholds + genres) first, then its probabilities and, when kept, its CV fold models (for
 * the explain stage); `metrics.json`, written after, commits the training.
 */
async function saveTrained(artifacts: Artifacts, trained: TrainedModel): Promise<void> {
  const { spec, model, data, metrics } = trained;
  // Only the blocks the model reads are loaded (the others can hold a sentence encoder or an
  // LSA vocabulary: ~190 MB that this model never uses).
  const pipeline = await FeaturePipeline.load(join(artifacts.features, "pipeline"), {
    blocks: spec.features,
  });
  await new GenreModel({
    pipeline,
    estimator: model,
    genres: data.config.genres,
  }).save(artifacts.model(spec.name), {
    name: spec.name,
    description: spec.description,
    training: {
      features_id: data.config.id,
      data_sha256: data.config.input.sha256,
      published: data.config.input.published,
      rows: data.config.counts.train,
      ...(data.config.input.sample !== undefined ? { sample: data.config.input.sample } : {}),
    },
    scores: {
      f1_macro: metrics.f1_macro,
      f1_micro: metrics.f1_micro,
      exact_match: metrics.exact_match,
      cv_f1_macro: metrics.cv_f1_macro,
    },
  });
  await artifacts.writePredictions(spec.name, { oof: model.oof!, test: trained.testProba });
  if (model.foldModels) {
    await artifacts.saveFoldModels(spec.name, model.foldModels, {
      model: spec.name,
      trained: metrics.trained,
      features_id: data.config.id,
      folds: model.options.folds,
      seed: model.options.seed,
    });
  }
}

/** The model whose CV fold models training keeps for the explain stage. */
const BEST_FOLDS_KEPT = "best";

/** Options for {@linkcode runTraining}. */
export interface RunTrainingOptions extends TrainOptions {
  /** Processed folder (default `processed_data`). */
  dir?: string;
  /** Retrain models whose saved results are up to date (same spec, features and code). */
  force?: boolean;
  /** Save the models, their probabilities and metrics.json (default true). */
  save?: boolean;
  /**
   * Train the specs' ablation rows too (their `ablation` feature sets; default true). With false,
   * the earlier rows still up to date (same cache key) are kept and nothing is retrained.
   */
  ablation?: boolean;
  /** Name of the spec recorded as `best` whenever it is trained (chosen beforehand, never by test scores). */
  best: string;
  /** Whether the comparison with the study's embedder (Ollama `embeddinggemma`) could run. */
  embedderComparison?: MetricsFile["embedder_comparison"];
  /**
   * Splits to train and score on (default both). The random split is always trained (it makes
   * the saved models); without `temporal`, earlier temporal results are kept while up to date.
   */
  splits?: readonly SplitName[];
}

/** One training of {@linkcode runTraining}: a spec on a split, as a model or an ablation row. */
interface Job extends EntryRef {
  spec: ModelSpec;
}

/**
 * Trains every spec on one worker pool — each model and each ablation row (the best model on a
 * subset of the feature blocks) on each split, in one loop — and merges the results into
 * metrics.json (entries of models not retrained are kept when they were trained on the same
 * features). A training whose saved entry was made from the same spec, features, split and
 * training code is reused, unless `force` is set.
 *
 * @example
 * ```ts
 * import { modelSpecs } from "./model_catalog.ts";
 * const metrics = await runTraining(modelSpecs(), { best: "best" });
 * ```
 */
export async function runTraining(
  specs: ModelSpec[],
  options: RunTrainingOptions,
): Promise<MetricsFile> {
  const asked = checkSplits(options.splits ?? SPLITS);
  using owned = options.pool ? undefined : openPool(options.workers ?? defaultWorkers());
  const pool = options.pool ?? owned!;
  const artifacts = new Artifacts(options.dir);
  const log = options.verbose === false ? () => {} : (s: string) => console.log(s);
  const config = await artifacts.readConfig();
  const previous = await artifacts.readMetricsIfAny();
  const save = options.save ?? true;
  // Random always; temporal when asked and the features have it.
  const splits = SPLITS.filter((s) => asked.includes(s) && (s === "random" || config.temporal));
  if (asked.includes("temporal") && !config.temporal) {
    log(
      "\nnote: the features have no temporal split (no title on one side of the last training " +
        "year, or features from an older version: re-run `npx deno task preprocess`); training " +
        "on the random split only.",
    );
  }
  // Every module training runs, from this one down its imports (not the catalog: a spec is
  // data, and the cache key holds it whole).
  const code = await codeFingerprint(import.meta.url);
  const jobs: Job[] = [];
  for (const spec of specs) {
    for (const split of splits) jobs.push({ spec, split });
  }
  const ablationRows = new Set<string>();
  for (const spec of specs) {
    for (const features of spec.ablation ?? []) {
      const key = features.join("+");
      const row: ModelSpec = {
        name: `${spec.name}_ablation_${key}`,
        description: `${spec.name}'s model retrained on ${features.join(" + ")} only`,
        features,
        estimator: spec.estimator,
      };
      ablationRows.add(key);
      for (const split of splits) {
        jobs.push({ spec: row, split, ablation: key });
      }
    }
  }

  const entries = new TrainedEntries(previous);
  for (const job of jobs) {
    const { spec, split } = job;
    const cacheKey = await sha256Hex(
      JSON.stringify({ split, spec, featuresId: config.id, code }),
    );
    const before = entries.earlier(job);
    const tag = `${spec.name} [${split} split]`;
    const isSaved = save && split === "random" && job.ablation === undefined;
    if (job.ablation !== undefined && options.ablation === false) {
      // --no-ablation trains no row; it keeps the earlier ones that are still up to date.
      if (before?.cache_key === cacheKey) entries.add(job, before);
    } else if (
      !options.force && before?.cache_key === cacheKey &&
      (!isSaved || await artifacts.modelFeaturesId(spec.name) === config.id)
    ) {
      log(`\n✓ ${tag}: up to date (--force retrains)`);
      entries.add(job, before);
    } else {
      const data = await artifacts.loadFeatures({ features: spec.features, split });
      const trained = await trainModel(spec, data, {
        pool,
        verbose: options.verbose,
        // The best model's fold models are kept for the explain stage (its permutation
        // importance needs exactly these fits).
        keepFoldModels: isSaved && spec.name === BEST_FOLDS_KEPT,
      });
      if (isSaved) await saveTrained(artifacts, trained);
      trained.metrics.cache_key = cacheKey;
      entries.add(job, trained.metrics);
    }
  }
  const notTrained = ablationRows.size - entries.ablationRows;
  if (options.ablation === false && notTrained > 0) {
    log(
      `\n--no-ablation: ${notTrained} of the ${ablationRows.size} ablation rows not trained` +
        "; `npx deno task train` trains them.",
    );
  }

  // --splits random keeps the temporal results that are still up to date.
  if (!splits.includes("temporal")) entries.keepTemporal();
  const { models, ablation } = entries;
  const cv = specs.find((s) => s.name === options.best) ?? specs[0];
  const fresh: MetricsFile = {
    best: options.best,
    created: new Date().toISOString(),
    features_id: config.id,
    split: {
      train: config.counts.train,
      test: config.counts.test,
      seed: config.split.seed,
      ...(config.temporal
        ? {
          temporal: {
            train: config.temporal.train,
            test: config.temporal.test,
            undated: config.temporal.undated,
            last_train_year: config.temporal.last_train_year,
          },
        }
        : {}),
    },
    cv: {
      folds: (cv?.estimator.params.folds as number | undefined) ?? 5,
      stratified_by: "number of genres per title",
      seed: (cv?.estimator.params.seed as number | undefined) ?? 42,
    },
    models,
    ...(Object.keys(ablation).length > 0 ? { ablation } : {}),
  };
  if (options.embedderComparison) fresh.embedder_comparison = options.embedderComparison;
  const { merged, kept, dropped } = mergeMetrics(previous, fresh, { bestName: options.best });
  if (kept.length > 0) log(`\nmetrics.json: kept the earlier results of ${kept.join(", ")}.`);
  if (dropped.length > 0) {
    log(
      `\nnote: metrics.json no longer lists ${dropped.join(", ")}: trained on older features ` +
        `(preprocess was re-run since). Retrain with \`npx deno task train --models ${
          dropped.join(",")
        }\`.`,
    );
  }
  if (previous && previous.best !== merged.best) {
    log(`note: the default model is now "${merged.best}" (was "${previous.best}").`);
  }
  if (save) await artifacts.writeMetrics(merged);
  return merged;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
