/**
 * Whether a description has text a model can read — the one rule every reader and embedder
 * applies, independent of any fitted vocabulary: after Unicode NFKC normalisation and removing
 * invisible format characters (zero-width spaces and joiners, the byte-order mark, direction
 * marks), the text must hold at least one word (a run of letters, marks or digits, in any
 * script) that is not an English stop word. An empty description, one of only zero-width
 * characters, `...`, or only `the and of` fails it alike.
 *
 * @module
 */

import { ENGLISH_STOP_WORDS } from "./stop_words.ts";

/** Invisible format characters (Unicode category Cf: U+200B–U+200F, U+2060, U+FEFF, …). */
const FORMAT = /\p{Cf}/gu;
/** A word: letters, combining marks and digits in any script. */
const WORD = /[\p{L}\p{M}\p{N}]+/gu;

/**
 * Why `text` has no usable text, as a phrase for a message (`"is empty"`, `"has no letter or
 * digit"`, `"has only stop words (the, of)"`), or `undefined` when it is usable.
 *
 * @example
 * ```ts
 * unusableTextReason("A heist in Madrid."); // undefined
 * unusableTextReason("\u200B\u200B"); // "has only invisible characters"
 * unusableTextReason("..."); // "has no letter or digit"
 * unusableTextReason("The and of"); // "has only stop words (the, and, of)"
 * ```
 */
export function unusableTextReason(text: string): string | undefined {
  if (text.trim() === "") return "is empty";
  const visible = text.normalize("NFKC").replace(FORMAT, "");
  if (visible.trim() === "") return "has only invisible characters";
  const words = visible.toLowerCase().match(WORD) ?? [];
  if (words.length === 0) return "has no letter or digit";
  if (words.every((w) => ENGLISH_STOP_WORDS.has(w))) {
    const shown = [...new Set(words)].slice(0, 5);
    return `has only stop words (${shown.join(", ")}${words.length > shown.length ? ", …" : ""})`;
  }
  return undefined;
}

/**
 * Whether `text` has usable text (see the module doc): `unusableTextReason(text) === undefined`.
 *
 * @example
 * ```ts
 * hasUsableText("Whales and reefs."); // true
 * hasUsableText("\u200B ... the"); // false
 * ```
 */
export function hasUsableText(text: string): boolean {
  return unusableTextReason(text) === undefined;
}
