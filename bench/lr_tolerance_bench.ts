/**
 * How the logistic regression's stopping tolerance `ftol` trades iterations for accuracy, on
 * the best model's base LR (C=4, balanced, L-BFGS memory 20) and the full training arrays:
 * seconds, mean and largest L-BFGS iterations, the largest test-probability difference from
 * SciPy's default tolerance, and the test F1 macro at 0.5. Prints one JSON line per tolerance.
 *
 * Usage: npx deno run -A bench/lr_tolerance_bench.ts [--data DIR]
 *
 * @module
 */

import { BEST_MODEL } from "../lib/pipeline/best_model.ts";
import { loadProcessed } from "../lib/features/processed_data.ts";
import { LogisticRegression } from "../lib/models/logistic_regression.ts";
import { f1Score } from "../lib/metrics/multi_label_metrics.ts";

const i = Deno.args.indexOf("--data");
const dir = i >= 0 && i + 1 < Deno.args.length ? Deno.args[i + 1] : "processed_data";
const data = await loadProcessed(dir, { features: BEST_MODEL.features });
let reference: Float32Array | null = null;
for (const ftol of [2.220446049250313e-9, 1e-8, 1e-7, 1e-6]) {
  const t0 = performance.now();
  const lr = await new LogisticRegression({ C: 4, classWeight: "balanced", memory: 20, ftol })
    .fit(data.XTrain, data.yTrain);
  const seconds = (performance.now() - t0) / 1000;
  const P = await lr.predictProba(data.XTest);
  reference ??= P.data;
  let maxDiff = 0;
  for (let k = 0; k < P.data.length; k++) {
    maxDiff = Math.max(maxDiff, Math.abs(P.data[k] - reference[k]));
  }
  const pred = await lr.predict(data.XTest, 0.5);
  console.log(JSON.stringify({
    ftol,
    seconds: +seconds.toFixed(2),
    iterMean: +(lr.nIter.reduce((a, b) => a + b, 0) / lr.nIter.length).toFixed(1),
    iterMax: Math.max(...lr.nIter),
    maxProbabilityDiff: +maxDiff.toExponential(2),
    testF1Macro: +f1Score(data.yTest, pred, { average: "macro" }).toFixed(4),
  }));
}
