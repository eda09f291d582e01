/**
 * `deno task data [--input PATH] [--output PATH] [--force]`: puts NetFlix.csv into data/.
 * Uses --input, else the NETFLIX_CSV variable, else downloads the published file and checks
 * its SHA-256.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { DEFAULT_DATA_PATH, fetchDataset } from "../lib/dataset_source.ts";

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      input: { type: "string" },
      output: { type: "string", default: DEFAULT_DATA_PATH },
      force: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(
      "Usage: deno task data [--input PATH] [--output data/NetFlix.csv] [--force]\n" +
        "Copies NetFlix.csv from --input or $NETFLIX_CSV, or downloads and verifies it.",
    );
    Deno.exit(0);
  }
  try {
    await fetchDataset({
      input: values.input ?? (Deno.env.get("NETFLIX_CSV") || undefined),
      output: values.output,
      force: values.force,
    });
  } catch (err) {
    console.error(`error: ${(err as Error).message}`);
    Deno.exit(1);
  }
}
