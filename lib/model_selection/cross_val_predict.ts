/**
 * Out-of-fold probabilities: each training row is scored by a model that never saw it.
 *
 * @module
 */

import type { EstimatorFactory } from "../core/estimator.ts";
import { type LabelMatrix, type Matrix, takeRows } from "../core/matrix.ts";
import type { Split } from "./train_test_split.ts";

/** Options for {@linkcode crossValPredictProba}. */
export interface CrossValOptions {
  /** The folds (e.g. from `stratifiedKFold`); their test rows must partition `X`'s rows. */
  folds: Split[];
  /** Called after each fold with its index and seconds taken. */
  onFold?: (fold: number, seconds: number) => void;
}

/**
 * Fits a fresh model on each fold's training rows and predicts its held-out rows.
 *
 * @example
 * ```ts
 * import type { LabelMatrix, Matrix } from "../core/matrix.ts";
 * import { LogisticRegression } from "../models/logistic_regression.ts";
 * import { genreCountStrata, stratifiedKFold } from "./k_fold.ts";
 * declare const XTrain: Matrix, yTrain: LabelMatrix;
 * const folds = stratifiedKFold(genreCountStrata(yTrain), { nSplits: 5, seed: 42 });
 * const oof = await crossValPredictProba(() => new LogisticRegression(), [XTrain, yTrain], { folds });
 * ```
 */
export async function crossValPredictProba(
  makeModel: EstimatorFactory,
  data: [Matrix, LabelMatrix],
  options: CrossValOptions,
): Promise<Matrix> {
  const [X, Y] = data;
  if (X.rows !== Y.rows) {
    throw new RangeError(
      `crossValPredictProba: X has ${X.rows} rows but Y has ${Y.rows}; they must describe the same titles`,
    );
  }
  const out = new Float32Array(X.rows * Y.cols);
  const covered = new Uint8Array(X.rows);
  for (const [k, fold] of options.folds.entries()) {
    const t0 = performance.now();
    const model = makeModel();
    await model.fit(takeRows(X, fold.train), takeRows(Y, fold.train));
    const p = await model.predictProba(takeRows(X, fold.test));
    if (p.rows !== fold.test.length || p.cols !== Y.cols) {
      throw new RangeError(
        `crossValPredictProba: fold ${k} model returned ${p.rows}×${p.cols} probabilities, expected ${fold.test.length}×${Y.cols}`,
      );
    }
    for (let i = 0; i < fold.test.length; i++) {
      const r = fold.test[i];
      covered[r] = 1;
      out.set(p.data.subarray(i * Y.cols, (i + 1) * Y.cols), r * Y.cols);
    }
    options.onFold?.(k, (performance.now() - t0) / 1000);
  }
  const missing = covered.indexOf(0);
  if (missing >= 0) {
    throw new RangeError(
      `crossValPredictProba: row ${missing} is in no fold's test rows; folds must partition the rows`,
    );
  }
  return { rows: X.rows, cols: Y.cols, data: out };
}
