/**
 * Permutation importance per feature block (any group of columns) and per label, on
 * out-of-fold predictions: for each fold a fresh model is fitted on the fold's training rows;
 * its held-out rows are predicted once as they are and then once per group and repeat with that
 * group's columns shuffled across the held-out rows (the same row permutation for all columns
 * of the group, so the block keeps its internal structure but loses its link to the title).
 * Each label's F1 is computed at the given thresholds over all out-of-fold rows;
 *
 *     importance(group, label) = F1(unpermuted) − F1(group permuted)
 *
 * reported as mean ± standard deviation (population) over the repeats. A positive number is F1
 * the model loses without the group's information; about 0 means the model does not need it
 * (it may still use it when other blocks carry the same information — permutation importance
 * measures what is lost, not what is used).
 *
 * @module
 */

import type { EstimatorPool, MultiLabelEstimator } from "../core/estimator.ts";
import { WorkerPool } from "../core/worker_pool.ts";
import { type LabelMatrix, type Matrix, takeRows } from "../core/matrix.ts";
import { f1MacroAt, perLabelF1At } from "../metrics/multi_label_metrics.ts";
import { RandomState } from "../core/mt19937.ts";
import type { Split } from "./train_test_split.ts";
import { OutOfFoldRows } from "./cross_val_predict.ts";

/** A named set of input columns permuted together (e.g. one feature block). */
export interface ColumnGroup {
  name: string;
  columns: readonly number[];
}

/** Options for {@linkcode permutationImportance}. */
export interface PermutationImportanceOptions {
  /** Column groups to permute, one at a time. */
  groups: readonly ColumnGroup[];
  /** The folds; their test rows must partition the rows. */
  folds: readonly Split[];
  /** Decision thresholds (one for all labels or one per label). */
  thresholds: number | ArrayLike<number>;
  /** Permutations per group and fold (default 3). */
  repeats?: number;
  /** Seed of the permutations (default 0). */
  seed?: number;
  /** Called after each fold is scored, with its index and seconds since the start. */
  onFold?: (fold: number, seconds: number) => void;
  /**
   * Fold models fitted earlier (e.g. saved by the training stage): called with each fold's
   * index, it returns that fold's model, already fitted on exactly the fold's training rows, or
   * `null` to have a clone of the model fitted for it.
   */
  fitted?: (fold: number) => Promise<MultiLabelEstimator | null>;
  /** Worker pool to fit the missing fold models on (default: this thread). */
  pool?: EstimatorPool;
}

/** Importance of one group. */
export interface GroupImportance {
  group: string;
  /** Per label: mean and std over repeats of F1(unpermuted) − F1(permuted). */
  mean: Float64Array;
  std: Float64Array;
  /** Per label: mean F1 with the group permuted. */
  permutedF1: Float64Array;
  /** The same for F1 macro. */
  macroMean: number;
  macroStd: number;
}

/** What {@linkcode permutationImportance} returns. */
export interface PermutationImportance {
  /** Per-label out-of-fold F1 with nothing permuted, and its macro mean. */
  baseline: Float64Array;
  baselineMacro: number;
  /** Out-of-fold probabilities with nothing permuted (rows × labels). */
  oof: Matrix;
  groups: GroupImportance[];
  repeats: number;
}

/**
 * Out-of-fold permutation importance of each column group for each label.
 *
 * @example
 * ```ts
 * import { LogisticRegression } from "../models/logistic_regression.ts";
 * import { genreCountStrata, stratifiedKFold } from "./k_fold.ts";
 * import { fromRows, labelsFromRows } from "../core/matrix.ts";
 * const X = fromRows(Array.from({ length: 40 }, (_, i) => [i % 2, (i * 7) % 5]));
 * const Y = labelsFromRows(Array.from({ length: 40 }, (_, i) => [i % 2]));
 * const r = await permutationImportance(new LogisticRegression(), [X, Y], {
 *   groups: [{ name: "a", columns: [0] }, { name: "b", columns: [1] }],
 *   folds: stratifiedKFold(genreCountStrata(Y), { nSplits: 2 }),
 *   thresholds: 0.5,
 * });
 * r.groups[0].mean[0] > r.groups[1].mean[0]; // true: column 0 decides the label
 * ```
 */
export async function permutationImportance(
  estimator: MultiLabelEstimator,
  data: [Matrix, LabelMatrix],
  options: PermutationImportanceOptions,
): Promise<PermutationImportance> {
  const [X, Y] = data;
  const repeats = options.repeats ?? 3;
  if (!Number.isInteger(repeats) || repeats < 1) {
    throw new RangeError(`permutationImportance: repeats is ${repeats}; use a whole number ≥ 1`);
  }
  if (X.rows !== Y.rows) {
    throw new RangeError(
      `permutationImportance: X has ${X.rows} rows but Y has ${Y.rows}; pass the same titles`,
    );
  }
  for (const g of options.groups) {
    if (g.columns.length === 0) {
      throw new RangeError(`permutationImportance: group "${g.name}" has no columns`);
    }
    for (const c of g.columns) {
      if (!Number.isInteger(c) || c < 0 || c >= X.cols) {
        throw new RangeError(
          `permutationImportance: group "${g.name}" names column ${c}, outside 0..${X.cols - 1}`,
        );
      }
    }
  }
  const L = Y.cols;
  const G = options.groups.length;
  const name = "permutationImportance";
  const base = new OutOfFoldRows(X.rows, L, name);
  const permuted = Array.from({ length: G * repeats }, () => new OutOfFoldRows(X.rows, L, name));
  const rng = new RandomState(options.seed ?? 0);
  // Every fold model first (the missing ones side by side on the pool), then the permutations.
  const pool = options.pool ?? WorkerPool.inline;
  const shared = pool.share(X);
  const models = await Promise.all(
    options.folds.map(async (fold, k) =>
      (await options.fitted?.(k)) ??
        (await pool.fit(estimator, { X: shared, Y, rows: fold.train })).model
    ),
  );
  const t0 = performance.now();
  for (const [k, fold] of options.folds.entries()) {
    const model = models[k];
    const Xt = takeRows(X, fold.test);
    base.set(k, fold.test, (await model.predictProba(Xt)).data);
    const n = Xt.rows;
    const cols = Xt.cols;
    for (const [g, group] of options.groups.entries()) {
      for (let r = 0; r < repeats; r++) {
        const perm = rng.permutation(n);
        const data = Xt.data.slice();
        for (let i = 0; i < n; i++) {
          const src = perm[i] * cols;
          const dst = i * cols;
          for (const c of group.columns) data[dst + c] = Xt.data[src + c];
        }
        const p = await model.predictProba({ rows: n, cols, data });
        permuted[g * repeats + r].set(k, fold.test, p.data);
      }
    }
    options.onFold?.(k, (performance.now() - t0) / 1000);
  }
  const threshold = options.thresholds;
  const oof = base.matrix();
  const baseline = perLabelF1At(Y, oof, { threshold });
  const baselineMacro = f1MacroAt(Y, oof, { threshold });
  const groups: GroupImportance[] = options.groups.map((group, g) => {
    const drops: Float64Array[] = [];
    const macroDrops: number[] = [];
    const permutedF1 = new Float64Array(L);
    for (let r = 0; r < repeats; r++) {
      const m = permuted[g * repeats + r].matrix();
      const f1 = perLabelF1At(Y, m, { threshold });
      for (let j = 0; j < L; j++) permutedF1[j] += f1[j] / repeats;
      drops.push(Float64Array.from(f1, (v, j) => baseline[j] - v));
      macroDrops.push(baselineMacro - f1MacroAt(Y, m, { threshold }));
    }
    const mean = new Float64Array(L);
    const std = new Float64Array(L);
    for (let j = 0; j < L; j++) {
      const s = meanStd(drops.map((d) => d[j]));
      mean[j] = s.mean;
      std[j] = s.std;
    }
    const macro = meanStd(macroDrops);
    return {
      group: group.name,
      mean,
      std,
      permutedF1,
      macroMean: macro.mean,
      macroStd: macro.std,
    };
  });
  return { baseline, baselineMacro, oof, groups, repeats };
}

function meanStd(xs: readonly number[]): { mean: number; std: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
  return { mean, std: Math.sqrt(v) };
}
