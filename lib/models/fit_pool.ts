/**
 * A small pool of Web Workers that fit logistic regressions and MLPs, so that the independent
 * fits inside one composite model (the stacker's inner folds, the ensemble's members) keep both
 * cores busy. A fit is sent as the model's options (plus a logistic regression's warm start) and
 * the rows; the worker fits and answers with the model's JSON snapshot, which is loaded back
 * here. Each fit is the same single-threaded computation wherever it runs (OpenBLAS or tfjs
 * wasm, `core/native_blas.ts`), so a model fitted on the pool equals the one fitted on the main
 * thread bit for bit, and the composite's result does not depend on which worker finished first.
 *
 * Tasks start in the order they are submitted, each on the first idle worker; workers are
 * started on first use and stopped by {@linkcode FitPool.close}. Inside a worker (e.g. an outer
 * cross-validation fold already running on one) {@linkcode FitPool.create} gives no pool: the
 * cores are taken, and the caller fits on its own thread.
 *
 * Worker protocol: in {@linkcode FitTask}, out {@linkcode FitReply}.
 *
 * @module
 */

import type { LabelMatrix, Matrix } from "../core/matrix.ts";
import type { MultiLabelEstimator } from "../core/estimator.ts";
import {
  LogisticRegression,
  type LogisticRegressionJSON,
  type LogisticRegressionOptions,
} from "./logistic_regression.ts";
import {
  MlpClassifier,
  type MlpClassifierJSON,
  type MlpClassifierOptions,
} from "./mlp_classifier.ts";

/** A fit sent to a worker. */
export type FitTask =
  & { id: number; X: Matrix; Y: LabelMatrix; predict?: Matrix }
  & (
    | {
      kind: "logistic_regression";
      options: LogisticRegressionOptions;
      init?: { coef: Float32Array; intercept: Float32Array };
    }
    | { kind: "mlp"; options: MlpClassifierOptions }
  );

/** A worker's answer. */
export type FitReply =
  | { id: number; kind: "logistic_regression"; json: LogisticRegressionJSON; proba?: Float32Array }
  | {
    id: number;
    kind: "mlp";
    json: MlpClassifierJSON;
    history: number[];
    proba?: Float32Array;
  }
  | { id: number; error: string };

/** A model fitted on the pool and, when asked, its probabilities of the `predict` rows. */
export interface PoolFit<T> {
  model: T;
  proba?: Matrix;
}

/** True in a Web Worker (where {@linkcode FitPool.create} gives no pool). */
function inWorker(): boolean {
  return typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== "undefined";
}

/**
 * Fits logistic regressions and MLPs on Web Workers.
 *
 * @example
 * ```ts
 * import type { LabelMatrix, Matrix } from "../core/matrix.ts";
 * import { LogisticRegression } from "./logistic_regression.ts";
 * import { MlpClassifier } from "./mlp_classifier.ts";
 * declare const X: Matrix, Y: LabelMatrix;
 * const pool = FitPool.create(2);
 * if (pool) {
 *   try {
 *     const [lr, mlp] = await Promise.all([
 *       pool.fit(new LogisticRegression({ C: 4 }), X, Y),
 *       pool.fit(new MlpClassifier({ seed: 0 }), X, Y),
 *     ]);
 *     console.log(lr.model.nIter, mlp.model.bestEpoch);
 *   } finally {
 *     pool.close();
 *   }
 * }
 * ```
 */
export class FitPool {
  readonly size: number;
  #workers: Worker[] = [];
  #idle: Worker[] = [];
  #waiting: ((w: Worker) => void)[] = [];
  #next = 0;
  #closed = false;

  private constructor(size: number) {
    this.size = size;
  }

  /** A pool of `workers` workers, or null when that is fewer than 2 or this is a worker. */
  static create(workers: number): FitPool | null {
    if (!(workers >= 2) || inWorker()) return null;
    return new FitPool(Math.floor(workers));
  }

  /** Whether {@linkcode FitPool.fit} can take this model (a logistic regression or an MLP). */
  static canFit(model: MultiLabelEstimator): model is LogisticRegression | MlpClassifier {
    return model instanceof LogisticRegression || model instanceof MlpClassifier;
  }

  /**
   * Fits `model`'s configuration (its options and, for a logistic regression, its warm start)
   * on `X`, `Y` on a worker; resolves to a new fitted instance (`model` itself is not changed)
   * and, with `predict`, that model's probabilities of those rows.
   */
  async fit<T extends LogisticRegression | MlpClassifier>(
    model: T,
    X: Matrix,
    Y: LabelMatrix,
    options: { predict?: Matrix } = {},
  ): Promise<PoolFit<T>> {
    const id = this.#next++;
    const base = { id, X, Y, predict: options.predict };
    const task: FitTask = model instanceof LogisticRegression
      ? { ...base, kind: "logistic_regression", options: model.options, init: model.warmStart }
      : { ...base, kind: "mlp", options: (model as MlpClassifier).options };
    const worker = await this.#acquire();
    try {
      const reply = await run(worker, task);
      if ("error" in reply) {
        throw new Error(`FitPool: fit ${id} (${task.kind}) failed: ${reply.error}`);
      }
      const fitted = reply.kind === "logistic_regression"
        ? LogisticRegression.fromJSON(reply.json)
        : Object.assign(MlpClassifier.fromJSON(reply.json), { history: reply.history });
      const proba = reply.proba && options.predict
        ? { rows: options.predict.rows, cols: Y.cols, data: reply.proba }
        : undefined;
      return { model: fitted as T, proba };
    } finally {
      this.#release(worker);
    }
  }

  /** Stops every worker (pending fits fail). */
  close(): void {
    this.#closed = true;
    for (const w of this.#workers) w.terminate();
    this.#workers = [], this.#idle = [];
  }

  #acquire(): Promise<Worker> {
    if (this.#closed) return Promise.reject(new Error("FitPool: the pool is closed"));
    const idle = this.#idle.pop();
    if (idle) return Promise.resolve(idle);
    if (this.#workers.length < this.size) {
      const w = new Worker(new URL("./fit_worker.ts", import.meta.url), { type: "module" });
      this.#workers.push(w);
      return Promise.resolve(w);
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(worker: Worker): void {
    if (this.#closed) return;
    const waiter = this.#waiting.shift();
    if (waiter) waiter(worker);
    else this.#idle.push(worker);
  }
}

function run(worker: Worker, task: FitTask): Promise<FitReply> {
  return new Promise((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<FitReply>) => resolve(e.data);
    worker.onerror = (e) => {
      e.preventDefault();
      reject(new Error(`FitPool: fit ${task.id} (${task.kind}): the worker failed (${e.message})`));
    };
    worker.postMessage(task);
  });
}

/**
 * Fits `model` on `pool` when it can go there (see {@linkcode FitPool.canFit}), else on this
 * thread; resolves to the fitted model (a new instance when fitted on the pool).
 *
 * @example
 * ```ts
 * import type { LabelMatrix, Matrix } from "../core/matrix.ts";
 * import { LogisticRegression } from "./logistic_regression.ts";
 * declare const X: Matrix, Y: LabelMatrix;
 * const fitted = await fitOnPoolOrHere(new LogisticRegression(), [X, Y], { pool: null });
 * ```
 */
export async function fitOnPoolOrHere(
  model: MultiLabelEstimator,
  data: [Matrix, LabelMatrix],
  options: { pool: FitPool | null },
): Promise<MultiLabelEstimator> {
  const [X, Y] = data;
  if (options.pool && FitPool.canFit(model)) return (await options.pool.fit(model, X, Y)).model;
  await model.fit(X, Y);
  return model;
}
