/**
 * `deno task all`: the whole pipeline — data → preprocess → train → explain → report — each stage as the
 * user would run it, skipping work whose inputs are unchanged (preprocess and train reuse what is
 * up to date). Prints the time of each stage at the end and keeps it in
 * `processed_data/metrics.json` (`pipeline_seconds`).
 *
 * @module
 */

import { parseFlags, runCommand } from "../lib/io/cli_args.ts";
import { Artifacts } from "../lib/pipeline/artifacts.ts";

const USAGE = `Usage: deno task all [--force] [--ablation]
  data → preprocess → train → explain → report (when Jupyter is installed), then the time of each stage.
  --force      rebuild the features and retrain every model even when they are up to date
  --ablation   also retrain the best model on subsets of its feature blocks, on both splits (the
               README's ablation tables, notebook 05's "what each block adds" and "semantic text
               over LSA"): about 8 minutes more on a fresh run. Without it, the ablation rows
               already in metrics.json are kept while up to date (\`deno task train\` adds them)`;

const STAGES: { name: string; args: string[]; force?: string; noAblation?: string }[] = [
  { name: "data", args: ["scripts/data.ts"] },
  { name: "preprocess", args: ["scripts/preprocess.ts"], force: "--force" },
  { name: "train", args: ["scripts/train.ts"], force: "--force", noAblation: "--no-ablation" },
  { name: "explain", args: ["scripts/explain.ts"], force: "--force" },
  // The stages above leave every notebook's inputs up to date, so notebooks can run side by
  // side; they mostly wait on their kernels (3 at once: 25.5 → 11.3 s on 2 cores).
  { name: "report", args: ["scripts/report.ts", "--if-available", "--jobs", "3"] },
];

/** The flags of `deno task all`. */
export interface AllFlags {
  /** Redo the stages that would be reused. */
  force?: boolean;
  /** Train the ablation too (without it, `train` runs with `--no-ablation`). */
  ablation?: boolean;
}

/**
 * The stages `deno task all` runs, in order, each as the script and arguments `deno run -A` gets.
 *
 * @example
 * ```ts
 * stageCommands({}).find((s) => s.name === "train")!.args; // ["scripts/train.ts", "--no-ablation"]
 * ```
 */
export function stageCommands(flags: AllFlags): { name: string; args: string[] }[] {
  return STAGES.map((stage) => ({
    name: stage.name,
    args: [
      ...stage.args,
      ...(flags.force && stage.force ? [stage.force] : []),
      ...(!flags.ablation && stage.noAblation ? [stage.noAblation] : []),
    ],
  }));
}

if (import.meta.main) {
  await runCommand(USAGE, async () => {
    const { force, ablation } = parseFlags(Deno.args, {
      force: { type: "boolean" },
      ablation: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    });
    const seconds: Record<string, number> = {};
    const t0 = performance.now();
    for (const stage of stageCommands({ force, ablation })) {
      console.log(`\n━━ ${stage.name} ━━`);
      const t = performance.now();
      const status = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", ...stage.args],
        stdin: "inherit",
        stdout: "inherit",
        stderr: "inherit",
      }).spawn().status;
      seconds[stage.name] = round((performance.now() - t) / 1000);
      if (!status.success) {
        throw new Error(
          `stage ${stage.name} failed (exit ${status.code}); fix what it says above and run ` +
            "`npx deno task all` again (finished stages are reused)",
        );
      }
    }
    seconds.total = round((performance.now() - t0) / 1000);
    console.log("\nTime by stage:");
    for (const [name, s] of Object.entries(seconds)) {
      console.log(`  ${name.padEnd(11)} ${s.toFixed(1).padStart(8)} s`);
    }
    const artifacts = new Artifacts();
    try {
      await artifacts.updateMetrics((m) => ({ ...m, pipeline_seconds: seconds }));
    } catch (err) {
      console.error(
        `note: could not record the times in ${artifacts.metrics} (${(err as Error).message})`,
      );
    }
  });
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
