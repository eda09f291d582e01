/**
 * The hold-out split: the same rows, in the same order, that scikit-learn's
 * `train_test_split(range(n), test_size=..., random_state=seed)` returns.
 *
 * @module
 */

import { RandomState } from "../core/mt19937.ts";

/** Row indices of one split. */
export interface Split {
  /** Rows to fit on. */
  train: Int32Array;
  /** Rows to evaluate on. */
  test: Int32Array;
}

/** Options for {@linkcode trainTestSplit}. */
export interface TrainTestSplitOptions {
  /**
   * Test set size: a fraction in `(0, 1)` (rounded up, as sklearn's `ceil(test_size * n)`) or an
   * integer row count `>= 1`. Default `0.2` (the study's value; sklearn's own default is 0.25).
   */
  testSize?: number;
  /**
   * Train set size: a fraction in `(0, 1)` (rounded down) or an integer row count. Default: every
   * row not in the test set.
   */
  trainSize?: number;
  /** `random_state`: seed of NumPy's legacy `RandomState` (default 42). */
  seed?: number;
  /** Shuffle before splitting (default `true`); `false` gives the leading/trailing rows. */
  shuffle?: boolean;
}

/** Resolves a size given as a fraction or a count, as sklearn's `_validate_shuffle_split`. */
function sizeFor(
  name: string,
  size: number,
  n: number,
  round: (x: number) => number,
): number {
  if (typeof size !== "number" || !Number.isFinite(size)) {
    throw new RangeError(`trainTestSplit: ${name} must be a number, got ${size}`);
  }
  if (Number.isInteger(size)) {
    if (size <= 0 || size >= n) {
      throw new RangeError(
        `trainTestSplit: ${name}=${size} rows must be at least 1 and below the ${n} samples; ` +
          `give a row count in 1..${n - 1} or a fraction in (0, 1)`,
      );
    }
    return size;
  }
  if (size <= 0 || size >= 1) {
    throw new RangeError(
      `trainTestSplit: ${name}=${size} must be a fraction in (0, 1) or a whole row count`,
    );
  }
  return round(size * n);
}

/**
 * Splits `0..nSamples-1` into train and test rows exactly as scikit-learn's `train_test_split`
 * (`ShuffleSplit`): `nTest = ceil(testSize * n)`, `nTrain = n - nTest`,
 * `perm = RandomState(seed).permutation(n)`, `test = perm[:nTest]`,
 * `train = perm[nTest:nTest + nTrain]`. Both come back in that (shuffled) order.
 *
 * Throws a `RangeError` saying which argument is wrong for a non-integer or too small
 * `nSamples`, sizes outside `(0, 1)`/`1..n-1`, sizes adding up to more than `n`, or an empty
 * train set.
 *
 * @example
 * ```ts
 * const { train, test } = trainTestSplit(7787, { testSize: 0.2, seed: 42 });
 * train.length; // 6229
 * test.length; // 1558
 * ```
 */
export function trainTestSplit(nSamples: number, options: TrainTestSplitOptions = {}): Split {
  const { testSize = 0.2, trainSize, seed = 42, shuffle = true } = options;
  if (!Number.isInteger(nSamples) || nSamples < 0) {
    throw new RangeError(
      `trainTestSplit: nSamples must be a non-negative integer, got ${nSamples}`,
    );
  }
  if (nSamples < 2) {
    throw new RangeError(
      `trainTestSplit: need at least 2 samples to make a train and a test set, got ${nSamples}`,
    );
  }
  const nTest = sizeFor("testSize", testSize, nSamples, Math.ceil);
  const nTrain = trainSize === undefined
    ? nSamples - nTest
    : sizeFor("trainSize", trainSize, nSamples, Math.floor);
  if (nTrain + nTest > nSamples) {
    throw new RangeError(
      `trainTestSplit: trainSize (${nTrain} rows) + testSize (${nTest} rows) exceeds the ` +
        `${nSamples} samples; reduce one of them`,
    );
  }
  if (nTrain === 0) {
    throw new RangeError(
      `trainTestSplit: with ${nSamples} samples and testSize=${testSize} the train set would ` +
        `be empty; use a smaller testSize`,
    );
  }
  if (!shuffle) {
    const train = new Int32Array(nTrain);
    const test = new Int32Array(nTest);
    for (let i = 0; i < nTrain; i++) train[i] = i;
    for (let i = 0; i < nTest; i++) test[i] = nTrain + i;
    return { train, test };
  }
  const perm = new RandomState(seed).permutation(nSamples);
  return {
    test: perm.slice(0, nTest),
    train: perm.slice(nTest, nTest + nTrain),
  };
}
