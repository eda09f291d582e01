/**
 * The `credits` feature block: who made the title. Each cast member and director becomes one
 * token (`Shah Rukh Khan` → `shah_rukh_khan`, directors prefixed `dir_`), weighted by TF-IDF over
 * names seen in at least two training titles and reduced by the same randomized SVD as the `lsa`
 * text embedder (256 dimensions by default), rows L2-normalised. Names shared by many titles
 * (an anime voice cast, a Bollywood star, a stand-up director) carry strong genre signal that the
 * descriptions lack.
 *
 * @module
 */

import { LsaEmbedder } from "../embedders/lsa_embedder.ts";
import { SvdRankError } from "../text/randomized_svd.ts";
import type { Matrix } from "../core/matrix.ts";

/** Default credits dimensions. */
export const CREDITS_DIMENSIONS = 256;

/**
 * Turns one title's `cast` and `director` cells into a space-separated list of name tokens.
 *
 * @example
 * ```ts
 * creditsDocument("Shah Rukh Khan, Kajol", "Karan Johar");
 * // "shah_rukh_khan kajol dir_karan_johar"
 * ```
 */
export function creditsDocument(cast: string, director: string): string {
  const token = (name: string) =>
    name.trim().toLowerCase().normalize("NFC").replace(/[^\p{L}\p{N}]+/gu, "_").replace(
      /^_+|_+$/g,
      "",
    );
  const names = (cell: string) =>
    cell.split(",").map(token).filter((t) => t.length >= 2 || /\p{Lo}/u.test(t));
  return [...names(cast), ...names(director).map((d) => `dir_${d}`)].join(" ");
}

/** Options for {@linkcode CreditsEncoder}. */
export interface CreditsOptions {
  /** Output dimensions (default 256). */
  dimensions?: number;
  /** Keep names appearing in at least this many training titles (default 2). */
  minDf?: number;
  /** SVD seed (default 42). */
  seed?: number;
}

/**
 * Fits the credits embedding on training titles and encodes any titles.
 *
 * @example
 * ```ts
 * const enc = new CreditsEncoder({ dimensions: 2 });
 * await enc.fit({ cast: ["A B, C D", "A B", "C D"], director: ["", "E F", "E F"] });
 * const m = await enc.transform({ cast: ["A B"], director: [""] });
 * ```
 */
export class CreditsEncoder {
  embedder: LsaEmbedder;

  constructor(options: CreditsOptions & { embedder?: LsaEmbedder } = {}) {
    this.embedder = options.embedder ?? new LsaEmbedder({
      dimensions: options.dimensions ?? CREDITS_DIMENSIONS,
      minDf: options.minDf ?? 2,
      ngramRange: [1, 1],
      stopWords: [],
      seed: options.seed ?? 42,
    });
  }

  /**
   * Learns the name vocabulary and projection from training titles only. When the names support
   * fewer dimensions than asked (small samples), it uses as many as they support.
   */
  async fit(columns: { cast: string[]; director: string[] }): Promise<this> {
    const docs = documents(columns);
    const titlesPerName = new Map<string, number>();
    for (const doc of docs) {
      for (const name of new Set(doc.split(" "))) {
        if (name) titlesPerName.set(name, (titlesPerName.get(name) ?? 0) + 1);
      }
    }
    if (![...titlesPerName.values()].some((count) => count >= this.embedder.minDf)) {
      throw new RangeError(
        `credits: no cast or director name appears in at least ${this.embedder.minDf} of the ` +
          `${docs.length} training titles, so the credits block has nothing to learn from: ` +
          "use more titles (a larger --sample)",
      );
    }
    try {
      await this.embedder.fit(docs);
    } catch (err) {
      if (!(err instanceof SvdRankError) || err.possible < 1) throw err;
      const e = this.embedder;
      this.embedder = new LsaEmbedder({
        dimensions: err.possible,
        minDf: e.minDf,
        ngramRange: e.ngramRange,
        stopWords: e.stopWords,
        seed: e.seed,
      });
      await this.embedder.fit(docs);
    }
    return this;
  }

  /** Encodes titles (names never seen in training contribute nothing). */
  async transform(columns: { cast: string[]; director: string[] }): Promise<Matrix> {
    return await this.embedder.embed(documents(columns), { progress: false });
  }

  /** Column names `credits_0 …`. */
  get featureNames(): string[] {
    return Array.from({ length: this.embedder.dimensions }, (_, i) => `credits_${i}`);
  }

  /** Saves the fitted vocabulary and projection into `dir`. */
  async save(dir: string): Promise<void> {
    await this.embedder.save(dir);
  }

  /** Loads an encoder saved with {@linkcode CreditsEncoder.save}. */
  static async load(dir: string): Promise<CreditsEncoder> {
    return new CreditsEncoder({ embedder: await LsaEmbedder.load(dir) });
  }
}

function documents(columns: { cast: string[]; director: string[] }): string[] {
  if (columns.cast.length !== columns.director.length) {
    throw new RangeError(
      `CreditsEncoder: ${columns.cast.length} cast cells but ${columns.director.length} director cells`,
    );
  }
  return columns.cast.map((c, i) => creditsDocument(c, columns.director[i]));
}
