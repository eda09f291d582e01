/**
 * One-vs-rest L2 logistic regression over all labels at once, matching scikit-learn's
 * `LogisticRegression(C, solver="lbfgs")` objective for every label:
 *
 *     minimise  Σ_i w_i · logloss(y_i, x_i·β + b) + ‖β‖² / (2C)        (intercept b not penalised)
 *
 * (equivalently C·Σ w_i·logloss_i + ½‖β‖²), with `w_i = 1`, or with `classWeight: "balanced"`
 * `w_i = n / (2·count(y_i))` per label. All labels are solved in lockstep, each with its own
 * L-BFGS state ({@linkcode LbfgsState}) and line search; one iteration of every still-running
 * label costs two matrix products (OpenBLAS through FFI when installed, see `core/native_blas.ts`,
 * else tfjs wasm): `U = D·Xᵀ` for the search directions and
 * `G = R·X` for the gradients. Line searches are free because `X·(β + αd) = X·β + α·X·d`.
 * A label stops on its own (SciPy's rules: max |∂f/∂β| ≤ `tol`, relative decrease ≤ 2.2e-9,
 * or `maxIter`) and drops out of the products.
 *
 * Two exact reparametrisations change only the optimiser's path, not the optimum: columns are
 * centred (`(x − μ)·β + b'`, `b = b' − μ·β`), and variables are rescaled per label by a
 * diagonal preconditioner (`β = s ⊙ v`, `s_f = 1/√(π(1−π)·w̄·Σ_i (x_if − μ_f)² + 1/C)`, π the
 * weighted positive rate). Together they halve the iterations on the project's features. The
 * gradient test is done on the original variables, as scikit-learn does.
 *
 * Fitted state ({@linkcode LogisticRegression.exportState}): `coef` (labels × features, row-major
 * float32) and `intercept` arrays, iterations and status per label.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import {
  checkFeatures,
  checkLabels,
  type EstimatorSpec,
  type FitOptions,
  type FittedState,
  type MultiLabelEstimator,
  type StartingPoint,
} from "../core/estimator.ts";
import { WorkerPool } from "../core/worker_pool.ts";
import { stateChecker } from "./state_checks.ts";
import { LbfgsState, type LbfgsStatus, wolfeLineSearch } from "./lbfgs.ts";
import type { LabelMatrix, Matrix, MatrixData } from "../core/matrix.ts";
import { binarize } from "../metrics/multi_label_metrics.ts";
import { useFastBackend } from "../core/tf_backend.ts";
import { nativeSgemm } from "../core/native_blas.ts";
import { expNonPositive, log1pUnit } from "../core/fast_exp.ts";

/** Why a label stopped: the optimiser's statuses, or constant in training. */
const LABEL_STATUSES = ["running", "gtol", "ftol", "maxIter", "lineSearch", "constant"];

/** Options for {@linkcode LogisticRegression}. */
export interface LogisticRegressionOptions {
  /** Inverse regularisation strength (default 1). */
  C?: number;
  /** `null` (every row weighs 1) or `"balanced"` (`n / (2·count)` per label and class). */
  classWeight?: null | "balanced";
  /** Maximum L-BFGS iterations per label (default 1000). */
  maxIter?: number;
  /** Gradient tolerance: stop a label when max |∂f/∂β| ≤ tol (default 1e-4, as scikit-learn). */
  tol?: number;
  /** Fit an unpenalised intercept per label (default true). */
  fitIntercept?: boolean;
  /** Relative-decrease tolerance (default 2.22e-9, SciPy's L-BFGS-B `ftol`). */
  ftol?: number;
  /** Use the diagonal preconditioner described in the module doc (default true). */
  precondition?: boolean;
  /** L-BFGS correction pairs kept per label (default 10, SciPy's). */
  memory?: number;
  /**
   * Fit the labels in these independent groups (a partition of the label indices, e.g. from
   * {@linkcode balancedLabelGroups}); default null: all labels in one group. Each group is solved
   * on its own, so its matrix products involve only its own labels: the groups can run on
   * separate workers (`FitPool`) and the model is the same bit for bit wherever they run. The
   * grouping itself may move the coefficients in their last float bits (BLAS kernels round a
   * product row differently depending on the rows beside it), so it is a hyper-parameter, never
   * chosen from the number of workers.
   */
  labelGroups?: number[][] | null;
}

function toFloat32(X: Matrix<MatrixData>): Float32Array {
  return X.data instanceof Float32Array ? X.data : Float32Array.from(X.data);
}

/**
 * Multi-label logistic regression (one binary L2 model per label), scikit-learn compatible.
 *
 * @example
 * ```ts
 * import { fromRows, labelsFromRows } from "../core/matrix.ts";
 * const X = fromRows([[0, 1], [1, 0], [1, 1], [0, 0]]);
 * const Y = labelsFromRows([[0], [1], [1], [0]]);
 * const lr = new LogisticRegression({ C: 10 });
 * await lr.fit(X, Y);
 * const P = await lr.predictProba(X);   // 4 × 1 probabilities
 * const labels = await lr.predict(X, 0.5); // 4 × 1 zeros/ones
 * const copy = new LogisticRegression(lr.options).importState(lr.exportState());
 * ```
 */
export class LogisticRegression implements MultiLabelEstimator {
  /** Registry key of saved models. */
  readonly kind = "logistic_regression";
  /** The options in force (defaults filled in): the model's params. */
  readonly options: Required<LogisticRegressionOptions>;
  /** Coefficients, labels × features row-major (null before fit). */
  coef: Float32Array | null = null;
  /** Intercepts, one per label (null before fit). */
  intercept: Float32Array | null = null;
  /** L-BFGS iterations per label. */
  nIter: number[] = [];
  /** Why each label stopped: an {@linkcode LbfgsStatus} or `"constant"`. */
  status: (LbfgsStatus | "constant")[] = [];
  /** Feature count seen in fit. */
  nFeatures = 0;
  /** Label count seen in fit. */
  nLabels = 0;
  #coefT: Float32Array | null = null;
  #init: { coef: Float32Array; intercept: Float32Array } | null = null;

  constructor(options: LogisticRegressionOptions = {}) {
    this.options = {
      C: options.C ?? 1,
      classWeight: options.classWeight ?? null,
      maxIter: options.maxIter ?? 1000,
      tol: options.tol ?? 1e-4,
      fitIntercept: options.fitIntercept ?? true,
      ftol: options.ftol ?? 2.220446049250313e-9,
      precondition: options.precondition ?? true,
      memory: options.memory ?? 10,
      labelGroups: options.labelGroups ?? null,
    };
    const o = this.options;
    if (!(o.C > 0)) throw new RangeError(`LogisticRegression: C must be > 0, got ${o.C}`);
    if (o.classWeight !== null && o.classWeight !== "balanced") {
      throw new RangeError(
        `LogisticRegression: classWeight must be null or "balanced", got ${o.classWeight}`,
      );
    }
  }

  /** True with more than one label group: the groups are fitted side by side on a pool. */
  get splitsFit(): boolean {
    return (this.options.labelGroups?.length ?? 1) > 1;
  }

  /** Kind and params. */
  spec(): EstimatorSpec {
    return { kind: this.kind, params: structuredClone(this.options) };
  }

  /** A new, unfitted model with the same params (no warm start). */
  clone(): LogisticRegression {
    return new LogisticRegression(structuredClone(this.options));
  }

  /** The start set by {@linkcode warmStartFrom} (undefined: a cold start from zero). */
  get warmStart(): { coef: Float32Array; intercept: Float32Array } | undefined {
    return this.#init ?? undefined;
  }

  /** The warm start as a {@linkcode StartingPoint}, for a worker to fit from. */
  startingPoint(): StartingPoint | undefined {
    return this.#init ?? undefined;
  }

  /** {@linkcode warmStartFrom} a {@linkcode StartingPoint} (`coef` and `intercept`). */
  startFrom(point: StartingPoint): this {
    return this.warmStartFrom({ coef: point.coef ?? null, intercept: point.intercept ?? null });
  }

  /**
   * Makes the next {@linkcode fit} start from `model`'s coefficients instead of zero (a warm
   * start), e.g. an inner cross-validation fold from the model fitted on all rows. Sound because
   * every label's problem is strictly convex (L2 penalty) and solved to tolerance: the optimum
   * does not depend on the start, only the number of iterations to reach it does (the fitted
   * coefficients agree with a cold start's to the solver's tolerance, not bit for bit). The
   * model must have as many features and labels as the data `fit` gets; a label whose start
   * is not finite (constant in `model`'s data) starts cold. Returns `this`.
   *
   * @example
   * ```ts
   * import { fromRows, labelsFromRows } from "../core/matrix.ts";
   * const X = fromRows([[0, 1], [1, 0], [1, 1], [0, 0]]);
   * const Y = labelsFromRows([[0], [1], [1], [0]]);
   * const full = await new LogisticRegression().fit(X, Y);
   * const again = await new LogisticRegression().warmStartFrom(full).fit(X, Y); // ~0 iterations
   * ```
   */
  warmStartFrom(model: { coef: Float32Array | null; intercept: Float32Array | null }): this {
    if (model.coef === null || model.intercept === null) {
      throw new Error("LogisticRegression.warmStartFrom: the model is not fitted; fit it first");
    }
    this.#init = { coef: model.coef, intercept: model.intercept };
    return this;
  }

  /**
   * Fits every label's model. Labels with a single class in `Y` get zero coefficients and an
   * intercept of ±Infinity (probability exactly 0 or 1). With label groups, each group is one
   * task on `options.pool` (one after the other without a pool).
   */
  async fit(X: Matrix<MatrixData>, Y: LabelMatrix, options: FitOptions = {}): Promise<this> {
    checkFeatures(X, "LogisticRegression.fit");
    checkLabels(Y, X.rows, "LogisticRegression.fit");
    const groups = this.options.labelGroups;
    if (groups !== null) {
      checkLabelGroups(groups, Y.cols);
      const pool = options.pool ?? WorkerPool.inline;
      const shared = pool.share({ rows: X.rows, cols: X.cols, data: toFloat32(X) });
      const parts = await Promise.all(
        groups.map(async (labels) =>
          (await pool.fit(this.groupModel(labels), {
            X: shared,
            Y: takeLabelColumns(Y, labels),
          })).model
        ),
      );
      return this.joinGroups(parts);
    }
    await useFastBackend();
    const { C, classWeight, maxIter, tol, fitIntercept, ftol, precondition, memory } = this.options;
    const n = X.rows, d = X.cols, L = Y.cols;
    const p = d + (fitIntercept ? 1 : 0); // parameters per label: β then b
    const xf = toFloat32(X);
    const coef = new Float64Array(L * d);
    const intercept = new Float64Array(L);
    const nIter = new Array<number>(L).fill(0);
    const status = new Array<LbfgsStatus | "constant">(L).fill("running");
    const init = this.#init;
    if (init !== null && (init.coef.length !== L * d || init.intercept.length !== L)) {
      throw new RangeError(
        `LogisticRegression.fit: the warm start has ${init.intercept.length} labels × ` +
          `${init.coef.length / Math.max(1, init.intercept.length)} features, the data ${L} × ${d}`,
      );
    }

    // Column sums of squares for the preconditioner.
    // With an intercept the optimiser works on centred columns (x − μ)·β + b', an exact
    // reparametrisation (b = b' − μ·β) that decouples β from b and speeds convergence.
    const colSq = new Float64Array(d);
    const mu = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      for (let f = 0; f < d; f++) {
        const v = xf[i * d + f];
        colSq[f] += v * v;
        mu[f] += v;
      }
    }
    for (let f = 0; f < d; f++) {
      mu[f] = fitIntercept ? mu[f] / n : 0;
      colSq[f] -= n * mu[f] * mu[f];
    }

    interface LabelState {
      j: number;
      y: Uint8Array;
      wPos: number;
      wNeg: number;
      s: Float64Array; // β = s ⊙ v (length p; intercept entry too)
      z: Float64Array; // X·β + b
      r: Float32Array; // w_i (σ(z_i) − y_i) at the last evaluated point
      loss: number; // Σ w_i logloss_i at the last evaluated point
      rSum: number; // Σ r_i
      st: LbfgsState;
    }
    const labels: LabelState[] = [];
    const warm: number[] = []; // indices into labels of warm-started labels
    for (let j = 0; j < L; j++) {
      const y = new Uint8Array(n);
      let pos = 0;
      for (let i = 0; i < n; i++) pos += y[i] = Y.data[i * L + j];
      if (pos === 0 || pos === n) {
        status[j] = "constant";
        intercept[j] = pos === 0 ? -Infinity : Infinity;
        continue;
      }
      const wPos = classWeight === "balanced" ? n / (2 * pos) : 1;
      const wNeg = classWeight === "balanced" ? n / (2 * (n - pos)) : 1;
      const pi = (wPos * pos) / (wPos * pos + wNeg * (n - pos));
      const wMean = (wPos * pos + wNeg * (n - pos)) / n;
      const s = new Float64Array(p).fill(1);
      if (precondition) {
        for (let f = 0; f < d; f++) s[f] = 1 / Math.sqrt(pi * (1 - pi) * wMean * colSq[f] + 1 / C);
        if (fitIntercept) s[d] = 1 / Math.sqrt(pi * (1 - pi) * wMean * n);
      }
      // Start from β = 0 and, with an intercept, its optimum given β = 0: logit of the
      // (weighted) positive rate. Same optimum as scikit-learn's all-zero start, fewer steps.
      const z = new Float64Array(n);
      if (fitIntercept) z.fill(intercept[j] = Math.log(pi / (1 - pi)));
      if (init !== null && Number.isFinite(init.intercept[j])) {
        // Warm start: β = β₀, and the centred intercept b' = b₀ + μ·β₀; z = X·β₀ + b₀ is filled
        // in below with one product for all warm labels.
        let muB = 0;
        for (let f = 0; f < d; f++) {
          const beta = init.coef[j * d + f];
          coef[j * d + f] = beta;
          muB += mu[f] * beta;
        }
        intercept[j] = (fitIntercept ? init.intercept[j] : 0) + muB;
        z.fill(fitIntercept ? init.intercept[j] : 0);
        warm.push(labels.length);
      }
      labels.push({
        j,
        y,
        wPos,
        wNeg,
        s,
        z,
        r: new Float32Array(n),
        loss: 0,
        rSum: 0,
        st: null as unknown as LbfgsState,
      });
    }

    // One pass over the rows of label `lab` at z + α·(u + db): fills r, loss, rSum and
    // returns the data term and its derivative along u.
    const evaluate = (
      lab: LabelState,
      u: Float32Array | null,
      off: number,
      db: number,
      alpha: number,
    ) => {
      const { y, wPos, wNeg, z, r } = lab;
      let loss = 0, dl = 0, sum = 0;
      for (let i = 0; i < n; i++) {
        const ui = u === null ? 0 : u[off + i] + db;
        const zi = z[i] + alpha * ui;
        const e = expNonPositive(-Math.abs(zi));
        const inv = 1 / (1 + e);
        const sg = zi >= 0 ? inv : e * inv;
        const w = y[i] ? wPos : wNeg;
        loss += w * ((zi > 0 ? zi : 0) + log1pUnit(e) - y[i] * zi);
        const ri = w * (sg - y[i]);
        r[i] = ri;
        sum += ri;
        dl += ri * ui;
      }
      lab.loss = loss, lab.rSum = sum;
      return dl;
    };

    // The two products per iteration: OpenBLAS when installed (core/native_blas.ts), else tfjs.
    // Not `matMul()`'s wasm fallback: X stays on the wasm side here, uploaded (and transposed)
    // once per fit instead of at every product.
    const sgemm = nativeSgemm();
    const Xt = sgemm ? null : tf.tensor2d(xf, [n, d]);
    const XtT = Xt ? tf.transpose(Xt) : null;
    /** A · Xᵀ for A (k × d): k × n. */
    const timesXT = (A: Float32Array, k: number): Float32Array => {
      if (sgemm) return sgemm(A, xf, { m: k, n, k: d, transposeB: true });
      const Ut = tf.tidy(() => tf.matMul(tf.tensor2d(A, [k, d]), XtT!));
      const U = Ut.dataSync() as Float32Array;
      Ut.dispose();
      return U;
    };
    /** A · X for A (k × n): k × d. */
    const timesX = (A: Float32Array, k: number): Float32Array => {
      if (sgemm) return sgemm(A, xf, { m: k, n: d, k: n, transposeB: false });
      const Gt = tf.tidy(() => tf.matMul(tf.tensor2d(A, [k, n]), Xt!));
      const G = Gt.dataSync() as Float32Array;
      Gt.dispose();
      return G;
    };
    try {
      // Gradients of every label in `set` from its stored residuals: one product R·X.
      const gradients = (set: LabelState[]): { f: number[]; g: Float64Array[] } => {
        const k = set.length;
        const R = new Float32Array(k * n);
        for (let a = 0; a < k; a++) R.set(set[a].r, a * n);
        const G = timesX(R, k);
        const fs: number[] = [];
        const g: Float64Array[] = [];
        for (let a = 0; a < k; a++) {
          const { j, s } = set[a];
          const gv = new Float64Array(p);
          let reg = 0;
          for (let f = 0; f < d; f++) {
            const beta = coef[j * d + f];
            reg += beta * beta;
            gv[f] = (G[a * d + f] - mu[f] * set[a].rSum + beta / C) * s[f];
          }
          if (fitIntercept) gv[d] = set[a].rSum * s[d];
          fs.push(set[a].loss + reg / (2 * C));
          g.push(gv);
        }
        return { f: fs, g };
      };

      if (warm.length > 0) {
        // z += X·β₀ for the warm-started labels: one product (k × d)·Xᵀ.
        const k = warm.length;
        const B = new Float32Array(k * d);
        for (let a = 0; a < k; a++) {
          B.set(coef.subarray(labels[warm[a]].j * d, (labels[warm[a]].j + 1) * d), a * d);
        }
        const Z = timesXT(B, k);
        for (let a = 0; a < k; a++) {
          const z = labels[warm[a]].z;
          for (let i = 0; i < n; i++) z[i] += Z[a * n + i];
        }
      }
      for (const lab of labels) evaluate(lab, null, 0, 0, 0);
      const start = gradients(labels);
      for (let a = 0; a < labels.length; a++) {
        const lab = labels[a];
        lab.st = new LbfgsState(start.f[a], start.g[a], {
          maxIter,
          memory,
          gtol: tol,
          ftol,
          gradientScale: lab.s,
        });
        status[lab.j] = lab.st.status;
      }
      let active = labels.filter((l) => l.st.status === "running");
      while (active.length > 0) {
        const k = active.length;
        const dirs = active.map((l) => l.st.direction());
        // β-space directions, k × d, for one product with Xᵀ.
        const D = new Float32Array(k * d);
        for (let a = 0; a < k; a++) {
          const s = active[a].s, dv = dirs[a];
          for (let f = 0; f < d; f++) D[a * d + f] = dv[f] * s[f];
        }
        const U = timesXT(D, k);
        const moved: LabelState[] = [];
        const steps: { alpha: number; f: number; d: Float64Array }[] = [];
        for (let a = 0; a < k; a++) {
          const lab = active[a];
          const { j, s, z, st } = lab;
          const dv = dirs[a];
          let ww = 0, wd = 0, dd = 0, muD = 0;
          for (let f = 0; f < d; f++) {
            const beta = coef[j * d + f], dbeta = dv[f] * s[f];
            ww += beta * beta, wd += beta * dbeta, dd += dbeta * dbeta, muD += mu[f] * dbeta;
          }
          const db = (fitIntercept ? dv[d] * s[d] : 0) - muD; // (x − μ)·dβ + db' = x·dβ + db
          const off = a * n;
          let last = NaN;
          const phi = (alpha: number) => {
            last = alpha;
            const dl = evaluate(lab, U, off, db, alpha);
            return {
              f: lab.loss + (ww + 2 * alpha * wd + alpha * alpha * dd) / (2 * C),
              df: dl + (wd + alpha * dd) / C,
            };
          };
          let df0 = 0;
          for (let f = 0; f < p; f++) df0 += st.g[f] * dv[f];
          const ls = wolfeLineSearch(phi, st.f, df0, { alpha0: st.initialStep(dv) });
          if (!ls.ok) {
            st.lineSearchFailed();
            continue;
          }
          const alpha = ls.alpha;
          if (last !== alpha) phi(alpha); // leave r, loss at the accepted point
          for (let f = 0; f < d; f++) coef[j * d + f] += alpha * dv[f] * s[f];
          if (fitIntercept) intercept[j] += alpha * (db + muD); // b'; converted after the loop
          for (let i = 0; i < n; i++) z[i] += alpha * (U[off + i] + db);
          moved.push(lab);
          steps.push({ alpha, f: ls.f, d: dv });
        }
        if (moved.length > 0) {
          const res = gradients(moved);
          for (let a = 0; a < moved.length; a++) {
            moved[a].st.accept(steps[a].alpha, steps[a].d, steps[a].f, res.g[a]);
          }
        }
        for (const lab of active) {
          nIter[lab.j] = lab.st.iterations;
          status[lab.j] = lab.st.status;
        }
        active = active.filter((l) => l.st.status === "running");
      }
    } finally {
      Xt?.dispose();
      XtT?.dispose();
    }
    this.#coefT = null;
    this.coef = Float32Array.from(coef);
    for (const lab of labels) {
      let muB = 0;
      for (let f = 0; f < d; f++) muB += mu[f] * coef[lab.j * d + f];
      intercept[lab.j] -= muB; // b = b' − μ·β
    }
    this.intercept = Float32Array.from(intercept);
    this.nIter = nIter;
    this.status = status;
    this.nFeatures = d;
    this.nLabels = L;
    return this;
  }

  /**
   * The unfitted model of one label group: these options without groups, warm-started from
   * those labels' rows of this model's warm start (if any). {@linkcode fit} fits one per group
   * in turn; a worker pool fits the same models side by side and hands them to
   * {@linkcode joinGroups}.
   */
  groupModel(labels: readonly number[]): LogisticRegression {
    const part = new LogisticRegression({ ...structuredClone(this.options), labelGroups: null });
    const init = this.#init;
    if (init !== null) {
      const d = init.coef.length / Math.max(1, init.intercept.length);
      const coef = new Float32Array(labels.length * d);
      labels.forEach((j, a) => coef.set(init.coef.subarray(j * d, (j + 1) * d), a * d));
      part.warmStartFrom({ coef, intercept: Float32Array.from(labels, (j) => init.intercept[j]) });
    }
    return part;
  }

  /**
   * Makes this model the join of its groups' fitted models (`parts[g]` fitted on group g's
   * labels, in {@linkcode LogisticRegressionOptions.labelGroups} order). Returns `this`.
   */
  joinGroups(parts: readonly LogisticRegression[]): this {
    const groups = this.options.labelGroups ?? [];
    if (parts.length !== groups.length || parts.length === 0) {
      throw new RangeError(
        `LogisticRegression.joinGroups: ${parts.length} parts for ${groups.length} label groups`,
      );
    }
    const d = parts[0].nFeatures;
    const L = groups.reduce((n, g) => n + g.length, 0);
    const coef = new Float32Array(L * d), intercept = new Float32Array(L);
    const nIter = new Array<number>(L);
    const status = new Array<LbfgsStatus | "constant">(L);
    parts.forEach((part, g) => {
      groups[g].forEach((j, a) => {
        coef.set(part.coef!.subarray(a * d, (a + 1) * d), j * d);
        intercept[j] = part.intercept![a];
        nIter[j] = part.nIter[a];
        status[j] = part.status[a];
      });
    });
    this.#coefT = null;
    Object.assign(this, { coef, intercept, nIter, status, nFeatures: d, nLabels: L });
    return this;
  }

  #proba(X: Matrix<MatrixData>, where: string): Matrix {
    if (this.coef === null || this.intercept === null) {
      throw new Error(`LogisticRegression.${where}: call fit() or fromJSON() first`);
    }
    checkFeatures(X, `LogisticRegression.${where}`, this.nFeatures);
    const L = this.nLabels, d = this.nFeatures;
    if (this.#coefT === null) {
      // features × labels copy: wasm's matMul is ~20× slower with a transposed operand
      this.#coefT = new Float32Array(d * L);
      for (let j = 0; j < L; j++) {
        for (let f = 0; f < d; f++) this.#coefT[f * L + j] = this.coef[j * d + f];
      }
    }
    const coefT = this.#coefT;
    const Zt = tf.tidy(() =>
      tf.matMul(tf.tensor2d(toFloat32(X), [X.rows, d]), tf.tensor2d(coefT, [d, L]))
    );
    const Z = Zt.dataSync() as Float32Array;
    Zt.dispose();
    const out = new Float32Array(X.rows * L);
    for (let i = 0; i < X.rows; i++) {
      for (let j = 0; j < L; j++) {
        const z = Z[i * L + j] + this.intercept[j];
        out[i * L + j] = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
      }
    }
    return { rows: X.rows, cols: L, data: out };
  }

  /** Probabilities, rows × labels (float32). Runs on the wasm backend. */
  async predictProba(X: Matrix<MatrixData>): Promise<Matrix> {
    await useFastBackend();
    return this.#proba(X, "predictProba");
  }

  /**
   * 0/1 predictions, `p >= threshold` (one number or one per label). Synchronous: it uses the
   * active tfjs backend (wasm once `fit`, `predictProba` or `useFastBackend()` has run).
   */
  async predict(
    X: Matrix<MatrixData>,
    thresholds: number | ArrayLike<number> = 0.5,
  ): Promise<LabelMatrix> {
    return binarize(await this.predictProba(X), thresholds);
  }

  /** What fit learned: `coef` (labels × features), `intercept`, iterations and status. */
  exportState(): FittedState {
    if (this.coef === null || this.intercept === null) {
      throw new Error("LogisticRegression.exportState: the model is not fitted; call fit() first");
    }
    return {
      json: {
        nFeatures: this.nFeatures,
        nLabels: this.nLabels,
        nIter: [...this.nIter],
        status: [...this.status],
      },
      arrays: { coef: this.coef, intercept: this.intercept },
      parts: {},
    };
  }

  /**
   * Restores a state from {@linkcode exportState}, checking it: the shapes agree, every
   * coefficient is finite, and an intercept is ±Infinity only for a label constant in training.
   */
  importState(state: FittedState): this {
    const check = stateChecker("LogisticRegression", state);
    const nFeatures = check.count("nFeatures"), nLabels = check.count("nLabels");
    const coef = check.floats("coef", nFeatures * nLabels);
    const intercept = check.floats("intercept", nLabels, { infinite: true });
    const nIter = check.counts("nIter", nLabels);
    const status = check.strings("status", nLabels, LABEL_STATUSES);
    for (let j = 0; j < nLabels; j++) {
      if (!Number.isFinite(intercept[j]) && status[j] !== "constant") {
        check.fail(`arrays.intercept[${j}] is ${intercept[j]} for a label that was not constant`);
      }
    }
    this.#coefT = null;
    Object.assign(this, {
      coef,
      intercept,
      nIter,
      status: status as (LbfgsStatus | "constant")[],
      nFeatures,
      nLabels,
    });
    return this;
  }
}

/**
 * Labels 0…L−1 in at most `parts` groups for {@linkcode LogisticRegressionOptions.labelGroups}:
 * largest `cost` first (e.g. each label's iterations in a similar fit) to the group with the
 * least cost so far; each group in ascending order, no group empty.
 *
 * @example
 * ```ts
 * balancedLabelGroups([5, 1, 1, 9, 2], 2); // [[3], [0, 1, 2, 4]]
 * ```
 */
export function balancedLabelGroups(cost: ArrayLike<number>, parts: number): number[][] {
  const labels = cost.length;
  const count = Math.max(1, Math.min(Math.floor(parts), labels));
  const groups: number[][] = Array.from({ length: count }, () => []);
  const load = new Float64Array(count);
  const byCost = [...Array(labels).keys()].sort((a, b) => cost[b] - cost[a] || a - b);
  for (const j of byCost) {
    let g = 0;
    for (let h = 1; h < count; h++) if (load[h] < load[g]) g = h;
    groups[g].push(j);
    load[g] += cost[j];
  }
  for (const g of groups) g.sort((a, b) => a - b);
  return groups.filter((g) => g.length > 0);
}

/** Throws unless `groups` is a partition of 0…labels−1 into non-empty groups. */
function checkLabelGroups(groups: readonly (readonly number[])[], labels: number): void {
  const seen = new Uint8Array(labels);
  let count = 0;
  for (const g of groups) {
    if (g.length === 0) throw new RangeError("LogisticRegression: labelGroups has an empty group");
    for (const j of g) {
      if (!Number.isInteger(j) || j < 0 || j >= labels || seen[j]) {
        throw new RangeError(
          `LogisticRegression: labelGroups must split the ${labels} labels 0…${
            labels - 1
          } into groups, each label once; label ${j} is out of range or repeated`,
        );
      }
      seen[j] = 1, count++;
    }
  }
  if (count !== labels) {
    throw new RangeError(
      `LogisticRegression: labelGroups covers ${count} of the ${labels} labels; list every label once`,
    );
  }
}

/**
 * The listed label columns of `Y`, in that order.
 */
function takeLabelColumns(Y: LabelMatrix, picked: readonly number[]): LabelMatrix {
  const k = picked.length;
  const out = new Uint8Array(Y.rows * k);
  for (let i = 0; i < Y.rows; i++) {
    for (let a = 0; a < k; a++) out[i * k + a] = Y.data[i * Y.cols + picked[a]];
  }
  return { rows: Y.rows, cols: k, data: out };
}
