/**
 * Loading and validating NetFlix.csv-shaped files with nodejs-polars.
 *
 * Every column is read as text (no type guessing), so titles such as `1920` or `3%`, quoted
 * commas, newlines inside descriptions, non-Latin scripts and HTML survive unchanged. Missing
 * `type` and `rating` become `Unknown`, as the study did.
 *
 * @module
 */

import pl from "nodejs-polars";
import { Buffer } from "node:buffer";
import {
  FIELD_RANGES,
  isShow,
  type NumericField,
  parseDateAdded,
  parseDuration,
  parseReleaseYear,
} from "./title_fields.ts";
import { checkLineEnds, recordFieldCounts } from "./csv_records.ts";
import { unusableTextReason } from "./usable_text.ts";

/** Columns every input file must have (the genres column only when labels are required). */
export const REQUIRED_COLUMNS = [
  "show_id",
  "type",
  "title",
  "director",
  "cast",
  "country",
  "date_added",
  "release_year",
  "rating",
  "duration",
  "genres",
  "description",
] as const;

/** Value used for a missing `type` or `rating`. */
export const UNKNOWN = "Unknown";

/** The parsed titles, column by column; index `i` is the i-th kept row. */
export interface Titles {
  /** Number of rows kept. */
  length: number;
  /** 1-based data-row number in the source file (header excluded) of each kept row. */
  rowNumber: number[];
  showId: string[];
  type: string[];
  title: string[];
  director: string[];
  cast: string[];
  country: string[];
  dateAdded: string[];
  releaseYear: string[];
  rating: string[];
  duration: string[];
  /** Genres of each row, split on commas and trimmed (empty arrays when the file has none). */
  genres: string[][];
  description: string[];
}

/** One problem found in one row. */
export interface RowProblem {
  /** 1-based data-row number (the header is not counted). */
  row: number;
  /** The row's show_id, or an empty string when it has none. */
  showId: string;
  /** The column at fault. */
  field: string;
  /** What is wrong and what to do. */
  message: string;
}

/** Options for {@linkcode readTitles} and {@linkcode parseTitles}. */
export interface ReadTitlesOptions {
  /** Require a non-empty `genres` column (training data). Default true. */
  requireGenres?: boolean;
  /**
   * `"throw"` (default): any bad row aborts with an error listing the problems.
   * `"skip"`: bad rows are left out and returned in `problems` (used by `predict`).
   */
  onBadRow?: "throw" | "skip";
  /** Name used in messages (defaults to the path, or `"input"` for in-memory text). */
  source?: string;
  /**
   * Data-row number of the input's first record (default 1). Give a `csvBatches` batch's
   * `firstRow` so that `rowNumber` and every message count the rows of the whole file.
   */
  firstRow?: number;
}

/** Result of {@linkcode readTitles}. */
export interface ReadTitlesResult {
  titles: Titles;
  /** Rows left out (only with `onBadRow: "skip"`). */
  problems: RowProblem[];
  /** The raw bytes read (for hashing). */
  bytes: Uint8Array;
}

/** Error thrown for unusable input; `problems` lists the rows at fault. */
export class InputError extends Error {
  problems: RowProblem[];
  constructor(message: string, problems: RowProblem[] = []) {
    super(message);
    this.name = "InputError";
    this.problems = problems;
  }
}

/**
 * Reads and validates a NetFlix.csv-shaped file.
 *
 * @example
 * ```ts
 * const { titles } = await readTitles("data/NetFlix.csv");
 * console.log(titles.length, titles.genres[0]);
 * ```
 */
export async function readTitles(
  path: string,
  options: ReadTitlesOptions = {},
): Promise<ReadTitlesResult> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new InputError(
        `${path}: file not found. Run \`npx deno task data\` to fetch NetFlix.csv into data/, ` +
          "or pass --input PATH.",
      );
    }
    if (err instanceof Deno.errors.IsADirectory) {
      throw new InputError(
        `${path}: is a folder, not a file; give the path of a NetFlix.csv-shaped file.`,
      );
    }
    throw new InputError(`${path}: cannot read the file (${(err as Error).message}).`);
  }
  const result = parseTitles(bytes, { source: path, ...options });
  return { ...result, bytes };
}

/**
 * Parses CSV bytes or text into {@linkcode Titles}, validating every row.
 *
 * @example
 * ```ts
 * const csv = "show_id,type,title,director,cast,country,date_added,release_year,rating,duration," +
 *   "genres,description\ns1,Movie,A,,,,,2020,PG,90,Dramas,A story.\n";
 * const { titles } = parseTitles(csv);
 * titles.genres[0]; // ["Dramas"]
 * ```
 */
export function parseTitles(
  input: Uint8Array | string,
  options: ReadTitlesOptions = {},
): { titles: Titles; problems: RowProblem[] } {
  const source = options.source ?? "input";
  const requireGenres = options.requireGenres ?? true;
  const firstRow = options.firstRow ?? 1;
  if (typeof input !== "string") checkUtf8(input, source, firstRow);
  const buf = typeof input === "string" ? Buffer.from(input, "utf8") : Buffer.from(input);
  if (buf.length === 0) {
    throw new InputError(`${source}: the file is empty; expected a CSV header.`);
  }
  checkLineEnds(buf, (message) => new InputError(`${source}: ${message}`));
  let df: pl.DataFrame;
  try {
    df = pl.readCSV(buf, { inferSchemaLength: 0, hasHeader: true });
  } catch (err) {
    const first = String((err as Error).message).split("\n").slice(0, 3).join(" ");
    throw new InputError(
      `${source}: not a readable CSV file (${first}). Check quoting: fields with commas, quotes ` +
        'or newlines must be wrapped in double quotes, with inner quotes doubled ("").',
    );
  }
  const columns = df.columns.map((c) => c.trim());
  const needed = REQUIRED_COLUMNS.filter((c) => requireGenres || c !== "genres");
  const missing = needed.filter((c) => !columns.includes(c));
  if (missing.length > 0) {
    throw new InputError(
      `${source}: missing required column(s) ${missing.join(", ")}. The header must name ` +
        `${needed.join(", ")} (found: ${columns.join(", ")}).`,
    );
  }
  const col = (name: string): (string | null)[] => {
    const idx = columns.indexOf(name);
    if (idx < 0) return new Array(df.height).fill(null);
    return df.getColumn(df.columns[idx]).toArray() as (string | null)[];
  };
  const raw = Object.fromEntries(REQUIRED_COLUMNS.map((c) => [c, col(c)])) as Record<
    (typeof REQUIRED_COLUMNS)[number],
    (string | null)[]
  >;

  // polars drops a record's extra fields and fills missing ones with nulls: count them here.
  const fieldCounts = recordFieldCounts(buf);
  const width = fieldCounts.length === df.height + 1 ? fieldCounts[0] : 0;

  const titles: Titles = {
    length: 0,
    rowNumber: [],
    showId: [],
    type: [],
    title: [],
    director: [],
    cast: [],
    country: [],
    dateAdded: [],
    releaseYear: [],
    rating: [],
    duration: [],
    genres: [],
    description: [],
  };
  const problems: RowProblem[] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i < df.height; i++) {
    const row = i + firstRow;
    const showId = (raw.show_id[i] ?? "").trim();
    const rowProblems: RowProblem[] = [];
    const bad = (field: string, message: string) =>
      rowProblems.push({ row, showId, field, message });
    const fieldCount = width > 0 ? fieldCounts[i + 1] : 0;
    if (fieldCount !== 0 && fieldCount !== width) {
      problems.push({
        row,
        showId,
        field: "fields",
        message: shiftedRow(fieldCount, width, raw, i),
      });
      continue;
    }
    if (showId === "") bad("show_id", "show_id is empty; give every title a unique id");
    else if (seen.has(showId)) {
      bad("show_id", `show_id "${showId}" repeats row ${seen.get(showId)}; ids must be unique`);
    }
    const description = raw.description[i] ?? "";
    const unusable = unusableTextReason(description);
    if (unusable === "is empty") {
      bad("description", "description is empty; every title needs a description to embed");
    } else if (unusable) {
      bad(
        "description",
        `description ${quote(description)} ${unusable}: no words to embed; every title needs ` +
          "a description with words",
      );
    }
    const genres = (raw.genres[i] ?? "").split(",").map((g) => g.trim()).filter((g) => g !== "");
    if (requireGenres && genres.length === 0) {
      bad("genres", "genres is empty; list at least one genre, comma-separated");
    }
    if (rowProblems.length > 0) {
      problems.push(...rowProblems);
      continue;
    }
    if (showId !== "") seen.set(showId, row);
    titles.rowNumber.push(row);
    titles.showId.push(showId);
    titles.type.push(nonEmpty(raw.type[i]) ?? UNKNOWN);
    titles.title.push(raw.title[i] ?? "");
    titles.director.push(raw.director[i] ?? "");
    titles.cast.push(raw.cast[i] ?? "");
    titles.country.push(raw.country[i] ?? "");
    titles.dateAdded.push(raw.date_added[i] ?? "");
    titles.releaseYear.push(raw.release_year[i] ?? "");
    titles.rating.push(nonEmpty(raw.rating[i]) ?? UNKNOWN);
    titles.duration.push(raw.duration[i] ?? "");
    titles.genres.push(genres);
    titles.description.push(description);
  }
  titles.length = titles.showId.length;
  if (problems.length > 0 && (options.onBadRow ?? "throw") === "throw") {
    throw new InputError(formatProblems(source, problems), problems);
  }
  return { titles, problems };
}

/** What a row whose field count is not the header's looks like, and the fix. */
function shiftedRow(
  count: number,
  width: number,
  raw: Record<string, (string | null)[]>,
  i: number,
): string {
  const shown = ["release_year", "rating", "duration", "description"]
    .map((c) => `${c} ${quote(raw[c][i] ?? "")}`).join(", ");
  const cause = count > width
    ? "a comma outside double quotes (e.g. in cast: A, B) splits a field in two and shifts " +
      "every column after it"
    : "fields are missing, or a line break outside double quotes cut the row in two";
  return `has ${count} fields but the header has ${width} columns: ${cause} (read as ` +
    `${shown}). Wrap every field that holds commas, quotes or line breaks in double quotes ` +
    '(inner quotes doubled "") so the row has one field per column';
}

function nonEmpty(v: string | null | undefined): string | undefined {
  const t = (v ?? "").trim();
  return t === "" ? undefined : t;
}

/**
 * Formats row problems as a readable multi-line message (at most `limit` rows listed).
 *
 * @example
 * ```ts
 * formatProblems("data/NetFlix.csv", [{ row: 3, showId: "s3", field: "genres", message: "empty" }]);
 * ```
 */
export function formatProblems(
  source: string,
  problems: RowProblem[],
  options: { limit?: number } = {},
): string {
  const limit = options.limit ?? 20;
  const lines = problems.slice(0, limit).map((p) =>
    `  row ${p.row}${p.showId ? ` (show_id ${p.showId})` : ""}, field ${p.field}: ${p.message}`
  );
  const more = problems.length > limit ? `\n  … and ${problems.length - limit} more` : "";
  return `${source}: ${problems.length} bad row(s) (row numbers count data rows after the ` +
    `header):\n${lines.join("\n")}${more}\nFix these rows in the CSV and run again.`;
}

/**
 * Finds blank, unreadable or implausible `release_year`, `duration` and `date_added` values
 * (outside `FIELD_RANGES` of `title_fields.ts`: a duration of `99999999` or `999 Seasons`, a
 * year 3000). They are not errors — the metadata encoder treats them as missing (imputed from
 * the training titles, with a `_missing` flag) — but the user should hear about them; print
 * them with {@linkcode formatWarnings} (`predict --strict` refuses them).
 *
 * @example
 * ```ts
 * const csv = "show_id,type,title,director,cast,country,date_added,release_year,rating," +
 *   "duration,genres,description\ns1,Movie,A,,,,,,PG,abc min,Dramas,A story.\n";
 * const { titles } = parseTitles(csv);
 * metadataWarnings(titles).map((p) => p.field); // ["release_year", "duration", "date_added"]
 * ```
 */
export function metadataWarnings(titles: Titles): RowProblem[] {
  const warnings: RowProblem[] = [];
  const missing = "treated as missing (imputed from the training titles)";
  for (let i = 0; i < titles.length; i++) {
    const row = titles.rowNumber[i];
    const showId = titles.showId[i];
    const warn = (field: string, value: string, what: string) =>
      warnings.push({
        row,
        showId,
        field,
        message: `${field} ${quote(value)} ${what}: ${missing}`,
      });
    const year = titles.releaseYear[i];
    if (Number.isNaN(parseReleaseYear(year))) {
      warn(
        "release_year",
        year,
        year.trim() === "" ? "is blank" : `is not a year from ${rangeText("release_year")} ` +
          "(expected e.g. 2019)",
      );
    }
    const duration = titles.duration[i];
    const type = titles.type[i];
    if (Number.isNaN(parseDuration(duration, type))) {
      const show = isShow(type);
      const field: NumericField = show ? "show_seasons" : "movie_minutes";
      const match = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$/.exec(duration);
      const unit = (match?.[2] ?? "").toLowerCase();
      const unitFits = unit === "" || (show ? /^seasons?$/ : /^min(ute)?s?$/).test(unit);
      const what = show ? "TV show" : type === UNKNOWN ? "title" : "movie";
      const { min, max, unit: unitName } = FIELD_RANGES[field];
      warn(
        "duration",
        duration,
        duration.trim() === ""
          ? "is blank"
          : match && unitFits
          ? `is outside the plausible range for a ${what} (${min} to ${max} ${unitName})`
          : show
          ? "is not a number of seasons for a TV show (expected e.g. 2 or 2 Seasons)"
          : `is not a number of minutes for a ${what} (expected e.g. 90 or 90 min)`,
      );
    }
    const added = titles.dateAdded[i];
    if (Number.isNaN(parseDateAdded(added))) {
      warn(
        "date_added",
        added,
        added.trim() === ""
          ? "is blank"
          : `is not a date from ${rangeText("date_added")} (expected e.g. 14-Aug-20 or ` +
            "August 14, 2020)",
      );
    }
  }
  return warnings;
}

function rangeText(field: NumericField): string {
  return `${FIELD_RANGES[field].min} to ${FIELD_RANGES[field].max}`;
}

function quote(value: string): string {
  const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  return JSON.stringify(shown);
}

/**
 * Formats warnings (e.g. from {@linkcode metadataWarnings}) as lines starting with `warning:`,
 * at most `limit` rows listed; returns `""` when there are none.
 *
 * @example
 * ```ts
 * const text = formatWarnings("data/NetFlix.csv", [
 *   { row: 3, showId: "s3", field: "release_year", message: 'release_year "" is blank' },
 * ]);
 * if (text) console.warn(text);
 * ```
 */
export function formatWarnings(
  source: string,
  problems: RowProblem[],
  options: { limit?: number } = {},
): string {
  if (problems.length === 0) return "";
  const limit = options.limit ?? 10;
  const rows = new Set(problems.map((p) => p.row)).size;
  const lines = problems.slice(0, limit).map((p) =>
    `warning:   row ${p.row}${p.showId ? ` (show_id ${p.showId})` : ""}, field ${p.field}: ` +
    p.message
  );
  const more = problems.length > limit ? `\nwarning:   … and ${problems.length - limit} more` : "";
  return `warning: ${source}: ${problems.length} value(s) read as missing or unknown in ${rows} ` +
    `row(s) (row numbers count data rows after the header):\n${lines.join("\n")}${more}`;
}

/**
 * The error for input that is not UTF-8, naming the first bad data row and the fix.
 * `row` is the 1-based data row (0 = the header). Used by {@linkcode parseTitles} and
 * `csvBatches`.
 *
 * @example
 * ```ts
 * throw notUtf8Error("in.csv", 3, "Am\uFFFDlie");
 * ```
 */
export function notUtf8Error(source: string, row: number, near?: string): InputError {
  const where = row === 0 ? "in the header" : `in data row ${row} (the header is not counted)`;
  const context = near ? ` near ${JSON.stringify(near)}` : "";
  return new InputError(
    `${source}: the file is not UTF-8: the first bad byte is ${where}${context}. Re-save it as ` +
      "UTF-8, e.g. `iconv -f latin1 -t utf-8 in.csv > out.csv` (use the encoding it was saved " +
      "in instead of latin1, e.g. cp1252), and run again.",
    [{ row, showId: "", field: "bytes", message: "not UTF-8" }],
  );
}

/**
 * Offset of the first byte of `bytes` that is not part of a well-formed UTF-8 sequence, or -1
 * when all of it is UTF-8. A sequence cut off by the end of `bytes` counts as bad.
 *
 * @example
 * ```ts
 * invalidUtf8Offset(new Uint8Array([0x41, 0xe9, 0x42])); // 1
 * ```
 */
export function invalidUtf8Offset(bytes: Uint8Array): number {
  try {
    FATAL_DECODER.decode(bytes);
    return -1;
  } catch {
    // fall through and locate it
  }
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let len: number, lo = 0x80, hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) len = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      len = 3;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      len = 4;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    if (i + len > n) return i;
    const second = bytes[i + 1];
    if (second < lo || second > hi) return i;
    for (let k = 2; k < len; k++) {
      const c = bytes[i + k];
      if (c < 0x80 || c > 0xbf) return i;
    }
    i += len;
  }
  return -1;
}

const FATAL_DECODER = new TextDecoder("utf-8", { fatal: true });

/** Throws {@linkcode notUtf8Error} naming the CSV row of the first bad byte. */
function checkUtf8(bytes: Uint8Array, source: string, firstRow: number): void {
  const bad = invalidUtf8Offset(bytes);
  if (bad < 0) return;
  // Count records before the bad byte; quotes only open a field at its start (as polars reads).
  let record = 0;
  let quoted = false;
  let fieldStart = true;
  for (let i = 0; i < bad; i++) {
    const b = bytes[i];
    if (quoted) {
      if (b === 0x22) {
        if (bytes[i + 1] === 0x22 && i + 1 < bad) i++;
        else quoted = false;
      }
    } else if (b === 0x0a) {
      record++;
      fieldStart = true;
    } else if (b === 0x22 && fieldStart) {
      quoted = true;
      fieldStart = false;
    } else fieldStart = b === 0x2c;
  }
  throw notUtf8Error(source, record === 0 ? 0 : record + firstRow - 1, nearByte(bytes, bad));
}

/**
 * Up to 20 bytes either side of offset `at`, within its line, decoded leniently (bad bytes show
 * as U+FFFD) — to quote the spot in a message.
 *
 * @example
 * ```ts
 * nearByte(new Uint8Array([0x41, 0xe9, 0x42]), 1); // "A\uFFFDB"
 * ```
 */
export function nearByte(bytes: Uint8Array, at: number): string {
  let from = Math.max(0, at - 20);
  for (let i = at - 1; i >= from; i--) {
    if (bytes[i] === 0x0a) {
      from = i + 1;
      break;
    }
  }
  while (from < at && (bytes[from] & 0xc0) === 0x80) from++;
  let to = Math.min(bytes.length, at + 20);
  for (let i = at; i < to; i++) {
    if (bytes[i] === 0x0a || bytes[i] === 0x0d) {
      to = i;
      break;
    }
  }
  return new TextDecoder().decode(bytes.subarray(from, to));
}

/**
 * Keeps the listed rows of a {@linkcode Titles} table (used for samples and splits).
 *
 * @example
 * ```ts
 * const { titles } = await readTitles("data/NetFlix.csv");
 * const firstTen = selectTitles(titles, [...Array(10).keys()]);
 * ```
 */
export function selectTitles(titles: Titles, rows: ArrayLike<number>): Titles {
  const pick = <T>(a: T[]): T[] => Array.from(rows, (r) => a[r]);
  return {
    length: rows.length,
    rowNumber: pick(titles.rowNumber),
    showId: pick(titles.showId),
    type: pick(titles.type),
    title: pick(titles.title),
    director: pick(titles.director),
    cast: pick(titles.cast),
    country: pick(titles.country),
    dateAdded: pick(titles.dateAdded),
    releaseYear: pick(titles.releaseYear),
    rating: pick(titles.rating),
    duration: pick(titles.duration),
    genres: pick(titles.genres),
    description: pick(titles.description),
  };
}

/**
 * Turns {@linkcode Titles} into a polars DataFrame (genres joined with ", ") for display and
 * saving; notebooks render it as a table.
 *
 * @example
 * ```ts
 * const { titles } = await readTitles("data/NetFlix.csv");
 * titlesFrame(titles).head(5);
 * ```
 */
export function titlesFrame(titles: Titles): pl.DataFrame {
  return pl.DataFrame({
    show_id: titles.showId,
    type: titles.type,
    title: titles.title,
    director: titles.director,
    cast: titles.cast,
    country: titles.country,
    date_added: titles.dateAdded,
    release_year: titles.releaseYear,
    rating: titles.rating,
    duration: titles.duration,
    genres: titles.genres.map((g) => g.join(", ")),
    description: titles.description,
  });
}
