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
import { atomicWriteJson, writeDirAtomically } from "../io/atomic_write.ts";
import type { EstimatorFactory } from "../core/estimator.ts";
import { FeaturePipeline } from "../features/feature_pipeline.ts";
import { GenreModel, type GenreModelManifest } from "./genre_model.ts";
import { readJsonFile } from "../io/read_json.ts";
import type { Matrix } from "../core/matrix.ts";
import { binarize, evaluate } from "../metrics/multi_label_metrics.ts";
import {
  type AblationResult,
  type AblationScores,
  mergeMetrics,
  type MetricsFile,
  type ModelMetrics,
  readMetricsFile,
  type SplitMetrics,
  type ThresholdVariant,
} from "./metrics_file.ts";
import { readMatrix, writeNpy } from "../io/npy.ts";
import { parallelCrossValPredictProba } from "../model_selection/parallel_cross_val.ts";
import { loadEstimator } from "../models/model_store.ts";
import { sha256Hex } from "../core/sha256.ts";
import { libSourceHash, STAGE_CODE } from "../io/source_hash.ts";
import {
  DEFAULT_PROCESSED_DIR,
  type FeatureBlock,
  featuresDir,
  loadProcessed,
  type ProcessedData,
  readConfig,
  type SplitName,
  SPLITS,
} from "../features/processed_data.ts";
import {
  THRESHOLD_STRATEGIES,
  ThresholdedClassifier,
  type ThresholdStrategy,
} from "../models/thresholded_classifier.ts";

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
  /**
   * The catalog name a worker rebuilds this model from (lib/pipeline/fold_worker.ts): when set,
   * the cross-validation folds are fitted on workers, two at a time.
   */
  factory?: string;
}

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
  /** Workers for the cross-validation folds of specs with a `factory` (default: cores, at most 2; 1 = in this thread). */
  workers?: number;
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
  dir: string,
  features: FeatureBlock[],
  split: SplitName,
): Promise<ProcessedData> {
  const { id } = await readConfig(dir);
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

const pipelineCache = new Map<string, Promise<FeaturePipeline>>();

/** The fitted pipeline of the processed features, read once per features id. */
function loadPipeline(dir: string, id: string): Promise<FeaturePipeline> {
  const key = `${dir}|${id}`;
  let p = pipelineCache.get(key);
  if (!p) {
    for (const k of pipelineCache.keys()) if (k.startsWith(`${dir}|`)) pipelineCache.delete(k);
    p = FeaturePipeline.load(join(featuresDir(dir), "pipeline"));
    p.catch(() => pipelineCache.delete(key));
    pipelineCache.set(key, p);
  }
  return p;
}

/**
 * Trains one model spec: a {@linkcode ThresholdedClassifier} (CV out-of-fold probabilities →
 * thresholds → final fit) → test scores; saves the {@linkcode GenreModel} (pipeline + estimator +
 * thresholds + genres) under `models/NAME/`.
 *
 * @example
 * ```ts
 * import { makeStudyLr } from "./model_catalog.ts";
 * const spec: ModelSpec = {
 *   name: "study_lr",
 *   description: "LR",
 *   features: ["text", "categorical"],
 *   make: () => makeStudyLr(),
 *   thresholds: "fixed",
 * };
 * const { metrics } = await trainModel(spec, { save: false });
 * console.log(metrics.f1_macro);
 * ```
 */
export async function trainModel(
  spec: ModelSpec,
  options: TrainOptions = {},
): Promise<TrainedModel> {
  const dir = options.dir ?? DEFAULT_PROCESSED_DIR;
  const log = options.verbose === false ? () => {} : (s: string) => console.log(s);
  const split = options.split ?? "random";
  const data = await loadFeatures(dir, spec.features, split);
  const names = data.config.genres;
  const nFolds = options.folds ?? 5;
  log(`\n▶ ${spec.name} [${split} split]: ${spec.description}`);
  log(
    `  ${split} split: ${data.trainIdx.length} train / ${data.testIdx.length} test titles; ` +
      `features ${spec.features.join("+")} (${data.XTrain.cols} columns), ${nFolds}-fold CV`,
  );

  let cvSeconds = 0;
  const t0 = performance.now();
  const workers = options.workers ?? Math.min(2, navigator.hardwareConcurrency ?? 1);
  const factory = spec.factory;
  // The best model's CV fold models are kept for the explain stage (its permutation importance
  // needs exactly these fits); only for the saved, random-split model fitted on workers.
  const keepFolds = (options.save ?? true) && split === "random" && factory !== undefined &&
    workers > 1;
  // On workers the fit on all rows joins the folds' queue: no core waits for the last fold.
  let finalSeconds: number | undefined;
  let allRowsDir: string | undefined;
  const fitModel = (saveDir?: string) =>
    new ThresholdedClassifier(spec.make, {
      strategy: spec.thresholds,
      folds: nFolds,
      seed: options.seed ?? 42,
      crossValidate: factory && workers > 1
        ? async (_make, data, cv) => {
          const tmp = await Deno.makeTempDir({ prefix: `netflix-genres-${spec.name}-` });
          allRowsDir = tmp;
          try {
            return await parallelCrossValPredictProba(data, {
              ...cv,
              worker: new URL("./fold_worker.ts", import.meta.url),
              factory,
              workers,
              saveDir,
              allRowsTo: tmp,
              onAllRows: (s) => (finalSeconds = s),
            });
          } catch (err) {
            await Deno.remove(tmp, { recursive: true }).catch(() => {});
            throw err;
          }
        }
        : undefined,
      fittedOnAllRows: async () => {
        if (allRowsDir === undefined) return null;
        try {
          return await loadEstimator(allRowsDir);
        } finally {
          await Deno.remove(allRowsDir, { recursive: true }).catch(() => {});
        }
      },
      onFold: (k, s) => {
        cvSeconds = (performance.now() - t0) / 1000; // wall time until the last fold finished
        log(`  fold ${k + 1}/${nFolds} done in ${s.toFixed(1)} s`);
      },
    }).fit(data.XTrain, data.yTrain);
  let model!: ThresholdedClassifier;
  let trained = "";
  if (keepFolds) {
    await writeDirAtomically(savedFoldsDir(dir, spec.name), async (tmp) => {
      model = await fitModel(tmp);
      trained = new Date().toISOString();
      const manifest: SavedFolds = {
        model: spec.name,
        trained,
        features_id: data.config.id,
        folds: nFolds,
        seed: options.seed ?? 42,
      };
      await atomicWriteJson(join(tmp, SAVED_FOLDS_FILE), manifest);
    });
  } else {
    model = await fitModel();
    trained = new Date().toISOString();
  }
  // The final fit's own time when it ran on a worker beside the folds; else what followed them.
  const fitSeconds = finalSeconds ?? (performance.now() - t0) / 1000 - cvSeconds;
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
    threshold_strategy: spec.thresholds,
    thresholds: shown[spec.thresholds],
    cv_curve: tuning.cvCurve,
    cv_f1_macro: tuning.cvF1[spec.thresholds],
    threshold_variants: variants,
    fit_seconds: round(fitSeconds),
    predict_seconds: round(predictSeconds),
    cv_seconds: round(cvSeconds),
    trained,
  };
  const { f1_macro, f1_micro, exact_match } = report;
  log(
    `  ${split} test: F1 macro ${f1_macro.toFixed(4)}, micro ${f1_micro.toFixed(4)}, ` +
      `exact ${(exact_match * 100).toFixed(2)}% (thresholds: ${spec.thresholds}); ` +
      `fit ${fitSeconds.toFixed(1)} s`,
  );
  if ((options.save ?? true) && split === "random") {
    const pipeline = await loadPipeline(dir, data.config.id);
    const genreModel = new GenreModel({
      pipeline: pipeline.select(spec.features),
      estimator: model,
      genres: names,
    });
    await genreModel.save(join(dir, "models", spec.name), {
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
    await writeNpy(join(dir, "predictions", `${spec.name}_oof.npy`), oof);
    await writeNpy(join(dir, "predictions", `${spec.name}_test.npy`), proba);
  }
  return { spec, metrics, model, oof: oof.data, testProba: proba.data };
}

/** File in a saved-folds folder that says which training the fold models belong to. */
const SAVED_FOLDS_FILE = "folds.json";

/**
 * What `processed_data/cache/folds/NAME/folds.json` records: the cross-validation fold models
 * `trainModel` fitted for the thresholds of model NAME (in `fold_K/`), kept so that the explain
 * stage reuses them instead of fitting the same folds again.
 */
export interface SavedFolds {
  model: string;
  /** `metrics.json` → `models.NAME.trained` of the training that fitted them. */
  trained: string;
  features_id: string;
  folds: number;
  seed: number;
}

/**
 * The folder of a model's saved CV fold models.
 *
 * @example
 * ```ts
 * savedFoldsDir("processed_data", "best"); // "processed_data/cache/folds/best"
 * ```
 */
export function savedFoldsDir(dir: string, name: string): string {
  return join(dir, "cache", "folds", name);
}

/**
 * The manifest of a model's saved CV fold models, or `null` when there are none.
 *
 * @example
 * ```ts
 * const saved = await readSavedFolds("processed_data", "best");
 * console.log(saved?.trained);
 * ```
 */
export async function readSavedFolds(dir: string, name: string): Promise<SavedFolds | null> {
  const path = join(savedFoldsDir(dir, name), SAVED_FOLDS_FILE);
  try {
    await Deno.stat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
  return await readJsonFile<SavedFolds>(path, {
    hint: `re-run \`npx deno task train --models ${name}\``,
  });
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
 * Trains every spec, runs the ablation, and merges the results into metrics.json (entries of
 * models not retrained are kept when they were trained on the same features). A spec whose
 * saved entry and model were made from the same spec, features and library code is not trained
 * again (nor the ablation), unless `force` is set.
 *
 * @example
 * ```ts
 * declare const studyLr: ModelSpec, best: ModelSpec;
 * const metrics = await runTraining([studyLr, best], { best: "best" });
 * ```
 */
export async function runTraining(
  specs: ModelSpec[],
  options: RunTrainingOptions,
): Promise<MetricsFile> {
  const dir = options.dir ?? DEFAULT_PROCESSED_DIR;
  const log = options.verbose === false ? () => {} : (s: string) => console.log(s);
  const config = await readConfig(dir);
  const previous = await readPreviousMetrics(dir);
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
      `\nnote: ${featuresDir(dir)} has no temporal split (no title on one side of the last ` +
        "training year, or features from an older version: re-run `npx deno task preprocess`); " +
        "training on the random split only.",
    );
  }
  const models: Record<string, ModelMetrics> = {};
  const keys: Record<string, string> = {};
  const temporalKeys: Record<string, string> = {};
  for (const spec of specs) {
    keys[spec.name] = await specKey(spec, config.id, options, "random");
    temporalKeys[spec.name] = await specKey(spec, config.id, options, "temporal");
    const before = previous?.models[spec.name];
    let entry: ModelMetrics;
    if (
      !options.force && options.save !== false && before?.cache_key === keys[spec.name] &&
      await savedModelMatches(dir, spec.name, config.id)
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
  if (options.save ?? true) await atomicWriteJson(join(dir, "metrics.json"), merged);
  return merged;
}

/**
 * What a trained entry depends on: the spec, the folds, the features, the split and the library
 * code.
 */
async function specKey(
  spec: ModelSpec,
  featuresId: string,
  options: TrainOptions,
  split: SplitName,
): Promise<string> {
  return await sha256Hex(JSON.stringify({
    split,
    name: spec.name,
    description: spec.description,
    features: spec.features,
    thresholds: spec.thresholds,
    folds: options.folds ?? 5,
    seed: options.seed ?? 42,
    featuresId,
    code: await libSourceHash(STAGE_CODE.train),
  }));
}

async function savedModelMatches(dir: string, name: string, featuresId: string): Promise<boolean> {
  const manifest = await readJsonFile<GenreModelManifest>(
    join(dir, "models", name, "manifest.json"),
  ).catch(() => null);
  return manifest?.training?.features_id === featuresId;
}

/** The current metrics.json, or null when there is none or an older version wrote it. */
function readPreviousMetrics(dir: string): Promise<MetricsFile | null> {
  return readMetricsFile(dir).catch(() => null);
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
 * import { readConfig } from "../features/processed_data.ts";
 * import { readMetricsFile } from "./metrics_file.ts";
 * const metrics = await readMetricsFile("processed_data");
 * const config = await readConfig("processed_data");
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
