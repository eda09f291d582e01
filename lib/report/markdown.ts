/**
 * Markdown to HTML for the notebook report, with the `marked` library (GitHub-flavoured
 * Markdown). Raw HTML is off: HTML in the Markdown is shown as text. All text is escaped, links
 * are limited to http(s), mailto, anchors and relative paths, and headings move one level down
 * (the page's own title is the only `<h1>`) with ids for the table of contents.
 *
 * @module
 */

import { Marked, type RendererObject, type Tokens } from "marked";
import { escapeHtml } from "../display/escape_html.ts";

/** A heading found while rendering, for the table of contents. */
export interface Heading {
  level: number;
  text: string;
  id: string;
}

/** Options for {@linkcode markdownToHtml}. */
export interface MarkdownOptions {
  /** Prefix of every heading id (keeps ids apart when notebooks share a page). */
  idPrefix?: string;
  /** Receives every heading rendered, in order. */
  headings?: Heading[];
}

function safeUrl(url: string): string | undefined {
  const u = url.trim();
  if (/^(https?:|mailto:|#|\.{0,2}\/|[\w.-]+(\/|$|#|\?))/i.test(u) && !/^\s*javascript:/i.test(u)) {
    return u;
  }
  return undefined;
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^\w]+/g, "-").replace(/^-|-$/g, "") || "section";
}

/** The project's renderer: escaping, safe links, shifted headings, compact lists and cells. */
function renderer(options: MarkdownOptions): RendererObject {
  const prefix = options.idPrefix ?? "";
  return {
    html(token: Tokens.HTML | Tokens.Tag): string {
      // Raw HTML is off: a block of it becomes a paragraph of text, inline HTML stays text.
      return token.block ? `<p>${escapeHtml(token.text.trim())}</p>\n` : escapeHtml(token.text);
    },
    heading(token: Tokens.Heading): string {
      const id = `${prefix}${slug(token.text)}`;
      options.headings?.push({ level: token.depth, text: token.text, id });
      const tag = `h${Math.min(token.depth + 1, 6)}`;
      return `<${tag} id="${escapeHtml(id)}">${this.parser.parseInline(token.tokens)}</${tag}>\n`;
    },
    code(token: Tokens.Code): string {
      const lang = token.lang ? ` class="language-${escapeHtml(token.lang.split(/\s/)[0])}"` : "";
      return `<pre><code${lang}>${escapeHtml(token.text)}</code></pre>\n`;
    },
    link(token: Tokens.Link): string {
      const label = this.parser.parseInline(token.tokens);
      const safe = safeUrl(token.href);
      return safe ? `<a href="${escapeHtml(safe)}">${label}</a>` : label;
    },
    image(token: Tokens.Image): string {
      const safe = safeUrl(token.href);
      const label = escapeHtml(token.text);
      return safe ? `<a href="${escapeHtml(safe)}">${label}</a>` : label;
    },
    list(token: Tokens.List): string {
      const tag = token.ordered ? "ol" : "ul";
      const start = token.ordered && token.start !== 1 && token.start !== ""
        ? ` start="${token.start}"`
        : "";
      return `<${tag}${start}>${
        token.items.map((item) => this.listitem(item)).join("")
      }</${tag}>\n`;
    },
    listitem(item: Tokens.ListItem): string {
      return `<li>${this.parser.parse(item.tokens).trim()}</li>`;
    },
    tablecell(token: Tokens.TableCell): string {
      const tag = token.header ? "th" : "td";
      return `<${tag} style="text-align:${token.align ?? "left"}">${
        this.parser.parseInline(token.tokens)
      }</${tag}>`;
    },
  };
}

function markedFor(options: MarkdownOptions): Marked {
  return new Marked({ gfm: true, async: false, renderer: renderer(options) });
}

/**
 * Renders Markdown (headings, paragraphs, lists, fenced code, block quotes, tables, rules, inline
 * code, bold, italic, links) to HTML. All text is escaped; raw HTML in the Markdown is shown as
 * text; links are limited to http(s), mailto, anchors and relative paths.
 *
 * @example
 * ```ts
 * markdownToHtml("# Results\n\nF1 **0.52** for `lr` & <rf>");
 * ```
 */
export function markdownToHtml(markdown: string, options: MarkdownOptions = {}): string {
  return (markedFor(options).parse(markdown) as string).trimEnd();
}

/**
 * Renders one line of inline Markdown (code spans, bold, italic, links), escaped like
 * {@linkcode markdownToHtml}; for heading text in the table of contents.
 *
 * @example
 * ```ts
 * inlineMarkdownToHtml("Easy **vs** hard <genres>"); // "Easy <strong>vs</strong> hard &lt;genres&gt;"
 * ```
 */
export function inlineMarkdownToHtml(text: string): string {
  return markedFor({}).parseInline(text) as string;
}
