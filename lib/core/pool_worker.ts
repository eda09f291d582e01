/**
 * The worker of {@linkcode ./worker_pool.ts}: for each message `{ id, module, name, args }` it
 * imports `module` (once; it stays loaded for later tasks), calls its export `name` with `args`
 * and answers `{ id, result }` (array buffers transferred) or `{ id, error }`. Imported on the
 * main thread, it only provides {@linkcode taskFunction} (the inline pool runs tasks with it) and
 * installs no handler.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import type { TaskRef } from "./estimator.ts";

/**
 * The exported function a task names, its module imported on this thread.
 *
 * @example
 * ```ts
 * const fn = await taskFunction({ module: import.meta.url, name: "taskFunction" });
 * ```
 */
export async function taskFunction(task: TaskRef): Promise<(args: unknown) => unknown> {
  const mod = await import(task.module) as Record<string, unknown>;
  const fn = mod[task.name];
  if (typeof fn !== "function") {
    throw new TypeError(`task ${task.name}: ${task.module} exports no function of that name`);
  }
  return fn as (args: unknown) => unknown;
}

/**
 * The non-shared array buffers inside a task's result (plain objects, arrays and typed arrays),
 * to transfer instead of copy.
 */
function transferables(value: unknown, out: Set<ArrayBuffer> = new Set()): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) out.add(value.buffer);
  } else if (Array.isArray(value)) {
    for (const v of value) transferables(v, out);
  } else if (value !== null && typeof value === "object") {
    for (const v of Object.values(value)) transferables(v, out);
  }
  return [...out];
}

/** A message to a worker: run task `name` of `module` on `args`, answer with `id`. */
export interface TaskMessage {
  id: number;
  module: string;
  name: string;
  args: unknown;
}

/**
 * True in a Web Worker (where a pool runs everything on the calling thread).
 *
 * @example
 * ```ts
 * console.log(inWorker()); // false on the main thread
 * ```
 */
export function inWorker(): boolean {
  return typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== "undefined";
}

if (inWorker()) {
  self.onmessage = async (event: MessageEvent<TaskMessage>) => {
    const { id, module, name, args } = event.data;
    try {
      const result = await (await taskFunction({ module, name }))(args);
      self.postMessage({ id, result }, transferables(result));
    } catch (err) {
      self.postMessage({ id, error: String((err as Error)?.stack ?? err) });
    }
  };
}
