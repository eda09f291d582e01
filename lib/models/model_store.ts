/**
 * Saving and loading fitted estimators, looked up by their `kind`.
 *
 * A saved estimator is a folder holding `estimator.json` = `{ "format":
 * "netflix-genres-estimator/1", "kind" }` beside the files the estimator's own `save(dir)`
 * writes (composite models — stacked, ensemble, thresholded — save their parts in sub-folders
 * through this store). {@linkcode loadEstimator} reads the kind and calls that class's `load`.
 *
 * @module
 */

import { join } from "node:path";
import { atomicWriteJson } from "../io/atomic_write.ts";
import { EnsembleClassifier } from "./ensemble_classifier.ts";
import type { EstimatorKind, MultiLabelEstimator } from "../core/estimator.ts";
import { LogisticRegression } from "./logistic_regression.ts";
import { MlpClassifier } from "./mlp_classifier.ts";
import { RandomForestClassifier } from "./forest/random_forest_classifier.ts";
import { readJsonFile } from "../io/read_json.ts";
import { StackedClassifier } from "./stacked_classifier.ts";
import { ThresholdedClassifier } from "./thresholded_classifier.ts";

/** Format tag of `estimator.json`. */
const ESTIMATOR_FORMAT = "netflix-genres-estimator/1";
const ESTIMATOR_FILE = "estimator.json";

// Arrow functions, so that the classes (which import this module for their parts) are only
// looked up when a model is loaded, never while modules are still being evaluated.
const LOADERS: Record<EstimatorKind, (dir: string) => Promise<MultiLabelEstimator>> = {
  logistic_regression: (dir) => LogisticRegression.load(dir),
  mlp: (dir) => MlpClassifier.load(dir),
  random_forest: (dir) => RandomForestClassifier.load(dir, { progress: false }),
  stacked: (dir) => StackedClassifier.load(dir),
  ensemble: (dir) => EnsembleClassifier.load(dir),
  thresholded: (dir) => ThresholdedClassifier.load(dir),
};

/** Kinds of estimator the store can load. */
const ESTIMATOR_KINDS: readonly EstimatorKind[] = Object.keys(LOADERS) as EstimatorKind[];

/**
 * Writes a fitted estimator to folder `dir` (created when missing): the estimator's own files
 * and `estimator.json` naming its kind.
 *
 * @example
 * ```ts
 * import { LogisticRegression } from "./logistic_regression.ts";
 * import { fromRows, labelsFromRows } from "../core/matrix.ts";
 * const lr = await new LogisticRegression().fit(fromRows([[0], [1]]), labelsFromRows([[0], [1]]));
 * await saveEstimator(await Deno.makeTempDir(), lr);
 * ```
 */
export async function saveEstimator(dir: string, model: MultiLabelEstimator): Promise<void> {
  if (!Object.hasOwn(LOADERS, model.kind)) {
    throw new TypeError(
      `saveEstimator: no loader for kind "${model.kind}"; known kinds: ${
        ESTIMATOR_KINDS.join(", ")
      }`,
    );
  }
  await Deno.mkdir(dir, { recursive: true });
  await model.save(dir);
  await atomicWriteJson(join(dir, ESTIMATOR_FILE), { format: ESTIMATOR_FORMAT, kind: model.kind });
}

/**
 * Loads an estimator written by {@linkcode saveEstimator}; it predicts exactly as before saving.
 *
 * @example
 * ```ts
 * const model = await loadEstimator("processed_data/models/best/estimator");
 * ```
 */
export async function loadEstimator(dir: string): Promise<MultiLabelEstimator> {
  const path = join(dir, ESTIMATOR_FILE);
  const meta = await readJsonFile<{ format?: string; kind?: string }>(path);
  if (meta.format !== ESTIMATOR_FORMAT) {
    throw new Error(
      `${path} is not a ${ESTIMATOR_FORMAT} file (format ${meta.format}); re-run ` +
        "`npx deno task train`",
    );
  }
  const load = Object.hasOwn(LOADERS, meta.kind ?? "")
    ? LOADERS[meta.kind as EstimatorKind]
    : undefined;
  if (!load) {
    throw new Error(
      `${path}: unknown estimator kind "${meta.kind}" (known: ${ESTIMATOR_KINDS.join(", ")}); ` +
        "re-run `npx deno task train`",
    );
  }
  return await load(dir);
}
