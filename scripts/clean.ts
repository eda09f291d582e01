/**
 * `deno task clean`: removes generated files (processed_data/, reports/ outputs). Raw data in
 * data/ is kept; pass `--all` to remove data/NetFlix.csv too.
 *
 * @module
 */

import { parseArgs } from "node:util";

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
  const { values } = parseArgs({ args: Deno.args, options: { all: { type: "boolean" } } });
  const dirs = ["processed_data", "reports", ...(values.all ? ["data"] : [])];
  for (const d of dirs) console.log(`${d}/: removed ${await emptyDir(d)} item(s)`);
}
