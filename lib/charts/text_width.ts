/**
 * Text width without a canvas: the one estimate of how wide a label is, used by the SVG
 * renderer (in place of Vega's 0.8 em per character) and by the scatter's label placement.
 *
 * @module
 */

// Advance widths in em for a DejaVu Sans / Verdana-like face, grouped coarsely by glyph shape.
// These are deliberately a little generous so labels are never clipped in wider fonts.
const NARROW = new Set("iljI.,:;!|'`".split(""));
const SEMI_NARROW = new Set('frt()[]{}-/\\" '.split(""));
const WIDE_LOWER = new Set("mw".split(""));
const WIDE_UPPER = new Set("MWOQDGH%@&".split(""));

function charEm(ch: string): number {
  if (NARROW.has(ch)) return 0.3;
  if (SEMI_NARROW.has(ch)) return 0.4;
  if (WIDE_LOWER.has(ch)) return 0.92;
  if (WIDE_UPPER.has(ch)) return 0.84;
  if (ch >= "0" && ch <= "9") return 0.64;
  if (ch >= "a" && ch <= "z") return 0.61;
  if (ch >= "A" && ch <= "Z") return 0.71;
  const code = ch.codePointAt(0) ?? 0;
  if (code >= 0x2e80) return 1.0; // CJK and other full-width scripts
  return 0.66;
}

/**
 * Estimated width in pixels of `text` at `fontSize` px in the chart font (bold is ~10% wider).
 * Used by server-side rendering where no canvas is available to measure text.
 *
 * @example
 * ```ts
 * estimateTextWidth("International TV Shows", 11); // ≈ 131
 * ```
 */
export function estimateTextWidth(
  text: string,
  fontSize: number,
  options: { bold?: boolean } = {},
): number {
  let em = 0;
  for (const ch of text) em += charEm(ch);
  return em * fontSize * (options.bold ? 1.1 : 1);
}
