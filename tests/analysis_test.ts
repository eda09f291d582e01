import assert from "node:assert/strict";
import { type LabelMatrix, labelsFromRows, type Matrix } from "../lib/core/matrix.ts";
import {
  imbalanceRatio,
  labelCounts,
  labelFrequency,
  labelsPerRow,
  labelStats,
} from "../lib/analysis/label_stats.ts";
import { cooccurrence, topPairs } from "../lib/analysis/cooccurrence.ts";
import {
  confusionPairs,
  coOccurrenceVsConfusion,
  pearsonCorrelation,
} from "../lib/analysis/confusion_pairs.ts";
import { averageRanks, rankGenres, spearmanCorrelation } from "../lib/analysis/genre_ranking.ts";
import { evaluate } from "../lib/metrics/multi_label_metrics.ts";

// A hand-built example, columns D = Dramas, C = Comedies, I = Intl, H = Horror.
const NAMES = ["Dramas", "Comedies", "Intl", "Horror"];
//                      D  C  I  H
const Y_TRUE = labelsFromRows([
  [1, 0, 1, 0], // r0
  [1, 0, 1, 0], // r1
  [1, 1, 0, 0], // r2
  [0, 1, 0, 0], // r3
  [1, 0, 1, 1], // r4
  [0, 0, 0, 0], // r5
]);
const Y_PRED = labelsFromRows([
  [1, 0, 1, 0], // r0 exact
  [1, 1, 0, 0], // r1 FP {C}, FN {I}
  [0, 1, 1, 0], // r2 FP {I}, FN {D}
  [1, 0, 0, 0], // r3 FP {D}, FN {C}
  [1, 1, 0, 0], // r4 FP {C}, FN {I, H}
  [0, 0, 1, 0], // r5 FP {I}, nothing true
]);

function at(m: Matrix<Int32Array>, i: number, j: number): number {
  return m.data[i * m.cols + j];
}

Deno.test("labelStats: counts, sorted frequency, labels per row, imbalance", () => {
  // Column sums: D 4, C 2, I 3, H 1.
  assert.deepEqual(Array.from(labelCounts(Y_TRUE)), [4, 2, 3, 1]);
  const freq = labelFrequency(Y_TRUE, { names: NAMES });
  assert.deepEqual(freq.map((f) => [f.name, f.count]), [
    ["Dramas", 4],
    ["Intl", 3],
    ["Comedies", 2],
    ["Horror", 1],
  ]);
  assert.equal(freq[0].share, 4 / 6);
  assert.equal(freq[0].index, 0);
  // Labels per row: 2, 2, 2, 1, 3, 0 → one row each with 0, 1 and 3 labels, three with 2.
  assert.deepEqual(labelsPerRow(Y_TRUE), { histogram: [1, 1, 3, 1], mean: 10 / 6, min: 0, max: 3 });
  const imb = imbalanceRatio(Y_TRUE, { names: NAMES });
  assert.equal(imb.ratio, 4); // Dramas 4 : Horror 1
  assert.equal(imb.most.name, "Dramas");
  assert.equal(imb.least.name, "Horror");
  const all = labelStats(Y_TRUE, { names: NAMES });
  assert.equal(all.n_rows, 6);
  assert.equal(all.n_labels, 4);
  assert.equal(all.imbalance.ratio, 4);
  assert.deepEqual(JSON.parse(JSON.stringify(all)), all);
  // Without names the column index is the name.
  assert.deepEqual(labelFrequency(Y_TRUE).map((f) => f.name), ["0", "2", "1", "3"]);
});

Deno.test("labelStats: ties by name, a never-seen label gives an infinite ratio", () => {
  // Counts b 2, a 2, c 0 → frequency ties broken by name; least is c with 0 → Infinity.
  const y = labelsFromRows([[0, 1, 0], [1, 1, 0], [1, 0, 0]]);
  assert.deepEqual(labelFrequency(y, { names: ["b", "a", "c"] }).map((f) => f.name), [
    "a",
    "b",
    "c",
  ]);
  const imb = imbalanceRatio(y, { names: ["b", "a", "c"] });
  assert.equal(imb.ratio, Infinity);
  assert.equal(imb.least.name, "c");
  // Tied least-frequent labels: the first by name is reported.
  const tie = imbalanceRatio(labelsFromRows([[1, 1, 1], [1, 0, 0]]), { names: ["z", "y", "x"] });
  assert.deepEqual([tie.most.name, tie.least.name, tie.ratio], ["z", "x", 2]);
});

Deno.test("cooccurrence counts rows with both labels; diagonal is the frequency", () => {
  const c = cooccurrence(Y_TRUE);
  // D-I in r0, r1, r4 → 3; D-C in r2 → 1; D-H and I-H in r4 → 1; C never meets I or H.
  // deno-fmt-ignore
  const expected = [
    4, 1, 3, 1,
    1, 2, 0, 0,
    3, 0, 3, 1,
    1, 0, 1, 1,
  ];
  assert.deepEqual(Array.from(c.data), expected);
  assert.deepEqual([c.rows, c.cols], [4, 4]);
  assert.deepEqual(
    Array.from({ length: 4 }, (_, j) => at(c, j, j)),
    Array.from(labelCounts(Y_TRUE)),
  );
});

Deno.test("topPairs sorts by count then names, a < b, no diagonal, no zeros by default", () => {
  const c = cooccurrence(Y_TRUE);
  assert.deepEqual(topPairs(c, NAMES, { k: 3 }), [
    { a: "Dramas", b: "Intl", count: 3 },
    { a: "Comedies", b: "Dramas", count: 1 },
    { a: "Dramas", b: "Horror", count: 1 },
  ]);
  const all = topPairs(c, NAMES, { k: Infinity });
  assert.equal(all.length, 4);
  assert.deepEqual(all[3], { a: "Horror", b: "Intl", count: 1 });
  const withZero = topPairs(c, NAMES, { k: Infinity, includeZero: true });
  assert.equal(withZero.length, 6); // 4·3/2 unordered pairs
  assert.deepEqual(withZero.slice(4), [
    { a: "Comedies", b: "Horror", count: 0 },
    { a: "Comedies", b: "Intl", count: 0 },
  ]);
  assert.equal(topPairs(c, NAMES).length, 4, "default k = 10 keeps all four non-zero pairs");
  assert.throws(() => topPairs(c, ["a", "b"]), /2 names for a 4×4 matrix/);
  assert.throws(
    () => topPairs({ rows: 2, cols: 3, data: new Int32Array(6) }, ["a", "b", "c"]),
    /cooc is 2×3/,
  );
});

Deno.test("confusionPairs, default 'missed': false positive × false negative per row", () => {
  // r1 (C, I); r2 (I, D); r3 (D, C); r4 (C, I) and (C, H); r0 exact and r5 has no FN.
  const r = confusionPairs(Y_TRUE, Y_PRED, { names: NAMES });
  assert.equal(r.actual, "missed");
  assert.deepEqual(r.pairs, [
    { predicted: "Comedies", actual: "Intl", count: 2 },
    { predicted: "Comedies", actual: "Horror", count: 1 },
    { predicted: "Dramas", actual: "Comedies", count: 1 },
    { predicted: "Intl", actual: "Dramas", count: 1 },
  ]);
  assert.equal(at(r.matrix, 1, 2), 2); // row = predicted Comedies, column = actual Intl
  assert.equal(at(r.matrix, 2, 1), 0); // not symmetric
  assert.equal(r.matrix.data.reduce((s, v) => s + v, 0), 5); // Σ |FP|·|FN| = 1+1+1+2
  assert.deepEqual(confusionPairs(Y_TRUE, Y_PRED, { names: NAMES, k: 1 }).pairs.length, 1);
});

Deno.test("confusionPairs, 'any_true': false positive × every true genre of the row", () => {
  // r1 C×{D,I}; r2 I×{D,C}; r3 D×{C}; r4 C×{D,I,H}; r5 I×{} adds nothing.
  const r = confusionPairs(Y_TRUE, Y_PRED, { names: NAMES, actual: "any_true", k: Infinity });
  assert.deepEqual(r.pairs, [
    { predicted: "Comedies", actual: "Dramas", count: 2 },
    { predicted: "Comedies", actual: "Intl", count: 2 },
    { predicted: "Comedies", actual: "Horror", count: 1 },
    { predicted: "Dramas", actual: "Comedies", count: 1 },
    { predicted: "Intl", actual: "Comedies", count: 1 },
    { predicted: "Intl", actual: "Dramas", count: 1 },
  ]);
  assert.equal(r.matrix.data.reduce((s, v) => s + v, 0), 8);
  // Every "missed" count is at most the "any_true" count, and the diagonal is always 0.
  const missed = confusionPairs(Y_TRUE, Y_PRED).matrix;
  for (let k = 0; k < 16; k++) assert.ok(missed.data[k] <= r.matrix.data[k]);
  for (let j = 0; j < 4; j++) assert.equal(at(r.matrix, j, j), 0);
});

Deno.test("coOccurrenceVsConfusion pairs each (X, Y) with co-occurrence; Pearson by hand", () => {
  const conf = confusionPairs(Y_TRUE, Y_PRED, { names: NAMES });
  const res = coOccurrenceVsConfusion(conf.matrix, cooccurrence(Y_TRUE), { names: NAMES });
  assert.equal(res.pairs.length, 12); // 4·3 ordered off-diagonal pairs
  assert.deepEqual(res.pairs.slice(0, 4), [
    { predicted: "Comedies", actual: "Intl", confusion: 2, cooccurrence: 0 },
    { predicted: "Intl", actual: "Dramas", confusion: 1, cooccurrence: 3 },
    { predicted: "Dramas", actual: "Comedies", confusion: 1, cooccurrence: 1 },
    { predicted: "Comedies", actual: "Horror", confusion: 1, cooccurrence: 0 },
  ]);
  // confusion over the 12 pairs: 1,2,1,1 and eight 0s (Σ 5, Σ² 7); co-occurrence: 3,3 and
  // six 1s and four 0s (Σ 12, Σ² 24); Σ c·o = 1·1 + 2·0 + 1·0 + 1·3 = 4.
  // sxy = 4 − 5·12/12 = −1, sxx = 7 − 25/12 = 59/12, syy = 24 − 12 = 12 → r = −1/√59.
  assert.ok(Math.abs(res.pearson - -1 / Math.sqrt(59)) < 1e-12, `pearson ${res.pearson}`);
  assert.throws(
    () => coOccurrenceVsConfusion(conf.matrix, cooccurrence(labelsFromRows([[1, 0]]))),
    /confusion is 4×4 and cooc is 2×2/,
  );
});

Deno.test("pearson and spearman match scipy (fixture), ties use average ranks", () => {
  const fx = JSON.parse(
    Deno.readTextFileSync(new URL("./fixtures/metrics/correlation.json", import.meta.url)),
  ) as { x: number[]; y: number[]; pearson: number; spearman: number };
  assert.ok(Math.abs(pearsonCorrelation(fx.x, fx.y) - fx.pearson) < 1e-9);
  assert.ok(Math.abs(spearmanCorrelation(fx.x, fx.y) - fx.spearman) < 1e-9);
  assert.deepEqual(Array.from(averageRanks([10, 20, 10, 30])), [1.5, 3, 1.5, 4]);
  assert.ok(Number.isNaN(pearsonCorrelation([1, 1, 1], [1, 2, 3])), "constant sample → NaN");
  assert.ok(Number.isNaN(spearmanCorrelation([1], [2])), "one value → NaN");
  assert.throws(() => pearsonCorrelation([1, 2], [1]), /x has 2 values but y has 1/);
  assert.throws(() => spearmanCorrelation([1, NaN], [1, 2]), /value 1 is NaN/);
});

Deno.test("rankGenres joins F1 with support, classifies and correlates", () => {
  // Per genre (by hand): Dramas tp 3 of 4 predicted / 4 true → F1 0.75; Comedies tp 1, pred 3,
  // true 2 → p 1/3, r 1/2, F1 0.4; Intl tp 1, pred 3, true 3 → F1 1/3; Horror never predicted → 0.
  const report = evaluate(Y_TRUE, Y_PRED, { labelNames: NAMES });
  const r = rankGenres(report.per_genre);
  assert.deepEqual(r.genres.map((g) => [g.rank, g.name, g.difficulty]), [
    [1, "Dramas", "easy"],
    [2, "Comedies", "medium"],
    [3, "Intl", "medium"],
    [4, "Horror", "hard"],
  ]);
  assert.ok(Math.abs(r.genres[1].f1 - 0.4) < 1e-12);
  assert.equal(r.genres[0].support, 4);
  assert.deepEqual([r.easy, r.medium, r.hard], [["Dramas"], ["Comedies", "Intl"], ["Horror"]]);
  // Support ranks D4 C2 I3 H1 vs F1 ranks D4 C3 I2 H1: Σd² = 2 → ρ = 1 − 6·2/(4·15) = 0.8.
  assert.ok(Math.abs(r.spearman - 0.8) < 1e-12, `spearman ${r.spearman}`);

  const loose = rankGenres(report.per_genre, { easyAt: 0.35, hardBelow: 0.35 });
  assert.deepEqual([loose.easy, loose.medium, loose.hard], [["Dramas", "Comedies"], [], [
    "Intl",
    "Horror",
  ]]);
  // Equal F1: larger support first, then name.
  const tie = rankGenres({
    b: { precision: 0.5, recall: 0.5, f1: 0.5, support: 3 },
    a: { precision: 0.5, recall: 0.5, f1: 0.5, support: 3 },
    c: { precision: 0.5, recall: 0.5, f1: 0.5, support: 9 },
  });
  assert.deepEqual(tie.genres.map((g) => g.name), ["c", "a", "b"]);
  assert.ok(Number.isNaN(tie.spearman), "constant F1 → NaN");
});

Deno.test("analysis helpers reject bad input with clear messages", () => {
  const empty: LabelMatrix = { rows: 0, cols: 4, data: new Uint8Array(0) };
  assert.throws(() => labelCounts(empty), /labelCounts: y is empty \(0×4\)/);
  assert.throws(() => labelsPerRow(empty), /empty/);
  assert.throws(() => labelFrequency(Y_TRUE, { names: ["a"] }), /1 names for 4 label columns/);
  assert.throws(
    () => confusionPairs(Y_TRUE, labelsFromRows([[1, 0, 1, 0]])),
    /confusionPairs: yTrue is 6×4 but yPred is 1×4/,
  );
  assert.throws(() => confusionPairs(empty, empty), /yTrue is empty/);
  assert.throws(
    () => confusionPairs(Y_TRUE, Y_PRED, { actual: "fn" as "missed" }),
    /unknown actual "fn"/,
  );
  assert.throws(() => rankGenres({}), /perGenre is empty/);
  assert.throws(
    () =>
      rankGenres({ x: { precision: 1, recall: 1, f1: 1, support: 1 } }, {
        easyAt: 0.1,
        hardBelow: 0.5,
      }),
    /hardBelow \(0.5\) must not exceed easyAt \(0.1\)/,
  );
  assert.throws(
    () => rankGenres({ x: { precision: 1, recall: 1, f1: NaN, support: 1 } }),
    /genre "x" has f1 = null/,
  );
  assert.throws(
    () => cooccurrence({ rows: 2, cols: 2, data: new Uint8Array(3) }),
    /cooccurrence: y: shape 2×2 needs 4 values/,
  );
});
