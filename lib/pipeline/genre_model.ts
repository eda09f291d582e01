/**
 * The trained genre model: one object that a user fits, saves, loads and asks — the fitted
 * feature pipeline (every block), the estimator with its own decision thresholds, and the genre
 * list. `fit`, `predictProba` and `predict` take title records (NetFlix.csv's fields); the matrix
 * API of the estimators stays underneath for notebooks and benchmarks.
 *
 * Saved as one folder, built in a temporary folder and renamed into place (a half-written model
 * cannot exist):
 *
 * | path | what |
 * | --- | --- |
 * | `manifest.json` | format, genres, each block's kind and columns, training data SHA-256 and features id, embedder, package versions, creation time, test scores |
 * | `features/` | the fitted {@linkcode FeaturePipeline} (only the blocks the model reads) |
 * | `estimator/` | the {@linkcode ThresholdedClassifier}: thresholds and the inner model |
 *
 * {@linkcode GenreModel.load} checks the manifest against the folder and against what it is asked
 * to do, and refuses — naming what does not match and the command that fixes it — instead of
 * predicting with pieces that do not belong together.
 *
 * @module
 */

import { join } from "node:path";
import { atomicWriteJson, writeDirAtomically } from "../io/atomic_write.ts";
import type { EstimatorPool, MultiLabelEstimator } from "../core/estimator.ts";
import type { BlockDescription, FeatureBlock } from "../features/feature_blocks.ts";
import type { EmbedderIdentity } from "../embedders/text_embedder.ts";
import { FeaturePipeline } from "../features/feature_pipeline.ts";
import type { Matrix } from "../core/matrix.ts";
import { loadEstimator, saveEstimator } from "../models/model_store.ts";
import { MultiLabelBinarizer } from "../features/multi_label_binarizer.ts";
import type { Titles } from "../data/netflix_csv.ts";
import { projectPath } from "../io/project_paths.ts";
import { readJsonFile } from "../io/read_json.ts";
import { ThresholdedClassifier, type ThresholdStrategy } from "../models/thresholded_classifier.ts";
import { type TitleRecord, titlesFromRecords } from "../data/title_records.ts";

/** Format tag of a saved genre model's `manifest.json`. */
const MODEL_FORMAT = "netflix-genres-model/2";

/** What the model was trained on. */
export interface TrainingInfo {
  /** Id of the processed features (`processed_data/features/config.json`), when trained from them. */
  features_id: string;
  /** SHA-256 of the training CSV. */
  data_sha256: string;
  /** Whether that CSV is the published NetFlix.csv. */
  published: boolean;
  /** Training titles. */
  rows: number;
  /** Sample size, for a quick run on a sample. */
  sample?: number;
}

/** Contents of a saved model's `manifest.json`. */
export interface GenreModelManifest {
  format: typeof MODEL_FORMAT;
  /** Model name (its folder under `processed_data/models/`). */
  name: string;
  description: string;
  created: string;
  genres: string[];
  /** Feature blocks in input order, and what each is. */
  features: FeatureBlock[];
  blocks: BlockDescription[];
  n_features: number;
  estimator: { kind: string; inner: string; threshold_strategy: ThresholdStrategy };
  training: TrainingInfo;
  /** What the text block was embedded with (kind, model; for pre-trained weights their package, version and SHA-256). */
  embedder: EmbedderIdentity | null;
  /** Deno, V8, TypeScript and npm package versions the model was saved with. */
  packages: Record<string, string>;
  /** Test-set scores, when known. */
  scores: Record<string, number>;
}

/** One predicted genre. */
export interface GenreScore {
  genre: string;
  probability: number;
  /** The genre's decision threshold: predicted when `probability >= threshold`. */
  threshold: number;
}

/** The prediction for one title. */
export interface TitlePrediction {
  showId: string;
  title: string;
  /** Predicted genres, most probable first (may be empty). */
  genres: GenreScore[];
}

/** Options for {@linkcode GenreModel.fit}. */
export interface GenreModelFitOptions {
  /** An unfitted pipeline of the blocks the model reads (e.g. `FeaturePipeline.create(…)`). */
  pipeline: FeaturePipeline;
  /** The unfitted estimator (the thresholds are tuned around it). */
  estimator: MultiLabelEstimator;
  /** Threshold choice (default per genre). */
  strategy?: ThresholdStrategy;
  /** CV folds for the thresholds (default 5) and their seed (default 42). */
  folds?: number;
  seed?: number;
  /** Worker pool to fit on (default: this thread). */
  pool?: EstimatorPool;
}

/** Options for {@linkcode GenreModel.save}. */
export interface GenreModelSaveOptions {
  name: string;
  description?: string;
  training: TrainingInfo;
  scores?: Record<string, number>;
}

/** What {@linkcode GenreModel.load} must find. */
export interface GenreModelExpectations {
  /**
   * Refuse a model whose text block was embedded by another embedder than these features were
   * (another kind, model or weights).
   */
  embedder?: EmbedderIdentity;
  /** Refuse a model trained on other features than these (the current preprocess run). */
  featuresId?: string;
  /** Where those features are, for the message. */
  featuresSource?: string;
}

/**
 * A genre model: titles in, genres out.
 *
 * @example
 * ```ts
 * const model = await GenreModel.load("processed_data/models/best");
 * const [p] = await model.predict([
 *   { title: "Reef", type: "TV Show", rating: "TV-G", description: "Life on a coral reef." },
 * ]);
 * console.log(p.genres); // [{ genre: "Docuseries", probability: 0.83, threshold: 0.3 }, …]
 * ```
 */
export class GenreModel {
  readonly pipeline: FeaturePipeline;
  readonly estimator: ThresholdedClassifier;
  readonly genres: string[];
  /** The manifest of a loaded or saved model. */
  manifest: GenreModelManifest | null = null;

  constructor(parts: {
    pipeline: FeaturePipeline;
    estimator: ThresholdedClassifier;
    genres: readonly string[];
  }) {
    this.pipeline = parts.pipeline;
    this.estimator = parts.estimator;
    this.genres = [...parts.genres];
    const t = parts.estimator.thresholds;
    if (t && t.length !== this.genres.length) {
      throw new RangeError(
        `GenreModel: the estimator has ${t.length} thresholds for ${this.genres.length} genres`,
      );
    }
  }

  /** Fits the pipeline and the thresholded estimator on training titles (with their genres). */
  static async fit(
    titles: Titles | readonly TitleRecord[],
    options: GenreModelFitOptions,
  ): Promise<GenreModel> {
    const t = asTitles(titles);
    const mlb = new MultiLabelBinarizer().fit(t.genres);
    const Y = mlb.transform(t.genres);
    await options.pipeline.fit(t);
    const X = await options.pipeline.transform(t);
    const estimator = await new ThresholdedClassifier({
      estimator: options.estimator,
      strategy: options.strategy,
      folds: options.folds,
      seed: options.seed,
    }).fit(X, Y, { pool: options.pool });
    return new GenreModel({ pipeline: options.pipeline, estimator, genres: mlb.classes });
  }

  /** The input matrix for titles, through the model's own pipeline. */
  async features(titles: Titles | readonly TitleRecord[]): Promise<Matrix> {
    return await this.pipeline.transform(asTitles(titles));
  }

  /** P(genre) for every title (rows) and genre (columns, in {@linkcode GenreModel.genres} order). */
  async predictProba(titles: Titles | readonly TitleRecord[]): Promise<Matrix> {
    return await this.estimator.predictProba(await this.features(titles));
  }

  /** The genres of each title whose probability reaches that genre's threshold. */
  async predict(titles: Titles | readonly TitleRecord[]): Promise<TitlePrediction[]> {
    const t = asTitles(titles);
    return this.decide(t, await this.predictProba(t));
  }

  /** Applies the model's thresholds to probabilities from {@linkcode GenreModel.predictProba}. */
  decide(titles: Titles, proba: Matrix): TitlePrediction[] {
    const thresholds = this.estimator.thresholds;
    if (!thresholds) throw new Error("GenreModel: the estimator is not fitted");
    const L = this.genres.length;
    const out: TitlePrediction[] = [];
    for (let i = 0; i < proba.rows; i++) {
      const genres: GenreScore[] = [];
      for (let j = 0; j < L; j++) {
        const p = proba.data[i * L + j];
        if (p >= thresholds[j]) {
          genres.push({ genre: this.genres[j], probability: p, threshold: thresholds[j] });
        }
      }
      genres.sort((a, b) => b.probability - a.probability);
      out.push({ showId: titles.showId[i], title: titles.title[i], genres });
    }
    return out;
  }

  /** Writes the model folder as one unit (temporary folder, then rename). */
  async save(dir: string, options: GenreModelSaveOptions): Promise<GenreModelManifest> {
    const text = this.pipeline.kinds.includes("text")
      ? this.pipeline.block("text").describe().details
      : null;
    const manifest: GenreModelManifest = {
      format: MODEL_FORMAT,
      name: options.name,
      description: options.description ?? "",
      created: new Date().toISOString(),
      genres: this.genres,
      features: this.pipeline.kinds,
      blocks: this.pipeline.describe(),
      n_features: this.pipeline.featureNames.length,
      estimator: {
        kind: this.estimator.kind,
        inner: this.estimator.estimator?.kind ?? "",
        threshold_strategy: this.estimator.options.strategy,
      },
      training: options.training,
      embedder: text ? embedderOf(text) : null,
      packages: await packageVersions(),
      scores: options.scores ?? {},
    };
    await writeDirAtomically(dir, async (tmp) => {
      await this.pipeline.save(join(tmp, "features"));
      await saveEstimator(join(tmp, "estimator"), this.estimator);
      await atomicWriteJson(join(tmp, "manifest.json"), manifest);
    });
    this.manifest = manifest;
    return manifest;
  }

  /**
   * Loads a saved model and checks that its pieces belong together (and to `expect`); refuses
   * with what does not match and the command that fixes it.
   */
  static async load(dir: string, expect: GenreModelExpectations = {}): Promise<GenreModel> {
    const path = join(dir, "manifest.json");
    const manifest = await readJsonFile<GenreModelManifest>(path, {
      hint: "train it with `npx deno task train`",
    });
    const retrain = `retrain it with \`npx deno task train --models ${manifest.name ?? "NAME"}\``;
    if (manifest.format !== MODEL_FORMAT) {
      throw new Error(
        `${path}: format ${manifest.format}, expected ${MODEL_FORMAT} (saved by another version ` +
          `of netflix-genres); ${retrain}`,
      );
    }
    const mine = manifest.embedder, theirs = expect.embedder;
    if (mine && theirs && !sameEmbedder(mine, theirs)) {
      const say = (e: EmbedderIdentity) =>
        `\`${e.kind}\` (${e.model}${e.sha256 ? `, weights sha256 ${e.sha256.slice(0, 12)}…` : ""})`;
      throw new Error(
        `model "${manifest.name}" (${dir}) was trained on text embedded by ${say(mine)}, but ` +
          `${expect.featuresSource ?? "processed_data/features"} holds text embedded by ` +
          `${say(theirs)}: ${retrain} on these features, or rebuild the features with ` +
          `\`npx deno task preprocess --embedder ${mine.kind}\``,
      );
    }
    if (expect.featuresId !== undefined && manifest.training.features_id !== expect.featuresId) {
      throw new Error(
        `model "${manifest.name}" (${dir}) was trained on features ${
          manifest.training.features_id.slice(0, 12)
        }, but ${expect.featuresSource ?? "processed_data/features"} now holds features ${
          expect.featuresId.slice(0, 12)
        } (preprocess was re-run since): ${retrain}`,
      );
    }
    const pipeline = await FeaturePipeline.load(join(dir, "features"));
    const mismatch = (what: string, saved: unknown, found: unknown) =>
      new Error(
        `${dir}: the manifest says ${what} ${JSON.stringify(saved)} but the folder holds ` +
          `${JSON.stringify(found)}: its pieces do not belong together; ${retrain}`,
      );
    if (pipeline.kinds.join(",") !== manifest.features.join(",")) {
      throw mismatch("feature blocks", manifest.features, pipeline.kinds);
    }
    for (const b of manifest.blocks) {
      const cols = pipeline.block(b.kind).featureNames.length;
      if (cols !== b.columns) throw mismatch(`${b.kind} columns`, b.columns, cols);
    }
    const loaded = await loadEstimator(join(dir, "estimator"));
    if (loaded.kind !== "thresholded") {
      throw mismatch("a thresholded estimator", "thresholded", loaded.kind);
    }
    const estimator = loaded as ThresholdedClassifier;
    const nThresholds = estimator.thresholds?.length ?? 0;
    if (nThresholds !== manifest.genres.length) {
      throw mismatch("genres", manifest.genres.length, `${nThresholds} thresholds`);
    }
    const model = new GenreModel({ pipeline, estimator, genres: manifest.genres });
    // One all-zero row checks the estimator's input width and output genres.
    const probe = await estimator.predictProba({
      rows: 1,
      cols: manifest.n_features,
      data: new Float32Array(manifest.n_features),
    }).catch((err) => {
      throw mismatch("input columns", manifest.n_features, (err as Error).message);
    });
    if (probe.cols !== manifest.genres.length) {
      throw mismatch("genres", manifest.genres.length, `${probe.cols} estimator outputs`);
    }
    model.manifest = manifest;
    return model;
  }
}

function asTitles(titles: Titles | readonly TitleRecord[]): Titles {
  return Array.isArray(titles)
    ? titlesFromRecords(titles as readonly TitleRecord[])
    : titles as Titles;
}

async function packageVersions(): Promise<Record<string, string>> {
  const out: Record<string, string> = {
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    typescript: Deno.version.typescript,
  };
  try {
    const pkg = JSON.parse(await Deno.readTextFile(projectPath("package.json")));
    Object.assign(out, pkg.dependencies ?? {});
  } catch { /* outside the project: the runtime versions are enough */ }
  return out;
}

/** The embedder identity in a text block's details. */
function embedderOf(details: Record<string, unknown>): EmbedderIdentity {
  const identity: EmbedderIdentity = {
    kind: String(details.embedder),
    model: String(details.model),
  };
  for (const key of ["package", "version", "sha256"] as const) {
    if (typeof details[key] === "string") identity[key] = details[key] as string;
  }
  return identity;
}

/** Whether two embedders give the same vectors: same kind, model and (when known) weights. */
function sameEmbedder(a: EmbedderIdentity, b: EmbedderIdentity): boolean {
  return a.kind === b.kind && a.model === b.model &&
    (a.sha256 === undefined || b.sha256 === undefined || a.sha256 === b.sha256);
}
