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
 * Save/load: {@linkcode StackedClassifier.toJSON} / {@linkcode StackedClassifier.fromJSON}
 * store both stages (each a {@linkcode LogisticRegression} or {@linkcode MlpClassifier}).
 *
 * @module
 */

import { crossValPredictProba } from "./cross_val_predict.ts";
import type { EstimatorFactory, MultiLabelEstimator } from "./estimator.ts";
import { genreCountStrata, stratifiedKFold } from "./k_fold.ts";
import { LogisticRegression, type LogisticRegressionJSON } from "./logistic_regression.ts";
import { hstack, type LabelMatrix, type Matrix, type MatrixData } from "./matrix.ts";
import { binarize } from "./metrics.ts";
import { MlpClassifier, type MlpClassifierJSON } from "./mlp_classifier.ts";

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
}

/** A serialised stage: which class, and that class's `toJSON()`. */
export type StageJSON =
  | { kind: "LogisticRegression"; state: LogisticRegressionJSON }
  | { kind: "MlpClassifier"; state: MlpClassifierJSON };

/** The serialised form produced by {@linkcode StackedClassifier.toJSON}. */
export interface StackedClassifierJSON {
  /** Always `"StackedClassifier"`. */
  kind: "StackedClassifier";
  /** Format version (1). */
  version: 1;
  /** Internal folds, seed and passthrough the model was fitted with. */
  options: { nFolds: number; seed: number; passthrough: boolean };
  /** Input features of the base model. */
  nFeatures: number;
  /** Labels. */
  nLabels: number;
  /** The fitted base model. */
  base: StageJSON;
  /** The fitted stacker. */
  stacker: StageJSON;
}

function stageToJSON(model: MultiLabelEstimator, which: string): StageJSON {
  if (model instanceof LogisticRegression) {
    return { kind: "LogisticRegression", state: model.toJSON() };
  }
  if (model instanceof MlpClassifier) return { kind: "MlpClassifier", state: model.toJSON() };
  throw new TypeError(
    `StackedClassifier.toJSON: the ${which} model is neither LogisticRegression nor ` +
      "MlpClassifier, which are the only stages that can be saved",
  );
}

function stageFromJSON(json: StageJSON, which: string): MultiLabelEstimator {
  if (json?.kind === "LogisticRegression") return LogisticRegression.fromJSON(json.state);
  if (json?.kind === "MlpClassifier") return MlpClassifier.fromJSON(json.state);
  throw new Error(
    `StackedClassifier.fromJSON: ${which} stage has kind "${
      (json as { kind?: string })?.kind
    }"; expected LogisticRegression or MlpClassifier (the file is damaged or from a newer version)`,
  );
}

/**
 * Stacked multi-label classifier (base model → stacker on [features, base probabilities]).
 *
 * @example
 * ```ts
 * import { LogisticRegression } from "./logistic_regression.ts";
 * const model = new StackedClassifier(
 *   () => new LogisticRegression({ C: 4 }),
 *   () => new LogisticRegression({ C: 1 }),
 * );
 * await model.fit(XTrain, yTrain);
 * const P = await model.predictProba(XTest);
 * ```
 */
export class StackedClassifier implements MultiLabelEstimator {
  /** Resolved options. */
  readonly options: { nFolds: number; seed: number; passthrough: boolean };
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

  /** Fits the base model out-of-fold, the stacker on those probabilities, then the base on all rows. */
  async fit(X: Matrix<MatrixData>, Y: LabelMatrix): Promise<this> {
    if (!this.#makeBase || !this.#makeStacker) {
      throw new Error(
        "StackedClassifier.fit: this model was loaded from JSON and has no factories; build a " +
          "new StackedClassifier(makeBase, makeStacker) to train",
      );
    }
    if (X.rows !== Y.rows) {
      throw new RangeError(
        `StackedClassifier.fit: X has ${X.rows} rows but Y has ${Y.rows}; give one label row per sample`,
      );
    }
    const folds = stratifiedKFold(genreCountStrata(Y), {
      nSplits: this.options.nFolds,
      seed: this.options.seed,
    });
    const Xf = X as Matrix;
    const oof = await crossValPredictProba(this.#makeBase, [Xf, Y], {
      folds,
      onFold: this.#onFold,
    });
    const stacker = this.#makeStacker();
    await stacker.fit(this.#inputs(X, oof), Y);
    const base = this.#makeBase();
    await base.fit(Xf, Y);
    this.#base = base;
    this.#stacker = stacker;
    this.#nFeatures = X.cols;
    this.#nLabels = Y.cols;
    return this;
  }

  /** The stacker's probabilities given the features and the base model's probabilities. */
  async predictProba(X: Matrix<MatrixData>): Promise<Matrix> {
    if (!this.#base || !this.#stacker) {
      throw new Error("StackedClassifier.predictProba: call fit() (or fromJSON) first");
    }
    if (X.cols !== this.#nFeatures) {
      throw new RangeError(
        `StackedClassifier.predictProba: X has ${X.cols} feature columns but the model was ` +
          `fitted on ${this.#nFeatures}; build features with the same pipeline as for training`,
      );
    }
    const P = await this.#base.predictProba(X as Matrix);
    return await this.#stacker.predictProba(this.#inputs(X, P));
  }

  /** `predictProba(X) >= thresholds` (one number, or one per label). */
  async predict(
    X: Matrix<MatrixData>,
    thresholds: number | ArrayLike<number>,
  ): Promise<LabelMatrix> {
    return binarize(await this.predictProba(X), thresholds);
  }

  /** Both fitted stages as JSON (see {@linkcode StackedClassifierJSON}). */
  toJSON(): StackedClassifierJSON {
    if (!this.#base || !this.#stacker) {
      throw new Error("StackedClassifier.toJSON: nothing to save; call fit() first");
    }
    return {
      kind: "StackedClassifier",
      version: 1,
      options: { ...this.options },
      nFeatures: this.#nFeatures,
      nLabels: this.#nLabels,
      base: stageToJSON(this.#base, "base"),
      stacker: stageToJSON(this.#stacker, "stacker"),
    };
  }

  /**
   * Rebuilds a model saved with {@linkcode StackedClassifier.toJSON}; it predicts as before
   * but cannot be refitted (it has no factories).
   */
  static fromJSON(json: StackedClassifierJSON): StackedClassifier {
    if (json?.kind !== "StackedClassifier" || json.version !== 1) {
      throw new Error(
        `StackedClassifier.fromJSON: expected kind "StackedClassifier" version 1, got ` +
          `${json?.kind} ${json?.version}; re-train and save the model`,
      );
    }
    const model = new StackedClassifier(null, null, json.options);
    model.#base = stageFromJSON(json.base, "base");
    model.#stacker = stageFromJSON(json.stacker, "stacker");
    model.#nFeatures = json.nFeatures;
    model.#nLabels = json.nLabels;
    return model;
  }
}
