/**
 * The training stage: for each model, 5-fold cross-validated out-of-fold probabilities on the
 * training rows (folds stratified by genre count), thresholds chosen on them, a final fit on all
 * training rows, one evaluation on the test rows; then `metrics.json`, the fitted models and the
 * probabilities on disk.
 *
 * Every model is trained and scored the same way on the temporal split too (titles added through
 * 2019 and the undated ones train, later ones test; features fitted on its training rows; CV
 * thresholds from its training rows only): evaluation only, the saved model is the random split's.
 *
 * Files written under the processed folder:
 * - `metrics.json`: `{ best, models: { NAME: { f1_macro, …, per_genre, thresholds, cv_curve, …,
 *   temporal: { f1_macro, …, per_genre, n_train, n_test, … } } }, ablation,
 *   embedder_comparison }`
 * - `models/<NAME>/`: the fitted model (see lib/model_store.ts) and `thresholds.json`
 * - `predictions/<NAME>_oof.npy` (train rows × genres) and `<NAME>_test.npy` (test rows × genres)
 *
 * @module
 */

import { join } from "node:path";
import type { EstimatorPool } from "../core/estimator.ts";
import { FeaturePipeline } from "../features/feature_pipeline.ts";
import { GenreModel } from "./genre_model.ts";
import { binarize, evaluate } from "../metrics/multi_label_metrics.ts";
import {
  type AblationResult,
  type AblationScores,
  mergeMetrics,
  type MetricsFile,
  type ModelMetrics,
  type SplitMetrics,
  type ThresholdVariant,
} from "./metrics_file.ts";
import { buildEstimator } from "../models/model_store.ts";
import { defaultWorkers, openPool } from "../models/estimator_pool.ts";
import { sha256Hex } from "../core/sha256.ts";
import { codeFingerprint } from "../io/source_hash.ts";
import {
  type FeatureBlock,
  loadProcessed,
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
  /** Processed folder (default `processed_data`). */
  dir?: string;
  /** CV folds (default 5) and seed (default 42). */
  folds?: number;
  seed?: number;
  /** Save the genre model and probabilities (default true). */
  save?: boolean;
  /** Print progress lines (default true). */
  verbose?: boolean;
  /** Retrain models whose saved results are up to date (same spec, features and code). */
  force?: boolean;
  /** Workers to fit on (default: the cores, at most 2; 1 = this thread only). */
  workers?: number;
  /** A pool already open to fit on (then `workers` is not used). */
  pool?: EstimatorPool;
  /**
   * The split {@linkcode trainModel} trains and scores on (default `random`, the study's); a
   * model trained on the `temporal` split is never saved.
   */
  split?: SplitName;
}

/** A trained model with its evaluation. */
export interface TrainedModel {
  spec: ModelSpec;
  metrics: ModelMetrics;
  /** The fitted model with its thresholds (its `oof` holds the out-of-fold probabilities). */
  model: ThresholdedClassifier;
  oof: Float32Array;
  testProba: Float32Array;
}

const dataCache = new Map<string, Promise<ProcessedData>>();

/**
 * Loads the processed arrays for a feature set, memoised per folder, feature list and features
 * id: after preprocess is re-run, the next call reads the new arrays.
 */
async function loadFeatures(
  artifacts: Artifacts,
  features: FeatureBlock[],
  split: SplitName,
): Promise<ProcessedData> {
  const { dir } = artifacts;
  const { id } = await artifacts.readConfig();
  const key = `${dir}|${features.join(",")}|${split}|${id}`;
  for (const k of dataCache.keys()) {
    if (k.startsWith(`${dir}|`) && !k.endsWith(`|${id}`)) dataCache.delete(k);
  }
  let p = dataCache.get(key);
  if (!p) {
    p = loadProcessed(dir, { features, split });
    p.catch(() => dataCache.delete(key));
    dataCache.set(key, p);
  }
  return await p;
}

/**
 * Trains one model spec: its {@linkcode ThresholdedClassifier} (CV out-of-fold probabilities →
 * thresholds → final fit, side by side on the worker pool) → test scores; on the random split
 * saves the {@linkcode GenreModel} (pipeline + estimator + thresholds + genres) and its
 * probabilities, and for the best model its CV fold models (for the explain stage).
 *
 * @example
 * ```ts
 * import { modelSpecs } from "./model_catalog.ts";
 * const studyLr = modelSpecs().find((s) => s.name === "study_lr")!;
 * const { metrics } = await trainModel(studyLr, { save: false });
 * console.log(metrics.f1_macro);
 * ```
 */
export async function trainModel(
  spec: ModelSpec,
  options: TrainOptions = {},
): Promise<TrainedModel> {
  if (!options.pool) {
    using pool = openPool(options.workers ?? defaultWorkers());
    return await trainModel(spec, { ...options, pool });
  }
  const artifacts = new Artifacts(options.dir);
  const log = options.verbose === false ? () => {} : (s: string) => console.log(s);
  const split = options.split ?? "random";
  const save = (options.save ?? true) && split === "random";
  const data = await loadFeatures(artifacts, spec.features, split);
  const names = data.config.genres;
  const model = buildEstimator(withFolds(spec, options).estimator, `model "${spec.name}"`);
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
    pool: options.pool,
    onFold: () => bar.tick(),
    // The best model's fold models are kept for the explain stage (its permutation importance
    // needs exactly these fits).
    keepFoldModels: save && spec.name === BEST_FOLDS_KEPT,
  });
  bar.done();
  await bar.flush();
  const trained = new Date().toISOString();
  const oof = model.oof!;
  const tuning = model.tuning!;
  const tPred = performance.now();
  const proba = await model.predictProba(data.XTest);
  const predictSeconds = (performance.now() - tPred) / 1000;

  const perGenre = Object.fromEntries(names.map((g, j) => [g, tuning.perLabel[j]]));
  const shown: Record<ThresholdStrategy, number | Record<string, number>> = {
    fixed: model.options.fixed,
    global: tuning.globalThreshold,
    per_genre: perGenre,
  };
  const variants = {} as Record<ThresholdStrategy, ThresholdVariant>;
  for (const strategy of THRESHOLD_STRATEGIES) {
    const t = model.thresholdsFor(strategy);
    const report = evaluate(data.yTest, binarize(proba, t), { labelNames: names });
    variants[strategy] = {
      thresholds: shown[strategy],
      f1_macro: report.f1_macro,
      f1_micro: report.f1_micro,
      exact_match: report.exact_match,
      cv_f1_macro: tuning.cvF1[strategy],
    };
  }
  const strategy = model.options.strategy;
  const report = evaluate(data.yTest, await model.predict(data.XTest), { labelNames: names });
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
  if (save) {
    // The model first, then its probabilities and fold models; metrics.json (written by the
    // caller) commits the training last.
    const pipeline = await FeaturePipeline.load(join(artifacts.features, "pipeline"));
    const genreModel = new GenreModel({
      pipeline: pipeline.select(spec.features),
      estimator: model,
      genres: names,
    });
    await genreModel.save(artifacts.model(spec.name), {
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
        f1_macro: report.f1_macro,
        f1_micro: report.f1_micro,
        exact_match: report.exact_match,
        cv_f1_macro: metrics.cv_f1_macro,
      },
    });
    await artifacts.writePredictions(spec.name, { oof, test: proba });
    if (model.foldModels) {
      await artifacts.saveFoldModels(spec.name, model.foldModels, {
        model: spec.name,
        trained,
        features_id: data.config.id,
        folds: nFolds,
        seed: model.options.seed,
      });
    }
  }
  return { spec, metrics, model, oof: oof.data, testProba: proba.data };
}

/** The model whose CV fold models training keeps for the explain stage. */
const BEST_FOLDS_KEPT = "best";

/** `spec` with the CV folds and seed of `options` when given. */
function withFolds(spec: ModelSpec, options: TrainOptions): ModelSpec {
  if (options.folds === undefined && options.seed === undefined) return spec;
  const params = { ...spec.estimator.params };
  if (options.folds !== undefined) params.folds = options.folds;
  if (options.seed !== undefined) params.seed = options.seed;
  return { ...spec, estimator: { ...spec.estimator, params } };
}

/**
 * Retrains a model spec on several feature sets (the ablation the study asked for but never ran).
 */
async function runAblation(
  spec: ModelSpec,
  featureSets: FeatureBlock[][],
  options: TrainOptions = {},
): Promise<Record<string, AblationScores & { features: FeatureBlock[] }>> {
  const out: Record<string, AblationScores & { features: FeatureBlock[] }> = {};
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
      per_genre: Object.fromEntries(Object.entries(metrics.per_genre).map(([g, s]) => [g, s.f1])),
    };
  }
  return out;
}

/** The part of a model's entry kept for the temporal split. */
function splitMetrics(m: ModelMetrics): SplitMetrics {
  return {
    hamming_loss: m.hamming_loss,
    exact_match: m.exact_match,
    f1_macro: m.f1_macro,
    f1_micro: m.f1_micro,
    f1_samples: m.f1_samples,
    f1_weighted: m.f1_weighted,
    per_genre: m.per_genre,
    n_train: m.n_train!,
    n_test: m.n_test!,
    n_features: m.n_features,
    thresholds: m.thresholds,
    cv_curve: m.cv_curve,
    cv_f1_macro: m.cv_f1_macro,
    fit_seconds: m.fit_seconds,
    predict_seconds: m.predict_seconds,
    cv_seconds: m.cv_seconds,
    trained: m.trained,
  };
}

/** Options for {@linkcode runTraining}. */
export interface RunTrainingOptions extends TrainOptions {
  /** Feature sets for the ablation of the best model (empty: skip). */
  ablation?: FeatureBlock[][];
  /** Name of the spec recorded as `best` whenever it is trained (chosen beforehand, never by test scores). */
  best: string;
  /** Recorded when Ollama was not available for an lsa-vs-embeddinggemma comparison. */
  embedderComparison?: MetricsFile["embedder_comparison"];
  /**
   * Splits to train and score on (default both). The random split is always trained (it makes
   * the saved models); without `temporal`, earlier temporal results are kept while up to date.
   */
  splits?: readonly SplitName[];
}

/**
 * Trains every spec on one worker pool, runs the ablation, and merges the results into
 * metrics.json (entries of models not retrained are kept when they were trained on the same
 * features). A spec whose saved entry and model were made from the same spec, features and
 * training code is not trained again (nor the ablation), unless `force` is set.
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
  if (!options.pool) {
    using pool = openPool(options.workers ?? defaultWorkers());
    return await runTraining(specs, { ...options, pool });
  }
  const artifacts = new Artifacts(options.dir);
  const log = options.verbose === false ? () => {} : (s: string) => console.log(s);
  const config = await artifacts.readConfig();
  const previous = await artifacts.readMetricsIfAny();
  const splits = options.splits ?? SPLITS;
  for (const s of splits) {
    if (!SPLITS.includes(s)) throw new Error(`unknown split "${s}"; use ${SPLITS.join(", ")}`);
  }
  if (!splits.includes("random")) {
    throw new Error("the random split is always trained (it makes the saved models); add `random`");
  }
  // Features without a temporal split (data of one year, or written by an older version).
  const temporalWanted = splits.includes("temporal") && config.temporal !== undefined;
  if (splits.includes("temporal") && !config.temporal) {
    log(
      `\nnote: ${artifacts.features} has no temporal split (no title on one side of the last ` +
        "training year, or features from an older version: re-run `npx deno task preprocess`); " +
        "training on the random split only.",
    );
  }
  // Every module training runs, from this one down its imports (the catalog included).
  const code = await codeFingerprint(import.meta.url);
  const models: Record<string, ModelMetrics> = {};
  const keys: Record<string, string> = {};
  const temporalKeys: Record<string, string> = {};
  for (const spec of specs) {
    keys[spec.name] = await specKey(spec, config.id, options, "random", code);
    temporalKeys[spec.name] = await specKey(spec, config.id, options, "temporal", code);
    const before = previous?.models[spec.name];
    let entry: ModelMetrics;
    if (
      !options.force && options.save !== false && before?.cache_key === keys[spec.name] &&
      await savedModelMatches(artifacts, spec.name, config.id)
    ) {
      log(
        `\n✓ ${spec.name} [random split]: up to date (trained ${before.trained}; --force retrains)`,
      );
      entry = { ...before };
    } else {
      const trained = await trainModel(spec, { ...options, split: "random" });
      entry = { ...trained.metrics, cache_key: keys[spec.name] };
    }
    delete entry.temporal;
    // The temporal entry is reused while made from the same spec, features and code, even when
    // the temporal split is not run this time; otherwise it is retrained or dropped.
    const beforeTemporal = before?.temporal;
    if (!options.force && beforeTemporal?.cache_key === temporalKeys[spec.name]) {
      if (temporalWanted) {
        log(`✓ ${spec.name} [temporal split]: up to date (trained ${beforeTemporal.trained})`);
      }
      entry.temporal = beforeTemporal;
    } else if (temporalWanted) {
      const trained = await trainModel(spec, { ...options, split: "temporal" });
      entry.temporal = { ...splitMetrics(trained.metrics), cache_key: temporalKeys[spec.name] };
    }
    models[spec.name] = entry;
  }
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
      folds: options.folds ?? 5,
      stratified_by: "number of genres per title",
      seed: options.seed ?? 42,
    },
    models,
  };
  const bestSpec = specs.find((s) => s.name === options.best);
  if (bestSpec && options.ablation && options.ablation.length > 0) {
    const sets = options.ablation;
    const key = await sha256Hex(JSON.stringify([keys[bestSpec.name], sets, "random"]));
    const temporalKey = await sha256Hex(
      JSON.stringify([temporalKeys[bestSpec.name], sets, "temporal"]),
    );
    const before = previous?.ablation;
    let ablation: Record<string, AblationResult>;
    if (!options.force && before && previous.ablation_key === key) {
      log(`\n✓ ablation of ${bestSpec.name} [random split]: up to date (--force reruns it)`);
      ablation = Object.fromEntries(
        Object.entries(before).map(([k, r]) => [k, { ...r, temporal: undefined }]),
      );
    } else {
      ablation = await runAblation(bestSpec, sets, { ...options, split: "random" });
    }
    const temporalUpToDate = !options.force && before !== undefined &&
      previous!.ablation_temporal_key === temporalKey &&
      Object.keys(ablation).every((k) => before[k]?.temporal !== undefined);
    if (temporalUpToDate) {
      if (temporalWanted) {
        log(`✓ ablation of ${bestSpec.name} [temporal split]: up to date (--force reruns it)`);
      }
      for (const k of Object.keys(ablation)) ablation[k].temporal = before![k].temporal;
      fresh.ablation_temporal_key = temporalKey;
    } else if (temporalWanted) {
      const rows = await runAblation(bestSpec, sets, { ...options, split: "temporal" });
      for (const [k, { features: _, ...scores }] of Object.entries(rows)) {
        ablation[k].temporal = scores;
      }
      fresh.ablation_temporal_key = temporalKey;
    }
    for (const r of Object.values(ablation)) if (r.temporal === undefined) delete r.temporal;
    fresh.ablation = ablation;
    fresh.ablation_key = key;
  }
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
  if (options.save ?? true) await artifacts.writeMetrics(merged);
  return merged;
}

/**
 * What a trained entry depends on: the spec (its estimator as data), the folds, the features,
 * the split and the training code.
 */
async function specKey(
  spec: ModelSpec,
  featuresId: string,
  options: TrainOptions,
  split: SplitName,
  code: string,
): Promise<string> {
  return await sha256Hex(JSON.stringify({
    split,
    spec: withFolds(spec, options),
    featuresId,
    code,
  }));
}

async function savedModelMatches(
  artifacts: Artifacts,
  name: string,
  featuresId: string,
): Promise<boolean> {
  const manifest = await artifacts.readModelManifest(name);
  return manifest?.training?.features_id === featuresId;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
