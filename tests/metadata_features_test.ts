import assert from "node:assert/strict";
import { type MetadataColumns, MetadataEncoder } from "../lib/features/metadata_features.ts";
import { parseDateAdded, parseDuration, parseReleaseYear } from "../lib/data/title_fields.ts";
import { formatWarnings, metadataWarnings, parseTitles } from "../lib/data/netflix_csv.ts";

const HEADER =
  "show_id,type,title,director,cast,country,date_added,release_year,rating,duration,genres,description";

/** Five clean training titles (three movies, two shows). */
function cleanColumns(): MetadataColumns {
  return {
    type: ["Movie", "Movie", "Movie", "TV Show", "TV Show"],
    releaseYear: ["2000", "2010", "2020", "2015", "2017"],
    duration: ["60", "90", "120", "1", "3"],
    country: ["India", "India", "", "Japan", "India"],
    dateAdded: ["1-Jan-18", "1-Jan-19", "1-Jan-20", "1-Jan-20", "1-Jan-21"],
  };
}

/** `columns` with one extra row appended. */
function withRow(
  columns: MetadataColumns,
  row: { type: string; releaseYear: string; duration: string; country: string; dateAdded: string },
): MetadataColumns {
  return {
    type: [...columns.type, row.type],
    releaseYear: [...columns.releaseYear, row.releaseYear],
    duration: [...columns.duration, row.duration],
    country: [...columns.country, row.country],
    dateAdded: [...columns.dateAdded, row.dateAdded],
  };
}

const col = (enc: MetadataEncoder, name: string) => {
  const j = enc.featureNames.indexOf(name);
  assert.ok(j >= 0, `no column ${name}`);
  return j;
};

Deno.test("parseReleaseYear: whole plausible years only, never 0 for a blank", () => {
  assert.equal(parseReleaseYear("2019"), 2019);
  assert.equal(parseReleaseYear(" 1925 "), 1925);
  assert.equal(parseReleaseYear("2019.0"), 2019, "a year saved as a float");
  for (
    const bad of ["", "  ", "abc", "20x9", "2019.5", "0", "-2019", "1e3", "99999", "1799", "2101"]
  ) {
    assert.ok(Number.isNaN(parseReleaseYear(bad)), `"${bad}" should be missing`);
  }
});

Deno.test("parseDuration: plain numbers, `90 min`, `1 Season`, `2 Seasons`; NaN otherwise", () => {
  assert.equal(parseDuration("90", "Movie"), 90);
  assert.equal(parseDuration("4", "TV Show"), 4);
  assert.equal(parseDuration("90 min", "Movie"), 90);
  assert.equal(parseDuration("1 Season", "TV Show"), 1);
  assert.equal(parseDuration("2 Seasons", "TV Show"), 2);
  assert.equal(parseDuration("90 min", "Unknown"), 90);
  for (
    const [text, type] of [
      ["", "Movie"],
      ["abc min", "Movie"],
      ["0", "Movie"],
      ["-5", "Movie"],
      ["0 Seasons", "TV Show"],
      ["2 Seasons", "Movie"],
      ["90 min", "TV Show"],
      ["90 parsecs", "Movie"],
      ["Infinity", "Movie"],
    ]
  ) {
    assert.ok(Number.isNaN(parseDuration(text, type)), `"${text}" (${type}) should be missing`);
  }
});

Deno.test("parseDateAdded rejects impossible days", () => {
  assert.ok(Number.isNaN(parseDateAdded("31-Feb-20")));
  assert.ok(Number.isFinite(parseDateAdded("29-Feb-20")));
  assert.ok(Number.isNaN(parseDateAdded("29-Feb-19")));
});

Deno.test("MetadataEncoder column order: fixed columns, then countries", () => {
  const enc = new MetadataEncoder({ minCountryCount: 2 }).fit(cleanColumns());
  assert.deepEqual(enc.featureNames, [
    "release_year",
    "movie_minutes",
    "show_seasons",
    "date_added",
    "date_added_missing",
    "release_year_missing",
    "duration_missing",
    "country_India",
    "country_Other",
    "country_Unknown",
  ]);
  const m = enc.transform(cleanColumns());
  for (const flag of ["date_added_missing", "release_year_missing", "duration_missing"]) {
    const j = col(enc, flag);
    for (let i = 0; i < m.rows; i++) assert.equal(m.data[i * m.cols + j], 0, `${flag} row ${i}`);
  }
});

for (
  const [name, row] of [
    ["a blank year", { releaseYear: "", duration: "100" }],
    ["a garbage year", { releaseYear: "abc", duration: "100" }],
    ["a blank duration", { releaseYear: "2010", duration: "" }],
    ["an `abc min` duration", { releaseYear: "2010", duration: "abc min" }],
  ] as const
) {
  Deno.test(`MetadataEncoder: ${name} is missing — flagged, z = 0, statistics unchanged`, () => {
    const bad = { type: "Movie", country: "India", dateAdded: "1-Jan-19", ...row };
    const clean = new MetadataEncoder({ minCountryCount: 2 }).fit(cleanColumns());
    const dirty = new MetadataEncoder({ minCountryCount: 2 }).fit(withRow(cleanColumns(), bad));
    const yearBad = Number.isNaN(parseReleaseYear(row.releaseYear));
    // The statistic of the bad field is the same as without the row.
    if (yearBad) assert.deepEqual(dirty.state!.releaseYear, clean.state!.releaseYear);
    else assert.deepEqual(dirty.state!.movieLogMinutes, clean.state!.movieLogMinutes);
    const m = dirty.transform(withRow(cleanColumns(), bad));
    const last = m.data.subarray((m.rows - 1) * m.cols, m.rows * m.cols);
    assert.equal(last[col(dirty, "release_year_missing")], yearBad ? 1 : 0);
    assert.equal(last[col(dirty, "duration_missing")], yearBad ? 0 : 1);
    if (yearBad) assert.equal(last[col(dirty, "release_year")], 0);
    else assert.equal(last[col(dirty, "movie_minutes")], 0);
    for (const x of last) assert.ok(Math.abs(x) < 5, `no extreme value (got ${x})`);
  });
}

Deno.test("MetadataEncoder: a blank year in training no longer inflates the deviation", () => {
  // Real years around 2010 ± 8; a blank read as year 0 used to push the std to hundreds.
  const cols = cleanColumns();
  const enc = new MetadataEncoder().fit(withRow(cols, {
    type: "Movie",
    releaseYear: "",
    duration: "90",
    country: "",
    dateAdded: "",
  }));
  assert.ok(enc.state!.releaseYear.std < 10, `std ${enc.state!.releaseYear.std}`);
  assert.ok(Math.abs(enc.state!.releaseYear.mean - 2012.4) < 1e-9);
  // The state is plain JSON and round-trips.
  const again = new MetadataEncoder({ state: JSON.parse(JSON.stringify(enc.state)) });
  assert.deepEqual(again.transform(cols).data, enc.transform(cols).data);
});

Deno.test("MetadataEncoder reads `90 min` and `2 Seasons` like 90 and 2", () => {
  const plain = cleanColumns();
  const styled = { ...plain, duration: ["60 min", "90 min", "120 min", "1 Season", "3 Seasons"] };
  const a = new MetadataEncoder().fit(plain);
  const b = new MetadataEncoder().fit(styled);
  assert.deepEqual(b.state, a.state);
  assert.deepEqual(b.transform(styled).data, a.transform(plain).data);
});

Deno.test("metadataWarnings names row, show_id, field and what was read", () => {
  const text = [
    HEADER,
    "s1,Movie,A,,,,1-Jan-20,2020,PG,90,Dramas,Fine.",
    "s2,Movie,B,,,,1-Jan-20,,PG,90,Dramas,Blank year.",
    "s3,Movie,C,,,,1-Jan-20,abc,PG,abc min,Dramas,Garbage year and duration.",
    "s4,TV Show,D,,,,,2019,PG,2 Seasons,TV Dramas,Blank date.",
    's5,TV Show,E,,,,someday,2019,PG,90 min,TV Dramas,"Bad date, minutes for a show."',
  ].join("\n") + "\n";
  const { titles } = parseTitles(text);
  const warnings = metadataWarnings(titles);
  assert.deepEqual(warnings.map((w) => [w.row, w.showId, w.field]), [
    [2, "s2", "release_year"],
    [3, "s3", "release_year"],
    [3, "s3", "duration"],
    [4, "s4", "date_added"],
    [5, "s5", "duration"],
    [5, "s5", "date_added"],
  ]);
  assert.equal(
    warnings[0].message,
    'release_year "" is blank: treated as missing (imputed from the training titles)',
  );
  assert.match(warnings[1].message, /^release_year "abc" is not a year/);
  assert.match(warnings[2].message, /^duration "abc min" is not a number of minutes/);
  assert.match(warnings[4].message, /^duration "90 min" is not a number of seasons/);
  assert.match(warnings[5].message, /^date_added "someday" is not a date/);

  const out = formatWarnings("in.csv", warnings, { limit: 2 });
  const lines = out.split("\n");
  assert.ok(lines.every((l) => l.startsWith("warning: ")), out);
  assert.match(lines[0], /in\.csv: 6 value\(s\) read as missing or unknown in 4 row\(s\)/);
  assert.match(lines[1], /row 2 \(show_id s2\), field release_year: release_year "" is blank/);
  assert.match(lines[2], /row 3 \(show_id s3\)/);
  assert.match(lines[3], /… and 4 more/);
  assert.equal(lines.length, 4);
  assert.equal(formatWarnings("in.csv", []), "");
});

Deno.test("metadataWarnings is silent on clean rows", () => {
  const text = [HEADER, "s1,Movie,A,,,,14-Aug-20,2020,PG,90,Dramas,Fine."].join("\n");
  assert.deepEqual(metadataWarnings(parseTitles(text).titles), []);
});
