/**
 * Nearest neighbours by cosine similarity: for a few query rows of an embedding matrix, the rows
 * whose vectors point most nearly the same way — what a semantic text embedding calls "similar
 * descriptions".
 *
 * @module
 */

import type { Matrix } from "../core/matrix.ts";

/** One neighbour of a query row. */
export interface Neighbour {
  /** Row index in the matrix. */
  row: number;
  /** Cosine similarity to the query (1 = same direction). */
  similarity: number;
}

/** A query row and its nearest neighbours, most similar first. */
export interface NeighbourList {
  query: number;
  neighbours: Neighbour[];
}

/**
 * The `k` rows of `X` most similar to each query row (cosine similarity; the query itself and
 * rows with an identical vector, such as duplicate descriptions, left out). A zero row is
 * similar to nothing (similarity 0).
 *
 * @example
 * ```ts
 * import { fromRows } from "../core/matrix.ts";
 * const X = fromRows([[1, 0], [0.9, 0.1], [0, 1], [-1, 0]]);
 * nearestNeighbours(X, [0], { k: 2 })[0].neighbours.map((n) => n.row); // [1, 2]
 * ```
 */
export function nearestNeighbours(
  X: Matrix,
  queries: readonly number[],
  options: { k?: number } = {},
): NeighbourList[] {
  const k = options.k ?? 5;
  const { rows, cols, data } = X;
  const norms = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = i * cols; j < (i + 1) * cols; j++) s += data[j] * data[j];
    norms[i] = Math.sqrt(s);
  }
  return queries.map((q) => {
    if (!Number.isInteger(q) || q < 0 || q >= rows) {
      throw new RangeError(`nearestNeighbours: query row ${q} is outside 0..${rows - 1}`);
    }
    const sims = new Float64Array(rows);
    const qo = q * cols;
    for (let i = 0; i < rows; i++) {
      if (norms[i] === 0 || norms[q] === 0) continue;
      let dot = 0;
      const io = i * cols;
      for (let j = 0; j < cols; j++) dot += data[qo + j] * data[io + j];
      sims[i] = dot / (norms[i] * norms[q]);
    }
    const order: number[] = [];
    for (let i = 0; i < rows; i++) {
      if (i !== q && !identical(data, qo, i * cols, cols)) order.push(i);
    }
    order.sort((a, b) => sims[b] - sims[a] || a - b);
    return {
      query: q,
      neighbours: order.slice(0, k).map((row) => ({ row, similarity: sims[row] })),
    };
  });
}

function identical(data: Float32Array, a: number, b: number, n: number): boolean {
  for (let j = 0; j < n; j++) if (data[a + j] !== data[b + j]) return false;
  return true;
}
