/**
 * Two-stage stacking for label co-occurrence: a base multi-label model predicts every genre,
 * then a second model (the stacker) predicts every genre again from the features plus the base
 * model's probabilities of ALL genres — so "Kids' TV" can raise "TV Comedies", and so on.
 *
 * Honesty: the stacker is trained on OUT-OF-FOLD base probabilities of the training rows
 * (internal k-fold cross-validation, stratified by genre count), never on probabilities of rows
 * the base model was fitted on; at prediction time the base model refitted on all rows supplies
 * them. A fit therefore costs `nFolds + 1` base fits and one stacker fit.
 *
 * Speed: the base model is fitted on all rows first, and when it is a
 * {@linkcode LogisticRegression} the inner folds start from its coefficients (a warm start; the
 * problem is convex and solved to tolerance, so only the number of iterations changes — ~20 %
 * fewer on the project's features). On a worker pool the inner folds run side by side, and the
 * stacker's label groups (`stackerLabelGroups`) too, since nothing else can run beside it; the
 * probabilities are the same bit for bit on any pool.
 *
 * The fitted state holds both stages as parts (`base`, `stacker`).
 *
 * @module
 */

import {
  checkFeatures,
  checkLabels,
  type EstimatorSpec,
  type FitOptions,
  type FittedState,
  type Json,
  type MultiLabelEstimator,
} from "../core/estimator.ts";
import { crossValPredictProba } from "../model_selection/cross_val_predict.ts";
import { genreCountStrata, stratifiedKFold } from "../model_selection/k_fold.ts";
import { hstack, type LabelMatrix, type Matrix, type MatrixData } from "../core/matrix.ts";
import { binarize } from "../metrics/multi_label_metrics.ts";
import { WorkerPool } from "../core/worker_pool.ts";
import { balancedLabelGroups, LogisticRegression } from "./logistic_regression.ts";
import { stateChecker } from "./state_checks.ts";

/** Options for {@linkcode StackedClassifier}: its params. */
export interface StackedClassifierOptions {
  /** The first stage (unfitted; fits use clones). */
  base: MultiLabelEstimator;
  /** The second stage, fitted on [features, out-of-fold base probabilities]. */
  stacker: MultiLabelEstimator;
  /** Internal folds used to make the stacker's out-of-fold inputs (default 5). */
  nFolds?: number;
  /** Seed of the internal stratified folds (default 42). */
  seed?: number;
  /** Give the stacker the original features too, not just the probabilities (default true). */
  passthrough?: boolean;
  /**
   * Start the inner folds' base models from the base model fitted on all rows, when it is a
   * logistic regression (default true).
   */
  warmStart?: boolean;
  /**
   * When both stages are logistic regressions: fit the stacker's labels in this many groups,
   * balanced by the base model's iterations per label (default 1: one group). The groups can
   * run on separate workers, which pays where nothing else can run beside the stacker; the
   * model depends on the number of groups (in the last float bits), never on the workers.
   */
  stackerLabelGroups?: number;
}

/**
 * Stacked multi-label classifier (base model → stacker on [features, base probabilities]).
 *
 * @example
 * ```ts
 * import type { LabelMatrix, Matrix } from "../core/matrix.ts";
 * import { LogisticRegression } from "./logistic_regression.ts";
 * declare const XTrain: Matrix, yTrain: LabelMatrix, XTest: Matrix;
 * const model = new StackedClassifier({
 *   base: new LogisticRegression({ C: 4 }),
 *   stacker: new LogisticRegression({ C: 1 }),
 * });
 * await model.fit(XTrain, yTrain);
 * const P = await model.predictProba(XTest);
 * ```
 */
export class StackedClassifier implements MultiLabelEstimator {
  /** Registry key of saved models. */
  readonly kind = "stacked";
  /** Its stages and inner folds run side by side on the pool. */
  readonly splitsFit = true;
  /** Resolved params. */
  readonly options: Required<StackedClassifierOptions>;
  #base: MultiLabelEstimator | null = null;
  #stacker: MultiLabelEstimator | null = null;
  #nFeatures = 0;
  #nLabels = 0;

  constructor(options: StackedClassifierOptions) {
    if (!options?.base || !options.stacker) {
      throw new TypeError("StackedClassifier: give both stages ({ base, stacker })");
    }
    const nFolds = options.nFolds ?? 5;
    if (!Number.isInteger(nFolds) || nFolds < 2) {
      throw new RangeError(`StackedClassifier: nFolds is ${nFolds}; use an integer >= 2`);
    }
    const groups = options.stackerLabelGroups ?? 1;
    if (!Number.isInteger(groups) || groups < 1) {
      throw new RangeError(
        `StackedClassifier: stackerLabelGroups is ${groups}; use an integer >= 1`,
      );
    }
    this.options = {
      base: options.base,
      stacker: options.stacker,
      nFolds,
      seed: options.seed ?? 42,
      passthrough: options.passthrough ?? true,
      warmStart: options.warmStart ?? true,
      stackerLabelGroups: groups,
    };
  }

  /** Kind and params (both stages as specs). */
  spec(): EstimatorSpec {
    const { base, stacker, ...rest } = this.options;
    return {
      kind: this.kind,
      params: {
        ...rest,
        base: base.spec() as unknown as Json,
        stacker: stacker.spec() as unknown as Json,
      },
    };
  }

  /** A new, unfitted model with the same params. */
  clone(): StackedClassifier {
    return new StackedClassifier({
      ...this.options,
      base: this.options.base.clone(),
      stacker: this.options.stacker.clone(),
    });
  }

  /** The fitted base model (null before fitting). */
  get base(): MultiLabelEstimator | null {
    return this.#base;
  }

  /** The fitted stacker (null before fitting). */
  get stacker(): MultiLabelEstimator | null {
    return this.#stacker;
  }

  #inputs(X: Matrix<MatrixData>, P: Matrix): Matrix {
    return this.options.passthrough ? hstack([X, P]) : P;
  }

  /**
   * Fits the base model on all rows, then out-of-fold (warm-started from it), the stacker on
   * those probabilities; each independent fit a task on `options.pool`.
   */
  async fit(X: Matrix<MatrixData>, Y: LabelMatrix, options: FitOptions = {}): Promise<this> {
    checkFeatures(X, "StackedClassifier.fit");
    checkLabels(Y, X.rows, "StackedClassifier.fit");
    const pool = options.pool ?? WorkerPool.inline;
    const folds = stratifiedKFold(genreCountStrata(Y), {
      nSplits: this.options.nFolds,
      seed: this.options.seed,
    });
    const shared = pool.share(X as Matrix); // once, for the base and every fold
    const base = await pool.fitParts(this.options.base, { X: shared, Y });
    const fold = this.options.base.clone();
    if (this.options.warmStart && fold instanceof LogisticRegression) {
      if (base instanceof LogisticRegression) fold.warmStartFrom(base);
    }
    const { proba: oof } = await crossValPredictProba(fold, [shared, Y], { folds, pool });
    // Nothing can run beside the stacker (it needs every fold): its label groups, if any, run
    // side by side on the pool.
    let stacker = this.options.stacker;
    const groups = this.options.stackerLabelGroups;
    if (
      groups > 1 && stacker instanceof LogisticRegression && base instanceof LogisticRegression
    ) {
      stacker = new LogisticRegression({
        ...structuredClone(stacker.options),
        labelGroups: balancedLabelGroups(base.nIter, groups),
      });
    }
    const inputs = pool.share(this.#inputs(X, oof));
    this.#stacker = await pool.fitParts(stacker, { X: inputs, Y });
    this.#base = base;
    this.#nFeatures = X.cols;
    this.#nLabels = Y.cols;
    return this;
  }

  /** The stacker's probabilities given the features and the base model's probabilities. */
  async predictProba(X: Matrix<MatrixData>): Promise<Matrix> {
    if (!this.#base || !this.#stacker) {
      throw new Error(
        "StackedClassifier.predictProba: the model is not fitted; call fit() or load a saved model first",
      );
    }
    checkFeatures(X, "StackedClassifier.predictProba", this.#nFeatures);
    const P = await this.#base.predictProba(X as Matrix);
    return await this.#stacker.predictProba(this.#inputs(X, P));
  }

  /** `predictProba(X) >= thresholds` (one number, or one per label). */
  async predict(
    X: Matrix<MatrixData>,
    thresholds: number | ArrayLike<number> = 0.5,
  ): Promise<LabelMatrix> {
    return binarize(await this.predictProba(X), thresholds);
  }

  /** What fit learned: both stages (parts `base` and `stacker`). */
  exportState(): FittedState {
    if (!this.#base || !this.#stacker) {
      throw new Error("StackedClassifier.exportState: the model is not fitted; call fit() first");
    }
    return {
      json: { nFeatures: this.#nFeatures, nLabels: this.#nLabels },
      arrays: {},
      parts: { base: this.#base.exportState(), stacker: this.#stacker.exportState() },
    };
  }

  /** Restores a state from {@linkcode exportState}, checking both stages. */
  importState(state: FittedState): this {
    const check = stateChecker("StackedClassifier", state);
    const nFeatures = check.count("nFeatures"), nLabels = check.count("nLabels");
    this.#base = this.options.base.clone().importState(check.part("base"));
    this.#stacker = this.options.stacker.clone().importState(check.part("stacker"));
    this.#nFeatures = nFeatures;
    this.#nLabels = nLabels;
    return this;
  }
}
