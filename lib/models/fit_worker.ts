/**
 * Web Worker for {@linkcode ./fit_pool.ts}: fits one logistic regression or MLP from its options
 * (and, for a logistic regression, an optional warm start) on the rows it is sent, and answers
 * with the fitted model's JSON snapshot and, when asked, its probabilities of other rows.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import type { FitReply, FitTask } from "./fit_pool.ts";
import { LogisticRegression } from "./logistic_regression.ts";
import { MlpClassifier } from "./mlp_classifier.ts";

self.onmessage = async (event: MessageEvent<FitTask>) => {
  const task = event.data;
  try {
    let reply: FitReply;
    if (task.kind === "logistic_regression") {
      const lr = new LogisticRegression(task.options);
      if (task.init) lr.warmStartFrom(task.init);
      await lr.fit(task.X, task.Y);
      const proba = task.predict ? (await lr.predictProba(task.predict)).data : undefined;
      reply = { id: task.id, kind: task.kind, json: lr.toJSON(), proba };
    } else {
      const mlp = await new MlpClassifier(task.options).fit(task.X, task.Y);
      const proba = task.predict ? (await mlp.predictProba(task.predict)).data : undefined;
      reply = { id: task.id, kind: task.kind, json: mlp.toJSON(), history: mlp.history, proba };
    }
    self.postMessage(reply, reply.proba ? [reply.proba.buffer as ArrayBuffer] : []);
  } catch (err) {
    const reply: FitReply = { id: task.id, error: (err as Error).message };
    self.postMessage(reply);
  }
};
