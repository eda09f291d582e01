/**
 * The best model's MLP (512 ReLU units, dropout 0.5, patience 5) fitted alone on the full
 * training arrays: seconds, epochs, seconds per epoch, the kept epoch's validation loss and the
 * test F1 at 0.5. Its matrix products run on OpenBLAS when installed; `NETFLIX_GENRES_BLAS=wasm`
 * runs them on tfjs' wasm back end instead. Prints one JSON line.
 *
 * Usage: npx deno run -A bench/mlp_bench.ts [--data DIR] [--seed N]
 *
 * @module
 */

import { BEST_MODEL } from "../lib/pipeline/best_model.ts";
import { loadProcessed } from "../lib/features/processed_data.ts";
import { MlpClassifier } from "../lib/models/mlp_classifier.ts";
import { nativeSgemm } from "../lib/core/native_blas.ts";
import { f1Score } from "../lib/metrics/multi_label_metrics.ts";

function arg(name: string, fallback: string): string {
  const i = Deno.args.indexOf(name);
  return i >= 0 && i + 1 < Deno.args.length ? Deno.args[i + 1] : fallback;
}
const data = await loadProcessed(arg("--data", "processed_data"), {
  features: BEST_MODEL.features,
});
const t0 = performance.now();
const mlp = await new MlpClassifier({
  hiddenSizes: [512],
  dropout: 0.5,
  patience: 5,
  seed: Number(arg("--seed", "0")),
}).fit(data.XTrain, data.yTrain);
const seconds = (performance.now() - t0) / 1000;
const pred = await mlp.predict(data.XTest, 0.5);
console.log(JSON.stringify({
  products: nativeSgemm() ? "openblas" : "wasm",
  seconds: +seconds.toFixed(2),
  epochs: mlp.epochsRun,
  bestEpoch: mlp.bestEpoch,
  sPerEpoch: +(seconds / mlp.epochsRun).toFixed(3),
  bestValidationLoss: +Math.min(...mlp.history).toFixed(5),
  testF1Macro: +f1Score(data.yTest, pred, { average: "macro" }).toFixed(4),
  testF1Micro: +f1Score(data.yTest, pred, { average: "micro" }).toFixed(4),
}));
