/**
 * `deno task data [--input PATH] [--output PATH] [--force]`: puts NetFlix.csv into data/.
 * Uses --input, else the NETFLIX_CSV variable, else downloads the published file and checks
 * its SHA-256. An existing file with other contents is kept unless --force is given.
 *
 * @module
 */

import { inputFileFlag, outputFileFlag, parseFlags, runCommand } from "../lib/io/cli_args.ts";
import { DEFAULT_DATA_PATH, fetchDataset } from "../lib/data/dataset_source.ts";

const USAGE = `Usage: deno task data [--input PATH] [--output ${DEFAULT_DATA_PATH}] [--force]
Copies NetFlix.csv from --input or $NETFLIX_CSV, or downloads and verifies the published file.

  --input PATH    local NetFlix.csv to copy (default: $NETFLIX_CSV, else download)
  --output PATH   where to put it (default ${DEFAULT_DATA_PATH})
  --force         replace an existing file with other contents (or download again)
  -h, --help      show this help`;

if (import.meta.main) {
  await runCommand(USAGE, async () => {
    const flags = parseFlags(Deno.args, {
      input: { type: "string" },
      output: { type: "string", default: DEFAULT_DATA_PATH },
      force: { type: "boolean", default: false },
    });
    const envInput = flags.input === undefined
      ? Deno.env.get("NETFLIX_CSV") || undefined
      : undefined;
    const input = flags.input ?? envInput;
    if (input !== undefined) {
      inputFileFlag("input", input, {
        env: envInput === undefined ? undefined : "NETFLIX_CSV",
        example: "../NetFlix.csv",
      });
    }
    outputFileFlag("output", flags.output, { example: DEFAULT_DATA_PATH });
    await fetchDataset({
      input,
      output: flags.output,
      force: flags.force,
    });
  });
}
