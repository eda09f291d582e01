/**
 * The worker pool for fitting models: {@linkcode openPool} opens the project's one pool
 * (`core/worker_pool.ts`) with {@linkcode fitSpec} as its fit task, so a worker can build any
 * estimator the registry knows from its spec, fit it and send back its state.
 *
 * @module
 */

import type { TaskRef } from "../core/estimator.ts";
import {
  fitOnRows,
  type FitTaskArgs,
  type FitTaskResult,
  WorkerPool,
} from "../core/worker_pool.ts";
import { buildEstimator } from "./model_store.ts";

/**
 * The fit task a worker runs for {@linkcode WorkerPool.fit}: builds the estimator from its spec
 * (and warm start), fits it on the given rows, and returns its state and, when asked, its
 * probabilities of other rows. The same steps the inline pool takes on a clone.
 *
 * @example
 * ```ts
 * import { fromRows, labelsFromRows } from "../core/matrix.ts";
 * const { state } = await fitSpec({
 *   spec: { kind: "logistic_regression", params: {} },
 *   X: fromRows([[0], [1]]),
 *   Y: labelsFromRows([[0], [1]]),
 * });
 * ```
 */
export async function fitSpec(args: FitTaskArgs): Promise<FitTaskResult> {
  const model = buildEstimator(args.spec);
  const proba = await fitOnRows(model, args);
  return { state: model.exportState(), proba: proba?.data };
}

/** {@linkcode fitSpec} as a worker-pool task. */
const FIT_TASK: TaskRef = { module: import.meta.url, name: "fitSpec" };

/**
 * Opens the pool with `workers` workers (this thread only when fewer than 2, or inside a
 * worker); close it when done (`using pool = openPool(2)`).
 *
 * @example
 * ```ts
 * import { LogisticRegression } from "./logistic_regression.ts";
 * import { fromRows, labelsFromRows } from "../core/matrix.ts";
 * using pool = openPool(2);
 * const lr = await new LogisticRegression().fit(fromRows([[0], [1]]), labelsFromRows([[0], [1]]), {
 *   pool,
 * });
 * ```
 */
export function openPool(workers: number): WorkerPool {
  return WorkerPool.create(workers, FIT_TASK);
}
