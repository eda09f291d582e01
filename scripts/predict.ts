/**
 * `deno task predict --input new_titles.csv [--output predictions.csv] [--model NAME]
 * [--dir processed_data]`: predicts genres for new titles with a saved genre model, streaming
 * the input in batches (any size).
 *
 * `--explain` says why: with `--description "…"` (and optionally `--title`, `--type`, `--rating`,
 * `--cast`, `--director`, `--country`, `--duration`) it prints the predicted genres of that one
 * title with probabilities, thresholds, block contributions and the words and names behind each
 * genre; with `--input` it writes those explanations as JSON (`--output`, default
 * explanations.json). Needs `deno task explain` to have run.
 *
 * @module
 */

import {
  dirFlag,
  inputFileFlag,
  outputFileFlag,
  parseFlags,
  runCommand,
  UsageError,
} from "../lib/io/cli_args.ts";
import { formatProblems, formatWarnings } from "../lib/data/netflix_csv.ts";
import { peakRssMiB } from "../lib/core/peak_rss.ts";
import { inputWarnings, predictFile } from "../lib/pipeline/predict_titles.ts";
import { titlesFromRecords } from "../lib/data/title_records.ts";
import {
  explainFile,
  explainTitles,
  formatExplanation,
  openExplainer,
} from "../lib/pipeline/explain_title.ts";

const USAGE =
  `Usage: deno task predict --input new_titles.csv [--output predictions.csv] [--model NAME] [--explain]
       deno task predict --explain --description "…" [--type "TV Show"] [--rating TV-MA] …
  --input PATH     titles in NetFlix.csv's columns (the genres column may be absent)
  --output PATH    predictions CSV (default predictions.csv; never the input file)
  --model NAME     a model under processed_data/models/ (default: metrics.json's best)
  --dir DIR        processed folder (default processed_data)
  --strict         refuse the whole input (write nothing) when a row is bad or has a value the
                   model reads as missing or unknown (implausible duration, unseen rating, …);
                   by default such rows are skipped or predicted with a warning
  --explain        say why: per genre the probability, threshold, feature blocks and words
                   (after \`deno task explain\`); with --input writes JSON (default
                   explanations.json)
  --description T  explain one title typed here (with --explain); optional --title, --type,
                   --rating, --cast, --director, --country, --duration`;

const RECORD_FLAGS = [
  "title",
  "type",
  "rating",
  "cast",
  "director",
  "country",
  "duration",
] as const;

if (import.meta.main) {
  await runCommand(USAGE, async () => {
    const values = parseFlags(Deno.args, {
      input: { type: "string" },
      output: { type: "string", default: "predictions.csv" },
      model: { type: "string" },
      dir: { type: "string", default: "processed_data" },
      explain: { type: "boolean", default: false },
      strict: { type: "boolean", default: false },
      description: { type: "string" },
      title: { type: "string" },
      type: { type: "string" },
      rating: { type: "string" },
      cast: { type: "string" },
      director: { type: "string" },
      country: { type: "string" },
      duration: { type: "string" },
      help: { type: "boolean", short: "h" },
    });
    dirFlag("dir", values.dir);
    if (values.strict && values.explain) {
      throw new UsageError("--strict applies to predictions; leave it out with --explain");
    }
    if (values.description !== undefined || RECORD_FLAGS.some((f) => values[f] !== undefined)) {
      if (!values.explain) throw new UsageError("--description and the title flags need --explain");
      if (values.input) throw new UsageError("give either --input or --description, not both");
      if (!values.description?.trim()) {
        throw new UsageError('--description is required to explain one title (--description "…")');
      }
      const record = {
        description: values.description,
        ...Object.fromEntries(
          RECORD_FLAGS.filter((f) => values[f] !== undefined).map((f) => [f, values[f]]),
        ),
      };
      const explainer = await openExplainer({ dir: values.dir, model: values.model });
      const warnings = inputWarnings(explainer.model, titlesFromRecords([record]));
      if (warnings.length > 0) console.error(formatWarnings("the title given by flags", warnings));
      const [e] = await explainTitles(explainer, [record]);
      console.log(formatExplanation(e));
      return;
    }
    if (!values.input) throw new UsageError("--input is required (--input new_titles.csv)");
    inputFileFlag("input", values.input, { example: "new_titles.csv" });
    if (values.explain) {
      const output = Deno.args.some((a) => a === "--output" || a.startsWith("--output="))
        ? values.output
        : "explanations.json";
      outputFileFlag("output", output, { example: "explanations.json" });
      const r = await explainFile(values.input, output, { dir: values.dir, model: values.model });
      if (r.problems.length > 0) {
        console.error(
          formatProblems(values.input, r.problems).replace(
            "Fix these rows in the CSV and run again.",
            "These rows were skipped; the other rows were explained.",
          ),
        );
      }
      console.log(`Explained ${r.explained} title(s) with model "${r.model}" → ${output}`);
      return;
    }
    outputFileFlag("output", values.output, { example: "predictions.csv" });
    const result = await predictFile(values.input, values.output, {
      dir: values.dir,
      model: values.model,
      strict: values.strict,
    });
    if (result.warnings.length > 0) console.error(formatWarnings(values.input, result.warnings));
    if (result.problems.length > 0) {
      console.error(
        formatProblems(values.input, result.problems).replace(
          "Fix these rows in the CSV and run again.",
          "These rows were skipped; the other rows were predicted.",
        ),
      );
    }
    if (result.predicted === 0) {
      throw new Error(
        result.problems.length > 0
          ? `no row of ${values.input} could be predicted; fix the rows listed above`
          : `${values.input} has a header but no data rows: add one title per line below the ` +
            "header (NetFlix.csv's columns; the genres column may be left out)",
      );
    }
    console.log(
      `Predicted ${result.predicted} title(s) with model "${result.model}" → ${values.output}` +
        (result.problems.length ? ` (${result.problems.length} bad row(s) skipped)` : "") +
        ` in ${result.seconds.toFixed(1)} s (${
          (result.predicted / result.seconds).toFixed(0)
        } titles/s, peak memory ${peakRssMiB().toFixed(0)} MiB)`,
    );
  });
}
