/**
 * A small synthetic NetFlix.csv for end-to-end tests: genres follow words in the description and
 * names in the cast, so a model can learn them.
 *
 * @module
 */

import { REQUIRED_COLUMNS } from "../../lib/data/netflix_csv.ts";

const GENRES = ["Comedies", "Dramas", "Horror Movies", "Kids' TV"];
const WORDS: Record<string, string[]> = {
  "Comedies": ["hilarious", "laugh", "prank", "quirky"],
  "Dramas": ["tragic", "family", "struggle", "tears"],
  "Horror Movies": ["haunted", "ghost", "blood", "terror"],
  "Kids' TV": ["puppy", "adventure", "friendship", "cartoon"],
};
const FILLER = ["city", "story", "journey", "night", "summer", "secret", "town", "friends"];
const CAST: Record<string, string[]> = {
  "Comedies": ["Ann Funny", "Bo Jokes"],
  "Dramas": ["Cy Serious", "Di Weeps"],
  "Horror Movies": ["Ed Scream", "Flo Fright"],
  "Kids' TV": ["Gus Giggle", "Hal Happy"],
};

function quote(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Builds `n` rows of NetFlix.csv-shaped text (deterministic).
 *
 * @example
 * ```ts
 * const csv = syntheticCsv(60);
 * ```
 */
export function syntheticCsv(n: number, options: { withGenres?: boolean } = {}): string {
  const withGenres = options.withGenres ?? true;
  const header = REQUIRED_COLUMNS.filter((c) => withGenres || c !== "genres");
  const lines = [header.join(",")];
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < n; i++) {
    const g1 = GENRES[i % GENRES.length];
    const genres = rand() < 0.4 ? [g1, GENRES[(i + 1) % GENRES.length]] : [g1];
    const words = genres.flatMap((g) => WORDS[g].filter(() => rand() < 0.6));
    words.push(WORDS[g1][Math.floor(rand() * 4)]);
    for (let k = 0; k < 4; k++) words.push(FILLER[Math.floor(rand() * FILLER.length)]);
    const isShow = g1 === "Kids' TV";
    const row = [
      `s${i + 1}`,
      isShow ? "TV Show" : "Movie",
      `Title ${i + 1}`,
      i % 3 === 0 ? "" : `Director ${i % 5}`,
      genres.map((g) => CAST[g][Math.floor(rand() * 2)]).join(", "),
      ["United States", "India", "Japan", "India, France", ""][i % 5],
      i % 2 === 0 ? `${1 + (i % 27)}-Aug-19` : ` March ${1 + (i % 27)}, 2020`,
      String(1990 + (i % 30)),
      ["TV-MA", "PG", "R", "TV-Y", ""][i % 5],
      isShow ? String(1 + (i % 4)) : String(80 + (i % 60)),
      ...(withGenres ? [genres.join(", ")] : []),
      `A ${words.join(" ")} tale.`,
    ];
    lines.push(row.map(quote).join(","));
  }
  return lines.join("\n") + "\n";
}
