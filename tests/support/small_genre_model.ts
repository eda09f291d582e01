/**
 * Small genre models for the tests: one fitted on 80 synthetic titles (4-dimensional LSA text
 * and the one-hot categories, a logistic regression with 3-fold CV thresholds), and a train-stage
 * spec of the same logistic regression.
 *
 * @module
 */

import { FeaturePipeline } from "../../lib/features/feature_pipeline.ts";
import { GenreModel } from "../../lib/pipeline/genre_model.ts";
import { LogisticRegression } from "../../lib/models/logistic_regression.ts";
import { LsaEmbedder } from "../../lib/embedders/lsa_embedder.ts";
import { parseTitles, type Titles } from "../../lib/data/netflix_csv.ts";
import type { FeatureBlock } from "../../lib/features/processed_data.ts";
import type { ModelSpec } from "../../lib/pipeline/model_catalog.ts";
import { ThresholdedClassifier } from "../../lib/models/thresholded_classifier.ts";
import { syntheticCsv } from "./synthetic_titles.ts";

/** The synthetic titles and the model fitted on them. */
export async function smallGenreModel(): Promise<{ titles: Titles; model: GenreModel }> {
  const { titles } = parseTitles(syntheticCsv(80));
  const model = await GenreModel.fit(titles, {
    pipeline: FeaturePipeline.create({
      embedder: new LsaEmbedder({ dimensions: 4, minDf: 1 }),
      blocks: ["text", "categorical"],
    }),
    estimator: new LogisticRegression({ C: 4 }),
    folds: 3,
  });
  return { titles, model };
}

/** A train-stage spec named `name`: LR C=4 on `features`, per-genre thresholds from `folds`-fold CV. */
export function lrSpec(name: string, features: FeatureBlock[], folds = 5): ModelSpec {
  return {
    name,
    description: `test ${name}`,
    features,
    estimator: new ThresholdedClassifier({
      estimator: new LogisticRegression({ C: 4 }),
      strategy: "per_genre",
      folds,
    }).spec(),
  };
}
