/**
 * `processed_data/metrics.json`: its one type and its one validating reader, used by train,
 * predict, readme, report and the notebooks. Training some models merges their results into the
 * file; `best` (predict's default model) changes only when the best model is retrained. Where a
 * training's result goes in the file (a model's entry, its temporal part, an ablation row) is
 * {@linkcode TrainedEntries}' to know.
 *
 * @module
 */

import { join } from "node:path";
import type { FeatureBlock } from "../features/feature_blocks.ts";
import type { SplitName } from "../features/processed_data.ts";
import type { EvaluationReport } from "../metrics/multi_label_metrics.ts";
import { readJsonFile } from "../io/read_json.ts";
import type { CvCurvePoint } from "../model_selection/threshold_tuning.ts";
import type { ThresholdStrategy } from "../models/thresholded_classifier.ts";
import type { ClaimResult, DropStat } from "../analysis/explain/study_claims.ts";
import type { TermWeight } from "../analysis/explain/term_evidence.ts";

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
  /** Id of the processed features the model was trained on. */
  features_id: string;
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
  /** When this entry was trained. */
  trained: string;
  /** What the entry was made from (spec, features, code); the train stage reuses it while equal. */
  cache_key?: string;
  /** Training and test rows of the random split (absent in older files). */
  n_train?: number;
  n_test?: number;
  /**
   * The same model, trained and scored the same way on the temporal split (titles added through
   * 2019 and the undated ones train, later ones test, features fitted on its training rows):
   * evaluation only, the saved model is the random split's. Absent when it was not run.
   */
  temporal?: SplitMetrics;
}

/** One model's scores on the temporal split (an entry's `temporal`). */
export interface SplitMetrics extends EvaluationReport {
  n_train: number;
  n_test: number;
  n_features: number;
  thresholds: number | Record<string, number>;
  cv_curve: CvCurvePoint[];
  cv_f1_macro: number;
  fit_seconds: number;
  predict_seconds: number;
  cv_seconds: number;
  trained: string;
  /** What it was made from (spec, features, code, split); reused while equal. */
  cache_key?: string;
}

/** Scores of one ablation row on one split. */
export interface AblationScores {
  n_features: number;
  f1_macro: number;
  f1_micro: number;
  f1_samples: number;
  exact_match: number;
  cv_f1_macro: number;
  fit_seconds: number;
  /** F1 of each genre on the test rows (absent in files written before the temporal split). */
  per_genre?: Record<string, number>;
  /** What the row was made from (spec, features, split, code); the train stage reuses it while equal. */
  cache_key?: string;
}

/** One ablation row: the best model on a subset of feature blocks, on both splits. */
export interface AblationResult extends AblationScores {
  features: FeatureBlock[];
  /** The same row on the temporal split (absent when it was not run). */
  temporal?: AblationScores;
}

/** Contents of metrics.json. */
export interface MetricsFile {
  /** The default model: predict uses it when `--model` is not given. */
  best: string;
  created: string;
  /** Id of the processed features every entry was trained on. */
  features_id: string;
  split: {
    train: number;
    test: number;
    seed: number;
    /** The temporal split's sizes (absent in files written before it existed). */
    temporal?: { train: number; test: number; undated: number; last_train_year: number };
  };
  cv: { folds: number; stratified_by: string; seed: number };
  models: Record<string, ModelMetrics>;
  ablation?: Record<string, AblationResult>;
  /** Seconds per stage of the last `deno task all`, and in total. */
  pipeline_seconds?: Record<string, number>;
  embedder_comparison?: { available: boolean; note: string; results?: Record<string, unknown> };
  /** Why the best model predicts what it does (`deno task explain`). */
  explanations?: ExplanationsMetrics;
}

/** One reliability summary (bins kept short). */
export interface ReliabilitySummary {
  ece: number;
  mce: number;
  n: number;
  bins: {
    lo: number;
    hi: number;
    count: number;
    predicted: number | null;
    observed: number | null;
  }[];
}

/** A confidently contradicted training label. */
export interface ContradictionExample {
  /** Index into the training rows and the title's show_id. */
  train_row: number;
  show_id: string;
  title: string;
  genre: string;
  kind: "extra" | "miss";
  probability: number;
  given: string[];
  predicted: string[];
}

/** `metrics.json` → `explanations`. */
export interface ExplanationsMetrics {
  model: string;
  /** What the explanations were made from (model entry, options, code); reused while equal. */
  cache_key?: string;
  features_id: string;
  created: string;
  seconds: number;
  data: {
    train_rows: number;
    sample?: number;
    folds: number;
    repeats: number;
    seed: number;
    /** Whether the fold models were train's own (kept in `cache/folds/`) instead of refitted. */
    folds_from_train?: boolean;
  };
  permutation: {
    groups: string[];
    /** Out-of-fold F1 macro of the refitted folds with nothing permuted. */
    baseline_f1_macro: number;
    macro: Record<string, DropStat>;
    per_genre: Record<string, { f1: number; support: number; drop: Record<string, DropStat> }>;
  };
  claims: ClaimResult[];
  terms: {
    max_terms: number;
    max_names: number;
    columns: number;
    test_f1_macro: number;
    per_genre: Record<string, { positive: TermWeight[]; negative: TermWeight[] }>;
  };
  calibration: {
    bins: number;
    binning: "equal-width";
    models: Record<
      string,
      {
        oof: ReliabilitySummary;
        test: ReliabilitySummary;
        per_genre_ece: Record<string, number>;
        genres: Record<string, ReliabilitySummary>;
      }
    >;
  };
  label_noise: {
    high: number;
    low: number;
    false_positives: number;
    false_negatives: number;
    confident_extras: number;
    confident_misses: number;
    extra_share: number;
    miss_share: number;
    error_share: number;
    titles: number;
    /** Confident extras and misses per genre (genres with any). */
    by_genre: Record<string, { extras: number; misses: number }>;
    examples: ContradictionExample[];
  };
}

const REQUIRED_NUMBERS = ["f1_macro", "f1_micro", "exact_match", "hamming_loss"] as const;

/**
 * Validates parsed metrics.json content; throws naming the file, the field and the fix.
 *
 * @example
 * ```ts
 * const metrics = parseMetricsFile(JSON.parse(await Deno.readTextFile("processed_data/metrics.json")));
 * ```
 */
export function parseMetricsFile(value: unknown, options: { source?: string } = {}): MetricsFile {
  const where = options.source ?? "metrics.json";
  const fix = "re-run `npx deno task train`";
  const fail = (msg: string): never => {
    throw new Error(`${where}: ${msg}; ${fix}`);
  };
  const finiteNumbers = (o: Record<string, unknown>, keys: readonly string[], path: string) => {
    for (const key of keys) {
      const x = o[key];
      if (typeof x !== "number" || !Number.isFinite(x)) {
        fail(`${path}.${key} must be a finite number, got ${JSON.stringify(x)}`);
      }
    }
  };
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    fail('expected an object with "best" and "models"');
  }
  const v = value as Record<string, unknown>;
  if (!v.models || typeof v.models !== "object" || Array.isArray(v.models)) {
    fail('"models" must be an object mapping model name → scores');
  }
  const models = v.models as Record<string, unknown>;
  if (Object.keys(models).length === 0) fail('"models" is empty');
  for (const [name, m] of Object.entries(models)) {
    if (!m || typeof m !== "object") fail(`models["${name}"] is not an object`);
    const entry = m as Record<string, unknown>;
    finiteNumbers(entry, REQUIRED_NUMBERS, `models["${name}"]`);
    if (!Array.isArray(entry.features)) fail(`models["${name}"].features must be a list`);
    if (entry.temporal !== undefined) {
      const t = entry.temporal as Record<string, unknown> | null;
      if (!t || typeof t !== "object") fail(`models["${name}"].temporal is not an object`);
      finiteNumbers(t!, [...REQUIRED_NUMBERS, "n_train", "n_test"], `models["${name}"].temporal`);
      if (!t!.per_genre || typeof t!.per_genre !== "object") {
        fail(`models["${name}"].temporal.per_genre must be an object`);
      }
    }
    if (typeof entry.features_id !== "string") {
      fail(`models["${name}"] has no features_id (written by an older version)`);
    }
  }
  if (typeof v.best !== "string" || !Object.hasOwn(models, v.best)) {
    fail(
      `"best" must name one of the models (${Object.keys(models).join(", ")}), got ${
        JSON.stringify(v.best)
      }`,
    );
  }
  if (typeof v.features_id !== "string") fail('"features_id" is missing');
  if (v.ablation !== undefined) {
    if (!v.ablation || typeof v.ablation !== "object") fail('"ablation" is not an object');
    for (const [key, r] of Object.entries(v.ablation as Record<string, unknown>)) {
      const row = r as Record<string, unknown> | null;
      if (!row || typeof row !== "object" || !Array.isArray(row.features)) {
        fail(`ablation["${key}"] must be an object with a list of features`);
      }
      finiteNumbers(row!, ["f1_macro"], `ablation["${key}"]`);
      if (row!.temporal !== undefined) {
        const t = row!.temporal as Record<string, unknown> | null;
        if (!t || typeof t !== "object") fail(`ablation["${key}"].temporal is not an object`);
        finiteNumbers(t!, ["f1_macro"], `ablation["${key}"].temporal`);
      }
    }
  }
  return value as MetricsFile;
}

/**
 * Reads and validates `metrics.json` of a processed folder.
 *
 * @example
 * ```ts
 * const metrics = await readMetricsFile("processed_data");
 * console.log(metrics.best, metrics.models[metrics.best].f1_macro);
 * ```
 */
export async function readMetricsFile(dir: string): Promise<MetricsFile> {
  const path = join(dir, "metrics.json");
  return parseMetricsFile(
    await readJsonFile(path, { hint: "run `npx deno task train` first" }),
    { source: path },
  );
}

/** What {@linkcode mergeMetrics} did, for the train stage to say. */
export interface MergeReport {
  merged: MetricsFile;
  /** Entries of the previous file kept as they were. */
  kept: string[];
  /** Entries dropped because they were trained on other features. */
  dropped: string[];
}

/**
 * Merges freshly trained entries into the previous file. Entries trained on other features are
 * dropped (and reported); `best` becomes `bestName` when that model was just trained, stays as
 * it was when its entry is kept, and otherwise falls back to a trained model.
 *
 * @example
 * ```ts
 * declare const previous: MetricsFile | null, fresh: MetricsFile;
 * const { merged, dropped } = mergeMetrics(previous, fresh, { bestName: "best" });
 * ```
 */
export function mergeMetrics(
  previous: MetricsFile | null,
  fresh: MetricsFile,
  options: { bestName: string },
): MergeReport {
  const kept: string[] = [];
  const dropped: string[] = [];
  const models: Record<string, ModelMetrics> = {};
  if (previous) {
    for (const [name, m] of Object.entries(previous.models)) {
      if (Object.hasOwn(fresh.models, name)) continue;
      if (m.features_id === fresh.features_id) {
        models[name] = m;
        kept.push(name);
      } else {
        dropped.push(name);
      }
    }
  }
  Object.assign(models, fresh.models);
  let best: string;
  if (Object.hasOwn(fresh.models, options.bestName)) best = options.bestName;
  else if (previous && Object.hasOwn(models, previous.best)) best = previous.best;
  else if (Object.hasOwn(models, options.bestName)) best = options.bestName;
  else best = Object.keys(fresh.models).at(-1)!;
  const keepAblation = previous?.ablation && previous.features_id === fresh.features_id &&
    kept.includes(options.bestName);
  const merged: MetricsFile = { ...fresh, best, models };
  if (!fresh.ablation) {
    if (keepAblation) merged.ablation = previous!.ablation;
    else delete merged.ablation;
  }
  if (previous?.pipeline_seconds && !merged.pipeline_seconds) {
    merged.pipeline_seconds = previous.pipeline_seconds;
  }
  // The explanations describe the best model's entry: kept while that very entry is kept (not
  // retrained, or reused as up to date).
  const bestEntry = merged.models[options.bestName];
  const keepExplanations = previous?.explanations && bestEntry !== undefined &&
    previous.features_id === fresh.features_id &&
    previous.models[options.bestName]?.trained === bestEntry.trained &&
    previous.explanations.model === options.bestName;
  if (!fresh.explanations) {
    if (keepExplanations) merged.explanations = previous!.explanations;
    else delete merged.explanations;
  }
  return { merged, kept, dropped };
}

/** Where one training's result goes in metrics.json: a model's entry or an ablation row, on a split. */
export interface EntryRef {
  /** What was trained: the model's name (an ablation row's own) and its feature blocks. */
  spec: { name: string; features: FeatureBlock[] };
  split: SplitName;
  /** The ablation row's feature-set key (`text+categorical`), or undefined for a model. */
  ablation?: string;
}

/**
 * The entries one training run makes, in the nesting of metrics.json: a model's random-split
 * entry with its temporal scores inside, an ablation row likewise. Knows the previous file, so
 * the train stage can ask for the earlier result of a training and keep what is still valid.
 *
 * @example
 * ```ts
 * declare const previous: MetricsFile | null, m: ModelMetrics;
 * const entries = new TrainedEntries(previous);
 * const ref = { spec: { name: "lr", features: m.features }, split: "random" as const };
 * if (entries.earlier(ref)?.cache_key !== "abc") entries.add(ref, { ...m, cache_key: "abc" });
 * ```
 */
export class TrainedEntries {
  readonly models: Record<string, ModelMetrics> = {};
  readonly ablation: Record<string, AblationResult> = {};
  readonly #previous: MetricsFile | null;

  constructor(previous: MetricsFile | null) {
    this.#previous = previous;
  }

  /** The previous file's result for this training, if any. */
  earlier(ref: EntryRef): ModelMetrics | AblationScores | undefined {
    const previous = this.#previous;
    if (ref.ablation !== undefined) {
      const row = previous?.ablation?.[ref.ablation];
      return ref.split === "random" ? row : row?.temporal;
    }
    const entry = previous?.models[ref.spec.name];
    return ref.split === "random" ? entry : entry?.temporal as ModelMetrics | undefined;
  }

  /**
   * Records a training's result: a model's full metrics (its temporal part is kept as
   * {@linkcode SplitMetrics}), or an ablation row's scores. A split's random result comes first.
   */
  add(ref: EntryRef, result: ModelMetrics | AblationScores): void {
    if (ref.ablation !== undefined) {
      // A fresh training gives a model's metrics; a reused row is already its scores.
      const row = "threshold_variants" in result ? ablationScores(result) : result;
      if (ref.split === "random") {
        this.ablation[ref.ablation] = { ...row, features: ref.spec.features };
        delete this.ablation[ref.ablation].temporal;
      } else if (this.ablation[ref.ablation]) this.ablation[ref.ablation].temporal = row;
    } else if (ref.split === "random") {
      this.models[ref.spec.name] = { ...result as ModelMetrics };
      delete this.models[ref.spec.name].temporal;
    } else {
      this.models[ref.spec.name].temporal = splitMetrics(result as ModelMetrics);
    }
  }

  /** How many ablation rows were recorded. */
  get ablationRows(): number {
    return Object.keys(this.ablation).length;
  }

  /**
   * Keeps the previous temporal results of the entries recorded now when they were made from
   * the same inputs (a run on the random split only).
   */
  keepTemporal(): void {
    const previous = this.#previous;
    for (const [name, m] of Object.entries(this.models)) {
      const t = previous?.models[name]?.temporal;
      if (t && previous!.models[name].cache_key === m.cache_key) m.temporal = t;
    }
    for (const [key, r] of Object.entries(this.ablation)) {
      const t = previous?.ablation?.[key]?.temporal;
      if (t && previous!.ablation![key].cache_key === r.cache_key) r.temporal = t;
    }
  }
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
    cache_key: m.cache_key,
  };
}

/** An ablation row's scores from a model's metrics. */
function ablationScores(m: ModelMetrics): AblationScores {
  return {
    n_features: m.n_features,
    f1_macro: m.f1_macro,
    f1_micro: m.f1_micro,
    f1_samples: m.f1_samples,
    exact_match: m.exact_match,
    cv_f1_macro: m.cv_f1_macro,
    fit_seconds: m.fit_seconds,
    per_genre: Object.fromEntries(Object.entries(m.per_genre).map(([g, s]) => [g, s.f1])),
    ...(m.cache_key !== undefined ? { cache_key: m.cache_key } : {}),
  };
}
