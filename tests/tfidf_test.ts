import assert from "node:assert/strict";
import { analyze, tokenize } from "../lib/text/tokenizer.ts";
import { ENGLISH_STOP_WORDS } from "../lib/data/stop_words.ts";
import { type CsrMatrix, csrToDense } from "../lib/text/sparse_matrix.ts";
import { TfidfVectorizer } from "../lib/text/tfidf_vectorizer.ts";

interface SparseRows {
  indptr: number[];
  indices: number[];
  data: number[];
}
interface Fixture {
  corpus: string[];
  stopWords: string[];
  analyzer: { text: string; bigrams: string[]; tokens: string[] }[];
  fits: {
    name: string;
    minDf: number;
    sublinearTf: boolean;
    ngramRange: [number, number];
    vocabulary: string[];
    idf: number[];
    train: SparseRows;
    newTexts: string[];
    transform: SparseRows;
  }[];
}

const fixture: Fixture = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/tfidf/tfidf_fixture.json", import.meta.url)),
);

function assertSparseClose(actual: CsrMatrix, expected: SparseRows, label: string) {
  assert.deepEqual(Array.from(actual.indptr), expected.indptr, `${label}: indptr`);
  assert.deepEqual(Array.from(actual.indices), expected.indices, `${label}: indices`);
  for (let k = 0; k < expected.data.length; k++) {
    assert.ok(
      Math.abs(actual.data[k] - expected.data[k]) < 1e-6,
      `${label}: value ${k} is ${actual.data[k]}, scikit-learn has ${expected.data[k]}`,
    );
  }
}

Deno.test("tokenize: lowercase runs of 2+ word characters, like scikit-learn", () => {
  assert.deepEqual(tokenize("Hello, World! It's a day..."), ["hello", "world", "it", "day"]);
  assert.deepEqual(tokenize("don't O'Brien rock'n'roll"), ["don", "brien", "rock", "roll"]);
  assert.deepEqual(tokenize("東京 Ñandú São_Paulo 42 7"), ["東京", "ñandú", "são_paulo", "42"]);
  assert.deepEqual(tokenize("Tom &amp; Jerry"), ["tom", "amp", "jerry"]);
  assert.deepEqual(tokenize("  \t\n"), []);
  assert.deepEqual(tokenize(""), []);
});

Deno.test("tokenizer agrees with scikit-learn's analyzer on the fixture strings", () => {
  for (const c of fixture.analyzer) {
    assert.deepEqual(tokenize(c.text), c.tokens, `tokens of ${JSON.stringify(c.text)}`);
    const ours = analyze(c.text, {
      ngramRange: [1, 2],
      stopWords: new Set(fixture.stopWords),
    });
    assert.deepEqual(ours, c.bigrams, `n-grams of ${JSON.stringify(c.text)}`);
  }
});

Deno.test("analyze: stop words are dropped before bigrams are formed", () => {
  const grams = analyze("the king of the north", {
    ngramRange: [1, 2],
    stopWords: ENGLISH_STOP_WORDS,
  });
  assert.deepEqual(grams, ["king", "north", "king north"]);
  assert.deepEqual(analyze("a b c", { ngramRange: [2, 3] }), []);
  assert.deepEqual(analyze("one two three", { ngramRange: [2, 3] }), [
    "one two",
    "two three",
    "one two three",
  ]);
  assert.throws(() => analyze("x", { ngramRange: [2, 1] }), /ngramRange \[2, 1\] is invalid/);
});

Deno.test("stop-word list: common function words, lowercase, no content words", () => {
  for (const w of ["the", "and", "of", "is", "don", "themselves"]) {
    assert.ok(ENGLISH_STOP_WORDS.has(w), w);
  }
  for (const w of ["killer", "love", "documentary", "comedy", "family"]) {
    assert.ok(!ENGLISH_STOP_WORDS.has(w), w);
  }
  for (const w of ENGLISH_STOP_WORDS) assert.equal(w, w.toLowerCase());
  assert.equal(fixture.stopWords.length, ENGLISH_STOP_WORDS.size, "fixture is up to date");
});

for (const fit of fixture.fits) {
  Deno.test(`TfidfVectorizer matches scikit-learn (${fit.name})`, () => {
    const v = new TfidfVectorizer({
      minDf: fit.minDf,
      ngramRange: fit.ngramRange,
      sublinearTf: fit.sublinearTf,
      stopWords: fixture.stopWords,
    });
    const x = v.fitTransform(fixture.corpus);
    assert.deepEqual(v.vocabulary, fit.vocabulary);
    assert.equal(x.rows, fixture.corpus.length);
    assert.equal(x.cols, fit.vocabulary.length);
    for (let j = 0; j < fit.idf.length; j++) {
      assert.ok(Math.abs(v.idf[j] - fit.idf[j]) < 1e-12, `idf of ${fit.vocabulary[j]}`);
    }
    assertSparseClose(x, fit.train, `${fit.name} train`);
    assertSparseClose(v.transform(fit.newTexts), fit.transform, `${fit.name} transform`);
  });
}

Deno.test("TfidfVectorizer: rows have unit length, empty texts give zero rows", () => {
  const v = new TfidfVectorizer({ stopWords: fixture.stopWords });
  const x = csrToDense(v.fitTransform(fixture.corpus));
  for (let i = 0; i < x.rows; i++) {
    let ss = 0;
    for (let j = 0; j < x.cols; j++) ss += x.data[i * x.cols + j] ** 2;
    if (fixture.corpus[i] === "" || fixture.corpus[i] === "the of and to in") {
      assert.equal(ss, 0, `row ${i} should be empty`);
    } else if (ss > 0) assert.ok(Math.abs(ss - 1) < 1e-6, `row ${i} has squared norm ${ss}`);
  }
});

Deno.test("TfidfVectorizer: min_df keeps terms in at least minDf texts (count or fraction)", () => {
  const texts = ["red fox", "red hen", "red cow", "blue fox"];
  const count = (minDf: number) => new TfidfVectorizer({ minDf, ngramRange: [1, 1] }).fit(texts);
  assert.deepEqual(count(1).vocabulary, ["blue", "cow", "fox", "hen", "red"]);
  assert.deepEqual(count(2).vocabulary, ["fox", "red"]);
  assert.deepEqual(count(3).vocabulary, ["red"]);
  // 0.5 of 4 texts = 2 texts
  assert.deepEqual(count(0.5).vocabulary, ["fox", "red"]);
  assert.throws(() => count(5), /no term occurs in at least 5 of the 4 texts/);
  assert.throws(() => new TfidfVectorizer({ minDf: 1.5 }), /minDf 1.5 is invalid/);
  assert.throws(() => new TfidfVectorizer({ minDf: -1 }), /minDf -1 is invalid/);
});

Deno.test("TfidfVectorizer: vocabulary sorted by code point, like Python's sorted()", () => {
  const v = new TfidfVectorizer({ minDf: 1, ngramRange: [1, 1], stopWords: [] });
  // U+FF41 (fullwidth a) is below U+1D400 (math bold A, a surrogate pair in UTF-16): a plain
  // UTF-16 sort would put the surrogate pair first.
  v.fit(["zz \u{1D400}\u{1D400} \uFF41\uFF41 aa éé"]);
  assert.deepEqual(v.vocabulary, ["aa", "zz", "éé", "\uFF41\uFF41", "\u{1D400}\u{1D400}"]);
});

Deno.test("TfidfVectorizer: errors name the problem", () => {
  const v = new TfidfVectorizer();
  assert.throws(() => v.transform(["x"]), /not fitted yet: call fit/);
  assert.throws(() => v.fit([]), /no texts given/);
  assert.throws(
    () => new TfidfVectorizer({ minDf: 1 }).fit(["ok text", null as unknown as string]),
    /text at row 1 is object/,
  );
});

Deno.test("TfidfVectorizer: toJSON / fromJSON round trip gives the same matrix", () => {
  const v = new TfidfVectorizer({ stopWords: fixture.stopWords }).fit(fixture.corpus);
  const w = TfidfVectorizer.fromJSON(JSON.parse(JSON.stringify(v.toJSON())));
  const a = v.transform(fixture.corpus);
  const b = w.transform(fixture.corpus);
  assert.deepEqual(b.indices, a.indices);
  assert.deepEqual(b.data, a.data);
  assert.throws(
    () => TfidfVectorizer.fromJSON({ ...v.toJSON(), idf: [1] }, "vocab.json"),
    /vocab.json: vocabulary has 22 terms but idf has 1 values/,
  );
});
