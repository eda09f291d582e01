/**
 * The one owner of a processed folder (`processed_data/` by default): every path in it, and a
 * typed reader and writer for each file the stages exchange. No other module builds these paths.
 *
 * | path | written by | what |
 * | --- | --- | --- |
 * | `features/` | preprocess | the feature arrays ({@linkcode Artifacts.loadFeatures}), `config.json`, the fitted pipeline (`features/processed_data.ts`) |
 * | `models/<name>/` | train | a saved {@linkcode GenreModel} (its thresholds live in it, nowhere else) |
 * | `predictions/<name>_oof.npy`, `<name>_test.npy` | train | out-of-fold and test probabilities |
 * | `cache/folds/<name>/` | train | the CV fold models of the best model, for the explain stage |
 * | `cache/use/`, `cache/ollama/` | preprocess | text embeddings by text, so nothing is embedded twice |
 * | `explain/` | explain | the term model and the block means `predict --explain` uses |
 * | `metrics.json` | train, explain, all | scores and results: written only by {@linkcode Artifacts.writeMetrics} |
 * | `sample_<N>/` | notebooks, `report --sample N` | a quick run's own processed folder |
 *
 * Every file is written atomically; a stage writes its model files before `metrics.json`, which
 * is the last thing it commits.
 *
 * @module
 */

import { join } from "node:path";
import { atomicWriteJson, writeDirAtomically } from "../io/atomic_write.ts";
import type { Matrix } from "../core/matrix.ts";
import type { MultiLabelEstimator } from "../core/estimator.ts";
import { readMatrix, writeNpy } from "../io/npy.ts";
import { readJsonFile } from "../io/read_json.ts";
import { loadEstimator, saveEstimator } from "../models/model_store.ts";
import {
  DEFAULT_PROCESSED_DIR,
  type FeatureBlock,
  featuresDir,
  loadProcessed,
  type ProcessedConfig,
  type ProcessedData,
  readConfig,
  type SplitName,
} from "../features/processed_data.ts";
import { GenreModel, type GenreModelExpectations, type GenreModelManifest } from "./genre_model.ts";
import { type MetricsFile, parseMetricsFile, readMetricsFile } from "./metrics_file.ts";

/** What `cache/folds/<name>/folds.json` records about the fold models beside it. */
export interface SavedFolds {
  model: string;
  /** `metrics.json` → `models.<name>.trained` of the training that fitted them. */
  trained: string;
  features_id: string;
  folds: number;
  seed: number;
}

const FOLDS_FILE = "folds.json";

/** Feature arrays already read, by folder, blocks, split and features id. */
const loadedFeatures = new Map<string, Promise<ProcessedData>>();

/**
 * A processed folder's files.
 *
 * @example
 * ```ts
 * const artifacts = new Artifacts("processed_data");
 * const metrics = await artifacts.readMetrics();
 * const { oof } = await artifacts.readPredictions(metrics.best);
 * ```
 */
export class Artifacts {
  /** The processed folder. */
  readonly dir: string;

  constructor(dir: string = DEFAULT_PROCESSED_DIR) {
    this.dir = dir;
  }

  /**
   * The processed folder of a quick run on `sample` titles (`<dir>/sample_<N>/`), or of the full
   * run when `sample` is undefined: a sample never writes over the full run's files.
   *
   * @example
   * ```ts
   * Artifacts.forSample(1500).dir; // "processed_data/sample_1500"
   * ```
   */
  static forSample(sample: number | undefined, dir: string = DEFAULT_PROCESSED_DIR): Artifacts {
    return new Artifacts(sample === undefined ? dir : join(dir, `sample_${sample}`));
  }

  /** `features/`: written by preprocess. */
  get features(): string {
    return featuresDir(this.dir);
  }

  /** `models/`: one folder per saved genre model. */
  get models(): string {
    return join(this.dir, "models");
  }

  /** `explain/`: the explain stage's parts for `predict --explain`. */
  get explain(): string {
    return join(this.dir, "explain");
  }

  /** `metrics.json`. */
  get metrics(): string {
    return join(this.dir, "metrics.json");
  }

  /** The folder of saved model `name`. */
  model(name: string): string {
    return join(this.models, name);
  }

  /** `predictions/<name>_<which>.npy`. */
  predictions(name: string, which: "oof" | "test"): string {
    return join(this.dir, "predictions", `${name}_${which}.npy`);
  }

  /** `cache/folds/<name>/`: the CV fold models of model `name`. */
  foldModels(name: string): string {
    return join(this.dir, "cache", "folds", name);
  }

  /** `features/config.json`, validated. */
  readConfig(): Promise<ProcessedConfig> {
    return readConfig(this.dir);
  }

  /**
   * The feature arrays of `features/` for some blocks (default all) on a split (default
   * `random`), with the config. Read once per process while preprocess has not re-run (the
   * train stage fits several models on the same blocks): treat the arrays as read-only.
   */
  async loadFeatures(
    options: { features?: FeatureBlock[]; split?: SplitName } = {},
  ): Promise<ProcessedData> {
    const { id } = await this.readConfig();
    const at = `${this.dir}|`;
    const key = `${at}${options.features?.join(",") ?? "*"}|${options.split ?? "random"}|${id}`;
    for (const k of loadedFeatures.keys()) {
      if (k.startsWith(at) && !k.endsWith(`|${id}`)) loadedFeatures.delete(k);
    }
    let data = loadedFeatures.get(key);
    if (!data) {
      data = loadProcessed(this.dir, options);
      data.catch(() => loadedFeatures.delete(key));
      loadedFeatures.set(key, data);
    }
    return await data;
  }

  /** `metrics.json`, validated; a missing or unreadable file is an error naming the fix. */
  readMetrics(): Promise<MetricsFile> {
    return readMetricsFile(this.dir);
  }

  /**
   * `metrics.json`, or null when there is none yet. A file that exists but cannot be read or
   * validated is refused (never silently replaced): the error names the file and the fix.
   */
  async readMetricsIfAny(): Promise<MetricsFile | null> {
    try {
      await Deno.stat(this.metrics);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return null;
      throw err;
    }
    try {
      return await this.readMetrics();
    } catch (err) {
      throw new Error(
        `${this.metrics} exists but cannot be used (${(err as Error).message.split("\n")[0]}). ` +
          "It holds every model's results, so it is not replaced: restore it, or move it away " +
          "and run `npx deno task train --force` to rebuild every entry",
      );
    }
  }

  /** Writes `metrics.json` (validated first, atomically): the only writer of that file. */
  async writeMetrics(metrics: MetricsFile): Promise<void> {
    parseMetricsFile(JSON.parse(JSON.stringify(metrics)), { source: `${this.metrics} (new)` });
    await atomicWriteJson(this.metrics, metrics);
  }

  /** Reads `metrics.json`, applies `change` and writes the result. */
  async updateMetrics(change: (metrics: MetricsFile) => MetricsFile): Promise<MetricsFile> {
    const next = change(await this.readMetrics());
    await this.writeMetrics(next);
    return next;
  }

  /** Names of the saved genre models (folders under `models/` with a manifest), sorted. */
  async listModels(): Promise<string[]> {
    const names: string[] = [];
    try {
      for await (const e of Deno.readDir(this.models)) {
        if (!e.isDirectory || e.name.startsWith(".")) continue;
        try {
          await Deno.stat(join(this.models, e.name, "manifest.json"));
          names.push(e.name);
        } catch { /* not a saved genre model */ }
      }
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    return names.sort();
  }

  /** The manifest of saved model `name`, or null when it has none or it cannot be read. */
  async readModelManifest(name: string): Promise<GenreModelManifest | null> {
    try {
      return await readJsonFile<GenreModelManifest>(join(this.model(name), "manifest.json"));
    } catch {
      return null;
    }
  }

  /**
   * The features id that saved model `name` was trained on (from its manifest), or undefined
   * when there is no readable saved model of that name.
   */
  async modelFeaturesId(name: string): Promise<string | undefined> {
    return (await this.readModelManifest(name))?.training?.features_id;
  }

  /** Loads saved model `name` (see {@linkcode GenreModel.load} for what it checks). */
  openModel(name: string, expect: GenreModelExpectations = {}): Promise<GenreModel> {
    return GenreModel.load(this.model(name), expect);
  }

  /**
   * The decision thresholds of saved model `name`, one per genre, read from the model itself
   * (the only place they are kept).
   */
  async modelThresholds(name: string): Promise<Float64Array> {
    const model = await this.openModel(name);
    return Float64Array.from(model.estimator.thresholds!);
  }

  /** Writes a model's out-of-fold (training rows) and test probabilities. */
  async writePredictions(name: string, proba: { oof: Matrix; test: Matrix }): Promise<void> {
    await writeNpy(this.predictions(name, "oof"), proba.oof);
    await writeNpy(this.predictions(name, "test"), proba.test);
  }

  /** A model's out-of-fold and test probabilities (rows × genres, float32). */
  async readPredictions(name: string): Promise<{ oof: Matrix; test: Matrix }> {
    const hint = "re-run `npx deno task train`";
    const read = async (which: "oof" | "test") =>
      await readMatrix(this.predictions(name, which), { dtype: "<f4", hint }) as Matrix;
    return { oof: await read("oof"), test: await read("test") };
  }

  /** Replaces `cache/folds/<name>/` with these fold models (in fold order) and their manifest. */
  async saveFoldModels(
    name: string,
    models: readonly MultiLabelEstimator[],
    manifest: SavedFolds,
  ): Promise<void> {
    await writeDirAtomically(this.foldModels(name), async (tmp) => {
      for (const [k, m] of models.entries()) await saveEstimator(join(tmp, `fold_${k}`), m);
      await atomicWriteJson(join(tmp, FOLDS_FILE), manifest);
    });
  }

  /** The manifest of model `name`'s saved fold models, or null when there are none. */
  async readSavedFolds(name: string): Promise<SavedFolds | null> {
    const path = join(this.foldModels(name), FOLDS_FILE);
    try {
      await Deno.stat(path);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return null;
      throw err;
    }
    return await readJsonFile<SavedFolds>(path, {
      hint: `re-run \`npx deno task train --models ${name}\``,
    });
  }

  /** Fold `k`'s saved model of model `name`. */
  loadFoldModel(name: string, k: number): Promise<MultiLabelEstimator> {
    return loadEstimator(join(this.foldModels(name), `fold_${k}`));
  }
}
