import assert from "node:assert/strict";
import { fromRows, type LabelMatrix, labelsFromRows, type Matrix } from "../lib/core/matrix.ts";
import {
  binarize,
  evaluate,
  exactMatch,
  type F1Average,
  f1MacroAt,
  f1Score,
  hammingLoss,
  perLabelF1At,
  perLabelScores,
} from "../lib/metrics/multi_label_metrics.ts";

const FIXTURES = new URL("./fixtures/metrics/", import.meta.url);
const TOL = 1e-9;

interface Expected {
  hamming_loss: number;
  exact_match: number;
  f1_macro: number;
  f1_micro: number;
  f1_samples: number;
  f1_weighted: number;
  precision: number[];
  recall: number[];
  f1: number[];
  support: number[];
}

interface LabelCase {
  sklearn: string;
  y_true: number[][];
  y_pred: number[][];
  expected: Expected;
}

interface ProbaCase {
  y_true: number[][];
  proba: number[][];
  expected: { threshold: number; y_pred: number[][]; f1_macro: number; f1: number[] }[];
  per_label_thresholds: number[];
  expected_per_label: { y_pred: number[][]; f1_macro: number };
}

function load<T>(name: string): T {
  return JSON.parse(Deno.readTextFileSync(new URL(`${name}.json`, FIXTURES))) as T;
}

function close(actual: number, expected: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= TOL,
    `${what}: got ${actual}, scikit-learn says ${expected}`,
  );
}

function closeArray(actual: ArrayLike<number>, expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let j = 0; j < expected.length; j++) close(actual[j], expected[j], `${what}[${j}]`);
}

function proba64(rows: number[][]): Matrix<Float64Array> {
  const m = fromRows(rows);
  const data = new Float64Array(m.rows * m.cols);
  rows.forEach((r, i) => r.forEach((v, j) => (data[i * m.cols + j] = v)));
  return { rows: m.rows, cols: m.cols, data };
}

for (const name of ["edge_60x7", "dense_25x4", "no_true_6x3"]) {
  Deno.test(`metrics match scikit-learn 1.2 on fixture ${name}`, () => {
    const fx = load<LabelCase>(name);
    assert.ok(fx.sklearn.startsWith("1.2"), `fixture made with sklearn ${fx.sklearn}`);
    const yTrue = labelsFromRows(fx.y_true);
    const yPred = labelsFromRows(fx.y_pred);
    const e = fx.expected;
    close(hammingLoss(yTrue, yPred), e.hamming_loss, "hamming_loss");
    close(exactMatch(yTrue, yPred), e.exact_match, "exact_match");
    for (const average of ["macro", "micro", "samples", "weighted"] as F1Average[]) {
      close(f1Score(yTrue, yPred, { average }), e[`f1_${average}`], `f1_${average}`);
    }
    close(f1Score(yTrue, yPred), e.f1_macro, "f1 default average is macro");
    const s = perLabelScores(yTrue, yPred);
    closeArray(s.precision, e.precision, "precision");
    closeArray(s.recall, e.recall, "recall");
    closeArray(s.f1, e.f1, "f1");
    assert.deepEqual(Array.from(s.support), e.support);
    assert.ok(s.support instanceof Int32Array);

    const names = e.support.map((_, j) => `genre ${j}`);
    const report = evaluate(yTrue, yPred, { labelNames: names });
    close(report.hamming_loss, e.hamming_loss, "evaluate.hamming_loss");
    close(report.exact_match, e.exact_match, "evaluate.exact_match");
    close(report.f1_macro, e.f1_macro, "evaluate.f1_macro");
    close(report.f1_micro, e.f1_micro, "evaluate.f1_micro");
    close(report.f1_samples, e.f1_samples, "evaluate.f1_samples");
    close(report.f1_weighted, e.f1_weighted, "evaluate.f1_weighted");
    assert.deepEqual(Object.keys(report.per_genre), names);
    names.forEach((n, j) => {
      close(report.per_genre[n].precision, e.precision[j], `${n}.precision`);
      close(report.per_genre[n].recall, e.recall[j], `${n}.recall`);
      close(report.per_genre[n].f1, e.f1[j], `${n}.f1`);
      assert.equal(report.per_genre[n].support, e.support[j]);
    });
    // Plain JSON: survives a round trip unchanged.
    assert.deepEqual(JSON.parse(JSON.stringify(report)), report);
  });
}

Deno.test("edge fixture really covers the edge cases it claims", () => {
  const fx = load<LabelCase>("edge_60x7");
  const t = fx.y_true, p = fx.y_pred;
  assert.equal(t.reduce((s, r) => s + r[3], 0), 0, "label 3 never true");
  assert.equal(p.reduce((s, r) => s + r[5], 0), 0, "label 5 never predicted");
  const empty = t.filter((r, i) => r.every((v) => v === 0) && p[i].every((v) => v === 0));
  assert.ok(empty.length >= 2, "rows with neither true nor predicted labels");
  // sklearn 1.2, zero_division=0: label with no support has F1 0 and still drags the macro mean.
  assert.equal(fx.expected.f1[3], 0);
  assert.equal(fx.expected.f1[5], 0);
});

Deno.test("hand-computed metrics on a 3×3 example", () => {
  // Row 0: true {0,1}, pred {0}     → tp 1, p 1,   r 1/2, F1 2/3
  // Row 1: true {2},   pred {1,2}   → tp 1, p 1/2, r 1,   F1 2/3
  // Row 2: true {},    pred {}      → F1 0 (sklearn 1.2, zero_division=0)
  const yTrue = labelsFromRows([[1, 1, 0], [0, 0, 1], [0, 0, 0]]);
  const yPred = labelsFromRows([[1, 0, 0], [0, 1, 1], [0, 0, 0]]);
  assert.equal(hammingLoss(yTrue, yPred), 2 / 9);
  assert.equal(exactMatch(yTrue, yPred), 1 / 3);
  close(f1Score(yTrue, yPred, { average: "samples" }), (2 / 3 + 2 / 3) / 3, "samples");
  // Labels: 0 → F1 1; 1 → tp 0 → F1 0; 2 → F1 1. Macro 2/3; weighted (1·1+1·0+1·1)/3.
  close(f1Score(yTrue, yPred, { average: "macro" }), 2 / 3, "macro");
  close(f1Score(yTrue, yPred, { average: "weighted" }), 2 / 3, "weighted");
  // Micro: tp 2, predicted 3, true 3 → 2/3.
  close(f1Score(yTrue, yPred, { average: "micro" }), 2 / 3, "micro");
  const report = evaluate(yTrue, yPred);
  assert.deepEqual(Object.keys(report.per_genre), ["0", "1", "2"]);
  assert.deepEqual(report.per_genre["1"], { precision: 0, recall: 0, f1: 0, support: 1 });
});

Deno.test("binarize uses p >= t and matches numpy on the 1/20 grid", () => {
  const fx = load<ProbaCase>("proba_40x6");
  const proba = proba64(fx.proba);
  for (const { threshold: t, y_pred } of fx.expected) {
    assert.deepEqual(binarize(proba, t), labelsFromRows(y_pred), `threshold ${t}`);
  }
  assert.deepEqual(
    binarize(proba, fx.per_label_thresholds),
    labelsFromRows(fx.expected_per_label.y_pred),
  );
  // Equality counts as positive, NaN never does; float32 0.3 is above the double 0.3.
  const p = fromRows([[0.5, 0.49, NaN, 0.3]]);
  assert.deepEqual(Array.from(binarize(p, 0.5).data), [1, 0, 0, 0]);
  assert.deepEqual(Array.from(binarize(p, 0.3).data), [1, 1, 0, 1]);
});

Deno.test("f1MacroAt and perLabelF1At equal sklearn's F1 of the binarized matrix", () => {
  const fx = load<ProbaCase>("proba_40x6");
  const yTrue = labelsFromRows(fx.y_true);
  const proba = proba64(fx.proba);
  const proba32 = fromRows(fx.proba);
  const out = new Float64Array(yTrue.cols);
  for (const e of fx.expected) {
    const t = e.threshold;
    close(f1MacroAt(yTrue, proba, { threshold: t }), e.f1_macro, `f1MacroAt(${t})`);
    close(f1MacroAt(yTrue, proba, t), e.f1_macro, `f1MacroAt(${t}) shorthand`);
    close(
      f1MacroAt(yTrue, proba32, t),
      f1Score(yTrue, binarize(proba32, t), { average: "macro" }),
      `float32 f1MacroAt(${t})`,
    );
    const got = perLabelF1At(yTrue, proba, { threshold: t, out });
    assert.equal(got, out, "writes into the given array");
    closeArray(got, e.f1, `perLabelF1At(${t})`);
  }
  close(
    f1MacroAt(yTrue, proba, { threshold: fx.per_label_thresholds }),
    fx.expected_per_label.f1_macro,
    "per-label thresholds",
  );
  close(
    f1MacroAt(yTrue, proba),
    fx.expected.find((e) => e.threshold === 0.5)!.f1_macro,
    "default threshold 0.5",
  );
});

Deno.test("f1MacroAt gives the same answer when called with a wider matrix in between", () => {
  // The scratch buffer is shared: a call on more labels must not leak counts into a later one.
  const small = labelsFromRows([[1, 0], [0, 1]]);
  const smallP = fromRows([[0.9, 0.1], [0.2, 0.8]]);
  assert.equal(f1MacroAt(small, smallP, 0.5), 1);
  const wide = labelsFromRows([[1, 1, 1, 1], [1, 1, 1, 1]]);
  assert.equal(f1MacroAt(wide, fromRows([[1, 1, 1, 1], [1, 1, 1, 1]]), 0.5), 1);
  assert.equal(f1MacroAt(small, smallP, 0.5), 1);
  assert.equal(f1MacroAt(small, smallP, 0.95), 0);
});

Deno.test("shape mismatches name both shapes", () => {
  const a = labelsFromRows([[1, 0, 1], [0, 1, 0]]);
  const b = labelsFromRows([[1, 0], [0, 1]]);
  const fns: [string, (x: LabelMatrix, y: LabelMatrix) => unknown][] = [
    ["hammingLoss", hammingLoss],
    ["exactMatch", exactMatch],
    ["f1Score", (x, y) => f1Score(x, y)],
    ["perLabelScores", perLabelScores],
    ["evaluate", (x, y) => evaluate(x, y)],
  ];
  for (const [name, fn] of fns) {
    assert.throws(() => fn(a, b), (e: Error) => {
      assert.ok(e instanceof RangeError);
      assert.match(e.message, new RegExp(`^${name}: yTrue is 2×3 but yPred is 2×2`));
      return true;
    });
  }
  assert.throws(
    () => f1MacroAt(a, fromRows([[0.1, 0.2, 0.3]]), 0.5),
    /f1MacroAt: yTrue is 2×3 but proba is 1×3/,
  );
  assert.throws(() => binarize(fromRows([[0.1, 0.2]]), [0.5]), /1 thresholds for 2 label columns/);
  assert.throws(
    () => perLabelF1At(b, fromRows([[1, 0], [0, 1]]), { out: new Float64Array(3) }),
    /out has length 3 but there are 2 label columns/,
  );
  const broken: LabelMatrix = { rows: 2, cols: 2, data: new Uint8Array(3) };
  assert.throws(() => hammingLoss(broken, broken), /yTrue: shape 2×2 needs 4 values/);
});

Deno.test("empty input, non-binary values, bad names and bad options are rejected", () => {
  const empty: LabelMatrix = { rows: 0, cols: 3, data: new Uint8Array(0) };
  assert.throws(() => hammingLoss(empty, empty), /yTrue is empty \(0×3\)/);
  assert.throws(() => f1MacroAt(empty, { rows: 0, cols: 3, data: new Float32Array(0) }), /empty/);
  const noCols: LabelMatrix = { rows: 2, cols: 0, data: new Uint8Array(0) };
  assert.throws(() => f1Score(noCols, noCols), /empty \(2×0\)/);
  const y = labelsFromRows([[1, 0], [0, 1]]);
  const two = labelsFromRows([[1, 0], [0, 2]]);
  assert.throws(() => exactMatch(y, two), /yPred holds 2 at row 1, column 1/);
  assert.throws(() => f1MacroAt(two, fromRows([[1, 0], [0, 1]])), /yTrue holds 2 at row 1/);
  assert.throws(() => evaluate(y, y, { labelNames: ["a"] }), /1 names .* 2 columns/);
  assert.throws(() => evaluate(y, y, { labelNames: ["a", "a"] }), /"a" appears twice/);
  assert.throws(
    () => f1Score(y, y, { average: "binary" as F1Average }),
    /unknown average "binary"/,
  );
  assert.throws(() => binarize(fromRows([[0.1]]), NaN), /threshold is NaN/);
});
