/**
 * Where the best model's fit spends its time, on the full arrays: each stage of the stacked LR
 * (full base fit, the 5 inner folds cold and warm-started from the full base, the stacker cold and
 * warm-started from the base padded with zeros) and the MLP, with L-BFGS iterations and seconds
 * per iteration. Prints one line per stage and a JSON summary.
 *
 * Usage: npx deno run -A bench/best_model_profile.ts [--data DIR] [--no-cold] [--no-mlp]
 *
 * @module
 */

import { BEST_MODEL } from "../lib/pipeline/best_model.ts";
import { loadProcessed } from "../lib/features/processed_data.ts";
import { LogisticRegression } from "../lib/models/logistic_regression.ts";
import { MlpClassifier } from "../lib/models/mlp_classifier.ts";
import { genreCountStrata, stratifiedKFold } from "../lib/model_selection/k_fold.ts";
import { hstack, type Matrix, takeRows } from "../lib/core/matrix.ts";

function arg(name: string, fallback: string): string {
  const i = Deno.args.indexOf(name);
  return i >= 0 && i + 1 < Deno.args.length ? Deno.args[i + 1] : fallback;
}
const data = await loadProcessed(arg("--data", "processed_data"), {
  features: BEST_MODEL.features,
});
const X = data.XTrain, Y = data.yTrain;
const rows: Record<string, unknown>[] = [];

async function timed(
  name: string,
  lr: LogisticRegression,
  Xf: Matrix,
  Yf: typeof Y,
): Promise<LogisticRegression> {
  const t0 = performance.now();
  await lr.fit(Xf, Yf);
  const s = (performance.now() - t0) / 1000;
  const it = lr.nIter;
  const sum = it.reduce((a, b) => a + b, 0);
  const row = {
    name,
    seconds: +s.toFixed(2),
    iterMean: +(sum / it.length).toFixed(1),
    iterMax: Math.max(...it),
    msPerLockstepIter: +(1000 * s / Math.max(...it)).toFixed(1),
  };
  rows.push(row);
  console.log(JSON.stringify(row));
  return lr;
}

const base = () => new LogisticRegression({ C: 4, classWeight: "balanced" });
const full = await timed("base full (cold)", base(), X, Y);
const folds = stratifiedKFold(genreCountStrata(Y), { nSplits: 5, seed: 42 });
const oof = new Float32Array(X.rows * Y.cols);
for (const [k, f] of folds.entries()) {
  const Xtr = takeRows(X, f.train), Ytr = takeRows(Y, f.train);
  if (!Deno.args.includes("--no-cold")) await timed(`fold ${k} cold`, base(), Xtr, Ytr);
  const m = await timed(`fold ${k} warm`, base().warmStartFrom(full), Xtr, Ytr);
  const p = await m.predictProba(takeRows(X, f.test));
  for (let i = 0; i < f.test.length; i++) {
    oof.set(p.data.subarray(i * Y.cols, (i + 1) * Y.cols), f.test[i] * Y.cols);
  }
}
const S = hstack([X, { rows: X.rows, cols: Y.cols, data: oof }]);
const stackerOf = () => new LogisticRegression({ C: 1, classWeight: "balanced" });
if (!Deno.args.includes("--no-cold")) await timed("stacker cold", stackerOf(), S, Y);
const d = X.cols, d2 = S.cols, L = Y.cols;
const padded = new Float32Array(L * d2);
for (let j = 0; j < L; j++) padded.set(full.coef!.subarray(j * d, (j + 1) * d), j * d2);
await timed(
  "stacker warm (base coefs, zeros on OOF columns)",
  stackerOf().warmStartFrom({ coef: padded, intercept: full.intercept }),
  S,
  Y,
);
if (!Deno.args.includes("--no-mlp")) {
  const t0 = performance.now();
  const mlp = await new MlpClassifier({ hiddenSizes: [512], dropout: 0.5, seed: 0 }).fit(X, Y);
  const s = (performance.now() - t0) / 1000;
  const row = {
    name: "mlp",
    seconds: +s.toFixed(2),
    epochs: mlp.epochsRun,
    bestEpoch: mlp.bestEpoch,
    sPerEpoch: +(s / mlp.epochsRun).toFixed(3),
  };
  rows.push(row);
  console.log(JSON.stringify(row));
}
console.log(JSON.stringify({ rows }));
