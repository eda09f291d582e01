/**
 * Metadata features the study left out: release year, duration, country and date added.
 *
 * Columns, in this fixed order (all float32, statistics fitted on training rows only; missing
 * values are ignored by every statistic, imputed as the training mean — z = 0 — and flagged):
 * 0. `release_year`: standardised year (z-score); 0 when missing.
 * 1. `movie_minutes`: for movies, z-score of ln(minutes) among training movies; 0 for shows.
 * 2. `show_seasons`: for TV shows, z-score of ln(seasons) among training shows; 0 for movies.
 *    Minutes and seasons are kept apart because NetFlix.csv stores both in `duration`.
 * 3. `date_added`: standardised fractional year the title was added (missing → 0, the mean).
 * 4. `date_added_missing`: 1 when the date is missing or unreadable.
 * 5. `release_year_missing`: 1 when the year is blank, not a whole number or outside
 *    1800–2100 (see `parseReleaseYear` in `data/title_fields.ts`).
 * 6. `duration_missing`: 1 when the duration is blank, unreadable, not positive, or in the
 *    other type's unit (see `parseDuration` in `data/title_fields.ts`).
 * 7. `country_<Name>`…: multi-hot of countries with at least `minCountryCount` training titles,
 *    in code-point order.
 * then `country_Other`: 1 when a title lists a country outside that set,
 * and `country_Unknown`: 1 when the country is missing.
 *
 * Missing values never become 0 (year 0 would be hundreds of deviations away): the parsers
 * return NaN for them, and `metadataWarnings` in `netflix_csv.ts` names the rows.
 *
 * @module
 */

import type { Matrix } from "../core/matrix.ts";
import { compareCodePoints } from "./multi_label_binarizer.ts";
import {
  isShow,
  parseDateAdded,
  parseDuration,
  parseReleaseYear,
  splitCountries,
} from "../data/title_fields.ts";

/** What {@linkcode MetadataEncoder} learns; saved in config.json. */
export interface MetadataState {
  releaseYear: { mean: number; std: number };
  movieLogMinutes: { mean: number; std: number };
  showLogSeasons: { mean: number; std: number };
  dateAdded: { mean: number; std: number };
  countries: string[];
  minCountryCount: number;
}

/** The raw columns the encoder reads (strings as in the CSV). */
export interface MetadataColumns {
  type: string[];
  releaseYear: string[];
  duration: string[];
  country: string[];
  dateAdded: string[];
}

/** Mean and standard deviation of the finite values (NaN = missing is left out). */
function meanStd(values: number[]): { mean: number; std: number } {
  let n = 0;
  let sum = 0;
  for (const x of values) {
    if (Number.isFinite(x)) {
      n++;
      sum += x;
    }
  }
  if (n === 0) return { mean: 0, std: 1 };
  const mean = sum / n;
  let squares = 0;
  for (const x of values) if (Number.isFinite(x)) squares += (x - mean) ** 2;
  const std = Math.sqrt(squares / n);
  return { mean, std: std > 1e-12 ? std : 1 };
}

/** Columns before the country block (indices 0–6 in the module header). */
const FIXED_COLUMNS = 7;

/**
 * Encodes release year, duration, country and date added. `fit` learns means, deviations and
 * the country list from training rows; `transform` applies them to any rows.
 *
 * @example
 * ```ts
 * const cols = {
 *   type: ["Movie", "TV Show"], releaseYear: ["2019", "2020"], duration: ["90", "2"],
 *   country: ["India", ""], dateAdded: ["1-Jan-20", ""],
 * };
 * const enc = new MetadataEncoder({ minCountryCount: 1 }).fit(cols);
 * enc.transform(cols).cols === enc.featureNames.length; // true
 * ```
 */
export class MetadataEncoder {
  state?: MetadataState;
  #minCountryCount: number;

  constructor(options: { minCountryCount?: number; state?: MetadataState } = {}) {
    this.#minCountryCount = options.state?.minCountryCount ?? options.minCountryCount ?? 30;
    this.state = options.state;
  }

  /** Learns scaling statistics and frequent countries from training rows. */
  fit(columns: MetadataColumns): this {
    const n = columns.type.length;
    const years: number[] = [];
    const minutes: number[] = [];
    const seasons: number[] = [];
    const added: number[] = [];
    const counts = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      years.push(parseReleaseYear(columns.releaseYear[i]));
      const dur = parseDuration(columns.duration[i], columns.type[i]);
      if (dur > 0) (isShow(columns.type[i]) ? seasons : minutes).push(Math.log(dur));
      added.push(parseDateAdded(columns.dateAdded[i]));
      for (const c of new Set(splitCountries(columns.country[i]))) {
        counts.set(c, (counts.get(c) ?? 0) + 1);
      }
    }
    this.state = {
      releaseYear: meanStd(years),
      movieLogMinutes: meanStd(minutes),
      showLogSeasons: meanStd(seasons),
      dateAdded: meanStd(added),
      countries: [...counts].filter(([, c]) => c >= this.#minCountryCount).map(([c]) => c)
        .sort(compareCodePoints),
      minCountryCount: this.#minCountryCount,
    };
    return this;
  }

  /** Output column names, in order. */
  get featureNames(): string[] {
    const s = this.#fitted();
    return [
      "release_year",
      "movie_minutes",
      "show_seasons",
      "date_added",
      "date_added_missing",
      "release_year_missing",
      "duration_missing",
      ...s.countries.map((c) => `country_${c}`),
      "country_Other",
      "country_Unknown",
    ];
  }

  /**
   * Encodes rows into a float32 matrix. A missing or unreadable year, duration or date becomes
   * 0 (the training mean) with its `_missing` flag set to 1.
   */
  transform(columns: MetadataColumns): Matrix {
    const s = this.#fitted();
    const n = columns.type.length;
    const cols = this.featureNames.length;
    const data = new Float32Array(n * cols);
    const countryIndex = new Map(s.countries.map((c, i) => [c, FIXED_COLUMNS + i]));
    const other = FIXED_COLUMNS + s.countries.length;
    const z = (x: number, p: { mean: number; std: number }) =>
      Number.isFinite(x) ? (x - p.mean) / p.std : 0;
    for (let i = 0; i < n; i++) {
      const o = i * cols;
      const year = parseReleaseYear(columns.releaseYear[i]);
      data[o] = z(year, s.releaseYear);
      data[o + 5] = Number.isFinite(year) ? 0 : 1;
      const dur = parseDuration(columns.duration[i], columns.type[i]);
      if (dur > 0) {
        if (isShow(columns.type[i])) data[o + 2] = z(Math.log(dur), s.showLogSeasons);
        else data[o + 1] = z(Math.log(dur), s.movieLogMinutes);
      } else {
        data[o + 6] = 1;
      }
      const added = parseDateAdded(columns.dateAdded[i]);
      data[o + 3] = z(added, s.dateAdded);
      data[o + 4] = Number.isFinite(added) ? 0 : 1;
      const countries = splitCountries(columns.country[i]);
      if (countries.length === 0) data[o + other + 1] = 1;
      for (const c of countries) {
        const j = countryIndex.get(c);
        data[o + (j ?? other)] = 1;
      }
    }
    return { rows: n, cols, data };
  }

  #fitted(): MetadataState {
    if (!this.state) throw new Error("MetadataEncoder: call fit() before transform()");
    return this.state;
  }
}
