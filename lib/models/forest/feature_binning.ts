/**
 * Quantile binning of float features into small integer codes (8-bit for at most 256 bins,
 * 16-bit above), the input of the histogram split search in {@linkcode ./decision_tree.ts}.
 *
 * A feature with `k` bins has `k - 1` increasing float32 edges `e[0] < … < e[k-2]`; a value `x`
 * gets the smallest code `b` with `x <= e[b]`, or `k - 1` when it is above every edge. So "code
 * `<= b`" and "`x <= e[b]`" always agree, and a tree that splits on a code can store the real
 * threshold `e[b]` and predict on raw floats. Values outside the training range fall into the
 * end bins.
 *
 * Codes are stored column-major (`codes[feature * rows + row]`) so that building the histogram
 * of one feature reads one contiguous column.
 *
 * @module
 */

import { checkFeatures } from "../../core/estimator.ts";
import type { Matrix } from "../../core/matrix.ts";

/** Feature codes produced by {@linkcode FeatureBinner.transform}. */
export interface BinnedMatrix {
  /** Number of rows (samples). */
  rows: number;
  /** Number of features. */
  cols: number;
  /**
   * Column-major bin codes: code of (row, feature) is `codes[feature * rows + row]`; a
   * `Uint8Array` when at most 256 bins, else a `Uint16Array`.
   */
  codes: Uint8Array | Uint16Array;
}

/** Options for {@linkcode FeatureBinner}. */
export interface FeatureBinnerOptions {
  /** Largest number of bins per feature, 2–65536 (default 255; above 256 codes are 16-bit). */
  maxBins?: number;
}

/** Options for {@linkcode FeatureBinner.transform}. */
export interface TransformOptions {
  /** Put the codes in a `SharedArrayBuffer` (to hand them to workers without copying). */
  shared?: boolean;
  /** Name used in error messages (default `"X"`). */
  name?: string;
}

/** Plain-data form of a fitted {@linkcode FeatureBinner} (see {@linkcode FeatureBinner.toJSON}). */
export interface FeatureBinnerState {
  maxBins: number;
  /** Number of features. */
  cols: number;
  /** All features' edges, concatenated. */
  edges: Float32Array;
  /** Feature `j`'s edges are `edges[offsets[j] .. offsets[j + 1]]`; length `cols + 1`. */
  offsets: Int32Array;
}

/**
 * Fits per-feature quantile bin edges and turns float matrices into column-major `Uint8Array`
 * codes.
 *
 * @example
 * ```ts
 * import { fromRows } from "../../core/matrix.ts";
 * const binner = new FeatureBinner({ maxBins: 4 }).fit(fromRows([[0], [1], [2], [3], [4]]));
 * binner.transform(fromRows([[-10], [2.2], [99]])).codes; // Uint8Array [0, 2, 3]
 * ```
 */
export class FeatureBinner {
  /** Largest number of bins per feature. */
  readonly maxBins: number;
  #edges: Float32Array = new Float32Array(0);
  #offsets: Int32Array = new Int32Array(1);
  #cols = -1;

  constructor(options: FeatureBinnerOptions = {}) {
    const maxBins = options.maxBins ?? 255;
    if (!Number.isInteger(maxBins) || maxBins < 2 || maxBins > 65536) {
      throw new RangeError(`FeatureBinner: maxBins is ${maxBins}; use an integer from 2 to 65536`);
    }
    this.maxBins = maxBins;
  }

  /** Number of features seen by {@linkcode FeatureBinner.fit} (-1 before fitting). */
  get cols(): number {
    return this.#cols;
  }

  /** All edges concatenated (see {@linkcode FeatureBinnerState}). */
  get edges(): Float32Array {
    return this.#edges;
  }

  /** Offsets of each feature's edges in {@linkcode FeatureBinner.edges}; length `cols + 1`. */
  get offsets(): Int32Array {
    return this.#offsets;
  }

  /** Number of bins of feature `j` (edges + 1). */
  nBins(j: number): number {
    return this.#offsets[j + 1] - this.#offsets[j] + 1;
  }

  /** Edges of feature `j` (a view, do not modify). */
  featureEdges(j: number): Float32Array {
    return this.#edges.subarray(this.#offsets[j], this.#offsets[j + 1]);
  }

  /**
   * Learns the bin edges of every column of `X` (float32, finite).
   *
   * A column with at most `maxBins` distinct values gets one bin per value (edges halfway
   * between neighbours); otherwise edges sit between the values at `maxBins` evenly spaced ranks.
   */
  fit(X: Matrix): this {
    if (X.rows < 1) throw new RangeError("FeatureBinner.fit: X has no rows; give training rows");
    checkFeatures(X, "FeatureBinner.fit");
    const { rows, cols, data } = X;
    const maxBins = this.maxBins;
    const all = new Float32Array(cols * (maxBins - 1));
    const offsets = new Int32Array(cols + 1);
    const colMajor = transpose(data, rows, cols);
    const distinct = new Float32Array(rows);
    let used = 0;
    for (let j = 0; j < cols; j++) {
      const col = colMajor.subarray(j * rows, (j + 1) * rows).sort();
      let nd = 0;
      for (let i = 0; i < rows; i++) {
        if (nd === 0 || col[i] !== distinct[nd - 1]) distinct[nd++] = col[i];
      }
      offsets[j] = used;
      if (nd <= maxBins) {
        for (let k = 1; k < nd; k++) all[used++] = between(distinct[k - 1], distinct[k]);
      } else {
        for (let k = 1; k < maxBins; k++) {
          const r = Math.round((k * rows) / maxBins);
          const lo = col[r - 1];
          const hi = col[r];
          const e = lo === hi ? lo : between(lo, hi);
          // Ties can repeat an edge, and an edge at the top value would leave an empty last bin.
          if ((used === offsets[j] || e > all[used - 1]) && e < col[rows - 1]) all[used++] = e;
        }
      }
    }
    offsets[cols] = used;
    this.#edges = all.slice(0, used);
    this.#offsets = offsets;
    this.#cols = cols;
    return this;
  }

  /** Codes of `X` (same columns as the fitted matrix), column-major. */
  transform(X: Matrix, options: TransformOptions = {}): BinnedMatrix {
    const name = options.name ?? "X";
    if (this.#cols < 0) {
      throw new Error("FeatureBinner.transform: call fit() first (or load a fitted binner)");
    }
    if (X.cols !== this.#cols) {
      throw new RangeError(
        `FeatureBinner.transform: ${name} has ${X.cols} columns but the binner was fitted on ` +
          `${this.#cols}; transform the same features as in training`,
      );
    }
    checkFeatures(X, `FeatureBinner.transform ${name}`);
    const { rows, cols } = X;
    const data = transpose(X.data, rows, cols);
    const bytes = this.maxBins <= 256 ? 1 : 2;
    const buffer = options.shared
      ? new SharedArrayBuffer(rows * cols * bytes)
      : new ArrayBuffer(rows * cols * bytes);
    const codes = bytes === 1 ? new Uint8Array(buffer) : new Uint16Array(buffer);
    const edges = this.#edges;
    for (let j = 0; j < cols; j++) {
      const lo0 = this.#offsets[j];
      const hi0 = this.#offsets[j + 1];
      const base = j * rows;
      for (let i = 0; i < rows; i++) {
        const x = data[base + i];
        // Smallest edge index b with x <= edges[b] (binary search), else the last bin.
        let lo = lo0;
        let hi = hi0;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (x <= edges[mid]) hi = mid;
          else lo = mid + 1;
        }
        codes[base + i] = lo - lo0;
      }
    }
    return { rows, cols, codes };
  }

  /** {@linkcode FeatureBinner.fit} then {@linkcode FeatureBinner.transform}. */
  fitTransform(X: Matrix, options: TransformOptions = {}): BinnedMatrix {
    return this.fit(X).transform(X, options);
  }

  /** The fitted state as plain typed arrays. */
  toJSON(): FeatureBinnerState {
    return { maxBins: this.maxBins, cols: this.#cols, edges: this.#edges, offsets: this.#offsets };
  }

  /**
   * Rebuilds a fitted binner from {@linkcode FeatureBinner.toJSON}'s output.
   *
   * @example
   * ```ts
   * import { fromRows } from "../../core/matrix.ts";
   * const a = new FeatureBinner().fit(fromRows([[1], [2]]));
   * const b = FeatureBinner.fromJSON(a.toJSON());
   * ```
   */
  static fromJSON(state: FeatureBinnerState): FeatureBinner {
    const b = new FeatureBinner({ maxBins: state.maxBins });
    if (state.offsets.length !== state.cols + 1) {
      throw new RangeError(
        `FeatureBinner.fromJSON: offsets has ${state.offsets.length} entries for ${state.cols} ` +
          "features (needs cols + 1); the saved binner is damaged",
      );
    }
    b.#edges = state.edges;
    b.#offsets = state.offsets;
    b.#cols = state.cols;
    return b;
  }
}

/** Column-major copy of a row-major matrix, in cache-friendly blocks of rows. */
function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  const block = 64;
  for (let i0 = 0; i0 < rows; i0 += block) {
    const i1 = Math.min(rows, i0 + block);
    for (let j = 0; j < cols; j++) {
      const o = j * rows;
      for (let i = i0; i < i1; i++) out[o + i] = data[i * cols + j];
    }
  }
  return out;
}

/** A float32 strictly below `hi` and at least `lo`, near their midpoint (needs `lo < hi`). */
function between(lo: number, hi: number): number {
  const m = Math.fround(lo + (hi - lo) / 2);
  return m >= hi ? lo : m;
}
