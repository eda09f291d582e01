/**
 * The one small interface every text embedding back end implements (`lsa`, `ollama`, `use`).
 *
 * @module
 */

import type { Matrix } from "../core/matrix.ts";

/** Options accepted by {@linkcode TextEmbedder.embed}. */
export interface EmbedOptions {
  /** Titles matching `texts`, used to name a text that cannot be embedded. */
  titles?: string[];
  /** Draw a progress bar (default true). */
  progress?: boolean;
}

/**
 * Turns texts into fixed-size float32 vectors (one row per text).
 *
 * @example
 * ```ts
 * async function embedAll(e: TextEmbedder, texts: string[]) {
 *   await e.fit(texts);           // lsa learns its vocabulary; ollama does nothing
 *   return await e.embed(texts);  // Matrix rows = texts.length, cols = e.dimensions
 * }
 * ```
 */
export interface TextEmbedder {
  /** Back-end name: `"lsa"`, `"ollama"` or `"use"`. */
  readonly kind: "lsa" | "ollama" | "use";
  /** Model identifier recorded in config.json (e.g. `"embeddinggemma"`, `"tfidf-svd"`). */
  readonly model: string;
  /** Output dimensionality (known after `fit` for fitted back ends). */
  readonly dimensions: number;
  /** Learns what the back end needs from training texts only (no-op for pre-trained models). */
  fit(texts: string[]): Promise<void>;
  /** Embeds texts; rows follow the input order. Throws naming the title of a text that fails. */
  embed(texts: string[], options?: EmbedOptions): Promise<Matrix>;
  /** Saves what is needed to embed new texts later into `dir` (files named by the back end). */
  save(dir: string): Promise<void>;
}
