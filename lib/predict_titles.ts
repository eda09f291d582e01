/**
 * Genre predictions for titles the model has never seen, with the saved preprocessing (fitted
 * LSA vocabulary and projection or Ollama, categories, metadata scaling, credits vocabulary)
 * applied, never refitted.
 *
 * @module
 */

import pl from "nodejs-polars";
import { join } from "node:path";
import { CreditsEncoder } from "./credits_features.ts";
import { loadEmbedder } from "./embedder_factory.ts";
import { hstack, type Matrix } from "./matrix.ts";
import { MetadataEncoder } from "./metadata_features.ts";
import { loadModel } from "./model_store.ts";
import { parseTitles, type RowProblem, type Titles } from "./netflix_csv.ts";
import { OneHotEncoder } from "./one_hot_encoder.ts";
import {
  DEFAULT_PROCESSED_DIR,
  type FeatureBlock,
  type ProcessedConfig,
  readConfig,
} from "./processed_data.ts";

/** Options for {@linkcode predictTitles}. */
export interface PredictOptions {
  /** Processed folder with config.json, models/ and metrics.json (default `processed_data`). */
  dir?: string;
  /** Model folder name under models/ (default: the `best` of metrics.json). */
  model?: string;
  /** Name used in messages about the input. */
  source?: string;
}

/** Predictions, one entry per good input row. */
export interface Predictions {
  /** The model used. */
  model: string;
  genres: string[];
  titles: Titles;
  /** rows × genres probabilities. */
  proba: Matrix;
  /** Predicted genres per row (probability ≥ that genre's threshold), most probable first. */
  predicted: { genre: string; probability: number }[][];
  /** Rows that could not be predicted, by row number. */
  problems: RowProblem[];
}

/**
 * Builds one feature block for new titles from the saved preprocessing.
 *
 * @example
 * ```ts
 * const config = await readConfig("processed_data");
 * const block = await featureBlock("categorical", titles, { config, dir: "processed_data" });
 * ```
 */
export async function featureBlock(
  block: FeatureBlock,
  titles: Titles,
  options: { config: ProcessedConfig; dir: string },
): Promise<Matrix> {
  const { config, dir } = options;
  switch (block) {
    case "text": {
      const embedder = await loadEmbedder(join(dir, config.embedder.dir), config.embedder.kind);
      return await embedder.embed(titles.description, { titles: titles.title, progress: false });
    }
    case "categorical":
      return new OneHotEncoder({ categories: config.categories }).transform({
        type: titles.type,
        rating: titles.rating,
      });
    case "metadata":
      return new MetadataEncoder({ state: config.metadata }).transform({
        type: titles.type,
        releaseYear: titles.releaseYear,
        duration: titles.duration,
        country: titles.country,
        dateAdded: titles.dateAdded,
      });
    case "credits": {
      const enc = await CreditsEncoder.load(join(dir, "models", "credits"));
      return await enc.transform({ cast: titles.cast, director: titles.director });
    }
  }
}

/**
 * Predicts genres for CSV text in NetFlix.csv's shape (the genres column may be absent). Bad
 * rows are reported in `problems`; the good rows are still predicted.
 *
 * @example
 * ```ts
 * const csv = await Deno.readTextFile("new_titles.csv");
 * const { predicted } = await predictTitles(csv);
 * console.log(predicted[0]); // [{ genre: "Dramas", probability: 0.71 }, …]
 * ```
 */
export async function predictTitles(
  csv: string | Uint8Array,
  options: PredictOptions = {},
): Promise<Predictions> {
  const dir = options.dir ?? DEFAULT_PROCESSED_DIR;
  const config = await readConfig(dir);
  let modelName = options.model;
  if (!modelName) {
    try {
      modelName = JSON.parse(await Deno.readTextFile(join(dir, "metrics.json"))).best as string;
    } catch {
      throw new Error(`${join(dir, "metrics.json")} not found: run \`npx deno task train\` first.`);
    }
  }
  const modelDir = join(dir, "models", modelName);
  let saved: { thresholds: number[]; features: FeatureBlock[]; genres: string[] };
  try {
    saved = JSON.parse(await Deno.readTextFile(join(modelDir, "thresholds.json")));
  } catch {
    throw new Error(
      `${join(modelDir, "thresholds.json")} not found: run \`npx deno task train\` first.`,
    );
  }
  const { titles, problems } = parseTitles(csv, {
    requireGenres: false,
    onBadRow: "skip",
    source: options.source,
  });
  const genres = config.genres;
  if (titles.length === 0) {
    return {
      model: modelName,
      genres,
      titles,
      proba: { rows: 0, cols: genres.length, data: new Float32Array(0) },
      predicted: [],
      problems,
    };
  }
  const blocks: Matrix[] = [];
  for (const b of saved.features) blocks.push(await featureBlock(b, titles, { config, dir }));
  const X = hstack(blocks);
  const model = await loadModel(modelDir, { progress: false });
  const proba = await model.predictProba(X);
  const predicted: Predictions["predicted"] = [];
  for (let i = 0; i < proba.rows; i++) {
    const row: { genre: string; probability: number }[] = [];
    for (let j = 0; j < genres.length; j++) {
      const p = proba.data[i * genres.length + j];
      if (p >= saved.thresholds[j]) row.push({ genre: genres[j], probability: p });
    }
    row.sort((a, b) => b.probability - a.probability);
    predicted.push(row);
  }
  return { model: modelName, genres, titles, proba, predicted, problems };
}

/**
 * Formats predictions as CSV: `show_id`, `title`, `predicted_genres` (comma-separated, in
 * NetFlix.csv's style) and `probabilities` (each predicted genre's, same order, 3 decimals).
 *
 * @example
 * ```ts
 * await Deno.writeTextFile("predictions.csv", predictionsCsv(await predictTitles(csv)));
 * ```
 */
export function predictionsCsv(predictions: Predictions): string {
  const df = pl.DataFrame({
    show_id: predictions.titles.showId,
    title: predictions.titles.title,
    predicted_genres: predictions.predicted.map((r) => r.map((g) => g.genre).join(", ")),
    probabilities: predictions.predicted.map((r) =>
      r.map((g) => g.probability.toFixed(3)).join(", ")
    ),
  });
  return df.writeCSV().toString();
}
