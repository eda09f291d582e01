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
  const oof = new OutOfFoldRows(X.rows, Y.cols, "crossValPredictProba");
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
    oof.set(k, fold.test, p.data);
    options.onFold?.(k, (performance.now() - t0) / 1000);
  }
  return oof.matrix();
}

/**
 * Gathers the held-out rows' probabilities of every fold into one rows × labels matrix, checking
 * that each fold gives one row per held-out title and that the folds cover every row.
 *
 * @example
 * ```ts
 * const oof = new OutOfFoldRows(3, 1, "example");
 * oof.set(0, [0, 2], Float32Array.of(0.1, 0.3));
 * oof.set(1, [1], Float32Array.of(0.2));
 * oof.matrix().data; // Float32Array [0.1, 0.2, 0.3]
 * ```
 */
export class OutOfFoldRows {
  readonly #data: Float32Array;
  readonly #covered: Uint8Array;

  /** `caller` starts the error messages (the function that gathers the rows). */
  constructor(readonly rows: number, readonly labels: number, readonly caller: string) {
    this.#data = new Float32Array(rows * labels);
    this.#covered = new Uint8Array(rows);
  }

  /** Places fold `k`'s probabilities (row-major, one row per entry of `test`). */
  set(k: number, test: ArrayLike<number>, proba: Float32Array): void {
    const L = this.labels;
    if (proba.length !== test.length * L) {
      throw new RangeError(
        `${this.caller}: fold ${k} returned ${proba.length} probabilities, ` +
          `expected ${test.length}×${L}`,
      );
    }
    for (let i = 0; i < test.length; i++) {
      const r = test[i];
      this.#covered[r] = 1;
      this.#data.set(proba.subarray(i * L, (i + 1) * L), r * L);
    }
  }

  /** The gathered matrix; throws when a row is in no fold's test rows. */
  matrix(): Matrix {
    const missing = this.#covered.indexOf(0);
    if (missing >= 0) {
      throw new RangeError(
        `${this.caller}: row ${missing} is in no fold's test rows; folds must partition the rows`,
      );
    }
    return { rows: this.rows, cols: this.labels, data: this.#data };
  }
}
