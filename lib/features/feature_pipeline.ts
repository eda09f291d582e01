/**
 * The fitted feature pipeline: every feature block ({@linkcode TitleTransformer}) that turns
 * title records into the model's input matrix. preprocess fits it and writes the blocks' rows to
 * `.npy`; train saves it inside each genre model; predict applies the model's copy — one
 * transform code path for all three.
 *
 * Saved as a folder: `pipeline.json` (the blocks, in order, with their column counts) and one
 * sub-folder per block.
 *
 * @module
 */

import { join } from "node:path";
import { atomicWriteJson } from "../io/atomic_write.ts";
import { CREDITS_DIMENSIONS } from "./credits_features.ts";
import {
  type BlockDescription,
  type BlockTransformOptions,
  CategoricalFeatures,
  CreditsFeatures,
  FEATURE_BLOCKS,
  type FeatureBlock,
  loadBlock,
  type LoadBlockOptions,
  MetadataFeatures,
  TextFeatures,
  type TitleTransformer,
} from "./feature_blocks.ts";
import { hstack, type Matrix } from "../core/matrix.ts";
import type { Titles } from "../data/netflix_csv.ts";
import { readJsonFile } from "../io/read_json.ts";
import type { TextEmbedder } from "../embedders/text_embedder.ts";
import { LsaEmbedder } from "../embedders/lsa_embedder.ts";

const PIPELINE_FILE = "pipeline.json";

/** Options for {@linkcode FeaturePipeline.create}. */
export interface CreatePipelineOptions {
  /** The description embedder of the `text` block. */
  embedder: TextEmbedder;
  /**
   * Dimensions of the `lsa` block (default 768, or as many as the training descriptions support
   * when fewer): the LSA kept beside the `text` block to compare them.
   */
  lsaDimensions?: number;
  /** Seed of the credits SVD (default 42). */
  seed?: number;
  /** Credits dimensions (default 256). */
  creditsDimensions?: number;
  /** Countries with fewer training titles fall into `country_Other` (default 30). */
  minCountryCount?: number;
  /** Blocks to build (default all five). */
  blocks?: readonly FeatureBlock[];
}

/** Options for {@linkcode FeaturePipeline.load}. */
export interface LoadPipelineOptions extends LoadBlockOptions {
  /** The blocks to load, in this order (default all of the saved pipeline's, in its order). */
  blocks?: readonly FeatureBlock[];
}

/**
 * An ordered set of feature blocks.
 *
 * @example
 * ```ts
 * import { LsaEmbedder } from "../embedders/lsa_embedder.ts";
 * import { parseTitles } from "../data/netflix_csv.ts";
 * const csv = "show_id,type,title,director,cast,country,date_added,release_year,rating," +
 *   "duration,genres,description\n" +
 *   "s1,Movie,A,,X Y,India,1-Jan-20,2019,PG,90,Dramas,A love story in a small town.\n" +
 *   "s2,TV Show,B,,X Y,,,2020,TV-MA,2,Docuseries,A story of the sea and its fish.\n";
 * const { titles } = parseTitles(csv);
 * const pipeline = FeaturePipeline.create({
 *   embedder: new LsaEmbedder({ dimensions: 1, minDf: 1 }),
 *   blocks: ["text", "categorical"],
 * });
 * await pipeline.fit(titles);
 * const X = await pipeline.transform(titles); // 2 × (1 + 4)
 * ```
 */
export class FeaturePipeline {
  readonly #blocks: Map<FeatureBlock, TitleTransformer>;

  constructor(blocks: readonly TitleTransformer[]) {
    this.#blocks = new Map();
    for (const b of blocks) {
      if (this.#blocks.has(b.kind)) {
        throw new RangeError(`FeaturePipeline: block "${b.kind}" is given twice`);
      }
      this.#blocks.set(b.kind, b);
    }
    if (this.#blocks.size === 0) throw new RangeError("FeaturePipeline: give at least one block");
  }

  /** A new, unfitted pipeline of the project's blocks. */
  static create(options: CreatePipelineOptions): FeaturePipeline {
    const seed = options.seed ?? 42;
    const make: Record<FeatureBlock, () => TitleTransformer> = {
      text: () => new TextFeatures(options.embedder),
      categorical: () => new CategoricalFeatures(),
      metadata: () => new MetadataFeatures({ minCountryCount: options.minCountryCount ?? 30 }),
      credits: () =>
        new CreditsFeatures({ dimensions: options.creditsDimensions ?? CREDITS_DIMENSIONS, seed }),
      lsa: () =>
        new TextFeatures(
          new LsaEmbedder({ dimensions: options.lsaDimensions ?? 768, seed, atMost: true }),
          { kind: "lsa" },
        ),
    };
    return new FeaturePipeline((options.blocks ?? FEATURE_BLOCKS).map((b) => make[b]()));
  }

  /** Block names, in order. */
  get kinds(): FeatureBlock[] {
    return [...this.#blocks.keys()];
  }

  /** One block (throws naming the blocks there are when it is missing). */
  block(kind: FeatureBlock): TitleTransformer {
    const b = this.#blocks.get(kind);
    if (!b) {
      throw new RangeError(
        `FeaturePipeline: no "${kind}" block; this pipeline has ${this.kinds.join(", ")}`,
      );
    }
    return b;
  }

  /** A pipeline of some of the blocks, in the order given (the blocks are shared, not copied). */
  select(kinds: readonly FeatureBlock[]): FeaturePipeline {
    return new FeaturePipeline(kinds.map((k) => this.block(k)));
  }

  /** Fits every block on `titles` (or on `options.rows` of them; see each block). */
  async fit(
    titles: Titles,
    options: { rows?: ArrayLike<number>; progress?: boolean } = {},
  ): Promise<this> {
    for (const b of this.#blocks.values()) await b.fit(titles, options);
    return this;
  }

  /** Each block's rows for `titles`. */
  async transformBlocks(
    titles: Titles,
    options: BlockTransformOptions = {},
  ): Promise<Map<FeatureBlock, Matrix>> {
    const out = new Map<FeatureBlock, Matrix>();
    for (const [k, b] of this.#blocks) out.set(k, await b.transform(titles, options));
    return out;
  }

  /** The input matrix: the blocks' rows side by side, in block order. */
  async transform(titles: Titles, options: BlockTransformOptions = {}): Promise<Matrix> {
    const blocks = await this.transformBlocks(titles, options);
    return blocks.size === 1 ? [...blocks.values()][0] : hstack([...blocks.values()]);
  }

  /** Column names of {@linkcode FeaturePipeline.transform}'s matrix. */
  get featureNames(): string[] {
    return [...this.#blocks.values()].flatMap((b) => b.featureNames);
  }

  /** What each block is (kind, columns, details), in order. */
  describe(): BlockDescription[] {
    return [...this.#blocks.values()].map((b) => b.describe());
  }

  /** Writes `pipeline.json` and one sub-folder per block into `dir`. */
  async save(dir: string): Promise<void> {
    for (const [k, b] of this.#blocks) {
      await Deno.mkdir(join(dir, k), { recursive: true });
      await b.save(join(dir, k));
    }
    await atomicWriteJson(join(dir, PIPELINE_FILE), {
      format: "netflix-genres-pipeline/1",
      blocks: this.describe(),
    });
  }

  /**
   * Loads a pipeline written by {@linkcode FeaturePipeline.save}, checking every block it loads:
   * all of them, or only `options.blocks`, in that order (the others are never read — the same
   * pipeline as `load(dir).select(blocks)`, without loading what it leaves out).
   *
   * @example
   * ```ts
   * const textOnly = await FeaturePipeline.load("processed_data/features/pipeline", {
   *   blocks: ["text", "categorical"],
   * });
   * ```
   */
  static async load(dir: string, options: LoadPipelineOptions = {}): Promise<FeaturePipeline> {
    const path = join(dir, PIPELINE_FILE);
    const saved = await readJsonFile<{ format: string; blocks: BlockDescription[] }>(path, {
      hint: "re-run `npx deno task preprocess`",
    });
    if (saved.format !== "netflix-genres-pipeline/1" || !Array.isArray(saved.blocks)) {
      throw new Error(`${path}: not a saved feature pipeline; re-run \`npx deno task preprocess\``);
    }
    const wanted = options.blocks ?? saved.blocks.map((d) => d.kind);
    const blocks: TitleTransformer[] = [];
    for (const kind of wanted) {
      const d = saved.blocks.find((b) => b.kind === kind);
      if (!d) {
        throw new RangeError(
          `${path}: no "${kind}" block; this pipeline has ` +
            `${saved.blocks.map((b) => b.kind).join(", ")} (re-run \`npx deno task preprocess\` ` +
            "with the blocks the model needs)",
        );
      }
      const b = await loadBlock(join(dir, d.kind), options);
      if (b.featureNames.length !== d.columns) {
        throw new Error(
          `${path}: block ${d.kind} should have ${d.columns} columns but ${join(dir, d.kind)} ` +
            `makes ${b.featureNames.length}: the folder mixes pieces of different runs; re-run ` +
            "`npx deno task preprocess`",
        );
      }
      blocks.push(b);
    }
    return new FeaturePipeline(blocks);
  }
}
