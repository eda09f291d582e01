/**
 * Reading NetFlix.csv's metadata fields: `date_added` (two date styles), `release_year`,
 * `duration` (minutes or seasons) and `country`. The parsers return NaN for a missing or
 * unreadable value (never 0), so the reader can name the row and the metadata block can impute.
 *
 * Every number has a plausible range, kept in one table ({@linkcode FIELD_RANGES}) and checked
 * by one function ({@linkcode inFieldRange}): a value outside it (a duration of `99999999`,
 * `999 Seasons`, a year 3000) is read like an unreadable one — NaN, missing — so it is warned
 * about per row and never reaches the model as an extreme number.
 *
 * @module
 */

/** The numeric quantities a title has; see {@linkcode FIELD_RANGES}. */
export type NumericField = "release_year" | "date_added" | "movie_minutes" | "show_seasons";

/**
 * The plausible range of each numeric field, inclusive. NetFlix.csv's titles lie well inside
 * (years 1925–2021, added 2008–2021, 3–312 minutes, 1–16 seasons).
 */
export const FIELD_RANGES: Readonly<
  Record<NumericField, { readonly min: number; readonly max: number; readonly unit: string }>
> = {
  release_year: { min: 1800, max: 2100, unit: "year" },
  date_added: { min: 1800, max: 2100, unit: "year" },
  movie_minutes: { min: 1, max: 1000, unit: "minutes" },
  show_seasons: { min: 1, max: 100, unit: "seasons" },
};

/**
 * Whether `value` lies in the plausible range of `field` ({@linkcode FIELD_RANGES}); NaN and
 * infinities never do.
 *
 * @example
 * ```ts
 * inFieldRange("movie_minutes", 90); // true
 * inFieldRange("movie_minutes", 99999999); // false
 * inFieldRange("show_seasons", 999); // false
 * ```
 */
export function inFieldRange(field: NumericField, value: number): boolean {
  const { min, max } = FIELD_RANGES[field];
  return Number.isFinite(value) && value >= min && value <= max;
}

/** Whether a `type` cell names a TV show. */
export const isShow = (type: string): boolean => type.trim().toLowerCase() === "tv show";

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
  if (m === undefined || !(d >= 1 && d <= daysInMonth(y, m))) return NaN;
  if (!inFieldRange("date_added", y)) return NaN;
  const start = Date.UTC(y, 0, 1);
  const end = Date.UTC(y + 1, 0, 1);
  return y + (Date.UTC(y, m, d) - start) / (end - start);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

/**
 * Parses a `release_year` cell. Returns NaN — missing, never 0 — when the text is blank, not a
 * whole number, or outside `FIELD_RANGES.release_year` (1800–2100). `2019.0` (a year column
 * saved by a tool that turned it into floats) is read as 2019.
 *
 * @example
 * ```ts
 * parseReleaseYear("2019"); // 2019
 * parseReleaseYear(""); // NaN
 * parseReleaseYear("abc"); // NaN
 * ```
 */
export function parseReleaseYear(text: string): number {
  const match = /^(\d{1,4})(?:\.0+)?$/.exec(text.trim());
  if (!match) return NaN;
  const year = Number(match[1]);
  return inFieldRange("release_year", year) ? year : NaN;
}

/**
 * Parses a `duration` cell: minutes for a movie, seasons for a TV show. NetFlix.csv writes a
 * plain number (`90`, `4`); `90 min`, `1 Season` and `2 Seasons` are accepted too. Returns NaN —
 * missing — for blank or unreadable text (`abc min`), a number outside the plausible range
 * ({@linkcode FIELD_RANGES}: 1–1000 minutes, 1–100 seasons; a plain number for a title of
 * unknown type must fit minutes), and a unit that does not fit the type (`2 Seasons` for a
 * movie, `90 min` for a TV show).
 *
 * @example
 * ```ts
 * parseDuration("90", "Movie"); // 90
 * parseDuration("90 min", "Movie"); // 90
 * parseDuration("2 Seasons", "TV Show"); // 2
 * parseDuration("abc min", "Movie"); // NaN
 * parseDuration("99999999", "Movie"); // NaN (outside 1–1000 minutes)
 * ```
 */
export function parseDuration(text: string, type: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([A-Za-z]*)$/.exec(text.trim());
  if (!match) return NaN;
  const value = Number(match[1]);
  const unit = match[2].toLowerCase();
  const show = isShow(type);
  const field: NumericField = show ? "show_seasons" : "movie_minutes";
  if (!inFieldRange(field, value)) return NaN;
  if (unit === "") return value;
  if (["min", "mins", "minute", "minutes"].includes(unit)) return show ? NaN : value;
  if (unit === "season" || unit === "seasons") return show ? value : NaN;
  return NaN;
}

/** Splits a `country` cell into trimmed country names. */
export function splitCountries(text: string): string[] {
  return text.split(",").map((c) => c.trim()).filter((c) => c !== "");
}
