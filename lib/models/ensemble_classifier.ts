/**
 * A weighted average of several multi-label classifiers' probabilities (soft voting).
 *
 * On a worker pool the members are fitted at the same time: a model that is one computation as
 * one task, a composite member (e.g. a stacked model) in place, spreading its own parts over the
 * same pool. Each member is fitted exactly as it would be alone, so the ensemble is the same bit
 * for bit on any pool. The fitted state holds each member as a part (`member_<i>`).
 *
 * @module
 */

import {
  type EstimatorSpec,
  type FitOptions,
  type FittedState,
  type Json,
  type MultiLabelEstimator,
} from "../core/estimator.ts";
import type { LabelMatrix, Matrix, MatrixData } from "../core/matrix.ts";
import { binarize } from "../metrics/multi_label_metrics.ts";
import { WorkerPool } from "../core/worker_pool.ts";
import { stateChecker } from "./state_checks.ts";

/** Options for {@linkcode EnsembleClassifier}: its params. */
export interface EnsembleOptions {
  /** The members (unfitted; fits use clones). */
  members: MultiLabelEstimator[];
  /** Weight of each member (default equal); normalised to sum to 1. */
  weights?: number[];
}

/**
 * Averages members' `predictProba`. `fit` fits every member on the same data.
 *
 * @example
 * ```ts
 * import type { LabelMatrix, Matrix } from "../core/matrix.ts";
 * import { LogisticRegression } from "./logistic_regression.ts";
 * import { MlpClassifier } from "./mlp_classifier.ts";
 * declare const XTrain: Matrix, yTrain: LabelMatrix, XTest: Matrix;
 * const ens = new EnsembleClassifier({
 *   members: [new LogisticRegression(), new MlpClassifier()],
 * });
 * await ens.fit(XTrain, yTrain);
 * const P = await ens.predictProba(XTest);
 * ```
 */
export class EnsembleClassifier implements MultiLabelEstimator {
  /** Registry key of saved models. */
  readonly kind = "ensemble";
  /** Its members are fitted side by side on the pool. */
  readonly splitsFit = true;
  /** Resolved params (weights normalised). */
  readonly options: Required<EnsembleOptions>;
  #fitted: MultiLabelEstimator[] | null = null;

  constructor(options: EnsembleOptions) {
    const members = options?.members ?? [];
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
    this.options = { members, weights: w.map((x) => x / sum) };
  }

  /** Kind and params (members as specs). */
  spec(): EstimatorSpec {
    return {
      kind: this.kind,
      params: {
        members: this.options.members.map((m) => m.spec() as unknown as Json),
        weights: [...this.options.weights],
      },
    };
  }

  /** A new, unfitted ensemble with the same params. */
  clone(): EnsembleClassifier {
    return new EnsembleClassifier({
      members: this.options.members.map((m) => m.clone()),
      weights: [...this.options.weights],
    });
  }

  /** The fitted members (null before fitting), in member order. */
  get members(): MultiLabelEstimator[] | null {
    return this.#fitted;
  }

  /** Fits every member on `X`, `Y`: side by side on `options.pool`, in turn without one. */
  async fit(X: Matrix<MatrixData>, Y: LabelMatrix, options: FitOptions = {}): Promise<this> {
    const pool = options.pool ?? WorkerPool.inline;
    const shared = pool.share(X as Matrix);
    const members = this.options.members;
    if (pool.size === 1) {
      const fitted: MultiLabelEstimator[] = [];
      for (const m of members) fitted.push(await pool.fitParts(m, { X: shared, Y }));
      this.#fitted = fitted;
    } else {
      // Submitted in member order, so the first member's first task starts first.
      this.#fitted = await Promise.all(members.map((m) => pool.fitParts(m, { X: shared, Y })));
    }
    return this;
  }

  /** Weighted mean of the members' probabilities. */
  async predictProba(X: Matrix<MatrixData>): Promise<Matrix> {
    if (!this.#fitted) {
      throw new Error(
        "EnsembleClassifier.predictProba: the model is not fitted; call fit() or load a saved model first",
      );
    }
    let out: Matrix | undefined;
    for (const [k, m] of this.#fitted.entries()) {
      const p = await m.predictProba(X);
      if (!out) out = { rows: p.rows, cols: p.cols, data: new Float32Array(p.data.length) };
      if (p.rows !== out.rows || p.cols !== out.cols) {
        throw new RangeError(
          `EnsembleClassifier: member ${k} returned ${p.rows}×${p.cols}, member 0 ${out.rows}×${out.cols}`,
        );
      }
      const w = this.options.weights[k];
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

  /** What fit learned: each member (parts `member_0`, `member_1`, …). */
  exportState(): FittedState {
    if (!this.#fitted) {
      throw new Error("EnsembleClassifier.exportState: the model is not fitted; call fit() first");
    }
    const parts: FittedState["parts"] = {};
    this.#fitted.forEach((m, i) => parts[`member_${i}`] = m.exportState());
    return { json: { members: this.#fitted.length }, arrays: {}, parts };
  }

  /** Restores a state from {@linkcode exportState}, checking each member's. */
  importState(state: FittedState): this {
    const check = stateChecker("EnsembleClassifier", state);
    const n = check.count("members");
    if (n !== this.options.members.length) {
      check.fail(`json.members is ${n}, but the ensemble has ${this.options.members.length}`);
    }
    this.#fitted = this.options.members.map((m, i) =>
      m.clone().importState(check.part(`member_${i}`))
    );
    return this;
  }
}
