/**
 * `deno task train [--models study_lr,study_rf,best] [--no-ablation] [--dir processed_data]`
 *
 * Trains the study's logistic regression, the study's random forest with its CV threshold, and
 * the project's best model; runs the feature ablation; writes processed_data/metrics.json, the
 * fitted models and their probabilities; prints the comparison with the study's published scores.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { trainProject } from "../lib/model_specs.ts";
import { resultsTables } from "../lib/results_table.ts";

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      models: { type: "string" },
      "no-ablation": { type: "boolean", default: false },
      dir: { type: "string", default: "processed_data" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(
      "Usage: deno task train [--models study_lr,study_rf,best] [--no-ablation] [--dir processed_data]",
    );
    Deno.exit(0);
  }
  try {
    const t0 = performance.now();
    const metrics = await trainProject({
      dir: values.dir,
      models: values.models?.split(",").map((m) => m.trim()).filter(Boolean),
      ablation: !values["no-ablation"],
    });
    const tables = resultsTables(metrics as never);
    console.log("\nResults on the test split (thresholds chosen by 5-fold CV on training rows)\n");
    console.log(tables.comparison);
    console.log("");
    console.log(tables.models);
    if (metrics.ablation) {
      console.log("\nAblation of the best model (feature blocks):");
      for (const [k, r] of Object.entries(metrics.ablation)) {
        console.log(
          `  ${k.padEnd(32)} F1 macro ${r.f1_macro.toFixed(4)}  micro ${
            r.f1_micro.toFixed(4)
          }  exact ${(r.exact_match * 100).toFixed(2)}%`,
        );
      }
    }
    console.log(
      `\nWrote ${values.dir}/metrics.json and models/ in ${
        ((performance.now() - t0) / 1000).toFixed(0)
      } s. ` +
        `Best: ${metrics.best}.`,
    );
  } catch (err) {
    console.error(`\nerror: ${(err as Error).message}`);
    Deno.exit(1);
  }
}
