import assert from "node:assert/strict";
import { join } from "node:path";
import { parseTitles } from "../lib/data/netflix_csv.ts";
import { runPreprocess } from "../lib/pipeline/preprocess.ts";
import { loadProcessed, parseSplits, readConfig } from "../lib/features/processed_data.ts";
import { temporalSplit } from "../lib/model_selection/temporal_split.ts";
import { runTraining } from "../lib/pipeline/train_stage.ts";
import type { ModelSpec } from "../lib/pipeline/model_catalog.ts";
import { parseMetricsFile, readMetricsFile } from "../lib/pipeline/metrics_file.ts";
import { readmeResults, resultsTables } from "../lib/report/results_table.ts";
import { ablationSplitGap, genreSplitGap } from "../lib/analysis/split_gap.ts";
import { syntheticCsv } from "./support/synthetic_titles.ts";
import { lrSpec } from "./support/small_genre_model.ts";

const spec = (name: string) => lrSpec(name, ["text", "categorical", "metadata"], 3);
const ablation: ModelSpec["features"][] = [["text"], ["text", "categorical"]];

async function withProject(fn: (out: string, csv: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "temporal-eval-test-" });
  try {
    const input = join(dir, "titles.csv");
    const csv = syntheticCsv(90);
    await Deno.writeTextFile(input, csv);
    const out = join(dir, "processed");
    await runPreprocess({ input, outDir: out, embedder: "lsa", dimensions: 6, verbose: false });
    await fn(out, csv);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

Deno.test("preprocess writes the temporal split with its own pipeline, and loadProcessed reads it", async () => {
  await withProject(async (out, csv) => {
    const config = await readConfig(out);
    const { titles } = parseTitles(csv);
    const expected = temporalSplit(titles.dateAdded);
    assert.ok(config.temporal, "config.json describes the temporal split");
    assert.equal(config.temporal.train, expected.train.length);
    assert.equal(config.temporal.test, expected.test.length);
    assert.equal(config.temporal.undated, expected.undated);
    assert.ok(config.files["temporal/X.npy"] && config.files["temporal/metadata.npy"]);

    const temporal = await loadProcessed(out, { split: "temporal", features: ["metadata"] });
    const random = await loadProcessed(out, { features: ["metadata"] });
    assert.equal(temporal.split, "temporal");
    assert.deepEqual([...temporal.trainIdx], [...expected.train]);
    assert.deepEqual([...temporal.testIdx], [...expected.test]);
    assert.equal(temporal.XTrain.rows + temporal.XTest.rows, titles.length);
    assert.deepEqual(temporal.Y, random.Y);

    // The temporal pipeline was fitted on its training rows only: its z-scored date added has
    // mean 0 there; the random split's pipeline (fitted on rows of both years) does not.
    const col = temporal.featureNames.indexOf("date_added");
    const colRandom = random.featureNames.indexOf("date_added");
    const at = (m: typeof temporal.X, c: number, rows: Int32Array) =>
      mean([...rows].map((i) => m.data[i * m.cols + c]));
    assert.ok(Math.abs(at(temporal.X, col, temporal.trainIdx)) < 1e-4);
    assert.ok(at(random.X, colRandom, temporal.trainIdx) < -0.1);
    // The test side lies after everything trained on.
    assert.ok(at(temporal.X, col, temporal.testIdx) > 1);

    // The default feature set, as X.npy was written for the temporal split.
    const full = await loadProcessed(out, { split: "temporal" });
    assert.equal(full.X.cols, config.temporal.feature_names.length);
    await assert.rejects(
      // deno-lint-ignore no-explicit-any
      () => loadProcessed(out, { split: "later" as any }),
      /Unknown split "later"/,
    );
  });
});

Deno.test("train scores every model and the ablation on both splits; caching includes the split", async () => {
  await withProject(async (out) => {
    const quiet = { dir: out, best: "lr", verbose: false };

    // Random split only: no temporal scores yet.
    const first = await runTraining([{ ...spec("lr"), ablation }], {
      ...quiet,
      splits: ["random"],
    });
    assert.equal(first.models.lr.temporal, undefined);
    assert.ok(first.ablation && Object.values(first.ablation).every((r) => !r.temporal));

    // Both splits: the random entry is reused, the temporal one is trained.
    const second = await runTraining([{ ...spec("lr"), ablation }], quiet);
    const lr = second.models.lr;
    assert.equal(lr.trained, first.models.lr.trained, "random split reused");
    assert.ok(lr.temporal, "temporal scores written");
    const config = await readConfig(out);
    assert.equal(lr.temporal.n_train, config.temporal!.train);
    assert.equal(lr.temporal.n_test, config.temporal!.test);
    assert.equal(lr.n_train, config.counts.train);
    assert.deepEqual(Object.keys(lr.temporal.per_genre), config.genres);
    assert.notEqual(lr.temporal.cache_key, lr.cache_key, "the split is part of the cache key");
    assert.deepEqual(second.split.temporal?.train, config.temporal!.train);
    for (const [key, row] of Object.entries(second.ablation!)) {
      assert.ok(row.temporal, `ablation ${key} has the temporal split`);
      assert.deepEqual(Object.keys(row.per_genre!), config.genres);
      assert.deepEqual(Object.keys(row.temporal.per_genre!), config.genres);
    }

    // Read back through the validating reader.
    const read = await readMetricsFile(out);
    assert.deepEqual(read.models.lr.temporal, lr.temporal);

    // Nothing changed: everything is reused, on both splits.
    const third = await runTraining([{ ...spec("lr"), ablation }], quiet);
    assert.equal(third.models.lr.trained, lr.trained);
    assert.equal(third.models.lr.temporal?.trained, lr.temporal.trained);
    assert.deepEqual(third.ablation, second.ablation);

    // --splits random keeps the temporal results that are still up to date.
    const fourth = await runTraining([{ ...spec("lr"), ablation }], {
      ...quiet,
      splits: ["random"],
    });
    assert.deepEqual(fourth.models.lr.temporal, lr.temporal);
    assert.deepEqual(fourth.ablation, second.ablation);

    // --no-ablation trains no row and keeps the ones still up to date, on both splits...
    const fifth = await runTraining([{ ...spec("lr"), ablation }], { ...quiet, ablation: false });
    assert.equal(fifth.models.lr.trained, lr.trained);
    assert.deepEqual(fifth.ablation, second.ablation);
    // ...but not a row the spec no longer asks for, nor one whose model changed.
    const sixth = await runTraining([{ ...spec("lr"), ablation: [["text"]] }], {
      ...quiet,
      ablation: false,
    });
    assert.deepEqual(Object.keys(sixth.ablation!), ["text"]);
    const other = lrSpec("lr", ["text", "categorical", "metadata"], 2);
    const seventh = await runTraining([{ ...other, ablation }], { ...quiet, ablation: false });
    assert.equal(seventh.ablation, undefined);

    // The README tables show both splits.
    const tables = resultsTables(third);
    assert.match(tables.temporal!, /F1 macro temporal/);
    assert.match(tables.temporal!, new RegExp(lr.temporal.f1_macro.toFixed(4)));
    const body = readmeResults(third, { source: "metrics.json" });
    assert.match(body, /The ablation on both splits/);
    assert.match(body, /text \+ categorical \+ metadata/);

    await assert.rejects(
      () => runTraining([{ ...spec("lr"), ablation }], { ...quiet, splits: ["temporal"] }),
      /random split is always trained/,
    );
  });
});

Deno.test("a --splits list: known names, random always among them", () => {
  assert.deepEqual(parseSplits(" random , temporal"), ["random", "temporal"]);
  assert.deepEqual(parseSplits("random"), ["random"]);
  assert.throws(() => parseSplits("random,later"), /--splits: unknown split "later"; choose from/);
  assert.throws(() => parseSplits("temporal"), /--splits: the random split is always trained/);
});

Deno.test("metrics.json without temporal scores stays readable; a broken one names the fix", () => {
  const entry = {
    f1_macro: 0.5,
    f1_micro: 0.6,
    exact_match: 0.2,
    hamming_loss: 0.1,
    features: ["text"],
    features_id: "x",
  };
  const old = { best: "a", features_id: "x", models: { a: entry } };
  assert.equal(parseMetricsFile(old).models.a.temporal, undefined);
  assert.throws(
    () => parseMetricsFile({ ...old, models: { a: { ...entry, temporal: { f1_macro: 0.4 } } } }),
    /temporal\.f1_micro must be a finite number.*re-run `npx deno task train`/,
  );
  assert.throws(
    () =>
      parseMetricsFile({
        ...old,
        ablation: { text: { features: ["text"], f1_macro: 0.3, temporal: {} } },
      }),
    /ablation\["text"\]\.temporal\.f1_macro/,
  );
  assert.throws(
    () =>
      parseMetricsFile({
        ...old,
        ablation: { text: { features: ["text"], f1_macro: Infinity } },
      }),
    /ablation\["text"\]\.f1_macro must be a finite number, got null.*re-run/,
  );
});

Deno.test("genreSplitGap sorts genres by their loss and leaves out genres without test titles", () => {
  const s = (f1: number, support: number) => ({ precision: f1, recall: f1, f1, support });
  const { genres, excluded } = genreSplitGap(
    { A: s(0.8, 10), B: s(0.5, 10), C: s(0.4, 0), D: s(0.3, 5) },
    { A: s(0.5, 8), B: s(0.6, 12), C: s(0.0, 3), D: s(0.2, 5) },
  );
  assert.deepEqual(genres.map((g) => g.genre), ["A", "D", "B"]);
  assert.ok(Math.abs(genres[0].gap - -0.3) < 1e-12);
  assert.deepEqual(excluded, ["C"]);
});

Deno.test("ablationSplitGap finds the block and the genres that age most", () => {
  const rows = [
    {
      features: ["text"],
      f1_macro: 0.3,
      per_genre: { A: 0.3, B: 0.3 },
      temporal: { f1_macro: 0.3, per_genre: { A: 0.3, B: 0.3 } },
    },
    {
      features: ["text", "metadata"],
      f1_macro: 0.6,
      per_genre: { A: 0.6, B: 0.6 },
      temporal: { f1_macro: 0.4, per_genre: { A: 0.3, B: 0.5 } },
    },
    {
      features: ["text", "metadata", "credits"],
      f1_macro: 0.7,
      per_genre: { A: { f1: 0.7 }, B: { f1: 0.7 } },
      temporal: { f1_macro: 0.5, per_genre: { A: { f1: 0.4 }, B: { f1: 0.6 } } },
    },
    { features: ["credits"], f1_macro: 0.2 }, // no temporal scores: left out
  ];
  const { sets, blocks } = ablationSplitGap(rows, { k: 1 });
  assert.deepEqual(sets.map((s) => s.features), [
    "text+metadata",
    "text+metadata+credits",
    "text",
  ]);
  assert.deepEqual(sets[0].genres.map((g) => g.genre), ["A"]);
  assert.deepEqual(blocks.map((b) => b.block), ["metadata", "credits"]);
  assert.ok(Math.abs(blocks[0].random - 0.3) < 1e-12 && Math.abs(blocks[0].temporal - 0.1) < 1e-12);
  assert.equal(blocks[0].to, "text");
  assert.deepEqual(blocks[0].genres.map((g) => g.genre), ["A"]);
});
