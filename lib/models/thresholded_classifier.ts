/**
 * A classifier that carries its own decision thresholds, chosen by cross-validation on the rows
 * it is fitted on (the idea of scikit-learn's `TunedThresholdClassifierCV`, for many labels):
 *
 * 1. out-of-fold probabilities of the training rows (k folds stratified by genre count);
 * 2. thresholds tuned on them ({@linkcode tuneThresholds}): the study's global grid, and one
 *    per label;
 * 3. the inner estimator refitted on all rows.
 *
 * `predict(X)` then applies the chosen thresholds; nothing outside the model applies them. The
 * saved folder holds the thresholds, the CV evidence they were chosen on, and the inner
 * estimator (`estimator/`).
 *
 * @module
 */

import { join } from "node:path";
import { atomicWriteJson } from "../io/atomic_write.ts";
import {
  type CrossValOptions,
  crossValPredictProba,
} from "../model_selection/cross_val_predict.ts";
import {
  checkFeatures,
  checkFitted,
  checkLabels,
  type EstimatorFactory,
  type MultiLabelEstimator,
} from "../core/estimator.ts";
import { genreCountStrata, stratifiedKFold } from "../model_selection/k_fold.ts";
import type { LabelMatrix, Matrix, MatrixData } from "../core/matrix.ts";
import { binarize, f1MacroAt } from "../metrics/multi_label_metrics.ts";
import { loadEstimator, saveEstimator } from "./model_store.ts";
import { readJsonFile } from "../io/read_json.ts";
import { type CvCurvePoint, tuneThresholds } from "../model_selection/threshold_tuning.ts";
import type { Split } from "../model_selection/train_test_split.ts";

/** How the decision thresholds are chosen. */
export type ThresholdStrategy = "fixed" | "global" | "per_genre";

/** Every strategy, in the order tables show them. */
export const THRESHOLD_STRATEGIES: readonly ThresholdStrategy[] = ["fixed", "global", "per_genre"];

/** Options for {@linkcode ThresholdedClassifier}. */
export interface ThresholdedOptions {
  /**
   * `"per_genre"` (default): one threshold per label; `"global"`: the best of the study's grid
   * for all labels; `"fixed"`: {@linkcode ThresholdedOptions.fixed} for all labels (the study's
   * logistic regression).
   */
  strategy?: ThresholdStrategy;
  /** The threshold of the `"fixed"` strategy (default 0.5). */
  fixed?: number;
  /** Cross-validation folds (default 5). */
  folds?: number;
  /** Seed of the stratified folds (default 42). */
  seed?: number;
  /** Labels with fewer positive rows keep the global threshold (default 5). */
  minSupport?: number;
  /** Called after each fold with its index and seconds taken. */
  onFold?: (fold: number, seconds: number) => void;
  /**
   * How the out-of-fold probabilities are computed (default {@linkcode crossValPredictProba}, one
   * fold after the other); e.g. folds on workers.
   */
  crossValidate?: (
    make: EstimatorFactory,
    data: [Matrix, LabelMatrix],
    options: CrossValOptions,
  ) => Promise<Matrix>;
  /**
   * The inner estimator fitted on all rows, when it was fitted elsewhere alongside the folds
   * (e.g. on the same workers, so that no core waits for the last fold); called after
   * `crossValidate`. Resolving to `null`, or leaving it out, fits `make()` here.
   */
  fittedOnAllRows?: () => Promise<MultiLabelEstimator | null>;
}

/** The cross-validation evidence the thresholds were chosen on (saved with the model). */
export interface ThresholdTuning {
  /** Best threshold of the study's grid by mean CV F1 macro. */
  globalThreshold: number;
  /** One threshold per label. */
  perLabel: number[];
  /** Threshold → mean ± std of F1 macro over the folds. */
  cvCurve: CvCurvePoint[];
  /** Out-of-fold F1 macro of each strategy. */
  cvF1: Record<ThresholdStrategy, number>;
}

interface SavedThresholds {
  version: 1;
  strategy: ThresholdStrategy;
  fixed: number;
  folds: number;
  seed: number;
  thresholds: number[];
  tuning: ThresholdTuning;
}

const THRESHOLDS_FILE = "thresholds.json";

/**
 * Wraps an estimator factory: `fit` tunes thresholds on out-of-fold probabilities, then fits the
 * final model on all rows.
 *
 * @example
 * ```ts
 * import { LogisticRegression } from "./logistic_regression.ts";
 * import { fromRows, labelsFromRows } from "../core/matrix.ts";
 * const X = fromRows(Array.from({ length: 20 }, (_, i) => [i % 2, (i * 7) % 5]));
 * const Y = labelsFromRows(Array.from({ length: 20 }, (_, i) => [i % 2]));
 * const model = await new ThresholdedClassifier(() => new LogisticRegression(), {
 *   strategy: "global",
 *   folds: 2,
 * }).fit(X, Y);
 * model.thresholds?.length; // 1
 * const labels = await model.predict(X); // uses the tuned thresholds
 * ```
 */
export class ThresholdedClassifier implements MultiLabelEstimator {
  /** Registry key of saved models. */
  readonly kind = "thresholded";
  /** Resolved options. */
  readonly options: Required<
    Omit<ThresholdedOptions, "onFold" | "crossValidate" | "fittedOnAllRows">
  >;
  /** The fitted inner estimator (null before fitting). */
  estimator: MultiLabelEstimator | null = null;
  /** The chosen thresholds, one per label (null before fitting). */
  thresholds: Float64Array | null = null;
  /** What the thresholds were chosen on (null before fitting). */
  tuning: ThresholdTuning | null = null;
  /** Out-of-fold probabilities of the rows of the last `fit` (not saved). */
  oof: Matrix | null = null;
  /** The folds of the last `fit` (not saved). */
  folds: Split[] | null = null;
  #make: EstimatorFactory | null;
  #onFold?: (fold: number, seconds: number) => void;
  #crossValidate?: ThresholdedOptions["crossValidate"];
  #fittedOnAllRows?: ThresholdedOptions["fittedOnAllRows"];

  constructor(make: EstimatorFactory | null, options: ThresholdedOptions = {}) {
    this.#make = make;
    this.#onFold = options.onFold;
    this.#crossValidate = options.crossValidate;
    this.#fittedOnAllRows = options.fittedOnAllRows;
    this.options = {
      strategy: options.strategy ?? "per_genre",
      fixed: options.fixed ?? 0.5,
      folds: options.folds ?? 5,
      seed: options.seed ?? 42,
      minSupport: options.minSupport ?? 5,
    };
    if (!THRESHOLD_STRATEGIES.includes(this.options.strategy)) {
      throw new RangeError(
        `ThresholdedClassifier: strategy "${this.options.strategy}"; use ${
          THRESHOLD_STRATEGIES.join(", ")
        }`,
      );
    }
    if (!Number.isInteger(this.options.folds) || this.options.folds < 2) {
      throw new RangeError(`ThresholdedClassifier: folds is ${this.options.folds}; use 2 or more`);
    }
  }

  /** Out-of-fold probabilities → thresholds → the inner estimator refitted on all rows. */
  async fit(X: Matrix<MatrixData>, Y: LabelMatrix): Promise<this> {
    const make = this.#make;
    if (!make) {
      throw new Error(
        "ThresholdedClassifier.fit: a loaded model cannot be refitted; build a new " +
          "ThresholdedClassifier(makeModel) to train",
      );
    }
    checkFeatures(X, "ThresholdedClassifier.fit");
    checkLabels(Y, X.rows, "ThresholdedClassifier.fit");
    const folds = stratifiedKFold(genreCountStrata(Y), {
      nSplits: this.options.folds,
      seed: this.options.seed,
    });
    const oof = await (this.#crossValidate ?? crossValPredictProba)(make, [X as Matrix, Y], {
      folds,
      onFold: this.#onFold,
    });
    const tuned = tuneThresholds(Y, oof, { folds, minSupport: this.options.minSupport });
    const perLabel = Array.from(tuned.perLabel);
    this.tuning = {
      globalThreshold: tuned.globalThreshold,
      perLabel,
      cvCurve: tuned.cvCurve,
      cvF1: {
        fixed: f1MacroAt(Y, oof, { threshold: this.options.fixed }),
        global: tuned.cvF1Global,
        per_genre: tuned.cvF1PerLabel,
      },
    };
    this.thresholds = this.thresholdsFor(this.options.strategy);
    this.oof = oof;
    this.folds = folds;
    this.estimator = (await this.#fittedOnAllRows?.()) ?? await make().fit(X, Y);
    return this;
  }

  /**
   * The thresholds a strategy gives (one per label), from the tuning of the last fit — to compare
   * strategies on the same model.
   */
  thresholdsFor(strategy: ThresholdStrategy): Float64Array {
    const t = checkFitted(this.tuning, "ThresholdedClassifier.thresholdsFor");
    const L = t.perLabel.length;
    if (strategy === "per_genre") return Float64Array.from(t.perLabel);
    return new Float64Array(L).fill(strategy === "fixed" ? this.options.fixed : t.globalThreshold);
  }

  /** The inner estimator's probabilities. */
  async predictProba(X: Matrix<MatrixData>): Promise<Matrix> {
    return await checkFitted(this.estimator, "ThresholdedClassifier.predictProba").predictProba(X);
  }

  /** 0/1 predictions with the tuned thresholds (or the ones given). */
  async predict(
    X: Matrix<MatrixData>,
    thresholds?: number | ArrayLike<number>,
  ): Promise<LabelMatrix> {
    const t = thresholds ?? checkFitted(this.thresholds, "ThresholdedClassifier.predict");
    return binarize(await this.predictProba(X), t);
  }

  /** Writes `thresholds.json` and the inner estimator (`estimator/`) into `dir`. */
  async save(dir: string): Promise<void> {
    const estimator = checkFitted(this.estimator, "ThresholdedClassifier.save");
    await saveEstimator(join(dir, "estimator"), estimator);
    const saved: SavedThresholds = {
      version: 1,
      strategy: this.options.strategy,
      fixed: this.options.fixed,
      folds: this.options.folds,
      seed: this.options.seed,
      thresholds: Array.from(this.thresholds!),
      tuning: this.tuning!,
    };
    await atomicWriteJson(join(dir, THRESHOLDS_FILE), saved);
  }

  /** Loads a model written by {@linkcode ThresholdedClassifier.save} (it cannot be refitted). */
  static async load(dir: string): Promise<ThresholdedClassifier> {
    const path = join(dir, THRESHOLDS_FILE);
    const saved = await readJsonFile<SavedThresholds>(path);
    if (saved?.version !== 1 || !Array.isArray(saved.thresholds)) {
      throw new Error(`${path}: not a version-1 thresholds file; re-run \`npx deno task train\``);
    }
    const model = new ThresholdedClassifier(null, saved);
    model.thresholds = Float64Array.from(saved.thresholds);
    model.tuning = saved.tuning;
    model.estimator = await loadEstimator(join(dir, "estimator"));
    return model;
  }
}
