/**
 * The record of how the project's default model (lib/pipeline/best_model.ts) was chosen: every candidate
 * is scored by 5-fold cross-validation on the TRAINING rows only (stratified by genre count,
 * seed 42), from out-of-fold (OOF) probabilities. Test rows are read only by `--stage final`.
 *
 * Scores per candidate (all on training rows):
 * - `global`: F1 macro / micro at the best threshold of the study's grid (0.10–0.50);
 * - `per-genre (in-sample)`: one threshold per genre tuned on the same OOF probabilities it is
 *   scored on (what `tuneThresholds().cvF1PerLabel` reports; slightly optimistic);
 * - `per-genre (nested)`: for each fold, thresholds tuned on the OOF probabilities of the other
 *   four folds and applied to that fold — an honest estimate, used to rank candidates.
 *
 * OOF matrices are cached as .npy under `--cache` (default /tmp/model_search_cache) so that
 * ensembles of cached members are scored without refitting (the OOF of a soft-voting ensemble is
 * the weighted mean of its members' OOFs, since every member uses the same folds).
 *
 * Usage (one stage at a time; the machine is shared):
 *   npx deno run -A bench/model_search.ts --stage features|lr|mlp|ens|stack|best|final
 *                                          [--cache DIR] [--data processed_data]
 *
 * @module
 */

import { join } from "node:path";
import { BEST_MODEL, makeBestModel } from "../lib/pipeline/best_model.ts";
import { crossValPredictProba } from "../lib/model_selection/cross_val_predict.ts";
import type { MultiLabelEstimator } from "../lib/core/estimator.ts";
import { openPool } from "../lib/models/estimator_pool.ts";
import { defaultWorkers } from "../lib/core/worker_pool.ts";
import { genreCountStrata, type Split, stratifiedKFold } from "../lib/model_selection/k_fold.ts";
import { LogisticRegression } from "../lib/models/logistic_regression.ts";
import { hstack, type LabelMatrix, type Matrix, takeRows } from "../lib/core/matrix.ts";
import { binarize, evaluate, f1Score } from "../lib/metrics/multi_label_metrics.ts";
import { MlpClassifier, type MlpClassifierOptions } from "../lib/models/mlp_classifier.ts";
import { readMatrix, readNpy, writeNpy } from "../lib/io/npy.ts";
import { BLOCK_FILES, type FeatureBlock } from "../lib/features/processed_data.ts";
import { StackedClassifier } from "../lib/models/stacked_classifier.ts";
import { makeStudyLr } from "../lib/pipeline/model_catalog.ts";
import { tuneThresholds } from "../lib/model_selection/threshold_tuning.ts";

function arg(name: string, fallback: string): string {
  const i = Deno.args.indexOf(name);
  return i >= 0 && i + 1 < Deno.args.length ? Deno.args[i + 1] : fallback;
}
const stage = arg("--stage", "lr");
const cacheDir = arg("--cache", "/tmp/model_search_cache");
const dataDir = arg("--data", "processed_data/features");
await Deno.mkdir(cacheDir, { recursive: true });

// ---- data (blocks read directly so any combination can be assembled) ----
const blocks = {} as Record<FeatureBlock, Matrix>;
for (const b of ["text", "categorical", "metadata", "credits"] as FeatureBlock[]) {
  blocks[b] = await readMatrix(join(dataDir, BLOCK_FILES[b]));
}
const Y = await readMatrix(join(dataDir, "y.npy"), { dtype: "|u1" });
const trainIdx = (await readNpy(join(dataDir, "train_idx.npy"))).data as Int32Array;
const testIdx = (await readNpy(join(dataDir, "test_idx.npy"))).data as Int32Array;
const yTrain = takeRows(Y, trainIdx);
const genres: string[] = JSON.parse(await Deno.readTextFile(join(dataDir, "config.json"))).genres;

function features(list: FeatureBlock[], rows: Int32Array): Matrix {
  return takeRows(hstack(list.map((b) => blocks[b])), rows);
}
const ALL: FeatureBlock[] = ["text", "categorical", "metadata", "credits"];

const folds: Split[] = stratifiedKFold(genreCountStrata(yTrain), { nSplits: 5, seed: 42 });

// ---- scoring ----
interface Scores {
  name: string;
  globalThreshold: number;
  globalMacro: number;
  globalMicro: number;
  inSampleMacro: number;
  inSampleMicro: number;
  nestedMacro: number;
  nestedMicro: number;
  seconds?: number;
}

/** Per-genre thresholds tuned on the other folds' OOF rows, applied to each fold in turn. */
function nestedPerGenre(oof: Matrix): LabelMatrix {
  const out = new Uint8Array(oof.rows * oof.cols);
  for (const f of folds) {
    const yIn = takeRows(yTrain, f.train);
    const pIn = takeRows(oof, f.train);
    const all = Int32Array.from({ length: f.train.length }, (_, i) => i);
    const t = tuneThresholds(yIn, pIn, { folds: [{ train: new Int32Array(0), test: all }] });
    const pred = binarize(takeRows(oof, f.test), t.perLabel);
    for (let i = 0; i < f.test.length; i++) {
      out.set(pred.data.subarray(i * oof.cols, (i + 1) * oof.cols), f.test[i] * oof.cols);
    }
  }
  return { rows: oof.rows, cols: oof.cols, data: out };
}

function score(name: string, oof: Matrix, seconds?: number): Scores {
  const t = tuneThresholds(yTrain, oof, { folds });
  const micro = (pred: LabelMatrix) => f1Score(yTrain, pred, { average: "micro" });
  const nested = nestedPerGenre(oof);
  const s: Scores = {
    name,
    globalThreshold: t.globalThreshold,
    globalMacro: t.cvF1Global,
    globalMicro: micro(binarize(oof, t.globalThreshold)),
    inSampleMacro: t.cvF1PerLabel,
    inSampleMicro: micro(binarize(oof, t.perLabel)),
    nestedMacro: f1Score(yTrain, nested, { average: "macro" }),
    nestedMicro: micro(nested),
    seconds,
  };
  const f = (x: number) => x.toFixed(4);
  console.log(
    `| ${name} | ${s.globalThreshold.toFixed(2)}: ${f(s.globalMacro)} / ${f(s.globalMicro)} | ` +
      `${f(s.inSampleMacro)} / ${f(s.inSampleMicro)} | **${f(s.nestedMacro)} / ${
        f(s.nestedMicro)
      }** | ${seconds === undefined ? "" : seconds.toFixed(0)} |`,
  );
  return s;
}

async function appendResult(s: Scores): Promise<void> {
  await Deno.writeTextFile(join(cacheDir, "results.jsonl"), JSON.stringify(s) + "\n", {
    append: true,
  });
}

/** OOF probabilities of `make` on `X` (cached by name). */
/** The folds of every candidate, two at a time (the results do not depend on the workers). */
const pool = openPool(defaultWorkers());
addEventListener("unload", () => pool.close());

async function oofOf(name: string, model: MultiLabelEstimator, X: Matrix): Promise<Matrix> {
  const path = join(cacheDir, `${name}.npy`);
  try {
    return await readMatrix(path);
  } catch {
    // not cached yet
  }
  const t0 = performance.now();
  const { proba: oof } = await crossValPredictProba(model, [X, yTrain], {
    folds,
    pool,
    onFold: (k, s) => console.error(`  ${name}: fold ${k + 1}/5 ${s.toFixed(1)} s`),
  });
  const seconds = (performance.now() - t0) / 1000;
  await writeNpy(path, oof);
  await appendResult(score(name, oof, seconds / 5));
  return oof;
}

async function cached(name: string): Promise<Matrix> {
  return await readMatrix(join(cacheDir, `${name}.npy`));
}

function average(parts: Matrix[], weights: number[]): Matrix {
  const sum = weights.reduce((a, b) => a + b, 0);
  const out = new Float32Array(parts[0].data.length);
  parts.forEach((p, k) => {
    for (let i = 0; i < out.length; i++) out[i] += (weights[k] / sum) * p.data[i];
  });
  return { rows: parts[0].rows, cols: parts[0].cols, data: out };
}

const header = "| candidate | global thr: macro / micro | per-genre in-sample | " +
  "per-genre nested | s/fit |\n| --- | --- | --- | --- | --- |";
console.log(header);

const mlp = (o: MlpClassifierOptions) => new MlpClassifier({ seed: 0, ...o });

if (stage === "features") {
  // Which blocks matter: the study's LR (C=1) on growing feature sets.
  const sets: FeatureBlock[][] = [
    ["text", "categorical"],
    ["text", "categorical", "metadata"],
    ["text", "categorical", "credits"],
    ALL,
  ];
  for (const set of sets) {
    await oofOf(`lr_C1_${set.join("+")}`, makeStudyLr(), features(set, trainIdx));
  }
} else if (stage === "lr") {
  const X = features(ALL, trainIdx);
  for (const cw of [null, "balanced"] as const) {
    for (const C of [0.5, 1, 2, 4, 8]) {
      await oofOf(
        `lr_C${C}_${cw ?? "none"}_all`,
        new LogisticRegression({ C, classWeight: cw }),
        X,
      );
    }
  }
} else if (stage === "mlp") {
  const X = features(ALL, trainIdx);
  const variants: Record<string, MlpClassifierOptions> = {
    mlp_512_d05: { hiddenSizes: [512], dropout: 0.5 },
    mlp_512_d05_sqrt: { hiddenSizes: [512], dropout: 0.5, positiveWeight: "sqrt" },
    mlp_1024_d05_sqrt: { hiddenSizes: [1024], dropout: 0.5, positiveWeight: "sqrt" },
    mlp_512_d05_in02_sqrt: {
      hiddenSizes: [512],
      dropout: 0.5,
      inputDropout: 0.2,
      positiveWeight: "sqrt",
    },
  };
  const only = arg("--only", "");
  for (const [name, o] of Object.entries(variants)) {
    if (only && !only.split(",").includes(name)) continue;
    await oofOf(name, mlp(o), X);
  }
} else if (stage === "ens") {
  // Soft-voting averages of cached OOFs: no refits needed.
  const lrName = arg("--lr", "lr_C4_none_all");
  const mlpNames = arg("--mlp", "mlp_512_d05_sqrt").split(",");
  const lr = await cached(lrName);
  for (const m of mlpNames) {
    const p = await cached(m);
    for (const w of [0.3, 0.5, 0.7]) {
      const s = score(`${w}·${lrName} + ${(1 - w).toFixed(1)}·${m}`, average([lr, p], [w, 1 - w]));
      await appendResult(s);
    }
  }
  if (mlpNames.length > 1) {
    const ps = await Promise.all(mlpNames.map(cached));
    const s = score(
      `mean(${lrName}, ${mlpNames.join(", ")})`,
      average([lr, ...ps], [
        1,
        ...ps.map(() => 1),
      ]),
    );
    await appendResult(s);
  }
} else if (stage === "stack") {
  // Label co-occurrence: a second LR on [features, OOF probabilities of all genres]. Inside
  // each outer fold the stacker's training inputs are out-of-fold (inner 5-fold CV), so the
  // outer OOF below is honest.
  const X = features(ALL, trainIdx);
  const C1 = Number(arg("--base-c", "4"));
  const C2 = Number(arg("--stack-c", "4"));
  const cw = arg("--class-weight", "none") === "balanced" ? "balanced" : null;
  const passthrough = arg("--passthrough", "true") === "true";
  await oofOf(
    `stack_lrC${C1}_lrC${C2}_${cw ?? "none"}_${passthrough ? "pass" : "probs"}`,
    new StackedClassifier({
      base: new LogisticRegression({ C: C1, classWeight: cw }),
      stacker: new LogisticRegression({ C: C2, classWeight: cw }),
      passthrough,
    }),
    X,
  );
} else if (stage === "best") {
  // The configuration in lib/pipeline/best_model.ts, exactly as the train stage will build it.
  await oofOf(
    `best_${BEST_MODEL.features.join("+")}`,
    makeBestModel(),
    features(
      BEST_MODEL.features,
      trainIdx,
    ),
  );
} else if (stage === "final") {
  // The only place test rows are used: fit on all training rows, thresholds from the CV OOF.
  const candidates: [string, FeatureBlock[], MultiLabelEstimator, "global" | "per_genre"][] = [
    [
      "study LR (C=1, text+categorical, global thr)",
      ["text", "categorical"],
      makeStudyLr(),
      "global",
    ],
    [`best (${BEST_MODEL.description})`, BEST_MODEL.features, makeBestModel(), "per_genre"],
  ];
  for (const [name, set, make, mode] of candidates) {
    const XTrain = features(set, trainIdx);
    const XTest = features(set, testIdx);
    const yTest = takeRows(Y, testIdx);
    const oofName = name.startsWith("study") ? "lr_C1_text+categorical" : `best_${set.join("+")}`;
    const oof = await oofOf(oofName, make, XTrain);
    const t = tuneThresholds(yTrain, oof, { folds });
    const t0 = performance.now();
    const model = await make.clone().fit(XTrain, yTrain, { pool });
    const fitSeconds = (performance.now() - t0) / 1000;
    const P = await model.predictProba(XTest);
    const thr = mode === "global" ? t.globalThreshold : t.perLabel;
    const r = evaluate(yTest, binarize(P, thr), { labelNames: genres });
    const line = {
      name,
      thresholds: mode,
      fitSeconds,
      test: {
        f1_macro: r.f1_macro,
        f1_micro: r.f1_micro,
        exact_match: r.exact_match,
        hamming_loss: r.hamming_loss,
        f1_samples: r.f1_samples,
      },
    };
    console.log(JSON.stringify(line));
    await Deno.writeTextFile(join(cacheDir, "final.jsonl"), JSON.stringify(line) + "\n", {
      append: true,
    });
  }
} else {
  throw new Error(`--stage ${stage}: use features, lr, mlp, ens, stack, best or final`);
}

pool.close();
