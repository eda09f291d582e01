/**
 * Genre predictions for titles the model has never seen, through the saved {@linkcode GenreModel}
 * (its own fitted pipeline, estimator and thresholds; nothing refitted, nothing re-assembled).
 *
 * - {@linkcode openGenreModel}: the model named (or `metrics.json`'s `best`), refused when it
 *   was trained on other features than `processed_data/features` holds now.
 * - {@linkcode predictTitles}: CSV text in memory → predictions (notebooks, tests).
 * - {@linkcode predictFile}: a CSV file of any size, streamed in batches, → a predictions CSV
 *   written atomically.
 *
 * @module
 */

import { resolve } from "node:path";
import { writeStreamAtomically } from "../io/atomic_write.ts";
import { csvBatches } from "../data/csv_batches.ts";
import { GenreModel, type GenreScore, type TitlePrediction } from "./genre_model.ts";
import type { Matrix } from "../core/matrix.ts";
import {
  formatProblems,
  InputError,
  metadataWarnings,
  parseTitles,
  type RowProblem,
  type Titles,
} from "../data/netflix_csv.ts";
import { Artifacts } from "./artifacts.ts";
import type { ProcessedConfig } from "../features/processed_data.ts";
import { CategoricalFeatures } from "../features/feature_blocks.ts";

/** Options for {@linkcode openGenreModel}, {@linkcode predictTitles} and {@linkcode predictFile}. */
export interface PredictOptions {
  /** Processed folder with models/, metrics.json and features/ (default `processed_data`). */
  dir?: string;
  /** Model name under models/ (default: `best` of metrics.json). */
  model?: string;
  /** Name used in messages about the input. */
  source?: string;
  /**
   * Refuse the whole input (nothing predicted, nothing written) when any row is bad or has a
   * value the model cannot read as given: blank, unreadable or implausible metadata, a `type`
   * or `rating` never seen in training. Default false: such rows are predicted and warned about.
   */
  strict?: boolean;
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
  predicted: GenreScore[][];
  /** Rows that could not be predicted, by row number. */
  problems: RowProblem[];
  /**
   * Rows predicted with a value treated as missing (blank, unreadable or implausible year,
   * duration…) or unknown (a type or rating never seen in training: all-zero one-hot columns).
   */
  warnings: RowProblem[];
}

/** Loads the genre model to predict with, and checks it against the current features. */
export async function openGenreModel(
  options: PredictOptions = {},
): Promise<{ model: GenreModel; name: string }> {
  const artifacts = new Artifacts(options.dir);
  const available = await artifacts.listModels();
  const none = `no trained model in ${artifacts.models}: run \`npx deno task train\` first`;
  let name = options.model;
  if (!name) {
    if (available.length === 0) throw new Error(none);
    try {
      name = (await artifacts.readMetrics()).best;
    } catch (err) {
      throw new Error(
        `${(err as Error).message}\n  or name a model with --model (${available.join(", ")})`,
      );
    }
  }
  if (!available.includes(name)) {
    throw new Error(
      available.length === 0 ? none : `no model "${name}" in ${artifacts.models}; the models ` +
        `there are: ${available.join(", ")} (choose with --model NAME)`,
    );
  }
  let config: ProcessedConfig | undefined;
  try {
    config = await artifacts.readConfig();
  } catch { /* no processed features here: the model folder alone is enough */ }
  const model = await artifacts.openModel(name, {
    featuresId: config?.id,
    embedder: config?.embedder,
    featuresSource: artifacts.features,
  });
  return { model, name };
}

/**
 * What the model cannot read as given in `titles`, one entry per row and field: blank,
 * unreadable or implausible metadata (`metadataWarnings`) and, when the model reads the
 * categorical block, a `type` or `rating` it never saw (`CategoricalFeatures.unknownValues`).
 *
 * @example
 * ```ts
 * import { titlesFromRecords } from "../data/title_records.ts";
 * const { model } = await openGenreModel();
 * inputWarnings(model, titlesFromRecords([{ type: "Podcast", description: "A story." }]));
 * ```
 */
export function inputWarnings(model: GenreModel, titles: Titles): RowProblem[] {
  const warnings = metadataWarnings(titles);
  if (model.pipeline.kinds.includes("categorical")) {
    const block = model.pipeline.block("categorical");
    if (block instanceof CategoricalFeatures) warnings.push(...block.unknownValues(titles));
  }
  return warnings.sort((a, b) => a.row - b.row);
}

/** With `strict`, the error for bad rows or warnings: nothing is predicted. */
function refuseUnderStrict(source: string, problems: RowProblem[], warnings: RowProblem[]): void {
  if (problems.length === 0 && warnings.length === 0) return;
  const all = [...problems, ...warnings].sort((a, b) => a.row - b.row);
  throw new InputError(
    formatProblems(source, all).replace(
      "Fix these rows in the CSV and run again.",
      "--strict refuses them: nothing was predicted or written. Fix these rows in the CSV, or " +
        "leave out --strict to predict them with the warnings.",
    ),
    all,
  );
}

/**
 * Predicts genres for CSV text in NetFlix.csv's shape (the genres column may be absent). Bad
 * rows are reported in `problems`; the good rows are still predicted.
 *
 * @example
 * ```ts
 * const csv = await Deno.readTextFile("new_titles.csv");
 * const { predicted } = await predictTitles(csv);
 * console.log(predicted[0]); // [{ genre: "Dramas", probability: 0.71, threshold: 0.35 }, …]
 * ```
 */
export async function predictTitles(
  csv: string | Uint8Array,
  options: PredictOptions & { genreModel?: { model: GenreModel; name: string } } = {},
): Promise<Predictions> {
  const { model, name } = options.genreModel ?? await openGenreModel(options);
  const { titles, problems } = parseTitles(csv, {
    requireGenres: false,
    onBadRow: "skip",
    source: options.source,
  });
  const warnings = inputWarnings(model, titles);
  if (options.strict) refuseUnderStrict(options.source ?? "input", problems, warnings);
  const proba = titles.length === 0
    ? { rows: 0, cols: model.genres.length, data: new Float32Array(0) }
    : await model.predictProba(titles);
  const predicted = model.decide(titles, proba).map((p) => p.genres);
  return {
    model: name,
    genres: model.genres,
    titles,
    proba,
    predicted,
    problems,
    warnings,
  };
}

/** What {@linkcode predictFile} did. */
export interface PredictFileResult {
  model: string;
  /** Titles predicted. */
  predicted: number;
  problems: RowProblem[];
  warnings: RowProblem[];
  seconds: number;
}

/**
 * Streams `input` (NetFlix.csv's shape, any size) through the model in batches and writes the
 * predictions CSV to `output` atomically. Refuses `output` equal to `input`; when no row could be
 * predicted, nothing is written.
 *
 * @example
 * ```ts
 * const r = await predictFile("new_titles.csv", "predictions.csv", { model: "best" });
 * console.log(`${r.predicted} titles in ${r.seconds.toFixed(1)} s`);
 * ```
 */
export async function predictFile(
  input: string,
  output: string,
  options: PredictOptions & { batchRows?: number; onBatch?: (done: number) => void } = {},
): Promise<PredictFileResult> {
  if (resolve(input) === resolve(output)) {
    throw new Error(
      `--output ${output} is the input file; choose another path (e.g. --output predictions.csv)`,
    );
  }
  const t0 = performance.now();
  const opened = await openGenreModel(options);
  const problems: RowProblem[] = [];
  const warnings: RowProblem[] = [];
  let predicted = 0;
  const source = options.source ?? input;
  // The output is written beside its target and renamed into place when complete; when no row
  // could be predicted, an existing output is left as it was.
  const encoder = new TextEncoder();
  await writeStreamAtomically(resolve(output), async (file) => {
    await file.write(encoder.encode("show_id,title,predicted_genres,probabilities\n"));
    for await (const batch of csvBatches(input, { rows: options.batchRows ?? 2000, source })) {
      const { titles, problems: bad } = parseTitles(batch.text, {
        requireGenres: false,
        onBadRow: "skip",
        source,
        firstRow: batch.firstRow,
      });
      const questionable = inputWarnings(opened.model, titles);
      if (options.strict) refuseUnderStrict(source, bad, questionable);
      problems.push(...bad);
      warnings.push(...questionable);
      if (titles.length === 0) continue;
      const rows = opened.model.decide(titles, await opened.model.predictProba(titles));
      await file.write(encoder.encode(csvLines(rows)));
      predicted += rows.length;
      options.onBatch?.(predicted);
    }
    return predicted > 0;
  });
  return {
    model: opened.name,
    predicted,
    problems,
    warnings,
    seconds: (performance.now() - t0) / 1000,
  };
}

/**
 * Formats predictions as CSV: `show_id`, `title`, `predicted_genres` (comma-separated, in
 * NetFlix.csv's style) and `probabilities` (each predicted genre's, same order, 3 decimals).
 *
 * @example
 * ```ts
 * const csv = await Deno.readTextFile("new_titles.csv");
 * await Deno.writeTextFile("predictions.csv", predictionsCsv(await predictTitles(csv)));
 * ```
 */
export function predictionsCsv(predictions: Predictions): string {
  const rows: TitlePrediction[] = predictions.predicted.map((genres, i) => ({
    showId: predictions.titles.showId[i],
    title: predictions.titles.title[i],
    genres,
  }));
  return "show_id,title,predicted_genres,probabilities\n" + csvLines(rows);
}

function csvLines(rows: TitlePrediction[]): string {
  let out = "";
  for (const r of rows) {
    out += `${csvField(r.showId)},${csvField(r.title)},${
      csvField(r.genres.map((g) => g.genre).join(", "))
    },${csvField(r.genres.map((g) => g.probability.toFixed(3)).join(", "))}\n`;
  }
  return out;
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
