/**
 * Multi-label encoding: lists of genre names ↔ a 0/1 matrix with one column per genre.
 *
 * @module
 */

import type { LabelMatrix } from "../core/matrix.ts";

/** Options for {@linkcode MultiLabelBinarizer}. */
export interface MultiLabelBinarizerOptions {
  /** Fixed class list (kept in the given order); learned and sorted by `fit` when omitted. */
  classes?: string[];
}

/**
 * Learns the sorted set of labels and encodes label lists as a uint8 matrix, column order as
 * scikit-learn's `MultiLabelBinarizer` (sorted by code point).
 *
 * @example
 * ```ts
 * const mlb = new MultiLabelBinarizer().fit([["Dramas", "Comedies"], ["Dramas"]]);
 * mlb.classes;                       // ["Comedies", "Dramas"]
 * mlb.transform([["Dramas"]]).data;  // Uint8Array [0, 1]
 * ```
 */
export class MultiLabelBinarizer {
  classes: string[];
  #index = new Map<string, number>();

  constructor(options: MultiLabelBinarizerOptions = {}) {
    this.classes = options.classes ? [...options.classes] : [];
    this.#reindex();
  }

  /** Learns the label set from lists of labels. */
  fit(labels: string[][]): this {
    const set = new Set<string>();
    for (const row of labels) for (const l of row) set.add(l);
    this.classes = [...set].sort(compareCodePoints);
    this.#reindex();
    return this;
  }

  /**
   * Encodes label lists. Unknown labels throw (naming the row) unless `ignoreUnknown` is set,
   * in which case they are dropped.
   */
  transform(labels: string[][], options: { ignoreUnknown?: boolean } = {}): LabelMatrix {
    const cols = this.classes.length;
    if (cols === 0) throw new Error("MultiLabelBinarizer: call fit() before transform()");
    const data = new Uint8Array(labels.length * cols);
    labels.forEach((row, i) => {
      for (const l of row) {
        const j = this.#index.get(l);
        if (j === undefined) {
          if (options.ignoreUnknown) continue;
          throw new RangeError(
            `MultiLabelBinarizer: row ${i} has unknown label "${l}"; known labels are the ` +
              `${cols} seen by fit() (pass ignoreUnknown to drop it)`,
          );
        }
        data[i * cols + j] = 1;
      }
    });
    return { rows: labels.length, cols, data };
  }

  /** Fits and transforms in one step. */
  fitTransform(labels: string[][]): LabelMatrix {
    return this.fit(labels).transform(labels);
  }

  /** Decodes a 0/1 matrix back into label lists (in class order). */
  inverseTransform(y: LabelMatrix): string[][] {
    if (y.cols !== this.classes.length) {
      throw new RangeError(
        `MultiLabelBinarizer: matrix has ${y.cols} columns but ${this.classes.length} classes are known`,
      );
    }
    const out: string[][] = [];
    for (let i = 0; i < y.rows; i++) {
      const row: string[] = [];
      for (let j = 0; j < y.cols; j++) if (y.data[i * y.cols + j]) row.push(this.classes[j]);
      out.push(row);
    }
    return out;
  }

  #reindex(): void {
    this.#index = new Map(this.classes.map((c, i) => [c, i]));
  }
}

/**
 * Compares strings by Unicode code point, as Python's `sorted` does.
 *
 * @example
 * ```ts
 * ["b", "A", "a"].sort(compareCodePoints); // ["A", "a", "b"]
 * ```
 */
export function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}
