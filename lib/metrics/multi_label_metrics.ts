/**
 * Multi-label classification metrics on 0/1 label matrices, with scikit-learn's definitions
 * (version 1.2) and `zero_division=0`:
 *
 * - precision = tp / (tp + fp), recall = tp / (tp + fn), both 0 when their denominator is 0;
 * - F1 = 2·p·r / (p + r), 0 when p + r = 0 — so a label with no support (never true) has
 *   recall 0 and F1 0 and still counts in the macro average, and in the samples average a row
 *   with no true and no predicted label scores F1 = 0 (scikit-learn 1.2 behaviour);
 * - weighted F1 weighs each label's F1 by its support and is 0 when no label is ever true.
 *
 * @module
 */

import { assertShape, type LabelMatrix, type Matrix } from "../core/matrix.ts";

/** How {@linkcode f1Score} averages over labels or rows (scikit-learn's `average`). */
export type F1Average = "macro" | "micro" | "samples" | "weighted";

/** Per-label scores, one entry per column of the label matrix. */
export interface PerLabelScores {
  /** tp / (tp + fp), 0 when the label is never predicted. */
  precision: Float64Array;
  /** tp / (tp + fn), 0 when the label is never true. */
  recall: Float64Array;
  /** Harmonic mean of precision and recall, 0 when both are 0. */
  f1: Float64Array;
  /** Number of rows where the label is true. */
  support: Int32Array;
}

/** One genre's entry in {@linkcode EvaluationReport.per_genre}. */
export interface GenreScores {
  /** Precision of this genre. */
  precision: number;
  /** Recall of this genre. */
  recall: number;
  /** F1 of this genre. */
  f1: number;
  /** Number of rows where this genre is true. */
  support: number;
}

/** Plain JSON-able result of {@linkcode evaluate}; snake_case keys (it goes to metrics.json). */
export interface EvaluationReport {
  /** Fraction of (row, label) cells predicted wrongly. */
  hamming_loss: number;
  /** Fraction of rows whose whole label set is predicted exactly (subset accuracy). */
  exact_match: number;
  /** Unweighted mean of per-label F1. */
  f1_macro: number;
  /** F1 of the pooled tp/fp/fn counts. */
  f1_micro: number;
  /** Mean over rows of each row's F1. */
  f1_samples: number;
  /** Mean of per-label F1 weighted by support. */
  f1_weighted: number;
  /** Per-label scores keyed by label name, in column order. */
  per_genre: Record<string, GenreScores>;
}

/** Options for {@linkcode f1Score}. */
export interface F1ScoreOptions {
  /** Averaging mode; `"macro"` when omitted. */
  average?: F1Average;
}

/** Options for {@linkcode evaluate}. */
export interface EvaluateOptions {
  /** One unique name per column; the column index as a string (`"0"`, `"1"`, …) when omitted. */
  labelNames?: readonly string[];
}

/** Options for {@linkcode f1MacroAt} and {@linkcode perLabelF1At}. */
export interface ThresholdOptions {
  /** One threshold for every label, or one per label (`p >= t` → 1). Default 0.5. */
  threshold?: number | ArrayLike<number>;
}

/** Options for {@linkcode perLabelF1At}. */
export interface PerLabelF1AtOptions extends ThresholdOptions {
  /** Array to write the per-label F1 into (length = label count); allocated when omitted. */
  out?: Float64Array;
}

/** Counts shared by every metric, gathered in one pass. */
interface Counts {
  tp: Int32Array;
  predSum: Int32Array;
  trueSum: Int32Array;
  /** Sum over rows of each row's F1 (samples average numerator). */
  sampleF1Sum: number;
  mismatches: number;
  exactRows: number;
}

function checkPair(yTrue: LabelMatrix, yPred: LabelMatrix, fn: string): void {
  assertShape(yTrue, `${fn}: yTrue`);
  assertShape(yPred, `${fn}: yPred`);
  if (yTrue.rows !== yPred.rows || yTrue.cols !== yPred.cols) {
    throw new RangeError(
      `${fn}: yTrue is ${yTrue.rows}×${yTrue.cols} but yPred is ${yPred.rows}×${yPred.cols}; ` +
        `pass predictions for the same rows and the same label columns`,
    );
  }
  checkNotEmpty(yTrue, fn, "yTrue");
}

function checkNotEmpty(m: Matrix<Uint8Array>, fn: string, name: string): void {
  if (m.rows === 0 || m.cols === 0) {
    throw new RangeError(
      `${fn}: ${name} is empty (${m.rows}×${m.cols}); metrics need at least one row and one label`,
    );
  }
}

function badLabel(fn: string, name: string, cols: number, k: number, v: number): never {
  throw new RangeError(
    `${fn}: ${name} holds ${v} at row ${Math.floor(k / cols)}, column ${k % cols}; ` +
      `label matrices must hold only 0 and 1`,
  );
}

/** F1 from precision and recall exactly as scikit-learn 1.2 computes it. */
function f1From(p: number, r: number): number {
  const denom = p + r;
  return denom === 0 ? 0 : (2 * p * r) / denom;
}

function countAll(yTrue: LabelMatrix, yPred: LabelMatrix, fn: string): Counts {
  checkPair(yTrue, yPred, fn);
  const { rows, cols } = yTrue;
  const t = yTrue.data, q = yPred.data;
  const tp = new Int32Array(cols), predSum = new Int32Array(cols), trueSum = new Int32Array(cols);
  let sampleF1Sum = 0, mismatches = 0, exactRows = 0;
  for (let i = 0; i < rows; i++) {
    const off = i * cols;
    let rowTp = 0, rowPred = 0, rowTrue = 0;
    for (let j = 0; j < cols; j++) {
      const a = t[off + j], b = q[off + j];
      if (a > 1) badLabel(fn, "yTrue", cols, off + j, a);
      if (b > 1) badLabel(fn, "yPred", cols, off + j, b);
      rowTp += a & b;
      rowTrue += a;
      rowPred += b;
      tp[j] += a & b;
      trueSum[j] += a;
      predSum[j] += b;
    }
    const rowMismatch = rowTrue + rowPred - 2 * rowTp;
    mismatches += rowMismatch;
    if (rowMismatch === 0) exactRows++;
    const p = rowPred === 0 ? 0 : rowTp / rowPred;
    const r = rowTrue === 0 ? 0 : rowTp / rowTrue;
    sampleF1Sum += f1From(p, r);
  }
  return { tp, predSum, trueSum, sampleF1Sum, mismatches, exactRows };
}

function scoresFrom(c: Counts): PerLabelScores {
  const n = c.tp.length;
  const precision = new Float64Array(n), recall = new Float64Array(n), f1 = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    precision[j] = c.predSum[j] === 0 ? 0 : c.tp[j] / c.predSum[j];
    recall[j] = c.trueSum[j] === 0 ? 0 : c.tp[j] / c.trueSum[j];
    f1[j] = f1From(precision[j], recall[j]);
  }
  return { precision, recall, f1, support: Int32Array.from(c.trueSum) };
}

function averageF1(c: Counts, scores: PerLabelScores, rows: number, average: F1Average): number {
  const n = c.tp.length;
  switch (average) {
    case "macro": {
      let s = 0;
      for (let j = 0; j < n; j++) s += scores.f1[j];
      return s / n;
    }
    case "micro": {
      let tp = 0, pred = 0, tru = 0;
      for (let j = 0; j < n; j++) {
        tp += c.tp[j];
        pred += c.predSum[j];
        tru += c.trueSum[j];
      }
      return f1From(pred === 0 ? 0 : tp / pred, tru === 0 ? 0 : tp / tru);
    }
    case "samples":
      return c.sampleF1Sum / rows;
    case "weighted": {
      let s = 0, w = 0;
      for (let j = 0; j < n; j++) {
        s += scores.f1[j] * c.trueSum[j];
        w += c.trueSum[j];
      }
      return w === 0 ? 0 : s / w;
    }
    default:
      throw new RangeError(
        `f1Score: unknown average "${average as string}"; ` +
          `use "macro", "micro", "samples" or "weighted"`,
      );
  }
}

/**
 * Fraction of (row, label) cells where the prediction differs from the truth.
 *
 * @example
 * ```ts
 * import { labelsFromRows } from "../core/matrix.ts";
 * hammingLoss(labelsFromRows([[1, 0], [0, 1]]), labelsFromRows([[1, 1], [0, 1]])); // 0.25
 * ```
 */
export function hammingLoss(yTrue: LabelMatrix, yPred: LabelMatrix): number {
  const c = countAll(yTrue, yPred, "hammingLoss");
  return c.mismatches / (yTrue.rows * yTrue.cols);
}

/**
 * Subset accuracy: the fraction of rows whose predicted label set equals the true one.
 *
 * @example
 * ```ts
 * import { labelsFromRows } from "../core/matrix.ts";
 * exactMatch(labelsFromRows([[1, 0], [0, 1]]), labelsFromRows([[1, 1], [0, 1]])); // 0.5
 * ```
 */
export function exactMatch(yTrue: LabelMatrix, yPred: LabelMatrix): number {
  const c = countAll(yTrue, yPred, "exactMatch");
  return c.exactRows / yTrue.rows;
}

/**
 * F1 score averaged as scikit-learn's `f1_score(..., average, zero_division=0)`.
 *
 * @example
 * ```ts
 * import { labelsFromRows } from "../core/matrix.ts";
 * const yTrue = labelsFromRows([[1, 0], [1, 1]]);
 * const yPred = labelsFromRows([[1, 1], [0, 1]]);
 * f1Score(yTrue, yPred, { average: "micro" }); // 2/3
 * ```
 */
export function f1Score(
  yTrue: LabelMatrix,
  yPred: LabelMatrix,
  options: F1ScoreOptions = {},
): number {
  const c = countAll(yTrue, yPred, "f1Score");
  return averageF1(c, scoresFrom(c), yTrue.rows, options.average ?? "macro");
}

/**
 * Precision, recall, F1 and support for every label (scikit-learn's
 * `precision_recall_fscore_support(..., average=None, zero_division=0)`).
 *
 * @example
 * ```ts
 * import { labelsFromRows } from "../core/matrix.ts";
 * const s = perLabelScores(labelsFromRows([[1, 0], [1, 1]]), labelsFromRows([[1, 1], [0, 1]]));
 * s.recall;  // Float64Array [0.5, 1]
 * s.support; // Int32Array [2, 1]
 * ```
 */
export function perLabelScores(yTrue: LabelMatrix, yPred: LabelMatrix): PerLabelScores {
  return scoresFrom(countAll(yTrue, yPred, "perLabelScores"));
}

/**
 * Every metric at once, as one plain object ready for `JSON.stringify` (metrics.json).
 *
 * @example
 * ```ts
 * import { labelsFromRows } from "../core/matrix.ts";
 * const report = evaluate(labelsFromRows([[1, 0]]), labelsFromRows([[1, 0]]), {
 *   labelNames: ["Dramas", "Comedies"],
 * });
 * report.exact_match;             // 1
 * report.per_genre.Dramas.support; // 1
 * ```
 */
export function evaluate(
  yTrue: LabelMatrix,
  yPred: LabelMatrix,
  options: EvaluateOptions = {},
): EvaluationReport {
  const c = countAll(yTrue, yPred, "evaluate");
  const names = options.labelNames ?? Array.from({ length: yTrue.cols }, (_, j) => String(j));
  if (names.length !== yTrue.cols) {
    throw new RangeError(
      `evaluate: labelNames has ${names.length} names but the label matrices have ` +
        `${yTrue.cols} columns; give one name per column`,
    );
  }
  const scores = scoresFrom(c);
  const perGenre: Record<string, GenreScores> = {};
  names.forEach((name, j) => {
    if (Object.hasOwn(perGenre, name)) {
      throw new RangeError(
        `evaluate: label name "${name}" appears twice (column ${j}); names must be unique`,
      );
    }
    perGenre[name] = {
      precision: scores.precision[j],
      recall: scores.recall[j],
      f1: scores.f1[j],
      support: scores.support[j],
    };
  });
  const rows = yTrue.rows;
  return {
    hamming_loss: c.mismatches / (rows * yTrue.cols),
    exact_match: c.exactRows / rows,
    f1_macro: averageF1(c, scores, rows, "macro"),
    f1_micro: averageF1(c, scores, rows, "micro"),
    f1_samples: averageF1(c, scores, rows, "samples"),
    f1_weighted: averageF1(c, scores, rows, "weighted"),
    per_genre: perGenre,
  };
}

function checkThresholds(
  thresholds: number | ArrayLike<number>,
  cols: number,
  fn: string,
): void {
  if (typeof thresholds === "number") {
    if (Number.isNaN(thresholds)) throw new RangeError(`${fn}: threshold is NaN; pass a number`);
    return;
  }
  if (thresholds.length !== cols) {
    throw new RangeError(
      `${fn}: got ${thresholds.length} thresholds for ${cols} label columns; ` +
        `pass one number or one threshold per column`,
    );
  }
  for (let j = 0; j < cols; j++) {
    if (Number.isNaN(thresholds[j])) {
      throw new RangeError(`${fn}: threshold for column ${j} is NaN; pass a number`);
    }
  }
}

/**
 * Turns probabilities into 0/1 labels: cell `(i, j)` is 1 exactly when `p >= t` (a probability
 * equal to the threshold counts as positive; NaN never does). `t` is one threshold for all
 * labels or one per column. Float32 values are compared after exact widening to float64, so
 * `Math.fround(0.3) >= 0.3` is true (float32 0.3 is slightly above the double 0.3).
 *
 * @example
 * ```ts
 * import { fromRows } from "../core/matrix.ts";
 * binarize(fromRows([[0.2, 0.5], [0.9, 0.1]]), 0.5).data;     // Uint8Array [0, 1, 1, 0]
 * binarize(fromRows([[0.2, 0.5]]), [0.1, 0.6]).data;          // Uint8Array [1, 0]
 * ```
 */
export function binarize(
  proba: Matrix<Float32Array | Float64Array>,
  thresholds: number | ArrayLike<number>,
): LabelMatrix {
  assertShape(proba, "binarize: proba");
  const { rows, cols } = proba;
  checkThresholds(thresholds, cols, "binarize");
  const p = proba.data;
  const out = new Uint8Array(rows * cols);
  if (typeof thresholds === "number") {
    for (let k = 0; k < p.length; k++) out[k] = p[k] >= thresholds ? 1 : 0;
  } else {
    for (let i = 0; i < rows; i++) {
      const off = i * cols;
      for (let j = 0; j < cols; j++) out[off + j] = p[off + j] >= thresholds[j] ? 1 : 0;
    }
  }
  return { rows, cols, data: out };
}

// Reused counters and thresholds for the threshold helpers (grown on demand, never shrunk), so
// a threshold search calling them thousands of times does not allocate.
let tpBuf = new Int32Array(0);
let predBuf = new Int32Array(0);
let trueBuf = new Int32Array(0);
let thrBuf = new Float64Array(0);

/** Fills tpBuf / predBuf / trueBuf (first `cols` entries) for `proba >= threshold`. */
function countAt(
  yTrue: LabelMatrix,
  proba: Matrix<Float32Array | Float64Array>,
  threshold: number | ArrayLike<number>,
  fn: string,
): void {
  assertShape(yTrue, `${fn}: yTrue`);
  assertShape(proba, `${fn}: proba`);
  if (yTrue.rows !== proba.rows || yTrue.cols !== proba.cols) {
    throw new RangeError(
      `${fn}: yTrue is ${yTrue.rows}×${yTrue.cols} but proba is ${proba.rows}×${proba.cols}; ` +
        `pass probabilities for the same rows and the same label columns`,
    );
  }
  checkNotEmpty(yTrue, fn, "yTrue");
  const { rows, cols } = yTrue;
  checkThresholds(threshold, cols, fn);
  if (tpBuf.length < cols) {
    tpBuf = new Int32Array(cols);
    predBuf = new Int32Array(cols);
    trueBuf = new Int32Array(cols);
    thrBuf = new Float64Array(cols);
  }
  const tp = tpBuf, pred = predBuf, tru = trueBuf, thr = thrBuf;
  tp.fill(0, 0, cols);
  pred.fill(0, 0, cols);
  tru.fill(0, 0, cols);
  if (typeof threshold === "number") thr.fill(threshold, 0, cols);
  else for (let j = 0; j < cols; j++) thr[j] = threshold[j];
  const t = yTrue.data, p = proba.data;
  let seen = 0; // OR of every label value: > 1 means some value is not 0/1
  for (let i = 0; i < rows; i++) {
    const off = i * cols;
    for (let j = 0; j < cols; j++) {
      // Branch-free on purpose: `p >= t` is unpredictable, and this runs per threshold tried.
      const a = t[off + j];
      const b = +(p[off + j] >= thr[j]);
      seen |= a;
      tru[j] += a;
      pred[j] += b;
      tp[j] += a & b;
    }
  }
  if (seen > 1) {
    const k = t.findIndex((v) => v > 1);
    badLabel(fn, "yTrue", cols, k, t[k]);
  }
}

/** F1 of label `j` from the counters countAt() filled. */
function labelF1At(j: number): number {
  const tp = tpBuf[j], pred = predBuf[j], tru = trueBuf[j];
  return f1From(pred === 0 ? 0 : tp / pred, tru === 0 ? 0 : tp / tru);
}

/**
 * Macro F1 of `binarize(proba, threshold)` against `yTrue`, without building the 0/1 matrix:
 * counts tp, predicted and true per label in one pass into reused buffers, so threshold tuning
 * can call it many times cheaply. Equals
 * `f1Score(yTrue, binarize(proba, t), { average: "macro" })`.
 * The third argument is an options object; a bare number is shorthand for `{ threshold }`.
 *
 * @example
 * ```ts
 * import { fromRows, labelsFromRows } from "../core/matrix.ts";
 * const yTrue = labelsFromRows([[1, 0], [0, 1]]);
 * const proba = fromRows([[0.7, 0.4], [0.2, 0.35]]);
 * f1MacroAt(yTrue, proba, { threshold: 0.3 }); // label 0: 1, label 1: 2/3 → 5/6
 * f1MacroAt(yTrue, proba, 0.5);                // label 0: 1, label 1: 0 → 0.5
 * ```
 */
export function f1MacroAt(
  yTrue: LabelMatrix,
  proba: Matrix<Float32Array | Float64Array>,
  options: ThresholdOptions | number = {},
): number {
  const threshold = typeof options === "number" ? options : options.threshold ?? 0.5;
  countAt(yTrue, proba, threshold, "f1MacroAt");
  const cols = yTrue.cols;
  let s = 0;
  for (let j = 0; j < cols; j++) s += labelF1At(j);
  return s / cols;
}

/**
 * Per-label F1 of `binarize(proba, threshold)` against `yTrue`, written into `options.out`
 * when given (no allocation) — the building block for tuning one threshold per label.
 *
 * @example
 * ```ts
 * import { fromRows, labelsFromRows } from "../core/matrix.ts";
 * const out = new Float64Array(2);
 * perLabelF1At(labelsFromRows([[1, 0], [0, 1]]), fromRows([[0.7, 0.4], [0.2, 0.35]]), {
 *   threshold: 0.3,
 *   out,
 * }); // Float64Array [1, 0.666…]
 * ```
 */
export function perLabelF1At(
  yTrue: LabelMatrix,
  proba: Matrix<Float32Array | Float64Array>,
  options: PerLabelF1AtOptions = {},
): Float64Array {
  const cols = yTrue.cols;
  const out = options.out ?? new Float64Array(cols);
  if (out.length !== cols) {
    throw new RangeError(
      `perLabelF1At: out has length ${out.length} but there are ${cols} label columns`,
    );
  }
  countAt(yTrue, proba, options.threshold ?? 0.5, "perLabelF1At");
  for (let j = 0; j < cols; j++) out[j] = labelF1At(j);
  return out;
}
