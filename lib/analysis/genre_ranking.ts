/**
 * Easy vs hard genres: per-genre F1 joined with support, ranked and classified, plus the
 * Spearman correlation between support and F1 ("are rare genres the hard ones?").
 *
 * @module
 */

import { pearsonCorrelation } from "./confusion_pairs.ts";
import type { GenreScores } from "../metrics/multi_label_metrics.ts";

/** Difficulty class of a genre, from its F1. */
export type Difficulty = "easy" | "medium" | "hard";

/** One genre in {@linkcode GenreRanking.genres}. */
export interface RankedGenre {
  /** 1-based position in the ranking (best F1 first). */
  rank: number;
  /** Genre name. */
  name: string;
  /** F1 of the genre. */
  f1: number;
  /** Precision of the genre. */
  precision: number;
  /** Recall of the genre. */
  recall: number;
  /** Rows where the genre is true. */
  support: number;
  /** `"easy"` when `f1 >= easyAt`, `"hard"` when `f1 < hardBelow`, else `"medium"`. */
  difficulty: Difficulty;
}

/** Options for {@linkcode rankGenres}. */
export interface RankGenresOptions {
  /** F1 at or above which a genre is easy (default 0.6). */
  easyAt?: number;
  /** F1 below which a genre is hard (default 0.2). */
  hardBelow?: number;
}

/** Result of {@linkcode rankGenres} (JSON-able; a NaN Spearman becomes `null` in JSON). */
export interface GenreRanking {
  /** Genres by F1 (descending), then support (descending), then name. */
  genres: RankedGenre[];
  /** Names of the easy genres, in ranking order. */
  easy: string[];
  /** Names of the medium genres, in ranking order. */
  medium: string[];
  /** Names of the hard genres, in ranking order. */
  hard: string[];
  /** Spearman rank correlation between support and F1 over all genres. */
  spearman: number;
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Ranks of the values (1 = smallest), ties sharing the mean of the ranks they span — the
 * "average" method of scipy's `rankdata`.
 *
 * @example
 * ```ts
 * averageRanks([10, 20, 10, 30]); // Float64Array [1.5, 3, 1.5, 4]
 * ```
 */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]] === values[order[i]]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]] = r;
    i = j + 1;
  }
  return ranks;
}

/**
 * Spearman rank correlation: the Pearson correlation of the average ranks (as scipy's
 * `spearmanr`). NaN when there are fewer than two values or either sample is constant.
 *
 * @example
 * ```ts
 * spearmanCorrelation([1, 2, 3, 4], [10, 20, 15, 40]); // 0.8
 * ```
 */
export function spearmanCorrelation(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) {
    throw new RangeError(
      `spearmanCorrelation: x has ${x.length} values but y has ${y.length}; pass paired samples`,
    );
  }
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i]) || Number.isNaN(y[i])) {
      throw new RangeError(`spearmanCorrelation: value ${i} is NaN; drop or fill it first`);
    }
  }
  return pearsonCorrelation(averageRanks(x), averageRanks(y));
}

/**
 * Joins each genre's F1 with its support, sorts best-first and classifies genres as easy
 * (`f1 >= easyAt`), hard (`f1 < hardBelow`) or medium. Takes `evaluate(...).per_genre` or the
 * `per_genre` object of a saved metrics.json.
 *
 * @example
 * ```ts
 * const r = rankGenres({
 *   Dramas: { precision: 0.7, recall: 0.8, f1: 0.75, support: 300 },
 *   Anime: { precision: 0.1, recall: 0.1, f1: 0.1, support: 5 },
 *   Comedies: { precision: 0.5, recall: 0.4, f1: 0.44, support: 120 },
 * });
 * r.easy;     // ["Dramas"]
 * r.hard;     // ["Anime"]
 * r.spearman; // 1
 * ```
 */
export function rankGenres(
  perGenre: Readonly<Record<string, GenreScores>>,
  options: RankGenresOptions = {},
): GenreRanking {
  const easyAt = options.easyAt ?? 0.6;
  const hardBelow = options.hardBelow ?? 0.2;
  if (!(hardBelow <= easyAt)) {
    throw new RangeError(
      `rankGenres: hardBelow (${hardBelow}) must not exceed easyAt (${easyAt})`,
    );
  }
  const entries = Object.entries(perGenre);
  if (entries.length === 0) {
    throw new RangeError("rankGenres: perGenre is empty; pass evaluate(...).per_genre");
  }
  const genres: RankedGenre[] = entries.map(([name, s]) => {
    for (const field of ["precision", "recall", "f1", "support"] as const) {
      if (typeof s?.[field] !== "number" || Number.isNaN(s[field])) {
        throw new TypeError(
          `rankGenres: genre "${name}" has ${field} = ${
            JSON.stringify(s?.[field])
          }; every genre needs numeric precision, recall, f1 and support`,
        );
      }
    }
    const difficulty: Difficulty = s.f1 >= easyAt ? "easy" : s.f1 < hardBelow ? "hard" : "medium";
    return {
      rank: 0,
      name,
      f1: s.f1,
      precision: s.precision,
      recall: s.recall,
      support: s.support,
      difficulty,
    };
  });
  genres.sort((a, b) => b.f1 - a.f1 || b.support - a.support || byName(a.name, b.name));
  genres.forEach((g, i) => (g.rank = i + 1));
  const pick = (d: Difficulty) => genres.filter((g) => g.difficulty === d).map((g) => g.name);
  return {
    genres,
    easy: pick("easy"),
    medium: pick("medium"),
    hard: pick("hard"),
    spearman: spearmanCorrelation(genres.map((g) => g.support), genres.map((g) => g.f1)),
  };
}
