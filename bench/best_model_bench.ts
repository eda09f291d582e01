/**
 * The best model's final fit (`makeBestModel()`, lib/pipeline/best_model.ts) against the same
 * model in scikit-learn (bench/best_model_reference.py, Debian's python3-sklearn), on the same
 * arrays in the same run: the four feature blocks of processed_data (1,080 columns) are written
 * to a temporary folder that both read. Prints seconds, the ratio ours / scikit-learn (target
 * ≤ 0.1), test F1 macro/micro at 0.5 and with the saved best model's per-genre thresholds (when
 * processed_data/models/best exists; both sides use the same thresholds), and peak memory.
 *
 * Usage:
 *   npx deno run -A bench/best_model_bench.ts [--data DIR] [--repeats N] [--no-reference]
 *                                            [--variant NAME]...
 *
 * Variants (default `current`, i.e. `makeBestModel()` as training builds it): `before` — the
 * configuration before the speed-ups (all fits one after the other on this thread, inner folds
 * from zero, L-BFGS memory 10); `warm` — `before` plus warm-started inner folds; `parallel` —
 * `warm` plus the pool (2 workers); `current`. Each variant's fit is timed separately.
 *
 * @module
 */

import { BEST_MODEL, makeBestModel } from "../lib/pipeline/best_model.ts";
import { loadProcessed } from "../lib/features/processed_data.ts";
import { writeNpy } from "../lib/io/npy.ts";
import { EnsembleClassifier } from "../lib/models/ensemble_classifier.ts";
import { LogisticRegression } from "../lib/models/logistic_regression.ts";
import { MlpClassifier } from "../lib/models/mlp_classifier.ts";
import { StackedClassifier } from "../lib/models/stacked_classifier.ts";
import { binarize, f1Score } from "../lib/metrics/multi_label_metrics.ts";
import type { LabelMatrix, Matrix } from "../lib/core/matrix.ts";
import { peakRssMiB } from "../lib/core/peak_rss.ts";
import { openPool } from "../lib/models/estimator_pool.ts";
import { Artifacts } from "../lib/pipeline/artifacts.ts";

function arg(name: string, fallback: string): string {
  const i = Deno.args.indexOf(name);
  return i >= 0 && i + 1 < Deno.args.length ? Deno.args[i + 1] : fallback;
}
const dataDir = arg("--data", "processed_data");
const repeats = Number(arg("--repeats", "1"));
const withReference = !Deno.args.includes("--no-reference");
const variants = Deno.args.flatMap((a, i) => Deno.args[i - 1] === "--variant" ? [a] : []);
if (variants.length === 0) variants.push("current");

type Variant = "before" | "warm" | "parallel" | "current";

/** The variant's model, and the workers it is fitted on. */
function build(variant: Variant): { model: EnsembleClassifier; workers: number } {
  if (variant === "current") return { model: makeBestModel({ seed: 0 }), workers: 2 };
  const stacked = new StackedClassifier({
    base: new LogisticRegression({ C: 4, classWeight: "balanced" }),
    stacker: new LogisticRegression({ C: 1, classWeight: "balanced" }),
    nFolds: 5,
    seed: 42,
    passthrough: true,
    warmStart: variant !== "before",
  });
  const mlp = new MlpClassifier({ hiddenSizes: [512], dropout: 0.5, seed: 0 });
  return {
    model: new EnsembleClassifier({ members: [stacked, mlp], weights: [0.5, 0.5] }),
    workers: variant === "parallel" ? 2 : 1,
  };
}

const data = await loadProcessed(dataDir, { features: BEST_MODEL.features });
const { XTrain: X, yTrain: Y, XTest: Xt, yTest: Yt } = data;
console.log(`best model final fit: train ${X.rows}×${X.cols}, test ${Xt.rows}, ${Y.cols} genres`);

let thresholds: number[] | null = null;
try {
  const saved = await new Artifacts(dataDir).modelThresholds("best");
  if (saved.length === Y.cols) thresholds = [...saved];
} catch {
  // No trained best model: scores at 0.5 only.
}

/** CPU seconds of this process, all threads (workers included): work, whatever the load. */
function cpuSeconds(): number {
  const f = Deno.readTextFileSync("/proc/self/stat").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
}

function scores(P: Matrix, t: number | number[]) {
  const pred: LabelMatrix = binarize(P, t);
  return {
    f1_macro: f1Score(Yt, pred, { average: "macro" }),
    f1_micro: f1Score(Yt, pred, { average: "micro" }),
  };
}

interface OurRun {
  variant: string;
  seconds: number;
  cpu_seconds: number;
  at_0_5: { f1_macro: number; f1_micro: number };
  at_thresholds?: { f1_macro: number; f1_micro: number };
  peak_mib: number;
  /** Largest difference of a test probability from the first run's. */
  max_abs_diff_vs_first: number;
}
const ours: OurRun[] = [];
let firstP: Matrix | null = null;
for (const variant of variants as Variant[]) {
  for (let r = 0; r < repeats; r++) {
    const { model, workers } = build(variant);
    using pool = openPool(workers);
    const t0 = performance.now(), c0 = cpuSeconds();
    await model.fit(X, Y, { pool });
    const seconds = (performance.now() - t0) / 1000, cpu_seconds = cpuSeconds() - c0;
    const P = await model.predictProba(Xt);
    let maxDiff = 0;
    firstP ??= P;
    for (let i = 0; i < P.data.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(P.data[i] - firstP.data[i]));
    }
    const run: OurRun = {
      variant,
      seconds,
      cpu_seconds,
      at_0_5: scores(P, 0.5),
      at_thresholds: thresholds ? scores(P, thresholds) : undefined,
      peak_mib: peakRssMiB(),
      max_abs_diff_vs_first: maxDiff,
    };
    ours.push(run);
    console.log(JSON.stringify(run));
  }
}

interface Reference {
  fit_seconds: number;
  cpu_seconds: number;
  stacking_seconds: number;
  mlp_seconds: number;
  mlp_epochs: number;
  peak_mib: number;
  peak_children_mib: number;
  at_0_5: { f1_macro: number; f1_micro: number };
  at_thresholds?: { f1_macro: number; f1_micro: number };
}
let ref: Reference | null = null;
if (withReference) {
  const dir = await Deno.makeTempDir({ prefix: "best-model-bench-" });
  try {
    await writeNpy(`${dir}/X_train.npy`, X);
    await writeNpy(`${dir}/y_train.npy`, Y);
    await writeNpy(`${dir}/X_test.npy`, Xt);
    await writeNpy(`${dir}/y_test.npy`, Yt);
    const args = ["bench/best_model_reference.py", dir];
    if (thresholds) {
      await writeNpy(`${dir}/thresholds.npy`, Float64Array.from(thresholds), { dtype: "<f8" });
      args.push("--thresholds", `${dir}/thresholds.npy`);
    }
    const out = await new Deno.Command("/usr/bin/python3", { args, stderr: "inherit" }).output();
    if (!out.success) throw new Error(`bench/best_model_reference.py failed (exit ${out.code})`);
    ref = JSON.parse(new TextDecoder().decode(out.stdout)) as Reference;
    console.log(`scikit-learn: ${JSON.stringify(ref)}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const f = (v: number, p = 4) => v.toFixed(p);
console.log(`load average during the run: ${Deno.loadavg().map((v) => v.toFixed(2)).join(", ")}`);
console.log(
  "\n| | seconds | CPU s | ours / scikit-learn | F1 macro / micro @0.5 | F1 macro / micro, " +
    "best's thresholds | peak MiB |",
);
console.log("|---|---:|---:|---:|---:|---:|---:|");
for (const o of ours) {
  const ratio = ref ? f(o.seconds / ref.fit_seconds, 3) : "–";
  const th = o.at_thresholds
    ? `${f(o.at_thresholds.f1_macro)} / ${f(o.at_thresholds.f1_micro)}`
    : "–";
  console.log(
    `| ours (${o.variant}) | ${f(o.seconds, 1)} | ${f(o.cpu_seconds, 1)} | ${ratio} | ${
      f(o.at_0_5.f1_macro)
    } / ${f(o.at_0_5.f1_micro)} | ${th} | ${o.peak_mib.toFixed(0)} |`,
  );
}
if (ref) {
  const th = ref.at_thresholds
    ? `${f(ref.at_thresholds.f1_macro)} / ${f(ref.at_thresholds.f1_micro)}`
    : "–";
  console.log(
    `| scikit-learn (stacking ${f(ref.stacking_seconds, 1)} s + MLP ${
      f(ref.mlp_seconds, 1)
    } s, ${ref.mlp_epochs} epochs) | ${f(ref.fit_seconds, 1)} | ${f(ref.cpu_seconds, 1)} | 1 | ${
      f(ref.at_0_5.f1_macro)
    } / ${f(ref.at_0_5.f1_micro)} | ${th} | ${
      Math.max(ref.peak_mib, ref.peak_children_mib).toFixed(0)
    } |`,
  );
  const best = ours.filter((o) => o.variant === "current").map((o) => o.seconds);
  if (best.length > 0) {
    const ratio = Math.min(...best) / ref.fit_seconds;
    console.log(
      `\nbest model final fit: ${f(Math.min(...best), 1)} s vs scikit-learn ${
        f(ref.fit_seconds, 1)
      } s → ratio ${f(ratio, 3)} (target ≤ 0.1: ${ratio <= 0.1 ? "met" : "NOT met"})`,
    );
  }
}
