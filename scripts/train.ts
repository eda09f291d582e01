/**
 * `deno task train [--models study_lr,study_rf,best] [--no-ablation] [--splits random,temporal]
 * [--dir processed_data]`
 *
 * Trains the study's logistic regression, the study's random forest with its CV threshold, and
 * the project's best model, on the study's random split and on the temporal split (evaluation
 * only); runs the feature ablation on both; merges the results into
 * processed_data/metrics.json; saves each genre model under processed_data/models/NAME/; prints
 * the comparison with the study's published scores.
 *
 * @module
 */

import { dirFlag, parseFlags, runCommand, UsageError } from "../lib/io/cli_args.ts";
import { parseSplits, SPLITS } from "../lib/features/processed_data.ts";
import { modelSpecs } from "../lib/pipeline/model_catalog.ts";
import { trainModels } from "../lib/pipeline/train_models.ts";
import { resultsTables } from "../lib/report/results_table.ts";

const USAGE = `Usage: deno task train [--models study_lr,study_rf,best] [--no-ablation]
                       [--splits random,temporal] [--dir processed_data]
  --models LIST    models to train (default all); the others keep their results in metrics.json
  --no-ablation    skip retraining the best model on subsets of the feature blocks (the
                   ablation rows still up to date are kept in metrics.json)
  --splits LIST    random (the study's 80/20 split; always) and temporal (train on the titles added
                   through 2019, test on 2020–2021; evaluation only); default both — --splits random
                   is the quick run (earlier temporal results are kept while up to date)
  --force          retrain even the models that are up to date (same spec, features and code)
  --dir DIR        processed folder (default processed_data)
  --workers N      worker threads to fit on (default: the cores, at most 2; 1 = no workers);
                   the results are the same for any N`;

if (import.meta.main) {
  await runCommand(USAGE, async () => {
    const values = parseFlags(Deno.args, {
      models: { type: "string" },
      "no-ablation": { type: "boolean" },
      splits: { type: "string", default: SPLITS.join(",") },
      force: { type: "boolean" },
      dir: { type: "string", default: "processed_data" },
      workers: { type: "string" },
      help: { type: "boolean", short: "h" },
    });
    dirFlag("dir", values.dir, {
      mustExist: true,
      hint: "run `npx deno task preprocess` first (or give the --dir it wrote)",
    });
    const workers = values.workers === undefined ? undefined : Number(values.workers);
    if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1)) {
      throw new UsageError(`--workers: "${values.workers}" is not a whole number ≥ 1`);
    }
    const models = values.models?.split(",").map((m) => m.trim()).filter(Boolean);
    const known = modelSpecs().map((s) => s.name);
    for (const m of models ?? []) {
      if (!known.includes(m)) {
        throw new UsageError(`--models: unknown model "${m}"; choose from ${known.join(", ")}`);
      }
    }
    let splits;
    try {
      splits = parseSplits(values.splits);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const t0 = performance.now();
    const metrics = await trainModels({
      dir: values.dir,
      models,
      ablation: !values["no-ablation"],
      force: values.force,
      splits,
      workers,
    });
    const tables = resultsTables(metrics);
    console.log("\nResults on the test split (thresholds chosen by 5-fold CV on training rows)\n");
    console.log(tables.comparison);
    console.log("");
    console.log(tables.models);
    if (tables.temporal) {
      console.log("\nRandom split vs temporal split (trained through 2019, tested on 2020–2021)\n");
      console.log(tables.temporal);
    }
    if (metrics.ablation) {
      console.log("\nAblation of the best model (feature blocks):");
      for (const [k, r] of Object.entries(metrics.ablation)) {
        const t = r.temporal;
        console.log(
          `  ${k.padEnd(32)} F1 macro ${r.f1_macro.toFixed(4)}  micro ${
            r.f1_micro.toFixed(4)
          }  exact ${(r.exact_match * 100).toFixed(2)}%` +
            (t
              ? `  | temporal F1 macro ${t.f1_macro.toFixed(4)}  micro ${t.f1_micro.toFixed(4)}`
              : ""),
        );
      }
    }
    console.log(
      `\nWrote ${values.dir}/metrics.json and models/ in ${
        ((performance.now() - t0) / 1000).toFixed(0)
      } s. Default model (predict): ${metrics.best}.`,
    );
  });
}
