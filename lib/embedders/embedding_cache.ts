/**
 * A persistent, append-only cache of text embeddings keyed by (model, SHA-256 of the text), so a
 * long embedding run that is killed resumes where it stopped and a changed model or text never
 * reuses a stale vector.
 *
 * ## On-disk format
 *
 * One file per model and dimensionality: `<dir>/<safe-model>-<model-hash>.<dims>.bin`, where
 * `<safe-model>` is the model name with every character outside `[A-Za-z0-9._-]` replaced by `_`
 * and `<model-hash>` is the first 8 hex digits of SHA-256(model name) (so `a/b` and `a_b` never
 * share a file). All numbers are little-endian.
 *
 * | bytes                | content                                                      |
 * | -------------------- | ------------------------------------------------------------ |
 * | 0–7                  | magic `NFXEMB01` (ASCII)                                     |
 * | 8–11                 | `dims`, uint32                                               |
 * | 12–15                | `L`, byte length of the model name, uint32                   |
 * | 16 … 16+L            | model name, UTF-8                                            |
 * | … `H`                | zero padding up to `H`, the next multiple of 8               |
 * | then, repeated       | record: 32-byte SHA-256 of the UTF-8 text, `dims` × float32  |
 *
 * The header is written to a temporary file and hard-linked into place, so a file never has a
 * partial header. Records are appended one batch per `write` call and synced to disk after every
 * batch. On open, a trailing partial record (the process was killed mid-write) is dropped and the
 * file truncated back to the last whole record; records whose vector is all zeros or not finite
 * (a torn write after a power loss) are skipped so they get recomputed. When a hash occurs twice,
 * the later record wins.
 *
 * @module
 */

import { join } from "node:path";

const MAGIC = "NFXEMB01";
const HASH_BYTES = 32;

/** Options for {@linkcode EmbeddingCache.open}. */
export interface EmbeddingCacheOptions {
  /**
   * Dimensionality to open. Default: the most recently modified file for the model, or none
   * (the file is created by the first {@linkcode EmbeddingCache.append}).
   */
  dimensions?: number;
}

/**
 * Hashes texts with SHA-256 (UTF-8), returning 32-byte digests as lowercase hex strings.
 *
 * @example
 * ```ts
 * const [h] = await hashTexts(["A boy and his dog."]);
 * console.log(h.length); // 64
 * ```
 */
export async function hashTexts(texts: readonly string[]): Promise<string[]> {
  const enc = new TextEncoder();
  return await Promise.all(texts.map(async (t) => {
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", enc.encode(t)));
    return toHex(digest);
  }));
}

/**
 * The cache file name for a model and dimensionality (see the module docs for the scheme).
 *
 * @example
 * ```ts
 * const name = await cacheFileName("embeddinggemma:latest", 768);
 * // "embeddinggemma_latest-1a2b3c4d.768.bin"
 * ```
 */
export async function cacheFileName(model: string, dimensions: number): Promise<string> {
  return `${await cacheFilePrefix(model)}${dimensions}.bin`;
}

/**
 * Vectors keyed by text hash for one model, backed by an append-only file.
 *
 * @example
 * ```ts
 * const cache = await EmbeddingCache.open("processed_data/cache/ollama", "embeddinggemma");
 * try {
 *   const [h] = await hashTexts(["hello"]);
 *   if (!cache.get(h)) await cache.append([h], new Float32Array(768).fill(0.1), 768);
 * } finally {
 *   await cache.close();
 * }
 * ```
 */
export class EmbeddingCache {
  readonly #dir: string;
  readonly #model: string;
  #dimensions: number;
  #path: string | undefined;
  #vectors = new Map<string, Float32Array>();
  #file: Deno.FsFile | undefined;
  #writing: Promise<void> = Promise.resolve();
  #skipped = 0;
  #truncatedBytes = 0;
  #closed = false;

  private constructor(dir: string, model: string, dimensions: number, path?: string) {
    this.#dir = dir;
    this.#model = model;
    this.#dimensions = dimensions;
    this.#path = path;
  }

  /**
   * Opens (or prepares to create) the cache for `model` under `dir`, loading every stored vector.
   * A trailing partial record is truncated away.
   *
   * @example
   * ```ts
   * const cache = await EmbeddingCache.open("processed_data/cache/ollama", "embeddinggemma");
   * console.log(cache.size, cache.dimensions);
   * await cache.close();
   * ```
   */
  static async open(
    dir: string,
    model: string,
    options: EmbeddingCacheOptions = {},
  ): Promise<EmbeddingCache> {
    if (!model) throw new TypeError("EmbeddingCache.open: model must be a non-empty string");
    let path: string | undefined;
    let dims = options.dimensions ?? 0;
    if (dims > 0) {
      const candidate = join(dir, await cacheFileName(model, dims));
      if (await exists(candidate)) path = candidate;
    } else {
      const found = await newestCacheFile(dir, model);
      if (found) [path, dims] = found;
    }
    const cache = new EmbeddingCache(dir, model, dims, path);
    if (path) await cache.#load(path);
    return cache;
  }

  /** Vector length, or 0 while nothing is stored and no dimensionality was requested. */
  get dimensions(): number {
    return this.#dimensions;
  }

  /** Number of distinct texts cached. */
  get size(): number {
    return this.#vectors.size;
  }

  /** Path of the backing file (undefined until the first vector is stored). */
  get path(): string | undefined {
    return this.#path;
  }

  /** Records skipped on load because their vector was all zeros or not finite. */
  get skippedRecords(): number {
    return this.#skipped;
  }

  /** Bytes of a trailing partial record removed on load (0 for a cleanly closed file). */
  get truncatedBytes(): number {
    return this.#truncatedBytes;
  }

  /**
   * The cached vector for a text hash (from {@linkcode hashTexts}), or undefined.
   *
   * @example
   * ```ts
   * declare const cache: EmbeddingCache;
   * const [h] = await hashTexts(["hello"]);
   * const v = cache.get(h); // Float32Array | undefined
   * ```
   */
  get(hash: string): Float32Array | undefined {
    return this.#vectors.get(hash);
  }

  /**
   * Stores vectors (`hashes.length` rows of `dimensions` values, row-major) and syncs them to disk
   * before resolving. Calls are serialised, so concurrent batches may append freely.
   *
   * @example
   * ```ts
   * declare const cache: EmbeddingCache;
   * const hashes = await hashTexts(["a", "b"]);
   * await cache.append(hashes, new Float32Array([1, 0, 0, 1]), 2);
   * ```
   */
  append(hashes: readonly string[], vectors: Float32Array, dimensions: number): Promise<void> {
    const run = this.#writing.then(() => this.#append(hashes, vectors, dimensions));
    this.#writing = run.catch(() => {});
    return run;
  }

  /**
   * Closes the backing file (pending appends finish first). The cache can still be read.
   *
   * @example
   * ```ts
   * declare const cache: EmbeddingCache;
   * await cache.close();
   * ```
   */
  async close(): Promise<void> {
    await this.#writing;
    this.#closed = true;
    this.#file?.close();
    this.#file = undefined;
  }

  async #append(hashes: readonly string[], vectors: Float32Array, dims: number): Promise<void> {
    if (this.#closed) throw new Error(`EmbeddingCache: append after close (${this.#dir})`);
    if (!Number.isInteger(dims) || dims <= 0) {
      throw new RangeError(
        `EmbeddingCache.append: dimensions must be a positive integer, got ${dims}`,
      );
    }
    if (vectors.length !== hashes.length * dims) {
      throw new RangeError(
        `EmbeddingCache.append: ${hashes.length} hashes × ${dims} dimensions needs ` +
          `${hashes.length * dims} values but got ${vectors.length}`,
      );
    }
    if (this.#dimensions === 0) this.#dimensions = dims;
    if (dims !== this.#dimensions) {
      throw new RangeError(
        `EmbeddingCache.append: model "${this.#model}" vectors have ${dims} dimensions but ` +
          `this cache holds ${this.#dimensions}-dimensional vectors; open a cache for ${dims} ` +
          `dimensions instead`,
      );
    }
    if (hashes.length === 0) return;
    const recordBytes = HASH_BYTES + 4 * dims;
    const bytes = new Uint8Array(hashes.length * recordBytes);
    const view = new DataView(bytes.buffer);
    for (let r = 0; r < hashes.length; r++) {
      const off = r * recordBytes;
      bytes.set(fromHex(hashes[r]), off);
      for (let j = 0; j < dims; j++) {
        view.setFloat32(off + HASH_BYTES + 4 * j, vectors[r * dims + j], true);
      }
    }
    const file = await this.#openForAppend();
    await writeAll(file, bytes);
    await file.syncData();
    for (let r = 0; r < hashes.length; r++) {
      this.#vectors.set(hashes[r], vectors.slice(r * dims, (r + 1) * dims));
    }
  }

  async #openForAppend(): Promise<Deno.FsFile> {
    if (this.#file) return this.#file;
    if (!this.#path) {
      await Deno.mkdir(this.#dir, { recursive: true });
      const path = join(this.#dir, await cacheFileName(this.#model, this.#dimensions));
      await createWithHeader(path, this.#model, this.#dimensions);
      this.#path = path;
    }
    this.#file = await Deno.open(this.#path, { append: true });
    return this.#file;
  }

  async #load(path: string): Promise<void> {
    const bytes = await Deno.readFile(path);
    const { dims, model, headerBytes } = parseHeader(bytes, path);
    if (model !== this.#model) {
      throw new Error(
        `EmbeddingCache: ${path} holds vectors for model "${model}", not "${this.#model}"; ` +
          `delete the file (it will be rebuilt)`,
      );
    }
    if (dims !== this.#dimensions) {
      throw new Error(
        `EmbeddingCache: ${path} holds ${dims}-dimensional vectors but its name says ` +
          `${this.#dimensions}; delete the file (it will be rebuilt)`,
      );
    }
    const recordBytes = HASH_BYTES + 4 * dims;
    const body = bytes.length - headerBytes;
    const whole = Math.floor(body / recordBytes);
    const tail = body - whole * recordBytes;
    if (tail > 0) {
      // A kill mid-write leaves part of one record: drop it so appends stay aligned.
      await Deno.truncate(path, headerBytes + whole * recordBytes);
      this.#truncatedBytes = tail;
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let r = 0; r < whole; r++) {
      const off = headerBytes + r * recordBytes;
      const vec = new Float32Array(dims);
      let ok = true;
      let nonZero = false;
      for (let j = 0; j < dims; j++) {
        const v = view.getFloat32(off + HASH_BYTES + 4 * j, true);
        if (!Number.isFinite(v)) ok = false;
        if (v !== 0) nonZero = true;
        vec[j] = v;
      }
      if (!ok || !nonZero) {
        this.#skipped++;
        continue;
      }
      this.#vectors.set(toHex(bytes.subarray(off, off + HASH_BYTES)), vec);
    }
  }
}

async function cacheFilePrefix(model: string): Promise<string> {
  const safe = model.replace(/[^A-Za-z0-9._-]/g, "_");
  const [hash] = await hashTexts([model]);
  return `${safe}-${hash.slice(0, 8)}.`;
}

async function newestCacheFile(
  dir: string,
  model: string,
): Promise<[string, number] | undefined> {
  const prefix = await cacheFilePrefix(model);
  let best: [string, number, number] | undefined;
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isFile || !entry.name.startsWith(prefix) || !entry.name.endsWith(".bin")) continue;
      const dims = Number(entry.name.slice(prefix.length, -".bin".length));
      if (!Number.isInteger(dims) || dims <= 0) continue;
      const path = join(dir, entry.name);
      const mtime = (await Deno.stat(path)).mtime?.getTime() ?? 0;
      if (!best || mtime > best[2]) best = [path, dims, mtime];
    }
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
  return best ? [best[0], best[1]] : undefined;
}

function headerFor(model: string, dims: number): Uint8Array {
  const name = new TextEncoder().encode(model);
  const size = Math.ceil((16 + name.length) / 8) * 8;
  const bytes = new Uint8Array(size);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(bytes.buffer);
  view.setUint32(8, dims, true);
  view.setUint32(12, name.length, true);
  bytes.set(name, 16);
  return bytes;
}

function parseHeader(
  bytes: Uint8Array,
  path: string,
): { dims: number; model: string; headerBytes: number } {
  const bad = (why: string) =>
    new Error(
      `EmbeddingCache: ${path} is not a valid embedding cache (${why}); delete it and rerun ` +
        `(the vectors will be recomputed)`,
    );
  if (bytes.length < 16) throw bad(`only ${bytes.length} bytes`);
  if (new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) throw bad("wrong magic bytes");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = view.getUint32(8, true);
  const nameLen = view.getUint32(12, true);
  const headerBytes = Math.ceil((16 + nameLen) / 8) * 8;
  if (dims === 0 || headerBytes > bytes.length) throw bad("truncated header");
  const model = new TextDecoder().decode(bytes.subarray(16, 16 + nameLen));
  return { dims, model, headerBytes };
}

async function createWithHeader(path: string, model: string, dims: number): Promise<void> {
  const tmp = `${path}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  await Deno.writeFile(tmp, headerFor(model, dims));
  try {
    // link() fails if another process created the file first; that file is then used as is.
    await Deno.link(tmp, path);
  } catch (err) {
    if (err instanceof Deno.errors.AlreadyExists) return;
    // Filesystems without hard links: rename, which is still atomic (a race only loses a header).
    if (await exists(path)) return;
    await Deno.rename(tmp, path);
  } finally {
    await Deno.remove(tmp).catch(() => {});
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await file.write(bytes.subarray(off));
}

function toHex(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += bytes[i].toString(16).padStart(2, "0");
  return s;
}

function fromHex(hex: string): Uint8Array {
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new TypeError(
      `EmbeddingCache: "${hex}" is not a SHA-256 hex digest; hash texts with hashTexts()`,
    );
  }
  const out = new Uint8Array(HASH_BYTES);
  for (let i = 0; i < HASH_BYTES; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
