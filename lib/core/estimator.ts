/**
 * The one estimator contract every model follows (like scikit-learn's): hyper-parameters in the
 * constructor's options object, `fit` learns and resolves to the fitted model, `predictProba` and
 * `predict` (both async) use only what was learned, `save` writes the fitted state to a folder
 * that `loadEstimator` (lib/model_store.ts) reads back by the model's `kind`.
 *
 * The input checks every model runs live here too: {@linkcode checkFeatures},
 * {@linkcode checkLabels} and {@linkcode checkFitted}.
 *
 * @module
 */

import { assertShape, type LabelMatrix, type Matrix, type MatrixData } from "./matrix.ts";

/** Names under which fitted models are saved and looked up. */
export type EstimatorKind =
  | "logistic_regression"
  | "mlp"
  | "random_forest"
  | "stacked"
  | "ensemble"
  | "thresholded";

/**
 * A multi-label classifier: one probability per label and row.
 *
 * @example
 * ```ts
 * import type { LabelMatrix, Matrix } from "./matrix.ts";
 * async function fitAndScore(model: MultiLabelEstimator, X: Matrix, Y: LabelMatrix) {
 *   const fitted = await model.fit(X, Y);
 *   return await fitted.predict(X, 0.5);
 * }
 * ```
 */
export interface MultiLabelEstimator {
  /** The model's kind: the key its saved folder is loaded by. */
  readonly kind: EstimatorKind | string;
  /** Learns from features `X` (rows × features) and 0/1 labels `Y` (rows × labels). */
  fit(X: Matrix<MatrixData>, Y: LabelMatrix): Promise<this>;
  /** P(label = 1) for every row and label. */
  predictProba(X: Matrix<MatrixData>): Promise<Matrix>;
  /**
   * 0/1 predictions: `p >= threshold` (one number, or one per label). Models that learned their
   * own thresholds use them when `thresholds` is left out; others default to 0.5.
   */
  predict(X: Matrix<MatrixData>, thresholds?: number | ArrayLike<number>): Promise<LabelMatrix>;
  /** Writes the fitted state into folder `dir` (created by the caller). */
  save(dir: string): Promise<void>;
}

/** Makes a fresh, unfitted estimator (used for cross-validation). */
export type EstimatorFactory = () => MultiLabelEstimator;

/**
 * Checks a feature matrix: consistent shape, expected column count, finite values.
 * Throws naming the first bad row/column.
 *
 * @example
 * ```ts
 * checkFeatures({ rows: 1, cols: 2, data: Float32Array.of(0, 1) }, "fit", 2);
 * ```
 */
export function checkFeatures(X: Matrix<MatrixData>, where: string, cols?: number): void {
  assertShape(X, `${where}: X`);
  if (cols !== undefined && X.cols !== cols) {
    throw new RangeError(
      `${where}: X has ${X.cols} feature columns but the model was fitted on ${cols}; ` +
        `build features with the same pipeline as for training`,
    );
  }
  const d = X.data;
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i])) {
      const r = Math.floor(i / X.cols);
      throw new RangeError(
        `${where}: X[${r}, ${i - r * X.cols}] is ${d[i]}; features must be finite ` +
          `(impute or drop that row)`,
      );
    }
  }
}

/**
 * Checks a 0/1 label matrix against the feature matrix's row count.
 *
 * @example
 * ```ts
 * checkLabels({ rows: 1, cols: 1, data: Uint8Array.of(1) }, 1, "fit");
 * ```
 */
export function checkLabels(Y: LabelMatrix, rows: number, where: string): void {
  assertShape(Y, `${where}: Y`);
  if (Y.rows !== rows) {
    throw new RangeError(
      `${where}: X has ${rows} rows but Y has ${Y.rows}; give one label row per sample`,
    );
  }
  if (Y.cols === 0) throw new RangeError(`${where}: Y has no label columns`);
  for (let i = 0; i < Y.data.length; i++) {
    if (Y.data[i] > 1) {
      const r = Math.floor(i / Y.cols);
      throw new RangeError(
        `${where}: Y[${r}, ${i - r * Y.cols}] is ${Y.data[i]}; labels must be 0 or 1`,
      );
    }
  }
}

/**
 * Returns the fitted state, or throws the same "call fit() first" error for every model.
 *
 * @example
 * ```ts
 * const state: { coef: Float32Array } | null = { coef: new Float32Array(2) };
 * checkFitted(state, "LogisticRegression.predict").coef.length; // 2
 * ```
 */
export function checkFitted<T>(state: T | null | undefined, where: string): T {
  if (state === null || state === undefined) {
    throw new Error(`${where}: the model is not fitted; call fit() or load a saved model first`);
  }
  return state;
}
