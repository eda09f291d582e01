/**
 * The registry of estimators: it builds every kind from its spec, and saves and loads fitted
 * estimators (after scikit-learn's `get_params` / `clone`, with the fitted state beside).
 *
 * - {@linkcode buildEstimator}: `{ kind, params }` → an unfitted estimator (nested specs built
 *   too); `model.spec()` gives the spec back, `model.clone()` a fresh copy.
 * - {@linkcode saveEstimator} / {@linkcode loadEstimator}: a folder holding `estimator.json` =
 *   `{ "format": "netflix-genres-estimator/2", "spec" }` and the fitted state
 *   (`exportState`): `state.json` (its small values), one `.npy` file per array, and one
 *   sub-folder per part of a composite model (`estimator/`, `base/`, `member_0/`, …), each
 *   holding its own `state.json`, arrays and parts. A loaded model predicts exactly as before
 *   saving, checks every saved number as it loads (`importState`), and can be cloned and
 *   refitted like any other.
 *
 * @module
 */

import { join } from "node:path";
import { atomicWriteJson } from "../io/atomic_write.ts";
import type {
  EstimatorKind,
  EstimatorSpec,
  FittedState,
  Json,
  MultiLabelEstimator,
  StateArray,
} from "../core/estimator.ts";
import { readNpy, writeNpy } from "../io/npy.ts";
import { readJsonFile } from "../io/read_json.ts";
import { EnsembleClassifier } from "./ensemble_classifier.ts";
import { LogisticRegression, type LogisticRegressionOptions } from "./logistic_regression.ts";
import { MlpClassifier, type MlpClassifierOptions } from "./mlp_classifier.ts";
import {
  RandomForestClassifier,
  type RandomForestOptions,
} from "./forest/random_forest_classifier.ts";
import { StackedClassifier } from "./stacked_classifier.ts";
import { ThresholdedClassifier, type ThresholdedOptions } from "./thresholded_classifier.ts";

/** Format tag of `estimator.json`. */
const ESTIMATOR_FORMAT = "netflix-genres-estimator/2";
const ESTIMATOR_FILE = "estimator.json";
const STATE_FILE = "state.json";
const NAME = /^[a-z][a-z0-9_]*$/;

type Params = { [key: string]: Json };
type Build = (spec: EstimatorSpec) => MultiLabelEstimator;

const BUILDERS: Record<EstimatorKind, (params: Params, build: Build) => MultiLabelEstimator> = {
  logistic_regression: (p) => new LogisticRegression(p as LogisticRegressionOptions),
  mlp: (p) => new MlpClassifier(p as MlpClassifierOptions),
  random_forest: (p) => new RandomForestClassifier(p as RandomForestOptions),
  stacked: (p, build) =>
    new StackedClassifier({
      ...p,
      base: build(p.base as unknown as EstimatorSpec),
      stacker: build(p.stacker as unknown as EstimatorSpec),
    }),
  ensemble: (p, build) =>
    new EnsembleClassifier({
      members: (p.members as unknown as EstimatorSpec[]).map(build),
      weights: p.weights as number[],
    }),
  thresholded: (p, build) =>
    new ThresholdedClassifier({
      ...(p as Omit<ThresholdedOptions, "estimator">),
      estimator: build(p.estimator as unknown as EstimatorSpec),
    }),
};

/** Kinds the registry knows. */
const KINDS = Object.keys(BUILDERS) as EstimatorKind[];

/**
 * Builds an unfitted estimator from its spec (nested estimators too). Refuses an unknown kind
 * or a param the kind does not have, naming it.
 *
 * @example
 * ```ts
 * const lr = buildEstimator({ kind: "logistic_regression", params: { C: 4 } });
 * lr.spec().params.C; // 4
 * ```
 */
export function buildEstimator(spec: EstimatorSpec, where = "spec"): MultiLabelEstimator {
  if (!spec || typeof spec !== "object" || !Object.hasOwn(BUILDERS, spec.kind ?? "")) {
    throw new Error(
      `${where}: unknown estimator kind ${JSON.stringify(spec?.kind)}; known: ${KINDS.join(", ")}`,
    );
  }
  const params = spec.params ?? {};
  if (typeof params !== "object" || Array.isArray(params)) {
    throw new Error(`${where}: params of ${spec.kind} must be an object`);
  }
  const model = BUILDERS[spec.kind as EstimatorKind](
    params,
    (child) => buildEstimator(child, `${where} > ${spec.kind}`),
  );
  const known = model.spec().params;
  for (const key of Object.keys(params)) {
    if (!Object.hasOwn(known, key)) {
      throw new Error(
        `${where}: ${spec.kind} has no param "${key}"; its params are ${
          Object.keys(known).join(", ")
        }`,
      );
    }
  }
  return model;
}

/**
 * Writes a fitted estimator into folder `dir` (created when missing): its spec and its state.
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
  await writeState(dir, model.exportState());
  await atomicWriteJson(join(dir, ESTIMATOR_FILE), {
    format: ESTIMATOR_FORMAT,
    spec: model.spec(),
  });
}

async function writeState(dir: string, state: FittedState): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  for (const [name, array] of Object.entries(state.arrays)) {
    if (!NAME.test(name)) throw new Error(`saveEstimator: array name "${name}" is not a file name`);
    await writeNpy(join(dir, `${name}.npy`), array);
  }
  for (const [name, part] of Object.entries(state.parts)) {
    if (!NAME.test(name)) {
      throw new Error(`saveEstimator: part name "${name}" is not a folder name`);
    }
    await writeState(join(dir, name), part);
  }
  await atomicWriteJson(join(dir, STATE_FILE), state.json);
}

/**
 * Loads an estimator written by {@linkcode saveEstimator}; it predicts exactly as before saving.
 * A file that is missing, of another format, or holds a number out of range is refused naming
 * the file and the fix.
 *
 * @example
 * ```ts
 * const model = await loadEstimator("processed_data/models/best/estimator");
 * ```
 */
export async function loadEstimator(dir: string): Promise<MultiLabelEstimator> {
  const path = join(dir, ESTIMATOR_FILE);
  const fix = "re-run `npx deno task train`";
  const meta = await readJsonFile<{ format?: string; spec?: EstimatorSpec }>(path, { hint: fix });
  if (meta?.format !== ESTIMATOR_FORMAT) {
    throw new Error(
      `${path} is not a ${ESTIMATOR_FORMAT} file (format ${JSON.stringify(meta?.format)}); ${fix}`,
    );
  }
  const model = buildEstimator(meta.spec!, path);
  const state = await readState(dir);
  try {
    return model.importState(state);
  } catch (err) {
    throw new Error(`${dir}: ${(err as Error).message}`);
  }
}

async function readState(dir: string): Promise<FittedState> {
  const state: FittedState = {
    json: await readJsonFile(join(dir, STATE_FILE), { hint: "re-run `npx deno task train`" }),
    arrays: {},
    parts: {},
  };
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && e.name.endsWith(".npy")) {
      const name = e.name.slice(0, -4);
      state.arrays[name] = (await readNpy(join(dir, e.name), {
        expectDtype: ["<f4", "<i4", "|u1"],
        hint: "re-run `npx deno task train`",
      })).data as StateArray;
    } else if (e.isDirectory && NAME.test(e.name)) {
      state.parts[e.name] = await readState(join(dir, e.name));
    }
  }
  return state;
}
