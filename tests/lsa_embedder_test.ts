import assert from "node:assert/strict";
import { join } from "node:path";
import {
  LSA_COMPONENTS_FILE,
  LSA_VOCABULARY_FILE,
  LsaEmbedder,
} from "../lib/embedders/lsa_embedder.ts";
import { readMatrix } from "../lib/io/npy.ts";
import { csrToDense } from "../lib/text/sparse_matrix.ts";
import { TfidfVectorizer } from "../lib/text/tfidf_vectorizer.ts";
import { SvdRankError } from "../lib/text/randomized_svd.ts";
import { runPreprocess } from "../lib/pipeline/preprocess.ts";
import { syntheticCsv } from "./support/synthetic_titles.ts";

interface Fixture {
  corpus: string[];
  stopWords: string[];
  fits: { name: string; singularValues: number[]; vocabulary: string[] }[];
}
const fixture: Fixture = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/tfidf/tfidf_fixture.json", import.meta.url)),
);

/** A small synthetic corpus: 80 "descriptions" mixing words from a few themes. */
function corpus(n: number, seed: number): string[] {
  const themes = [
    ["detective", "murder", "killer", "police", "crime", "investigation", "serial"],
    ["love", "romance", "wedding", "heart", "couple", "dating", "kiss"],
    ["space", "alien", "planet", "galaxy", "robot", "future", "starship"],
    ["comedy", "stand-up", "jokes", "comedian", "laugh", "special", "funny"],
    ["documentary", "wildlife", "nature", "ocean", "history", "footage", "planet"],
  ];
  let x = seed;
  const rand = (k: number) => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x % k;
  };
  return Array.from({ length: n }, () => {
    const a = themes[rand(themes.length)];
    const b = themes[rand(themes.length)];
    const words = Array.from({ length: 6 + rand(6) }, (_, i) => (i % 3 === 2 ? b : a)[rand(7)]);
    return `The ${words.join(" and ")}.`;
  });
}

const train = corpus(80, 1);
const unseen = ["A detective falls in love on a starship", "", "zebra xylophone quokka"];

function rowNorms(m: { rows: number; cols: number; data: Float32Array }): number[] {
  return Array.from({ length: m.rows }, (_, i) => {
    let ss = 0;
    for (let j = 0; j < m.cols; j++) ss += m.data[i * m.cols + j] ** 2;
    return Math.sqrt(ss);
  });
}

Deno.test("LsaEmbedder: shapes, unit rows, zero rows for texts with no known term", async () => {
  const lsa = new LsaEmbedder({ dimensions: 12 });
  assert.equal(lsa.kind, "lsa");
  assert.equal(lsa.model, "tfidf-svd");
  assert.equal(lsa.dimensions, 12);
  assert.equal(lsa.fitted, false);
  await lsa.fit(train);
  assert.equal(lsa.fitted, true);
  const x = await lsa.embed([...train, ...unseen], { progress: false });
  assert.equal(x.rows, train.length + unseen.length);
  assert.equal(x.cols, 12);
  assert.ok(x.data instanceof Float32Array);
  const norms = rowNorms(x);
  for (let i = 0; i < train.length + 1; i++) assert.ok(Math.abs(norms[i] - 1) < 1e-5, `row ${i}`);
  assert.equal(norms[train.length + 1], 0, "empty text → zero row");
  assert.equal(norms[train.length + 2], 0, "only unknown words → zero row");
  assert.equal(lsa.components.rows, 12);
  assert.equal(lsa.components.cols, lsa.vocabulary.length);
});

Deno.test("LsaEmbedder.embed = L2-normalised TF-IDF projected on the components", async () => {
  const lsa = new LsaEmbedder({ dimensions: 6 });
  await lsa.fit(train);
  const tfidf = new TfidfVectorizer().fit(train);
  assert.deepEqual(lsa.vocabulary, tfidf.vocabulary, "TF-IDF fitted on the training texts");
  const texts = [train[3], unseen[0]];
  const x = csrToDense(tfidf.transform(texts));
  const got = await lsa.embed(texts, { progress: false });
  const c = lsa.components;
  for (let i = 0; i < texts.length; i++) {
    const z = Array.from({ length: 6 }, (_, j) => {
      let s = 0;
      for (let t = 0; t < c.cols; t++) s += x.data[i * x.cols + t] * c.data[j * c.cols + t];
      return s;
    });
    const norm = Math.hypot(...z);
    for (let j = 0; j < 6; j++) {
      assert.ok(Math.abs(got.data[i * 6 + j] - z[j] / norm) < 1e-5, `text ${i} dim ${j}`);
    }
  }
});

Deno.test("LsaEmbedder: singular values match numpy's exact SVD of the same TF-IDF matrix", async () => {
  const exact = fixture.fits.find((f) => f.name === "minDf2")!;
  // The fixture corpus is embedded with the project's stop words, which the fixture also used.
  const lsa = new LsaEmbedder({ dimensions: 5 });
  await lsa.fit(fixture.corpus);
  assert.deepEqual(lsa.vocabulary, exact.vocabulary);
  for (let i = 0; i < 5; i++) {
    assert.ok(
      Math.abs(lsa.singularValues[i] - exact.singularValues[i]) < 1e-4,
      `σ${i}: ${lsa.singularValues[i]} vs ${exact.singularValues[i]}`,
    );
  }
});

Deno.test("LsaEmbedder is deterministic: two fits give identical bytes", async () => {
  const a = new LsaEmbedder({ dimensions: 10 });
  const b = new LsaEmbedder({ dimensions: 10 });
  await a.fit(train);
  await b.fit(train);
  assert.deepEqual(b.components.data, a.components.data);
  const texts = [...train.slice(0, 5), ...unseen];
  assert.deepEqual(
    (await b.embed(texts, { progress: false })).data,
    (await a.embed(texts, { progress: false })).data,
  );
});

Deno.test("LsaEmbedder: save/load round trip embeds new texts to the same bytes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const lsa = new LsaEmbedder({ dimensions: 8, seed: 3 });
    await lsa.fit(train);
    await lsa.save(dir);
    const saved = JSON.parse(await Deno.readTextFile(join(dir, LSA_VOCABULARY_FILE)));
    assert.deepEqual(saved.tfidf.vocabulary, lsa.vocabulary);
    assert.equal(saved.tfidf.idf.length, lsa.vocabulary.length);
    const comps = await readMatrix(join(dir, LSA_COMPONENTS_FILE));
    assert.equal(comps.rows, 8);
    assert.equal(comps.cols, lsa.vocabulary.length);
    assert.deepEqual(comps.data, lsa.components.data);

    const loaded = await LsaEmbedder.load(dir);
    assert.equal(loaded.dimensions, 8);
    assert.equal(loaded.seed, 3);
    assert.deepEqual(loaded.singularValues, lsa.singularValues);
    const texts = [...unseen, ...corpus(20, 99)];
    assert.deepEqual(
      (await loaded.embed(texts, { progress: false })).data,
      (await lsa.embed(texts, { progress: false })).data,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LsaEmbedder: minDf decides the vocabulary", async () => {
  const texts = ["red fox runs", "red hen runs", "red cow sleeps", "blue fox sleeps"];
  const two = new LsaEmbedder({ dimensions: 2, minDf: 2 });
  await two.fit(texts);
  assert.deepEqual(two.vocabulary, ["fox", "red", "runs", "sleeps"]);
  const one = new LsaEmbedder({ dimensions: 2, minDf: 1, ngramRange: [1, 1] });
  await one.fit(texts);
  assert.deepEqual(one.vocabulary, ["blue", "cow", "fox", "hen", "red", "runs", "sleeps"]);
});

Deno.test("LsaEmbedder: clear errors", async () => {
  // 768 dimensions from a handful of texts: says how many are possible — the rank (11, see
  // below), not the 13 rows, which would fail in turn.
  const small = new LsaEmbedder();
  await assert.rejects(
    () => small.fit(fixture.corpus),
    /768 dimensions asked for, but the 13 training texts with 22 terms \(minDf 2\) support at most 11: run preprocess with `--dimensions 11`/,
  );
  // Rank: 13 texts but two are empty, so only 11 independent directions.
  await assert.rejects(
    () => new LsaEmbedder({ dimensions: 12 }).fit(fixture.corpus),
    /support at most 11: run preprocess with `--dimensions 11`/,
  );
  await assert.rejects(
    () => new LsaEmbedder({ dimensions: 2 }).embed(["x"]),
    /not fitted: call fit\(trainTexts\) or LsaEmbedder.load\(dir\)/,
  );
  assert.throws(() => new LsaEmbedder({ dimensions: 0 }), /dimensions must be a whole number/);
  assert.throws(() => new LsaEmbedder({ minDf: 2.5 }), /minDf 2.5 is invalid/);
  const fitted = new LsaEmbedder({ dimensions: 2 });
  await fitted.fit(train);
  await assert.rejects(
    () =>
      fitted.embed(["ok", null as unknown as string], {
        titles: ["Good", "Broken Title"],
        progress: false,
      }),
    /the text of "Broken Title" is null, not a string/,
  );
  const empty = await Deno.makeTempDir();
  try {
    await assert.rejects(() => LsaEmbedder.load(empty), Deno.errors.NotFound);
    await Deno.writeTextFile(join(empty, LSA_VOCABULARY_FILE), "{ not json");
    await assert.rejects(() => LsaEmbedder.load(empty), /lsa_vocabulary.json: not valid JSON/);
    await fitted.save(empty);
    await Deno.writeFile(join(empty, LSA_COMPONENTS_FILE), new Uint8Array([1, 2, 3]));
    await assert.rejects(() => LsaEmbedder.load(empty), /lsa_components.npy/);
  } finally {
    await Deno.remove(empty, { recursive: true });
  }
});

Deno.test("the dimensions advised when too many are asked for are ones that work", async () => {
  // The embedder: its advice fits.
  const texts = Array.from(
    { length: 30 },
    (_, i) => `story ${["red", "blue", "green"][i % 3]} fox ${i % 7} hen ${["a1", "b2"][i % 2]}`,
  );
  const advised = async (e: LsaEmbedder) => {
    try {
      await e.fit(texts);
      return undefined;
    } catch (err) {
      assert.ok(err instanceof SvdRankError, String(err));
      assert.match(err.message, new RegExp(`--dimensions ${err.possible}\``));
      return err.possible;
    }
  };
  const k = await advised(new LsaEmbedder({ dimensions: 768, minDf: 2 }));
  assert.ok(k !== undefined && k >= 1 && k < 30, `advised ${k}`);
  assert.equal(await advised(new LsaEmbedder({ dimensions: k, minDf: 2 })), undefined);

  // preprocess: the advice covers both fits it makes (random and temporal training rows).
  const dir = await Deno.makeTempDir({ prefix: "lsa-advice-" });
  try {
    const input = join(dir, "titles.csv");
    await Deno.writeTextFile(input, syntheticCsv(40));
    const run = (dimensions?: number) =>
      runPreprocess({
        input,
        outDir: join(dir, "out"),
        embedder: "lsa",
        dimensions,
        verbose: false,
      });
    let advice: number | undefined;
    await assert.rejects(() => run(), (err: unknown) => {
      const m = /run preprocess with `--dimensions (\d+)`/.exec((err as Error).message);
      assert.ok(m, (err as Error).message);
      advice = Number(m[1]);
      return true;
    });
    const { config } = await run(advice);
    assert.equal(config.embedder.dimensions, advice);
    assert.ok(config.temporal, "the temporal fit ran with the advised dimensions too");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
