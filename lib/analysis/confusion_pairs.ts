/**
 * "Predicted X but it was Y": which genres the model confuses with which, counted from
 * multi-label predictions, and whether those confusions follow genre co-occurrence.
 *
 * Two ways to count a pair (X = predicted, Y = actual), chosen with `actual`:
 *
 * - `"missed"` (default): for every row, every false-positive genre X (predicted, not true) is
 *   paired with every false-negative genre Y (true, not predicted), and each (X, Y) counts once
 *   for that row. This reads "the model said X *instead of* Y": rows that got all their true
 *   genres right contribute nothing, however many extra genres were predicted.
 * - `"any_true"`: every false-positive genre X is paired with every true genre Y of the row,
 *   whether Y was predicted or not ("it was Y, and we also said X"). Counts are ≥ the `"missed"`
 *   counts for the same pair.
 *
 * In both, X is never a true genre of the row, so X ≠ Y and the diagonal is 0. A row with k
 * false positives and m false negatives (or m true genres) adds k·m to the total.
 *
 * @module
 */

import { assertShape, type LabelMatrix, type Matrix } from "../core/matrix.ts";

/** Which genres count as the "actual" side of a pair; see the module docs. */
export type ActualMode = "missed" | "any_true";

/** One (predicted, actual) pair and how many rows it occurred in. */
export interface ConfusionPair {
  /** The genre predicted though not true (false positive). */
  predicted: string;
  /** The true genre (missed, or any true genre, per {@linkcode ActualMode}). */
  actual: string;
  /** Number of rows where this pair occurred. */
  count: number;
}

/** Options for {@linkcode confusionPairs}. */
export interface ConfusionPairsOptions {
  /** One name per label column; the column index as a string when omitted. */
  names?: readonly string[];
  /** How many top pairs to return (default 10; `Infinity` for every non-zero pair). */
  k?: number;
  /** How the actual genre is chosen (default `"missed"`). */
  actual?: ActualMode;
}

/** Result of {@linkcode confusionPairs}. */
export interface ConfusionPairsResult {
  /** The top-k pairs by count (descending), then predicted name, then actual name; no zeros. */
  pairs: ConfusionPair[];
  /** L×L counts: row = predicted genre X, column = actual genre Y (for heatmaps). */
  matrix: Matrix<Int32Array>;
  /** Label names in column order. */
  names: string[];
  /** The counting mode used. */
  actual: ActualMode;
}

/** One ordered pair in {@linkcode coOccurrenceVsConfusion}. */
export interface PairComparison {
  /** The predicted (false-positive) genre X. */
  predicted: string;
  /** The actual genre Y. */
  actual: string;
  /** Confusion count for (X, Y). */
  confusion: number;
  /** Rows carrying both X and Y in the (training) labels. */
  cooccurrence: number;
}

/** Options for {@linkcode coOccurrenceVsConfusion}. */
export interface CoOccurrenceVsConfusionOptions {
  /** One name per label; the index as a string when omitted. */
  names?: readonly string[];
}

/** Result of {@linkcode coOccurrenceVsConfusion}. */
export interface CoOccurrenceVsConfusion {
  /** Every ordered off-diagonal pair, by confusion (desc), co-occurrence (desc), then names. */
  pairs: PairComparison[];
  /** Pearson correlation of confusion vs co-occurrence over these pairs (NaN if one is flat). */
  pearson: number;
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function resolveNames(cols: number, names: readonly string[] | undefined, fn: string): string[] {
  if (names === undefined) return Array.from({ length: cols }, (_, j) => String(j));
  if (names.length !== cols) {
    throw new RangeError(
      `${fn}: got ${names.length} names for ${cols} label columns; give one name per column`,
    );
  }
  return [...names];
}

/**
 * Counts "predicted X but it was Y" pairs over all rows (see the module docs for the two
 * counting modes) and returns the top-k pairs plus the full L×L matrix.
 *
 * @example
 * ```ts
 * import { labelsFromRows } from "../core/matrix.ts";
 * const yTrue = labelsFromRows([[1, 0, 1], [0, 1, 0]]);
 * const yPred = labelsFromRows([[0, 1, 1], [1, 1, 0]]);
 * const r = confusionPairs(yTrue, yPred, { names: ["Dramas", "Comedies", "Thrillers"] });
 * r.pairs; // [{ predicted: "Comedies", actual: "Dramas", count: 1 }]
 * confusionPairs(yTrue, yPred, { actual: "any_true" }).pairs.length; // 3
 * ```
 */
export function confusionPairs(
  yTrue: LabelMatrix,
  yPred: LabelMatrix,
  options: ConfusionPairsOptions = {},
): ConfusionPairsResult {
  assertShape(yTrue, "confusionPairs: yTrue");
  assertShape(yPred, "confusionPairs: yPred");
  if (yTrue.rows !== yPred.rows || yTrue.cols !== yPred.cols) {
    throw new RangeError(
      `confusionPairs: yTrue is ${yTrue.rows}×${yTrue.cols} ` +
        `but yPred is ${yPred.rows}×${yPred.cols}; ` +
        `pass predictions for the same rows and the same label columns`,
    );
  }
  if (yTrue.rows === 0 || yTrue.cols === 0) {
    throw new RangeError(
      `confusionPairs: yTrue is empty (${yTrue.rows}×${yTrue.cols}); ` +
        `give at least one row and label`,
    );
  }
  const mode = options.actual ?? "missed";
  if (mode !== "missed" && mode !== "any_true") {
    throw new RangeError(
      `confusionPairs: unknown actual "${mode as string}"; use "missed" or "any_true"`,
    );
  }
  const k = options.k ?? 10;
  if (!(k >= 0)) throw new RangeError(`confusionPairs: k must be a number >= 0, got ${k}`);
  const L = yTrue.cols;
  const names = resolveNames(L, options.names, "confusionPairs");
  const matrix = new Int32Array(L * L);
  const fps = new Int32Array(L), actuals = new Int32Array(L);
  const anyTrue = mode === "any_true";
  for (let i = 0; i < yTrue.rows; i++) {
    const off = i * L;
    let nf = 0, na = 0;
    for (let j = 0; j < L; j++) {
      const t = yTrue.data[off + j] !== 0, p = yPred.data[off + j] !== 0;
      if (p && !t) fps[nf++] = j;
      else if (t && (anyTrue || !p)) actuals[na++] = j;
    }
    for (let u = 0; u < nf; u++) {
      const x = fps[u] * L;
      for (let v = 0; v < na; v++) matrix[x + actuals[v]]++;
    }
  }
  const pairs: ConfusionPair[] = [];
  for (let x = 0; x < L; x++) {
    for (let y = 0; y < L; y++) {
      const count = matrix[x * L + y];
      if (count > 0) pairs.push({ predicted: names[x], actual: names[y], count });
    }
  }
  pairs.sort((p, q) =>
    q.count - p.count || byName(p.predicted, q.predicted) || byName(p.actual, q.actual)
  );
  return {
    pairs: pairs.slice(0, k),
    matrix: { rows: L, cols: L, data: matrix },
    names,
    actual: mode,
  };
}

/**
 * Pearson correlation coefficient of two equally long samples; NaN when there are fewer than
 * two values or either sample is constant.
 *
 * @example
 * ```ts
 * pearsonCorrelation([1, 2, 3], [2, 4, 7]); // 0.993…
 * ```
 */
export function pearsonCorrelation(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) {
    throw new RangeError(
      `pearsonCorrelation: x has ${x.length} values but y has ${y.length}; pass paired samples`,
    );
  }
  const n = x.length;
  if (n < 2) return NaN;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx, dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return NaN;
  return sxy / Math.sqrt(sxx * syy);
}

/**
 * Pairs every ordered off-diagonal (X, Y) of a confusion matrix (from {@linkcode confusionPairs})
 * with the co-occurrence count of X and Y (from `cooccurrence()` on the training labels), and
 * reports the Pearson correlation over all L·(L−1) pairs: do confusions follow co-occurrence?
 *
 * @example
 * ```ts
 * import { labelsFromRows } from "../core/matrix.ts";
 * import { cooccurrence } from "./cooccurrence.ts";
 * const yTrue = labelsFromRows([[1, 1, 0], [1, 0, 0], [0, 0, 1]]);
 * const yPred = labelsFromRows([[1, 1, 0], [0, 1, 0], [1, 0, 0]]);
 * const conf = confusionPairs(yTrue, yPred, { names: ["a", "b", "c"] });
 * const r = coOccurrenceVsConfusion(conf.matrix, cooccurrence(yTrue), { names: conf.names });
 * r.pairs[0]; // { predicted: "b", actual: "a", confusion: 1, cooccurrence: 1 }
 * r.pairs[1]; // { predicted: "a", actual: "c", confusion: 1, cooccurrence: 0 }
 * ```
 */
export function coOccurrenceVsConfusion(
  confusion: Matrix<Int32Array>,
  cooc: Matrix<Int32Array>,
  options: CoOccurrenceVsConfusionOptions = {},
): CoOccurrenceVsConfusion {
  assertShape(confusion, "coOccurrenceVsConfusion: confusion");
  assertShape(cooc, "coOccurrenceVsConfusion: cooc");
  const L = confusion.rows;
  if (confusion.cols !== L || cooc.rows !== L || cooc.cols !== L) {
    throw new RangeError(
      `coOccurrenceVsConfusion: confusion is ${confusion.rows}×${confusion.cols} and cooc is ` +
        `${cooc.rows}×${cooc.cols}; both must be the same square L×L label matrix`,
    );
  }
  const names = resolveNames(L, options.names, "coOccurrenceVsConfusion");
  const pairs: PairComparison[] = [];
  const xs = new Float64Array(L * (L - 1 > 0 ? L - 1 : 0));
  const ys = new Float64Array(xs.length);
  let n = 0;
  for (let x = 0; x < L; x++) {
    for (let y = 0; y < L; y++) {
      if (x === y) continue;
      const c = confusion.data[x * L + y], o = cooc.data[x * L + y];
      xs[n] = c;
      ys[n++] = o;
      pairs.push({ predicted: names[x], actual: names[y], confusion: c, cooccurrence: o });
    }
  }
  pairs.sort((p, q) =>
    q.confusion - p.confusion || q.cooccurrence - p.cooccurrence ||
    byName(p.predicted, q.predicted) || byName(p.actual, q.actual)
  );
  return { pairs, pearson: pearsonCorrelation(xs, ys) };
}
