/**
 * Out-of-fold probabilities with the folds fitted on Web Workers, two (or more) at a time, so
 * both cores work. Each worker rebuilds the estimator from a name (its module decides what the
 * names mean), fits the fold's training rows and predicts its held-out rows; the result is the
 * same matrix {@linkcode crossValPredictProba} returns, bit for bit, because every fold's fit is
 * the same single-threaded computation wherever it runs.
 *
 * Worker protocol: in `{ id, factory, train: { X, Y }, test: X, saveTo? }`; out `{ id, proba }`
 * or `{ id, error }` (id −1 is the optional fit on all rows, with no test rows). With `saveTo`
 * the worker also saves the fitted fold model there (a later stage that needs the same fold
 * models, such as permutation importance, then loads them instead of fitting them again).
 *
 * @module
 */

import { join } from "node:path";
import type { LabelMatrix, Matrix } from "../core/matrix.ts";
import { takeRows } from "../core/matrix.ts";
import { type CrossValOptions, OutOfFoldRows } from "./cross_val_predict.ts";

/** A fold to fit, as sent to a worker. */
export interface FoldTask {
  id: number;
  factory: string;
  train: { X: Matrix; Y: LabelMatrix };
  test: Matrix;
  /** Folder to save the fitted fold model in (the estimator store's layout), if any. */
  saveTo?: string;
}

/** A worker's answer. */
export type FoldReply = { id: number; proba: Float32Array } | { id: number; error: string };

/** Options for {@linkcode parallelCrossValPredictProba}. */
export interface ParallelCrossValOptions extends CrossValOptions {
  /** The worker module (it must answer {@linkcode FoldTask}s). */
  worker: URL;
  /** The estimator's name, as the worker module knows it. */
  factory: string;
  /** Workers at a time (default 2). */
  workers?: number;
  /** Save each fold's fitted model in `saveDir/fold_K` (K from 0), e.g. for permutation importance. */
  saveDir?: string;
  /**
   * Also fit the model on all rows, on the same workers (first in the queue, so that no worker
   * idles while the last fold runs), and save it in this folder; `onAllRows` gets its seconds.
   */
  allRowsTo?: string;
  /** Called when the all-rows fit of `allRowsTo` is saved, with the seconds it took. */
  onAllRows?: (seconds: number) => void;
}

/**
 * Fits each fold on a worker and gathers the held-out probabilities in row order.
 *
 * @example
 * ```ts
 * import type { LabelMatrix, Matrix } from "../core/matrix.ts";
 * import { genreCountStrata, stratifiedKFold } from "./k_fold.ts";
 * declare const X: Matrix, Y: LabelMatrix;
 * const folds = stratifiedKFold(genreCountStrata(Y), { nSplits: 5, seed: 42 });
 * const oof = await parallelCrossValPredictProba([X, Y], {
 *   folds,
 *   worker: new URL("../pipeline/fold_worker.ts", import.meta.url),
 *   factory: "study_lr",
 * });
 * ```
 */
export async function parallelCrossValPredictProba(
  data: [Matrix, LabelMatrix],
  options: ParallelCrossValOptions,
): Promise<Matrix> {
  const [X, Y] = data;
  if (X.rows !== Y.rows) {
    throw new RangeError(
      `parallelCrossValPredictProba: X has ${X.rows} rows but Y has ${Y.rows}; they must describe the same titles`,
    );
  }
  const oof = new OutOfFoldRows(X.rows, Y.cols, "parallelCrossValPredictProba");
  const n = Math.max(
    1,
    Math.min(
      options.workers ?? 2,
      options.folds.length + (options.allRowsTo === undefined ? 0 : 1),
    ),
  );
  const pool = Array.from({ length: n }, () => new Worker(options.worker, { type: "module" }));
  // Task -1 is the all-rows fit (when asked for); 0… are the folds.
  const tasks = [...(options.allRowsTo === undefined ? [] : [-1]), ...options.folds.keys()];
  let next = 0;
  try {
    await Promise.all(pool.map(async (worker) => {
      while (next < tasks.length) {
        const k = tasks[next++];
        const t0 = performance.now();
        if (k < 0) {
          await runFold(worker, {
            id: k,
            factory: options.factory,
            train: { X, Y },
            test: { rows: 0, cols: X.cols, data: new Float32Array(0) },
            saveTo: options.allRowsTo,
          });
          options.onAllRows?.((performance.now() - t0) / 1000);
          continue;
        }
        const fold = options.folds[k];
        const proba = await runFold(worker, {
          id: k,
          factory: options.factory,
          train: { X: takeRows(X, fold.train), Y: takeRows(Y, fold.train) },
          test: takeRows(X, fold.test),
          saveTo: options.saveDir === undefined ? undefined : foldModelDir(options.saveDir, k),
        });
        oof.set(k, fold.test, proba);
        options.onFold?.(k, (performance.now() - t0) / 1000);
      }
    }));
  } finally {
    for (const w of pool) w.terminate();
  }
  return oof.matrix();
}

/**
 * Where {@linkcode parallelCrossValPredictProba}'s `saveDir` keeps fold `k`'s model.
 *
 * @example
 * ```ts
 * foldModelDir("processed_data/cache/folds/best", 2); // "processed_data/cache/folds/best/fold_2"
 * ```
 */
export function foldModelDir(saveDir: string, k: number): string {
  return join(saveDir, `fold_${k}`);
}

function taskName(id: number): string {
  return id < 0 ? "the fit on all rows" : `fold ${id}`;
}

function runFold(worker: Worker, task: FoldTask): Promise<Float32Array> {
  return new Promise((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<FoldReply>) => {
      const m = e.data;
      if ("error" in m) reject(new Error(`${taskName(m.id)}: ${m.error}`));
      else resolve(m.proba);
    };
    worker.onerror = (e) => {
      e.preventDefault();
      reject(new Error(`${taskName(task.id)}: the worker failed (${e.message})`));
    };
    worker.postMessage(task);
  });
}
