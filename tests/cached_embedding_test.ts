import assert from "node:assert/strict";
import {
  batchesOf,
  checkTitles,
  describeRow,
  gatherRows,
  MemoryStore,
  planEmbedding,
  runInLanes,
} from "../lib/embedders/cached_embedding.ts";

Deno.test("planEmbedding: each distinct text once, only what the store lacks, rows gathered in order", async () => {
  const store = new MemoryStore(0);
  const first = await planEmbedding(["a", "b", "a", "c"], store);
  assert.equal(first.hashes.length, 4);
  assert.equal(first.hashes[0], first.hashes[2]);
  assert.deepEqual([...first.firstRow.values()], [0, 1, 3]);
  assert.deepEqual(first.missing, [first.hashes[0], first.hashes[1], first.hashes[3]]);

  await store.append([first.hashes[1]], new Float32Array([0, 1]), 2);
  const second = await planEmbedding(["a", "b", "a", "c"], store);
  assert.deepEqual(second.missing, [first.hashes[0], first.hashes[3]]);

  await store.append([first.hashes[0], first.hashes[3]], new Float32Array([1, 0, 0.6, 0.8]), 2);
  const x = gatherRows(store, first.hashes, 2);
  assert.deepEqual([x.rows, x.cols], [4, 2]);
  assert.deepEqual([...x.data], [1, 0, 0, 1, 1, 0, 0.6000000238418579, 0.800000011920929]);
});

Deno.test("batchesOf cuts in order; the last batch is shorter", () => {
  assert.deepEqual(batchesOf([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
  assert.deepEqual(batchesOf([], 3), []);
});

Deno.test("runInLanes: lanes run side by side; the first failure stops new batches and is thrown", async () => {
  let running = 0;
  let most = 0;
  const done: number[] = [];
  await runInLanes([1, 2, 3, 4, 5], 2, async (b) => {
    most = Math.max(most, ++running);
    await new Promise((r) => setTimeout(r, 5));
    done.push(b);
    running--;
  });
  assert.equal(most, 2);
  assert.deepEqual(done.sort(), [1, 2, 3, 4, 5]);

  const started: number[] = [];
  let failures = 0;
  await assert.rejects(
    () =>
      runInLanes([1, 2, 3, 4, 5], 2, async (b) => {
        started.push(b);
        await new Promise((r) => setTimeout(r, 5));
        if (b === 1) throw new Error("batch 1 broke");
        if (b === 2) throw new Error("batch 2 broke too");
      }, () => failures++),
    /batch 1 broke/,
  );
  assert.deepEqual(started, [1, 2], "no lane takes a batch after the first failure");
  assert.equal(failures, 1, "onFailure is called once");
});

Deno.test("checkTitles and describeRow name the rows", () => {
  assert.throws(
    () => checkTitles("X.embed", ["a", "b"], ["A"]),
    /X\.embed: got 2 texts but 1 titles; pass one title per text/,
  );
  checkTitles("X.embed", ["a"], undefined);
  assert.equal(describeRow(1, ["A", "Money Heist"]), 'row 1 (title "Money Heist")');
  assert.equal(describeRow(4, undefined), "row 4");
});
