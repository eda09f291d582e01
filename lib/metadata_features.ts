/**
 * Metadata features the study left out: release year, duration, country and date added.
 *
 * Columns (all float32, statistics fitted on training rows only):
 * - `release_year`: standardised year (z-score).
 * - `movie_minutes`: for movies, z-score of ln(minutes) among training movies; 0 for shows.
 * - `show_seasons`: for TV shows, z-score of ln(seasons) among training shows; 0 for movies.
 *   Minutes and seasons are kept apart because NetFlix.csv stores both in `duration`.
 * - `date_added`: standardised fractional year the title was added (missing → 0, the mean).
 * - `date_added_missing`: 1 when the date is missing or unreadable.
 * - `country_<Name>`: multi-hot of countries with at least `minCountryCount` training titles.
 * - `country_Other`: 1 when a title lists a country outside that set.
 * - `country_Unknown`: 1 when the country is missing.
 *
 * @module
 */

import type { Matrix } from "./matrix.ts";
import { compareCodePoints } from "./multi_label_binarizer.ts";

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

const MONTHS: Record<string, number> = {
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  oct: 9,
  nov: 10,
  dec: 11,
};

/**
 * Parses NetFlix.csv's two date styles (`14-Aug-20`, ` November 1, 2019`) into a fractional
 * year; returns NaN when the text is empty or unreadable.
 *
 * @example
 * ```ts
 * parseDateAdded("1-Jan-20"); // 2020
 * parseDateAdded(" July 1, 2017"); // ≈ 2017.5
 * ```
 */
export function parseDateAdded(text: string): number {
  const t = text.trim();
  let y: number, m: number, d: number;
  let match = /^(\d{1,2})-([A-Za-z]{3})-(\d{2}|\d{4})$/.exec(t);
  if (match) {
    d = Number(match[1]);
    m = MONTHS[match[2].toLowerCase()];
    y = Number(match[3]);
    if (match[3].length === 2) y += y < 70 ? 2000 : 1900;
  } else {
    match = /^([A-Za-z]+)\s+(\d{1,2}),\s*(\d{4})$/.exec(t);
    if (!match) return NaN;
    m = MONTHS[match[1].slice(0, 3).toLowerCase()];
    d = Number(match[2]);
    y = Number(match[3]);
  }
  if (m === undefined || !(d >= 1 && d <= 31)) return NaN;
  const start = Date.UTC(y, 0, 1);
  const end = Date.UTC(y + 1, 0, 1);
  return y + (Date.UTC(y, m, d) - start) / (end - start);
}

/** Splits a `country` cell into trimmed country names. */
export function splitCountries(text: string): string[] {
  return text.split(",").map((c) => c.trim()).filter((c) => c !== "");
}

function meanStd(values: number[]): { mean: number; std: number } {
  const v = values.filter((x) => Number.isFinite(x));
  if (v.length === 0) return { mean: 0, std: 1 };
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
  const std = Math.sqrt(variance);
  return { mean, std: std > 1e-12 ? std : 1 };
}

const isShow = (type: string) => type.trim().toLowerCase() === "tv show";

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
      years.push(Number(columns.releaseYear[i]));
      const dur = Number(columns.duration[i]);
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
      ...s.countries.map((c) => `country_${c}`),
      "country_Other",
      "country_Unknown",
    ];
  }

  /** Encodes rows into a float32 matrix; unreadable numbers become 0 (the training mean). */
  transform(columns: MetadataColumns): Matrix {
    const s = this.#fitted();
    const n = columns.type.length;
    const cols = this.featureNames.length;
    const data = new Float32Array(n * cols);
    const countryIndex = new Map(s.countries.map((c, i) => [c, 5 + i]));
    const other = 5 + s.countries.length;
    const z = (x: number, p: { mean: number; std: number }) =>
      Number.isFinite(x) ? (x - p.mean) / p.std : 0;
    for (let i = 0; i < n; i++) {
      const o = i * cols;
      data[o] = z(Number(columns.releaseYear[i]), s.releaseYear);
      const dur = Number(columns.duration[i]);
      if (dur > 0) {
        if (isShow(columns.type[i])) data[o + 2] = z(Math.log(dur), s.showLogSeasons);
        else data[o + 1] = z(Math.log(dur), s.movieLogMinutes);
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
