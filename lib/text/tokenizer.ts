/**
 * Splits text into terms the way scikit-learn's default word analyzer does: lowercase, tokens
 * are runs of two or more word characters (letters, numbers and `_` in any script, like Python's
 * `(?u)\b\w\w+\b`), stop words are dropped, then word n-grams are joined by single spaces.
 *
 * Like scikit-learn, nothing else is normalised: HTML entities stay as text (`&amp;` gives the
 * token `amp`), accents are kept, and an apostrophe splits a word (`don't` gives `don`; the lone
 * `t` is too short to be a token). Combining marks are not word characters (as in Python), so
 * scripts written with them split into short pieces.
 *
 * @module
 */

/** Runs of 2+ letters, numbers or underscores (Unicode-aware, like Python's `\w\w+`). */
const TOKEN = /[\p{L}\p{N}_]{2,}/gu;

/**
 * Lowercases `text` and returns its tokens in order (no stop-word removal).
 *
 * @example
 * ```ts
 * import { tokenize } from "./tokenizer.ts";
 * tokenize("Tom & Jerry's 2nd movie!"); // ["tom", "jerry", "2nd", "movie"]
 * ```
 */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(TOKEN) ?? [];
}

/** Options for {@linkcode analyze}. */
export interface AnalyzeOptions {
  /** Smallest and largest n-gram length (default `[1, 1]`). */
  ngramRange?: readonly [number, number];
  /** Lowercase words removed before n-grams are formed (default: none). */
  stopWords?: ReadonlySet<string>;
}

/**
 * Checks an n-gram range and returns it; throws a clear error when it is not `1 <= min <= max`.
 *
 * @example
 * ```ts
 * import { checkNgramRange } from "./tokenizer.ts";
 * checkNgramRange([1, 2]); // [1, 2]
 * ```
 */
export function checkNgramRange(range: readonly [number, number]): [number, number] {
  const [lo, hi] = range;
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 1 || hi < lo) {
    throw new RangeError(
      `ngramRange [${lo}, ${hi}] is invalid: give two whole numbers with 1 <= min <= max, ` +
        "e.g. [1, 2] for unigrams and bigrams",
    );
  }
  return [lo, hi];
}

/**
 * Tokenizes `text`, removes stop words, then returns all word n-grams in the range (unigrams
 * first, then bigrams, ...), words of an n-gram joined by one space, like scikit-learn.
 *
 * @example
 * ```ts
 * import { analyze } from "./tokenizer.ts";
 * import { ENGLISH_STOP_WORDS } from "../data/stop_words.ts";
 * analyze("The last of the dragons", { ngramRange: [1, 2], stopWords: ENGLISH_STOP_WORDS });
 * // ["last", "dragons", "last dragons"]
 * ```
 */
export function analyze(text: string, options: AnalyzeOptions = {}): string[] {
  const [lo, hi] = checkNgramRange(options.ngramRange ?? [1, 1]);
  const stop = options.stopWords;
  let tokens = tokenize(text);
  if (stop !== undefined && stop.size > 0) tokens = tokens.filter((t) => !stop.has(t));
  if (lo === 1 && hi === 1) return tokens;
  const out: string[] = lo === 1 ? tokens.slice() : [];
  for (let n = Math.max(2, lo); n <= hi; n++) {
    for (let i = 0; i + n <= tokens.length; i++) {
      let gram = tokens[i];
      for (let j = 1; j < n; j++) gram += " " + tokens[i + j];
      out.push(gram);
    }
  }
  return out;
}
