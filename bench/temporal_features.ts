/**
 * Builds the feature blocks of the temporal split (lib/model_selection/temporal_split.ts) for
 * bench/temporal_search.ts, once, as .npy under `--out` (default /tmp/temporal_search/features):
 *
 * - `outer/`: a FeaturePipeline fitted on the temporal TRAINING rows (added ≤ 2019, or undated),
 *   every title transformed — for the final test on the 2020–2021 rows;
 * - `inner/`: a FeaturePipeline fitted on the training rows added ≤ 2018 (or undated) only —
 *   for the time-ordered validation on the 2019 rows, so that not even the unsupervised
 *   statistics (TF-IDF vocabulary, SVD, credits names, country list) see the validation year.
 *
 * - `random/`: the same fitted on the study split's training rows (as preprocess does), for the
 *   random-split protocols.
 *
 * Beside the four blocks each folder gets two more text blocks for the text-embedding search
 * (issue 18): `text_use.npy`, the Universal Sentence Encoder's vectors (pre-trained: the same in
 * every folder), and `text_tfidf.npy`, dense TF-IDF of the 2,000 most frequent description
 * unigrams and bigrams of the folder's fitting rows (L2-normalised rows).
 *
 * Also writes `rows.json` (outer train/test rows, inner fit/validation rows; all indices into
 * the full 7,787-title table, i.e. into processed_data's y.npy).
 *
 * Usage: npx deno run -A bench/temporal_features.ts [--input data/NetFlix.csv] [--out DIR]
 *
 * @module
 */

import { join } from "node:path";
import { readTitles } from "../lib/data/netflix_csv.ts";
import { FeaturePipeline } from "../lib/features/feature_pipeline.ts";
import { createEmbedder } from "../lib/embedders/embedder_factory.ts";
import { LAST_TRAIN_YEAR, temporalSplit } from "../lib/model_selection/temporal_split.ts";
import { writeNpy } from "../lib/io/npy.ts";
import { BLOCK_FILES } from "../lib/features/processed_data.ts";
import { defaultWorkers, WorkerPool } from "../lib/core/worker_pool.ts";
import { UseEmbedder } from "../lib/embedders/use_embedder.ts";
import { trainTestSplit } from "../lib/model_selection/train_test_split.ts";
import { TfidfVectorizer } from "../lib/text/tfidf_vectorizer.ts";
import { csrToDense } from "../lib/text/sparse_matrix.ts";
import type { Matrix } from "../lib/core/matrix.ts";

function arg(name: string, fallback: string): string {
  const i = Deno.args.indexOf(name);
  return i >= 0 && i + 1 < Deno.args.length ? Deno.args[i + 1] : fallback;
}
const input = arg("--input", "data/NetFlix.csv");
const out = arg("--out", "/tmp/temporal_search/features");

const { titles } = await readTitles(input);
const outer = temporalSplit(titles.dateAdded);
// The validation year is the last training year; the fitting rows are the years before it.
const byYear2018 = temporalSplit(titles.dateAdded, { lastTrainYear: LAST_TRAIN_YEAR - 1 });
const outerTrain = new Set(outer.train);
const innerFit = byYear2018.train; // ≤ 2018 or undated: all on the outer training side
const innerVal = byYear2018.test.filter((i) => outerTrain.has(i)); // the 2019 rows
console.log(
  `outer: ${outer.train.length} train / ${outer.test.length} test; inner: ${innerFit.length} fit` +
    ` / ${innerVal.length} validation (2019)`,
);
await Deno.mkdir(out, { recursive: true });
await Deno.writeTextFile(
  join(out, "rows.json"),
  JSON.stringify({
    outerTrain: [...outer.train],
    outerTest: [...outer.test],
    innerFit: [...innerFit],
    innerVal: [...innerVal],
  }),
);

// The sentence encoder's vectors: pre-trained, so the same for every folder (cached by text).
using pool = WorkerPool.create(defaultWorkers());
const use = await UseEmbedder.create({ cacheDir: join(out, "use_cache") });
const useVectors = await use.embed(titles.description, { titles: titles.title, pool });

const random = trainTestSplit(titles.length, { testSize: 0.2, seed: 42 });
const folders = [["outer", outer.train], ["inner", innerFit], ["random", random.train]] as const;
for (const [name, rows] of folders) {
  const t0 = performance.now();
  const { embedder } = await createEmbedder("lsa", { seed: 42 });
  const pipeline = FeaturePipeline.create({ embedder, seed: 42 });
  await pipeline.fit(titles, { rows });
  const blocks = await pipeline.transformBlocks(titles);
  await Deno.mkdir(join(out, name), { recursive: true });
  for (const [kind, m] of blocks) await writeNpy(join(out, name, BLOCK_FILES[kind]), m);
  await writeNpy(join(out, name, "text_use.npy"), useVectors);
  await writeNpy(join(out, name, "text_tfidf.npy"), tfidfTerms(titles.description, rows, 2000));
  console.log(`${name}: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

/** Dense TF-IDF (unigrams and bigrams) of the `k` most frequent terms of the fitting rows. */
function tfidfTerms(texts: string[], fitRows: ArrayLike<number>, k: number): Matrix {
  const fitted = new TfidfVectorizer({ minDf: 2, ngramRange: [1, 2] })
    .fit(Array.from(fitRows, (i) => texts[i])).toJSON();
  const keep = fitted.idf.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1])
    .slice(0, k).map(([, i]) => i).sort((a, b) => a - b);
  const v = TfidfVectorizer.fromJSON({
    ...fitted,
    vocabulary: keep.map((i) => fitted.vocabulary[i]),
    idf: keep.map((i) => fitted.idf[i]),
  });
  return csrToDense(v.transform(texts));
}
