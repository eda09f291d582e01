/**
 * The preprocessing stage: NetFlix.csv → labels, feature blocks, embeddings, split, `.npy` files
 * and `config.json` in `processed_data/`.
 *
 * @module
 */

import pl from "nodejs-polars";
import { join } from "node:path";
import { atomicWrite, atomicWriteJson } from "./atomic_write.ts";
import { CreditsEncoder } from "./credits_features.ts";
import { DATASET_SHA256, DEFAULT_DATA_PATH } from "./dataset_source.ts";
import { createEmbedder, type EmbedderChoice } from "./embedder_factory.ts";
import { hstack, type Matrix, type MatrixData, takeRows } from "./matrix.ts";
import { MetadataEncoder } from "./metadata_features.ts";
import { MultiLabelBinarizer } from "./multi_label_binarizer.ts";
import { readTitles, selectTitles, type Titles, titlesFrame } from "./netflix_csv.ts";
import { writeNpy } from "./npy.ts";
import { OneHotEncoder } from "./one_hot_encoder.ts";
import {
  type ArraySpec,
  BLOCK_FILES,
  DEFAULT_FEATURES,
  DEFAULT_PROCESSED_DIR,
  FEATURE_BLOCKS,
  type FeatureBlock,
  type ProcessedConfig,
} from "./processed_data.ts";
import { sha256Hex } from "./sha256.ts";
import { trainTestSplit } from "./train_test_split.ts";
import { RandomState } from "./mt19937.ts";
import { peakRssMiB } from "./peak_rss.ts";

/** Options for {@linkcode runPreprocess}. */
export interface PreprocessOptions {
  /** NetFlix.csv path (default `data/NetFlix.csv`). */
  input?: string;
  /** Output folder (default `processed_data`). */
  outDir?: string;
  /** `auto` (default), `lsa` or `ollama`. */
  embedder?: EmbedderChoice;
  /** Blocks combined into X.npy (default text + categorical, as the study). */
  features?: FeatureBlock[];
  /** LSA dimensions (default 768). */
  dimensions?: number;
  /** Ollama model and host. */
  model?: string;
  host?: string;
  /** Keep a seeded random subset of this many titles (quick runs, CI). */
  sample?: number;
  /** Split seed (default 42) and test fraction (default 0.2). */
  seed?: number;
  testSize?: number;
  /** Print progress lines (default true). */
  verbose?: boolean;
}

/** What {@linkcode runPreprocess} produced. */
export interface PreprocessSummary {
  config: ProcessedConfig;
  seconds: number;
  /** Seconds per step. */
  timings: Record<string, number>;
}

/**
 * Runs the whole preprocessing stage and writes every file atomically.
 *
 * @example
 * ```ts
 * const { config } = await runPreprocess({ embedder: "lsa" });
 * console.log(config.counts); // { titles: 7787, train: 6229, test: 1558, genres: 42, features: 785 }
 * ```
 */
export async function runPreprocess(options: PreprocessOptions = {}): Promise<PreprocessSummary> {
  const t0 = performance.now();
  const timings: Record<string, number> = {};
  let lap = performance.now();
  const step = (name: string) => {
    const now = performance.now();
    timings[name] = (now - lap) / 1000;
    lap = now;
  };
  const log = options.verbose === false ? () => {} : (s: string) => console.log(s);
  const input = options.input ?? DEFAULT_DATA_PATH;
  const outDir = options.outDir ?? DEFAULT_PROCESSED_DIR;
  const features = options.features ?? DEFAULT_FEATURES;
  const seed = options.seed ?? 42;
  const testSize = options.testSize ?? 0.2;

  // 1. Read and validate.
  log(`Reading ${input} …`);
  const read = await readTitles(input);
  const sha256 = await sha256Hex(read.bytes);
  let titles: Titles = read.titles;
  if (options.sample !== undefined && options.sample < titles.length) {
    titles = selectTitles(titles, sampleRows(titles.length, options.sample, seed));
    log(`Sample mode: kept ${titles.length} of ${read.titles.length} titles (seed ${seed}).`);
  }
  const n = titles.length;
  log(
    `  ${n} titles, ${
      sha256 === DATASET_SHA256 ? "published data set (SHA-256 verified)" : `SHA-256 ${sha256}`
    }`,
  );
  step("read");

  // 2. Labels.
  const mlb = new MultiLabelBinarizer().fit(titles.genres);
  const Y = mlb.transform(titles.genres);
  log(`  labels: ${Y.cols} genres`);

  // 3. Split.
  const { train, test } = trainTestSplit(n, { testSize, seed });
  log(`  split: ${train.length} train / ${test.length} test (seed ${seed})`);

  // 4. Categorical and metadata blocks.
  const onehot = new OneHotEncoder().fit({ type: titles.type, rating: titles.rating });
  const categorical = onehot.transform({ type: titles.type, rating: titles.rating });
  const metaColumns = {
    type: titles.type,
    releaseYear: titles.releaseYear,
    duration: titles.duration,
    country: titles.country,
    dateAdded: titles.dateAdded,
  };
  const trainTitles = selectTitles(titles, train);
  const metaEncoder = new MetadataEncoder().fit({
    type: trainTitles.type,
    releaseYear: trainTitles.releaseYear,
    duration: trainTitles.duration,
    country: trainTitles.country,
    dateAdded: trainTitles.dateAdded,
  });
  const metadata = metaEncoder.transform(metaColumns);
  const credits = new CreditsEncoder({ seed });
  await credits.fit({ cast: trainTitles.cast, director: trainTitles.director });
  const creditsBlock = await credits.transform({ cast: titles.cast, director: titles.director });
  await credits.save(join(outDir, "models", "credits"));
  log(
    `  categorical: ${categorical.cols} one-hot columns; metadata: ${metadata.cols} columns; ` +
      `credits: ${creditsBlock.cols} dims`,
  );
  step("encode");

  // 5. Text embeddings.
  const chosen = await createEmbedder(options.embedder ?? "auto", {
    dimensions: options.dimensions,
    seed,
    model: options.model,
    host: options.host,
    cacheDir: join(outDir, "cache", "ollama"),
  });
  const embedder = chosen.embedder;
  log(`  embedder: ${embedder.kind} (${chosen.reason})`);
  await embedder.fit(trainTitles.description);
  const embeddings = await embedder.embed(titles.description, {
    titles: titles.title,
    progress: options.verbose !== false,
  });
  const embedderDir = join(outDir, "models", "embedder");
  await embedder.save(embedderDir);
  log(`  embeddings: ${embeddings.rows}×${embeddings.cols} (${embedder.model})`);
  step("embed");

  // 6. Combine and write.
  const blocks: Record<FeatureBlock, Matrix> = {
    text: embeddings,
    categorical,
    metadata,
    credits: creditsBlock,
  };
  const blockNames: Record<FeatureBlock, string[]> = {
    text: Array.from({ length: embeddings.cols }, (_, i) => `emb_${i}`),
    categorical: onehot.featureNames,
    metadata: metaEncoder.featureNames,
    credits: credits.featureNames,
  };
  const X = hstack(features.map((f) => blocks[f]));
  const featureNames = features.flatMap((f) => blockNames[f]);
  const files: Record<string, ArraySpec> = {};
  const save = async (name: string, m: Matrix<MatrixData> | Int32Array) => {
    const path = join(outDir, name);
    if (m instanceof Int32Array) {
      await writeNpy(path, m);
      files[name] = { shape: [m.length], dtype: "int32" };
    } else {
      await writeNpy(path, m);
      files[name] = {
        shape: [m.rows, m.cols],
        dtype: m.data instanceof Uint8Array ? "uint8" : "float32",
      };
    }
  };
  for (const f of FEATURE_BLOCKS) {
    await save(BLOCK_FILES[f], blocks[f]);
  }
  await save("X.npy", X);
  await save("y.npy", Y);
  await save("X_train.npy", takeRows(X, train));
  await save("X_test.npy", takeRows(X, test));
  await save("y_train.npy", takeRows(Y, train));
  await save("y_test.npy", takeRows(Y, test));
  await save("train_idx.npy", train);
  await save("test_idx.npy", test);

  const split = new Array<string>(n).fill("train");
  for (const i of test) split[i] = "test";
  const table = titlesFrame(titles).withColumns(
    pl.Series("row", Array.from({ length: n }, (_, i) => i), pl.Int32),
    pl.Series("split", split),
  );
  await atomicWrite(join(outDir, "titles.csv"), table.writeCSV().toString());

  const config: ProcessedConfig = {
    version: 1,
    created: new Date().toISOString(),
    input: {
      path: input,
      sha256,
      published: sha256 === DATASET_SHA256,
      rows: read.titles.length,
      ...(options.sample !== undefined ? { sample: n } : {}),
    },
    embedder: {
      kind: embedder.kind,
      model: embedder.model,
      dimensions: embedder.dimensions,
      requested: chosen.requested,
      reason: chosen.reason,
      dir: "models/embedder",
    },
    features,
    blocks: {
      text: { file: BLOCK_FILES.text, names: blockNames.text },
      categorical: { file: BLOCK_FILES.categorical, names: blockNames.categorical },
      metadata: { file: BLOCK_FILES.metadata, names: blockNames.metadata },
      credits: { file: BLOCK_FILES.credits, names: blockNames.credits },
    },
    feature_names: featureNames,
    genres: mlb.classes,
    categories: onehot.categories,
    metadata: metaEncoder.state!,
    split: {
      method: "sklearn.model_selection.train_test_split (legacy MT19937 permutation)",
      seed,
      test_size: testSize,
      train: train.length,
      test: test.length,
    },
    counts: {
      titles: n,
      train: train.length,
      test: test.length,
      genres: Y.cols,
      features: X.cols,
    },
    files,
  };
  await atomicWriteJson(join(outDir, "config.json"), config);
  step("write");
  const seconds = (performance.now() - t0) / 1000;
  return { config, seconds, timings };
}

/**
 * Formats the closing summary printed by `deno task preprocess` (like the study's).
 *
 * @example
 * ```ts
 * console.log(formatSummary(await runPreprocess()));
 * ```
 */
export function formatSummary(summary: PreprocessSummary): string {
  const c = summary.config;
  const lines = [
    "",
    "Preprocessing complete",
    "======================",
    `Titles:         ${c.counts.titles}${c.input.sample ? ` (sample of ${c.input.rows})` : ""}`,
    `Genres:         ${c.counts.genres}`,
    `Embedder:       ${c.embedder.kind} / ${c.embedder.model} (${c.embedder.dimensions}-d)`,
    `                ${c.embedder.reason}`,
    `Features (X):   ${c.counts.features} = ${
      c.features.map((f) => `${f} ${c.blocks[f].names.length}`).join(" + ")
    }`,
    `Other blocks:   metadata ${c.blocks.metadata.names.length}, credits ${c.blocks.credits.names.length} columns (select with --features)`,
    `Split:          ${c.counts.train} train / ${c.counts.test} test (seed ${c.split.seed})`,
    `Written to:     processed_data/ (${
      Object.keys(c.files).length
    } .npy files, config.json, titles.csv)`,
    `Time:           ${summary.seconds.toFixed(1)} s (${
      Object.entries(summary.timings).map(([k, v]) => `${k} ${v.toFixed(1)}s`).join(", ")
    })`,
    `Peak memory:    ${peakRssMiB().toFixed(0)} MiB`,
  ];
  return lines.join("\n");
}

function sampleRows(n: number, k: number, seed: number): number[] {
  if (!(k >= 10)) throw new Error(`--sample ${k}: keep at least 10 titles`);
  const perm = new RandomState(seed).permutation(n);
  return Array.from(perm.subarray(0, k)).sort((a, b) => a - b);
}
