/**
 * Compressed sparse row (CSR) matrices and the few products the TF-IDF + SVD pipeline needs.
 *
 * Row `i` holds the entries `data[k]` at columns `indices[k]` for `k` in
 * `indptr[i] .. indptr[i + 1] - 1`, columns increasing within a row (like scipy's CSR).
 *
 * @module
 */

import type { Matrix } from "../core/matrix.ts";

/**
 * A sparse matrix in compressed sparse row form.
 *
 * @example
 * ```ts
 * import type { CsrMatrix } from "./sparse_matrix.ts";
 * // [[0, 2], [3, 0]]
 * const m: CsrMatrix = {
 *   rows: 2,
 *   cols: 2,
 *   indptr: Int32Array.of(0, 1, 2),
 *   indices: Int32Array.of(1, 0),
 *   data: Float32Array.of(2, 3),
 * };
 * ```
 */
export interface CsrMatrix {
  /** Number of rows. */
  rows: number;
  /** Number of columns. */
  cols: number;
  /** Row start offsets into `indices`/`data`, length `rows + 1`. */
  indptr: Int32Array;
  /** Column of each stored value. */
  indices: Int32Array;
  /** Stored values. */
  data: Float32Array;
}

/**
 * Checks that a CSR matrix is well formed (offsets, column range, increasing columns); throws
 * an error naming `name` and the first bad row otherwise.
 *
 * @example
 * ```ts
 * import { assertCsr, csrFromDense } from "./sparse_matrix.ts";
 * import { fromRows } from "../core/matrix.ts";
 * assertCsr(csrFromDense(fromRows([[1, 0]])), "X");
 * ```
 */
export function assertCsr(m: CsrMatrix, name: string): void {
  if (m.indptr.length !== m.rows + 1 || m.indptr[0] !== 0) {
    throw new RangeError(
      `${name}: indptr must have rows + 1 = ${m.rows + 1} entries starting at 0, ` +
        `got ${m.indptr.length}`,
    );
  }
  const nnz = m.indptr[m.rows];
  if (m.indices.length !== nnz || m.data.length !== nnz) {
    throw new RangeError(
      `${name}: indptr ends at ${nnz} but indices/data hold ${m.indices.length}/${m.data.length}`,
    );
  }
  for (let i = 0; i < m.rows; i++) {
    const start = m.indptr[i];
    const end = m.indptr[i + 1];
    if (end < start) throw new RangeError(`${name}: indptr decreases at row ${i}`);
    for (let k = start; k < end; k++) {
      const c = m.indices[k];
      if (c < 0 || c >= m.cols || (k > start && c <= m.indices[k - 1])) {
        throw new RangeError(
          `${name}: row ${i} has column ${c} out of order or outside 0..${m.cols - 1}`,
        );
      }
    }
  }
}

/**
 * Converts a dense matrix to CSR, keeping the non-zero entries.
 *
 * @example
 * ```ts
 * import { csrFromDense } from "./sparse_matrix.ts";
 * import { fromRows } from "../core/matrix.ts";
 * csrFromDense(fromRows([[0, 2], [3, 0]])).indices; // Int32Array [1, 0]
 * ```
 */
export function csrFromDense(m: Matrix<Float32Array | Float64Array>): CsrMatrix {
  let nnz = 0;
  for (let k = 0; k < m.data.length; k++) if (m.data[k] !== 0) nnz++;
  const indptr = new Int32Array(m.rows + 1);
  const indices = new Int32Array(nnz);
  const data = new Float32Array(nnz);
  let p = 0;
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.cols; j++) {
      const v = m.data[i * m.cols + j];
      if (v !== 0) {
        indices[p] = j;
        data[p++] = v;
      }
    }
    indptr[i + 1] = p;
  }
  return { rows: m.rows, cols: m.cols, indptr, indices, data };
}

/**
 * Expands a CSR matrix into a dense float32 matrix (for tests and small data).
 *
 * @example
 * ```ts
 * import { csrFromDense, csrToDense } from "./sparse_matrix.ts";
 * import { fromRows } from "../core/matrix.ts";
 * csrToDense(csrFromDense(fromRows([[0, 2]]))).data; // Float32Array [0, 2]
 * ```
 */
export function csrToDense(m: CsrMatrix): Matrix {
  const out = new Float32Array(m.rows * m.cols);
  for (let i = 0; i < m.rows; i++) {
    for (let k = m.indptr[i]; k < m.indptr[i + 1]; k++) out[i * m.cols + m.indices[k]] = m.data[k];
  }
  return { rows: m.rows, cols: m.cols, data: out };
}

/**
 * Returns the transpose as a new CSR matrix (columns stay increasing within each row).
 *
 * @example
 * ```ts
 * import { csrFromDense, csrToDense, transposeCsr } from "./sparse_matrix.ts";
 * import { fromRows } from "../core/matrix.ts";
 * csrToDense(transposeCsr(csrFromDense(fromRows([[1, 2]])))).data; // [1, 2] as a 2×1 matrix
 * ```
 */
export function transposeCsr(m: CsrMatrix): CsrMatrix {
  const nnz = m.indptr[m.rows];
  const indptr = new Int32Array(m.cols + 1);
  for (let k = 0; k < nnz; k++) indptr[m.indices[k] + 1]++;
  for (let j = 0; j < m.cols; j++) indptr[j + 1] += indptr[j];
  const next = indptr.slice(0, m.cols);
  const indices = new Int32Array(nnz);
  const data = new Float32Array(nnz);
  for (let i = 0; i < m.rows; i++) {
    for (let k = m.indptr[i]; k < m.indptr[i + 1]; k++) {
      const p = next[m.indices[k]]++;
      indices[p] = i;
      data[p] = m.data[k];
    }
  }
  return { rows: m.cols, cols: m.rows, indptr, indices, data };
}

/**
 * Sparse × dense product `a · b` (rows of `a` × columns of `b`), accumulated in float64 per
 * output row and stored as float32. Deterministic: a fixed summation order.
 *
 * @example
 * ```ts
 * import { csrFromDense, csrMatMul } from "./sparse_matrix.ts";
 * import { fromRows } from "../core/matrix.ts";
 * const a = csrFromDense(fromRows([[1, 0], [0, 2]]));
 * csrMatMul(a, fromRows([[1, 1], [1, 1]])).data; // Float32Array [1, 1, 2, 2]
 * ```
 */
export function csrMatMul(a: CsrMatrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) {
    throw new RangeError(
      `csrMatMul: sparse matrix is ${a.rows}×${a.cols} but the dense one is ${b.rows}×${b.cols}; ` +
        "the inner sizes must match",
    );
  }
  const n = b.cols;
  const bd = b.data;
  const out = new Float32Array(a.rows * n);
  const acc = new Float64Array(n);
  const { indptr, indices, data } = a;
  for (let i = 0; i < a.rows; i++) {
    const end = indptr[i + 1];
    let k = indptr[i];
    if (k === end) continue;
    acc.fill(0);
    // Four stored values per pass over the output row (fewer loads/stores of `acc`).
    for (; k + 3 < end; k += 4) {
      const v0 = data[k], v1 = data[k + 1], v2 = data[k + 2], v3 = data[k + 3];
      const o0 = indices[k] * n, o1 = indices[k + 1] * n;
      const o2 = indices[k + 2] * n, o3 = indices[k + 3] * n;
      for (let j = 0; j < n; j++) {
        acc[j] += v0 * bd[o0 + j] + v1 * bd[o1 + j] + v2 * bd[o2 + j] + v3 * bd[o3 + j];
      }
    }
    for (; k < end; k++) {
      const v = data[k];
      const off = indices[k] * n;
      for (let j = 0; j < n; j++) acc[j] += v * bd[off + j];
    }
    out.set(acc, i * n);
  }
  return { rows: a.rows, cols: n, data: out };
}

/**
 * Transposed sparse × dense product `aᵀ · b`. Builds the transpose once; when the same `a` is
 * used many times, call {@linkcode transposeCsr} yourself and use {@linkcode csrMatMul}.
 *
 * @example
 * ```ts
 * import { csrFromDense, csrTransposeMatMul } from "./sparse_matrix.ts";
 * import { fromRows } from "../core/matrix.ts";
 * const a = csrFromDense(fromRows([[1, 2]]));
 * csrTransposeMatMul(a, fromRows([[3]])).data; // Float32Array [3, 6]
 * ```
 */
export function csrTransposeMatMul(a: CsrMatrix, b: Matrix): Matrix {
  if (a.rows !== b.rows) {
    throw new RangeError(
      `csrTransposeMatMul: sparse matrix has ${a.rows} rows but the dense one has ${b.rows}; ` +
        "aᵀ · b needs the same number of rows",
    );
  }
  return csrMatMul(transposeCsr(a), b);
}
