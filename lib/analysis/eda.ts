/**
 * Small descriptive statistics for the EDA notebook.
 *
 * @module
 */

/** A value and how often it occurs. */
export interface ValueCount {
  value: string;
  count: number;
}

/**
 * Counts each distinct value, most frequent first (ties by value).
 *
 * @example
 * ```ts
 * countBy(["Movie", "TV Show", "Movie"]); // [{value: "Movie", count: 2}, {value: "TV Show", count: 1}]
 * ```
 */
export function countBy(values: readonly string[]): ValueCount[] {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
}

/** Summary of text lengths in words. */
export interface LengthSummary {
  min: number;
  max: number;
  mean: number;
  median: number;
  /** Histogram: `[from, to)` word-count bins with counts. */
  bins: { from: number; to: number; label: string; count: number }[];
}

/**
 * Word counts of texts (whitespace-separated) with a histogram of `binWidth`-word bins.
 *
 * @example
 * ```ts
 * wordLengths(["a b c", "d e"], { binWidth: 2 }).mean; // 2.5
 * ```
 */
export function wordLengths(
  texts: readonly string[],
  options: { binWidth?: number } = {},
): LengthSummary {
  if (texts.length === 0) throw new RangeError("wordLengths: no texts given");
  const width = options.binWidth ?? 2;
  const lengths = texts.map((t) => t.trim().split(/\s+/).filter(Boolean).length);
  const sorted = [...lengths].sort((a, b) => a - b);
  const n = sorted.length;
  const median = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  const min = sorted[0];
  const max = sorted[n - 1];
  const bins: LengthSummary["bins"] = [];
  for (let from = Math.floor(min / width) * width; from <= max; from += width) {
    bins.push({ from, to: from + width, label: `${from}–${from + width - 1}`, count: 0 });
  }
  const first = bins[0].from;
  for (const l of lengths) bins[Math.floor((l - first) / width)].count++;
  return { min, max, mean: lengths.reduce((a, b) => a + b, 0) / n, median, bins };
}

/**
 * One colour label (the `color` field of a scatter) per title for plots: among the `top` most frequent genres, the title's rarest
 * one (the most specific), else `"Other genres"`.
 *
 * @example
 * ```ts
 * colorGenre([["Dramas", "International Movies"], ["Anime Series"]], { top: 2 });
 * // ["Dramas", "Other genres"] when Dramas and International Movies are the top two
 * ```
 */
export function colorGenre(genres: readonly string[][], options: { top?: number } = {}): string[] {
  const top = options.top ?? 10;
  const freq = countBy(genres.flat());
  const rank = new Map(freq.slice(0, top).map((f, i) => [f.value, i]));
  return genres.map((gs) => {
    let best: string | undefined;
    for (const g of gs) {
      const r = rank.get(g);
      if (r !== undefined && (best === undefined || r > rank.get(best)!)) best = g;
    }
    return best ?? "Other genres";
  });
}
