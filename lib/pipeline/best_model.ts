/**
 * The project's default model, chosen on the training rows only — by nested 5-fold cross-validation
 * and by a time-ordered validation (fitted on the titles added through 2018, scored on 2019's)
 * (bench/model_search.ts, bench/temporal_search.ts; numbers in bench/model_search_results.md):
 *
 * - features: every block — the description's semantic embedding (the sentence encoder, `text`)
 *   and its LSA (`lsa`; the two together beat either alone on both validations), one-hot
 *   type/rating, metadata (year, duration, date added, countries) and credits (cast/director
 *   TF-IDF + SVD);
 * - model: an equal-weight soft vote of
 *   1. a stacked logistic regression (label co-occurrence): LR(C=4, balanced) → LR(C=1,
 *      balanced) on [features, out-of-fold probabilities of all 42 genres], and
 *   2. an MLP (512 ReLU units, dropout 0.5, early stopping with patience 5);
 * - decisions: one threshold per genre, tuned on out-of-fold probabilities of the training rows
 *   and shrunk toward the global one by the genre's number of positive titles (k = 50): better
 *   than per-genre or global thresholds on both validations.
 *
 * One fit is 6 LR fits + 1 stacker fit (two label groups) + 1 MLP fit; given a worker pool they
 * run two at a time (core/worker_pool.ts; timings in bench/speed_results.md).
 *
 * @module
 */

import { EnsembleClassifier } from "../models/ensemble_classifier.ts";
import { LogisticRegression } from "../models/logistic_regression.ts";
import { MlpClassifier } from "../models/mlp_classifier.ts";
import type { FeatureBlock } from "../features/processed_data.ts";
import { StackedClassifier } from "../models/stacked_classifier.ts";
import type { ThresholdStrategy } from "../models/thresholded_classifier.ts";

/** What the train stage needs to know about the default model. */
export interface BestModelSpec {
  /** Name of the model folder and results row. */
  name: "best";
  /** One line for tables and logs. */
  description: string;
  /** Feature blocks, in order, that the model is fitted on. */
  features: FeatureBlock[];
  /** How decisions are made (see `ThresholdedClassifier`'s strategies). */
  thresholds: ThresholdStrategy;
}

/**
 * The default model's description, features and threshold mode.
 *
 * @example
 * ```ts
 * import { loadProcessed } from "../features/processed_data.ts";
 * const data = await loadProcessed("processed_data", { features: BEST_MODEL.features });
 * ```
 */
export const BEST_MODEL: BestModelSpec = {
  name: "best",
  description: "0.5 × stacked LR (C=4 → C=1, balanced; label co-occurrence) + 0.5 × MLP " +
    "(512, dropout 0.5); semantic text + LSA + categorical + metadata + credits; per-genre " +
    "thresholds shrunk toward the global one",
  features: ["text", "lsa", "categorical", "metadata", "credits"],
  thresholds: "shrunk",
};

/** Options for {@linkcode makeBestModel}. */
export interface MakeBestModelOptions {
  /** Seed of the MLP (initialisation, shuffling, validation split, dropout); default 0. */
  seed?: number;
}

/**
 * Builds a fresh, unfitted default model (fit it on features assembled from
 * `BEST_MODEL.features`; give `fit` a worker pool to use both cores).
 *
 * @example
 * ```ts
 * import type { LabelMatrix, Matrix } from "../core/matrix.ts";
 * declare const XTrain: Matrix, yTrain: LabelMatrix, XTest: Matrix;
 * const model = makeBestModel({ seed: 0 });
 * await model.fit(XTrain, yTrain);
 * const P = await model.predictProba(XTest);
 * ```
 */
export function makeBestModel(options: MakeBestModelOptions = {}): EnsembleClassifier {
  // L-BFGS memory 20 instead of 10: the same optimum (convex problems solved to tolerance) in
  // ~11 % fewer iterations on these features (bench/speed_results.md).
  const memory = 20;
  // Stop when an iteration lowers the objective by less than 1e-6 of its value (SciPy's
  // default is 2.2e-9): ~40 % fewer iterations than SciPy's, test probabilities within 0.021 and
  // the scores the same to ±0.002 (bench/lr_tolerance_bench.ts, bench/speed_results.md).
  const ftol = 1e-6;
  const stacked = new StackedClassifier({
    base: new LogisticRegression({ C: 4, classWeight: "balanced", memory, ftol }),
    stacker: new LogisticRegression({ C: 1, classWeight: "balanced", memory, ftol }),
    nFolds: 5,
    seed: 42,
    passthrough: true,
    // Two groups of the stacker's labels, which a pool fits side by side (nothing else can run
    // beside the stacker).
    stackerLabelGroups: 2,
  });
  // Early-stopping patience 5 instead of 10: in all 6 fits of training the validation loss
  // never improved again after a 5-epoch plateau, so the kept weights (and the CV and test
  // scores) are the same, in 16 epochs instead of 21 for the final fit (bench/speed_results.md).
  const mlp = new MlpClassifier({
    hiddenSizes: [512],
    dropout: 0.5,
    patience: 5,
    seed: options.seed ?? 0,
  });
  return new EnsembleClassifier({ members: [stacked, mlp], weights: [0.5, 0.5] });
}
