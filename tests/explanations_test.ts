import assert from "node:assert/strict";
import { reliability } from "../lib/analysis/explain/calibration.ts";
import {
  blockMeans,
  explainTitles,
  explanationRows,
  formatExplanation,
  recordsFromTitles,
} from "../lib/pipeline/explain_title.ts";
import { claimGenres, explainGroups, studyClaims } from "../lib/analysis/explain/study_claims.ts";
import { genreCountStrata, stratifiedKFold } from "../lib/model_selection/k_fold.ts";
import { labelContradictions } from "../lib/analysis/explain/label_noise.ts";
import { LogisticRegression } from "../lib/models/logistic_regression.ts";
import {
  fromRows,
  type LabelMatrix,
  labelsFromRows,
  type Matrix,
  takeRows,
} from "../lib/core/matrix.ts";
import { mergeMetrics, type MetricsFile } from "../lib/pipeline/metrics_file.ts";
import { RandomState } from "../lib/core/mt19937.ts";
import { parseTitles } from "../lib/data/netflix_csv.ts";
import { permutationImportance } from "../lib/model_selection/permutation_importance.ts";
import { TermModel } from "../lib/analysis/explain/term_evidence.ts";
import { titlesFromRecords } from "../lib/data/title_records.ts";
import { syntheticCsv } from "./support/synthetic_titles.ts";
import { smallGenreModel } from "./support/small_genre_model.ts";

/** n rows: column 0 decides label 0, column 1 is noise; label 1 follows column 2. */
function planted(n: number): { X: Matrix; Y: LabelMatrix } {
  const rng = new RandomState(3);
  const rows: number[][] = [];
  const labels: number[][] = [];
  for (let i = 0; i < n; i++) {
    const a = i % 2;
    const c = rng.randomSample() < 0.5 ? 1 : 0;
    rows.push([a * 2 - 1 + 0.1 * rng.randomSample(), rng.randomSample(), c * 2 - 1]);
    labels.push([a, c]);
  }
  return { X: fromRows(rows), Y: labelsFromRows(labels) };
}

Deno.test("permutationImportance: the planted column drives its label, the noise column nothing", async () => {
  const { X, Y } = planted(120);
  const r = await permutationImportance(new LogisticRegression({ C: 10 }), [X, Y], {
    groups: [
      { name: "signal", columns: [0] },
      { name: "noise", columns: [1] },
      { name: "other", columns: [2] },
    ],
    folds: stratifiedKFold(genreCountStrata(Y), { nSplits: 3, seed: 1 }),
    thresholds: [0.5, 0.5],
    repeats: 4,
    seed: 5,
  });
  assert.ok(r.baseline[0] > 0.95 && r.baseline[1] > 0.95, String(r.baseline));
  const [signal, noise, other] = r.groups;
  // Shuffling the signal column leaves label 0 at chance (F1 ≈ 0.5): a drop near 0.5.
  assert.ok(signal.mean[0] > 0.3, `signal drop ${signal.mean[0]}`);
  assert.ok(Math.abs(signal.mean[1]) < 0.05, `signal on label 1: ${signal.mean[1]}`);
  assert.ok(Math.abs(noise.mean[0]) < 0.05 && Math.abs(noise.mean[1]) < 0.05);
  assert.ok(other.mean[1] > 0.3 && Math.abs(other.mean[0]) < 0.05);
  assert.ok(signal.std[0] >= 0 && signal.std[0] < 0.2);
  assert.equal(r.repeats, 4);
  await assert.rejects(
    permutationImportance(new LogisticRegression(), [X, Y], {
      groups: [{ name: "bad", columns: [7] }],
      folds: stratifiedKFold(genreCountStrata(Y), { nSplits: 2 }),
      thresholds: 0.5,
    }),
    /group "bad" names column 7, outside 0\.\.2/,
  );
});

Deno.test("permutationImportance: fold models fitted elsewhere are used as given", async () => {
  const { X, Y } = planted(90);
  const folds = stratifiedKFold(genreCountStrata(Y), { nSplits: 3, seed: 2 });
  const options = { groups: [{ name: "signal", columns: [0] }], folds, thresholds: 0.5, seed: 1 };
  const fresh = await permutationImportance(new LogisticRegression({ C: 10 }), [X, Y], options);
  const prefit = await Promise.all(
    folds.map((f) =>
      new LogisticRegression({ C: 10 }).fit(takeRows(X, f.train), takeRows(Y, f.train))
    ),
  );
  let made = 0;
  class Counted extends LogisticRegression {
    override clone(): LogisticRegression {
      made++;
      return super.clone();
    }
  }
  const reused = await permutationImportance(new Counted({ C: 10 }), [X, Y], {
    ...options,
    fitted: (k) => Promise.resolve(k === 2 ? null : prefit[k]),
  });
  assert.equal(made, 1, "only the fold without a fitted model is fitted here");
  assert.deepEqual([...reused.oof.data], [...fresh.oof.data]);
  assert.deepEqual([...reused.groups[0].mean], [...fresh.groups[0].mean]);
});

Deno.test("reliability: calibrated probabilities have ECE ≈ 0, overconfident ones a large ECE", () => {
  const rng = new RandomState(11);
  const n = 4000;
  const p = new Float32Array(n);
  const over = new Float32Array(n);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    p[i] = rng.randomSample();
    y[i] = rng.randomSample() < p[i] ? 1 : 0;
    over[i] = p[i] > 0.5 ? 1 - (1 - p[i]) / 4 : p[i] / 4; // pushed towards 0 and 1
  }
  const Y = { rows: n, cols: 1, data: y };
  const good = reliability(Y, { rows: n, cols: 1, data: p });
  const bad = reliability(Y, { rows: n, cols: 1, data: over });
  assert.ok(good.ece < 0.03, `calibrated ECE ${good.ece}`);
  assert.ok(bad.ece > 0.1, `overconfident ECE ${bad.ece}`);
  assert.equal(good.bins.length, 10);
  assert.equal(good.bins.reduce((s, b) => s + b.count, 0), n);
  // Exact small case: bin [0.8, 0.9) holds 0.8, 0.8 with one positive → gap 0.3, half the cells.
  const small = reliability(
    labelsFromRows([[1], [0], [0], [0]]),
    fromRows([[0.8], [0.8], [0.1], [0.1]]),
  );
  assert.ok(Math.abs(small.ece - (0.5 * 0.3 + 0.5 * 0.1)) < 1e-6, String(small.ece));
  assert.ok(Number.isNaN(small.bins[5].observed));
  assert.throws(() => reliability(labelsFromRows([[1]]), fromRows([[1.5]])), /row 0, column 0/);
});

Deno.test("labelContradictions: a planted mislabel comes first; shares count only errors", () => {
  // Label 0 follows the probabilities, except row 3, planted as a miss (given, p = 0.01), and
  // row 4, planted as an extra (absent, p = 0.97).
  const proba = fromRows([[0.9, 0.2], [0.1, 0.3], [0.85, 0.6], [0.01, 0.5], [0.97, 0.1], [
    0.6,
    0.02,
  ]]);
  const y = labelsFromRows([[1, 0], [0, 0], [1, 1], [1, 1], [0, 0], [0, 0]]);
  const r = labelContradictions(y, proba, { names: ["A", "B"], thresholds: [0.5, 0.5] });
  assert.deepEqual(
    r.contradictions.map((c) => [c.row, c.genre, c.kind]),
    [[3, "A", "miss"], [4, "A", "extra"]],
  );
  // False positives: (4,A) and (5,A); false negatives: (3,A) only ((3,B) = 0.5 reaches 0.5).
  assert.equal(r.falsePositives, 2);
  assert.equal(r.falseNegatives, 1);
  assert.equal(r.extraShare, 0.5);
  assert.equal(r.missShare, 1);
  assert.equal(r.errorShare, 2 / 3);
  assert.equal(r.titles, 2);
  assert.throws(
    () => labelContradictions(y, proba, { names: ["A"], thresholds: 0.5 }),
    /1 names for 2 genre columns/,
  );
});

Deno.test("TermModel: a planted word and a planted name top their genre; save/load keeps them", async () => {
  const records = Array.from({ length: 40 }, (_, i) => ({
    description: i % 2 === 0
      ? `the comedian tells jokes night ${["city", "town", "story"][i % 3]}`
      : `a detective hunts the killer ${["city", "town", "story"][i % 3]}`,
    cast: i % 2 === 0 ? "Joe Stand, Amy Mic" : "Sam Cop",
    director: i % 4 === 1 ? "Kim Noir" : "",
  }));
  const titles = titlesFromRecords(records);
  const Y = labelsFromRows(records.map((_, i) => [i % 2 === 0 ? 1 : 0, i % 2]));
  const model = await TermModel.fit(titles, Y, ["Stand-Up Comedy", "Crime"], { minDf: 2, C: 10 });
  const [standUp, crime] = model.evidence(6);
  const top = standUp.positive.map((t) => t.term);
  for (const t of ["comedian", "jokes", "cast:joe_stand"]) assert.ok(top.includes(t), String(top));
  assert.ok(!top.includes("city"), "a word in every genre is no evidence");
  assert.ok(crime.positive.some((t) => t.term === "director:kim_noir" || t.term === "killer"));
  assert.ok(standUp.negative.some((t) => t.term === "detective" || t.term === "killer"));
  const X = model.features(titles);
  const c = model.contributions(X, 0, 0, 3);
  assert.ok(c.positive.length > 0 && c.positive.every((t) => t.weight > 0));
  const dir = await Deno.makeTempDir();
  try {
    await model.save(dir);
    const loaded = await TermModel.load(dir);
    assert.deepEqual(loaded.evidence(6), model.evidence(6));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  await assert.rejects(TermModel.load("/nonexistent"), /npx deno task explain/);
});

Deno.test("explainTitles: the horror words raise Horror through the text block and are named", async () => {
  const { titles, model } = await smallGenreModel();
  const X = await model.features(titles);
  const means = blockMeans(model, X);
  assert.deepEqual(means.map((b) => [b.kind, b.start]), [["text", 0], ["categorical", 4]]);
  const Y = labelsFromRows(
    titles.genres.map((gs) => model.genres.map((g) => gs.includes(g) ? 1 : 0)),
  );
  const terms = await TermModel.fit(titles, Y, model.genres, { minDf: 1 });
  const [e] = await explainTitles({ model, terms, blockMeans: means }, [
    { title: "Ghost House", type: "Movie", description: "A haunted house full of ghost terror." },
  ]);
  const horror = e.genres.find((g) => g.genre === "Horror Movies");
  assert.ok(horror && horror.predicted, JSON.stringify(e));
  assert.ok(e.predicted.includes("Horror Movies"));
  const text = horror.blocks.find((b) => b.block === "text")!;
  assert.ok(text.delta > 0.1, `text delta ${text.delta}`);
  assert.ok(Math.abs(horror.probability - text.occluded - text.delta) < 1e-6);
  assert.ok(horror.terms.positive.some((t) => ["ghost", "haunted", "terror"].includes(t.term)));
  const predicted = await model.predict([
    { title: "Ghost House", type: "Movie", description: "A haunted house full of ghost terror." },
  ]);
  assert.deepEqual(predicted[0].genres.map((g) => g.genre), e.predicted);
  assert.match(formatExplanation(e), /Ghost House: .*Horror Movies[\s\S]*for: /);
  const rows = explanationRows(e);
  assert.equal(rows.length, e.genres.length);
  assert.equal(rows.find((r) => r.genre === "Horror Movies")?.predicted, "✓");
  assert.equal(rows[0]["text (Δp)"], e.genres[0].blocks[0].delta);
  assert.throws(
    () => blockMeans(model, { rows: 1, cols: 3, data: new Float32Array(3) }),
    /reads 9 columns|reads \d+ columns/,
  );
});

Deno.test("explainGroups splits categorical into type and rating; claims follow the numbers", () => {
  const groups = explainGroups(
    { text: ["e0", "e1"], categorical: ["type_Movie", "rating_PG", "rating_R"], metadata: ["y"] },
    ["text", "categorical", "metadata"],
  );
  assert.deepEqual(groups, [
    { name: "text", columns: [0, 1] },
    { name: "type", columns: [2] },
    { name: "rating", columns: [3, 4] },
    { name: "metadata", columns: [5] },
  ]);
  const types = ["TV Show", "TV Show", "TV Show", "TV Show", "TV Show", "Movie"];
  const Y = labelsFromRows(types.map((t, i) => [t === "TV Show" ? 1 : 0, i % 2, 1]));
  const sets = claimGenres(["TV Dramas", "Kids' TV", "Documentaries"], Y, types);
  assert.deepEqual(sets, {
    typeSpecific: ["TV Dramas"],
    age: ["Kids' TV"],
    content: ["TV Dramas", "Documentaries"],
  });
  const d = (text: number, type: number, rating: number) => ({
    text: { mean: text, std: 0.01 },
    type: { mean: type, std: 0.01 },
    rating: { mean: rating, std: 0.01 },
  });
  const claims = studyClaims(
    { "TV Dramas": d(0.3, 0.01, 0), "Kids' TV": d(0.1, 0, 0.2), "Documentaries": d(0.4, 0, 0) },
    sets,
  );
  assert.deepEqual(claims.map((c) => [c.group, c.holds]), [["type", false], ["rating", true], [
    "text",
    true,
  ]]);
  assert.equal(claims[2].topBlockShare, 1);
  assert.ok(Math.abs(claims[1].drop - 0.2) < 1e-12);
});

Deno.test("mergeMetrics keeps explanations while the best entry is kept on the same features", () => {
  const entry = {
    f1_macro: 0.5,
    f1_micro: 0.5,
    exact_match: 0.1,
    hamming_loss: 0.1,
    features: [],
    features_id: "F",
  };
  let run = 0;
  const file = (models: string[], extra: Partial<MetricsFile> = {}): MetricsFile =>
    ({
      best: models.includes("best") ? "best" : models[0],
      created: "",
      features_id: extra.features_id ?? "F",
      split: { train: 1, test: 1, seed: 0 },
      cv: { folds: 5, stratified_by: "", seed: 42 },
      models: Object.fromEntries(
        models.map((
          m,
        ) => [m, { ...entry, features_id: extra.features_id ?? "F", trained: `t${run++}` }]),
      ),
      ...extra,
    }) as MetricsFile;
  const explanations = { model: "best", features_id: "F" } as MetricsFile["explanations"];
  const previous = file(["best", "study_lr"], { explanations });
  assert.deepEqual(
    mergeMetrics(previous, file(["study_lr"]), { bestName: "best" }).merged.explanations,
    explanations,
  );
  assert.equal(
    mergeMetrics(previous, file(["best"]), { bestName: "best" }).merged.explanations,
    undefined,
  );
  // The best model reused as up to date (the very same entry): its explanations stay.
  const reused = file(["best"]);
  reused.models.best = previous.models.best;
  assert.deepEqual(
    mergeMetrics(previous, reused, { bestName: "best" }).merged.explanations,
    explanations,
  );
  assert.equal(
    mergeMetrics(previous, file(["study_lr"], { features_id: "G" }), { bestName: "best" }).merged
      .explanations,
    undefined,
  );
});

Deno.test("TermModel.rankOf ranks a planted word first and says when a word is unknown", async () => {
  const titles = titlesFromRecords(
    Array.from({ length: 20 }, (_, i) => ({
      description: i % 2 ? "jokes jokes on stage tonight" : "war story of soldiers tonight",
    })),
  );
  const Y = labelsFromRows(Array.from({ length: 20 }, (_, i) => [i % 2]));
  const model = await TermModel.fit(titles, Y, ["Stand-Up Comedy"], { minDf: 2 });
  const jokes = model.rankOf("Stand-Up Comedy", "jokes");
  assert.ok(jokes && jokes.rank <= 3 && jokes.weight > 0, JSON.stringify(jokes));
  assert.equal(model.rankOf("Stand-Up Comedy", "zebra"), null);
  assert.throws(() => model.rankOf("Horror", "jokes"), /no genre "Horror"/);
});

Deno.test("recordsFromTitles gives back records that make the same titles", () => {
  const { titles } = parseTitles(syntheticCsv(5));
  const again = titlesFromRecords(recordsFromTitles(titles));
  for (
    const key of [
      "showId",
      "type",
      "title",
      "cast",
      "director",
      "rating",
      "duration",
      "description",
    ] as const
  ) {
    assert.deepEqual(again[key], titles[key], key);
  }
});
