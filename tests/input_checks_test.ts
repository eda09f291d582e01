/**
 * Inputs that used to be read silently wrong: implausible numbers, types and ratings the model
 * never saw, descriptions without usable words, rows whose fields do not fit their columns, and
 * CR-only line ends — each a row-naming warning or error, and `predict --strict` refuses them.
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  InputError,
  metadataWarnings,
  parseTitles,
  readTitles,
  REQUIRED_COLUMNS,
} from "../lib/data/netflix_csv.ts";
import { csvBatches } from "../lib/data/csv_batches.ts";
import { recordFieldCounts } from "../lib/data/csv_records.ts";
import { FIELD_RANGES, inFieldRange, parseDuration } from "../lib/data/title_fields.ts";
import { hasUsableText, unusableTextReason } from "../lib/data/usable_text.ts";
import { titlesFromRecords } from "../lib/data/title_records.ts";
import { MetadataEncoder } from "../lib/features/metadata_features.ts";
import { predictFile, predictTitles } from "../lib/pipeline/predict_titles.ts";
import { syntheticCsv } from "./support/synthetic_titles.ts";
import { smallGenreModel } from "./support/small_genre_model.ts";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const PREDICT = join(ROOT, "scripts", "predict.ts");
const HEADER = REQUIRED_COLUMNS.join(",");
const HEADER_NO_GENRES = REQUIRED_COLUMNS.filter((c) => c !== "genres").join(",");

/** One CSV row in NetFlix.csv's columns from the fields given (the rest from a good row). */
function row(fields: Partial<Record<(typeof REQUIRED_COLUMNS)[number], string>>): string {
  const base: Record<string, string> = {
    show_id: "s1",
    type: "Movie",
    title: "A",
    director: "",
    cast: "Ann Bee",
    country: "India",
    date_added: "1-Jan-20",
    release_year: "2019",
    rating: "PG",
    duration: "90",
    genres: "Dramas",
    description: "A family story in a small town.",
    ...fields,
  };
  return REQUIRED_COLUMNS.map((c) => {
    const v = base[c];
    return /[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
  }).join(",");
}

Deno.test("every numeric field has one plausible range: outside it is missing and warned", () => {
  // The parsers and the warnings follow the same table: the edges are in, one past is out.
  for (const [field, type] of [["movie_minutes", "Movie"], ["show_seasons", "TV Show"]] as const) {
    const { min, max } = FIELD_RANGES[field];
    assert.equal(parseDuration(String(max), type), max);
    assert.ok(Number.isNaN(parseDuration(String(max + 1), type)));
    assert.ok(Number.isNaN(parseDuration(String(min - 0.5), type)));
    assert.ok(inFieldRange(field, min) && !inFieldRange(field, max + 1));
  }
  const text = [
    HEADER,
    row({ show_id: "s1", duration: "99999999" }),
    row({ show_id: "s2", type: "TV Show", duration: "999 Seasons" }),
    row({ show_id: "s3", release_year: String(FIELD_RANGES.release_year.max + 900) }),
    row({ show_id: "s4", date_added: "1-Jan-3020" }),
    row({ show_id: "s5", type: "TV Show", duration: "3 Seasons" }),
  ].join("\n");
  const { titles } = parseTitles(text);
  const warnings = metadataWarnings(titles);
  assert.deepEqual(warnings.map((w) => [w.row, w.field]), [
    [1, "duration"],
    [2, "duration"],
    [3, "release_year"],
    [4, "date_added"],
  ]);
  assert.match(warnings[0].message, /"99999999" is outside the plausible range for a movie/);
  assert.match(warnings[1].message, /"999 Seasons" is outside the plausible range for a TV show/);
  for (const w of warnings) assert.match(w.message, /treated as missing/);
  // The encoder reads them as missing (flag set, value imputed), not as extreme numbers.
  const enc = new MetadataEncoder({ minCountryCount: 1 });
  const cols = {
    type: titles.type,
    releaseYear: titles.releaseYear,
    duration: titles.duration,
    country: titles.country,
    dateAdded: titles.dateAdded,
  };
  const m = enc.fit(cols).transform(cols);
  const name = enc.featureNames;
  const at = (r: number, c: string) => m.data[r * m.cols + name.indexOf(c)];
  assert.equal(at(0, "duration_missing"), 1);
  assert.equal(at(0, "movie_minutes"), 0);
  assert.equal(at(1, "duration_missing"), 1);
  assert.equal(at(2, "release_year_missing"), 1);
  assert.equal(at(3, "date_added_missing"), 1);
  assert.equal(at(4, "duration_missing"), 0);
});

Deno.test("a description without usable words follows the empty description's rule", () => {
  for (const text of ["", "  ", "\u200B\u200B\u200D", "...", "— … !", "the and of", "\uFEFFThe."]) {
    assert.ok(!hasUsableText(text), JSON.stringify(text));
  }
  for (const text of ["A heist.", "Ок", "नमस्ते दुनिया", "Le 95", "\u200BWhales"]) {
    assert.ok(hasUsableText(text), JSON.stringify(text));
  }
  // NFKC: full-width letters are letters.
  assert.equal(unusableTextReason("ＡＢＣ"), undefined);
  const text = [
    HEADER,
    row({ show_id: "s1", description: "" }),
    row({ show_id: "s2", description: "\u200B\u200B" }),
    row({ show_id: "s3", description: "..." }),
    row({ show_id: "s4", description: "The and of it." }),
    row({ show_id: "s5" }),
  ].join("\n");
  // Training data: refused, every row named.
  assert.throws(() => parseTitles(text), (err: unknown) => {
    assert.ok(err instanceof InputError);
    assert.deepEqual(err.problems.map((p) => [p.row, p.field]), [
      [1, "description"],
      [2, "description"],
      [3, "description"],
      [4, "description"],
    ]);
    assert.match(
      err.message,
      /row 3 \(show_id s3\), field description: description "\.\.\." has no/,
    );
    assert.match(err.message, /row 4 .*has only stop words \(the, and, of, it\)/);
    return true;
  });
  // Prediction input: skipped like an empty one, the good row kept.
  const { titles, problems } = parseTitles(text, { onBadRow: "skip" });
  assert.deepEqual(titles.showId, ["s5"]);
  assert.equal(problems.length, 4);
  // Typed-in records: the same rule.
  assert.throws(
    () => titlesFromRecords([{ description: "\u200B ..." }]),
    /record 1.*has no letter or digit/,
  );
  assert.throws(() => titlesFromRecords([{ description: "" }]), /has no description/);
});

Deno.test("a row whose fields do not fit the header is an error naming it, in every reader", async () => {
  const good = row({ show_id: "s1" });
  // An unquoted comma in cast: the row has one field too many, every later column shifts.
  const shifted = good.replace("Ann Bee", "Ann Bee, Cy Dee").replace("s1", "s2");
  const short = "s3,Movie,C,,Ann Bee";
  assert.deepEqual(
    Array.from(recordFieldCounts(new TextEncoder().encode(`${HEADER}\n${good}\n${shifted}\n`))),
    [12, 12, 13],
  );
  const text = [HEADER, good, shifted, short, ""].join("\n");
  assert.throws(() => parseTitles(text), (err: unknown) => {
    assert.ok(err instanceof InputError);
    assert.deepEqual(err.problems.map((p) => [p.row, p.showId, p.field]), [
      [2, "s2", "fields"],
      [3, "s3", "fields"],
    ]);
    assert.match(err.message, /row 2 \(show_id s2\), field fields: has 13 fields but the header/);
    assert.match(err.message, /comma outside double quotes/);
    assert.match(err.message, /description "Dramas"/); // what the shifted row would have read
    assert.match(err.message, /row 3 .*has 5 fields/);
    return true;
  });
  // Quoted commas and newlines are fine.
  const quoted = row({ show_id: "s4", cast: "Ann Bee, Cy Dee", description: "Line one,\ntwo." });
  assert.equal(parseTitles([HEADER, good, quoted].join("\n")).titles.length, 2);
  // predict's streaming reader: the same rows are skipped and named, the good one predicted.
  const dir = await Deno.makeTempDir();
  try {
    const input = join(dir, "in.csv");
    await Deno.writeTextFile(input, text);
    const seen: string[] = [];
    for await (const batch of csvBatches(input, { rows: 1, chunkBytes: 7 })) {
      const r = parseTitles(batch.text, {
        onBadRow: "skip",
        firstRow: batch.firstRow,
        requireGenres: false,
      });
      seen.push(...r.titles.showId, ...r.problems.map((p) => `${p.row}:${p.field}`));
    }
    assert.deepEqual(seen, ["s1", "2:fields", "3:fields"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CR-only line ends say so and how to fix them, in both readers", async () => {
  const text = [HEADER, row({ show_id: "s1" }), row({ show_id: "s2" })].join("\r") + "\r";
  assert.throws(() => parseTitles(text), /carriage return only[\s\S]*tr '\\r' '\\n'/);
  // CRLF is fine.
  assert.equal(parseTitles(text.replaceAll("\r", "\r\n")).titles.length, 2);
  const dir = await Deno.makeTempDir();
  try {
    const input = join(dir, "mac.csv");
    await Deno.writeTextFile(input, text);
    await assert.rejects(async () => {
      for await (const _ of csvBatches(input)) { /* read all */ }
    }, /mac\.csv: its lines end with a carriage return only/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("predict names unseen types and ratings per row; --strict refuses what it warns", async () => {
  const { model } = await smallGenreModel();
  const dir = await Deno.makeTempDir({ prefix: "input-checks-" });
  try {
    await model.save(join(dir, "models", "m"), {
      name: "m",
      training: { features_id: "none", data_sha256: "x", published: false, rows: 80 },
    });
    const lines = [
      HEADER,
      row({ show_id: "s1", type: "Podcast", description: "A haunted house of ghost terror." }),
      row({ show_id: "s2", rating: "NR-17", description: "A puppy adventure of friendship." }),
      row({ show_id: "s3", duration: "99999999", description: "A hilarious prank night." }),
    ];
    const input = join(dir, "new.csv");
    await Deno.writeTextFile(input, lines.join("\n") + "\n");
    const genreModel = { model, name: "m" };
    const p = await predictTitles(await Deno.readTextFile(input), { genreModel });
    assert.equal(p.predicted.length, 3);
    const byRow = p.warnings.map((w) => [w.row, w.field]);
    assert.deepEqual(byRow, [[1, "type"], [2, "rating"], [3, "duration"]]);
    const known = model.pipeline.block("categorical").featureNames;
    assert.ok(known.includes("type_Movie"));
    assert.match(p.warnings[0].message, /type "Podcast" was never seen in training/);
    assert.match(p.warnings[0].message, /known values: Movie, TV Show/);
    assert.match(p.warnings[1].message, /rating "NR-17" .*all zero \(known values: .*PG/);
    // The encoding itself is unchanged: unknown stays all-zero.
    const x = await model.pipeline.block("categorical").transform(p.titles);
    const rowSum = (r: number) =>
      x.data.subarray(r * x.cols, (r + 1) * x.cols).reduce((a, b) => a + b);
    assert.deepEqual([rowSum(0), rowSum(1), rowSum(2)], [1, 1, 2]);

    // The command: warnings name row, field and value; exit 0 with predictions.
    const run = (...args: string[]) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", PREDICT, "--dir", dir, "--model", "m", ...args],
        stdout: "piped",
        stderr: "piped",
      }).output();
    const out = join(dir, "p.csv");
    const ok = await run("--input", input, "--output", out);
    const stderr = new TextDecoder().decode(ok.stderr);
    assert.equal(ok.code, 0, stderr);
    assert.match(stderr, /row 1 \(show_id s1\), field type: type "Podcast" was never seen/);
    assert.match(stderr, /row 2 \(show_id s2\), field rating: rating "NR-17"/);
    assert.match(stderr, /row 3 \(show_id s3\), field duration: duration "99999999" is outside/);
    assert.equal((await Deno.readTextFile(out)).trim().split("\n").length, 4);
    // --strict: refused, exit 1, the rows named, nothing written (the old output is kept).
    const before = await Deno.readTextFile(out);
    const strict = await run("--input", input, "--output", out, "--strict");
    const err = new TextDecoder().decode(strict.stderr);
    assert.equal(strict.code, 1, err);
    assert.match(err, /row 1 .*type "Podcast"[\s\S]*row 2 .*NR-17[\s\S]*row 3 .*99999999/);
    assert.match(err, /--strict refuses them: nothing was predicted or written/);
    assert.equal(await Deno.readTextFile(out), before);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
      "models",
      "new.csv",
      "p.csv",
    ]);
    // A clean file passes --strict.
    const clean = join(dir, "clean.csv");
    await Deno.writeTextFile(clean, syntheticCsv(3, { withGenres: false }));
    const r = await predictFile(clean, join(dir, "q.csv"), { dir, model: "m", strict: true });
    assert.equal(r.predicted, 3);
    assert.deepEqual(r.warnings, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an input with a header and no rows says so instead of pointing at an empty list", async () => {
  const { model } = await smallGenreModel();
  const dir = await Deno.makeTempDir({ prefix: "input-checks-" });
  try {
    await model.save(join(dir, "models", "m"), {
      name: "m",
      training: { features_id: "none", data_sha256: "x", published: false, rows: 80 },
    });
    const input = join(dir, "empty.csv");
    await Deno.writeTextFile(input, HEADER_NO_GENRES + "\n");
    const run = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", PREDICT, "--dir", dir, "--model", "m", "--input", input],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(run.stderr);
    assert.equal(run.code, 1, stderr);
    assert.match(stderr, /empty\.csv has a header but no data rows/);
    assert.doesNotMatch(stderr, /listed above/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a folder given as the data file is named as a folder by both readers", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(() => readTitles(dir), /is a folder, not a file/);
    await assert.rejects(async () => {
      for await (const _ of csvBatches(dir)) { /* read all */ }
    }, /is a folder, not a file/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
