/**
 * Title records typed by hand (in a notebook cell, a script) turned into the column-wise
 * {@linkcode Titles} every feature block reads — with NetFlix.csv's field names and the same
 * rules as reading the file (`type` and `rating` default to `Unknown`).
 *
 * @module
 */

import { type Titles, UNKNOWN } from "./netflix_csv.ts";
import { unusableTextReason } from "./usable_text.ts";

/** One title, with NetFlix.csv's column names; only `description` is required. */
export interface TitleRecord {
  show_id?: string;
  type?: string;
  title?: string;
  director?: string;
  cast?: string;
  country?: string;
  date_added?: string;
  release_year?: string | number;
  rating?: string;
  duration?: string | number;
  /** Comma-separated genres (unused by prediction). */
  genres?: string;
  description: string;
}

/**
 * Turns records into {@linkcode Titles}; a record without a description, or whose description
 * has no usable words (`hasUsableText` of `usable_text.ts`), is an error naming it.
 *
 * @example
 * ```ts
 * const titles = titlesFromRecords([
 *   { title: "Ocean Deep", type: "TV Show", description: "Whales and reefs of the Pacific." },
 * ]);
 * titles.rating[0]; // "Unknown"
 * ```
 */
export function titlesFromRecords(records: readonly TitleRecord[]): Titles {
  const text = (v: string | number | undefined) => (v === undefined ? "" : String(v));
  const orUnknown = (v: string | undefined) => (v ?? "").trim() || UNKNOWN;
  records.forEach((r, i) => {
    const unusable = typeof r?.description === "string"
      ? unusableTextReason(r.description)
      : "is empty";
    if (unusable === "is empty") {
      throw new TypeError(
        `title record ${i + 1}${r?.title ? ` ("${r.title}")` : ""} has no description; ` +
          "every title needs one to be embedded",
      );
    }
    if (unusable) {
      throw new TypeError(
        `title record ${i + 1}${r?.title ? ` ("${r.title}")` : ""}: its description ` +
          `${JSON.stringify(r.description)} ${unusable}; every title needs a description with ` +
          "words to be embedded",
      );
    }
  });
  return {
    length: records.length,
    rowNumber: records.map((_, i) => i + 1),
    showId: records.map((r, i) => r.show_id ?? `record_${i + 1}`),
    type: records.map((r) => orUnknown(r.type)),
    title: records.map((r) => r.title ?? ""),
    director: records.map((r) => r.director ?? ""),
    cast: records.map((r) => r.cast ?? ""),
    country: records.map((r) => r.country ?? ""),
    dateAdded: records.map((r) => r.date_added ?? ""),
    releaseYear: records.map((r) => text(r.release_year)),
    rating: records.map((r) => orUnknown(r.rating)),
    duration: records.map((r) => text(r.duration)),
    genres: records.map((r) =>
      (r.genres ?? "").split(",").map((g) => g.trim()).filter((g) => g !== "")
    ),
    description: records.map((r) => r.description),
  };
}
