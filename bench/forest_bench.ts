/**
 * Benchmark: our RandomForestClassifier against scikit-learn's RandomForestClassifier, same configuration
 * (the study's: 100 trees, max_depth 20, min_samples_split 5, sqrt features, bootstrap,
 * class_weight balanced_subsample, one forest per genre), same arrays, back to back.
 *
 * Usage:
 *   deno run -A bench/forest_bench.ts [--data DIR] [--labels N] [--cv] [--workers N]
 *     [--no-reference] [--multi-output] [--max-bins N]
 *
 * `--data` holds X_train.npy, X_test.npy (float32) and y_train.npy, y_test.npy (uint8)
 * (default processed_data/). `--cv` also times the 5-fold refits used to tune the threshold
 * (KFold(5, shuffle, seed 42), fit on 4/5, predict the held-out 1/5). Prints wall and CPU
 * seconds, peak memory, and F1 macro/micro at thresholds 0.2–0.5 for both, with ratios.
 *
 * @module
 */

import { openPool } from "../lib/models/estimator_pool.ts";
import { parseArgs } from "node:util";
import process from "node:process";
import { join } from "node:path";
import { kFold } from "../lib/model_selection/k_fold.ts";
import { takeRows } from "../lib/core/matrix.ts";
import type { LabelMatrix, Matrix } from "../lib/core/matrix.ts";
import { binarize, f1Score } from "../lib/metrics/multi_label_metrics.ts";
import { readMatrix } from "../lib/io/npy.ts";
import { RandomForestClassifier } from "../lib/models/forest/random_forest_classifier.ts";

const THRESHOLDS = [0.2, 0.3, 0.4, 0.5];

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    data: { type: "string", default: "processed_data/features" },
    labels: { type: "string" },
    cv: { type: "boolean", default: false },
    workers: { type: "string" },
    "no-reference": { type: "boolean", default: false },
    "multi-output": { type: "boolean", default: false },
    "max-bins": { type: "string" },
  },
});

function firstLabels(Y: LabelMatrix, n: number): LabelMatrix {
  if (n >= Y.cols) return Y;
  const out = new Uint8Array(Y.rows * n);
  for (let i = 0; i < Y.rows; i++) out.set(Y.data.subarray(i * Y.cols, i * Y.cols + n), i * n);
  return { rows: Y.rows, cols: n, data: out };
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function peakRssMiB(): number {
  const status = Deno.readTextFileSync("/proc/self/status");
  const m = /VmHWM:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) / 1024 : NaN;
}

function f1s(Y: LabelMatrix, P: Matrix): Record<string, { macro: number; micro: number }> {
  const out: Record<string, { macro: number; micro: number }> = {};
  for (const t of THRESHOLDS) {
    const yHat = binarize(P, t);
    out[String(t)] = {
      macro: f1Score(Y, yHat, { average: "macro" }),
      micro: f1Score(Y, yHat, { average: "micro" }),
    };
  }
  return out;
}

const dir = args.data!;
const Xtr = await readMatrix(join(dir, "X_train.npy"));
const Xte = await readMatrix(join(dir, "X_test.npy"));
let Ytr = await readMatrix(join(dir, "y_train.npy"), { dtype: "|u1" });
let Yte = await readMatrix(join(dir, "y_test.npy"), { dtype: "|u1" });
if (args.labels) {
  Ytr = firstLabels(Ytr, Number(args.labels));
  Yte = firstLabels(Yte, Number(args.labels));
}
const workers = args.workers === undefined ? navigator.hardwareConcurrency : Number(args.workers);
const multiOutput = args["multi-output"];
const maxBins = args["max-bins"] === undefined ? undefined : Number(args["max-bins"]);
console.log(
  `data ${dir}: train ${Xtr.rows}×${Xtr.cols}, test ${Xte.rows}, labels ${Ytr.cols}, ` +
    `workers ${workers}${multiOutput ? ", multi-output" : ""}`,
);

// --- ours ---
interface Result {
  fit_wall_s?: number;
  fit_predict_wall_s: number;
  fit_predict_cpu_s: number;
  cv5_wall_s?: number;
  cv5_cpu_s?: number;
  peak_rss_mib?: number;
  nodes?: number;
  f1: Record<string, { macro: number; micro: number }>;
}
const ours: Partial<Result> = {};
let w0 = performance.now();
let c0 = cpuSeconds();
using pool = openPool(workers);
const rf = new RandomForestClassifier({ multiOutput, maxBins });
await rf.fit(Xtr, Ytr, { pool });
ours.fit_wall_s = (performance.now() - w0) / 1000;
const P = await rf.predictProba(Xte);
ours.fit_predict_wall_s = (performance.now() - w0) / 1000;
ours.fit_predict_cpu_s = cpuSeconds() - c0;
ours.nodes = rf.nodeCount;
ours.f1 = f1s(Yte, P);
if (args.cv) {
  w0 = performance.now();
  c0 = cpuSeconds();
  for (const { train, test } of kFold(Xtr.rows, { nSplits: 5, seed: 42 })) {
    const fold = new RandomForestClassifier({ multiOutput, maxBins });
    await fold.fit(takeRows(Xtr, train), takeRows(Ytr, train), { pool });
    await fold.predictProba(takeRows(Xtr, test));
  }
  ours.cv5_wall_s = (performance.now() - w0) / 1000;
  ours.cv5_cpu_s = cpuSeconds() - c0;
}
ours.peak_rss_mib = peakRssMiB();
console.log("ours   ", JSON.stringify(ours));

// --- scikit-learn ---
if (!args["no-reference"]) {
  const script = new URL("./forest_reference.py", import.meta.url).pathname;
  const pyArgs = [script, dir];
  if (args.cv) pyArgs.push("--cv");
  if (args.labels) pyArgs.push("--labels", args.labels);
  if (multiOutput) pyArgs.push("--multi-output");
  const out = await new Deno.Command("/usr/bin/python3", { args: pyArgs, stderr: "inherit" })
    .output();
  if (!out.success) throw new Error(`forest_reference.py failed (exit ${out.code})`);
  const ref: Result = JSON.parse(new TextDecoder().decode(out.stdout));
  console.log("sklearn", JSON.stringify(ref));
  const r = (
    a?: number,
    b?: number,
  ) => (a === undefined || b === undefined ? "-" : (a / b).toFixed(3));
  console.log("\nratio ours/sklearn:");
  console.log(
    `  fit+predict wall ${r(ours.fit_predict_wall_s, ref.fit_predict_wall_s)}, ` +
      `cpu ${r(ours.fit_predict_cpu_s, ref.fit_predict_cpu_s)}`,
  );
  if (args.cv) {
    console.log(
      `  cv5 wall ${r(ours.cv5_wall_s, ref.cv5_wall_s)}, cpu ${r(ours.cv5_cpu_s, ref.cv5_cpu_s)}`,
    );
  }
  console.log(
    `  peak RSS ours ${ours.peak_rss_mib?.toFixed(0)} MiB, sklearn ${
      ref.peak_rss_mib?.toFixed(0)
    } MiB`,
  );
  console.log("\nF1 at threshold   ours macro/micro    sklearn macro/micro    diff macro/micro");
  for (const t of THRESHOLDS) {
    const a = ours.f1![String(t)];
    const b = ref.f1[String(t)];
    console.log(
      `  ${t.toFixed(1)}            ${a.macro.toFixed(4)} / ${a.micro.toFixed(4)}     ` +
        `${b.macro.toFixed(4)} / ${b.micro.toFixed(4)}      ` +
        `${(a.macro - b.macro).toFixed(4)} / ${(a.micro - b.micro).toFixed(4)}`,
    );
  }
}
