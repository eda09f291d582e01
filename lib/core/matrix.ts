/**
 * Dense row-major matrices on typed arrays: the one numeric container every stage shares.
 *
 * @module
 */

/** Typed arrays a {@linkcode Matrix} may hold. */
export type MatrixData = Float32Array | Float64Array | Uint8Array | Int32Array;

/**
 * A dense row-major matrix: element `(i, j)` lives at `data[i * cols + j]`.
 *
 * @example
 * ```ts
 * const m: Matrix = { rows: 2, cols: 3, data: new Float32Array(6) };
 * ```
 */
export interface Matrix<T extends MatrixData = Float32Array> {
  /** Number of rows (samples). */
  rows: number;
  /** Number of columns (features or labels). */
  cols: number;
  /** Row-major values, length `rows * cols`. */
  data: T;
}

/** A 0/1 label matrix (one column per genre). */
export type LabelMatrix = Matrix<Uint8Array>;

/**
 * Builds a matrix from nested arrays (handy in tests and notebooks).
 *
 * @example
 * ```ts
 * const m = fromRows([[1, 2], [3, 4]]);
 * console.log(m.data); // Float32Array [1, 2, 3, 4]
 * ```
 */
export function fromRows(rows: ArrayLike<number>[]): Matrix {
  const r = rows.length;
  const c = r === 0 ? 0 : rows[0].length;
  const data = new Float32Array(r * c);
  for (let i = 0; i < r; i++) {
    if (rows[i].length !== c) {
      throw new RangeError(
        `fromRows: row ${i} has ${
          rows[i].length
        } values but row 0 has ${c}; give every row the same length`,
      );
    }
    for (let j = 0; j < c; j++) data[i * c + j] = rows[i][j];
  }
  return { rows: r, cols: c, data };
}

/**
 * Builds a 0/1 label matrix from nested arrays.
 *
 * @example
 * ```ts
 * const y = labelsFromRows([[1, 0], [0, 1]]);
 * ```
 */
export function labelsFromRows(rows: ArrayLike<number>[]): LabelMatrix {
  const m = fromRows(rows);
  return { rows: m.rows, cols: m.cols, data: Uint8Array.from(m.data) };
}

/**
 * Copies the listed rows into a new matrix of the same element type.
 *
 * @example
 * ```ts
 * const m = fromRows([[1], [2], [3]]);
 * takeRows(m, [2, 0]).data; // Float32Array [3, 1]
 * ```
 */
export function takeRows<T extends MatrixData>(m: Matrix<T>, rows: ArrayLike<number>): Matrix<T> {
  const out = new (m.data.constructor as { new (n: number): T })(rows.length * m.cols);
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    if (r < 0 || r >= m.rows || !Number.isInteger(r)) {
      throw new RangeError(`takeRows: row index ${r} is outside 0..${m.rows - 1}`);
    }
    out.set(m.data.subarray(r * m.cols, (r + 1) * m.cols) as never, k * m.cols);
  }
  return { rows: rows.length, cols: m.cols, data: out };
}

/**
 * Joins matrices side by side (same row count), converting to float32.
 *
 * @example
 * ```ts
 * hstack([fromRows([[1], [2]]), fromRows([[3], [4]])]).data; // [1, 3, 2, 4]
 * ```
 */
export function hstack(blocks: Matrix<MatrixData>[]): Matrix {
  if (blocks.length === 0) throw new RangeError("hstack: give at least one matrix");
  const rows = blocks[0].rows;
  let cols = 0;
  for (const [i, b] of blocks.entries()) {
    if (b.rows !== rows) {
      throw new RangeError(
        `hstack: block ${i} has ${b.rows} rows but block 0 has ${rows}; blocks must describe the same samples`,
      );
    }
    cols += b.cols;
  }
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    let off = i * cols;
    for (const b of blocks) {
      for (let j = 0; j < b.cols; j++) data[off + j] = b.data[i * b.cols + j];
      off += b.cols;
    }
  }
  return { rows, cols, data };
}

/**
 * Checks that a matrix's data length matches its shape; throws a clear error otherwise.
 *
 * @example
 * ```ts
 * assertShape({ rows: 2, cols: 2, data: new Float32Array(4) }, "X");
 * ```
 */
export function assertShape(m: Matrix<MatrixData>, name: string): void {
  if (m.data.length !== m.rows * m.cols) {
    throw new RangeError(
      `${name}: shape ${m.rows}×${m.cols} needs ${
        m.rows * m.cols
      } values but data holds ${m.data.length}`,
    );
  }
}
