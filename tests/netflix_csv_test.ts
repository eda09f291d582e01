import assert from "node:assert/strict";
import {
  InputError,
  parseTitles,
  readTitles,
  selectTitles,
  titlesFrame,
} from "../lib/data/netflix_csv.ts";

const HEADER =
  "show_id,type,title,director,cast,country,date_added,release_year,rating,duration,genres,description";

function csv(...rows: string[]): string {
  return [HEADER, ...rows].join("\n") + "\n";
}

Deno.test("parseTitles keeps quotes, commas, newlines, non-Latin text and HTML unchanged", () => {
  const text = csv(
    's1,Movie,"Say ""Hi"", Bob",,,India,1-Jan-20,2020,PG,90,"Dramas, Comedies","Line one,\nline ""two"" <b>bold</b> &amp;"',
    "s2,TV Show,東京物語,,,Japan,,1953,,2,International TV Shows,Ñandú: ¿qué pasó? Καλημέρα",
  );
  const { titles } = parseTitles(text);
  assert.equal(titles.length, 2);
  assert.equal(titles.title[0], 'Say "Hi", Bob');
  assert.equal(titles.description[0], 'Line one,\nline "two" <b>bold</b> &amp;');
  assert.deepEqual(titles.genres[0], ["Dramas", "Comedies"]);
  assert.equal(titles.title[1], "東京物語");
  assert.equal(titles.description[1], "Ñandú: ¿qué pasó? Καλημέρα");
  assert.equal(titles.rating[1], "Unknown", "missing rating becomes Unknown");
  assert.equal(titles.releaseYear[1], "1953", "numbers stay text");
});

Deno.test("parseTitles names missing columns", () => {
  const bad = "show_id,type,title\ns1,Movie,A\n";
  assert.throws(() => parseTitles(bad, { source: "x.csv" }), (err: Error) => {
    assert.ok(err instanceof InputError);
    assert.match(err.message, /x\.csv: missing required column\(s\) director, cast, country/);
    assert.match(err.message, /genres/);
    return true;
  });
});

Deno.test("parseTitles reports bad rows with row number, show_id and field", () => {
  const text = csv(
    "s1,Movie,A,,,,,2020,PG,90,Dramas,Fine.",
    "s2,Movie,B,,,,,2020,PG,90,,No genres here.",
    "s3,Movie,C,,,,,2020,PG,90,Dramas,",
    "s1,Movie,D,,,,,2020,PG,90,Dramas,Duplicate id.",
  );
  assert.throws(() => parseTitles(text, { source: "in.csv" }), (err: Error) => {
    assert.ok(err instanceof InputError);
    assert.equal(err.problems.length, 3);
    assert.deepEqual(err.problems.map((p) => [p.row, p.showId, p.field]), [
      [2, "s2", "genres"],
      [3, "s3", "description"],
      [4, "s1", "show_id"],
    ]);
    assert.match(err.message, /row 2 \(show_id s2\), field genres/);
    assert.match(err.message, /Fix these rows/);
    return true;
  });
  const { titles, problems } = parseTitles(text, { onBadRow: "skip" });
  assert.equal(titles.length, 1);
  assert.equal(problems.length, 3);
  assert.deepEqual(titles.rowNumber, [1]);
});

Deno.test("parseTitles without genres column when labels are not required", () => {
  const text = HEADER.replace(",genres", "") + "\ns9,Movie,New,,,,,2021,R,100,A brand new film.\n";
  const { titles } = parseTitles(text, { requireGenres: false });
  assert.equal(titles.length, 1);
  assert.deepEqual(titles.genres[0], []);
  assert.throws(() => parseTitles(text), /missing required column\(s\) genres/);
});

Deno.test("parseTitles rejects empty and malformed files clearly", () => {
  assert.throws(() => parseTitles("", { source: "empty.csv" }), /empty\.csv: the file is empty/);
  assert.throws(
    () => parseTitles(csv('s1,Movie,"unterminated,,,,,2020,PG,90,Dramas,x'), { source: "q.csv" }),
    /q\.csv: /,
  );
});

Deno.test("readTitles names a missing file and says how to get it", async () => {
  await assert.rejects(() => readTitles("/nonexistent/NetFlix.csv"), /deno task data/);
});

Deno.test("selectTitles and titlesFrame keep rows aligned", () => {
  const { titles } = parseTitles(csv(
    "s1,Movie,A,,,,,2020,PG,90,Dramas,One.",
    "s2,Movie,B,,,,,2021,R,95,Comedies,Two.",
  ));
  const sub = selectTitles(titles, [1]);
  assert.deepEqual(sub.showId, ["s2"]);
  assert.deepEqual(sub.genres, [["Comedies"]]);
  const frame = titlesFrame(titles);
  assert.equal(frame.height, 2);
  assert.deepEqual(frame.getColumn("genres").toArray(), ["Dramas", "Comedies"]);
});

Deno.test("parseTitles: bytes that are not UTF-8 name the first bad data row and the fix", () => {
  const enc = new TextEncoder();
  const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
  // Row 2 spans two lines (a quoted newline) and row 3 holds the Latin-1 "é" (0xE9).
  const bytes = new Uint8Array([
    ...enc.encode(csv(
      "s1,Movie,A,,,,,2020,PG,90,Dramas,Fine.",
      's2,Movie,B,,,,,2020,PG,90,Dramas,"Two\nlines, ""quoted"" — ünïcödé"',
    )),
    ...latin1("s3,Movie,Am\xe9lie,,,France,,2001,R,122,Comedies,A shy waitress.\n"),
  ]);
  assert.throws(() => parseTitles(bytes, { source: "latin.csv" }), (err: Error) => {
    assert.ok(err instanceof InputError);
    assert.match(err.message, /^latin\.csv: the file is not UTF-8/);
    assert.match(err.message, /data row 3 \(the header is not counted\)/);
    assert.match(err.message, /near "s3,Movie,Am\uFFFDlie/);
    assert.match(err.message, /iconv -f latin1 -t utf-8 in\.csv > out\.csv/);
    assert.doesNotMatch(err.message, /quot/i, "no advice about quoting");
    assert.equal(err.problems[0].row, 3);
    return true;
  });
  // A bad byte in the header, and a multi-byte character cut off at the end of the file.
  assert.throws(
    () => parseTitles(latin1("show_\xefd\n"), { source: "h.csv" }),
    /in the header/,
  );
  const cut = enc.encode(csv("s1,Movie,A,,,,,2020,PG,90,Dramas,Caf\u00e9")).slice(0, -2);
  assert.throws(() => parseTitles(cut, { source: "cut.csv" }), /data row 1 /);
  // Valid UTF-8 bytes (with a BOM-less non-Latin title) still parse.
  const good = enc.encode(csv("s1,Movie,東京,,,,,2020,PG,90,Dramas,Fine."));
  assert.equal(parseTitles(good).titles.title[0], "東京");
});

Deno.test("parseTitles: firstRow makes row numbers and messages count the whole file's rows", () => {
  const text = csv(
    "s101,Movie,A,,,,,2020,PG,90,Dramas,Fine.",
    "s102,Movie,B,,,,,2020,PG,90,,No genres.",
  );
  const { titles, problems } = parseTitles(text, { firstRow: 101, onBadRow: "skip" });
  assert.deepEqual(titles.rowNumber, [101]);
  assert.deepEqual(problems.map((p) => [p.row, p.showId]), [[102, "s102"]]);
  const latin1 = Uint8Array.from(
    csv("s101,Movie,Am\xe9lie,,,,,2001,R,122,Comedies,Shy."),
    (c) => c.charCodeAt(0),
  );
  assert.throws(() => parseTitles(latin1, { firstRow: 101 }), /data row 101 /);
});
