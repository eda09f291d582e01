/**
 * Benchmarks our {@linkcode LogisticRegression} (and {@linkcode MlpClassifier}) against
 * scikit-learn's one-vs-rest `LogisticRegression(C=1, lbfgs, max_iter=1000)` (bench/lr_reference.py,
 * n_jobs=-1), run back to back on the same arrays, and prints time, F1 macro/micro at 0.5,
 * iterations and objective values with ratios.
 *
 * Usage:
 *   npx deno run -A bench/lr_bench.ts [--data DIR] [--repeats N] [--class-weight balanced]
 *                                     [--no-mlp] [--no-reference] [--explore]
 *
 * `DIR` (default processed_data/) holds X_train.npy, X_test.npy (float32), y_train.npy,
 * y_test.npy (uint8). `--explore` also compares LR / balanced LR / MLP variants / LR+MLP averages
 * with per-genre thresholds tuned on a validation split of the TRAIN rows only.
 *
 * @module
 */

import { LogisticRegression } from "../lib/models/logistic_regression.ts";
import { f1Score } from "../lib/metrics/multi_label_metrics.ts";
import type { LabelMatrix, Matrix } from "../lib/core/matrix.ts";
import { takeRows } from "../lib/core/matrix.ts";
import { MlpClassifier, type MlpClassifierOptions } from "../lib/models/mlp_classifier.ts";
import { RandomState } from "../lib/core/mt19937.ts";
import { readMatrix } from "../lib/io/npy.ts";

function arg(name: string, fallback: string): string {
  const i = Deno.args.indexOf(name);
  return i >= 0 && i + 1 < Deno.args.length ? Deno.args[i + 1] : fallback;
}
const dataDir = arg("--data", "processed_data/features");
const repeats = Number(arg("--repeats", "2"));
const classWeight = arg("--class-weight", "") === "balanced" ? "balanced" : null;
const withMlp = !Deno.args.includes("--no-mlp");
const withReference = !Deno.args.includes("--no-reference");
const explore = Deno.args.includes("--explore");

const X = await readMatrix(`${dataDir}/X_train.npy`);
const Y = await readMatrix(`${dataDir}/y_train.npy`, { dtype: "|u1" });
const Xt = await readMatrix(`${dataDir}/X_test.npy`);
const Yt = await readMatrix(`${dataDir}/y_test.npy`, { dtype: "|u1" });
console.log(
  `data ${dataDir}: train ${X.rows}×${X.cols}, test ${Xt.rows}×${Xt.cols}, ${Y.cols} labels`,
);

function f1s(yTrue: LabelMatrix, yPred: LabelMatrix) {
  return {
    macro: f1Score(yTrue, yPred, { average: "macro" }),
    micro: f1Score(yTrue, yPred, { average: "micro" }),
  };
}

/** scikit-learn's objective per label, Σ w_i logloss_i + ‖β‖²/(2C), in float64. */
function objectives(lr: LogisticRegression): number[] {
  const n = X.rows, d = X.cols, L = Y.cols, coef = lr.coef!, b = lr.intercept!;
  const out: number[] = [];
  const z = new Float64Array(n);
  for (let j = 0; j < L; j++) {
    let pos = 0;
    for (let i = 0; i < n; i++) pos += Y.data[i * L + j];
    const wp = classWeight ? n / (2 * pos) : 1, wn = classWeight ? n / (2 * (n - pos)) : 1;
    let o = 0;
    for (let f = 0; f < d; f++) o += coef[j * d + f] ** 2 / 2;
    for (let i = 0; i < n; i++) {
      let s = b[j];
      for (let f = 0; f < d; f++) s += X.data[i * d + f] * coef[j * d + f];
      z[i] = s;
      const y = Y.data[i * L + j];
      o += (y ? wp : wn) * (Math.max(s, 0) + Math.log1p(Math.exp(-Math.abs(s))) - y * s);
    }
    out.push(o);
  }
  return out;
}

const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

interface Reference {
  fit_wall_s: number;
  predict_wall_s: number;
  iterations: number[];
  objective_mean: number;
  f1_macro: number;
  f1_micro: number;
}

async function runReference(): Promise<Reference> {
  const args = ["bench/lr_reference.py", dataDir];
  if (classWeight) args.push("--class-weight", classWeight);
  const out = await new Deno.Command("/usr/bin/python3", { args, stderr: "inherit" }).output();
  if (!out.success) throw new Error(`bench/lr_reference.py failed (exit ${out.code})`);
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

// ---- LR vs scikit-learn, back to back -------------------------------------------------------
const ours: { fit: number; predict: number }[] = [];
const refs: Reference[] = [];
let lr = new LogisticRegression({ classWeight });
for (let r = 0; r < repeats; r++) {
  lr = new LogisticRegression({ classWeight });
  const t0 = performance.now();
  await lr.fit(X, Y);
  const t1 = performance.now();
  await lr.predictProba(Xt);
  const t2 = performance.now();
  ours.push({ fit: (t1 - t0) / 1000, predict: (t2 - t1) / 1000 });
  console.log(`run ${r + 1}: ours fit ${ours[r].fit.toFixed(2)} s`);
  if (withReference) {
    refs.push(await runReference());
    console.log(`run ${r + 1}: scikit-learn fit ${refs[r].fit_wall_s.toFixed(2)} s`);
  }
}
const ourF1 = f1s(Yt, await lr.predict(Xt, 0.5));
const ourObj = mean(objectives(lr));
const iters = lr.nIter;
const fmt = (v: number, p = 4) => v.toFixed(p);
console.log(
  `\nLogisticRegression(C=1, classWeight=${classWeight}) — ${repeats} run(s), median times`,
);
console.log("| | ours (tfjs wasm) | scikit-learn | ours/sklearn |");
console.log("|---|---|---|---|");
const ourFit = median(ours.map((o) => o.fit)), ourPred = median(ours.map((o) => o.predict));
if (refs.length > 0) {
  const refFit = median(refs.map((r) => r.fit_wall_s));
  const refPred = median(refs.map((r) => r.predict_wall_s));
  const ref = refs[refs.length - 1];
  console.log(
    `| fit wall s | ${fmt(ourFit, 2)} | ${fmt(refFit, 2)} | ${fmt(ourFit / refFit, 2)} |`,
  );
  console.log(
    `| predict wall s | ${fmt(ourPred, 3)} | ${fmt(refPred, 3)} | ${fmt(ourPred / refPred, 2)} |`,
  );
  console.log(
    `| F1 macro @0.5 | ${fmt(ourF1.macro)} | ${fmt(ref.f1_macro)} | Δ ${
      fmt(ourF1.macro - ref.f1_macro)
    } |`,
  );
  console.log(
    `| F1 micro @0.5 | ${fmt(ourF1.micro)} | ${fmt(ref.f1_micro)} | Δ ${
      fmt(ourF1.micro - ref.f1_micro)
    } |`,
  );
  console.log(
    `| iterations sum / max | ${iters.reduce((a, b) => a + b, 0)} / ${Math.max(...iters)} | ${
      ref.iterations.reduce((a, b) => a + b, 0)
    } / ${Math.max(...ref.iterations)} | |`,
  );
  console.log(
    `| objective mean | ${fmt(ourObj, 6)} | ${fmt(ref.objective_mean, 6)} | Δ ${
      ourObj - ref.objective_mean >= 0 ? "+" : ""
    }${(ourObj - ref.objective_mean).toExponential(2)} |`,
  );
} else {
  console.log(`| fit wall s | ${fmt(ourFit, 2)} | – | – |`);
  console.log(`| F1 macro/micro @0.5 | ${fmt(ourF1.macro)} / ${fmt(ourF1.micro)} | – | – |`);
  console.log(
    `| iterations sum / max | ${iters.reduce((a, b) => a + b, 0)} / ${
      Math.max(...iters)
    } | – | – |`,
  );
}

// ---- MLP ------------------------------------------------------------------------------------
if (withMlp) {
  const mlp = new MlpClassifier({ seed: 0 });
  const t0 = performance.now();
  await mlp.fit(X, Y);
  const fit = (performance.now() - t0) / 1000;
  const f = f1s(Yt, await mlp.predict(Xt, 0.5));
  console.log(
    `\nMlpClassifier(defaults: [512], dropout 0.5, Adam 2e-3, batch 256): fit ${
      fit.toFixed(1)
    } s (${mlp.epochsRun} epochs, ` +
      `best ${mlp.bestEpoch}), F1 @0.5 macro ${fmt(f.macro)} micro ${fmt(f.micro)}`,
  );
}

// ---- Exploration: per-genre thresholds tuned on a validation split of TRAIN ----------------
/** Per label, the threshold in 0.01..0.99 maximising that label's F1 on (P, Yv). */
function tuneThresholds(P: Matrix, Yv: LabelMatrix): Float64Array {
  const L = P.cols, n = P.rows, th = new Float64Array(L);
  for (let j = 0; j < L; j++) {
    let bestF = -1, bestT = 0.5;
    for (let t = 0.01; t < 0.995; t += 0.01) {
      let tp = 0, fp = 0, fn = 0;
      for (let i = 0; i < n; i++) {
        const p = P.data[i * L + j] >= t, y = Yv.data[i * L + j] === 1;
        if (p && y) tp++;
        else if (p) fp++;
        else if (y) fn++;
      }
      const f = tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
      if (f > bestF) bestF = f, bestT = t;
    }
    th[j] = bestT;
  }
  return th;
}

function average(a: Matrix, b: Matrix, wa = 0.5): Matrix {
  const data = new Float32Array(a.data.length);
  for (let i = 0; i < data.length; i++) data[i] = wa * a.data[i] + (1 - wa) * b.data[i];
  return { rows: a.rows, cols: a.cols, data };
}

if (explore) {
  // 80/20 split of the training rows: fit on 80 %, tune per-genre thresholds on the other 20 %,
  // score the test rows with the same model and thresholds (the test rows are never used to
  // choose anything).
  const perm = new RandomState(42).permutation(X.rows);
  const nVal = Math.round(X.rows * 0.2);
  const valIdx = perm.subarray(0, nVal), fitIdx = perm.subarray(nVal);
  const Xf = takeRows(X, fitIdx), Yf = takeRows(Y, fitIdx);
  const Xv = takeRows(X, valIdx), Yv = takeRows(Y, valIdx);
  interface Candidate {
    name: string;
    make: () => {
      fit(X: Matrix, Y: LabelMatrix): Promise<unknown>;
      predictProba(X: Matrix): Promise<Matrix>;
    };
  }
  const mlpOpt = (o: MlpClassifierOptions) => () => new MlpClassifier({ seed: 0, ...o });
  const candidates: Candidate[] = [
    { name: "LR C=1", make: () => new LogisticRegression() },
    { name: "LR C=1 balanced", make: () => new LogisticRegression({ classWeight: "balanced" }) },
    { name: "LR C=4", make: () => new LogisticRegression({ C: 4 }) },
    { name: "MLP [512] d0.5", make: mlpOpt({ dropout: 0.5, learningRate: 2e-3, batchSize: 256 }) },
    {
      name: "MLP [512] d0.5 wd1e-5",
      make: mlpOpt({ dropout: 0.5, learningRate: 2e-3, batchSize: 256, weightDecay: 1e-5 }),
    },
    {
      name: "MLP [512] d0.5 sqrt-pos",
      make: mlpOpt({ dropout: 0.5, learningRate: 2e-3, batchSize: 256, positiveWeight: "sqrt" }),
    },
    {
      name: "MLP [1024] d0.6",
      make: mlpOpt({ hiddenSizes: [1024], dropout: 0.6, learningRate: 2e-3, batchSize: 256 }),
    },
  ];
  const only = arg("--only", "");
  const rows: string[] = [];
  const valP = new Map<string, Matrix>(), testP = new Map<string, Matrix>();
  const score = (name: string, pv: Matrix, pt: Matrix, seconds: number) => {
    const th = tuneThresholds(pv, Yv);
    const tuned = f1s(Yt, applyPerLabel(pt, th));
    const at05 = f1s(Yt, applyPerLabel(pt, new Float64Array(pt.cols).fill(0.5)));
    const line = `| ${name} | ${fmt(at05.macro)} / ${fmt(at05.micro)} | ${fmt(tuned.macro)} / ${
      fmt(tuned.micro)
    } | ${seconds.toFixed(1)} |`;
    rows.push(line);
    console.log(line);
  };
  for (const c of candidates) {
    if (only && !c.name.includes(only)) continue;
    const t0 = performance.now();
    const m1 = c.make();
    await m1.fit(Xf, Yf);
    const pv = await m1.predictProba(Xv);
    const pt = await m1.predictProba(Xt);
    if (m1 instanceof MlpClassifier) {
      console.log(`  ${c.name}: ${m1.epochsRun} epochs, best ${m1.bestEpoch}`);
    }
    valP.set(c.name, pv), testP.set(c.name, pt);
    score(c.name, pv, pt, (performance.now() - t0) / 1000);
  }
  const lrNames = [...valP.keys()].filter((k) => k.startsWith("LR"));
  const mlpNames = [...valP.keys()].filter((k) => k.startsWith("MLP"));
  for (const a of lrNames) {
    for (const b of mlpNames) {
      score(
        `avg(${a}, ${b})`,
        average(valP.get(a)!, valP.get(b)!),
        average(testP.get(a)!, testP.get(b)!),
        0,
      );
    }
  }
  if (mlpNames.length > 1) {
    const v = mlpNames.map((k) => valP.get(k)!).reduce((a, b) => average(a, b));
    const t = mlpNames.map((k) => testP.get(k)!).reduce((a, b) => average(a, b));
    score("avg(MLPs, pairwise)", v, t, 0);
  }
  console.log(
    "\n| model | test F1 macro / micro @0.5 | test F1 macro / micro, tuned thresholds | s |",
  );
  console.log("|---|---|---|---|");
  for (const r of rows) console.log(r);
}

function applyPerLabel(P: Matrix, th: Float64Array): LabelMatrix {
  const out = new Uint8Array(P.data.length);
  for (let i = 0; i < P.rows; i++) {
    for (let j = 0; j < P.cols; j++) out[i * P.cols + j] = P.data[i * P.cols + j] >= th[j] ? 1 : 0;
  }
  return { rows: P.rows, cols: P.cols, data: out };
}
