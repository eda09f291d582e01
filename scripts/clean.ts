/**
 * `deno task clean`: removes generated files (processed_data/, reports/ outputs). Raw data in
 * data/ is kept; pass `--all` to remove data/NetFlix.csv too.
 *
 * @module
 */

import { parseFlags, runCommand } from "../lib/io/cli_args.ts";

const USAGE = `Usage: deno task clean [--all]
Removes generated files: processed_data/ and the outputs in reports/ (README.md kept).

  --all        remove data/NetFlix.csv too (fetch it again with \`deno task data\`)
  -h, --help   show this help`;

const KEEP = new Set(["README.md", ".gitkeep"]);

async function emptyDir(dir: string): Promise<number> {
  let removed = 0;
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (KEEP.has(entry.name)) continue;
      if (entry.name === "figures" && dir === "reports") {
        removed += await emptyDir(`${dir}/figures`);
        continue;
      }
      await Deno.remove(`${dir}/${entry.name}`, { recursive: true });
      removed++;
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return removed;
}

if (import.meta.main) {
  await runCommand(USAGE, async () => {
    const flags = parseFlags(Deno.args, { all: { type: "boolean", default: false } });
    const dirs = ["processed_data", "reports", ...(flags.all ? ["data"] : [])];
    for (const d of dirs) console.log(`${d}/: removed ${await emptyDir(d)} item(s)`);
  });
}
