/**
 * The `lsa` text embedder, the embedded default that needs no server: latent semantic analysis =
 * TF-IDF (sublinear tf, unigrams and bigrams, English stop words, min df 2) fitted on the
 * training texts only, projected on the top right singular vectors of a seeded randomized SVD
 * (768 by default), rows scaled to unit length.
 *
 * Same input, same bytes out (on one machine): tokenization, vocabulary order and the SVD are
 * deterministic. {@linkcode LsaEmbedder.save} writes the fitted vocabulary (with idf) and the
 * projection so {@linkcode LsaEmbedder.load} can embed new titles later to the same bytes.
 *
 * @module
 */

import { join } from "node:path";
import { atomicWriteJson } from "../io/atomic_write.ts";
import type { Matrix } from "../core/matrix.ts";
import { readMatrix, writeNpy } from "../io/npy.ts";
import { ProgressBar } from "../display/progress.ts";
import { randomizedSvd, SvdRankError } from "../text/randomized_svd.ts";
import { csrMatMul } from "../text/sparse_matrix.ts";
import type { EmbedderIdentity, EmbedOptions, TextEmbedder } from "./text_embedder.ts";
import { type TfidfState, TfidfVectorizer } from "../text/tfidf_vectorizer.ts";

/** File with the fitted vocabulary, idf and options, written by {@linkcode LsaEmbedder.save}. */
export const LSA_VOCABULARY_FILE = "lsa_vocabulary.json";
/** File with the projection (float32, dimensions × vocabulary size). */
export const LSA_COMPONENTS_FILE = "lsa_components.npy";

/** Options for {@linkcode LsaEmbedder}. */
export interface LsaOptions {
  /** Output dimensions = SVD components (default 768, the size of embeddinggemma's vectors). */
  dimensions?: number;
  /** Keep terms found in at least this many training texts, or this fraction if < 1 (default 2). */
  minDf?: number;
  /** Smallest and largest word n-gram (default `[1, 2]`). */
  ngramRange?: [number, number];
  /** Words dropped before n-grams are formed (default the English list; `[]` keeps all). */
  stopWords?: Iterable<string>;
  /** Seed of the SVD's random test matrix (default 42). */
  seed?: number;
  /** Power iterations of the randomized SVD (default 5). */
  nIter?: number;
  /** Extra random directions of the randomized SVD (default 10). */
  oversamples?: number;
  /**
   * Take `dimensions` as a most: when the training texts support fewer components, fit as many
   * as they do instead of refusing (default false: refuse, advising a number that works).
   */
  atMost?: boolean;
}

/** Contents of {@linkcode LSA_VOCABULARY_FILE}. */
interface SavedLsa {
  format: "lsa-embedder/1";
  kind: "lsa";
  model: string;
  dimensions: number;
  seed: number;
  nIter: number;
  oversamples: number;
  singularValues: number[];
  tfidf: TfidfState;
}

/**
 * TF-IDF + randomized SVD text embeddings (`kind: "lsa"`, `model: "tfidf-svd"`).
 *
 * @example
 * ```ts
 * import { LsaEmbedder } from "./lsa_embedder.ts";
 * const lsa = new LsaEmbedder({ dimensions: 2, minDf: 1 });
 * await lsa.fit(["a dragon in space", "space pirates", "a dragon's gold", "pirates and gold"]);
 * const x = await lsa.embed(["pirates in space"], { progress: false });
 * console.log(x.rows, x.cols); // 1 2
 * ```
 */
export class LsaEmbedder implements TextEmbedder {
  readonly kind = "lsa" as const;
  readonly model = "tfidf-svd";

  /** Kind and model (LSA is fitted on the training rows: the features id tells fits apart). */
  get identity(): EmbedderIdentity {
    return { kind: this.kind, model: this.model };
  }
  readonly minDf: number;
  readonly ngramRange: [number, number];
  /** Stop words when given explicitly (undefined = the default English list). */
  readonly stopWords: string[] | undefined;
  readonly seed: number;
  readonly nIter: number;
  readonly oversamples: number;
  #dimensions: number;
  readonly #atMost: boolean;
  #vectorizer: TfidfVectorizer | null = null;
  #components: Matrix | null = null;
  /** Components transposed (vocabulary × dimensions) for the sparse projection. */
  #projection: Matrix | null = null;
  #singularValues: Float64Array | null = null;

  constructor(options: LsaOptions = {}) {
    const dimensions = options.dimensions ?? 768;
    if (!Number.isInteger(dimensions) || dimensions < 1) {
      throw new RangeError(
        `LsaEmbedder: dimensions must be a whole number >= 1, got ${dimensions}`,
      );
    }
    this.#dimensions = dimensions;
    this.#atMost = options.atMost ?? false;
    this.minDf = options.minDf ?? 2;
    this.ngramRange = options.ngramRange ?? [1, 2];
    this.stopWords = options.stopWords === undefined ? undefined : [...options.stopWords];
    this.seed = options.seed ?? 42;
    this.nIter = options.nIter ?? 5;
    this.oversamples = options.oversamples ?? 10;
    // Validates minDf and ngramRange now rather than at fit time.
    new TfidfVectorizer({ minDf: this.minDf, ngramRange: this.ngramRange });
  }

  /** Output dimensionality. */
  get dimensions(): number {
    return this.#dimensions;
  }

  /** Whether `fit` (or `load`) has run. */
  get fitted(): boolean {
    return this.#components !== null;
  }

  /** Singular values of the training TF-IDF matrix, decreasing; throws before `fit`. */
  get singularValues(): Float64Array {
    return this.#state().singularValues;
  }

  /** Fitted TF-IDF vocabulary in column order; throws before `fit`. */
  get vocabulary(): readonly string[] {
    return this.#state().vectorizer.vocabulary;
  }

  /** The projection, `dimensions × vocabulary size` (rows = components); throws before `fit`. */
  get components(): Matrix {
    return this.#state().components;
  }

  /**
   * Fits TF-IDF and the SVD on the training texts only. Throws a `RangeError` saying how many
   * dimensions are possible when the texts support fewer than `dimensions`.
   *
   * @example
   * ```ts
   * import { LsaEmbedder } from "./lsa_embedder.ts";
   * const lsa = new LsaEmbedder({ dimensions: 1, minDf: 1 });
   * await lsa.fit(["red fox", "red hen"]);
   * ```
   */
  async fit(texts: string[]): Promise<void> {
    const vectorizer = new TfidfVectorizer({
      minDf: this.minDf,
      ngramRange: this.ngramRange,
      ...(this.stopWords ? { stopWords: this.stopWords } : {}),
    });
    const x = vectorizer.fitTransform(texts);
    let svd;
    try {
      svd = await randomizedSvd(x, this.#dimensions, {
        seed: this.seed,
        nIter: this.nIter,
        oversamples: this.oversamples,
      });
    } catch (err) {
      if (!(err instanceof SvdRankError)) throw err;
      // The rank the sketch saw is an estimate (and the size bound is not the rank): fit with
      // fewer until one works, so the number advised is one that does.
      const possible = await this.#supported(x, Math.min(err.possible, this.#dimensions - 1));
      if (this.#atMost && possible > 0) {
        this.#dimensions = possible;
        return await this.fit(texts);
      }
      throw new SvdRankError(
        `LsaEmbedder.fit: ${this.#dimensions} dimensions asked for, but the ${texts.length} ` +
          `training texts with ${x.cols} terms (minDf ${this.minDf}) support at most ` +
          `${possible}: run preprocess with \`--dimensions ${possible}\` or fewer (or on more ` +
          "titles: a larger --sample)",
        possible,
      );
    }
    this.#set(vectorizer, svd.components, svd.singularValues);
  }

  /** The most dimensions up to `start` that the SVD of `x` gives with this seed (0: none). */
  async #supported(x: Parameters<typeof randomizedSvd>[0], start: number): Promise<number> {
    for (let k = start; k >= 1;) {
      try {
        await randomizedSvd(x, k, {
          seed: this.seed,
          nIter: this.nIter,
          oversamples: this.oversamples,
        });
        return k;
      } catch (err) {
        if (!(err instanceof SvdRankError)) throw err;
        k = Math.min(k - 1, err.possible);
      }
    }
    return 0;
  }

  /**
   * Embeds texts: TF-IDF over the fitted vocabulary → projection → unit-length rows. A text with
   * no known term gives an all-zero row.
   *
   * @example
   * ```ts
   * import { LsaEmbedder } from "./lsa_embedder.ts";
   * const lsa = new LsaEmbedder({ dimensions: 1, minDf: 1 });
   * await lsa.fit(["red fox", "red hen"]);
   * (await lsa.embed(["red"], { progress: false })).data; // Float32Array [±1]
   * ```
   */
  // deno-lint-ignore require-await
  async embed(texts: string[], options: EmbedOptions = {}): Promise<Matrix> {
    const { vectorizer, projection } = this.#state();
    const k = this.#dimensions;
    for (let i = 0; i < texts.length; i++) {
      if (typeof texts[i] !== "string") {
        const name = options.titles?.[i] !== undefined ? `"${options.titles[i]}"` : `row ${i}`;
        throw new TypeError(
          `LsaEmbedder.embed: the text of ${name} is ${texts[i]}, not a string; ` +
            "replace missing descriptions with an empty string",
        );
      }
    }
    const bar = new ProgressBar("lsa embedding", texts.length, {
      silent: options.progress === false,
    });
    const out = new Float32Array(texts.length * k);
    const chunk = 2048;
    for (let start = 0; start < texts.length; start += chunk) {
      const part = texts.slice(start, start + chunk);
      const z = csrMatMul(vectorizer.transform(part), projection);
      normalizeRows(z);
      out.set(z.data, start * k);
      bar.tick(part.length);
    }
    bar.done();
    return { rows: texts.length, cols: k, data: out };
  }

  /**
   * Writes {@linkcode LSA_VOCABULARY_FILE} (terms in column order, idf, options) and
   * {@linkcode LSA_COMPONENTS_FILE} (float32 `dimensions × vocabulary`) into `dir`.
   *
   * @example
   * ```ts
   * import { LsaEmbedder } from "./lsa_embedder.ts";
   * const lsa = new LsaEmbedder({ dimensions: 1, minDf: 1 });
   * await lsa.fit(["red fox", "red hen"]);
   * await lsa.save(await Deno.makeTempDir());
   * ```
   */
  async save(dir: string): Promise<void> {
    const { vectorizer, components, singularValues } = this.#state();
    const saved: SavedLsa = {
      format: "lsa-embedder/1",
      kind: this.kind,
      model: this.model,
      dimensions: this.#dimensions,
      seed: this.seed,
      nIter: this.nIter,
      oversamples: this.oversamples,
      singularValues: Array.from(singularValues),
      tfidf: vectorizer.toJSON(),
    };
    await writeNpy(join(dir, LSA_COMPONENTS_FILE), components);
    await atomicWriteJson(join(dir, LSA_VOCABULARY_FILE), saved);
  }

  /**
   * Restores an embedder saved by {@linkcode LsaEmbedder.save}; embedding with it gives the same
   * bytes as the original. Throws `Deno.errors.NotFound` when `dir` holds no saved embedder.
   *
   * @example
   * ```ts
   * import { LsaEmbedder } from "./lsa_embedder.ts";
   * const lsa = await LsaEmbedder.load("processed_data/models/embedder");
   * const x = await lsa.embed(["A heist in Madrid"], { progress: false });
   * ```
   */
  static async load(dir: string): Promise<LsaEmbedder> {
    const path = join(dir, LSA_VOCABULARY_FILE);
    const text = await Deno.readTextFile(path);
    let saved: SavedLsa;
    try {
      saved = JSON.parse(text);
    } catch (err) {
      throw new Error(
        `${path}: not valid JSON (${(err as Error).message}); save the embedder again`,
      );
    }
    if (saved?.format !== "lsa-embedder/1" || saved.kind !== "lsa") {
      throw new Error(
        `${path}: not a saved lsa embedder (format ${JSON.stringify(saved?.format)}); ` +
          "save it again with LsaEmbedder.save",
      );
    }
    const vectorizer = TfidfVectorizer.fromJSON(saved.tfidf, path);
    const components = await readMatrix(join(dir, LSA_COMPONENTS_FILE), {
      expectShape: [saved.dimensions, vectorizer.vocabulary.length],
      hint: "save the embedder again with LsaEmbedder.save",
    });
    const lsa = new LsaEmbedder({
      dimensions: saved.dimensions,
      minDf: vectorizer.minDf,
      ngramRange: vectorizer.ngramRange,
      stopWords: saved.tfidf.stopWords,
      seed: saved.seed,
      nIter: saved.nIter,
      oversamples: saved.oversamples,
    });
    lsa.#set(vectorizer, components, Float64Array.from(saved.singularValues));
    return lsa;
  }

  #set(vectorizer: TfidfVectorizer, components: Matrix, singularValues: Float64Array): void {
    const { rows: k, cols: v, data } = components;
    const t = new Float32Array(v * k);
    // Transposed in 32×32 tiles (cache friendly).
    for (let j0 = 0; j0 < k; j0 += 32) {
      for (let i0 = 0; i0 < v; i0 += 32) {
        for (let j = j0; j < Math.min(j0 + 32, k); j++) {
          for (let i = i0; i < Math.min(i0 + 32, v); i++) t[i * k + j] = data[j * v + i];
        }
      }
    }
    this.#vectorizer = vectorizer;
    this.#components = components;
    this.#projection = { rows: v, cols: k, data: t };
    this.#singularValues = singularValues;
  }

  #state() {
    if (
      this.#vectorizer === null || this.#components === null || this.#projection === null ||
      this.#singularValues === null
    ) {
      throw new Error("LsaEmbedder is not fitted: call fit(trainTexts) or LsaEmbedder.load(dir)");
    }
    return {
      vectorizer: this.#vectorizer,
      components: this.#components,
      projection: this.#projection,
      singularValues: this.#singularValues,
    };
  }
}

/** Scales each row to unit L2 norm in place (all-zero rows stay zero). */
function normalizeRows(m: Matrix): void {
  const { rows, cols, data } = m;
  for (let i = 0; i < rows; i++) {
    let ss = 0;
    for (let j = 0; j < cols; j++) ss += data[i * cols + j] * data[i * cols + j];
    if (ss === 0) continue;
    const inv = 1 / Math.sqrt(ss);
    for (let j = 0; j < cols; j++) data[i * cols + j] *= inv;
  }
}
