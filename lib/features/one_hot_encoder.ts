/**
 * One-hot encoding of categorical columns (the study's `type` and `rating`).
 *
 * @module
 */

import type { Matrix } from "../core/matrix.ts";
import { compareCodePoints } from "./multi_label_binarizer.ts";

/** Learned state of a {@linkcode OneHotEncoder}: column name → sorted categories. */
export type Categories = Record<string, string[]>;

/**
 * One-hot encoder over named string columns. Categories are sorted per column; a category not
 * seen by `fit` becomes an all-zero block at transform time. Feature names follow pandas'
 * `get_dummies`: `type_Movie`, `rating_TV-MA`.
 *
 * @example
 * ```ts
 * const enc = new OneHotEncoder().fit({ type: ["Movie", "TV Show"], rating: ["PG", "R"] });
 * enc.featureNames;                                        // ["type_Movie", "type_TV Show", "rating_PG", "rating_R"]
 * enc.transform({ type: ["Movie"], rating: ["NC-17"] }).data; // [1, 0, 0, 0]
 * ```
 */
export class OneHotEncoder {
  categories: Categories;

  constructor(options: { categories?: Categories } = {}) {
    this.categories = options.categories ? structuredClone(options.categories) : {};
  }

  /** Learns the sorted categories of each column (column order = key order). */
  fit(columns: Record<string, string[]>): this {
    this.categories = {};
    for (const [name, values] of Object.entries(columns)) {
      this.categories[name] = [...new Set(values)].sort(compareCodePoints);
    }
    return this;
  }

  /** Output column names, `column_category`. */
  get featureNames(): string[] {
    return Object.entries(this.categories).flatMap(([name, cats]) =>
      cats.map((c) => `${name}_${c}`)
    );
  }

  /**
   * The values of `columns` that `fit` never saw (they encode as all zeros), in row order, with
   * the categories their column knows. The encoding itself is unchanged; this is for saying so.
   *
   * @example
   * ```ts
   * const enc = new OneHotEncoder().fit({ type: ["Movie", "TV Show"] });
   * enc.unseen({ type: ["Movie", "Podcast"] });
   * // [{ index: 1, column: "type", value: "Podcast", known: ["Movie", "TV Show"] }]
   * ```
   */
  unseen(
    columns: Record<string, string[]>,
  ): { index: number; column: string; value: string; known: string[] }[] {
    const out: { index: number; column: string; value: string; known: string[] }[] = [];
    const names = Object.keys(this.categories);
    const known = names.map((name) => new Set(this.categories[name]));
    const rows = Math.max(0, ...names.map((name) => columns[name]?.length ?? 0));
    for (let i = 0; i < rows; i++) {
      names.forEach((name, c) => {
        const value = columns[name]?.[i];
        if (value !== undefined && !known[c].has(value)) {
          out.push({ index: i, column: name, value, known: this.categories[name] });
        }
      });
    }
    return out;
  }

  /** Encodes columns into a float32 0/1 matrix; unseen categories give zeros. */
  transform(columns: Record<string, string[]>): Matrix {
    const names = Object.keys(this.categories);
    if (names.length === 0) throw new Error("OneHotEncoder: call fit() before transform()");
    let rows = -1;
    for (const name of names) {
      const values = columns[name];
      if (!values) {
        throw new RangeError(
          `OneHotEncoder: column "${name}" is missing; give ${names.join(", ")}`,
        );
      }
      if (rows >= 0 && values.length !== rows) {
        throw new RangeError(
          `OneHotEncoder: column "${name}" has ${values.length} values but others have ${rows}`,
        );
      }
      rows = values.length;
    }
    const cols = this.featureNames.length;
    const data = new Float32Array(rows * cols);
    let offset = 0;
    for (const name of names) {
      const index = new Map(this.categories[name].map((c, i) => [c, i]));
      const values = columns[name];
      for (let i = 0; i < rows; i++) {
        const j = index.get(values[i]);
        if (j !== undefined) data[i * cols + offset + j] = 1;
      }
      offset += this.categories[name].length;
    }
    return { rows, cols, data };
  }
}
