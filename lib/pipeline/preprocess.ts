/**
 * The preprocessing stage: NetFlix.csv → labels, the fitted feature pipeline, every block's rows,
 * the split, `.npy` files and `config.json` in `processed_data/features/`, written as one unit.
 *
 * @module
 */

import pl from "nodejs-polars";
import { join } from "node:path";
import { atomicWrite, atomicWriteJson, writeDirAtomically } from "../io/atomic_write.ts";
import { DATASET_SHA256, DEFAULT_DATA_PATH } from "../data/dataset_source.ts";
import { createEmbedder, type EmbedderChoice } from "../embedders/embedder_factory.ts";
import { FeaturePipeline } from "../features/feature_pipeline.ts";
import { hstack, type Matrix, type MatrixData, takeRows } from "../core/matrix.ts";
import { MultiLabelBinarizer } from "../features/multi_label_binarizer.ts";
import {
  formatWarnings,
  metadataWarnings,
  readTitles,
  selectTitles,
  type Titles,
  titlesFrame,
} from "../data/netflix_csv.ts";
import { writeNpy } from "../io/npy.ts";
import {
  type ArraySpec,
  BLOCK_FILES,
  DEFAULT_FEATURES,
  DEFAULT_PROCESSED_DIR,
  embeddingCacheDir,
  FEATURE_BLOCKS,
  type FeatureBlock,
  featuresDir,
  type ProcessedConfig,
  readConfig,
  TEMPORAL_SUBDIR,
} from "../features/processed_data.ts";
import { codeFingerprint } from "../io/source_hash.ts";
import { sha256Hex } from "../core/sha256.ts";
import { trainTestSplit } from "../model_selection/train_test_split.ts";
import { LAST_TRAIN_YEAR, temporalSplit } from "../model_selection/temporal_split.ts";
import { RandomState } from "../core/mt19937.ts";
import { peakRssMiB } from "../core/peak_rss.ts";
import { SvdRankError } from "../text/randomized_svd.ts";
import { defaultWorkers, WorkerPool } from "../core/worker_pool.ts";

/** Options for {@linkcode runPreprocess}. */
export interface PreprocessOptions {
  /** NetFlix.csv path (default `data/NetFlix.csv`). */
  input?: string;
  /** Output folder (default `processed_data`). */
  outDir?: string;
  /** `auto` (default: `use` when installed, else `lsa`), `use`, `lsa` or `ollama`. */
  embedder?: EmbedderChoice;
  /** Blocks combined into X.npy (default text + categorical, as the study). */
  features?: FeatureBlock[];
  /** LSA dimensions (default 768). */
  dimensions?: number;
  /** Ollama model and host. */
  model?: string;
  host?: string;
  /** Ollama's per-request time limit in ms (default `NETFLIX_OLLAMA_TIMEOUT`, else 120 s). */
  ollamaTimeoutMs?: number;
  /** Keep a seeded random subset of this many titles (quick runs, CI). */
  sample?: number;
  /** Split seed (default 42) and test fraction (default 0.2). */
  seed?: number;
  testSize?: number;
  /** Print progress lines (default true). */
  verbose?: boolean;
  /** Called after each output file is written into the temporary folder (tests). */
  onFileWritten?: (name: string) => void;
  /** Rebuild even when the features are up to date (same data, options and code). */
  force?: boolean;
  /** Workers to embed on (default: the cores, at most 2; 1 = this thread only). */
  workers?: number;
}

/** What {@linkcode runPreprocess} produced. */
export interface PreprocessSummary {
  config: ProcessedConfig;
  seconds: number;
  /** Seconds per step. */
  timings: Record<string, number>;
  /** The folder written (`processed_data/features`). */
  dir: string;
  /** True when nothing was rebuilt: the existing features were made from the same inputs. */
  upToDate: boolean;
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
  const warnings = metadataWarnings(titles);
  if (warnings.length > 0) log(formatWarnings(input, warnings));
  let config: ProcessedConfig | undefined;
  log(
    `  ${n} titles, ${
      sha256 === DATASET_SHA256 ? "published data set (SHA-256 verified)" : `SHA-256 ${sha256}`
    }`,
  );

  // 2. Labels and split.
  const mlb = new MultiLabelBinarizer().fit(titles.genres);
  const Y = mlb.transform(titles.genres);
  log(`  labels: ${Y.cols} genres`);
  const { train, test } = trainTestSplit(n, { testSize, seed });
  log(`  split: ${train.length} train / ${test.length} test (seed ${seed})`);
  const temporal = temporalSplit(titles.dateAdded, { lastTrainYear: LAST_TRAIN_YEAR });
  log(
    `  temporal split: ${temporal.train.length} train (added through ${LAST_TRAIN_YEAR}, ` +
      `${temporal.undated} of them undated) / ${temporal.test.length} test (added later)`,
  );
  step("read");

  // 3. The feature pipeline, fitted on the training rows (the one-hot categories on all rows,
  //    as the study), and every block's rows.
  const embedderOptions = {
    dimensions: options.dimensions,
    seed,
    model: options.model,
    host: options.host,
    cacheDir: embeddingCacheDir(outDir, "ollama"),
    useCacheDir: embeddingCacheDir(outDir, "use"),
    ollamaTimeoutMs: options.ollamaTimeoutMs,
  };
  const chosen = await createEmbedder(options.embedder ?? "auto", embedderOptions);
  const embedder = chosen.embedder;
  // A fresh, unfitted embedder of the kind chosen, for the temporal split's own pipeline.
  const embedderFor = async () => (await createEmbedder(embedder.kind, embedderOptions)).embedder;
  log(`  embedder: ${embedder.kind} (${chosen.reason})`);
  // Same data, options, embedder and code as the features already there: nothing to do.
  const inputsKey = await sha256Hex(JSON.stringify({
    sha256,
    sample: options.sample ?? null,
    seed,
    testSize,
    features,
    embedder: [embedder.identity, options.dimensions ?? null],
    code: await codeFingerprint(import.meta.url),
  }));
  if (!options.force) {
    const existing = await readConfig(outDir).catch(() => null);
    if (existing?.inputs_key === inputsKey) {
      step("read");
      return {
        config: existing,
        seconds: (performance.now() - t0) / 1000,
        timings,
        dir: featuresDir(outDir),
        upToDate: true,
      };
    }
  }
  const lsaDimensions = options.dimensions;
  const pipeline = FeaturePipeline.create({ embedder, seed, lsaDimensions });
  try {
    await pipeline.fit(titles, { rows: train });
  } catch (err) {
    // (The `lsa` block is LSA whatever the embedder; the `text` block too with --embedder lsa.)
    if (!(err instanceof SvdRankError)) throw err;
    // Too many LSA dimensions for these titles: advise a number that works for both fits
    // preprocess makes (the random split's training rows, then the temporal split's).
    const fits = [train, temporal.train].filter((rows) => rows.length > 0);
    let possible = err.possible;
    for (const rows of fits) {
      possible = await lsaDimensionsSupported(titles, rows, possible, embedderOptions);
    }
    throw new SvdRankError(
      `${options.dimensions ?? 768} LSA dimensions asked for, but the descriptions of these ` +
        `${n} titles support at most ${possible} (checked on the random and the temporal ` +
        `split's training rows): run preprocess with \`--dimensions ${possible}\` or fewer, ` +
        "or on more titles (a larger --sample)",
      possible,
    );
  }
  // A text model that runs here (use) embeds on the worker pool.
  using pool = WorkerPool.create(options.workers ?? defaultWorkers());
  const blocks = await pipeline.transformBlocks(titles, {
    progress: options.verbose !== false,
    pool,
  });
  const block = (b: FeatureBlock) => blocks.get(b)!;
  log(
    `  categorical: ${block("categorical").cols} one-hot columns; metadata: ` +
      `${block("metadata").cols} columns; credits: ${block("credits").cols} dims; embeddings: ` +
      `${block("text").rows}×${block("text").cols} (${embedder.model})`,
  );
  step("features");
  // The same pipeline fitted again on the temporal training rows only: no title added after
  // LAST_TRAIN_YEAR shapes its vocabulary, projections, scaling or country list. Data with no
  // title on one side (a file of one year) has no temporal split; train then says so.
  let temporalFit: { pipeline: FeaturePipeline; blocks: Map<FeatureBlock, Matrix> } | undefined;
  if (temporal.train.length > 0 && temporal.test.length > 0) {
    log(
      `  fitting the feature pipeline again on the ${temporal.train.length} temporal training rows`,
    );
    const temporalPipeline = FeaturePipeline.create({
      embedder: await embedderFor(),
      seed,
      lsaDimensions,
    });
    await temporalPipeline.fit(titles, { rows: temporal.train });
    temporalFit = {
      pipeline: temporalPipeline,
      blocks: await temporalPipeline.transformBlocks(titles, {
        progress: options.verbose !== false,
        pool,
      }),
    };
  } else {
    log(`  note: no temporal split (no title on one side of ${LAST_TRAIN_YEAR}); train skips it`);
  }
  step("temporal features");

  // 4. Write everything as one unit: processed_data/features/ is replaced only when complete.
  const X = hstack(features.map(block));
  const featureNames = features.flatMap((f) => pipeline.block(f).featureNames);
  const files: Record<string, ArraySpec> = {};
  const hashes: string[] = [];
  const target = featuresDir(outDir);
  await writeDirAtomically(target, async (tmp) => {
    const save = async (name: string, m: Matrix<MatrixData> | Int32Array) => {
      await writeNpy(join(tmp, name), m);
      const data = m instanceof Int32Array ? m : m.data;
      hashes.push(
        `${name}:${await sha256Hex(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))}`,
      );
      files[name] = m instanceof Int32Array ? { shape: [m.length], dtype: "int32" } : {
        shape: [m.rows, m.cols],
        dtype: m.data instanceof Uint8Array ? "uint8" : "float32",
      };
      options.onFileWritten?.(name);
    };
    for (const f of FEATURE_BLOCKS) await save(BLOCK_FILES[f], block(f));
    await save("X.npy", X);
    await save("y.npy", Y);
    await save("X_train.npy", takeRows(X, train));
    await save("X_test.npy", takeRows(X, test));
    await save("y_train.npy", takeRows(Y, train));
    await save("y_test.npy", takeRows(Y, test));
    await save("train_idx.npy", train);
    await save("test_idx.npy", test);
    // The temporal split's arrays, from its own pipeline (the labels are y.npy's).
    if (temporalFit) {
      const tBlock = (b: FeatureBlock) => temporalFit.blocks.get(b)!;
      for (const f of FEATURE_BLOCKS) {
        await save(`${TEMPORAL_SUBDIR}/${BLOCK_FILES[f]}`, tBlock(f));
      }
      await save(`${TEMPORAL_SUBDIR}/X.npy`, hstack(features.map(tBlock)));
      await save(`${TEMPORAL_SUBDIR}/train_idx.npy`, temporal.train);
      await save(`${TEMPORAL_SUBDIR}/test_idx.npy`, temporal.test);
    }

    const split = new Array<string>(n).fill("train");
    for (const i of test) split[i] = "test";
    const temporalSide = new Array<string>(n).fill("train");
    for (const i of temporal.test) temporalSide[i] = "test";
    const table = titlesFrame(titles).withColumns(
      pl.Series("row", Array.from({ length: n }, (_, i) => i), pl.Int32),
      pl.Series("split", split),
      pl.Series("temporal_split", temporalSide),
    );
    await atomicWrite(join(tmp, "titles.csv"), table.writeCSV().toString());
    await pipeline.save(join(tmp, "pipeline"));
    options.onFileWritten?.("pipeline");

    const described = pipeline.describe();
    const temporalConfig = (tp: FeaturePipeline): NonNullable<ProcessedConfig["temporal"]> => {
      return {
        method: `date_added through ${LAST_TRAIN_YEAR} (and undated) train, later test; ` +
          "feature pipeline refitted on the temporal training rows",
        last_train_year: LAST_TRAIN_YEAR,
        train: temporal.train.length,
        test: temporal.test.length,
        undated: temporal.undated,
        dir: TEMPORAL_SUBDIR,
        blocks: Object.fromEntries(
          FEATURE_BLOCKS.map((f) => [f, {
            file: `${TEMPORAL_SUBDIR}/${BLOCK_FILES[f]}`,
            names: tp.block(f).featureNames,
          }]),
        ) as ProcessedConfig["blocks"],
        feature_names: features.flatMap((f) => tp.block(f).featureNames),
        pipeline: tp.describe(),
      };
    };
    const id = await sha256Hex(
      JSON.stringify({ sha256, sample: options.sample ?? null, seed, testSize, features, hashes }),
    );
    config = {
      version: 2,
      id,
      inputs_key: inputsKey,
      created: new Date().toISOString(),
      input: {
        path: input,
        sha256,
        published: sha256 === DATASET_SHA256,
        rows: read.titles.length,
        ...(options.sample !== undefined ? { sample: n } : {}),
      },
      embedder: {
        ...embedder.identity,
        kind: embedder.kind,
        model: embedder.model,
        dimensions: embedder.dimensions,
        requested: chosen.requested,
        reason: chosen.reason,
        dir: "pipeline/text",
      },
      features,
      blocks: Object.fromEntries(
        FEATURE_BLOCKS.map((
          f,
        ) => [f, { file: BLOCK_FILES[f], names: pipeline.block(f).featureNames }]),
      ) as ProcessedConfig["blocks"],
      feature_names: featureNames,
      genres: mlb.classes,
      pipeline: described,
      split: {
        method: "sklearn.model_selection.train_test_split (legacy MT19937 permutation)",
        seed,
        test_size: testSize,
        train: train.length,
        test: test.length,
      },
      ...(temporalFit ? { temporal: temporalConfig(temporalFit.pipeline) } : {}),
      counts: {
        titles: n,
        train: train.length,
        test: test.length,
        genres: Y.cols,
        features: X.cols,
      },
      files,
    };
    await atomicWriteJson(join(tmp, "config.json"), config);
  });
  step("write");
  const seconds = (performance.now() - t0) / 1000;
  return { config: config!, seconds, timings, dir: target, upToDate: false };
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
  if (summary.upToDate) {
    return `\nFeatures up to date in ${summary.dir}/ (id ${
      c.id.slice(0, 12)
    }, built ${c.created}) ` +
      "from the same data, options and code: nothing to do (pass --force to rebuild).";
  }
  const lines = [
    "",
    "Preprocessing complete",
    "======================",
    `Titles:         ${c.counts.titles}${c.input.sample ? ` (sample of ${c.input.rows})` : ""}`,
    `Genres:         ${c.counts.genres}`,
    `Embedder:       ${c.embedder.kind} / ${c.embedder.model} (${c.embedder.dimensions}-d)`,
    `                ${c.embedder.reason}`,
    `Features id:    ${c.id.slice(0, 12)}`,
    `Features (X):   ${c.counts.features} = ${
      c.features.map((f) => `${f} ${c.blocks[f].names.length}`).join(" + ")
    }`,
    `Other blocks:   metadata ${c.blocks.metadata.names.length}, credits ${c.blocks.credits.names.length} columns (select with --features)`,
    `Split:          ${c.counts.train} train / ${c.counts.test} test (seed ${c.split.seed})`,
    ...(c.temporal
      ? [
        `Temporal split: ${c.temporal.train} train (added through ${c.temporal.last_train_year}, ` +
        `${c.temporal.undated} undated) / ${c.temporal.test} test (added later), own pipeline ` +
        `in ${c.temporal.dir}/`,
      ]
      : []),
    `Written to:     ${summary.dir}/ (${
      Object.keys(c.files).length
    } .npy files, config.json, titles.csv, pipeline/)`,
    `Time:           ${summary.seconds.toFixed(1)} s (${
      Object.entries(summary.timings).map(([k, v]) => `${k} ${v.toFixed(1)}s`).join(", ")
    })`,
    `Peak memory:    ${peakRssMiB().toFixed(0)} MiB`,
  ];
  return lines.join("\n");
}

/**
 * The most LSA dimensions, up to `start`, that an embedder fitted on the descriptions of `rows`
 * gives (the embedder's own error says how many when it is fewer).
 */
async function lsaDimensionsSupported(
  titles: Titles,
  rows: ArrayLike<number>,
  start: number,
  options: Parameters<typeof createEmbedder>[1],
): Promise<number> {
  const texts = Array.from(rows, (r) => titles.description[r]);
  let dimensions = start;
  while (dimensions >= 1) {
    const { embedder } = await createEmbedder("lsa", { ...options, dimensions });
    try {
      await embedder.fit(texts);
      return dimensions;
    } catch (err) {
      if (!(err instanceof SvdRankError) || err.possible >= dimensions) throw err;
      dimensions = err.possible;
    }
  }
  return 0;
}

function sampleRows(n: number, k: number, seed: number): number[] {
  if (!(k >= 10)) throw new Error(`--sample ${k}: keep at least 10 titles`);
  const perm = new RandomState(seed).permutation(n);
  return Array.from(perm.subarray(0, k)).sort((a, b) => a - b);
}
