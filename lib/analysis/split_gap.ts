/**
 * What ages: a model's scores on the study's random split beside the temporal split (trained on
 * the titles added through 2019, tested on those added later). Per genre, the F1 on each split
 * and the gap; for the ablation, which feature sets lose most from one split to the other, and
 * how much each feature block adds on each split.
 *
 * Gaps are `temporal − random`: negative means the model does worse on next year's titles.
 *
 * @module
 */

import type { GenreScores } from "../metrics/multi_label_metrics.ts";

/** One genre's F1 on both splits. */
export interface GenreGap {
  genre: string;
  /** F1 on the random split's test rows. */
  random: number;
  /** F1 on the temporal split's test rows. */
  temporal: number;
  /** `temporal − random`. */
  gap: number;
  /** Test titles with the genre on each split. */
  supportRandom: number;
  supportTemporal: number;
}

/** Result of {@linkcode genreSplitGap}. */
export interface GenreSplitGap {
  /** Genres with enough test titles on both splits, largest loss (most negative gap) first. */
  genres: GenreGap[];
  /** Genres left out: fewer than `minSupport` test titles on a split (their F1 says nothing). */
  excluded: string[];
}

/**
 * Per-genre F1 on the random and the temporal split, sorted by gap (largest loss first). A genre
 * with fewer than `minSupport` (default 1) test titles on either split is left out: with no
 * title to find, its F1 is 0 by convention, not a loss.
 *
 * @example
 * ```ts
 * const s = (f1: number, support: number) => ({ precision: f1, recall: f1, f1, support });
 * const { genres } = genreSplitGap(
 *   { Dramas: s(0.7, 30), Comedies: s(0.6, 20) },
 *   { Dramas: s(0.5, 25), Comedies: s(0.6, 18) },
 * );
 * genres[0].genre; // "Dramas" (gap −0.2)
 * ```
 */
export function genreSplitGap(
  random: Readonly<Record<string, GenreScores>>,
  temporal: Readonly<Record<string, GenreScores>>,
  options: { minSupport?: number } = {},
): GenreSplitGap {
  const minSupport = options.minSupport ?? 1;
  const genres: GenreGap[] = [];
  const excluded: string[] = [];
  for (const [genre, r] of Object.entries(random)) {
    const t = temporal[genre];
    if (!t || r.support < minSupport || t.support < minSupport) {
      excluded.push(genre);
      continue;
    }
    genres.push({
      genre,
      random: r.f1,
      temporal: t.f1,
      gap: t.f1 - r.f1,
      supportRandom: r.support,
      supportTemporal: t.support,
    });
  }
  genres.sort((a, b) => a.gap - b.gap || (a.genre < b.genre ? -1 : 1));
  return { genres, excluded };
}

/** Per-genre F1 as metrics.json keeps it: a number (ablation rows) or a model's genre scores. */
type PerGenre = Readonly<Record<string, number | { f1: number }>>;

/** One ablation row on both splits, as metrics.json keeps it (an entry or the full model). */
export interface AblationSplitInput {
  features: readonly string[];
  f1_macro: number;
  per_genre?: PerGenre;
  temporal?: { f1_macro: number; per_genre?: PerGenre };
}

/** A genre's change in {@linkcode AblationSplitGap}. */
export interface GenreChange {
  genre: string;
  /** On the random split (F1, or the block's F1 gain). */
  random: number;
  /** On the temporal split. */
  temporal: number;
  /** `temporal − random`. */
  change: number;
}

/** One feature set on both splits. */
export interface FeatureSetGap {
  /** Blocks joined with `+`. */
  features: string;
  random: number;
  temporal: number;
  /** `temporal − random` of F1 macro. */
  gap: number;
  /** The genres that lose most from the random split to the temporal one with these blocks. */
  genres: GenreChange[];
}

/** What one feature block adds, on each split. */
export interface BlockGain {
  /** The block added. */
  block: string;
  /** The feature set it is added to (`a+b`). */
  to: string;
  /** F1 macro gained by adding the block, on each split. */
  random: number;
  temporal: number;
  /** `temporal − random`: negative when the block helps less on next year's titles. */
  change: number;
  /** The genres whose gain from the block shrinks most on the temporal split. */
  genres: GenreChange[];
}

/** Result of {@linkcode ablationSplitGap}. */
export interface AblationSplitGap {
  /** Feature sets with temporal scores, largest loss first. */
  sets: FeatureSetGap[];
  /** Every block whose addition to another row's set the rows show, most aged first. */
  blocks: BlockGain[];
}

/** Options for {@linkcode ablationSplitGap}. */
export interface AblationSplitGapOptions {
  /** Genres listed per set and per block (default 3). */
  k?: number;
  /**
   * Genres to consider (default: every genre of the rows); e.g. those with test titles on both
   * splits.
   */
  genres?: readonly string[];
}

const f1Of = (x: number | { f1: number } | undefined) => typeof x === "number" ? x : x?.f1 ?? 0;

/**
 * Compares the ablation on both splits: each feature set's F1 macro and the genres it loses most,
 * and, for each pair of rows that differ by one block, what that block adds on each split.
 *
 * @example
 * ```ts
 * const { sets, blocks } = ablationSplitGap([
 *   { features: ["text"], f1_macro: 0.3, temporal: { f1_macro: 0.28 } },
 *   { features: ["text", "metadata"], f1_macro: 0.5, temporal: { f1_macro: 0.4 } },
 * ]);
 * blocks[0].block; // "metadata" (adds 0.2 on the random split, 0.12 on the temporal one)
 * ```
 */
export function ablationSplitGap(
  rows: readonly AblationSplitInput[],
  options: AblationSplitGapOptions = {},
): AblationSplitGap {
  const k = options.k ?? 3;
  const both = rows.filter((r) => r.temporal !== undefined);
  const names = options.genres ??
    [...new Set(both.flatMap((r) => Object.keys(r.per_genre ?? {})))];
  const worst = (changes: GenreChange[]) =>
    changes.sort((a, b) => a.change - b.change || (a.genre < b.genre ? -1 : 1)).slice(0, k);
  const genreF1 = (r: AblationSplitInput, g: string) => ({
    random: f1Of(r.per_genre?.[g]),
    temporal: f1Of(r.temporal!.per_genre?.[g]),
  });
  const hasGenres = (r: AblationSplitInput) => r.per_genre && r.temporal?.per_genre;

  const sets: FeatureSetGap[] = both.map((r) => ({
    features: r.features.join("+"),
    random: r.f1_macro,
    temporal: r.temporal!.f1_macro,
    gap: r.temporal!.f1_macro - r.f1_macro,
    genres: hasGenres(r)
      ? worst(names.map((genre) => {
        const f = genreF1(r, genre);
        return { genre, ...f, change: f.temporal - f.random };
      }))
      : [],
  })).sort((a, b) => a.gap - b.gap);

  const blocks: BlockGain[] = [];
  for (const to of both) {
    for (const from of both) {
      const added = to.features.filter((f) => !from.features.includes(f));
      if (
        added.length !== 1 || to.features.length !== from.features.length + 1 ||
        !from.features.every((f) => to.features.includes(f))
      ) continue;
      const random = to.f1_macro - from.f1_macro;
      const temporal = to.temporal!.f1_macro - from.temporal!.f1_macro;
      blocks.push({
        block: added[0],
        to: from.features.join("+"),
        random,
        temporal,
        change: temporal - random,
        genres: hasGenres(to) && hasGenres(from)
          ? worst(names.map((genre) => {
            const a = genreF1(from, genre);
            const b = genreF1(to, genre);
            const gain = { random: b.random - a.random, temporal: b.temporal - a.temporal };
            return { genre, ...gain, change: gain.temporal - gain.random };
          }))
          : [],
      });
    }
  }
  blocks.sort((a, b) => a.change - b.change);
  return { sets, blocks };
}

/**
 * Per genre, what one feature set gains over another on each split — e.g. the model with the
 * semantic `text` block over the same model with the `lsa` block instead: `random` and
 * `temporal` are F1(with) − F1(instead), `change` is `temporal − random`. Sorted by the random
 * split's gain, largest first; genres left out as in `options.genres`.
 *
 * @example
 * ```ts
 * const gains = genreGain(
 *   { features: ["text"], f1_macro: 0.6, per_genre: { Dramas: 0.7 }, temporal: { f1_macro: 0.5, per_genre: { Dramas: 0.6 } } },
 *   { features: ["lsa"], f1_macro: 0.5, per_genre: { Dramas: 0.6 }, temporal: { f1_macro: 0.45, per_genre: { Dramas: 0.55 } } },
 * );
 * gains[0].random; // ≈ 0.1 (and 0.05 on the temporal split)
 * ```
 */
export function genreGain(
  withSet: AblationSplitInput,
  instead: AblationSplitInput,
  options: { genres?: readonly string[] } = {},
): GenreChange[] {
  const names = options.genres ?? Object.keys(withSet.per_genre ?? {});
  return names.map((genre) => {
    const random = f1Of(withSet.per_genre?.[genre]) - f1Of(instead.per_genre?.[genre]);
    const temporal = f1Of(withSet.temporal?.per_genre?.[genre]) -
      f1Of(instead.temporal?.per_genre?.[genre]);
    return { genre, random, temporal, change: temporal - random };
  }).sort((a, b) => b.random - a.random || (a.genre < b.genre ? -1 : 1));
}
