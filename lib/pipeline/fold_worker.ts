/**
 * Web Worker that fits one cross-validation fold of a model the catalog knows by name (for
 * {@linkcode ../model_selection/parallel_cross_val.ts}): builds the estimator, fits the fold's
 * training rows, saves the fitted model when asked to, answers with the held-out rows'
 * probabilities.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import type { FoldReply, FoldTask } from "../model_selection/parallel_cross_val.ts";
import { modelSpecs } from "./model_catalog.ts";
import { saveEstimator } from "../models/model_store.ts";

self.onmessage = async (event: MessageEvent<FoldTask>) => {
  const task = event.data;
  try {
    const spec = modelSpecs({ progress: false }).find((s) => s.name === task.factory);
    if (!spec) throw new Error(`no model "${task.factory}" in the catalog`);
    const model = await spec.make().fit(task.train.X, task.train.Y);
    if (task.saveTo) await saveEstimator(task.saveTo, model);
    const p = task.test.rows > 0
      ? await model.predictProba(task.test)
      : { data: new Float32Array(0) };
    const reply: FoldReply = { id: task.id, proba: p.data };
    self.postMessage(reply, [p.data.buffer as ArrayBuffer]);
  } catch (err) {
    const reply: FoldReply = { id: task.id, error: (err as Error).message };
    self.postMessage(reply);
  }
};
