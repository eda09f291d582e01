/**
 * A weighted average of several multi-label classifiers' probabilities (soft voting).
 *
 * With `workers ≥ 2` (and not already inside a worker) the members are fitted at the same time
 * on one shared {@linkcode FitPool}: a logistic regression or MLP member as one task, a stacked
 * member as its own tasks (base, inner folds, stacker). Each member is fitted exactly as it would
 * be alone, so the ensemble is the same bit for bit as with `workers: 1`.
 *
 * @module
 */

import { join } from "node:path";
import { atomicWriteJson } from "../io/atomic_write.ts";
import type { MultiLabelEstimator } from "../core/estimator.ts";
import type { LabelMatrix, Matrix, MatrixData } from "../core/matrix.ts";
import { binarize } from "../metrics/multi_label_metrics.ts";
import { loadEstimator, saveEstimator } from "./model_store.ts";
import { readJsonFile } from "../io/read_json.ts";
import { fitOnPoolOrHere, FitPool } from "./fit_pool.ts";
import { StackedClassifier } from "./stacked_classifier.ts";

const ENSEMBLE_FILE = "ensemble.json";

/** Options for {@linkcode EnsembleClassifier}. */
export interface EnsembleOptions {
  /** Weight of each member (default equal); normalised to sum to 1. */
  weights?: number[];
  /** Workers to fit the members on at the same time (default 1: one after the other here). */
  workers?: number;
}

/**
 * Averages members' `predictProba`. `fit` fits every member on the same data, in order.
 *
 * @example
 * ```ts
 * import type { LabelMatrix, Matrix } from "../core/matrix.ts";
 * import { LogisticRegression } from "./logistic_regression.ts";
 * import { MlpClassifier } from "./mlp_classifier.ts";
 * declare const XTrain: Matrix, yTrain: LabelMatrix, XTest: Matrix;
 * const ens = new EnsembleClassifier([new LogisticRegression(), new MlpClassifier()]);
 * await ens.fit(XTrain, yTrain);
 * const P = await ens.predictProba(XTest);
 * ```
 */
export class EnsembleClassifier implements MultiLabelEstimator {
  /** Registry key of saved models. */
  readonly kind = "ensemble";
  readonly members: MultiLabelEstimator[];
  readonly weights: number[];
  /** Workers used by {@linkcode fit} (1: members one after the other on this thread). */
  readonly workers: number;

  constructor(members: MultiLabelEstimator[], options: EnsembleOptions = {}) {
    if (members.length === 0) throw new RangeError("EnsembleClassifier: give at least one member");
    const w = options.weights ?? members.map(() => 1);
    if (w.length !== members.length || w.some((x) => !(x >= 0)) || w.every((x) => x === 0)) {
      throw new RangeError(
        `EnsembleClassifier: need ${members.length} non-negative weights (not all zero), got ${
          JSON.stringify(w)
        }`,
      );
    }
    const sum = w.reduce((a, b) => a + b, 0);
    this.members = members;
    this.weights = w.map((x) => x / sum);
    this.workers = options.workers ?? 1;
  }

  /**
   * Fits every member on `X`, `Y` (on a pool when `workers ≥ 2`; a member fitted on the pool is
   * replaced in {@linkcode members} by the fitted copy).
   */
  async fit(X: Matrix<MatrixData>, Y: LabelMatrix): Promise<this> {
    const pool = FitPool.create(this.workers);
    if (pool === null) {
      for (const m of this.members) await m.fit(X, Y);
      return this;
    }
    try {
      // Submitted in member order, so the first member's first task starts first.
      await Promise.all(this.members.map(async (m, k) => {
        if (m instanceof StackedClassifier) await m.fitOnPool(X, Y, pool);
        else this.members[k] = await fitOnPoolOrHere(m, [X as Matrix, Y], { pool });
      }));
    } finally {
      pool.close();
    }
    return this;
  }

  /** Weighted mean of the members' probabilities. */
  async predictProba(X: Matrix<MatrixData>): Promise<Matrix> {
    let out: Matrix | undefined;
    for (const [k, m] of this.members.entries()) {
      const p = await m.predictProba(X);
      if (!out) out = { rows: p.rows, cols: p.cols, data: new Float32Array(p.data.length) };
      if (p.rows !== out.rows || p.cols !== out.cols) {
        throw new RangeError(
          `EnsembleClassifier: member ${k} returned ${p.rows}×${p.cols}, member 0 ${out.rows}×${out.cols}`,
        );
      }
      const w = this.weights[k];
      for (let i = 0; i < p.data.length; i++) out.data[i] += w * p.data[i];
    }
    return out!;
  }

  /** `predictProba(X) >= thresholds` (default 0.5). */
  async predict(
    X: Matrix<MatrixData>,
    thresholds: number | ArrayLike<number> = 0.5,
  ): Promise<LabelMatrix> {
    return binarize(await this.predictProba(X), thresholds);
  }

  /** Writes `ensemble.json` (the weights) and each member in `member_<i>/` into `dir`. */
  async save(dir: string): Promise<void> {
    for (const [i, m] of this.members.entries()) await saveEstimator(join(dir, `member_${i}`), m);
    await atomicWriteJson(join(dir, ENSEMBLE_FILE), {
      version: 1,
      weights: this.weights,
      members: this.members.length,
    });
  }

  /** Loads an ensemble written by {@linkcode EnsembleClassifier.save}. */
  static async load(dir: string): Promise<EnsembleClassifier> {
    const saved = await readJsonFile<{ version: number; weights: number[]; members: number }>(
      join(dir, ENSEMBLE_FILE),
    );
    const members: MultiLabelEstimator[] = [];
    for (let i = 0; i < saved.members; i++) {
      members.push(await loadEstimator(join(dir, `member_${i}`)));
    }
    return new EnsembleClassifier(members, { weights: saved.weights });
  }
}
