/**
 * `deno task explain [--dir processed_data] [--repeats 3] [--folds 5]`: measures why the best
 * model predicts what it does (permutation importance per block and genre, term evidence,
 * calibration, label ambiguity), writes `explanations` into metrics.json and the parts
 * `deno task predict --explain` needs into `processed_data/explain/`. Run after `deno task
 * train`.
 *
 * @module
 */

import { dirFlag, intFlag, parseFlags, runCommand } from "../lib/io/cli_args.ts";
import { runExplain } from "../lib/pipeline/explain_stage.ts";

const USAGE = `Usage: deno task explain [--dir processed_data] [--repeats 3] [--folds 5]
  --dir DIR        processed folder (default processed_data)
  --repeats N      permutations per feature block and fold (default 3)
  --folds K        cross-validation folds (default: metrics.json's, 5)
  --force          run again even when the explanations are up to date`;

if (import.meta.main) {
  await runCommand(USAGE, async () => {
    const values = parseFlags(Deno.args, {
      dir: { type: "string", default: "processed_data" },
      repeats: { type: "string" },
      folds: { type: "string" },
      force: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    });
    dirFlag("dir", values.dir, {
      mustExist: true,
      hint: "run `npx deno task train` first (or give the --dir it wrote)",
    });
    await runExplain({
      dir: values.dir,
      force: values.force,
      repeats: values.repeats === undefined
        ? undefined
        : intFlag("repeats", values.repeats, { min: 1 }),
      folds: values.folds === undefined ? undefined : intFlag("folds", values.folds, { min: 2 }),
    });
  });
}
