/**
 * Markdown results tables from `processed_data/metrics.json`, side by side with the published test
 * scores of the study this project reproduces, and an in-place update of the README section
 * between `<!-- results:start -->` and `<!-- results:end -->`.
 *
 * @module
 */

import { type ModelMetrics, parseMetricsFile } from "../pipeline/metrics_file.ts";
import { PUBLISHED_TEST_SCORES, type PublishedScores } from "./study_reference.ts";

/**
 * What the tables read of one model's entry in metrics.json (a view of
 * {@linkcode ModelMetrics}; the file itself is read by `parseMetricsFile`).
 */
export type ModelScores =
  & Pick<ModelMetrics, "f1_macro" | "f1_micro" | "exact_match">
  & Partial<Pick<ModelMetrics, "f1_samples" | "f1_weighted" | "hamming_loss" | "fit_seconds">>
  & {
    /** The same model's scores on the temporal split, when it was run. */
    temporal?: Pick<ModelMetrics, "f1_macro" | "f1_micro" | "exact_match">;
  };

/** What the tables read of metrics.json (a view of the `MetricsFile` type of lib/pipeline/metrics_file.ts). */
export interface ResultsInput {
  /** Name of the selected model (a key of `models`). */
  best: string;
  /** Scores per model name. */
  models: Record<string, ModelScores>;
}

/**
 * Start marker of the generated README section.
 *
 * @example
 * ```ts
 * const readme = `${RESULTS_START}\n${RESULTS_END}\n`;
 * ```
 */
export const RESULTS_START = "<!-- results:start -->";
/**
 * End marker of the generated README section.
 *
 * @example
 * ```ts
 * const readme = await Deno.readTextFile("README.md");
 * readme.indexOf(RESULTS_END) > readme.indexOf(RESULTS_START); // true
 * ```
 */
export const RESULTS_END = "<!-- results:end -->";

/** Escapes text for a Markdown table cell (pipes, newlines, and HTML-significant characters). */
function cell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ")
    .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function num(x: unknown, digits = 4): string {
  return typeof x === "number" && Number.isFinite(x) ? x.toFixed(digits) : "–";
}

function pct(x: unknown): string {
  return typeof x === "number" && Number.isFinite(x) ? `${(x * 100).toFixed(2)} %` : "–";
}

/** A count with thousands separators (`5,661`), as the README's prose writes them. */
function count(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function signed(x: number, digits = 4): string {
  return `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(digits)}`;
}

/** Display width of a cell as `deno fmt` counts it (one column per code point). */
function width(text: string): number {
  return [...text].length;
}

/**
 * A Markdown table laid out exactly as `deno fmt` lays it out: every column padded to its widest
 * cell (numbers right-aligned, text left-aligned), the separator row filled with dashes. Running
 * `deno fmt` on the result changes nothing.
 *
 * @example
 * ```ts
 * markdownTable(["Model", "F1"], [["lr", "0.25"]], ["l", "r"]);
 * // "| Model |   F1 |\n| ----- | ---: |\n| lr    | 0.25 |"
 * ```
 */
export function markdownTable(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly ("l" | "r")[],
): string {
  const widths = head.map((h, j) => Math.max(3, width(h), ...rows.map((r) => width(r[j] ?? ""))));
  const pad = (text: string, j: number) => {
    const fill = " ".repeat(widths[j] - width(text));
    return align[j] === "r" ? fill + text : text + fill;
  };
  const line = (cells: readonly string[]) =>
    `| ${widths.map((_, j) => pad(cells[j] ?? "", j)).join(" | ")} |`;
  const sep = `| ${
    widths.map((w, j) => (align[j] === "r" ? "-".repeat(w - 1) + ":" : "-".repeat(w))).join(" | ")
  } |`;
  return [line(head), sep, ...rows.map(line)].join("\n");
}

/**
 * Which published model one of ours corresponds to, guessed from its name ("logreg", "lr",
 * "logistic…" → Logistic Regression; "rf", "random_forest", "forest…" → Random Forest).
 *
 * @example
 * ```ts
 * publishedCounterpart("tfidf_logreg"); // "Logistic Regression"
 * ```
 */
export function publishedCounterpart(modelName: string): string | undefined {
  const n = modelName.toLowerCase();
  if (/logistic|logreg|(^|[^a-z])lr([^a-z]|$)/.test(n)) return "Logistic Regression";
  if (/forest|(^|[^a-z])rf([^a-z]|$)/.test(n)) return "Random Forest";
  return undefined;
}

/** Options for {@linkcode resultsTables}. */
export interface ResultsTableOptions {
  /** Map our model name → published model name, overriding {@linkcode publishedCounterpart}. */
  counterparts?: Record<string, string>;
  /** Published scores to compare with (default {@linkcode PUBLISHED_TEST_SCORES}). */
  published?: Readonly<Record<string, Readonly<PublishedScores>>>;
}

/** The generated Markdown tables. */
export interface ResultsTables {
  /** All our models: every averaged F1, exact match, Hamming loss, fit time. */
  models: string;
  /** Published vs ours on the three metrics the study reports, with differences. */
  comparison: string;
  /**
   * Every model on the random split beside the temporal split, with the change (absent when no
   * model has temporal scores).
   */
  temporal?: string;
}

/**
 * Builds the Markdown tables: all our models, and ours beside the study's published test scores.
 * Models are listed best first (by F1 macro), the selected model marked with ★.
 *
 * @example
 * ```ts
 * import { parseMetricsFile } from "../pipeline/metrics_file.ts";
 * const metrics = parseMetricsFile(JSON.parse(await Deno.readTextFile("processed_data/metrics.json")));
 * const tables = resultsTables(metrics);
 * console.log(tables.models + "\n\n" + tables.comparison);
 * ```
 */
export function resultsTables(
  metrics: ResultsInput,
  options: ResultsTableOptions = {},
): ResultsTables {
  const published = options.published ?? PUBLISHED_TEST_SCORES;
  const names = Object.keys(metrics.models).sort((a, b) =>
    metrics.models[b].f1_macro - metrics.models[a].f1_macro || (a < b ? -1 : 1)
  );
  const label = (name: string) => (name === metrics.best ? `**${cell(name)}** ★` : cell(name));

  const models = markdownTable(
    [
      "Model",
      "F1 macro",
      "F1 micro",
      "F1 samples",
      "F1 weighted",
      "Exact match",
      "Hamming loss",
      "Fit time (s)",
    ],
    names.map((name) => {
      const m = metrics.models[name];
      return [
        label(name),
        num(m.f1_macro),
        num(m.f1_micro),
        num(m.f1_samples),
        num(m.f1_weighted),
        pct(m.exact_match),
        num(m.hamming_loss),
        num(m.fit_seconds, 1),
      ];
    }),
    ["l", "r", "r", "r", "r", "r", "r", "r"],
  );

  const rows: string[][] = [];
  for (const [pubName, p] of Object.entries(published)) {
    rows.push([
      `${cell(pubName)} (published)`,
      num(p.f1_macro),
      num(p.f1_micro),
      pct(p.exact_match),
    ]);
  }
  for (const name of names) {
    const m = metrics.models[name];
    const counterpart = options.counterparts?.[name] ?? publishedCounterpart(name);
    const p = counterpart ? published[counterpart] : undefined;
    const delta = (ours: number, theirs: number | undefined, d = 4) =>
      theirs === undefined ? "" : ` (${signed(ours - theirs, d)})`;
    rows.push([
      `${label(name)} (ours${p ? ` vs ${cell(counterpart!)}` : ""})`,
      num(m.f1_macro) + delta(m.f1_macro, p?.f1_macro),
      num(m.f1_micro) + delta(m.f1_micro, p?.f1_micro),
      pct(m.exact_match) +
      (p ? ` (${signed((m.exact_match - p.exact_match) * 100, 2)} pp)` : ""),
    ]);
  }
  const comparison = markdownTable(
    ["Model", "F1 macro", "F1 micro", "Exact match"],
    rows,
    ["l", "r", "r", "r"],
  );
  const withTemporal = names.filter((n) => metrics.models[n].temporal);
  const temporal = withTemporal.length === 0 ? undefined : markdownTable(
    [
      "Model",
      ...SPLIT_F1_HEADERS,
      "Exact match random",
      "Exact match temporal",
    ],
    withTemporal.map((name) => {
      const m = metrics.models[name];
      const t = m.temporal!;
      return [
        label(name),
        ...splitF1Cells(m, t),
        pct(m.exact_match),
        pct(t.exact_match),
      ];
    }),
    ["l", "r", "r", "r", "r", "r", "r", "r", "r"],
  );
  return { models, comparison, ...(temporal ? { temporal } : {}) };
}

/**
 * The full README section body: both tables with short captions.
 *
 * @example
 * ```ts
 * import { parseMetricsFile } from "../pipeline/metrics_file.ts";
 * const metrics = parseMetricsFile(JSON.parse(await Deno.readTextFile("processed_data/metrics.json")));
 * const section = resultsMarkdown(resultsTables(metrics));
 * ```
 */
export function resultsMarkdown(tables: ResultsTables): string {
  return [
    "Test-set scores of our models (best by F1 macro first; ★ = selected model):",
    "",
    tables.models,
    "",
    "Compared with the study's published test scores (differences in brackets; pp = percentage " +
    "points):",
    "",
    tables.comparison,
  ].join("\n");
}

/**
 * Replaces the text between `<!-- results:start -->` and `<!-- results:end -->` in a README with
 * the generated tables (markers kept). Accepts the tables object or ready Markdown. Throws when
 * the markers are missing, duplicated or out of order.
 *
 * @example
 * ```ts
 * import { parseMetricsFile } from "../pipeline/metrics_file.ts";
 * const readme = await Deno.readTextFile("README.md");
 * const metrics = parseMetricsFile(JSON.parse(await Deno.readTextFile("processed_data/metrics.json")));
 * await Deno.writeTextFile("README.md", updateReadme(readme, resultsTables(metrics)));
 * ```
 */
export function updateReadme(readmeText: string, tables: ResultsTables | string): string {
  const body = typeof tables === "string" ? tables : resultsMarkdown(tables);
  const start = readmeText.indexOf(RESULTS_START);
  const end = readmeText.indexOf(RESULTS_END);
  if (start < 0 || end < 0) {
    throw new Error(
      `README has no results section: add the lines "${RESULTS_START}" and "${RESULTS_END}" ` +
        "where the tables should go",
    );
  }
  if (
    readmeText.indexOf(RESULTS_START, start + 1) >= 0 ||
    readmeText.indexOf(RESULTS_END, end + 1) >= 0
  ) {
    throw new Error(`README has more than one "${RESULTS_START}"/"${RESULTS_END}" pair; keep one`);
  }
  if (end < start) {
    throw new Error(`README has "${RESULTS_END}" before "${RESULTS_START}"; swap them`);
  }
  const nl = readmeText.includes("\r\n") ? "\r\n" : "\n";
  const content = body.trim().replace(/\r?\n/g, nl);
  // Blank lines around the content, as `deno fmt` puts them.
  return readmeText.slice(0, start + RESULTS_START.length) + nl + nl + content + nl + nl +
    readmeText.slice(end);
}

/** One ablation row as stored in metrics.json. */
export interface AblationRow {
  features: string[];
  n_features: number;
  f1_macro: number;
  f1_micro: number;
  exact_match: number;
  cv_f1_macro: number;
  /** The same row on the temporal split, when it was run. */
  temporal?: Pick<AblationRow, "f1_macro" | "f1_micro" | "exact_match" | "cv_f1_macro">;
}

/** Columns comparing F1 macro and micro on the two splits (Δ = temporal − random). */
const SPLIT_F1_HEADERS = [
  "F1 macro random",
  "F1 macro temporal",
  "Δ F1 macro",
  "F1 micro random",
  "F1 micro temporal",
  "Δ F1 micro",
];

/** The cells under {@linkcode SPLIT_F1_HEADERS}. */
function splitF1Cells(
  random: { f1_macro: number; f1_micro: number },
  temporal: { f1_macro: number; f1_micro: number },
): string[] {
  return [
    num(random.f1_macro),
    num(temporal.f1_macro),
    signed(temporal.f1_macro - random.f1_macro),
    num(random.f1_micro),
    num(temporal.f1_micro),
    signed(temporal.f1_micro - random.f1_micro),
  ];
}

/**
 * Markdown table of the ablation (the best model retrained on subsets of the feature blocks),
 * with the full model as the last row.
 */
function ablationTable(
  ablation: Record<string, AblationRow>,
  options: { full?: AblationRow } = {},
): string {
  const rows = Object.values(ablation);
  if (options.full) rows.push(options.full);
  return markdownTable(
    ["Feature blocks", "Columns", "CV F1 macro", "Test F1 macro", "Test F1 micro", "Exact match"],
    rows.map((r) => [
      cell(r.features.join(" + ")),
      String(r.n_features),
      num(r.cv_f1_macro),
      num(r.f1_macro),
      num(r.f1_micro),
      pct(r.exact_match),
    ]),
    ["l", "r", "r", "r", "r", "r"],
  );
}

/**
 * Markdown table of the ablation on both splits: test F1 on the random split, on the temporal
 * split, and the change, per feature set (the full model last). Undefined when no row has
 * temporal scores.
 */
function ablationSplitTable(
  ablation: Record<string, AblationRow>,
  options: { full?: AblationRow } = {},
): string | undefined {
  const rows = Object.values(ablation);
  if (options.full) rows.push(options.full);
  const both = rows.filter((r) => r.temporal);
  if (both.length === 0) return undefined;
  return markdownTable(
    ["Feature blocks", ...SPLIT_F1_HEADERS],
    both.map((r) => [
      cell(r.features.join(" + ")),
      ...splitF1Cells(r, r.temporal!),
    ]),
    ["l", "r", "r", "r", "r", "r", "r"],
  );
}

/**
 * Wraps one Markdown paragraph greedily at `width` columns, as `deno fmt` does: breaks only at
 * spaces outside code spans.
 *
 * @example
 * ```ts
 * wrapParagraph("a b c", 3); // "a b\nc"
 * ```
 */
export function wrapParagraph(text: string, width = 100): string {
  const words: string[] = [];
  let inCode = false;
  let word = "";
  for (const ch of text) {
    if (ch === "`") inCode = !inCode;
    if (ch === " " && !inCode) {
      if (word) words.push(word);
      word = "";
    } else {
      word += ch;
    }
  }
  if (word) words.push(word);
  const lines: string[] = [];
  let line = "";
  for (const w of words) {
    if (line && [...line].length + 1 + [...w].length > width) {
      lines.push(line);
      line = w;
    } else {
      line = line ? `${line} ${w}` : w;
    }
  }
  if (line) lines.push(line);
  return lines.join("\n");
}

/**
 * The README results section body for a parsed `metrics.json` (scores, comparison, ablation and
 * the provenance line), formatted as `deno fmt` formats it, so regenerating it from the same
 * numbers gives the same bytes. `source` is the path named in the provenance line.
 *
 * @example
 * ```ts
 * const raw = JSON.parse(await Deno.readTextFile("processed_data/metrics.json"));
 * const body = readmeResults(raw, { source: "processed_data/metrics.json" });
 * ```
 */
export function readmeResults(raw: unknown, options: { source: string }): string {
  const metrics = parseMetricsFile(raw, options);
  const m = metrics;
  const tables = resultsTables(metrics);
  const parts = [resultsMarkdown(tables)];
  const t = m.split?.temporal;
  if (tables.temporal) {
    parts.push(
      "",
      wrapParagraph(
        "The same models on the temporal split" +
          (t
            ? ` (trained on the ${count(t.train)} titles added through ${t.last_train_year} or ` +
              `undated, tested on the ${count(t.test)} added later)`
            : "") +
          ", every choice made on its training rows as on the random split (Δ = temporal − " +
          "random):",
      ),
      "",
      tables.temporal,
    );
  }
  if (m.ablation && Object.keys(m.ablation).length > 0) {
    const full: AblationRow = metrics.models[metrics.best];
    parts.push(
      "",
      wrapParagraph(
        `Ablation: the selected model (${cell(metrics.best)}) retrained on subsets of the ` +
          "feature blocks (`deno task all --ablation` or `deno task train` makes it):",
      ),
      "",
      ablationTable(m.ablation, { full }),
    );
    const split = ablationSplitTable(m.ablation, { full });
    if (split) {
      parts.push(
        "",
        wrapParagraph(
          "The ablation on both splits: test F1 of each feature set on the random split and on " +
            "the temporal split (Δ = temporal − random; the most negative Δ ages worst):",
        ),
        "",
        split,
      );
    }
  }
  parts.push(
    "",
    wrapParagraph(
      `_Generated by \`deno task readme\` from \`${options.source}\` (${m.created ?? "undated"})._`,
    ),
  );
  return parts.join("\n");
}
