/**
 * The one estimator contract every model follows (after scikit-learn's): an estimator is data —
 * its kind and its hyper-parameters ({@linkcode EstimatorSpec}, JSON; nested estimators appear as
 * their own specs) — that `clone` copies unfitted, `fit` learns from (resolving to the fitted
 * model), and `predictProba` / `predict` use only what was learned. What a fit learned leaves and
 * comes back through {@linkcode FittedState}: the model store (`models/model_store.ts`) writes it
 * to disk and a worker pool sends it between threads, both through `exportState` /
 * `importState`, so a fitted or loaded model can always be cloned and refitted.
 *
 * Parallelism is one option of `fit`: an {@linkcode EstimatorPool} (`core/worker_pool.ts`) on
 * which a model fits its independent parts (folds, members, label groups, trees); without one,
 * everything runs on this thread, with the same result bit for bit.
 *
 * The input checks every model runs live here too: {@linkcode checkFeatures},
 * {@linkcode checkLabels} and {@linkcode checkFitted}.
 *
 * @module
 */

import { assertShape, type LabelMatrix, type Matrix, type MatrixData } from "./matrix.ts";

/** Names under which estimators are built, saved and looked up. */
export type EstimatorKind =
  | "logistic_regression"
  | "mlp"
  | "random_forest"
  | "stacked"
  | "ensemble"
  | "thresholded";

/** A JSON value (what a spec's params and a state's `json` may hold). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * An estimator as data: its kind and hyper-parameters, nested estimators as specs (JSON).
 *
 * @example
 * ```ts
 * const spec: EstimatorSpec = { kind: "logistic_regression", params: { C: 4 } };
 * ```
 */
export interface EstimatorSpec {
  /** An {@linkcode EstimatorKind} for the registry (others can be fitted, not built or saved). */
  kind: EstimatorKind | string;
  params: { [key: string]: Json };
}

/** Typed arrays a {@linkcode FittedState} may hold. */
export type StateArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/**
 * What a fit learned: small values as JSON, large ones as typed arrays, and a composite model's
 * fitted parts by name. It crosses threads by structured clone and is saved as files.
 */
export interface FittedState {
  json: { [key: string]: Json };
  arrays: { [name: string]: StateArray };
  parts: { [name: string]: FittedState };
}

/** Where a logistic regression's next fit starts (its warm start), for a worker to use. */
export type StartingPoint = { [name: string]: Float32Array };

/** Rows of X and Y to fit on (all when `rows` is absent), and rows to predict afterwards. */
export interface FitData {
  X: Matrix;
  Y: LabelMatrix;
  /** Fit on these rows of X and Y only (e.g. a fold's training rows). */
  rows?: ArrayLike<number>;
  /** Also return the fitted model's probabilities of these rows of X. */
  predictRows?: ArrayLike<number>;
}

/** A model fitted on a pool, and its probabilities of the `predictRows` when asked. */
export interface PoolFit<T extends MultiLabelEstimator = MultiLabelEstimator> {
  model: T;
  proba?: Matrix;
}

/** A task a worker runs: an exported async function of a module, by URL and name. */
export interface TaskRef {
  /** The module's URL (`import.meta.url` of the module that exports the task). */
  module: string;
  /** The exported function's name; it takes one structured-cloneable argument. */
  name: string;
}

/**
 * Threads to fit on (implemented by `core/worker_pool.ts`). Tasks run in the order they are
 * submitted, each on the first idle worker; on a pool of one, or inside a worker, everything
 * runs on this thread.
 */
export interface EstimatorPool {
  /** Workers (1: this thread only). */
  readonly size: number;
  /**
   * Fits a clone of `model` (its params, and its starting point) as ONE task on a worker;
   * `model` itself is not changed.
   */
  fit<T extends MultiLabelEstimator>(model: T, data: FitData): Promise<PoolFit<T>>;
  /**
   * Fits a clone of `model` where it runs best: in place on this thread when its fit spreads
   * its own parts over the pool (`model.splitsFit`), else as one task.
   */
  fitParts<T extends MultiLabelEstimator>(model: T, data: FitData): Promise<T>;
  /** Runs a task (see {@linkcode TaskRef}) on a worker and resolves to what it returns. */
  run<R>(task: TaskRef, args: unknown): Promise<R>;
  /** `X` in memory the workers share (X itself when it already is, or on a pool of one). */
  share(X: Matrix): Matrix;
}

/** Options of every estimator's `fit`. */
export interface FitOptions {
  /** The pool to fit independent parts on (default: this thread only). */
  pool?: EstimatorPool;
  /** Called as each cross-validation fold of this fit ends, in fold order. */
  onFold?: (fold: number, seconds: number) => void;
  /** Draw a progress bar of long fits (default false). */
  progress?: boolean;
}

/**
 * A multi-label classifier: one probability per label and row.
 *
 * @example
 * ```ts
 * import type { LabelMatrix, Matrix } from "./matrix.ts";
 * async function fitAndScore(model: MultiLabelEstimator, X: Matrix, Y: LabelMatrix) {
 *   const fitted = await model.clone().fit(X, Y);
 *   return await fitted.predict(X, 0.5);
 * }
 * ```
 */
export interface MultiLabelEstimator {
  /** The model's kind: the key it is built, saved and loaded by. */
  readonly kind: EstimatorKind | string;
  /**
   * True when `fit` spreads its own independent parts over the pool (composite models, a forest,
   * a logistic regression with label groups), false when it is one computation.
   */
  readonly splitsFit: boolean;
  /** Kind and hyper-parameters, nested estimators as specs (what `clone` copies). */
  spec(): EstimatorSpec;
  /** A new, unfitted estimator with the same hyper-parameters. */
  clone(): MultiLabelEstimator;
  /** Learns from features `X` (rows × features) and 0/1 labels `Y` (rows × labels). */
  fit(X: Matrix<MatrixData>, Y: LabelMatrix, options?: FitOptions): Promise<this>;
  /** P(label = 1) for every row and label. */
  predictProba(X: Matrix<MatrixData>): Promise<Matrix>;
  /**
   * 0/1 predictions: `p >= threshold` (one number, or one per label). Models that learned their
   * own thresholds use them when `thresholds` is left out; others default to 0.5.
   */
  predict(X: Matrix<MatrixData>, thresholds?: number | ArrayLike<number>): Promise<LabelMatrix>;
  /** What `fit` learned (throws when the model is not fitted). */
  exportState(): FittedState;
  /**
   * Makes this (unfitted) model the fitted one `state` describes, after checking every number in
   * it (a tampered or truncated state is refused naming the field). Returns `this`.
   */
  importState(state: FittedState): this;
  /** Where the next fit starts, for models with warm starts (undefined: a cold start). */
  startingPoint?(): StartingPoint | undefined;
  /** Makes the next fit start from `point` (see {@linkcode startingPoint}). */
  startFrom?(point: StartingPoint): this;
}

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
