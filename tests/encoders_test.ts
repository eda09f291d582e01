import assert from "node:assert/strict";
import { compareCodePoints, MultiLabelBinarizer } from "../lib/features/multi_label_binarizer.ts";
import { OneHotEncoder } from "../lib/features/one_hot_encoder.ts";
import { MetadataEncoder } from "../lib/features/metadata_features.ts";
import { parseDateAdded, splitCountries } from "../lib/data/title_fields.ts";

Deno.test("MultiLabelBinarizer sorts classes like Python and round-trips", () => {
  const lists = [["TV Dramas", "Anime Series"], ["Dramas"], ["Anime Series", "Dramas"]];
  const mlb = new MultiLabelBinarizer().fit(lists);
  assert.deepEqual(mlb.classes, ["Anime Series", "Dramas", "TV Dramas"]);
  const y = mlb.transform(lists);
  assert.deepEqual([...y.data], [1, 0, 1, 0, 1, 0, 1, 1, 0]);
  assert.deepEqual(mlb.inverseTransform(y), [["Anime Series", "TV Dramas"], ["Dramas"], [
    "Anime Series",
    "Dramas",
  ]]);
  assert.throws(() => mlb.transform([["Westerns"]]), /row 0 has unknown label "Westerns"/);
  assert.deepEqual([...mlb.transform([["Westerns", "Dramas"]], { ignoreUnknown: true }).data], [
    0,
    1,
    0,
  ]);
  assert.deepEqual(["b", "Z", "a", "É"].sort(compareCodePoints), ["Z", "a", "b", "É"]);
});

Deno.test("OneHotEncoder: sorted categories, get_dummies names, unseen → zeros", () => {
  const enc = new OneHotEncoder().fit({
    type: ["TV Show", "Movie", "Movie"],
    rating: ["TV-MA", "Unknown", "PG"],
  });
  assert.deepEqual(enc.featureNames, [
    "type_Movie",
    "type_TV Show",
    "rating_PG",
    "rating_TV-MA",
    "rating_Unknown",
  ]);
  const m = enc.transform({ type: ["Movie", "Podcast"], rating: ["NC-17", "PG"] });
  assert.equal(m.cols, 5);
  assert.deepEqual([...m.data], [1, 0, 0, 0, 0, 0, 0, 1, 0, 0]);
  assert.throws(() => enc.transform({ type: ["Movie"] }), /column "rating" is missing/);
});

Deno.test("parseDateAdded reads both NetFlix.csv styles", () => {
  assert.equal(parseDateAdded("1-Jan-20"), 2020);
  assert.equal(parseDateAdded(" January 1, 2019"), 2019);
  const a = parseDateAdded("14-Aug-20");
  const b = parseDateAdded("August 14, 2020");
  assert.equal(a, b);
  assert.ok(a > 2020.6 && a < 2020.63);
  assert.ok(Number.isNaN(parseDateAdded("")));
  assert.ok(Number.isNaN(parseDateAdded("yesterday")));
  assert.deepEqual(splitCountries("United States, India,"), ["United States", "India"]);
});

Deno.test("MetadataEncoder keeps minutes and seasons apart and fits on training rows", () => {
  const train = {
    type: ["Movie", "Movie", "TV Show", "TV Show"],
    releaseYear: ["2000", "2020", "2010", "2010"],
    duration: ["60", "240", "1", "4"],
    country: ["India", "India, France", "", "Japan"],
    dateAdded: ["1-Jan-20", "1-Jan-18", "", "1-Jan-19"],
  };
  const enc = new MetadataEncoder({ minCountryCount: 2 }).fit(train);
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
  const m = enc.transform(train);
  const row = (i: number) => [...m.data.subarray(i * m.cols, (i + 1) * m.cols)];
  // release year z-scores: mean 2010, std sqrt(50) → ±1.414 for 2000/2020.
  assert.ok(Math.abs(row(0)[0] + Math.SQRT2) < 1e-5);
  // Movies: ln 60 and ln 240 standardise to -1 and +1; shows get 0 minutes.
  assert.ok(Math.abs(row(0)[1] + 1) < 1e-5 && Math.abs(row(1)[1] - 1) < 1e-5);
  assert.equal(row(2)[1], 0);
  assert.ok(Math.abs(row(2)[2] + 1) < 1e-5 && Math.abs(row(3)[2] - 1) < 1e-5);
  assert.equal(row(0)[2], 0);
  // Missing date → 0 and flagged; countries: India kept, France/Japan → Other, empty → Unknown.
  assert.deepEqual(row(2).slice(3, 7), [0, 1, 0, 0]);
  assert.deepEqual(row(1).slice(7), [1, 1, 0]);
  assert.deepEqual(row(2).slice(7), [0, 0, 1]);
  assert.deepEqual(row(3).slice(7), [0, 1, 0]);
  // Reloaded from its state it encodes identically.
  const again = new MetadataEncoder({ state: enc.state }).transform(train);
  assert.deepEqual(again.data, m.data);
});
