/**
 * The models `deno task train` knows, as data: each a name, a description, the feature blocks it
 * reads and its estimator spec (a {@linkcode ThresholdedClassifier} around the model). The
 * study's two baselines on the study's feature set (the text embedding — the semantic one, as the
 * study's — and one-hot type and rating) — logistic regression with `C = 1`, and the random
 * forest (100 trees, depth 20, at least 5 samples to split, √features per split,
 * `"balanced_subsample"` class weights, seed 42) — and the project's best model (its
 * configuration and how it was chosen are in `best_model.ts`), with its ablation's feature sets.
 *
 * @module
 */

import type { EstimatorSpec } from "../core/estimator.ts";
import { LogisticRegression } from "../models/logistic_regression.ts";
import {
  RandomForestClassifier,
  type RandomForestOptions,
} from "../models/forest/random_forest_classifier.ts";
import { ThresholdedClassifier } from "../models/thresholded_classifier.ts";
import type { FeatureBlock } from "../features/processed_data.ts";
import { BEST_MODEL, makeBestModel } from "./best_model.ts";

/** One model `deno task train` trains: data only. */
export interface ModelSpec {
  /** Key in metrics.json and folder name under models/. */
  name: string;
  /** One line for tables and notebooks. */
  description: string;
  /** Feature blocks the model reads, in order. */
  features: FeatureBlock[];
  /** The estimator: a thresholded classifier (CV thresholds) around the model. */
  estimator: EstimatorSpec;
  /**
   * Subsets of `features` the same estimator is also trained and scored on, to measure what each
   * block adds (evaluation only: nothing of it is saved but the scores).
   */
  ablation?: FeatureBlock[][];
}

/**
 * The three model specs `deno task train` trains, in order.
 *
 * @example
 * ```ts
 * const names = modelSpecs().map((s) => s.name); // ["study_lr", "study_rf", "best"]
 * ```
 */
export function modelSpecs(): ModelSpec[] {
  return [
    {
      name: "study_lr",
      description: "Study baseline: logistic regression (C=1, L2), threshold 0.5",
      features: ["text", "categorical"],
      estimator: new ThresholdedClassifier({ estimator: makeStudyLr(), strategy: "fixed" }).spec(),
    },
    {
      name: "study_rf",
      description:
        "Study random forest: 100 trees per genre, depth 20, balanced_subsample, global CV threshold",
      features: ["text", "categorical"],
      estimator: new ThresholdedClassifier({ estimator: makeStudyRf(), strategy: "global" }).spec(),
    },
    {
      name: BEST_MODEL.name,
      description: BEST_MODEL.description,
      features: BEST_MODEL.features,
      estimator: new ThresholdedClassifier({
        estimator: makeBestModel(),
        strategy: BEST_MODEL.thresholds,
      }).spec(),
      ablation: ABLATION_SETS,
    },
  ];
}

/** The name of the project's best model. */
export const BEST_MODEL_NAME: string = BEST_MODEL.name;

/**
 * Feature sets of the ablation (the best model retrained on each): the blocks added one by one,
 * then the text without its LSA (semantic only) and without the semantic embedding (LSA only) —
 * what semantic text adds over LSA, genre by genre (notebook 05).
 */
const ABLATION_SETS: FeatureBlock[][] = [
  ["text"],
  ["categorical"],
  ["text", "categorical"],
  ["text", "categorical", "metadata"],
  ["text", "categorical", "metadata", "credits"],
  ["lsa", "categorical", "metadata", "credits"],
];

/** The study's random forest settings (scikit-learn names in brackets). */
const STUDY_RF_OPTIONS: Readonly<Required<RandomForestOptions>> = Object.freeze({
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

/** The study's random forest; `options` may override a setting. */
function makeStudyRf(options: RandomForestOptions = {}): RandomForestClassifier {
  return new RandomForestClassifier({ ...STUDY_RF_OPTIONS, ...options });
}
