/**
 * Web Worker of bench/temporal_search.ts: builds a candidate of bench/temporal_candidates.ts by
 * name, fits the rows it is sent and answers with the probabilities of the rows to predict
 * (protocol of lib/model_selection/parallel_cross_val.ts, plus the fit's seconds).
 *
 * @module
 */

/// <reference lib="deno.worker" />

import type { FoldTask } from "../lib/model_selection/parallel_cross_val.ts";
import { CANDIDATES } from "./temporal_candidates.ts";

self.onmessage = async (event: MessageEvent<FoldTask>) => {
  const task = event.data;
  try {
    const c = CANDIDATES[task.factory];
    if (!c) throw new Error(`no candidate "${task.factory}" in bench/temporal_candidates.ts`);
    const t0 = performance.now();
    const model = await c.make().fit(task.train.X, task.train.Y);
    const seconds = (performance.now() - t0) / 1000;
    const p = await model.predictProba(task.test);
    self.postMessage({ id: task.id, proba: p.data, seconds }, [p.data.buffer as ArrayBuffer]);
  } catch (err) {
    self.postMessage({ id: task.id, error: (err as Error).stack ?? String(err) });
  }
};
