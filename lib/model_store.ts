/**
 * Saving and loading fitted models under `processed_data/models/<name>/`.
 *
 * Format: each folder holds `model.json` = `{ "format": "netflix-genres-model/1", "kind", ... }`.
 * - `logistic_regression` and `mlp`: the model's `toJSON()` under `"state"` (weights as base64
 *   little-endian float32).
 * - `random_forest`: the forest's own files (`forest.json` + `.npy` node arrays) beside it.
 * - `stacked`: the stacked classifier's `toJSON()` under `"state"` (both stages' weights).
 * - `ensemble`: `"weights"` and one sub-folder `member_<i>/` per member, each in this format.
 *
 * @module
 */

import { join } from "node:path";
import { atomicWriteJson } from "./atomic_write.ts";
import { EnsembleClassifier } from "./ensemble_classifier.ts";
import type { MultiLabelEstimator } from "./estimator.ts";
import { LogisticRegression, type LogisticRegressionJSON } from "./logistic_regression.ts";
import { MlpClassifier, type MlpClassifierJSON } from "./mlp_classifier.ts";
import { RandomForest } from "./random_forest.ts";
import { StackedClassifier, type StackedClassifierJSON } from "./stacked_classifier.ts";

const FORMAT = "netflix-genres-model/1";

/** Kinds of model the store knows. */
export type ModelKind = "logistic_regression" | "mlp" | "random_forest" | "stacked" | "ensemble";

/**
 * Names the kind of a fitted model.
 *
 * @example
 * ```ts
 * modelKind(new LogisticRegression()); // "logistic_regression"
 * ```
 */
export function modelKind(model: MultiLabelEstimator): ModelKind {
  if (model instanceof LogisticRegression) return "logistic_regression";
  if (model instanceof MlpClassifier) return "mlp";
  if (model instanceof RandomForest) return "random_forest";
  if (model instanceof StackedClassifier) return "stacked";
  if (model instanceof EnsembleClassifier) return "ensemble";
  throw new TypeError(
    "saveModel: unknown model type; expected LR, MLP, random forest, stacked or ensemble",
  );
}

/**
 * Writes a fitted model to `dir` (created if missing; files written atomically).
 *
 * @example
 * ```ts
 * await saveModel("processed_data/models/study_lr", lr);
 * ```
 */
export async function saveModel(dir: string, model: MultiLabelEstimator): Promise<void> {
  const kind = modelKind(model);
  await Deno.mkdir(dir, { recursive: true });
  if (kind === "logistic_regression" || kind === "mlp" || kind === "stacked") {
    const state = (model as LogisticRegression | MlpClassifier | StackedClassifier).toJSON();
    await atomicWriteJson(join(dir, "model.json"), { format: FORMAT, kind, state });
  } else if (kind === "random_forest") {
    await (model as RandomForest).save(dir);
    await atomicWriteJson(join(dir, "model.json"), { format: FORMAT, kind });
  } else {
    const ens = model as EnsembleClassifier;
    for (const [i, m] of ens.members.entries()) await saveModel(join(dir, `member_${i}`), m);
    await atomicWriteJson(join(dir, "model.json"), {
      format: FORMAT,
      kind,
      weights: ens.weights,
      members: ens.members.length,
    });
  }
}

/**
 * Loads a model written by {@linkcode saveModel}; it predicts exactly as before saving.
 *
 * @example
 * ```ts
 * const model = await loadModel("processed_data/models/best");
 * const P = await model.predictProba(X);
 * ```
 */
export async function loadModel(
  dir: string,
  options: { progress?: boolean } = {},
): Promise<MultiLabelEstimator> {
  const path = join(dir, "model.json");
  let meta: {
    format?: string;
    kind?: ModelKind;
    state?: unknown;
    weights?: number[];
    members?: number;
  };
  try {
    meta = JSON.parse(await Deno.readTextFile(path));
  } catch (err) {
    throw new Error(
      `Cannot read ${path} (${(err as Error).message}): run \`npx deno task train\` first.`,
    );
  }
  if (meta.format !== FORMAT) {
    throw new Error(`${path} is not a ${FORMAT} file; re-run \`npx deno task train\`.`);
  }
  switch (meta.kind) {
    case "logistic_regression":
      return LogisticRegression.fromJSON(meta.state as LogisticRegressionJSON);
    case "mlp":
      return MlpClassifier.fromJSON(meta.state as MlpClassifierJSON);
    case "random_forest":
      return await RandomForest.load(dir, { progress: options.progress });
    case "stacked":
      return StackedClassifier.fromJSON(meta.state as StackedClassifierJSON);
    case "ensemble": {
      const members: MultiLabelEstimator[] = [];
      for (let i = 0; i < (meta.members ?? 0); i++) {
        members.push(await loadModel(join(dir, `member_${i}`), options));
      }
      return new EnsembleClassifier(members, { weights: meta.weights });
    }
    default:
      throw new Error(
        `${path}: unknown model kind "${meta.kind}"; re-run \`npx deno task train\`.`,
      );
  }
}
