import assert from "node:assert/strict";
import { trainTestSplit } from "../lib/model_selection/train_test_split.ts";
import {
  genreCountStrata,
  kFold,
  type Split,
  stratifiedKFold,
} from "../lib/model_selection/k_fold.ts";
import { labelsFromRows } from "../lib/core/matrix.ts";
import { RandomState } from "../lib/core/mt19937.ts";

// Written by scripts/fixtures/make_split_fixtures.py with scikit-learn 1.2.1 / numpy 1.24.
const fx = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/split/splits.json", import.meta.url)),
);

/** Fold id per row, checking that the folds' test sets partition the rows. */
function foldOfRow(folds: Split[], n: number): number[] {
  const out = new Array<number>(n).fill(-1);
  folds.forEach(({ test }, f) => {
    for (const i of test) {
      assert.equal(out[i], -1, `row ${i} is in two test folds`);
      out[i] = f;
    }
  });
  assert.ok(out.every((f) => f >= 0), "every row is in some test fold");
  return out;
}

function assertFoldShape(folds: Split[], n: number): void {
  for (const { train, test } of folds) {
    assert.equal(train.length + test.length, n);
    const inTest = new Set(test);
    for (const i of train) assert.ok(!inTest.has(i), `row ${i} is in train and test`);
    for (let k = 1; k < train.length; k++) assert.ok(train[k - 1] < train[k]);
    for (let k = 1; k < test.length; k++) assert.ok(test[k - 1] < test[k]);
  }
}

Deno.test("trainTestSplit selects sklearn's rows in sklearn's order", () => {
  assert.ok(fx.train_test_split.length >= 8);
  for (const c of fx.train_test_split) {
    const { train, test } = trainTestSplit(c.n, { testSize: c.test_size, seed: c.seed });
    const label = `n=${c.n} test_size=${c.test_size} seed=${c.seed}`;
    assert.deepEqual(Array.from(test), c.test, label);
    assert.deepEqual(Array.from(train), c.train, label);
  }
});

Deno.test("trainTestSplit defaults are the study's: 20 % test, seed 42", () => {
  const c = fx.train_test_split.find((c: { n: number; test_size: number; seed: number }) =>
    c.n === 7787 && c.test_size === 0.2 && c.seed === 42
  );
  const { train, test } = trainTestSplit(7787);
  assert.equal(test.length, 1558);
  assert.equal(train.length, 6229);
  assert.deepEqual(Array.from(test), c.test);
});

Deno.test("trainTestSplit: trainSize and shuffle=false", () => {
  const a = trainTestSplit(10, { testSize: 0.3, trainSize: 0.5, seed: 0 });
  assert.equal(a.test.length, 3);
  assert.equal(a.train.length, 5);
  const perm = new RandomState(0).permutation(10);
  assert.deepEqual(Array.from(a.test), Array.from(perm.subarray(0, 3)));
  assert.deepEqual(Array.from(a.train), Array.from(perm.subarray(3, 8)));
  const b = trainTestSplit(5, { testSize: 2, shuffle: false });
  assert.deepEqual(Array.from(b.train), [0, 1, 2]);
  assert.deepEqual(Array.from(b.test), [3, 4]);
});

Deno.test("trainTestSplit rejects bad sizes with messages that name the argument", () => {
  assert.throws(() => trainTestSplit(10, { testSize: 0 }), /testSize=0 rows must be at least 1/);
  assert.throws(() => trainTestSplit(10, { testSize: 1.5 }), /testSize=1\.5 must be a fraction/);
  assert.throws(() => trainTestSplit(10, { testSize: -0.2 }), /testSize=-0\.2/);
  assert.throws(() => trainTestSplit(10, { testSize: 10 }), /below the 10 samples/);
  assert.throws(() => trainTestSplit(10, { testSize: NaN }), /testSize must be a number/);
  assert.throws(
    () => trainTestSplit(10, { testSize: 0.5, trainSize: 0.6 }),
    /trainSize \(6 rows\) \+ testSize \(5 rows\) exceeds the 10 samples/,
  );
  assert.throws(() => trainTestSplit(1), /at least 2 samples/);
  assert.throws(() => trainTestSplit(2.5), /nSamples must be a non-negative integer/);
  assert.throws(() => trainTestSplit(10, { seed: -1 }), /seed must be an integer/);
});

Deno.test("kFold matches sklearn's KFold (shuffled and not)", () => {
  assert.ok(fx.kfold.length >= 4);
  for (const c of fx.kfold) {
    const folds = kFold(c.n, { nSplits: c.n_splits, shuffle: c.shuffle, seed: c.seed });
    assert.equal(folds.length, c.n_splits);
    assertFoldShape(folds, c.n);
    assert.deepEqual(foldOfRow(folds, c.n), c.fold_of_row, `n=${c.n} k=${c.n_splits}`);
  }
});

Deno.test("kFold sizes: first n % k folds are one row larger", () => {
  const sizes = kFold(23, { nSplits: 5 }).map((f) => f.test.length);
  assert.deepEqual(sizes, [5, 5, 5, 4, 4]);
});

Deno.test("stratifiedKFold matches sklearn's StratifiedKFold (shuffled and not)", () => {
  assert.ok(fx.stratified.length >= 4);
  for (const c of fx.stratified) {
    const folds = stratifiedKFold(c.strata, {
      nSplits: c.n_splits,
      shuffle: c.shuffle,
      seed: c.seed ?? undefined,
    });
    assertFoldShape(folds, c.strata.length);
    assert.deepEqual(foldOfRow(folds, c.strata.length), c.fold_of_row, c.name);
  }
});

Deno.test("stratifiedKFold: each stratum's share per fold is within one row", () => {
  const rs = new RandomState(11);
  for (const [n, k, nStrata] of [[97, 5, 3], [500, 7, 6], [31, 3, 10]]) {
    const strata = Array.from({ length: n }, () => rs.randint(0, nStrata));
    const folds = stratifiedKFold(strata, { nSplits: k, seed: 5 });
    assertFoldShape(folds, n);
    foldOfRow(folds, n);
    for (let s = 0; s < nStrata; s++) {
      const per = folds.map((f) => Array.from(f.test).filter((i) => strata[i] === s).length);
      assert.ok(Math.max(...per) - Math.min(...per) <= 1, `stratum ${s}: ${per}`);
    }
  }
});

Deno.test("stratifiedKFold spreads strata smaller than nSplits, deterministically", () => {
  const strata = [1, 2, 3, 4, 5, 6, 7, 1, 2, 3]; // every stratum has < 5 rows
  const a = stratifiedKFold(strata, { nSplits: 5, seed: 1 });
  assertFoldShape(a, strata.length);
  foldOfRow(a, strata.length);
  for (const f of a) assert.equal(f.test.length, 2);
  assert.deepEqual(stratifiedKFold(strata, { nSplits: 5, seed: 1 }), a);
  assert.notDeepEqual(
    stratifiedKFold(strata, { nSplits: 5, seed: 2 }).map((f) => Array.from(f.test)),
    a.map((f) => Array.from(f.test)),
  );
});

Deno.test("splitters reject bad arguments clearly", () => {
  assert.throws(() => kFold(4, { nSplits: 5 }), /nSplits=5 is more than the 4 samples/);
  assert.throws(() => kFold(10, { nSplits: 1 }), /nSplits must be an integer >= 2/);
  assert.throws(() => kFold(-1), /nSamples must be a non-negative integer/);
  assert.throws(() => stratifiedKFold([1, 2, NaN, 1, 2, 1]), /stratum of row 2 is NaN/);
  assert.throws(() => stratifiedKFold([1, 2, 3], { nSplits: 5 }), /more than the 3 samples/);
});

Deno.test("genreCountStrata counts labels per row", () => {
  const Y = labelsFromRows([[1, 0, 1, 1], [0, 0, 0, 1], [1, 1, 0, 0]]);
  assert.deepEqual(Array.from(genreCountStrata(Y)), [3, 1, 2]);
  assert.throws(
    () => genreCountStrata({ rows: 2, cols: 2, data: new Uint8Array(3) }),
    /2×2 needs 4 values but holds 3/,
  );
});
