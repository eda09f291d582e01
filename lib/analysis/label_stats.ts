/**
 * Descriptive statistics of a 0/1 label matrix: how often each genre occurs, how many genres a
 * title carries, and how imbalanced the genres are.
 *
 * @module
 */

import { assertShape, type LabelMatrix } from "../core/matrix.ts";

/** One genre's frequency, as returned by {@linkcode labelFrequency}. */
export interface LabelCount {
  /** Label name. */
  name: string;
  /** Column index in the label matrix. */
  index: number;
  /** Number of rows carrying the label. */
  count: number;
  /** `count / rows`. */
  share: number;
}

/** Distribution of the number of labels per row, as returned by {@linkcode labelsPerRow}. */
export interface LabelsPerRow {
  /** `histogram[k]` = number of rows with exactly `k` labels (length `max + 1`). */
  histogram: number[];
  /** Mean number of labels per row (label cardinality). */
  mean: number;
  /** Fewest labels on a row. */
  min: number;
  /** Most labels on a row. */
  max: number;
}

/** Most / least frequent label, as returned by {@linkcode imbalanceRatio}. */
export interface Imbalance {
  /** `most.count / least.count`; `Infinity` when some label never occurs. */
  ratio: number;
  /** The most frequent label (ties: first by name). */
  most: LabelCount;
  /** The least frequent label (ties: first by name). */
  least: LabelCount;
}

/** Options naming the label columns. */
export interface LabelNamesOptions {
  /** One name per column; the column index as a string when omitted. */
  names?: readonly string[];
}

/** Everything {@linkcode labelStats} reports, JSON-able (snake_case keys). */
export interface LabelStats {
  /** Number of rows. */
  n_rows: number;
  /** Number of label columns. */
  n_labels: number;
  /** Label frequencies, most frequent first. */
  frequency: LabelCount[];
  /** Labels-per-row distribution. */
  labels_per_row: LabelsPerRow;
  /** Most / least frequent label and their ratio (`null` ratio in JSON when infinite). */
  imbalance: Imbalance;
}

function check(y: LabelMatrix, fn: string): void {
  assertShape(y, `${fn}: y`);
  if (y.rows === 0 || y.cols === 0) {
    throw new RangeError(
      `${fn}: y is empty (${y.rows}×${y.cols}); give at least one row and label`,
    );
  }
}

function resolveNames(y: LabelMatrix, names: readonly string[] | undefined, fn: string): string[] {
  if (names === undefined) return Array.from({ length: y.cols }, (_, j) => String(j));
  if (names.length !== y.cols) {
    throw new RangeError(
      `${fn}: got ${names.length} names for ${y.cols} label columns; give one name per column`,
    );
  }
  return [...names];
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Number of rows carrying each label, in column order.
 *
 * @example
 * ```ts
 * import { labelsFromRows } from "../core/matrix.ts";
 * labelCounts(labelsFromRows([[1, 0], [1, 1]])); // Int32Array [2, 1]
 * ```
 */
export function labelCounts(y: LabelMatrix): Int32Array {
  check(y, "labelCounts");
  const counts = new Int32Array(y.cols);
  const d = y.data;
  for (let k = 0; k < d.length; k++) if (d[k] !== 0) counts[k % y.cols]++;
  return counts;
}

/**
 * Label frequencies sorted by count (descending), ties by name (code-unit order).
 *
 * @example
 * ```ts
 * import { labelsFromRows } from "../core/matrix.ts";
 * labelFrequency(labelsFromRows([[1, 0], [1, 1]]), { names: ["Dramas", "Comedies"] });
 * // [{ name: "Dramas", index: 0, count: 2, share: 1 },
 * //  { name: "Comedies", index: 1, count: 1, share: 0.5 }]
 * ```
 */
export function labelFrequency(y: LabelMatrix, options: LabelNamesOptions = {}): LabelCount[] {
  const counts = labelCounts(y);
  const names = resolveNames(y, options.names, "labelFrequency");
  return names
    .map((name, index) => ({ name, index, count: counts[index], share: counts[index] / y.rows }))
    .sort((a, b) => b.count - a.count || byName(a.name, b.name));
}

/**
 * Distribution of how many labels each row carries.
 *
 * @example
 * ```ts
 * import { labelsFromRows } from "../core/matrix.ts";
 * labelsPerRow(labelsFromRows([[1, 0], [1, 1], [0, 1]]));
 * // { histogram: [0, 2, 1], mean: 4 / 3, min: 1, max: 2 }
 * ```
 */
export function labelsPerRow(y: LabelMatrix): LabelsPerRow {
  check(y, "labelsPerRow");
  const histogram = new Array<number>(y.cols + 1).fill(0);
  let total = 0, min = Infinity, max = 0;
  for (let i = 0; i < y.rows; i++) {
    let n = 0;
    for (let j = 0; j < y.cols; j++) if (y.data[i * y.cols + j] !== 0) n++;
    histogram[n]++;
    total += n;
    if (n < min) min = n;
    if (n > max) max = n;
  }
  return { histogram: histogram.slice(0, max + 1), mean: total / y.rows, min, max };
}

/**
 * Ratio of the most to the least frequent label's count. A label that never occurs makes the
 * ratio `Infinity` (it is reported as `least`), so check `least.count` before quoting it.
 *
 * @example
 * ```ts
 * import { labelsFromRows } from "../core/matrix.ts";
 * imbalanceRatio(labelsFromRows([[1, 1], [1, 0], [1, 0]]), { names: ["a", "b"] }).ratio; // 3
 * ```
 */
export function imbalanceRatio(y: LabelMatrix, options: LabelNamesOptions = {}): Imbalance {
  const freq = labelFrequency(y, options);
  const most = freq[0];
  let least = freq[freq.length - 1];
  // Ties for least frequent: the first by name, like `most`.
  for (const f of freq) {
    if (f.count === least.count && byName(f.name, least.name) < 0) least = f;
  }
  return { ratio: least.count === 0 ? Infinity : most.count / least.count, most, least };
}

/**
 * All label statistics in one JSON-able object.
 *
 * @example
 * ```ts
 * import { labelsFromRows } from "../core/matrix.ts";
 * const s = labelStats(labelsFromRows([[1, 0], [1, 1]]), { names: ["Dramas", "Comedies"] });
 * s.imbalance.ratio; // 2
 * ```
 */
export function labelStats(y: LabelMatrix, options: LabelNamesOptions = {}): LabelStats {
  return {
    n_rows: y.rows,
    n_labels: y.cols,
    frequency: labelFrequency(y, options),
    labels_per_row: labelsPerRow(y),
    imbalance: imbalanceRatio(y, options),
  };
}
