/**
 * A classifier that carries its own decision thresholds, chosen by cross-validation on the rows
 * it is fitted on (the idea of scikit-learn's `TunedThresholdClassifierCV`, for many labels):
 *
 * 1. out-of-fold probabilities of the training rows (k folds stratified by genre count);
 * 2. thresholds tuned on them ({@linkcode tuneThresholds}): the study's global grid, and one
 *    per label;
 * 3. the inner estimator refitted on all rows.
 *
 * On a worker pool each fold's fit, and the fit on all rows beside them, is one task: no core
 * waits for the last fold. `predict(X)` then applies the chosen thresholds; nothing outside the
 * model applies them. The fitted state holds the thresholds, the CV evidence they were chosen
 * on, and the inner estimator (part `estimator`).
 *
 * @module
 */

import {
  checkFeatures,
  checkFitted,
  checkLabels,
  type EstimatorSpec,
  type FitOptions,
  type FittedState,
  type Json,
  type MultiLabelEstimator,
} from "../core/estimator.ts";
import { genreCountStrata, stratifiedKFold } from "../model_selection/k_fold.ts";
import type { LabelMatrix, Matrix, MatrixData } from "../core/matrix.ts";
import { binarize, f1MacroAt } from "../metrics/multi_label_metrics.ts";
import { crossValPredictProba } from "../model_selection/cross_val_predict.ts";
import { type CvCurvePoint, tuneThresholds } from "../model_selection/threshold_tuning.ts";
import type { Split } from "../model_selection/train_test_split.ts";
import { WorkerPool } from "../core/worker_pool.ts";
import { stateChecker } from "./state_checks.ts";

/** How the decision thresholds are chosen. */
export type ThresholdStrategy = "fixed" | "global" | "per_genre" | "shrunk";

/** Every strategy, in the order tables show them. */
export const THRESHOLD_STRATEGIES: readonly ThresholdStrategy[] = [
  "fixed",
  "global",
  "per_genre",
  "shrunk",
];

/** Options for {@linkcode ThresholdedClassifier}: its params. */
export interface ThresholdedOptions {
  /** The inner estimator (unfitted; each fit uses a clone). */
  estimator: MultiLabelEstimator;
  /**
   * `"per_genre"` (default): one threshold per label; `"global"`: the best of the study's grid
   * for all labels; `"fixed"`: {@linkcode ThresholdedOptions.fixed} for all labels (the study's
   * logistic regression); `"shrunk"`: each label's threshold pulled toward the global one by its
   * number n of positive training rows, `(n·t_label + k·t_global) / (n + k)` with
   * k = {@linkcode ThresholdedOptions.shrinkage} — a rare genre's own threshold rests on few
   * titles, so it leans on the global one.
   */
  strategy?: ThresholdStrategy;
  /** The k of the `"shrunk"` strategy (default 50). */
  shrinkage?: number;
  /** The threshold of the `"fixed"` strategy (default 0.5). */
  fixed?: number;
  /** Cross-validation folds (default 5). */
  folds?: number;
  /** Seed of the stratified folds (default 42). */
  seed?: number;
  /** Labels with fewer positive rows keep the global threshold (default 5). */
  minSupport?: number;
}

/** Options of {@linkcode ThresholdedClassifier.fit}. */
export interface ThresholdedFitOptions extends FitOptions {
  /** Keep the model fitted on each fold in {@linkcode ThresholdedClassifier.foldModels}. */
  keepFoldModels?: boolean;
}

/** The cross-validation evidence the thresholds were chosen on (saved with the model). */
export interface ThresholdTuning {
  /** Best threshold of the study's grid by mean CV F1 macro. */
  globalThreshold: number;
  /** One threshold per label. */
  perLabel: number[];
  /** Positive training rows of each label (what the `"shrunk"` strategy weighs by). */
  positives: number[];
  /** Threshold → mean ± std of F1 macro over the folds. */
  cvCurve: CvCurvePoint[];
  /** Out-of-fold F1 macro of each strategy. */
  cvF1: Record<ThresholdStrategy, number>;
}

/**
 * Wraps an estimator: `fit` tunes thresholds on out-of-fold probabilities, then fits the inner
 * estimator on all rows.
 *
 * @example
 * ```ts
 * import { LogisticRegression } from "./logistic_regression.ts";
 * import { fromRows, labelsFromRows } from "../core/matrix.ts";
 * const X = fromRows(Array.from({ length: 20 }, (_, i) => [i % 2, (i * 7) % 5]));
 * const Y = labelsFromRows(Array.from({ length: 20 }, (_, i) => [i % 2]));
 * const model = await new ThresholdedClassifier({
 *   estimator: new LogisticRegression(),
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
  /** Its folds and the fit on all rows run side by side on the pool. */
  readonly splitsFit = true;
  /** Resolved params. */
  readonly options: Required<ThresholdedOptions>;
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
  /** The models fitted on each fold, when `fit` was asked to keep them (not saved). */
  foldModels: MultiLabelEstimator[] | null = null;
  /**
   * Seconds the last `fit` took: until the last fold was scored (`cv`), and from the start to
   * the end of the fit on all rows (`final`; beside the folds on a pool). Not saved.
   */
  seconds: { cv: number; final: number } | null = null;

  constructor(options: ThresholdedOptions) {
    if (!options?.estimator) {
      throw new TypeError("ThresholdedClassifier: give the inner estimator ({ estimator })");
    }
    this.options = {
      estimator: options.estimator,
      strategy: options.strategy ?? "per_genre",
      fixed: options.fixed ?? 0.5,
      folds: options.folds ?? 5,
      seed: options.seed ?? 42,
      minSupport: options.minSupport ?? 5,
      shrinkage: options.shrinkage ?? 50,
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
    if (!(this.options.shrinkage >= 0)) {
      throw new RangeError(
        `ThresholdedClassifier: shrinkage is ${this.options.shrinkage}; use a number >= 0`,
      );
    }
    if (!(this.options.fixed >= 0 && this.options.fixed <= 1)) {
      throw new RangeError(`ThresholdedClassifier: fixed is ${this.options.fixed}; use 0…1`);
    }
  }

  /** Kind and params (the inner estimator as its spec). */
  spec(): EstimatorSpec {
    const { estimator, ...rest } = this.options;
    return { kind: this.kind, params: { ...rest, estimator: estimator.spec() as unknown as Json } };
  }

  /** A new, unfitted model with the same params. */
  clone(): ThresholdedClassifier {
    return new ThresholdedClassifier({
      ...this.options,
      estimator: this.options.estimator.clone(),
    });
  }

  /**
   * Out-of-fold probabilities → thresholds → the inner estimator refitted on all rows. On
   * `options.pool`, the fit on all rows and each fold's fit are one task each.
   */
  async fit(
    X: Matrix<MatrixData>,
    Y: LabelMatrix,
    options: ThresholdedFitOptions = {},
  ): Promise<this> {
    checkFeatures(X, "ThresholdedClassifier.fit");
    checkLabels(Y, X.rows, "ThresholdedClassifier.fit");
    const folds = stratifiedKFold(genreCountStrata(Y), {
      nSplits: this.options.folds,
      seed: this.options.seed,
    });
    const pool = options.pool ?? WorkerPool.inline;
    const inner = this.options.estimator;
    const shared = pool.share(X as Matrix);
    // The fit on all rows goes first in the queue, so no worker waits for the last fold.
    const t0 = performance.now();
    let final = 0;
    const allRows = pool.fit(inner, { X: shared, Y }).then((r) => {
      final = (performance.now() - t0) / 1000;
      return r;
    });
    allRows.catch(() => {}); // awaited below; a failure must not go unhandled while folds run
    const { proba: oof, models: foldModels } = await crossValPredictProba(inner, [shared, Y], {
      folds,
      pool,
      onFold: options.onFold,
      returnModels: options.keepFoldModels,
    });
    const cv = (performance.now() - t0) / 1000;
    const tuned = tuneThresholds(Y, oof, { folds, minSupport: this.options.minSupport });
    const positives = new Array<number>(Y.cols).fill(0);
    for (let i = 0; i < Y.data.length; i++) positives[i % Y.cols] += Y.data[i];
    this.tuning = {
      globalThreshold: tuned.globalThreshold,
      perLabel: Array.from(tuned.perLabel),
      positives,
      cvCurve: tuned.cvCurve,
      cvF1: {
        fixed: f1MacroAt(Y, oof, { threshold: this.options.fixed }),
        global: tuned.cvF1Global,
        per_genre: tuned.cvF1PerLabel,
        shrunk: 0,
      },
    };
    this.tuning.cvF1.shrunk = f1MacroAt(Y, oof, { threshold: this.thresholdsFor("shrunk") });
    this.thresholds = this.thresholdsFor(this.options.strategy);
    this.oof = oof;
    this.folds = folds;
    this.foldModels = foldModels ?? null;
    this.estimator = (await allRows).model;
    this.seconds = { cv, final };
    return this;
  }

  /**
   * The thresholds a strategy gives (one per label), from the tuning of the last fit — to compare
   * strategies on the same model.
   */
  thresholdsFor(strategy: ThresholdStrategy): Float64Array {
    const t = checkFitted(this.tuning, "ThresholdedClassifier.thresholdsFor");
    return strategyThresholds(strategy, t, this.options);
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

  /** What fit learned: the thresholds, their tuning, and the inner estimator (part `estimator`). */
  exportState(): FittedState {
    const estimator = checkFitted(this.estimator, "ThresholdedClassifier.exportState");
    return {
      json: {
        thresholds: Array.from(this.thresholds!),
        tuning: this.tuning as unknown as Json,
      },
      arrays: {},
      parts: { estimator: estimator.exportState() },
    };
  }

  /**
   * Restores a state from {@linkcode exportState}, checking every number: one threshold per
   * label, each in [0, 1], agreeing with the strategy; the tuning's thresholds and scores in
   * range; the inner estimator's own state.
   */
  importState(state: FittedState): this {
    const check = stateChecker("ThresholdedClassifier", state);
    const tuning = check.json("tuning") as Record<string, Json> | null;
    if (!tuning || typeof tuning !== "object" || !Array.isArray(tuning.perLabel)) {
      check.fail("json.tuning must be an object with one threshold per label (perLabel)");
    }
    const n = (tuning!.perLabel as Json[]).length;
    if (n === 0) check.fail("json.tuning.perLabel is empty");
    const sub = stateChecker("ThresholdedClassifier tuning", {
      json: tuning as { [key: string]: Json },
      arrays: {},
      parts: {},
    });
    const globalThreshold = sub.number("globalThreshold", { min: 0, max: 1 });
    const perLabel = sub.numbers("perLabel", n, { min: 0, max: 1 });
    const positives = sub.counts("positives", n);
    const thresholds = check.numbers("thresholds", n, { min: 0, max: 1 });
    const cvF1 = tuning!.cvF1 as Record<string, Json> | undefined;
    for (const s of THRESHOLD_STRATEGIES) {
      const v = cvF1?.[s];
      if (typeof v !== "number" || !(v >= 0 && v <= 1)) {
        check.fail(`json.tuning.cvF1.${s} must be a number in [0, 1], got ${JSON.stringify(v)}`);
      }
    }
    const expected = strategyThresholds(this.options.strategy, {
      globalThreshold,
      perLabel,
      positives,
    }, this.options);
    const off = thresholds.findIndex((t, j) => t !== expected[j]);
    if (off >= 0) {
      check.fail(
        `json.thresholds[${off}] is ${thresholds[off]}, but the "${this.options.strategy}" ` +
          `strategy's tuning gives ${expected[off]}`,
      );
    }
    const estimator = this.options.estimator.clone().importState(check.part("estimator"));
    this.thresholds = Float64Array.from(thresholds);
    this.tuning = tuning as unknown as ThresholdTuning;
    this.estimator = estimator;
    return this;
  }
}

/** The thresholds a strategy gives from a tuning (see {@linkcode ThresholdedOptions.strategy}). */
function strategyThresholds(
  strategy: ThresholdStrategy,
  t: Pick<ThresholdTuning, "globalThreshold" | "perLabel" | "positives">,
  options: { fixed: number; shrinkage: number },
): Float64Array {
  const L = t.perLabel.length;
  if (strategy === "per_genre") return Float64Array.from(t.perLabel);
  if (strategy === "shrunk") {
    const k = options.shrinkage;
    return Float64Array.from(
      t.perLabel,
      (p, j) =>
        t.positives[j] + k === 0
          ? p
          : (t.positives[j] * p + k * t.globalThreshold) / (t.positives[j] + k),
    );
  }
  return new Float64Array(L).fill(strategy === "fixed" ? options.fixed : t.globalThreshold);
}
