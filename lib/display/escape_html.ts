/**
 * Escaping text for HTML: the one helper every HTML writer (notebook tables, progress bars, the
 * report) uses, because titles and descriptions are data and may hold `<`, `&` or quotes.
 *
 * @module
 */

/**
 * Escapes text for safe inclusion in HTML (titles and descriptions come from the data set).
 *
 * @example
 * ```ts
 * escapeHtml("<b>Tom & Jerry</b>"); // "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;"
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}
