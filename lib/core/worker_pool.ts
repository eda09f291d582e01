/**
 * The project's one worker pool: Web Workers that run tasks — fit an estimator, grow a forest's
 * trees, embed a batch of texts — so that independent work keeps both cores busy. A task is an
 * exported async function of some module, named by URL ({@linkcode TaskRef}); the worker
 * (`pool_worker.ts`) imports that module and calls it with the task's argument. There is one
 * protocol for every kind of work, and a model never learns one of its own.
 *
 * Every task is the same single-threaded computation wherever it runs, so a result does not
 * depend on the number of workers or on which one finished first: a pool of one (or a pool
 * created inside a worker, where the cores are taken) runs each task on the calling thread,
 * with the same result bit for bit.
 *
 * Fitting: {@linkcode WorkerPool.fit} sends a model's spec (its kind and params, plus a warm
 * start) and the rows to fit; the worker builds the model with the pool's fit task (given by
 * whoever opens the pool: `models/estimator_pool.ts`), fits it and answers with its
 * {@linkcode FittedState}, which becomes a fitted clone here. `X` goes to the workers in shared
 * memory ({@linkcode WorkerPool.share}): share it once and give each fold its row indices.
 *
 * @module
 */

import {
  type EstimatorPool,
  type FitData,
  type FitOptions,
  type FittedState,
  type MultiLabelEstimator,
  type PoolFit,
  type StartingPoint,
  type TaskRef,
} from "./estimator.ts";
import { type LabelMatrix, type Matrix, takeRows } from "./matrix.ts";
import { inWorker, taskFunction, type TaskMessage } from "./pool_worker.ts";

/**
 * How a pool fits a model, on this thread or in a worker: from `data.start` (its warm start) on
 * `data.rows` of X and Y (all rows when absent); returns its probabilities of `data.predictRows`
 * when asked. Changes `model`.
 *
 * @example
 * ```ts
 * import { fromRows, labelsFromRows } from "./matrix.ts";
 * import type { MultiLabelEstimator } from "./estimator.ts";
 * declare const model: MultiLabelEstimator;
 * const proba = await fitOnRows(model, {
 *   X: fromRows([[0], [1], [2]]),
 *   Y: labelsFromRows([[0], [1], [1]]),
 *   rows: [0, 1],
 *   predictRows: [2],
 * });
 * ```
 */
export async function fitOnRows(
  model: MultiLabelEstimator,
  data: FitData & { start?: StartingPoint },
  options?: FitOptions,
): Promise<Matrix | undefined> {
  if (data.start) model.startFrom!(data.start);
  const { X, Y, rows, predictRows } = data;
  await model.fit(rows ? takeRows(X, rows) : X, rows ? takeRows(Y, rows) : Y, options);
  return predictRows ? await model.predictProba(takeRows(X, predictRows)) : undefined;
}

/** What the fit task of a pool receives (see `models/estimator_pool.ts`). */
export interface FitTaskArgs {
  spec: ReturnType<MultiLabelEstimator["spec"]>;
  start?: StartingPoint;
  X: Matrix;
  Y: LabelMatrix;
  rows?: Int32Array;
  predictRows?: Int32Array;
}

/** What the fit task answers. */
export interface FitTaskResult {
  state: FittedState;
  proba?: Float32Array;
}

/** A worker's answer. */
type TaskReply = { id: number; result: unknown } | { id: number; error: string };

/**
 * Web Workers that run tasks, fit models and share matrices.
 *
 * @example
 * ```ts
 * import type { MultiLabelEstimator, TaskRef } from "./estimator.ts";
 * import type { LabelMatrix, Matrix } from "./matrix.ts";
 * declare const fitTask: TaskRef, model: MultiLabelEstimator, X: Matrix, Y: LabelMatrix;
 * using pool = WorkerPool.create(2, fitTask);
 * const shared = pool.share(X); // once, for every fold
 * const { model: fitted, proba } = await pool.fit(model, {
 *   X: shared,
 *   Y,
 *   rows: [0, 1, 2],
 *   predictRows: [3, 4],
 * });
 * ```
 */
export class WorkerPool implements EstimatorPool {
  /** The pool of this thread alone: every task runs here, one after the other. */
  static readonly inline: WorkerPool = new WorkerPool(1, null);

  readonly size: number;
  readonly #fitTask: TaskRef | null | undefined;
  #workers: Worker[] = [];
  #idle: Worker[] = [];
  #waiting: ((w: Worker) => void)[] = [];
  #next = 0;
  #closed = false;

  private constructor(size: number, fitTask: TaskRef | null | undefined) {
    this.size = size;
    this.#fitTask = fitTask;
  }

  /**
   * A pool of `workers` workers whose {@linkcode fit} builds models with `fitTask` (a pool
   * without one runs tasks but fits no model: open it with `models/estimator_pool.ts`'s
   * `openPool` for that); the inline pool when `workers` is below 2 or this is a worker already.
   */
  static create(workers: number, fitTask?: TaskRef): WorkerPool {
    if (!(workers >= 2) || inWorker()) return WorkerPool.inline;
    return new WorkerPool(Math.floor(workers), fitTask);
  }

  /** Whether tasks run on this thread (no workers). */
  get inline(): boolean {
    return this.#fitTask === null;
  }

  /**
   * Runs `task` with `args` on the first idle worker (here, on the inline pool) and resolves to
   * its result. Tasks must not change their argument: on this thread they get it as it is.
   */
  async run<R>(task: TaskRef, args: unknown): Promise<R> {
    if (this.inline) {
      const fn = await taskFunction(task);
      return await fn(args) as R;
    }
    const worker = await this.#acquire();
    try {
      return await send(worker, { id: this.#next++, ...task, args }) as R;
    } finally {
      this.#release(worker);
    }
  }

  /**
   * Fits a clone of `model` (its params and starting point) as one task, on `data.rows` of X and
   * Y (all rows when absent), and with `predictRows` also returns its probabilities of those
   * rows. `model` is not changed.
   */
  async fit<T extends MultiLabelEstimator>(model: T, data: FitData): Promise<PoolFit<T>> {
    const rows = data.rows ? Int32Array.from(data.rows) : undefined;
    const predictRows = data.predictRows ? Int32Array.from(data.predictRows) : undefined;
    const start = model.startingPoint?.();
    if (this.inline) {
      const fitted = model.clone() as T;
      const proba = await fitOnRows(fitted, { X: data.X, Y: data.Y, rows, predictRows, start });
      return { model: fitted, proba };
    }
    const args: FitTaskArgs = {
      spec: model.spec(),
      start,
      X: this.share(data.X),
      Y: data.Y,
      rows,
      predictRows,
    };
    if (!this.#fitTask) {
      throw new Error(
        "WorkerPool.fit: this pool was opened without a fit task; open it with openPool() " +
          "(lib/models/estimator_pool.ts) to fit models on it",
      );
    }
    const result = await this.run<FitTaskResult>(this.#fitTask, args);
    const fitted = (model.clone() as T).importState(result.state);
    const proba = predictRows && result.proba
      ? { rows: predictRows.length, cols: data.Y.cols, data: result.proba }
      : undefined;
    return { model: fitted, proba };
  }

  /**
   * Fits a clone of `model` where it runs best: in place, spreading its parts over this pool,
   * when `model.splitsFit`; else as one task ({@linkcode fit}).
   */
  async fitParts<T extends MultiLabelEstimator>(model: T, data: FitData): Promise<T> {
    if (!model.splitsFit) return (await this.fit(model, data)).model;
    const fitted = model.clone() as T;
    const { X, Y, rows } = data;
    await fitOnRows(fitted, { X, Y, rows, start: model.startingPoint?.() }, { pool: this });
    return fitted;
  }

  /**
   * `X` in shared memory, for several tasks to read without a copy each (`X` itself when it
   * already is, or on the inline pool). Later changes to `X` do not reach the copy.
   */
  share(X: Matrix): Matrix {
    if (this.inline || X.data.buffer instanceof SharedArrayBuffer) return X;
    const data = new Float32Array(new SharedArrayBuffer(X.data.byteLength));
    data.set(X.data);
    return { rows: X.rows, cols: X.cols, data };
  }

  /** Stops every worker (pending tasks fail). */
  close(): void {
    if (this.inline) return;
    this.#closed = true;
    for (const w of this.#workers) w.terminate();
    this.#workers = [], this.#idle = [];
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #acquire(): Promise<Worker> {
    if (this.#closed) return Promise.reject(new Error("WorkerPool: the pool is closed"));
    const idle = this.#idle.pop();
    if (idle) return Promise.resolve(idle);
    if (this.#workers.length < this.size) {
      const w = new Worker(new URL("./pool_worker.ts", import.meta.url), { type: "module" });
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

function send(worker: Worker, message: TaskMessage): Promise<unknown> {
  const name = `${message.name} (${message.module.split("/").at(-1)}, task ${message.id})`;
  return new Promise((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<TaskReply>) => {
      if ("error" in e.data) reject(new Error(`WorkerPool: ${name} failed: ${e.data.error}`));
      else resolve(e.data.result);
    };
    worker.onerror = (e) => {
      e.preventDefault();
      reject(new Error(`WorkerPool: ${name}: the worker failed (${e.message})`));
    };
    worker.postMessage(message);
  });
}

/**
 * The default number of workers: the cores, at most 2 (the machine this project is tuned on).
 *
 * @example
 * ```ts
 * defaultWorkers(); // 2 on a 2-core machine
 * ```
 */
export function defaultWorkers(): number {
  return Math.min(2, navigator.hardwareConcurrency ?? 1);
}
