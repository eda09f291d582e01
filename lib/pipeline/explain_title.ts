/**
 * Why a title gets its genres. {@linkcode explainTitles} returns, for each title record:
 *
 * - every genre's **probability** from the saved genre model and its **threshold** (predicted
 *   when probability ≥ threshold);
 * - per genre, the **block contributions** (occlusion): the title's probability minus its
 *   probability when one feature block's columns are replaced by that block's training mean
 *   ("an average title" for that block). +0.30 for `text` means the description raised the
 *   genre's probability by 30 points over an average description; the numbers do not add up to
 *   the probability (the model is not additive);
 * - per genre, the **terms and names** of the title that push the genre most up and down in the
 *   interpretable term model ({@linkcode TermModel}): coefficient × TF-IDF, in log-odds. They
 *   show the evidence in the words; the genre model itself reads LSA dimensions of the same
 *   words.
 *
 * @module
 */

import { join, resolve } from "node:path";
import type { GenreModel } from "./genre_model.ts";
import type { FeatureBlock } from "../features/feature_blocks.ts";
import type { Matrix } from "../core/matrix.ts";
import { readTitles, type RowProblem, type Titles } from "../data/netflix_csv.ts";
import { openGenreModel, type PredictOptions } from "./predict_titles.ts";
import { Artifacts } from "./artifacts.ts";
import { atomicWrite, atomicWriteJson } from "../io/atomic_write.ts";
import { readJsonFile } from "../io/read_json.ts";
import { TermModel, type TermWeight } from "../analysis/explain/term_evidence.ts";
import { type TitleRecord, titlesFromRecords } from "../data/title_records.ts";

/** The training mean of one feature block's columns (where an occluded block is set). */
export interface BlockMean {
  kind: FeatureBlock;
  /** First column of the block in the model's input, and its width. */
  start: number;
  columns: number;
  mean: number[];
}

/** Everything an explanation needs. */
export interface Explainer {
  model: GenreModel;
  terms: TermModel;
  blockMeans: BlockMean[];
}

/** One block's contribution to one genre. */
export interface BlockContribution {
  block: FeatureBlock;
  /** Probability with the block replaced by its training mean. */
  occluded: number;
  /** probability − occluded (positive: the block pushed the genre up). */
  delta: number;
}

/** Why one genre got its probability. */
export interface GenreExplanation {
  genre: string;
  probability: number;
  threshold: number;
  predicted: boolean;
  blocks: BlockContribution[];
  /** Terms/names of the title pushing the genre up (largest first) and down. */
  terms: { positive: TermWeight[]; negative: TermWeight[] };
}

/** The explanation of one title. */
export interface TitleExplanation {
  showId: string;
  title: string;
  /** Predicted genres (most probable first). */
  predicted: string[];
  /** The predicted genres and the next most probable ones, most probable first. */
  genres: GenreExplanation[];
}

/** Options for {@linkcode explainTitles}. */
export interface ExplainOptions {
  /** Genres explained beyond the predicted ones, by probability (default 3). */
  extra?: number;
  /** Terms shown per genre and direction (default 5). */
  terms?: number;
}

/**
 * The training mean of each block of the model's input (rows = training titles, columns = the
 * model's pipeline blocks in order).
 *
 * @example
 * ```ts
 * import type { GenreModel } from "./genre_model.ts";
 * import type { Matrix } from "../core/matrix.ts";
import { readTitles, type RowProblem, type Titles } from "../data/netflix_csv.ts";
 * declare const model: GenreModel, XTrain: Matrix;
 * const means = blockMeans(model, XTrain);
 * means.map((b) => b.kind); // ["text", "categorical", "metadata", "credits"]
 * ```
 */
export function blockMeans(model: GenreModel, XTrain: Matrix): BlockMean[] {
  const out: BlockMean[] = [];
  let start = 0;
  for (const kind of model.pipeline.kinds) {
    const columns = model.pipeline.block(kind).featureNames.length;
    const mean = new Float64Array(columns);
    for (let i = 0; i < XTrain.rows; i++) {
      const off = i * XTrain.cols + start;
      for (let c = 0; c < columns; c++) mean[c] += XTrain.data[off + c];
    }
    out.push({ kind, start, columns, mean: Array.from(mean, (m) => m / XTrain.rows) });
    start += columns;
  }
  if (start !== XTrain.cols) {
    throw new RangeError(
      `blockMeans: the model reads ${start} columns (${model.pipeline.kinds.join("+")}) but the ` +
        `training matrix has ${XTrain.cols}; load the features the model was trained on`,
    );
  }
  return out;
}

/**
 * Explains the genre model's predictions for title records (see the module doc).
 *
 * @example
 * ```ts
 * declare const explainer: Explainer;
 * const [e] = await explainTitles(explainer, [
 *   { title: "Late Night Laughs", type: "Movie", rating: "TV-MA",
 *     description: "A comedian riffs on family life in a stand-up special." },
 * ]);
 * e.genres[0]; // { genre: "Stand-Up Comedy", probability: 0.93, threshold: 0.41, blocks: […], terms: … }
 * ```
 */
export async function explainTitles(
  explainer: Explainer,
  records: readonly TitleRecord[],
  options: ExplainOptions = {},
): Promise<TitleExplanation[]> {
  const { model, terms, blockMeans: means } = explainer;
  const thresholds = model.estimator.thresholds;
  if (!thresholds) throw new Error("explainTitles: the genre model is not fitted");
  if (terms.genres.join("\n") !== model.genres.join("\n")) {
    throw new Error(
      "explainTitles: the term model and the genre model list different genres; re-run " +
        "`npx deno task explain` after training",
    );
  }
  const titles = titlesFromRecords(records);
  const X = await model.features(titles);
  const width = means.reduce((s, b) => s + b.columns, 0);
  if (width !== X.cols) {
    throw new RangeError(
      `explainTitles: the block means cover ${width} columns but the model reads ${X.cols}; ` +
        "re-run `npx deno task explain` after training",
    );
  }
  const B = means.length;
  const L = model.genres.length;
  // Per title: the title itself, then one row per occluded block.
  const stacked = new Float32Array(titles.length * (B + 1) * X.cols);
  for (let i = 0; i < titles.length; i++) {
    const row = X.data.subarray(i * X.cols, (i + 1) * X.cols);
    for (let b = 0; b <= B; b++) {
      const off = (i * (B + 1) + b) * X.cols;
      stacked.set(row, off);
      if (b > 0) {
        const m = means[b - 1];
        for (let c = 0; c < m.columns; c++) stacked[off + m.start + c] = m.mean[c];
      }
    }
  }
  const P = await model.estimator.predictProba({
    rows: titles.length * (B + 1),
    cols: X.cols,
    data: stacked,
  });
  const T = terms.features(titles);
  const k = options.terms ?? 5;
  const extra = options.extra ?? 3;
  return Array.from({ length: titles.length }, (_, i) => {
    const p = (b: number, j: number) => P.data[(i * (B + 1) + b) * L + j];
    const order = Array.from({ length: L }, (_, j) => j).sort((a, b) => p(0, b) - p(0, a));
    const predicted = order.filter((j) => p(0, j) >= thresholds[j]);
    const shown = [...predicted, ...order.filter((j) => p(0, j) < thresholds[j]).slice(0, extra)];
    return {
      showId: titles.showId[i],
      title: titles.title[i],
      predicted: predicted.map((j) => model.genres[j]),
      genres: shown.map((j) => {
        const c = terms.contributions(T, i, j, k);
        return {
          genre: model.genres[j],
          probability: p(0, j),
          threshold: thresholds[j],
          predicted: p(0, j) >= thresholds[j],
          blocks: means.map((m, b) => ({
            block: m.kind,
            occluded: p(b + 1, j),
            delta: p(0, j) - p(b + 1, j),
          })),
          terms: { positive: c.positive, negative: c.negative },
        };
      }),
    };
  });
}

/**
 * A plain-text rendering of an explanation, for the command line.
 *
 * @example
 * ```ts
 * declare const e: TitleExplanation;
 * console.log(formatExplanation(e));
 * ```
 */
export function formatExplanation(e: TitleExplanation): string {
  const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
  const signed = (x: number) => `${x >= 0 ? "+" : "−"}${Math.abs(100 * x).toFixed(0)}`;
  const lines = [
    `${e.title || e.showId}: ${
      e.predicted.length ? e.predicted.join(", ") : "(no genre predicted)"
    }`,
  ];
  for (const g of e.genres) {
    lines.push(
      `  ${g.predicted ? "✓" : "·"} ${g.genre}  p=${pct(g.probability)} (threshold ${
        pct(g.threshold)
      })`,
    );
    lines.push(
      `      blocks (points of probability vs an average block): ${
        g.blocks.map((b) => `${b.block} ${signed(b.delta)}`).join(", ")
      }`,
    );
    const terms = (ts: TermWeight[]) =>
      ts.length ? ts.map((t) => `${t.term} (${t.weight.toFixed(2)})`).join(", ") : "—";
    lines.push(`      for: ${terms(g.terms.positive)}`);
    lines.push(`      against: ${terms(g.terms.negative)}`);
  }
  return lines.join("\n");
}

/**
 * One table row per explained genre: ✓ when predicted, probability, threshold, each block's
 * contribution (points of probability) and the words and names for and against.
 *
 * @example
 * ```ts
 * import { showTable } from "../display/html_table.ts";
 * declare const e: TitleExplanation;
 * await showTable(explanationRows(e), { caption: e.title });
 * ```
 */
export function explanationRows(e: TitleExplanation): Record<string, string | number>[] {
  const words = (ts: TermWeight[]) => ts.map((t) => t.term).join(", ") || "—";
  return e.genres.map((g) => ({
    genre: g.genre,
    predicted: g.predicted ? "✓" : "",
    probability: g.probability,
    threshold: g.threshold,
    ...Object.fromEntries(g.blocks.map((b) => [`${b.block} (Δp)`, b.delta])),
    "words and names for": words(g.terms.positive),
    against: words(g.terms.negative),
  }));
}

interface SavedBlockMeans {
  format: "netflix-genres-block-means/1";
  model: string;
  features_id: string;
  blocks: BlockMean[];
}

/** Writes the explainer's term model and block means into the processed folder's `explain/`. */
export async function saveExplainerParts(
  artifacts: Artifacts,
  parts: { model: string; featuresId: string; terms: TermModel; blockMeans: BlockMean[] },
): Promise<void> {
  const out = artifacts.explain;
  await parts.terms.save(join(out, "term_model"));
  const saved: SavedBlockMeans = {
    format: "netflix-genres-block-means/1",
    model: parts.model,
    features_id: parts.featuresId,
    blocks: parts.blockMeans,
  };
  await atomicWriteJson(join(out, "block_means.json"), saved);
}

/**
 * Opens the saved genre model (as `deno task predict` does) with the explain stage's term model
 * and block means; refuses when they were made for another model or other features.
 *
 * @example
 * ```ts
 * const explainer = await openExplainer({ dir: "processed_data" });
 * const [e] = await explainTitles(explainer, [{ description: "A haunted house." }]);
 * ```
 */
export async function openExplainer(options: PredictOptions = {}): Promise<Explainer> {
  const explainDir = new Artifacts(options.dir).explain;
  const { model, name } = await openGenreModel(options);
  const path = join(explainDir, "block_means.json");
  const fix = "run `npx deno task explain` first";
  const saved = await readJsonFile<SavedBlockMeans>(path, { hint: fix });
  if (saved?.format !== "netflix-genres-block-means/1") {
    throw new Error(`${path}: not a block-means file; ${fix}`);
  }
  const featuresId = model.manifest?.training.features_id;
  if (saved.model !== name || saved.features_id !== featuresId) {
    throw new Error(
      `${path} was made for model "${saved.model}" on features ${
        saved.features_id.slice(0, 12)
      }, but the model to explain is "${name}" on features ${
        String(featuresId).slice(0, 12)
      }; the explain stage explains metrics.json's best model: drop --model, or re-run \`npx deno task explain\` after training`,
    );
  }
  const terms = await TermModel.load(join(explainDir, "term_model"));
  return { model, terms, blockMeans: saved.blocks };
}

/**
 * The columns of {@linkcode Titles} back as title records (for {@linkcode explainTitles}).
 *
 * @example
 * ```ts
 * import { titlesFromRecords } from "../data/title_records.ts";
 * recordsFromTitles(titlesFromRecords([{ description: "A heist." }]))[0].description; // "A heist."
 * ```
 */
export function recordsFromTitles(titles: Titles): TitleRecord[] {
  return Array.from({ length: titles.length }, (_, i) => ({
    show_id: titles.showId[i],
    type: titles.type[i],
    title: titles.title[i],
    director: titles.director[i],
    cast: titles.cast[i],
    country: titles.country[i],
    date_added: titles.dateAdded[i],
    release_year: titles.releaseYear[i],
    rating: titles.rating[i],
    duration: titles.duration[i],
    description: titles.description[i],
  }));
}

/**
 * Explains every good row of a CSV in NetFlix.csv's shape into a JSON file (an array of
 * {@linkcode TitleExplanation}), written atomically; bad rows are skipped and returned. The
 * whole file is read at once (explanations are for a few titles, not for a catalogue).
 *
 * @example
 * ```ts
 * const { explained } = await explainFile("new_titles.csv", "explanations.json");
 * ```
 */
export async function explainFile(
  input: string,
  output: string,
  options: PredictOptions & ExplainOptions = {},
): Promise<{ explained: number; problems: RowProblem[]; model: string }> {
  if (resolve(input) === resolve(output)) {
    throw new Error(
      `--output ${output} is the input file; choose another path (e.g. --output explanations.json)`,
    );
  }
  const explainer = await openExplainer(options);
  const { titles, problems } = await readTitles(input, { requireGenres: false, onBadRow: "skip" });
  const out = await explainTitles(explainer, recordsFromTitles(titles), options);
  await atomicWrite(output, JSON.stringify(out, null, 1) + "\n");
  return { explained: out.length, problems, model: explainer.model.manifest?.name ?? "" };
}
