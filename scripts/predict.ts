/**
 * `deno task predict --input new_titles.csv [--output predictions.csv] [--model NAME]
 * [--dir processed_data]`: predicts genres for new titles with a saved genre model, streaming
 * the input in batches (any size).
 *
 * @module
 */

import { parseFlags, runCommand, UsageError } from "../lib/io/cli_args.ts";
import { formatProblems, formatWarnings } from "../lib/data/netflix_csv.ts";
import { peakRssMiB } from "../lib/core/peak_rss.ts";
import { predictFile } from "../lib/pipeline/predict_titles.ts";

const USAGE =
  `Usage: deno task predict --input new_titles.csv [--output predictions.csv] [--model NAME]
  --input PATH     titles in NetFlix.csv's columns (the genres column may be absent)
  --output PATH    predictions CSV (default predictions.csv; never the input file)
  --model NAME     a model under processed_data/models/ (default: metrics.json's best)
  --dir DIR        processed folder (default processed_data)`;

if (import.meta.main) {
  await runCommand(USAGE, async () => {
    const values = parseFlags(Deno.args, {
      input: { type: "string" },
      output: { type: "string", default: "predictions.csv" },
      model: { type: "string" },
      dir: { type: "string", default: "processed_data" },
      help: { type: "boolean", short: "h" },
    });
    if (!values.input) throw new UsageError("--input is required (--input new_titles.csv)");
    try {
      await Deno.stat(values.input);
    } catch {
      throw new Error(`--input ${values.input}: file not found`);
    }
    const result = await predictFile(values.input, values.output, {
      dir: values.dir,
      model: values.model,
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
      throw new Error(`no row of ${values.input} could be predicted; fix the rows listed above`);
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
