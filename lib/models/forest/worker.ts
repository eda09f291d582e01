/**
 * Web Worker of {@linkcode ./random_forest_classifier.ts}: receives the shared training data once, then
 * builds batches of trees and posts them back as transferable typed arrays.
 *
 * Messages in: `{ type: "init", ctx }` (a {@linkcode ForestTrainingContext} whose big arrays
 * live in `SharedArrayBuffer`s), then `{ type: "task", id, label, start, end }` (trees
 * `start..end-1` of `label`). Messages out: `{ type: "done", id, trees }` or
 * `{ type: "error", id, message }`.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import type { TreeArrays } from "./decision_tree.ts";
import { buildForestTree, type ForestTrainingContext } from "./tree_task.ts";

/** A batch of trees to build. */
export interface ForestTaskMessage {
  type: "task";
  id: number;
  label: number;
  start: number;
  end: number;
}

/** The training data, sent once. */
export interface ForestInitMessage {
  type: "init";
  ctx: ForestTrainingContext;
}

/** Reply to a {@linkcode ForestTaskMessage}. */
export type ForestReply =
  | { type: "done"; id: number; trees: TreeArrays[] }
  | { type: "error"; id: number; message: string };

let ctx: ForestTrainingContext | null = null;

self.onmessage = (event: MessageEvent<ForestInitMessage | ForestTaskMessage>) => {
  const msg = event.data;
  if (msg.type === "init") {
    ctx = msg.ctx;
    return;
  }
  try {
    if (ctx === null) throw new Error("forest worker: got a task before the training data");
    const trees: TreeArrays[] = [];
    const transfer: ArrayBuffer[] = [];
    for (let t = msg.start; t < msg.end; t++) {
      const tree = buildForestTree(ctx, { label: msg.label, tree: t });
      trees.push(tree);
      for (const a of [tree.feature, tree.threshold, tree.left, tree.right, tree.value]) {
        transfer.push(a.buffer as ArrayBuffer);
      }
    }
    self.postMessage({ type: "done", id: msg.id, trees } satisfies ForestReply, transfer);
  } catch (err) {
    self.postMessage(
      {
        type: "error",
        id: msg.id,
        message: String((err as Error)?.stack ?? err),
      } satisfies ForestReply,
    );
  }
};
