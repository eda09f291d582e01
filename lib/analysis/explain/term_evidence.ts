/**
 * Term evidence: an interpretable one-vs-rest logistic regression (L2, balanced) on the words of
 * the descriptions (TF-IDF of unigrams and bigrams, the `maxTerms` most frequent of the training
 * rows) and the names of the credits (one token per cast member, directors prefixed `dir_`,
 * TF-IDF, the `maxNames` most frequent). Each column is one word or one name, so a coefficient
 * says how much that word or name pushes a genre up (positive) or down (negative) in log-odds
 * per unit of TF-IDF. It is a separate, readable model *next to* the best model, not the best
 * model itself: it shows which evidence the data hold for each genre.
 *
 * Columns: the description terms first (named by the term), then the names (named
 * `cast:shah_rukh_khan` or `director:karan_johar`). Rows of each part are L2-normalised over the
 * kept columns. A title with neither cast nor director gets the name `(no cast or director)`.
 *
 * @module
 */

import { join } from "node:path";
import { atomicWriteJson } from "../../io/atomic_write.ts";
import { creditsDocument } from "../../features/credits_features.ts";
import { LogisticRegression } from "../../models/logistic_regression.ts";
import { loadEstimator, saveEstimator } from "../../models/model_store.ts";
import type { LabelMatrix, Matrix } from "../../core/matrix.ts";
import type { Titles } from "../../data/netflix_csv.ts";
import { readJsonFile } from "../../io/read_json.ts";
import type { CsrMatrix } from "../../text/sparse_matrix.ts";
import { type TfidfState, TfidfVectorizer } from "../../text/tfidf_vectorizer.ts";

/** Options for {@linkcode TermModel.fit}. */
export interface TermModelOptions {
  /** Description terms kept, most frequent first (default 3000). */
  maxTerms?: number;
  /** Credits names kept, most frequent first (default 1500). */
  maxNames?: number;
  /** Keep terms and names in at least this many training titles (default 2). */
  minDf?: number;
  /** Inverse regularisation of the logistic regression (default 1). */
  C?: number;
}

/** One term (or name) and its weight for a genre. */
export interface TermWeight {
  term: string;
  /** Coefficient (log-odds per unit TF-IDF), or contribution (coefficient × TF-IDF). */
  weight: number;
}

/** The strongest evidence for and against one genre. */
export interface GenreEvidence {
  genre: string;
  /** Largest coefficients, largest first. */
  positive: TermWeight[];
  /** Most negative coefficients, most negative first. */
  negative: TermWeight[];
}

interface SavedTermModel {
  format: typeof FORMAT;
  genres: string[];
  text: TfidfState;
  names: TfidfState;
}

const FORMAT = "netflix-genres-term-model/2";

const FILE = "term_model.json";

/**
 * The interpretable term model (see the module doc).
 *
 * @example
 * ```ts
 * import { labelsFromRows } from "../../core/matrix.ts";
 * import { titlesFromRecords } from "../../data/title_records.ts";
 * const titles = titlesFromRecords([
 *   { description: "a comedian tells jokes on stage" },
 *   { description: "a comedian and his jokes" },
 *   { description: "a detective hunts a killer" },
 *   { description: "the killer and the detective" },
 * ]);
 * const Y = labelsFromRows([[1], [1], [0], [0]]);
 * const model = await TermModel.fit(titles, Y, ["Stand-Up Comedy"], { minDf: 1 });
 * model.evidence(2)[0].positive.map((t) => t.term); // ["comedian", "jokes"]
 * ```
 */
export class TermModel {
  readonly genres: string[];
  readonly text: TfidfVectorizer;
  readonly names: TfidfVectorizer;
  readonly lr: LogisticRegression;

  constructor(
    parts: {
      genres: readonly string[];
      text: TfidfVectorizer;
      names: TfidfVectorizer;
      lr: LogisticRegression;
    },
  ) {
    this.genres = [...parts.genres];
    this.text = parts.text;
    this.names = parts.names;
    this.lr = parts.lr;
  }

  /** Fits vocabularies and the logistic regression on training titles and their labels. */
  static async fit(
    titles: Titles,
    Y: LabelMatrix,
    genres: readonly string[],
    options: TermModelOptions = {},
  ): Promise<TermModel> {
    if (Y.rows !== titles.length || Y.cols !== genres.length) {
      throw new RangeError(
        `TermModel.fit: ${titles.length} titles and ${genres.length} genres, but labels are ` +
          `${Y.rows}×${Y.cols}; pass the labels of these titles`,
      );
    }
    const minDf = options.minDf ?? 2;
    const text = mostFrequent(
      new TfidfVectorizer({ minDf, ngramRange: [1, 2] }).fit(titles.description),
      options.maxTerms ?? 3000,
    );
    const docs = creditDocs(titles);
    const names = docs.some((d) => d !== NO_CREDITS)
      ? mostFrequent(
        new TfidfVectorizer({ minDf, ngramRange: [1, 1], stopWords: [] }).fit(docs),
        options.maxNames ?? 1500,
      )
      : TfidfVectorizer.fromJSON({
        vocabulary: [NO_CREDITS],
        idf: [1],
        minDf,
        ngramRange: [1, 1],
        stopWords: [],
        sublinearTf: true,
      });
    const model = new TermModel({
      genres,
      text,
      names,
      lr: new LogisticRegression({ C: options.C ?? 1, classWeight: "balanced" }),
    });
    await model.lr.fit(model.features(titles), Y);
    return model;
  }

  /** Column names: description terms, then `cast:…` / `director:…` names. */
  get featureNames(): string[] {
    return [
      ...this.text.vocabulary,
      ...this.names.vocabulary.map((n) =>
        n === NO_CREDITS
          ? "(no cast or director)"
          : n.startsWith("dir_")
          ? `director:${n.slice(4)}`
          : `cast:${n}`
      ),
    ];
  }

  /** The dense TF-IDF matrix of titles (rows × {@linkcode TermModel.featureNames}). */
  features(titles: Titles): Matrix {
    const a = this.text.transform(titles.description);
    const b = this.names.transform(creditDocs(titles));
    const ca = a.cols;
    const cols = ca + b.cols;
    const data = new Float32Array(titles.length * cols);
    const put = (m: CsrMatrix, offset: number) => {
      for (let i = 0; i < m.rows; i++) {
        for (let k = m.indptr[i]; k < m.indptr[i + 1]; k++) {
          data[i * cols + offset + m.indices[k]] = m.data[k];
        }
      }
    };
    put(a, 0);
    put(b, ca);
    return { rows: titles.length, cols, data };
  }

  /** P(genre) of the term model itself (rows × genres). */
  async predictProba(titles: Titles): Promise<Matrix> {
    return await this.lr.predictProba(this.features(titles));
  }

  /** The `k` largest and most negative coefficients of every genre. */
  evidence(k = 10): GenreEvidence[] {
    const coef = this.#coef();
    const names = this.featureNames;
    const d = names.length;
    return this.genres.map((genre, j) => {
      const row = coef.subarray(j * d, (j + 1) * d);
      const order = Array.from({ length: d }, (_, f) => f).sort((a, b) => row[b] - row[a]);
      const pick = (fs: number[]) => fs.map((f) => ({ term: names[f], weight: row[f] }));
      return {
        genre,
        positive: pick(order.slice(0, k).filter((f) => row[f] > 0)),
        negative: pick(order.slice(-k).reverse().filter((f) => row[f] < 0)),
      };
    });
  }

  /**
   * The rank of `term` among all columns for `genre` by coefficient (1 = pushes the genre up
   * most), with its coefficient; `null` when the term is not in the vocabulary.
   *
   * @example
   * ```ts
   * declare const model: TermModel;
   * model.rankOf("Stand-Up Comedy", "jokes"); // { rank: 9, weight: 2.1, of: 4500 }
   * ```
   */
  rankOf(genre: string, term: string): { rank: number; weight: number; of: number } | null {
    const j = this.genres.indexOf(genre);
    if (j < 0) {
      throw new RangeError(
        `TermModel.rankOf: no genre "${genre}"; genres: ${this.genres.join(", ")}`,
      );
    }
    const names = this.featureNames;
    const f = names.indexOf(term);
    if (f < 0) return null;
    const coef = this.#coef();
    const d = names.length;
    const w = coef[j * d + f];
    let rank = 1;
    for (let g = 0; g < d; g++) if (coef[j * d + g] > w) rank++;
    return { rank, weight: w, of: d };
  }

  /**
   * The terms and names of title `row` that push genre `genre` (column) most up and down:
   * coefficient × the title's TF-IDF value (a contribution to the log-odds).
   */
  contributions(X: Matrix, row: number, genre: number, k = 5): GenreEvidence {
    const coef = this.#coef();
    const names = this.featureNames;
    const d = names.length;
    if (X.cols !== d) {
      throw new RangeError(
        `TermModel.contributions: X has ${X.cols} columns, the model ${d}; pass features(titles)`,
      );
    }
    const items: TermWeight[] = [];
    for (let f = 0; f < d; f++) {
      const x = X.data[row * d + f];
      if (x !== 0) items.push({ term: names[f], weight: x * coef[genre * d + f] });
    }
    items.sort((a, b) => b.weight - a.weight);
    return {
      genre: this.genres[genre],
      positive: items.filter((t) => t.weight > 0).slice(0, k),
      negative: items.filter((t) => t.weight < 0).reverse().slice(0, k),
    };
  }

  /** Writes `term_model.json` (vectorisers, genres) and the logistic regression (`lr/`) into `dir`. */
  async save(dir: string): Promise<void> {
    await Deno.mkdir(dir, { recursive: true });
    await saveEstimator(join(dir, "lr"), this.lr);
    const saved: SavedTermModel = {
      format: FORMAT,
      genres: this.genres,
      text: this.text.toJSON(),
      names: this.names.toJSON(),
    };
    await atomicWriteJson(join(dir, FILE), saved);
  }

  /** Loads a model written by {@linkcode TermModel.save}. */
  static async load(dir: string): Promise<TermModel> {
    const path = join(dir, FILE);
    const saved = await readJsonFile<SavedTermModel>(path, {
      hint: "run `npx deno task explain` first",
    });
    if (saved?.format !== FORMAT) {
      throw new Error(`${path}: not a ${FORMAT} file; re-run \`npx deno task explain\``);
    }
    const lr = await loadEstimator(join(dir, "lr"));
    if (!(lr instanceof LogisticRegression)) {
      throw new Error(
        `${join(dir, "lr")}: expected a logistic regression; re-run \`npx deno task explain\``,
      );
    }
    return new TermModel({
      genres: saved.genres,
      text: TfidfVectorizer.fromJSON(saved.text, `${path} (text)`),
      names: TfidfVectorizer.fromJSON(saved.names, `${path} (names)`),
      lr,
    });
  }

  #coef(): Float32Array {
    const c = this.lr.coef;
    if (!c) throw new Error("TermModel: the logistic regression is not fitted");
    return c;
  }
}

/** The token of a title without cast or director (itself evidence: documentaries, stand-up). */
const NO_CREDITS = "nocredits";

function creditDocs(titles: Titles): string[] {
  return titles.cast.map((c, i) => creditsDocument(c, titles.director[i]) || NO_CREDITS);
}

/** A vectorizer restricted to its `k` most frequent terms (smallest idf), in vocabulary order. */
function mostFrequent(v: TfidfVectorizer, k: number): TfidfVectorizer {
  const state = v.toJSON();
  if (state.vocabulary.length <= k) return v;
  const order = state.idf.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const keep = order.slice(0, k).map(([, i]) => i).sort((a, b) => a - b);
  return TfidfVectorizer.fromJSON({
    ...state,
    vocabulary: keep.map((i) => state.vocabulary[i]),
    idf: keep.map((i) => state.idf[i]),
  });
}
