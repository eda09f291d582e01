/**
 * The study's three inferred claims, tested on permutation importance: "type is likely critical
 * for type-specific genres", "rating is likely important for age-appropriate content", "text
 * embeddings are likely essential for content-based genres". Which genres each claim is about,
 * the column groups permuted (a feature block each; the categorical block split into type and
 * rating), and the verdict by a stated rule.
 *
 * @module
 */

import type { LabelMatrix } from "../../core/matrix.ts";
import type { ColumnGroup } from "../../model_selection/permutation_importance.ts";

/** One of the study's inferred claims, tested. */
export interface ClaimResult {
  claim: string;
  /** The permuted group the claim is about. */
  group: string;
  /** The genres it is about. */
  genres: string[];
  /** Mean F1 drop over those genres when the group is permuted, and the mean repeat std. */
  drop: number;
  std: number;
  /** Mean drop of the same group over the other genres, for comparison. */
  otherDrop: number;
  /** Genres (of those) for which the group is the most important one. */
  topBlockShare: number;
  holds: boolean;
  /** The rule the verdict follows. */
  rule: string;
}

/** Importance of one group for one genre (mean ± std over repeats). */
export interface DropStat {
  mean: number;
  std: number;
}

/**
 * The column groups permuted for the best model: `text`, `type`, `rating`, `metadata`,
 * `credits` (the categorical block split by its column names `type_…` / `rating_…`).
 *
 * @example
 * ```ts
 * explainGroups({ text: ["emb_0"], categorical: ["type_Movie", "rating_PG"] }, ["text", "categorical"]);
 * // [{ name: "text", columns: [0] }, { name: "type", columns: [1] }, { name: "rating", columns: [2] }]
 * ```
 */
export function explainGroups(
  names: Partial<Record<string, readonly string[]>>,
  blocks: readonly string[],
): ColumnGroup[] {
  const groups: ColumnGroup[] = [];
  let start = 0;
  for (const b of blocks) {
    const cols = names[b];
    if (!cols) throw new Error(`explainGroups: no column names for block "${b}"`);
    if (b === "categorical") {
      const by = new Map<string, number[]>();
      cols.forEach((c, i) => {
        const g = c.startsWith("type_")
          ? "type"
          : c.startsWith("rating_")
          ? "rating"
          : "categorical";
        by.set(g, [...(by.get(g) ?? []), start + i]);
      });
      for (const [name, columns] of by) groups.push({ name, columns });
    } else {
      groups.push({ name: b, columns: cols.map((_, i) => start + i) });
    }
    start += cols.length;
  }
  return groups;
}

/** The genres each of the study's claims is about, and why. */
export interface ClaimGenres {
  /** Genres whose training titles are (nearly) all of one type. */
  typeSpecific: string[];
  /** Kids', children's, family and teen genres. */
  age: string[];
  /** Genres named after their content (subject, mood, form), not origin or audience. */
  content: string[];
}

const AGE = /kids|children|teen/i;
const CONTENT =
  /documentar|docuseries|stand-up|horror|romantic|sci-fi|sports|music|faith|anime|thriller|crime|science|reality|myster|comed|drama|action|lgbtq/i;

/**
 * Sorts genres into the claims' groups: type-specific when at least `share` (default 0.95) of
 * a genre's training titles have one `type`; age when named Kids/Children/Teen; content when
 * named after a subject or form (documentaries, stand-up, horror, …).
 *
 * @example
 * ```ts
 * import { labelsFromRows } from "../../core/matrix.ts";
 * claimGenres(["Kids' TV", "Dramas"], labelsFromRows([[1, 0], [0, 1]]), ["TV Show", "Movie"]);
 * // { typeSpecific: [], age: ["Kids' TV"], content: ["Dramas"] } (too few titles for a type share)
 * ```
 */
export function claimGenres(
  genres: readonly string[],
  Y: LabelMatrix,
  types: readonly string[],
  options: { share?: number; minSupport?: number } = {},
): ClaimGenres {
  const share = options.share ?? 0.95;
  const minSupport = options.minSupport ?? 5;
  const typeSpecific: string[] = [];
  genres.forEach((g, j) => {
    const counts = new Map<string, number>();
    let n = 0;
    for (let i = 0; i < Y.rows; i++) {
      if (Y.data[i * Y.cols + j]) {
        n++;
        counts.set(types[i], (counts.get(types[i]) ?? 0) + 1);
      }
    }
    if (n >= minSupport && Math.max(...counts.values()) / n >= share) typeSpecific.push(g);
  });
  return {
    typeSpecific,
    age: genres.filter((g) => AGE.test(g)),
    content: genres.filter((g) => CONTENT.test(g) && !AGE.test(g)),
  };
}

/** The size of an F1 drop the claims' words ("critical", "important", "essential") need. */
const CLAIM_MIN_DROP = 0.05;

/**
 * Tests the study's three claims on per-genre permutation importance (`drops[genre][group]`):
 * a claim holds when the group's mean F1 drop over the genres it is about is at least
 * {@linkcode CLAIM_MIN_DROP} and larger than over the other genres; "essential" (text) also
 * needs text to be the most important group for most content genres.
 *
 * @example
 * ```ts
 * const drops = { "Kids' TV": { rating: { mean: 0.2, std: 0.01 }, text: { mean: 0.1, std: 0 } } };
 * studyClaims(drops, { typeSpecific: [], age: ["Kids' TV"], content: [] })[1].holds; // true
 * ```
 */
export function studyClaims(
  drops: Record<string, Record<string, DropStat>>,
  sets: ClaimGenres,
): ClaimResult[] {
  const all = Object.keys(drops);
  const test = (claim: string, group: string, genres: string[], essential: boolean) => {
    const have = genres.filter((g) => drops[g]?.[group]);
    const others = all.filter((g) => !have.includes(g) && drops[g]?.[group]);
    const avg = (gs: string[], f: (g: string) => number) =>
      gs.length ? gs.reduce((s, g) => s + f(g), 0) / gs.length : 0;
    const drop = avg(have, (g) => drops[g][group].mean);
    const std = avg(have, (g) => drops[g][group].std);
    const otherDrop = avg(others, (g) => drops[g][group].mean);
    const top = have.filter((g) => {
      const best = Object.entries(drops[g]).sort((a, b) => b[1].mean - a[1].mean)[0];
      return best?.[0] === group;
    }).length;
    const topBlockShare = have.length ? top / have.length : 0;
    const holds = have.length > 0 && drop >= CLAIM_MIN_DROP && drop > otherDrop &&
      (!essential || topBlockShare > 0.5);
    return {
      claim,
      group,
      genres: have,
      drop,
      std,
      otherDrop,
      topBlockShare,
      holds,
      rule: `mean F1 drop over these genres ≥ ${CLAIM_MIN_DROP} and larger than over the other ` +
        "genres" + (essential ? ", and the largest of all groups for more than half of them" : ""),
    };
  };
  return [
    test("type is likely critical for type-specific genres", "type", sets.typeSpecific, false),
    test("rating is likely important for age-appropriate content", "rating", sets.age, false),
    test(
      "text embeddings are likely essential for content-based genres",
      "text",
      sets.content,
      true,
    ),
  ];
}
