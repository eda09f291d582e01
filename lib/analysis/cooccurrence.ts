/**
 * Label co-occurrence: how many rows carry both label `i` and label `j`.
 *
 * @module
 */

import { assertShape, type LabelMatrix, type Matrix } from "../core/matrix.ts";

/** One unordered pair of labels and how many rows carry both, from {@linkcode topPairs}. */
export interface LabelPair {
  /** The pair's first name (the smaller in code-unit order). */
  a: string;
  /** The pair's second name. */
  b: string;
  /** Rows carrying both. */
  count: number;
}

/** Options for {@linkcode topPairs}. */
export interface TopPairsOptions {
  /** How many pairs to return (default 10; `Infinity` for all). */
  k?: number;
  /** Keep pairs that never co-occur (default false). */
  includeZero?: boolean;
}

/**
 * The L×L co-occurrence matrix: entry `(i, j)` counts rows where labels `i` and `j` are both 1.
 * It is symmetric and its diagonal holds each label's frequency.
 *
 * @example
 * ```ts
 * import { labelsFromRows } from "../core/matrix.ts";
 * cooccurrence(labelsFromRows([[1, 1, 0], [1, 0, 1], [1, 1, 0]])).data;
 * // Int32Array [3, 2, 1,  2, 2, 0,  1, 0, 1]
 * ```
 */
export function cooccurrence(y: LabelMatrix): Matrix<Int32Array> {
  assertShape(y, "cooccurrence: y");
  const L = y.cols;
  const out = new Int32Array(L * L);
  const active = new Int32Array(L);
  for (let i = 0; i < y.rows; i++) {
    const off = i * L;
    let n = 0;
    for (let j = 0; j < L; j++) if (y.data[off + j] !== 0) active[n++] = j;
    for (let u = 0; u < n; u++) {
      const a = active[u] * L;
      for (let v = 0; v < n; v++) out[a + active[v]]++;
    }
  }
  return { rows: L, cols: L, data: out };
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The most frequent off-diagonal pairs of a co-occurrence matrix, by count (descending), then by
 * `a`, then by `b`. Each unordered pair appears once with `a < b` (code-unit order). Pairs with
 * count 0 are left out unless `includeZero` is set.
 *
 * @example
 * ```ts
 * import { labelsFromRows } from "../core/matrix.ts";
 * const c = cooccurrence(labelsFromRows([[1, 1, 0], [1, 0, 1], [1, 1, 0]]));
 * topPairs(c, ["Dramas", "Comedies", "Thrillers"], { k: 1 });
 * // [{ a: "Comedies", b: "Dramas", count: 2 }]
 * ```
 */
export function topPairs(
  cooc: Matrix<Int32Array>,
  names: readonly string[],
  options: TopPairsOptions = {},
): LabelPair[] {
  assertShape(cooc, "topPairs: cooc");
  if (cooc.rows !== cooc.cols) {
    throw new RangeError(
      `topPairs: cooc is ${cooc.rows}×${cooc.cols}; pass the square matrix from cooccurrence()`,
    );
  }
  if (names.length !== cooc.cols) {
    throw new RangeError(
      `topPairs: got ${names.length} names for a ${cooc.rows}×${cooc.cols} matrix; ` +
        `give one name per label`,
    );
  }
  const k = options.k ?? 10;
  if (!(k >= 0)) throw new RangeError(`topPairs: k must be a number >= 0, got ${k}`);
  const L = cooc.cols;
  const pairs: LabelPair[] = [];
  for (let i = 0; i < L; i++) {
    for (let j = i + 1; j < L; j++) {
      const count = cooc.data[i * L + j];
      if (count === 0 && !options.includeZero) continue;
      const [a, b] = byName(names[i], names[j]) <= 0 ? [names[i], names[j]] : [names[j], names[i]];
      pairs.push({ a, b, count });
    }
  }
  pairs.sort((p, q) => q.count - p.count || byName(p.a, q.a) || byName(p.b, q.b));
  return pairs.slice(0, k);
}

/**
 * Long-form cells of a square label matrix for a heatmap: `{a, b, value}` per pair, with the
 * diagonal set to null when `skipDiagonal` (a label's own count would swamp the colour scale).
 *
 * @example
 * ```ts
 * import type { LabelMatrix } from "../core/matrix.ts";
 * declare const Y: LabelMatrix, names: string[];
 * const cells = matrixCells(cooccurrence(Y), names, { skipDiagonal: true });
 * ```
 */
export function matrixCells(
  m: Matrix<Int32Array | Float32Array | Float64Array>,
  names: readonly string[],
  options: { skipDiagonal?: boolean } = {},
): { a: string; b: string; value: number | null }[] {
  if (m.rows !== names.length || m.cols !== names.length) {
    throw new RangeError(
      `matrixCells: matrix is ${m.rows}×${m.cols} but ${names.length} names were given`,
    );
  }
  const cells: { a: string; b: string; value: number | null }[] = [];
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.cols; j++) {
      cells.push({
        a: names[i],
        b: names[j],
        value: options.skipDiagonal && i === j ? null : m.data[i * m.cols + j],
      });
    }
  }
  return cells;
}
