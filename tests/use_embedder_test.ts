/**
 * The `use` embedder: batches as worker-pool tasks, the embedding cache keyed by the weights'
 * SHA-256 and the text (a second run never calls the encoder; other weights never reuse a
 * vector), save/load with the weights checked, the factory, the real encoder on this thread and
 * on the project's worker pool (the same vectors bit for bit).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createEmbedder, loadEmbedder } from "../lib/embedders/embedder_factory.ts";
import { hashTexts } from "../lib/embedders/embedding_cache.ts";
import { USE_EMBEDDER_FILE, UseEmbedder } from "../lib/embedders/use_embedder.ts";
import { USE_DIMENSIONS, USE_PACKAGE } from "../lib/embedders/use_encoder.ts";
import type { EstimatorPool } from "../lib/core/estimator.ts";
import { WorkerPool } from "../lib/core/worker_pool.ts";

type Encode = (texts: string[]) => Promise<Float32Array>;

/** A stand-in pool: every task is `encode(args.texts)`, up to `size` at once. */
function fakePool(encode: Encode, size = 1): EstimatorPool {
  const unsupported = () => {
    throw new Error("the fake pool only runs embedding tasks");
  };
  return {
    size,
    run: <R>(_task: unknown, args: unknown) =>
      encode((args as { texts: string[] }).texts) as Promise<R>,
    fit: unsupported,
    fitParts: unsupported,
    share: (X) => X,
  };
}

const PACKAGE_DIR = fileURLToPath(new URL(`../node_modules/${USE_PACKAGE}/`, import.meta.url));

/** A stand-in encoder: a unit vector derived from each text's hash; counts calls and texts. */
function countingEncoder(): { encode: Encode; calls: number; texts: string[] } {
  const state = {
    calls: 0,
    texts: [] as string[],
    encode: async (texts: string[]) => {
      state.calls++;
      state.texts.push(...texts);
      const hashes = await hashTexts(texts);
      const out = new Float32Array(texts.length * USE_DIMENSIONS);
      hashes.forEach((h, i) => {
        const seed = parseInt(h.slice(0, 8), 16);
        let norm = 0;
        for (let j = 0; j < USE_DIMENSIONS; j++) {
          const x = Math.sin(seed + 7 * j);
          out[i * USE_DIMENSIONS + j] = x;
          norm += x * x;
        }
        for (let j = 0; j < USE_DIMENSIONS; j++) out[i * USE_DIMENSIONS + j] /= Math.sqrt(norm);
      });
      return out;
    },
  };
  return state;
}

const TEXTS = [
  "A detective hunts a killer.",
  "A baking contest.",
  "",
  "A detective hunts a killer.",
  "Space pirates steal a moon.",
  "A documentary about octopuses.",
];

Deno.test("a second embed with the same texts reads every vector from the cache", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const first = countingEncoder();
    const a = await UseEmbedder.create({
      cacheDir: dir,
      batchSize: 2,
      progress: false,
    });
    const x = await a.embed(TEXTS, { pool: fakePool(first.encode) });
    assert.equal(x.rows, TEXTS.length);
    assert.equal(x.cols, USE_DIMENSIONS);
    // Five distinct texts (one is repeated), in batches of two, shortest first.
    assert.equal(first.texts.length, 5);
    assert.equal(first.calls, 3);
    assert.deepEqual(
      first.texts.map((t) => t.length),
      [...first.texts].map((t) => t.length).sort((p, q) => p - q),
    );
    assert.deepEqual(a.lastRun, { texts: 6, unique: 5, cached: 0, embedded: 5, batches: 3 });
    assert.deepEqual(
      x.data.subarray(0, USE_DIMENSIONS),
      x.data.subarray(3 * USE_DIMENSIONS, 4 * USE_DIMENSIONS),
    );

    const second = countingEncoder();
    const b = await UseEmbedder.create({
      cacheDir: dir,
      progress: false,
    });
    const y = await b.embed(TEXTS, { pool: fakePool(second.encode) });
    assert.equal(second.calls, 0, "the encoder was called on the second run");
    assert.deepEqual(b.lastRun, { texts: 6, unique: 5, cached: 5, embedded: 0, batches: 0 });
    assert.deepEqual(y, x);

    // A new text: only it is embedded.
    const y2 = await b.embed([...TEXTS, "A new show about trains."], {
      pool: fakePool(second.encode),
    });
    assert.deepEqual(second.texts, ["A new show about trains."]);
    assert.deepEqual(y2.data.subarray(0, x.data.length), x.data);
    // The cache file's name carries the model; its key the weights' SHA-256.
    const files = [...Deno.readDirSync(dir)].map((e) => e.name);
    assert.equal(files.length, 1);
    assert.match(files[0], /^universal-sentence-encoder-lite.*\.512\.bin$/);
    assert.ok(a.cacheModel.includes(`sha256:${a.weights.sha256}`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("other weights (another SHA-256) never reuse cached vectors", async () => {
  const dir = await Deno.makeTempDir();
  const pkg = await Deno.makeTempDir();
  try {
    // The same package with one byte more in model.json: same graph, different SHA-256.
    await Deno.mkdir(join(pkg, "dist"));
    await Deno.symlink(join(PACKAGE_DIR, "package.json"), join(pkg, "package.json"));
    for (const e of Deno.readDirSync(join(PACKAGE_DIR, "dist"))) {
      const from = join(PACKAGE_DIR, "dist", e.name);
      if (e.name === "model.json") {
        await Deno.writeTextFile(join(pkg, "dist", e.name), (await Deno.readTextFile(from)) + "\n");
      } else await Deno.symlink(from, join(pkg, "dist", e.name));
    }
    const first = countingEncoder();
    const a = await UseEmbedder.create({
      cacheDir: dir,
      progress: false,
    });
    await a.embed(TEXTS, { pool: fakePool(first.encode) });
    const other = countingEncoder();
    const b = await UseEmbedder.create({
      cacheDir: dir,
      packageDir: pkg,
      progress: false,
    });
    assert.notEqual(b.weights.sha256, a.weights.sha256);
    assert.equal(b.weights.vocabSha256, a.weights.vocabSha256);
    await b.embed(TEXTS, { pool: fakePool(other.encode) });
    assert.equal(other.texts.length, 5, "vectors of other weights were reused");
    assert.equal([...Deno.readDirSync(dir)].length, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(pkg, { recursive: true });
  }
});

Deno.test("batches in flight at once (one per worker) land in the right rows", async () => {
  const serial = countingEncoder();
  const one = await UseEmbedder.create({ cacheDir: false, progress: false });
  const expected = await one.embed(TEXTS, { pool: fakePool(serial.encode) });
  let inFlight = 0;
  let most = 0;
  const counting = countingEncoder();
  const slow: Encode = async (texts) => {
    inFlight++;
    most = Math.max(most, inFlight);
    await new Promise((r) => setTimeout(r, 5));
    const v = await counting.encode(texts);
    inFlight--;
    return v;
  };
  const two = await UseEmbedder.create({ cacheDir: false, batchSize: 1, progress: false });
  assert.deepEqual(await two.embed(TEXTS, { pool: fakePool(slow, 2) }), expected);
  assert.equal(most, 2);
});

Deno.test("a broken batch encoder is reported with the row and title", async () => {
  const titles = TEXTS.map((_, i) => `Title ${i}`);
  const embedder = await UseEmbedder.create({ cacheDir: false, progress: false });
  const wrongSize = fakePool((texts) => Promise.resolve(new Float32Array(texts.length * 10)));
  await assert.rejects(
    () => embedder.embed(TEXTS, { pool: wrongSize }),
    /returned \d+ values for \d+ texts/,
  );
  const notUnit = fakePool((texts) =>
    Promise.resolve(new Float32Array(texts.length * USE_DIMENSIONS).fill(1))
  );
  await assert.rejects(
    () => embedder.embed(TEXTS, { titles, pool: notUnit }),
    /row 2 \(title "Title 2"\) has length/,
  );
  const throwing = fakePool(() => Promise.reject(new Error("worker died")));
  await assert.rejects(
    () => embedder.embed(TEXTS, { titles, pool: throwing }),
    /batch of 5 texts with row 2 \(title "Title 2"\) failed: worker died/,
  );
  await assert.rejects(() => embedder.embed(TEXTS, { titles: ["x"] }), /6 texts but 1 titles/);
});

Deno.test("save writes the weights' identity; load checks the installed weights match", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const embedder = await UseEmbedder.create({ cacheDir: false, progress: false });
    await embedder.save(dir);
    const saved = JSON.parse(await Deno.readTextFile(join(dir, USE_EMBEDDER_FILE)));
    assert.deepEqual(saved, {
      format: "use-embedder/1",
      kind: "use",
      model: "universal-sentence-encoder-lite",
      package: USE_PACKAGE,
      version: embedder.weights.packageVersion,
      sha256: embedder.weights.sha256,
      vocabSha256: embedder.weights.vocabSha256,
      dimensions: 512,
    });
    const loaded = await loadEmbedder(dir, "use");
    assert.equal(loaded.kind, "use");
    assert.deepEqual((loaded as UseEmbedder).weights, embedder.weights);

    await Deno.writeTextFile(
      join(dir, USE_EMBEDDER_FILE),
      JSON.stringify({ ...saved, version: "0.1.0", sha256: "ab".repeat(32) }),
    );
    await assert.rejects(
      () => UseEmbedder.load(dir),
      /made with @energetic-ai\/model-embeddings-en@0\.1\.0 .* is installed; install `npm install @energetic-ai\/model-embeddings-en@0\.1\.0`, or re-run `npx deno task preprocess`/,
    );
    await Deno.remove(join(dir, USE_EMBEDDER_FILE));
    await assert.rejects(() => loadEmbedder(dir, "use"), /No saved use embedder .* preprocess/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the real encoder through the embedder and the factory, cached on disk", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { embedder, reason } = await createEmbedder("use", { useCacheDir: dir, progress: false });
    assert.equal(embedder.kind, "use");
    assert.match(reason, /use requested/);
    const texts = [
      "A detective with a troubled past hunts a serial killer.",
      "A police inspector investigates a brutal murder.",
      "A home cook shares easy recipes for weeknight dinners.",
      "",
    ];
    const x = await embedder.embed(texts);
    assert.equal(x.cols, 512);
    const cos = (i: number, j: number) => {
      let s = 0;
      for (let k = 0; k < 512; k++) s += x.data[i * 512 + k] * x.data[j * 512 + k];
      return s;
    };
    for (let i = 0; i < texts.length; i++) assert.ok(Math.abs(cos(i, i) - 1) < 1e-5);
    assert.ok(cos(0, 1) > cos(0, 2) + 0.2);
    // A new process would find them on disk: a fresh embedder with a pool that must not run.
    const never = countingEncoder();
    const again = await UseEmbedder.create({ cacheDir: dir, progress: false });
    assert.deepEqual(await again.embed(texts, { pool: fakePool(never.encode) }), x);
    assert.equal(never.calls, 0);
    // On the project's worker pool (two workers, each with its own encoder): the very same
    // vectors, bit for bit, whatever the batches and whichever worker ran them.
    using pool = WorkerPool.create(2);
    const onWorkers = await UseEmbedder.create({ cacheDir: false, batchSize: 1, progress: false });
    assert.deepEqual(await onWorkers.embed([...texts].reverse(), { pool }), {
      rows: 4,
      cols: 512,
      data: Float32Array.from(
        { length: 4 * 512 },
        (_, i) => x.data[(3 - Math.floor(i / 512)) * 512 + (i % 512)],
      ),
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
