/**
 * The candidates of bench/temporal_search.ts by name: which feature columns each reads (blocks,
 * per-block weights, dropped columns) and its estimator (sent to the pool's workers as its spec).
 *
 * @module
 */

import type { MultiLabelEstimator } from "../lib/core/estimator.ts";
import { makeBestModel } from "../lib/pipeline/best_model.ts";
import { LogisticRegression } from "../lib/models/logistic_regression.ts";
import { StackedClassifier } from "../lib/models/stacked_classifier.ts";
import { MlpClassifier } from "../lib/models/mlp_classifier.ts";
import { EnsembleClassifier } from "../lib/models/ensemble_classifier.ts";
import { BLOCK_FILES, type FeatureBlock } from "../lib/features/processed_data.ts";
import { makeStudyLr, modelSpecs } from "../lib/pipeline/model_catalog.ts";
import { buildEstimator } from "../lib/models/model_store.ts";
import type { ThresholdedClassifier } from "../lib/models/thresholded_classifier.ts";

/**
 * A block a candidate reads: one of preprocess's four, or one of the two extra text blocks of
 * bench/temporal_features.ts (`use`: the sentence encoder's vectors; `tfidf`: dense TF-IDF of the
 * 2,000 most frequent description terms).
 */
export type BlockName = FeatureBlock | "use" | "tfidf";

/** The file of each block in a features folder of bench/temporal_features.ts. */
export const BLOCK_FILE: Record<BlockName, string> = {
  ...BLOCK_FILES,
  use: "text_use.npy",
  tfidf: "text_tfidf.npy",
};

/** The feature columns a candidate reads. */
export interface FeatureSpec {
  /** Blocks in order, each with a multiplier applied to its columns (1 = as preprocess wrote). */
  blocks: [BlockName, number][];
  /** Metadata column names to leave out (e.g. `date_added`, which a time split extrapolates). */
  dropMetadata?: string[];
}

/** One candidate. */
export interface Candidate {
  features: FeatureSpec;
  model: MultiLabelEstimator;
}

const ALL = (credits = 1): [FeatureBlock, number][] => [
  ["text", 1],
  ["categorical", 1],
  ["metadata", 1],
  ["credits", credits],
];
const NO_CREDITS: [FeatureBlock, number][] = [["text", 1], ["categorical", 1], ["metadata", 1]];

const NODATE = ["date_added"];

const lr = (C: number) => new LogisticRegression({ C, classWeight: "balanced" });
const stack = () =>
  new StackedClassifier({ base: lr(4), stacker: lr(1), nFolds: 5, seed: 42, passthrough: true });
const mlp = () => new MlpClassifier({ hiddenSizes: [512], dropout: 0.5, seed: 0 });
const vote = () => new EnsembleClassifier({ members: [stack(), mlp()], weights: [0.5, 0.5] });

/**
 * Today's default (lib/pipeline/best_model.ts) with its MLP replaced by the mean of one MLP per
 * seed (seed-bagging): the default's own stack, and copies of its MLP's options with other seeds.
 */
const bestBagged = (seeds: number[]) => {
  const [stacked, mlp] = makeBestModel().options.members;
  const { options } = mlp as MlpClassifier;
  const mlps = seeds.map((seed) => new MlpClassifier({ ...options, seed }));
  return new EnsembleClassifier({
    members: [stacked, ...mlps],
    weights: [0.5, ...seeds.map(() => 0.5 / seeds.length)],
  });
};

/** The study's random forest, exactly as the catalog builds it. */
const studyRf = () =>
  (buildEstimator(
    modelSpecs().find((m) => m.name === "study_rf")!.estimator,
  ) as ThresholdedClassifier)
    .options.estimator;

/**
 * The text-embedding search (issue 18): each text block variant — LSA alone (today's default),
 * the sentence encoder alone, both, the encoder with TF-IDF terms — for the best model (all four
 * kinds of block) and the study's two models (text + categorical, as the study).
 */
const TEXT_VARIANTS: Record<string, BlockName[]> = {
  lsa: ["text"],
  use: ["use"],
  uselsa: ["use", "text"],
  usetfidf: ["use", "tfidf"],
};
const textSearch: Record<string, Candidate> = {};
for (const [variant, text] of Object.entries(TEXT_VARIANTS)) {
  const blocks = (rest: FeatureBlock[]) =>
    [...text, ...rest].map((b) => [b, 1] as [BlockName, number]);
  textSearch[`${variant}_best`] = {
    features: { blocks: blocks(["categorical", "metadata", "credits"]) },
    model: makeBestModel(),
  };
  textSearch[`${variant}_lr`] = {
    features: { blocks: blocks(["categorical"]) },
    model: makeStudyLr(),
  };
  textSearch[`${variant}_rf`] = { features: { blocks: blocks(["categorical"]) }, model: studyRf() };
}

/** Every candidate, by name. */
export const CANDIDATES: Record<string, Candidate> = {
  ...textSearch,
  // today's default, exactly
  best: { features: { blocks: ALL() }, model: makeBestModel() },
  // seed-bagged MLPs beside the stack (cheap since the MLP runs on native products)
  best_mlp3: { features: { blocks: ALL() }, model: bestBagged([0, 1, 2]) },
  best_mlp5: { features: { blocks: ALL() }, model: bestBagged([0, 1, 2, 3, 4]) },
  best_mlp3_nodate_credits05: {
    features: { blocks: ALL(0.5), dropMetadata: NODATE },
    model: bestBagged([0, 1, 2]),
  },
  // cheap proxies: the stack's base LR alone
  lr4b_all: { features: { blocks: ALL() }, model: lr(4) },
  lr4b_nocredits: { features: { blocks: NO_CREDITS }, model: lr(4) },
  lr4b_credits05: { features: { blocks: ALL(0.5) }, model: lr(4) },
  lr4b_credits2: { features: { blocks: ALL(2) }, model: lr(4) },
  lr4b_nodate: { features: { blocks: ALL(), dropMetadata: ["date_added"] }, model: lr(4) },
  lr4b_noyears: {
    features: { blocks: ALL(), dropMetadata: ["date_added", "release_year"] },
    model: lr(4),
  },
  lr4b_nodate_credits05: { features: { blocks: ALL(0.5), dropMetadata: NODATE }, model: lr(4) },
  lr4b_nodate_credits2: { features: { blocks: ALL(2), dropMetadata: NODATE }, model: lr(4) },
  lr2b_nodate: { features: { blocks: ALL(), dropMetadata: NODATE }, model: lr(2) },
  lr8b_nodate: { features: { blocks: ALL(), dropMetadata: NODATE }, model: lr(8) },
  stack_nodate: { features: { blocks: ALL(), dropMetadata: NODATE }, model: stack() },
  lr2b_all: { features: { blocks: ALL() }, model: lr(2) },
  lr8b_all: { features: { blocks: ALL() }, model: lr(8) },
  mlp_all: { features: { blocks: ALL() }, model: mlp() },
  mlp_nodate: { features: { blocks: ALL(), dropMetadata: ["date_added"] }, model: mlp() },
  stack_all: { features: { blocks: ALL() }, model: stack() },
  // full-size variants of the default
  best_nodate: { features: { blocks: ALL(), dropMetadata: ["date_added"] }, model: vote() },
  best_credits05: { features: { blocks: ALL(0.5) }, model: vote() },
  best_nodate_credits05: { features: { blocks: ALL(0.5), dropMetadata: NODATE }, model: vote() },
};
