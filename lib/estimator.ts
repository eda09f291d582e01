/**
 * The one estimator shape every model follows (like scikit-learn's): hyper-parameters in the
 * constructor's options object, `fit` learns, `predictProba` and `predict` use what was learned.
 *
 * @module
 */

import type { LabelMatrix, Matrix } from "./matrix.ts";

/**
 * A multi-label classifier: one probability per label and row.
 *
 * @example
 * ```ts
 * async function fitAndScore(model: MultiLabelEstimator, X: Matrix, Y: LabelMatrix) {
 *   await model.fit(X, Y);
 *   return await model.predict(X, 0.5);
 * }
 * ```
 */
export interface MultiLabelEstimator {
  /** Learns from features `X` (rows × features) and 0/1 labels `Y` (rows × labels). */
  fit(X: Matrix, Y: LabelMatrix): Promise<unknown> | unknown;
  /** P(label = 1) for every row and label. */
  predictProba(X: Matrix): Promise<Matrix> | Matrix;
  /** 0/1 predictions: `p >= threshold` (one number, or one per label). */
  predict(X: Matrix, thresholds: number | ArrayLike<number>): Promise<LabelMatrix> | LabelMatrix;
}

/** Makes a fresh, unfitted estimator (used for cross-validation). */
export type EstimatorFactory = () => MultiLabelEstimator;
