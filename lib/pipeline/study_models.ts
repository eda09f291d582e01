/**
 * The study's two baseline configurations, in one place for the train stage: logistic
 * regression with `C = 1`, and the random forest (100 trees, depth 20, at least 5 samples to
 * split, √features per split, `"balanced_subsample"` class weights, seed 42). The project's own
 * default lives in `best_model.ts`.
 *
 * @module
 */

import { LogisticRegression } from "../models/logistic_regression.ts";
import {
  RandomForestClassifier,
  type RandomForestOptions,
} from "../models/forest/random_forest_classifier.ts";

/** The study's random forest settings (scikit-learn names in brackets). */
export const STUDY_RF_OPTIONS: Readonly<
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
 * const rf = makeStudyRf({ progress: false });
 * await rf.fit(XTrain, yTrain);
 * ```
 */
export function makeStudyRf(options: RandomForestOptions = {}): RandomForestClassifier {
  return new RandomForestClassifier({ ...STUDY_RF_OPTIONS, ...options });
}
