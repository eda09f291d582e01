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
 * fewer on the project's features). With `workers ≥ 2` (and not already inside a worker) the
 * inner folds and the stacker are fitted on a {@linkcode FitPool} (the stacker, which nothing
 * can run beside, with its labels split over the workers); the probabilities are the same bit
 * for bit as with `workers: 1`.
 *
 * Save/load: {@linkcode StackedClassifier.save} writes both fitted stages (any estimators) in
 * sub-folders through the model store; {@linkcode StackedClassifier.load} reads them back.
 *
 * @module
 */

import { checkFeatures, checkLabels } from "../core/estimator.ts";
import { crossValPredictProba, OutOfFoldRows } from "../model_selection/cross_val_predict.ts";
import type { EstimatorFactory, MultiLabelEstimator } from "../core/estimator.ts";
import { genreCountStrata, stratifiedKFold } from "../model_selection/k_fold.ts";
import { join } from "node:path";
import { atomicWriteJson } from "../io/atomic_write.ts";
import { hstack, type LabelMatrix, type Matrix, type MatrixData } from "../core/matrix.ts";
import { binarize } from "../metrics/multi_label_metrics.ts";
import { loadEstimator, saveEstimator } from "./model_store.ts";
import { readJsonFile } from "../io/read_json.ts";
import { fitOnPoolOrHere, FitPool } from "./fit_pool.ts";
import { balancedLabelGroups, LogisticRegression } from "./logistic_regression.ts";
import type { Split } from "../model_selection/train_test_split.ts";

/** Options for {@linkcode StackedClassifier}. */
export interface StackedClassifierOptions {
  /** Internal folds used to make the stacker's out-of-fold inputs (default 5). */
  nFolds?: number;
  /** Seed of the internal stratified folds (default 42). */
  seed?: number;
  /** Give the stacker the original features too, not just the probabilities (default true). */
  passthrough?: boolean;
  /** Called after each internal fold with its index and seconds taken. */
  onFold?: (fold: number, seconds: number) => void;
  /**
   * Start the inner folds' base models from the base model fitted on all rows, when it is a
   * logistic regression (default true).
   */
  warmStart?: boolean;
  /** Workers for the inner folds and the stacker (default 1: all on this thread). */
  workers?: number;
  /**
   * When both stages are logistic regressions: fit the stacker's labels in this many groups,
   * balanced by the base model's iterations per label (default 1: one group). The groups can
   * run on separate workers, which pays where nothing else can run beside the stacker; the
   * model depends on the number of groups (in the last float bits), never on the workers.
   */
  stackerLabelGroups?: number;
}

/** What `stacked.json` holds beside the two stages' folders. */
export interface StackedClassifierState {
  /** Format version (1). */
  version: 1;
  /** Internal folds, seed and passthrough the model was fitted with. */
  options: { nFolds: number; seed: number; passthrough: boolean };
  /** Input features of the base model. */
  nFeatures: number;
  /** Labels. */
  nLabels: number;
}

const STACKED_FILE = "stacked.json";

/**
 * Stacked multi-label classifier (base model → stacker on [features, base probabilities]).
 *
 * @example
 * ```ts
 * import type { LabelMatrix, Matrix } from "../core/matrix.ts";
 * import { balancedLabelGroups, LogisticRegression } from "./logistic_regression.ts";
 * declare const XTrain: Matrix, yTrain: LabelMatrix, XTest: Matrix;
 * const model = new StackedClassifier(
 *   () => new LogisticRegression({ C: 4 }),
 *   () => new LogisticRegression({ C: 1 }),
 * );
 * await model.fit(XTrain, yTrain);
 * const P = await model.predictProba(XTest);
 * ```
 */
export class StackedClassifier implements MultiLabelEstimator {
  /** Registry key of saved models. */
  readonly kind = "stacked";
  /** Resolved options. */
  readonly options: {
    nFolds: number;
    seed: number;
    passthrough: boolean;
    warmStart: boolean;
    workers: number;
    stackerLabelGroups: number;
  };
  #makeBase: EstimatorFactory | null;
  #makeStacker: EstimatorFactory | null;
  #onFold?: (fold: number, seconds: number) => void;
  #base: MultiLabelEstimator | null = null;
  #stacker: MultiLabelEstimator | null = null;
  #nFeatures = 0;
  #nLabels = 0;

  constructor(
    makeBase: EstimatorFactory | null,
    makeStacker: EstimatorFactory | null,
    options: StackedClassifierOptions = {},
  ) {
    const nFolds = options.nFolds ?? 5;
    if (!Number.isInteger(nFolds) || nFolds < 2) {
      throw new RangeError(`StackedClassifier: nFolds is ${nFolds}; use an integer >= 2`);
    }
    this.options = {
      nFolds,
      seed: options.seed ?? 42,
      passthrough: options.passthrough ?? true,
      warmStart: options.warmStart ?? true,
      workers: options.workers ?? 1,
      stackerLabelGroups: options.stackerLabelGroups ?? 1,
    };
    this.#makeBase = makeBase;
    this.#makeStacker = makeStacker;
    this.#onFold = options.onFold;
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
   * those probabilities. On a pool when `workers ≥ 2` (see the module doc).
   */
  async fit(X: Matrix<MatrixData>, Y: LabelMatrix): Promise<this> {
    const pool = FitPool.create(this.options.workers);
    try {
      return await this.fitOnPool(X, Y, pool);
    } finally {
      pool?.close();
    }
  }

  /**
   * {@linkcode fit} with the independent fits on `pool` (null: on this thread), e.g. a pool an
   * ensemble shares among its members.
   */
  async fitOnPool(X: Matrix<MatrixData>, Y: LabelMatrix, pool: FitPool | null): Promise<this> {
    if (!this.#makeBase || !this.#makeStacker) {
      throw new Error(
        "StackedClassifier.fit: this model was loaded from JSON and has no factories; build a " +
          "new StackedClassifier(makeBase, makeStacker) to train",
      );
    }
    checkFeatures(X, "StackedClassifier.fit");
    checkLabels(Y, X.rows, "StackedClassifier.fit");
    const folds = stratifiedKFold(genreCountStrata(Y), {
      nSplits: this.options.nFolds,
      seed: this.options.seed,
    });
    const Xf = X as Matrix;
    const makeBase = this.#makeBase;
    const base = await fitOnPoolOrHere(makeBase(), [Xf, Y], { pool });
    const makeFold = () => {
      const m = makeBase();
      return this.options.warmStart && m instanceof LogisticRegression &&
          base instanceof LogisticRegression
        ? m.warmStartFrom(base)
        : m;
    };
    const oof = pool && FitPool.canFit(makeFold())
      ? await this.#poolOof(makeFold, [Xf, Y], folds, pool)
      : await crossValPredictProba(makeFold, [Xf, Y], { folds, onFold: this.#onFold });
    // Nothing can run beside the stacker (it needs every fold): with label groups, they are fitted
    // side by side on the pool.
    let stackerModel = this.#makeStacker();
    const groups = this.options.stackerLabelGroups;
    if (
      groups > 1 && stackerModel instanceof LogisticRegression && base instanceof LogisticRegression
    ) {
      stackerModel = new LogisticRegression({
        ...stackerModel.options,
        labelGroups: balancedLabelGroups(base.nIter, groups),
      });
    }
    const stacker = await fitOnPoolOrHere(stackerModel, [this.#inputs(X, oof), Y], { pool });
    this.#base = base;
    this.#stacker = stacker;
    this.#nFeatures = X.cols;
    this.#nLabels = Y.cols;
    return this;
  }

  // The inner folds on the pool, all submitted at once; onFold is called in fold order.
  async #poolOof(
    makeFold: () => MultiLabelEstimator,
    data: [Matrix, LabelMatrix],
    folds: Split[],
    pool: FitPool,
  ): Promise<Matrix> {
    const [X0, Y] = data;
    const X = FitPool.share(X0); // one copy for all folds
    const oof = new OutOfFoldRows(X.rows, Y.cols, "StackedClassifier");
    const seconds: (number | null)[] = folds.map(() => null);
    let reported = 0;
    const t0 = performance.now();
    await Promise.all(folds.map(async (fold, k) => {
      const model = makeFold() as LogisticRegression;
      const { proba } = await pool.fit(model, X, Y, {
        rows: fold.train,
        predictRows: fold.test,
      });
      oof.set(k, fold.test, proba!.data);
      seconds[k] = (performance.now() - t0) / 1000;
      while (reported < folds.length && seconds[reported] !== null) {
        this.#onFold?.(reported, seconds[reported]!);
        reported++;
      }
    }));
    return oof.matrix();
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

  /** Writes `stacked.json` and the two fitted stages (`base/`, `stacker/`) into `dir`. */
  async save(dir: string): Promise<void> {
    if (!this.#base || !this.#stacker) {
      throw new Error("StackedClassifier.save: nothing to save; call fit() first");
    }
    await saveEstimator(join(dir, "base"), this.#base);
    await saveEstimator(join(dir, "stacker"), this.#stacker);
    const state: StackedClassifierState = {
      version: 1,
      options: {
        nFolds: this.options.nFolds,
        seed: this.options.seed,
        passthrough: this.options.passthrough,
      },
      nFeatures: this.#nFeatures,
      nLabels: this.#nLabels,
    };
    await atomicWriteJson(join(dir, STACKED_FILE), state);
  }

  /**
   * Loads a model written by {@linkcode StackedClassifier.save}; it predicts as before but
   * cannot be refitted (it has no factories).
   */
  static async load(dir: string): Promise<StackedClassifier> {
    const state = await readJsonFile<StackedClassifierState>(join(dir, STACKED_FILE));
    if (state?.version !== 1) {
      throw new Error(
        `${join(dir, STACKED_FILE)}: expected version 1, got ${state?.version}; ` +
          "re-run `npx deno task train`",
      );
    }
    const model = new StackedClassifier(null, null, state.options);
    model.#base = await loadEstimator(join(dir, "base"));
    model.#stacker = await loadEstimator(join(dir, "stacker"));
    model.#nFeatures = state.nFeatures;
    model.#nLabels = state.nLabels;
    return model;
  }
}
