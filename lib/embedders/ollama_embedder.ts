/**
 * The `ollama` text-embedding back end: sends texts to a local Ollama server (`POST /api/embed`,
 * many texts per request, a bounded number of requests at a time), retries transient failures
 * with exponential back-off, checks every vector, and checkpoints finished batches in an
 * {@linkcode EmbeddingCache} so a killed run resumes where it stopped.
 *
 * Waiting is bounded and visible: each request has a time limit (`timeoutMs`, default 120 s, or
 * `NETFLIX_OLLAMA_TIMEOUT` seconds; `preprocess --ollama-timeout SECONDS`), each batch a deadline
 * over all its attempts and back-offs (`deadlineMs`, default 3 × the time limit) after which the
 * run stops with an error naming the setting. Both are printed when the run starts, and every
 * retry prints one line (batch, attempt, reason, next wait).
 *
 * @module
 */

import { join } from "node:path";
import { Ollama } from "ollama";
import { atomicWriteJson } from "../io/atomic_write.ts";
import { EmbeddingCache } from "./embedding_cache.ts";
import {
  batchesOf,
  checkTitles,
  describeRow,
  gatherRows,
  MemoryStore,
  planEmbedding,
  runInLanes,
  type VectorStore,
} from "./cached_embedding.ts";
import type { Matrix } from "../core/matrix.ts";
import { resolveOllamaHost } from "./ollama_probe.ts";
import { unusableTextReason } from "../data/usable_text.ts";
import {
  classify,
  envTimeoutMs,
  errorDetail,
  type ErrorKind,
  seconds,
  sleep,
  TIMEOUT_HINT,
} from "./ollama_retry.ts";
import { ProgressBar } from "../display/progress.ts";
import type { EmbedderIdentity, EmbedOptions, TextEmbedder } from "./text_embedder.ts";

/** Default cache folder (relative to the working directory). */
const DEFAULT_OLLAMA_CACHE_DIR = "processed_data/cache/ollama";

/** File written by {@linkcode OllamaEmbedder.save}. */
const OLLAMA_EMBEDDER_FILE = "ollama_embedder.json";

/** Options for {@linkcode OllamaEmbedder}. */
export interface OllamaEmbedderOptions {
  /** Ollama model name (default `"embeddinggemma"`). */
  model?: string;
  /** Server address (default: `OLLAMA_HOST`, else `http://127.0.0.1:11434`); see resolveOllamaHost. */
  host?: string;
  /** Texts per request (default 64). */
  batchSize?: number;
  /** Requests in flight at once (default 2). */
  concurrency?: number;
  /** Retries per request after a transient failure: reset connection, HTTP 5xx/429, timeout (default 5). */
  maxRetries?: number;
  /** First back-off delay in ms, doubled per retry, with jitter (default 500). */
  retryBaseMs?: number;
  /** Longest back-off delay in ms (default 30000). */
  retryMaxMs?: number;
  /** Cache folder (default {@linkcode DEFAULT_OLLAMA_CACHE_DIR}); `false` keeps vectors in memory only. */
  cacheDir?: string | false;
  /**
   * Per-request time limit in ms before it counts as a transient failure (default:
   * `NETFLIX_OLLAMA_TIMEOUT` seconds, else 120000).
   */
  timeoutMs?: number;
  /**
   * Longest time one batch may take over all its attempts and back-offs, in ms, before the run
   * stops with an error (default 3 × `timeoutMs`). Bounds the wait for a server that accepts
   * connections but never answers.
   */
  deadlineMs?: number;
  /**
   * Where the run's opening line (texts, batches, time limit, deadline) and one line per retry
   * go (default `console.error` when progress is drawn, else nowhere).
   */
  log?: (line: string) => void;
  /** Draw a progress bar (default true; `embed`'s own `progress` option wins). */
  progress?: boolean;
}

/** Why an {@linkcode OllamaEmbedError} was thrown. */
export type OllamaErrorCode =
  | "unreachable"
  | "model-missing"
  | "bad-text"
  | "bad-vector"
  | "rejected"
  | "retries-exhausted"
  | "deadline"
  | "dimension-mismatch";

/**
 * An error from the Ollama back end; `code` tells callers (e.g. the `auto` back end) what went
 * wrong, the message tells the user what to do.
 *
 * @example
 * ```ts
 * try {
 *   await new OllamaEmbedder().embed(["a text"]);
 * } catch (err) {
 *   if (err instanceof OllamaEmbedError && err.code === "unreachable") console.log("start ollama");
 * }
 * ```
 */
export class OllamaEmbedError extends Error {
  /** What went wrong. */
  readonly code: OllamaErrorCode;
  /** Creates an error with a `code` and a message that says what to do. */
  constructor(code: OllamaErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "OllamaEmbedError";
    this.code = code;
  }
}

/** Counts from the last {@linkcode OllamaEmbedder.embed} call. */
export interface OllamaRunStats {
  /** Texts passed in. */
  texts: number;
  /** Distinct texts among them. */
  unique: number;
  /** Distinct texts found in the cache. */
  cached: number;
  /** Distinct texts embedded by the server in this call. */
  embedded: number;
  /** HTTP requests sent to `/api/embed`, including retries. */
  requests: number;
  /** Of those, retries after a transient failure. */
  retries: number;
}

interface SavedEmbedder {
  kind: "ollama";
  model: string;
  host: string;
  dimensions: number;
}

/** What one embed call shares between its batches. */
interface Run {
  texts: readonly string[];
  titles: readonly string[] | undefined;
  firstRow: Map<string, number>;
  store: VectorStore;
  bar: ProgressBar;
  stats: OllamaRunStats;
  stop: AbortController;
  /** Vector size known before the run (from a saved embedder or the cache), else 0. */
  initialDimensions: number;
  /** Batch number (1-based) of each batch's first hash, and the number of batches. */
  batchOf: Map<string, number>;
  batches: number;
  log: (line: string) => void;
}

/**
 * Embeds texts with a model served by Ollama (default `embeddinggemma`).
 *
 * @example
 * ```ts
 * const embedder = new OllamaEmbedder({ model: "embeddinggemma", batchSize: 64 });
 * const x = await embedder.embed(["A heist in Madrid.", "A baking contest."], {
 *   titles: ["Money Heist", "Nailed It!"],
 * });
 * console.log(x.rows, x.cols); // 2 768
 * await embedder.save("processed_data/model");
 * ```
 */
export class OllamaEmbedder implements TextEmbedder {
  /** Back-end name. */
  readonly kind = "ollama" as const;
  /** Ollama model name. */
  readonly model: string;
  /** Normalised server address. */
  readonly host: string;

  /** Kind and model. */
  get identity(): EmbedderIdentity {
    return { kind: this.kind, model: this.model };
  }
  readonly #batchSize: number;
  readonly #concurrency: number;
  readonly #maxRetries: number;
  readonly #retryBaseMs: number;
  readonly #retryMaxMs: number;
  readonly #cacheDir: string | false;
  readonly #timeoutMs: number;
  readonly #deadlineMs: number;
  readonly #log: ((line: string) => void) | undefined;
  readonly #progress: boolean;
  #dimensions = 0;
  #lastRun: OllamaRunStats | undefined;

  /** Creates an embedder; nothing is sent to the server until {@linkcode OllamaEmbedder.embed}. */
  constructor(options: OllamaEmbedderOptions = {}) {
    this.model = options.model ?? "embeddinggemma";
    if (!this.model.trim()) throw new TypeError("OllamaEmbedder: model must not be empty");
    this.host = resolveOllamaHost(options.host);
    this.#batchSize = positiveInt(options.batchSize ?? 64, "batchSize");
    this.#concurrency = positiveInt(options.concurrency ?? 2, "concurrency");
    this.#maxRetries = nonNegativeInt(options.maxRetries ?? 5, "maxRetries");
    this.#retryBaseMs = Math.max(0, options.retryBaseMs ?? 500);
    this.#retryMaxMs = Math.max(this.#retryBaseMs, options.retryMaxMs ?? 30_000);
    this.#cacheDir = options.cacheDir ?? DEFAULT_OLLAMA_CACHE_DIR;
    this.#timeoutMs = positiveInt(options.timeoutMs ?? envTimeoutMs() ?? 120_000, "timeoutMs");
    this.#deadlineMs = positiveInt(options.deadlineMs ?? 3 * this.#timeoutMs, "deadlineMs");
    this.#log = options.log;
    this.#progress = options.progress ?? true;
  }

  /**
   * Re-creates an embedder saved with {@linkcode OllamaEmbedder.save}. The host is
   * `options.host`, else `OLLAMA_HOST`, else the saved host.
   *
   * @example
   * ```ts
   * const embedder = await OllamaEmbedder.load("processed_data/model");
   * const x = await embedder.embed(["A new title's description."]);
   * ```
   */
  static async load(dir: string, options: OllamaEmbedderOptions = {}): Promise<OllamaEmbedder> {
    const path = join(dir, OLLAMA_EMBEDDER_FILE);
    let saved: SavedEmbedder;
    try {
      saved = JSON.parse(await Deno.readTextFile(path));
    } catch (err) {
      throw new Error(
        `OllamaEmbedder.load: cannot read ${path} (${(err as Error).message}); ` +
          `train with the ollama back end first so the file is written`,
        { cause: err },
      );
    }
    if (saved?.kind !== "ollama" || typeof saved.model !== "string") {
      throw new Error(`OllamaEmbedder.load: ${path} is not an ollama embedder description`);
    }
    let envHost: string | undefined;
    try {
      envHost = Deno.env.get("OLLAMA_HOST") || undefined;
    } catch { /* no env permission */ }
    const embedder = new OllamaEmbedder({
      ...options,
      model: saved.model,
      host: options.host ?? envHost ?? saved.host,
    });
    embedder.#dimensions = Number(saved.dimensions) || 0;
    return embedder;
  }

  /** Vector length: learned from the first response or the cache; 0 until then. */
  get dimensions(): number {
    return this.#dimensions;
  }

  /** Counts from the last `embed` call (undefined before the first). */
  get lastRun(): OllamaRunStats | undefined {
    return this.#lastRun;
  }

  /**
   * Does nothing: the model is pre-trained.
   *
   * @example
   * ```ts
   * await new OllamaEmbedder().fit([]);
   * ```
   */
  fit(_texts: string[]): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Embeds `texts` (rows follow the input order). Cached vectors are reused; the rest are sent in
   * batches of `batchSize`, at most `concurrency` requests at a time, and checkpointed as each
   * batch finishes. Throws an {@linkcode OllamaEmbedError} naming the row and title of a text
   * that cannot be embedded, or saying how to start the server / pull the model.
   *
   * @example
   * ```ts
   * const x = await new OllamaEmbedder().embed(["A heist."], { titles: ["Money Heist"] });
   * ```
   */
  async embed(texts: string[], options: EmbedOptions = {}): Promise<Matrix> {
    const titles = options.titles;
    checkTitles("OllamaEmbedder.embed", texts, titles);
    for (let i = 0; i < texts.length; i++) {
      const unusable = typeof texts[i] === "string" ? unusableTextReason(texts[i]) : "is missing";
      if (unusable) {
        throw new OllamaEmbedError(
          "bad-text",
          `OllamaEmbedder: the text of ${describeRow(i, titles)} ${unusable}: nothing to ` +
            "embed; fill in its description or drop the row",
        );
      }
    }
    const store = await this.#openStore();
    try {
      return await this.#embedWith(store, texts, titles, options);
    } finally {
      await store.close();
    }
  }

  async #embedWith(
    store: VectorStore,
    texts: readonly string[],
    titles: readonly string[] | undefined,
    options: EmbedOptions,
  ): Promise<Matrix> {
    const { hashes, firstRow, missing } = await planEmbedding(texts, store);
    const stats: OllamaRunStats = {
      texts: texts.length,
      unique: firstRow.size,
      cached: firstRow.size - missing.length,
      embedded: 0,
      requests: 0,
      retries: 0,
    };
    this.#lastRun = stats;
    // The cache file fixes the vector size for this model name (a changed size is an error).
    if (this.#dimensions === 0) this.#dimensions = store.dimensions;

    const batches = batchesOf(missing, this.#batchSize);
    const progress = options.progress ?? this.#progress;
    const log = this.#log ?? (progress ? (line: string) => console.error(line) : () => {});
    const batchOf = new Map(batches.map((b, k) => [b[0], k + 1]));
    if (batches.length > 0) {
      log(
        `ollama: embedding ${missing.length} text(s) in ${batches.length} batch(es) with ` +
          `"${this.model}" at ${this.host}; each request waits at most ${
            seconds(this.#timeoutMs)
          }, a batch gives up ${seconds(this.#deadlineMs)} after its first try (change with ` +
          `${TIMEOUT_HINT})`,
      );
    }
    const bar = new ProgressBar(`ollama ${this.model}`, firstRow.size, { silent: !progress });
    bar.update(stats.cached);
    const run: Run = {
      texts,
      titles,
      firstRow,
      store,
      bar,
      stats,
      stop: new AbortController(),
      initialDimensions: this.#dimensions,
      batchOf,
      batches: batches.length,
      log,
    };

    await runInLanes(
      batches,
      this.#concurrency,
      (batch) => this.#embedBatch(run, batch),
      () => run.stop.abort(),
    );
    bar.done(
      `${stats.embedded} embedded in ${stats.requests} requests, ${stats.cached} from cache`,
    );
    await bar.flush();
    return gatherRows(store, hashes, this.#dimensions);
  }

  /**
   * Writes `ollama_embedder.json` (model, host, dimensions) into `dir`.
   *
   * @example
   * ```ts
   * declare const embedder: OllamaEmbedder;
   * await embedder.save("processed_data/model");
   * ```
   */
  async save(dir: string): Promise<void> {
    if (this.#dimensions === 0) {
      throw new Error(
        "OllamaEmbedder.save: the vector size is not known yet; call embed() on at least one " +
          "text before saving",
      );
    }
    const saved: SavedEmbedder = {
      kind: "ollama",
      model: this.model,
      host: this.host,
      dimensions: this.#dimensions,
    };
    await atomicWriteJson(join(dir, OLLAMA_EMBEDDER_FILE), saved);
  }

  async #openStore(): Promise<VectorStore> {
    if (this.#cacheDir === false) return new MemoryStore(this.#dimensions);
    return await EmbeddingCache.open(this.#cacheDir, this.model, {
      dimensions: this.#dimensions || undefined,
    });
  }

  /** Embeds one batch, splitting it to find the culprit when the server rejects its content. */
  async #embedBatch(run: Run, hashes: string[]): Promise<void> {
    const inputs = hashes.map((h) => run.texts[run.firstRow.get(h)!]);
    let embeddings: unknown;
    let rejection: Rejected | undefined;
    try {
      embeddings = await this.#requestWithRetries(run, hashes, inputs);
    } catch (err) {
      if (!(err instanceof Rejected)) throw err;
      rejection = err;
    }
    const count = Array.isArray(embeddings) ? embeddings.length : -1;
    if (hashes.length > 1 && (rejection || count !== hashes.length)) {
      // The server refused the batch or returned the wrong number of vectors, which does not say
      // which text is at fault: split the batch until the culprit is alone.
      const mid = Math.ceil(hashes.length / 2);
      await this.#embedBatch(run, hashes.slice(0, mid));
      await this.#embedBatch(run, hashes.slice(mid));
      return;
    }
    if (rejection) {
      throw new OllamaEmbedError(
        "rejected",
        `Ollama at ${this.host} cannot embed ${
          describeRow(run.firstRow.get(hashes[0])!, run.titles)
        } with model "${this.model}": ${rejection.message}. Fix or drop that text.`,
        { cause: rejection.cause },
      );
    }
    const vectors = this.#checkVectors(run, hashes, embeddings);
    await run.store.append(hashes, vectors, this.#dimensions);
    run.stats.embedded += hashes.length;
    run.bar.tick(hashes.length);
  }

  async #requestWithRetries(run: Run, hashes: string[], inputs: string[]): Promise<unknown> {
    const deadline = performance.now() + this.#deadlineMs;
    const attempts = this.#maxRetries + 1;
    for (let attempt = 0;; attempt++) {
      run.stats.requests++;
      if (attempt > 0) run.stats.retries++;
      try {
        const left = Math.max(1, Math.ceil(deadline - performance.now()));
        return await this.#request(inputs, Math.min(this.#timeoutMs, left), run.stop.signal);
      } catch (err) {
        const kind = classify(err);
        if (kind === "transient" && !run.stop.signal.aborted) {
          if (attempt + 1 >= attempts) throw this.#explain(err, kind, attempt + 1, run, hashes);
          const base = Math.min(this.#retryMaxMs, this.#retryBaseMs * 2 ** attempt);
          const delay = base * (0.5 + Math.random() * 0.5);
          if (performance.now() + delay >= deadline) {
            throw this.#deadlinePassed(err, attempt + 1, run, hashes);
          }
          run.log(
            `ollama: ${this.#batchName(run, hashes)}: attempt ${attempt + 1} of ${attempts} ` +
              `failed (${errorDetail(err)}); retrying in ${seconds(delay)} (gives up ${
                seconds(this.#deadlineMs)
              } after the batch's first try)`,
          );
          await sleep(delay, run.stop.signal);
          if (!run.stop.signal.aborted) continue;
        }
        throw this.#explain(err, kind, attempt + 1, run, hashes);
      }
    }
  }

  /** `batch 3 of 24 (64 texts from row 128, title "…")`, for retry lines and errors. */
  #batchName(run: Run, hashes: string[]): string {
    const k = run.batchOf.get(hashes[0]);
    const which = k === undefined ? "part of a batch" : `batch ${k} of ${run.batches}`;
    return `${which} (${hashes.length} text${hashes.length === 1 ? "" : "s"} from ${
      describeRow(run.firstRow.get(hashes[0])!, run.titles)
    })`;
  }

  #deadlinePassed(err: unknown, attempts: number, run: Run, hashes: string[]): OllamaEmbedError {
    return new OllamaEmbedError(
      "deadline",
      `Ollama at ${this.host} did not embed ${this.#batchName(run, hashes)} within the ` +
        `deadline of ${seconds(this.#deadlineMs)} (${attempts} attempt${
          attempts === 1 ? "" : "s"
        }, each limited to ${seconds(this.#timeoutMs)}; last error: ${errorDetail(err)}). ` +
        "A server that accepts connections but never answers is stuck or overloaded: check " +
        "`ollama ps`, restart `ollama serve`, or use the lsa back end; if it is only slow, " +
        `raise the time limit with ${TIMEOUT_HINT} (the deadline is 3 × it). Finished batches ` +
        "are cached; rerunning resumes from them.",
      { cause: err },
    );
  }

  async #request(inputs: string[], timeoutMs: number, stop: AbortSignal): Promise<unknown> {
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, "TimeoutError")),
      timeoutMs,
    );
    const onStop = () => controller.abort(new DOMException("run stopped", "AbortError"));
    stop.addEventListener("abort", onStop, { once: true });
    try {
      const client = new Ollama({
        host: this.host,
        fetch: (input, init) => fetch(input, { ...init, signal: controller.signal }),
      });
      const response = await client.embed({ model: this.model, input: inputs });
      return (response as { embeddings?: unknown })?.embeddings;
    } finally {
      clearTimeout(timer);
      stop.removeEventListener("abort", onStop);
    }
  }

  #explain(err: unknown, kind: ErrorKind, attempts: number, run: Run, hashes: string[]): Error {
    const detail = errorDetail(err);
    switch (kind) {
      case "unreachable":
        return new OllamaEmbedError(
          "unreachable",
          `Ollama is not reachable at ${this.host} (${detail}). Start it with \`ollama serve\` ` +
            `(or set OLLAMA_HOST to where it runs), or use the lsa back end. ` +
            `Finished batches are cached; rerunning resumes from them.`,
          { cause: err },
        );
      case "model-missing":
        return new OllamaEmbedError(
          "model-missing",
          `Ollama at ${this.host} does not have model "${this.model}" (${detail}). ` +
            `Run \`ollama pull ${this.model}\` and try again.`,
          { cause: err },
        );
      case "rejected":
        return new Rejected(detail, { cause: err });
      case "transient": {
        const rows = hashes.map((h) => run.firstRow.get(h)!);
        return new OllamaEmbedError(
          "retries-exhausted",
          `Ollama at ${this.host} failed ${attempts} time${attempts === 1 ? "" : "s"} on a batch ` +
            `of ${hashes.length} texts starting at ${describeRow(rows[0], run.titles)}; last ` +
            `error: ${detail}. The server may be overloaded or restarting: rerun to resume ` +
            `(finished batches are cached), or lower batchSize/concurrency, or raise the time ` +
            `limit with ${TIMEOUT_HINT}.`,
          { cause: err },
        );
      }
      default:
        return err instanceof Error ? err : new Error(String(err));
    }
  }

  #checkVectors(run: Run, hashes: string[], embeddings: unknown): Float32Array {
    const where = (k: number) => describeRow(run.firstRow.get(hashes[k])!, run.titles);
    const bad = (k: number, what: string) =>
      new OllamaEmbedError(
        "bad-vector",
        `Ollama model "${this.model}" at ${this.host} returned ${what} for ${where(k)}; ` +
          `that text cannot be embedded (check the text, or try another model)`,
      );
    const list = Array.isArray(embeddings) ? embeddings : [];
    if (list.length !== hashes.length) {
      // Only reached for a single text (larger batches are split first).
      throw bad(
        0,
        `${list.length} vectors for ${hashes.length} text${hashes.length > 1 ? "s" : ""}`,
      );
    }
    let dims = this.#dimensions;
    const lengths = list.map((v) => (Array.isArray(v) ? v.length : 0));
    if (
      run.initialDimensions > 0 && lengths[0] > 0 && lengths[0] !== run.initialDimensions &&
      lengths.every((n) => n === lengths[0])
    ) {
      const from = run.store.path ?? "the saved embedder";
      throw new OllamaEmbedError(
        "dimension-mismatch",
        `Ollama model "${this.model}" at ${this.host} now returns ${lengths[0]}-dimensional ` +
          `vectors but ${from} expects ${run.initialDimensions} for that model name (was the ` +
          `model replaced?). Delete ${from} and rerun (retrain if a saved model expects the old size).`,
      );
    }
    for (let k = 0; k < list.length; k++) {
      if (lengths[k] === 0) throw bad(k, "no vector");
      if (dims === 0) dims = lengths[k];
      if (lengths[k] !== dims) {
        throw bad(k, `a ${lengths[k]}-dimensional vector (expected ${dims})`);
      }
    }
    const out = new Float32Array(list.length * dims);
    for (let k = 0; k < list.length; k++) {
      const v = list[k] as unknown[];
      let nonZero = false;
      for (let j = 0; j < dims; j++) {
        const x = v[j];
        if (typeof x !== "number" || !Number.isFinite(x)) {
          throw bad(k, `a vector with a non-finite value (${String(x)}) at position ${j}`);
        }
        const f = Math.fround(x);
        if (!Number.isFinite(f)) throw bad(k, `a value too large for float32 (${x})`);
        if (f !== 0) nonZero = true;
        out[k * dims + j] = f;
      }
      if (!nonZero) throw bad(k, "an all-zero vector");
    }
    if (this.#dimensions === 0) this.#dimensions = dims;
    return out;
  }
}

/** A server rejection of a batch's content (HTTP 4xx): split the batch to find the text. */
class Rejected extends Error {}

function positiveInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`OllamaEmbedder: ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

function nonNegativeInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`OllamaEmbedder: ${name} must be a non-negative integer, got ${value}`);
  }
  return value;
}
