/**
 * What every caching embedder (`use`, `ollama`) does around its model: each distinct text once
 * (by SHA-256), only what the vector store lacks, in batches on a few concurrent lanes that stop
 * taking batches at the first failure, and the rows gathered back from the store in input order.
 *
 * @module
 */

import type { Matrix } from "../core/matrix.ts";
import { hashTexts } from "./embedding_cache.ts";

/** Where an embed call keeps its vectors: the on-disk `EmbeddingCache`, or {@linkcode MemoryStore}. */
export interface VectorStore {
  /** Vector length of the stored vectors (0 while nothing is stored). */
  readonly dimensions: number;
  readonly path?: string;
  get(hash: string): Float32Array | undefined;
  append(hashes: readonly string[], vectors: Float32Array, dimensions: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Vectors kept in memory only (an embedder's `cacheDir: false`).
 *
 * @example
 * ```ts
 * const store = new MemoryStore(2);
 * await store.append(["h1"], new Float32Array([0.6, 0.8]), 2);
 * console.log(store.get("h1")); // Float32Array [0.6, 0.8]
 * ```
 */
export class MemoryStore implements VectorStore {
  #vectors = new Map<string, Float32Array>();
  #dimensions: number;
  constructor(dimensions: number) {
    this.#dimensions = dimensions;
  }
  get dimensions(): number {
    return this.#dimensions;
  }
  get(hash: string): Float32Array | undefined {
    return this.#vectors.get(hash);
  }
  append(hashes: readonly string[], vectors: Float32Array, dimensions: number): Promise<void> {
    this.#dimensions = dimensions;
    for (let r = 0; r < hashes.length; r++) {
      this.#vectors.set(hashes[r], vectors.slice(r * dimensions, (r + 1) * dimensions));
    }
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** What one embed call has to do, from {@linkcode planEmbedding}. */
export interface EmbeddingPlan {
  /** SHA-256 of each text, by row. */
  hashes: string[];
  /** The first row of each distinct text, by its hash (in first-seen order). */
  firstRow: Map<string, number>;
  /** Hashes of the distinct texts the store lacks, in first-seen order. */
  missing: string[];
}

/**
 * Hashes `texts` and finds the distinct ones `store` does not hold yet.
 *
 * @example
 * ```ts
 * const plan = await planEmbedding(["a", "b", "a"], new MemoryStore(0));
 * console.log(plan.firstRow.size, plan.missing.length); // 2 2
 * ```
 */
export async function planEmbedding(
  texts: readonly string[],
  store: VectorStore,
): Promise<EmbeddingPlan> {
  const hashes = await hashTexts(texts);
  const firstRow = new Map<string, number>();
  for (let i = 0; i < hashes.length; i++) {
    if (!firstRow.has(hashes[i])) firstRow.set(hashes[i], i);
  }
  const missing = [...firstRow.keys()].filter((h) => !store.get(h));
  return { hashes, firstRow, missing };
}

/**
 * `items` cut into consecutive batches of `size` (the last one shorter).
 *
 * @example
 * ```ts
 * console.log(batchesOf([1, 2, 3, 4, 5], 2)); // [[1, 2], [3, 4], [5]]
 * ```
 */
export function batchesOf<T>(items: readonly T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}

/**
 * Runs `work` on every batch, in order, on up to `lanes` concurrent lanes. At the first failure
 * `onFailure` is called and no lane takes a new batch; once the running ones have settled, that
 * first error is thrown.
 *
 * @example
 * ```ts
 * const done: number[] = [];
 * await runInLanes([[1], [2], [3]], 2, async (batch) => { done.push(...batch); });
 * ```
 */
export async function runInLanes<T>(
  batches: readonly T[],
  lanes: number,
  work: (batch: T) => Promise<void>,
  onFailure?: () => void,
): Promise<void> {
  let failure: unknown;
  let next = 0;
  const lane = async () => {
    while (failure === undefined && next < batches.length) {
      const batch = batches[next++];
      try {
        await work(batch);
      } catch (err) {
        if (failure === undefined) {
          failure = err;
          onFailure?.();
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, batches.length) }, lane));
  if (failure !== undefined) throw failure;
}

/**
 * The stored vector of each row's hash, stacked into a `hashes.length × dimensions` matrix.
 *
 * @example
 * ```ts
 * const store = new MemoryStore(2);
 * await store.append(["h"], new Float32Array([1, 0]), 2);
 * console.log(gatherRows(store, ["h", "h"], 2).data); // Float32Array [1, 0, 1, 0]
 * ```
 */
export function gatherRows(
  store: VectorStore,
  hashes: readonly string[],
  dimensions: number,
): Matrix {
  const data = new Float32Array(hashes.length * dimensions);
  for (let i = 0; i < hashes.length; i++) data.set(store.get(hashes[i])!, i * dimensions);
  return { rows: hashes.length, cols: dimensions, data };
}

/**
 * Throws unless there is one title per text (`owner` names the caller in the message).
 *
 * @example
 * ```ts
 * checkTitles("MyEmbedder.embed", ["a text"], ["A Title"]);
 * ```
 */
export function checkTitles(
  owner: string,
  texts: readonly string[],
  titles: readonly string[] | undefined,
): void {
  if (titles && titles.length !== texts.length) {
    throw new RangeError(
      `${owner}: got ${texts.length} texts but ${titles.length} titles; pass one title per text`,
    );
  }
}

/**
 * A row as error messages name it: `row 3 (title "Money Heist")`, or `row 3` without titles.
 *
 * @example
 * ```ts
 * console.log(describeRow(3, ["a", "b", "c", "Money Heist"])); // row 3 (title "Money Heist")
 * ```
 */
export function describeRow(row: number, titles: readonly string[] | undefined): string {
  const title = titles?.[row];
  return title === undefined ? `row ${row}` : `row ${row} (title ${JSON.stringify(title)})`;
}
