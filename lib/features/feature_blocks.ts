/**
 * The five feature blocks as transformers of title records, all with one interface
 * ({@linkcode TitleTransformer}): `fit` on the training titles, `transform` any titles, `save`
 * to a folder that {@linkcode loadBlock} reads back by the block's kind.
 *
 * | kind | columns | wraps |
 * | --- | --- | --- |
 * | `text` | 512 | the description embedder (`use` by default; `lsa` or `ollama`; embedders/) |
 * | `lsa` | 768 | the description's LSA (TF-IDF + SVD), kept beside `text` to compare them |
 * | `categorical` | 17 | one-hot `type` and `rating` (lib/one_hot_encoder.ts) |
 * | `metadata` | ~40 | year, duration, date added, countries (lib/metadata_features.ts) |
 * | `credits` | 256 | cast and director names (lib/credits_features.ts) |
 *
 * @module
 */

import { join } from "node:path";
import { atomicWriteJson } from "../io/atomic_write.ts";
import { CreditsEncoder, type CreditsOptions } from "./credits_features.ts";
import { loadEmbedder } from "../embedders/embedder_factory.ts";
import type { Matrix } from "../core/matrix.ts";
import { MetadataEncoder, type MetadataState } from "./metadata_features.ts";
import { type RowProblem, selectTitles, type Titles } from "../data/netflix_csv.ts";
import { type Categories, OneHotEncoder } from "./one_hot_encoder.ts";
import { readJsonFile } from "../io/read_json.ts";
import type { EmbedderIdentity, TextEmbedder } from "../embedders/text_embedder.ts";
import type { EstimatorPool } from "../core/estimator.ts";

/** Names of the feature blocks that can be combined with `--features`. */
export const FEATURE_BLOCKS = ["text", "categorical", "metadata", "credits", "lsa"] as const;
/** One feature block name. */
export type FeatureBlock = (typeof FEATURE_BLOCKS)[number];

/** Options for {@linkcode TitleTransformer.fit}. */
export interface BlockFitOptions {
  /** Rows of `titles` that statistics are learned from (default all). */
  rows?: ArrayLike<number>;
  /** Draw progress bars (default false). */
  progress?: boolean;
}

/** Options for {@linkcode TitleTransformer.transform}. */
export interface BlockTransformOptions {
  /** Draw progress bars (default false). */
  progress?: boolean;
  /** The worker pool a text embedder may run its model on (default: this thread). */
  pool?: EstimatorPool;
}

/** What a saved block's `block.json` records (and the model manifest repeats). */
export interface BlockDescription {
  kind: FeatureBlock;
  /** Output columns. */
  columns: number;
  /** Block-specific facts (the embedder and its model, the categories, …). */
  details: Record<string, unknown>;
}

/**
 * One feature block: learns from training titles, turns any titles into rows of numbers.
 *
 * @example
 * ```ts
 * import type { Titles } from "../data/netflix_csv.ts";
 * async function features(block: TitleTransformer, train: Titles, all: Titles) {
 *   await block.fit(train);
 *   return await block.transform(all); // all.length × block.featureNames.length
 * }
 * ```
 */
export interface TitleTransformer {
  /** The block's name (and the key it is loaded by). */
  readonly kind: FeatureBlock;
  /** Learns from `titles` (the training titles, or `options.rows` of them). */
  fit(titles: Titles, options?: BlockFitOptions): Promise<this>;
  /** Rows × columns float32 features, one row per title, in order. */
  transform(titles: Titles, options?: BlockTransformOptions): Promise<Matrix>;
  /** Column names, in order (known after `fit`). */
  readonly featureNames: string[];
  /** What the manifest records about the fitted block. */
  describe(): BlockDescription;
  /** Writes the fitted block into folder `dir` (created by the caller). */
  save(dir: string): Promise<void>;
}

const BLOCK_FILE = "block.json";

interface SavedBlock extends BlockDescription {
  format: "netflix-genres-block/1";
  state?: unknown;
}

async function writeBlock(dir: string, block: TitleTransformer, state?: unknown): Promise<void> {
  const saved: SavedBlock = { format: "netflix-genres-block/1", ...block.describe(), state };
  await atomicWriteJson(join(dir, BLOCK_FILE), saved);
}

function rowsOf(titles: Titles, rows?: ArrayLike<number>): Titles {
  return rows === undefined ? titles : selectTitles(titles, rows);
}

/**
 * Description embeddings: the `text` block (by the chosen embedder: the sentence encoder `use`,
 * `lsa` fitted on the training descriptions, or Ollama), or the `lsa` block (always LSA, kept
 * beside the chosen embedder's block to compare them).
 *
 * @example
 * ```ts
 * import { LsaEmbedder } from "../embedders/lsa_embedder.ts";
 * const text = new TextFeatures(new LsaEmbedder({ dimensions: 2, minDf: 1 }));
 * ```
 */
export class TextFeatures implements TitleTransformer {
  readonly kind: "text" | "lsa";
  /** The embedder (fitted by {@linkcode TextFeatures.fit}). */
  embedder: TextEmbedder;

  constructor(embedder: TextEmbedder, options: { kind?: "text" | "lsa" } = {}) {
    this.embedder = embedder;
    this.kind = options.kind ?? "text";
  }

  async fit(titles: Titles, options: BlockFitOptions = {}): Promise<this> {
    await this.embedder.fit(rowsOf(titles, options.rows).description);
    return this;
  }

  async transform(titles: Titles, options: BlockTransformOptions = {}): Promise<Matrix> {
    return await this.embedder.embed(titles.description, {
      titles: titles.title,
      progress: options.progress ?? false,
      pool: options.pool,
    });
  }

  get featureNames(): string[] {
    const prefix = this.kind === "text" ? "emb" : "lsa";
    return Array.from({ length: this.embedder.dimensions }, (_, i) => `${prefix}_${i}`);
  }

  describe(): BlockDescription {
    return {
      kind: this.kind,
      columns: this.embedder.dimensions,
      details: {
        embedder: this.embedder.kind,
        model: this.embedder.model,
        ...withoutKind(this.embedder.identity),
      },
    };
  }

  async save(dir: string): Promise<void> {
    await this.embedder.save(dir);
    await writeBlock(dir, this);
  }
}

/**
 * One-hot `type` and `rating`. The categories are a label-free vocabulary: like the study's
 * `pd.get_dummies` over the whole table, they are learned from every title given to `fit`
 * (`options.rows` is ignored); a category never seen becomes zeros.
 *
 * @example
 * ```ts
 * const block = new CategoricalFeatures();
 * ```
 */
export class CategoricalFeatures implements TitleTransformer {
  readonly kind = "categorical";
  encoder: OneHotEncoder;

  constructor(options: { categories?: Categories } = {}) {
    this.encoder = new OneHotEncoder({ categories: options.categories });
  }

  fit(titles: Titles): Promise<this> {
    this.encoder.fit({ type: titles.type, rating: titles.rating });
    return Promise.resolve(this);
  }

  transform(titles: Titles): Promise<Matrix> {
    return Promise.resolve(this.encoder.transform({ type: titles.type, rating: titles.rating }));
  }

  /**
   * One warning per `type` or `rating` value that training never saw: its one-hot columns are
   * all zero (as documented; the encoding is unchanged), so the model reads the title as having
   * none. `predict` prints these per row and `--strict` refuses them.
   *
   * @example
   * ```ts
   * import { titlesFromRecords } from "../data/title_records.ts";
   * const block = new CategoricalFeatures({ categories: { type: ["Movie"], rating: ["PG"] } });
   * block.unknownValues(titlesFromRecords([{ type: "Podcast", rating: "PG", description: "x" }]));
   * // [{ row: 1, showId: "record_1", field: "type", message: 'type "Podcast" … }]
   * ```
   */
  unknownValues(titles: Titles): RowProblem[] {
    return this.encoder.unseen({ type: titles.type, rating: titles.rating }).map((u) => ({
      row: titles.rowNumber[u.index],
      showId: titles.showId[u.index],
      field: u.column,
      message: `${u.column} ${JSON.stringify(u.value)} was never seen in training, so its ` +
        `one-hot columns are all zero (known values: ${u.known.join(", ")})`,
    }));
  }

  get featureNames(): string[] {
    return this.encoder.featureNames;
  }

  describe(): BlockDescription {
    return {
      kind: this.kind,
      columns: this.featureNames.length,
      details: { categories: this.encoder.categories },
    };
  }

  async save(dir: string): Promise<void> {
    await writeBlock(dir, this, this.encoder.categories);
  }
}

/**
 * Release year, duration, date added and countries, scaled with training statistics.
 *
 * @example
 * ```ts
 * const block = new MetadataFeatures({ minCountryCount: 30 });
 * ```
 */
export class MetadataFeatures implements TitleTransformer {
  readonly kind = "metadata";
  encoder: MetadataEncoder;

  constructor(options: { minCountryCount?: number; state?: MetadataState } = {}) {
    this.encoder = new MetadataEncoder(options);
  }

  fit(titles: Titles, options: BlockFitOptions = {}): Promise<this> {
    this.encoder.fit(metadataColumns(rowsOf(titles, options.rows)));
    return Promise.resolve(this);
  }

  transform(titles: Titles): Promise<Matrix> {
    return Promise.resolve(this.encoder.transform(metadataColumns(titles)));
  }

  get featureNames(): string[] {
    return this.encoder.featureNames;
  }

  describe(): BlockDescription {
    return { kind: this.kind, columns: this.featureNames.length, details: {} };
  }

  async save(dir: string): Promise<void> {
    await writeBlock(dir, this, this.encoder.state);
  }
}

function metadataColumns(t: Titles) {
  return {
    type: t.type,
    releaseYear: t.releaseYear,
    duration: t.duration,
    country: t.country,
    dateAdded: t.dateAdded,
  };
}

/**
 * Cast and director names: TF-IDF over names fitted on the training titles, randomized SVD.
 *
 * @example
 * ```ts
 * const block = new CreditsFeatures({ dimensions: 256, seed: 42 });
 * ```
 */
export class CreditsFeatures implements TitleTransformer {
  readonly kind = "credits";
  encoder: CreditsEncoder;

  constructor(options: CreditsOptions & { encoder?: CreditsEncoder } = {}) {
    this.encoder = options.encoder ?? new CreditsEncoder(options);
  }

  async fit(titles: Titles, options: BlockFitOptions = {}): Promise<this> {
    const t = rowsOf(titles, options.rows);
    await this.encoder.fit({ cast: t.cast, director: t.director });
    return this;
  }

  async transform(titles: Titles): Promise<Matrix> {
    return await this.encoder.transform({ cast: titles.cast, director: titles.director });
  }

  get featureNames(): string[] {
    return this.encoder.featureNames;
  }

  describe(): BlockDescription {
    return { kind: this.kind, columns: this.featureNames.length, details: {} };
  }

  async save(dir: string): Promise<void> {
    await this.encoder.save(dir);
    await writeBlock(dir, this);
  }
}

/** Options for {@linkcode loadBlock}. */
export interface LoadBlockOptions {
  /** Ollama vector cache folder and host (for a saved `ollama` text block). */
  cacheDir?: string;
  host?: string;
}

/**
 * Loads a block written by its `save`, checking `block.json`; it transforms exactly as before.
 *
 * @example
 * ```ts
 * const block = await loadBlock("processed_data/models/best/features/categorical");
 * ```
 */
export async function loadBlock(
  dir: string,
  options: LoadBlockOptions = {},
): Promise<TitleTransformer> {
  const path = join(dir, BLOCK_FILE);
  const saved = await readJsonFile<SavedBlock>(path, {
    hint: "re-run `npx deno task preprocess` and `npx deno task train`",
  });
  if (saved.format !== "netflix-genres-block/1") {
    throw new Error(
      `${path}: not a saved feature block (format ${saved.format}); re-run ` +
        "`npx deno task preprocess` and `npx deno task train`",
    );
  }
  let block: TitleTransformer;
  switch (saved.kind) {
    case "text":
    case "lsa": {
      const kind = saved.details.embedder as TextEmbedder["kind"];
      block = new TextFeatures(await loadEmbedder(dir, kind, options), { kind: saved.kind });
      break;
    }
    case "categorical":
      block = new CategoricalFeatures({ categories: saved.state as Categories });
      break;
    case "metadata":
      block = new MetadataFeatures({ state: saved.state as MetadataState });
      break;
    case "credits":
      block = new CreditsFeatures({ encoder: await CreditsEncoder.load(dir) });
      break;
    default:
      throw new Error(
        `${path}: unknown block kind "${saved.kind}"; known: ${FEATURE_BLOCKS.join(", ")}`,
      );
  }
  if (block.featureNames.length !== saved.columns) {
    throw new Error(
      `${path}: says ${saved.columns} columns but the saved block makes ` +
        `${block.featureNames.length}; the folder was edited or mixed: re-run \`npx deno task train\``,
    );
  }
  return block;
}

/** An embedder's identity without its kind and model (given separately in a block's details). */
function withoutKind(identity: EmbedderIdentity): Record<string, string> {
  const { kind: _k, model: _m, ...rest } = identity;
  return Object.fromEntries(
    Object.entries(rest).filter((e): e is [string, string] => typeof e[1] === "string"),
  );
}
