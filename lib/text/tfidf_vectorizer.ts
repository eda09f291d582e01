/**
 * TF-IDF features like scikit-learn's `TfidfVectorizer`: a sorted vocabulary of word n-grams
 * kept when they occur in at least `minDf` training texts, smooth idf
 * `ln((1 + n) / (1 + df)) + 1`, optional sublinear tf `1 + ln(tf)`, and unit-length (L2) rows.
 *
 * @module
 */

import { ENGLISH_STOP_WORDS } from "../data/stop_words.ts";
import { analyze, checkNgramRange } from "./tokenizer.ts";
import type { CsrMatrix } from "./sparse_matrix.ts";

/** Options for {@linkcode TfidfVectorizer}. */
export interface TfidfOptions {
  /**
   * Keep terms found in at least this many training texts (a whole number), or in at least this
   * fraction of them (a number strictly between 0 and 1). Default 2.
   */
  minDf?: number;
  /** Smallest and largest n-gram length (default `[1, 2]`). */
  ngramRange?: readonly [number, number];
  /** Words dropped before n-grams are formed (default {@linkcode ENGLISH_STOP_WORDS}). */
  stopWords?: Iterable<string>;
  /** Use `1 + ln(tf)` instead of the raw count (default true). */
  sublinearTf?: boolean;
}

/** What {@linkcode TfidfVectorizer.toJSON} returns and {@linkcode TfidfVectorizer.fromJSON} reads. */
export interface TfidfState {
  /** Terms in column order. */
  vocabulary: string[];
  /** Inverse document frequency of each column. */
  idf: number[];
  /** Options the vectorizer was fitted with (stop words as a sorted list). */
  minDf: number;
  ngramRange: [number, number];
  stopWords: string[];
  sublinearTf: boolean;
}

/** Orders strings by Unicode code point (Python's `sorted`), not by UTF-16 code unit. */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (U+D800–DFFF) encode code points above U+FFFF: move them after U+E000–FFFF.
    if (x >= 0xd800) x += x <= 0xdfff ? 0x2000 : -0x800;
    if (y >= 0xd800) y += y <= 0xdfff ? 0x2000 : -0x800;
    return x - y;
  }
  return a.length - b.length;
}

function checkMinDf(minDf: number): number {
  if (!(Number.isInteger(minDf) ? minDf >= 0 : minDf > 0 && minDf < 1)) {
    throw new RangeError(
      `minDf ${minDf} is invalid: give a whole number of texts (e.g. 2) or a fraction ` +
        "strictly between 0 and 1 (e.g. 0.01)",
    );
  }
  return minDf;
}

/**
 * Learns a TF-IDF vocabulary from training texts and turns texts into sparse TF-IDF rows.
 *
 * @example
 * ```ts
 * import { TfidfVectorizer } from "./tfidf_vectorizer.ts";
 * const v = new TfidfVectorizer({ minDf: 1 });
 * const x = v.fitTransform(["space pirates", "pirates of the sea"]);
 * console.log(v.vocabulary); // ["pirates", "pirates sea", "sea", "space", "space pirates"]
 * console.log(x.rows, x.cols); // 2 5
 * ```
 */
export class TfidfVectorizer {
  readonly minDf: number;
  readonly ngramRange: [number, number];
  readonly stopWords: ReadonlySet<string>;
  readonly sublinearTf: boolean;
  #vocabulary: string[] | null = null;
  #index: Map<string, number> | null = null;
  #idf: Float64Array | null = null;

  constructor(options: TfidfOptions = {}) {
    this.minDf = checkMinDf(options.minDf ?? 2);
    this.ngramRange = checkNgramRange(options.ngramRange ?? [1, 2]);
    this.stopWords = new Set(
      [...(options.stopWords ?? ENGLISH_STOP_WORDS)].map((w) => w.toLowerCase()),
    );
    this.sublinearTf = options.sublinearTf ?? true;
  }

  /** Terms in column order (sorted by code point); throws before `fit`. */
  get vocabulary(): readonly string[] {
    return this.#fitted().vocabulary;
  }

  /** Inverse document frequency of each column; throws before `fit`. */
  get idf(): Float64Array {
    return this.#fitted().idf;
  }

  /** Column of `term`, or `undefined` when it is not in the vocabulary. */
  columnOf(term: string): number | undefined {
    return this.#fitted().index.get(term);
  }

  /**
   * Learns the vocabulary and idf from `texts` (the training rows only).
   *
   * @example
   * ```ts
   * import { TfidfVectorizer } from "./tfidf_vectorizer.ts";
   * const v = new TfidfVectorizer().fit(["a dark night", "dark night falls", "sunny day"]);
   * v.vocabulary; // ["dark", "dark night", "night"]
   * ```
   */
  fit(texts: readonly string[]): this {
    this.#fitCount(texts);
    return this;
  }

  /**
   * Learns the vocabulary from `texts` and returns their TF-IDF matrix.
   *
   * @example
   * ```ts
   * import { TfidfVectorizer } from "./tfidf_vectorizer.ts";
   * const x = new TfidfVectorizer({ minDf: 1 }).fitTransform(["red fox", "red hen"]);
   * x.cols; // 5 (fox, hen, red, red fox, red hen)
   * ```
   */
  fitTransform(texts: readonly string[]): CsrMatrix {
    const docs = this.#fitCount(texts);
    return this.#build(docs);
  }

  /**
   * TF-IDF rows of `texts` over the fitted vocabulary (unknown terms are ignored; a text with
   * no known term gives an all-zero row).
   *
   * @example
   * ```ts
   * import { TfidfVectorizer } from "./tfidf_vectorizer.ts";
   * const v = new TfidfVectorizer({ minDf: 1 }).fit(["red fox", "red hen"]);
   * v.transform(["a red car"]).indices; // Int32Array [2] (only "red" is known)
   * ```
   */
  transform(texts: readonly string[]): CsrMatrix {
    const { index } = this.#fitted();
    const docs: Int32Array[] = new Array(texts.length);
    for (let d = 0; d < texts.length; d++) {
      const terms = this.#analyze(texts[d], d);
      const cols: number[] = [];
      for (const t of terms) {
        const c = index.get(t);
        if (c !== undefined) cols.push(c);
      }
      docs[d] = Int32Array.from(cols);
    }
    return this.#build(docs);
  }

  /**
   * The fitted state as plain JSON-ready data (see {@linkcode TfidfVectorizer.fromJSON}).
   *
   * @example
   * ```ts
   * import { TfidfVectorizer } from "./tfidf_vectorizer.ts";
   * const v = new TfidfVectorizer({ minDf: 1 }).fit(["red fox"]);
   * JSON.stringify(v.toJSON()).length > 0; // true
   * ```
   */
  toJSON(): TfidfState {
    const { vocabulary, idf } = this.#fitted();
    return {
      vocabulary: vocabulary.slice(),
      idf: Array.from(idf),
      minDf: this.minDf,
      ngramRange: [this.ngramRange[0], this.ngramRange[1]],
      stopWords: [...this.stopWords].sort(compareCodePoints),
      sublinearTf: this.sublinearTf,
    };
  }

  /**
   * Restores a fitted vectorizer from {@linkcode TfidfVectorizer.toJSON} output; `source` names
   * where the state came from in error messages.
   *
   * @example
   * ```ts
   * import { TfidfVectorizer } from "./tfidf_vectorizer.ts";
   * const state = new TfidfVectorizer({ minDf: 1 }).fit(["red fox"]).toJSON();
   * TfidfVectorizer.fromJSON(state).vocabulary; // ["fox", "red", "red fox"]
   * ```
   */
  static fromJSON(state: TfidfState, source = "TF-IDF state"): TfidfVectorizer {
    const bad = (what: string) =>
      new Error(`${source}: ${what}; re-create it by fitting and saving the embedder again`);
    if (state === null || typeof state !== "object") throw bad("not a JSON object");
    if (!Array.isArray(state.vocabulary) || !Array.isArray(state.idf)) {
      throw bad("field vocabulary or idf is missing or not a list");
    }
    if (state.vocabulary.length !== state.idf.length || state.vocabulary.length === 0) {
      throw bad(
        `vocabulary has ${state.vocabulary.length} terms but idf has ${state.idf.length} values`,
      );
    }
    if (!Array.isArray(state.stopWords) || !Array.isArray(state.ngramRange)) {
      throw bad("field stopWords or ngramRange is missing");
    }
    const v = new TfidfVectorizer({
      minDf: state.minDf,
      ngramRange: state.ngramRange,
      stopWords: state.stopWords,
      sublinearTf: state.sublinearTf,
    });
    const index = new Map<string, number>();
    state.vocabulary.forEach((t, i) => index.set(t, i));
    if (index.size !== state.vocabulary.length) throw bad("vocabulary has duplicate terms");
    const idf = Float64Array.from(state.idf);
    if (idf.some((x) => !Number.isFinite(x))) throw bad("idf holds a non-number");
    v.#vocabulary = state.vocabulary.slice();
    v.#index = index;
    v.#idf = idf;
    return v;
  }

  #fitted(): { vocabulary: string[]; index: Map<string, number>; idf: Float64Array } {
    if (this.#vocabulary === null || this.#index === null || this.#idf === null) {
      throw new Error("TfidfVectorizer is not fitted yet: call fit(trainTexts) first");
    }
    return { vocabulary: this.#vocabulary, index: this.#index, idf: this.#idf };
  }

  #analyze(text: string, row: number): string[] {
    if (typeof text !== "string") {
      throw new TypeError(`text at row ${row} is ${typeof text}, not a string; give text only`);
    }
    return analyze(text, { ngramRange: this.ngramRange, stopWords: this.stopWords });
  }

  /** Counts terms, keeps the frequent ones; returns each text's final column ids (repeats kept). */
  #fitCount(texts: readonly string[]): Int32Array[] {
    const n = texts.length;
    if (n === 0) throw new RangeError("TfidfVectorizer.fit: no texts given; pass training texts");
    const ids = new Map<string, number>();
    const df: number[] = [];
    const lastDoc: number[] = [];
    const rawDocs: Int32Array[] = new Array(n);
    for (let d = 0; d < n; d++) {
      const terms = this.#analyze(texts[d], d);
      const row = new Int32Array(terms.length);
      for (let k = 0; k < terms.length; k++) {
        let id = ids.get(terms[k]);
        if (id === undefined) {
          id = df.length;
          ids.set(terms[k], id);
          df.push(0);
          lastDoc.push(-1);
        }
        if (lastDoc[id] !== d) {
          lastDoc[id] = d;
          df[id]++;
        }
        row[k] = id;
      }
      rawDocs[d] = row;
    }
    const minCount = Number.isInteger(this.minDf) ? this.minDf : this.minDf * n;
    const kept: string[] = [];
    for (const [term, id] of ids) if (df[id] >= minCount) kept.push(term);
    if (kept.length === 0) {
      throw new RangeError(
        `TfidfVectorizer.fit: no term occurs in at least ${minCount} of the ${n} texts ` +
          `(minDf ${this.minDf}); lower minDf or fit on more texts`,
      );
    }
    kept.sort(compareCodePoints);
    const remap = new Int32Array(df.length).fill(-1);
    const index = new Map<string, number>();
    const idf = new Float64Array(kept.length);
    for (let c = 0; c < kept.length; c++) {
      const id = ids.get(kept[c])!;
      remap[id] = c;
      index.set(kept[c], c);
      idf[c] = Math.log((1 + n) / (1 + df[id])) + 1;
    }
    const docs = rawDocs.map((row) => {
      let m = 0;
      for (let k = 0; k < row.length; k++) if (remap[row[k]] >= 0) m++;
      const out = new Int32Array(m);
      let p = 0;
      for (let k = 0; k < row.length; k++) if (remap[row[k]] >= 0) out[p++] = remap[row[k]];
      return out;
    });
    this.#vocabulary = kept;
    this.#index = index;
    this.#idf = idf;
    return docs;
  }

  /** Builds the CSR TF-IDF matrix from each text's column ids (with repeats = counts). */
  #build(docs: Int32Array[]): CsrMatrix {
    const idf = this.#idf!;
    const cols = idf.length;
    const indptr = new Int32Array(docs.length + 1);
    const sorted = docs.map((row) => row.slice().sort());
    let nnz = 0;
    for (let d = 0; d < sorted.length; d++) {
      const row = sorted[d];
      for (let k = 0; k < row.length; k++) if (k === 0 || row[k] !== row[k - 1]) nnz++;
      indptr[d + 1] = nnz;
    }
    const indices = new Int32Array(nnz);
    const data = new Float32Array(nnz);
    let vbuf = new Float64Array(64);
    for (let d = 0; d < sorted.length; d++) {
      const row = sorted[d];
      let p = indptr[d];
      const start = p;
      if (vbuf.length < row.length) vbuf = new Float64Array(row.length);
      let sumSq = 0;
      for (let k = 0; k < row.length;) {
        const c = row[k];
        let count = 0;
        while (k < row.length && row[k] === c) {
          count++;
          k++;
        }
        const tf = this.sublinearTf ? 1 + Math.log(count) : count;
        const w = tf * idf[c];
        vbuf[p - start] = w;
        indices[p++] = c;
        sumSq += w * w;
      }
      const norm = Math.sqrt(sumSq);
      for (let q = start; q < p; q++) data[q] = norm > 0 ? vbuf[q - start] / norm : 0;
    }
    return { rows: docs.length, cols, indptr, indices, data };
  }
}
