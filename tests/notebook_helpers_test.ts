import assert from "node:assert/strict";
import { colorGenre, countBy, wordLengths } from "../lib/analysis/eda.ts";
import { htmlTable, textTable } from "../lib/display/html_table.ts";
import { matrixCells } from "../lib/analysis/cooccurrence.ts";
import { dataPath, projectPath, sampleSize } from "../lib/io/project_paths.ts";

Deno.test("countBy sorts by count then value", () => {
  assert.deepEqual(countBy(["b", "a", "b", "c", "a", "b"]), [
    { value: "b", count: 3 },
    { value: "a", count: 2 },
    { value: "c", count: 1 },
  ]);
});

Deno.test("wordLengths summarises and bins word counts", () => {
  const s = wordLengths(["one two three", "a b", "x  y   z w", "solo"], { binWidth: 2 });
  assert.equal(s.min, 1);
  assert.equal(s.max, 4);
  assert.equal(s.mean, 2.5);
  assert.equal(s.median, 2.5);
  assert.deepEqual(s.bins.map((b) => [b.from, b.count]), [[0, 1], [2, 2], [4, 1]]);
  assert.throws(() => wordLengths([]), /no texts/);
});

Deno.test("colorGenre picks the most specific frequent genre", () => {
  const genres = [["A", "B"], ["A"], ["A", "B"], ["A", "C"], ["D"]];
  // Frequencies: A 4, B 2, then C and D 1 each (C first by name).
  assert.deepEqual(colorGenre(genres, { top: 2 }), ["B", "A", "B", "A", "Other genres"]);
});

Deno.test("htmlTable escapes data and textTable aligns columns", () => {
  const html = htmlTable([{ title: `<b>"Tom" & Jerry</b>`, f1: 0.5 }], { caption: "x<y" });
  assert.ok(html.includes("&lt;b&gt;&quot;Tom&quot; &amp; Jerry&lt;/b&gt;"));
  assert.ok(html.includes("<caption>x&lt;y</caption>"));
  assert.ok(!html.includes("<b>"));
  assert.equal(
    textTable([{ a: 1, bb: "x" }, { a: 22, bb: "yyy" }]),
    "a   bb\n--  ---\n1   x\n22  yyy",
  );
});

Deno.test("matrixCells lists every pair and can blank the diagonal", () => {
  const m = { rows: 2, cols: 2, data: new Int32Array([5, 1, 1, 7]) };
  assert.deepEqual(matrixCells(m, ["x", "y"], { skipDiagonal: true }), [
    { a: "x", b: "x", value: null },
    { a: "x", b: "y", value: 1 },
    { a: "y", b: "x", value: 1 },
    { a: "y", b: "y", value: null },
  ]);
  assert.throws(() => matrixCells(m, ["x"]), /2×2 but 1 names/);
});

Deno.test("project paths resolve from the project root; NETFLIX_SAMPLE is validated", () => {
  assert.ok(projectPath("lib", "analysis", "eda.ts").endsWith("/lib/analysis/eda.ts"));
  const saved = Deno.env.get("NETFLIX_SAMPLE");
  const savedCsv = Deno.env.get("NETFLIX_CSV");
  try {
    Deno.env.delete("NETFLIX_CSV");
    assert.ok(dataPath().endsWith("/data/NetFlix.csv"));
    Deno.env.set("NETFLIX_SAMPLE", "500");
    assert.equal(sampleSize(), 500);
    Deno.env.set("NETFLIX_SAMPLE", "lots");
    assert.throws(() => sampleSize(), /NETFLIX_SAMPLE=lots/);
  } finally {
    if (saved === undefined) Deno.env.delete("NETFLIX_SAMPLE");
    else Deno.env.set("NETFLIX_SAMPLE", saved);
    if (savedCsv !== undefined) Deno.env.set("NETFLIX_CSV", savedCsv);
  }
});

Deno.test("worstPredictions ranks titles by per-title F1 and lists extra and missed genres", async () => {
  const { worstPredictions } = await import("../lib/analysis/error_examples.ts");
  const yTrue = { rows: 3, cols: 3, data: new Uint8Array([1, 1, 0, 0, 0, 1, 1, 0, 0]) };
  const yPred = { rows: 3, cols: 3, data: new Uint8Array([1, 0, 1, 1, 0, 0, 1, 0, 0]) };
  const worst = worstPredictions(yTrue, yPred, { names: ["A", "B", "C"] });
  assert.equal(worst.length, 2, "the perfect third row is left out");
  assert.deepEqual(worst[0], {
    row: 1,
    f1: 0,
    actual: ["C"],
    predicted: ["A"],
    extra: ["A"],
    missed: ["C"],
  });
  assert.equal(worst[1].row, 0);
  assert.equal(worst[1].f1, 0.5);
  assert.deepEqual(worst[1].extra, ["C"]);
  assert.deepEqual(worst[1].missed, ["B"]);
  assert.throws(() => worstPredictions(yTrue, yPred, { names: ["A"] }), /1 names for 3/);
});
