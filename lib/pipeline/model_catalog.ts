/**
 * The models `deno task train` knows: the study's two baselines — logistic regression with
 * `C = 1`, and the random forest (100 trees, depth 20, at least 5 samples to split, √features per
 * split, `"balanced_subsample"` class weights, seed 42) — and the project's best model (its
 * configuration and how it was chosen are in `best_model.ts`), plus the ablation's feature sets.
 *
 * @module
 */

import { LogisticRegression } from "../models/logistic_regression.ts";
import {
  RandomForestClassifier,
  type RandomForestOptions,
} from "../models/forest/random_forest_classifier.ts";
import type { FeatureBlock } from "../features/processed_data.ts";
import { BEST_MODEL, makeBestModel } from "./best_model.ts";
import type { ModelSpec } from "./train_stage.ts";

/**
 * The three model specs `deno task train` trains, in order.
 *
 * @example
 * ```ts
 * const names = modelSpecs().map((s) => s.name); // ["study_lr", "study_rf", "best"]
 * ```
 */
export function modelSpecs(options: { progress?: boolean } = {}): ModelSpec[] {
  return [
    {
      name: "study_lr",
      description: "Study baseline: logistic regression (C=1, L2), threshold 0.5",
      features: ["text", "categorical"],
      make: () => makeStudyLr(),
      thresholds: "fixed",
    },
    {
      name: "study_rf",
      description:
        "Study random forest: 100 trees per genre, depth 20, balanced_subsample, global CV threshold",
      features: ["text", "categorical"],
      make: () => makeStudyRf({ progress: options.progress }),
      thresholds: "global",
    },
    {
      name: BEST_MODEL.name,
      description: BEST_MODEL.description,
      features: BEST_MODEL.features,
      make: () => makeBestModel({ progress: options.progress }),
      thresholds: BEST_MODEL.thresholds,
      factory: BEST_MODEL.name, // its CV folds are fitted on workers (lib/pipeline/fold_worker.ts)
    },
  ];
}

/** The name of the project's best model. */
export const BEST_MODEL_NAME: string = BEST_MODEL.name;

/** Feature sets of the ablation (the best model retrained on each). */
export const ABLATION_SETS: FeatureBlock[][] = [
  ["text"],
  ["categorical"],
  ["text", "categorical"],
  ["text", "categorical", "metadata"],
];

/** The study's random forest settings (scikit-learn names in brackets). */
const STUDY_RF_OPTIONS: Readonly<
  Required<Omit<RandomForestOptions, "workers" | "progress">>
> = Object.freeze({
  nEstimators: 100, // n_estimators
  maxDepth: 20, // max_depth
  minSamplesSplit: 5, // min_samples_split
  maxFeatures: "sqrt", // max_features
  bootstrap: true,
  classWeight: "balanced_subsample", // class_weight
  multiOutput: false, // one forest per genre (OneVsRestClassifier)
  seed: 42, // random_state
  maxBins: 1024,
});

/**
 * The study's logistic regression: `LogisticRegression(C=1)` (lbfgs, no class weights).
 *
 * @example
 * ```ts
 * import type { LabelMatrix, Matrix } from "../core/matrix.ts";
 * declare const XTrain: Matrix, yTrain: LabelMatrix, XTest: Matrix;
 * const lr = makeStudyLr();
 * await lr.fit(XTrain, yTrain);
 * const P = await lr.predictProba(XTest);
 * ```
 */
export function makeStudyLr(): LogisticRegression {
  return new LogisticRegression({ C: 1 });
}

/**
 * The study's random forest; `options` may change how it runs (`workers`, `progress`) or
 * override a setting (e.g. fewer trees in a quick run).
 *
 * @example
 * ```ts
 * import type { LabelMatrix, Matrix } from "../core/matrix.ts";
 * declare const XTrain: Matrix, yTrain: LabelMatrix;
 * const rf = makeStudyRf({ progress: false });
 * await rf.fit(XTrain, yTrain);
 * ```
 */
export function makeStudyRf(options: RandomForestOptions = {}): RandomForestClassifier {
  return new RandomForestClassifier({ ...STUDY_RF_OPTIONS, ...options });
}
