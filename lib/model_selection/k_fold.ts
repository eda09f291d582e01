/**
 * Cross-validation folds that select the same rows as scikit-learn's `KFold(shuffle=True)` and
 * `StratifiedKFold(shuffle=True)` with `random_state=seed`, plus the strata the study used
 * (number of genres per title).
 *
 * @module
 */

import type { LabelMatrix } from "../core/matrix.ts";
import { RandomState } from "../core/mt19937.ts";
import type { Split } from "./train_test_split.ts";

export type { Split } from "./train_test_split.ts";

/** Options for {@linkcode kFold}. */
export interface KFoldOptions {
  /** Number of folds, at least 2 and at most the number of samples (default 5). */
  nSplits?: number;
  /** Shuffle the rows before cutting them into folds (default `true`). */
  shuffle?: boolean;
  /** `random_state`: seed of NumPy's legacy `RandomState`, used when shuffling (default 42). */
  seed?: number;
}

/** Options for {@linkcode stratifiedKFold}. */
export interface StratifiedKFoldOptions {
  /** Number of folds, at least 2 and at most the number of samples (default 5). */
  nSplits?: number;
  /** Shuffle each stratum's fold labels (default `true`, as the study did). */
  shuffle?: boolean;
  /** `random_state`: seed of NumPy's legacy `RandomState`, used when shuffling (default 42). */
  seed?: number;
}

function checkSplits(fn: string, nSplits: number, nSamples: number): void {
  if (!Number.isInteger(nSplits) || nSplits < 2) {
    throw new RangeError(`${fn}: nSplits must be an integer >= 2, got ${nSplits}`);
  }
  if (nSplits > nSamples) {
    throw new RangeError(
      `${fn}: nSplits=${nSplits} is more than the ${nSamples} samples; use at most ${nSamples} ` +
        `folds`,
    );
  }
}

/** Turns a fold id per row into splits whose train and test rows are both ascending. */
function splitsFromFoldIds(foldOf: Int32Array, nSplits: number): Split[] {
  const n = foldOf.length;
  const sizes = new Int32Array(nSplits);
  for (let i = 0; i < n; i++) sizes[foldOf[i]]++;
  const out: Split[] = [];
  for (let f = 0; f < nSplits; f++) {
    const test = new Int32Array(sizes[f]);
    const train = new Int32Array(n - sizes[f]);
    let a = 0;
    let b = 0;
    for (let i = 0; i < n; i++) {
      if (foldOf[i] === f) test[a++] = i;
      else train[b++] = i;
    }
    out.push({ train, test });
  }
  return out;
}

/**
 * K folds over `0..nSamples-1`, as scikit-learn's `KFold(n_splits, shuffle, random_state=seed)`:
 * rows are permuted with `RandomState(seed)` (when shuffling), then cut into `nSplits`
 * consecutive chunks, the first `nSamples % nSplits` one row larger. Each fold's `test` and
 * `train` rows are returned in ascending order, like sklearn's.
 *
 * @example
 * ```ts
 * for (const { train, test } of kFold(7787, { nSplits: 5, seed: 42 })) {
 *   console.log(train.length, test.length); // 6229 1558, ... 6230 1557
 * }
 * ```
 */
export function kFold(nSamples: number, options: KFoldOptions = {}): Split[] {
  const { nSplits = 5, shuffle = true, seed = 42 } = options;
  if (!Number.isInteger(nSamples) || nSamples < 0) {
    throw new RangeError(`kFold: nSamples must be a non-negative integer, got ${nSamples}`);
  }
  checkSplits("kFold", nSplits, nSamples);
  const order = shuffle ? new RandomState(seed).permutation(nSamples) : null;
  const foldOf = new Int32Array(nSamples);
  const base = Math.floor(nSamples / nSplits);
  const extra = nSamples % nSplits;
  let pos = 0;
  for (let f = 0; f < nSplits; f++) {
    const size = base + (f < extra ? 1 : 0);
    for (let k = 0; k < size; k++, pos++) foldOf[order ? order[pos] : pos] = f;
  }
  return splitsFromFoldIds(foldOf, nSplits);
}

/**
 * Stratified K folds, matching scikit-learn's
 * `StratifiedKFold(n_splits, shuffle=True, random_state=seed).split(X, strata)` row for row.
 *
 * How rows are assigned (as sklearn 1.2 does): strata are numbered by first appearance; with
 * the rows sorted by stratum, position `p` goes to fold `p % nSplits`, which fixes how many
 * rows of each stratum every fold gets (any two folds differ by at most one row per stratum);
 * then, stratum by stratum, that list of fold ids is shuffled with one shared
 * `RandomState(seed)` and handed to the stratum's rows in row order.
 *
 * A stratum with fewer rows than `nSplits` is simply spread over the first folds of the round
 * robin (some folds get none of it); there is no warning, and unlike sklearn this is allowed
 * even when every stratum is that small. Strata must be finite numbers; each fold's `test`
 * and `train` rows come back in ascending order.
 *
 * @example
 * ```ts
 * import type { LabelMatrix } from "../core/matrix.ts";
 * declare const Y: LabelMatrix;
 * const strata = genreCountStrata(Y); // 1, 2 or 3 genres per title
 * const folds = stratifiedKFold(strata, { nSplits: 5, seed: 42 });
 * ```
 */
export function stratifiedKFold(
  strata: ArrayLike<number>,
  options: StratifiedKFoldOptions = {},
): Split[] {
  const { nSplits = 5, shuffle = true, seed = 42 } = options;
  const n = strata.length;
  checkSplits("stratifiedKFold", nSplits, n);
  // Encode strata by order of first appearance.
  const codeOf = new Map<number, number>();
  const code = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = strata[i];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new RangeError(`stratifiedKFold: stratum of row ${i} is ${v}; give finite numbers`);
    }
    let c = codeOf.get(v);
    if (c === undefined) {
      c = codeOf.size;
      codeOf.set(v, c);
    }
    code[i] = c;
  }
  const nClasses = codeOf.size;
  const counts = new Int32Array(nClasses);
  for (let i = 0; i < n; i++) counts[code[i]]++;

  // Rows sorted (stably) by stratum code: stratum c owns sorted[starts[c] .. starts[c + 1]).
  const starts = new Int32Array(nClasses + 1);
  for (let c = 0; c < nClasses; c++) starts[c + 1] = starts[c] + counts[c];
  const sorted = new Int32Array(n);
  const fill = starts.slice(0, nClasses);
  for (let i = 0; i < n; i++) sorted[fill[code[i]]++] = i;

  const rng = shuffle ? new RandomState(seed) : null;
  const foldOf = new Int32Array(n);
  for (let c = 0; c < nClasses; c++) {
    const start = starts[c];
    const foldIds = new Int32Array(counts[c]);
    // Round robin over sorted positions, listed fold by fold (np.arange(k).repeat(allocation)).
    let w = 0;
    for (let f = 0; f < nSplits; f++) {
      const firstPos = start + ((f - (start % nSplits) + nSplits) % nSplits);
      for (let p = firstPos; p < start + counts[c]; p += nSplits) foldIds[w++] = f;
    }
    if (rng) rng.shuffle(foldIds);
    for (let k = 0; k < counts[c]; k++) foldOf[sorted[start + k]] = foldIds[k];
  }
  return splitsFromFoldIds(foldOf, nSplits);
}

/**
 * The strata the study stratified its CV folds by: each row's number of labels (genres).
 *
 * @example
 * ```ts
 * import { labelsFromRows } from "../core/matrix.ts";
 * genreCountStrata(labelsFromRows([[1, 0, 1], [0, 1, 0]])); // Int32Array [2, 1]
 * ```
 */
export function genreCountStrata(Y: LabelMatrix): Int32Array {
  if (Y.data.length !== Y.rows * Y.cols) {
    throw new RangeError(
      `genreCountStrata: label matrix ${Y.rows}×${Y.cols} needs ${
        Y.rows * Y.cols
      } values but holds ${Y.data.length}`,
    );
  }
  const out = new Int32Array(Y.rows);
  for (let i = 0; i < Y.rows; i++) {
    let s = 0;
    for (let j = 0; j < Y.cols; j++) s += Y.data[i * Y.cols + j];
    out[i] = s;
  }
  return out;
}
