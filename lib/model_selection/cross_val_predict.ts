/**
 * Out-of-fold probabilities: each training row is scored by a model that never saw it.
 *
 * @module
 */

import type { EstimatorPool, MultiLabelEstimator } from "../core/estimator.ts";
import type { LabelMatrix, Matrix } from "../core/matrix.ts";
import { WorkerPool } from "../core/worker_pool.ts";
import type { Split } from "./train_test_split.ts";

/** Options for {@linkcode crossValPredictProba}. */
export interface CrossValOptions {
  /** The folds (e.g. from `stratifiedKFold`); their test rows must partition `X`'s rows. */
  folds: Split[];
  /** Fit the folds side by side on this pool, one task each (default: one after the other here). */
  pool?: EstimatorPool;
  /** Called as each fold ends, in fold order, with the seconds since the first fold started. */
  onFold?: (fold: number, seconds: number) => void;
  /**
   * Also return the model fitted on each fold (default false, as scikit-learn's
   * `return_estimator`: each fold's model is dropped once its held-out rows are scored, so the
   * folds' models — five forests of 4,200 trees, say — are never all in memory at once).
   */
  returnModels?: boolean;
}

/** The out-of-fold probabilities, and the model fitted on each fold when asked. */
export interface CrossValResult {
  /** rows × labels: row i scored by the fold model that held it out. */
  proba: Matrix;
  /** The fitted clone of each fold, in fold order (only with `returnModels`). */
  models?: MultiLabelEstimator[];
}

/**
 * Fits a clone of `estimator` on each fold's training rows and predicts its held-out rows; the
 * result is the same bit for bit on any pool.
 *
 * @example
 * ```ts
 * import type { LabelMatrix, Matrix } from "../core/matrix.ts";
 * import { LogisticRegression } from "../models/logistic_regression.ts";
 * import { genreCountStrata, stratifiedKFold } from "./k_fold.ts";
 * declare const XTrain: Matrix, yTrain: LabelMatrix;
 * const folds = stratifiedKFold(genreCountStrata(yTrain), { nSplits: 5, seed: 42 });
 * const { proba } = await crossValPredictProba(new LogisticRegression(), [XTrain, yTrain], {
 *   folds,
 * });
 * ```
 */
export async function crossValPredictProba(
  estimator: MultiLabelEstimator,
  data: [Matrix, LabelMatrix],
  options: CrossValOptions,
): Promise<CrossValResult> {
  const [X0, Y] = data;
  if (X0.rows !== Y.rows) {
    throw new RangeError(
      `crossValPredictProba: X has ${X0.rows} rows but Y has ${Y.rows}; they must describe the same titles`,
    );
  }
  const pool = options.pool ?? WorkerPool.inline;
  const X = pool.share(X0); // once for every fold
  const oof = new OutOfFoldRows(X.rows, Y.cols, "crossValPredictProba");
  const seconds: (number | null)[] = options.folds.map(() => null);
  let reported = 0;
  const t0 = performance.now();
  const models = await Promise.all(options.folds.map(async (fold, k) => {
    const { model, proba } = await pool.fit(estimator, {
      X,
      Y,
      rows: fold.train,
      predictRows: fold.test,
    });
    if (!proba || proba.rows !== fold.test.length || proba.cols !== Y.cols) {
      throw new RangeError(
        `crossValPredictProba: fold ${k} model returned ${proba?.rows}×${proba?.cols} ` +
          `probabilities, expected ${fold.test.length}×${Y.cols}`,
      );
    }
    oof.set(k, fold.test, proba.data);
    seconds[k] = (performance.now() - t0) / 1000;
    while (reported < options.folds.length && seconds[reported] !== null) {
      options.onFold?.(reported, seconds[reported]!);
      reported++;
    }
    return options.returnModels ? model : null;
  }));
  return {
    proba: oof.matrix(),
    ...(options.returnModels ? { models: models as MultiLabelEstimator[] } : {}),
  };
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
