/**
 * `deno task predict --input new_titles.csv [--output predictions.csv] [--model NAME]
 * [--dir processed_data]`: predicts genres for new titles with the saved preprocessing and model.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { atomicWrite } from "../lib/atomic_write.ts";
import { formatProblems } from "../lib/netflix_csv.ts";
import { predictionsCsv, predictTitles } from "../lib/predict_titles.ts";

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      input: { type: "string" },
      output: { type: "string", default: "predictions.csv" },
      model: { type: "string" },
      dir: { type: "string", default: "processed_data" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help || !values.input) {
    console.log(
      "Usage: deno task predict --input new_titles.csv [--output predictions.csv] " +
        "[--model NAME] [--dir processed_data]\n" +
        "The input has NetFlix.csv's columns; the genres column may be absent.",
    );
    Deno.exit(values.help ? 0 : 2);
  }
  try {
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(values.input);
    } catch (err) {
      throw new Error(`cannot read --input ${values.input} (${(err as Error).message})`);
    }
    const result = await predictTitles(bytes, {
      dir: values.dir,
      model: values.model,
      source: values.input,
    });
    if (result.problems.length > 0) {
      console.error(
        formatProblems(values.input, result.problems).replace(
          "Fix these rows in the CSV and run again.",
          "These rows were skipped; the other rows were predicted.",
        ),
      );
    }
    await atomicWrite(values.output!, predictionsCsv(result));
    console.log(
      `Predicted ${result.titles.length} title(s) with model "${result.model}" → ${values.output}` +
        (result.problems.length ? ` (${result.problems.length} bad row(s) skipped)` : ""),
    );
  } catch (err) {
    console.error(`error: ${(err as Error).message}`);
    Deno.exit(1);
  }
}
