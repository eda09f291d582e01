/**
 * `deno task readme`: regenerates the results section of README.md (between the
 * `<!-- results:start -->` and `<!-- results:end -->` markers) from processed_data/metrics.json.
 * The section is written as `deno fmt` formats it: the same numbers give the same bytes.
 *
 * Usage: `deno task readme [--metrics PATH] [--readme PATH]`
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { atomicWrite } from "../lib/io/atomic_write.ts";
import { inputFileFlag, parseFlags, runCommand } from "../lib/io/cli_args.ts";
import { readmeResults, updateReadme } from "../lib/report/results_table.ts";

const USAGE = `Usage: deno task readme [--metrics PATH] [--readme PATH]
  --metrics PATH   metrics file to read (default processed_data/metrics.json)
  --readme PATH    file whose results section is rewritten (default: the project's README.md)
  --help           show this help`;

if (import.meta.main) {
  await runCommand(USAGE, async () => {
    const flags = parseFlags(Deno.args, {
      metrics: { type: "string", default: "processed_data/metrics.json" },
      readme: { type: "string" },
    });
    const path = flags.metrics;
    inputFileFlag("metrics", path, { hint: "run `npx deno task train` first" });
    if (flags.readme !== undefined) inputFileFlag("readme", flags.readme, { example: "README.md" });
    let raw: unknown;
    try {
      raw = JSON.parse(await Deno.readTextFile(path));
    } catch (err) {
      throw new Error(
        `${path} is missing or not valid JSON (${(err as Error).message}): ` +
          "run `npx deno task train` first.",
      );
    }
    const readmePath = flags.readme ?? fileURLToPath(new URL("../README.md", import.meta.url));
    const readme = await Deno.readTextFile(readmePath).catch((err) => {
      throw new Error(`cannot read ${readmePath} (${err.message}); pass --readme PATH`);
    });
    const updated = updateReadme(readme, readmeResults(raw, { source: path }));
    if (updated === readme) {
      console.log(`${readmePath}: results section already matches ${path}; left unchanged.`);
      return;
    }
    await atomicWrite(readmePath, updated);
    console.log(`${readmePath}: results section regenerated from ${path}.`);
  });
}
