/**
 * Web Worker for {@linkcode ./fit_pool.ts}: fits one logistic regression or MLP from its options
 * (and, for a logistic regression, an optional warm start) on the rows of the shared X it is
 * sent, and answers with the fitted model's JSON snapshot and, when asked, its probabilities of
 * other rows.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import type { FitReply, FitTask } from "./fit_pool.ts";
import { LogisticRegression } from "./logistic_regression.ts";
import { MlpClassifier } from "./mlp_classifier.ts";
import { takeRows } from "../core/matrix.ts";

self.onmessage = async (event: MessageEvent<FitTask>) => {
  const task = event.data;
  try {
    // X is the pool's own shared copy (FitPool.share), which nothing writes to: used as it is
    // for a fit on all rows; a fold's rows are gathered.
    const X = task.rows ? takeRows(task.X, task.rows) : task.X;
    const predict = task.predictRows ? takeRows(task.X, task.predictRows) : undefined;
    let reply: FitReply;
    if (task.kind === "logistic_regression") {
      const lr = new LogisticRegression(task.options);
      if (task.init) lr.warmStartFrom(task.init);
      await lr.fit(X, task.Y);
      const proba = predict ? (await lr.predictProba(predict)).data : undefined;
      reply = { id: task.id, kind: task.kind, json: lr.toJSON(), proba };
    } else {
      const mlp = await new MlpClassifier(task.options).fit(X, task.Y);
      const proba = predict ? (await mlp.predictProba(predict)).data : undefined;
      reply = { id: task.id, kind: task.kind, json: mlp.toJSON(), history: mlp.history, proba };
    }
    self.postMessage(reply, reply.proba ? [reply.proba.buffer as ArrayBuffer] : []);
  } catch (err) {
    const reply: FitReply = { id: task.id, error: (err as Error).message };
    self.postMessage(reply);
  }
};
