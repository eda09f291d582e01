/**
 * `deno task readme`: regenerates the results section of README.md (between the
 * `<!-- results:start -->` and `<!-- results:end -->` markers) from processed_data/metrics.json.
 * The section is written as `deno fmt` formats it: the same numbers give the same bytes.
 *
 * Usage: `deno task readme [--metrics PATH]`
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { atomicWrite } from "../lib/atomic_write.ts";
import { parseFlags, runCommand } from "../lib/cli_args.ts";
import { readmeResults, updateReadme } from "../lib/results_table.ts";

const USAGE = `Usage: deno task readme [--metrics PATH]
  --metrics PATH   metrics file to read (default processed_data/metrics.json)
  --help           show this help`;

if (import.meta.main) {
  await runCommand(USAGE, async () => {
    const { metrics: path } = parseFlags(Deno.args, {
      metrics: { type: "string", default: "processed_data/metrics.json" },
    });
    let raw: unknown;
    try {
      raw = JSON.parse(await Deno.readTextFile(path));
    } catch (err) {
      throw new Error(
        `${path} is missing or not valid JSON (${(err as Error).message}): ` +
          "run `npx deno task train` first.",
      );
    }
    const readmePath = fileURLToPath(new URL("../README.md", import.meta.url));
    const readme = await Deno.readTextFile(readmePath);
    const updated = updateReadme(readme, readmeResults(raw, { source: path }));
    if (updated === readme) {
      console.log(`README.md results section already matches ${path}; left unchanged.`);
      return;
    }
    await atomicWrite(readmePath, updated);
    console.log(`README.md results section regenerated from ${path}.`);
  });
}
