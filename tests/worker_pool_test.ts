import assert from "node:assert/strict";
import { EnsembleClassifier } from "../lib/models/ensemble_classifier.ts";
import { openPool } from "../lib/models/estimator_pool.ts";
import { WorkerPool } from "../lib/core/worker_pool.ts";
import { takeRows } from "../lib/core/matrix.ts";
import { balancedLabelGroups, LogisticRegression } from "../lib/models/logistic_regression.ts";
import { MlpClassifier } from "../lib/models/mlp_classifier.ts";
import { RandomForestClassifier } from "../lib/models/forest/random_forest_classifier.ts";
import { StackedClassifier } from "../lib/models/stacked_classifier.ts";
import { ThresholdedClassifier } from "../lib/models/thresholded_classifier.ts";
import { synthetic } from "./support/synthetic_multilabel.ts";

const { X, Y } = synthetic(400, 12, 4, 11, { noise: 0.2 });

Deno.test("the pool fits a logistic regression (warm or cold) exactly as this thread does", async () => {
  using pool = openPool(2);
  assert.equal(pool.size, 2);
  const here = await new LogisticRegression({ C: 4 }).fit(X, Y);
  const all = [...Array(X.rows).keys()];
  const there = await pool.fit(new LogisticRegression({ C: 4 }), { X, Y, predictRows: all });
  assert.deepEqual(there.model.coef, here.coef);
  assert.deepEqual(there.model.intercept, here.intercept);
  assert.deepEqual(there.proba!.data, (await here.predictProba(X)).data);
  const warmHere = await new LogisticRegression({ C: 1 }).warmStartFrom(here).fit(X, Y);
  const warmThere = await pool.fit(new LogisticRegression({ C: 1 }).warmStartFrom(here), { X, Y });
  assert.deepEqual(warmThere.model.coef, warmHere.coef);
  assert.deepEqual(warmThere.model.nIter, warmHere.nIter);
  // A fold's rows: the worker takes them from the shared X.
  const rows = all.filter((i) => i % 3 !== 0);
  const foldHere = await new LogisticRegression({ C: 4 }).fit(takeRows(X, rows), takeRows(Y, rows));
  const foldThere = await pool.fit(new LogisticRegression({ C: 4 }), { X: pool.share(X), Y, rows });
  assert.deepEqual(foldThere.model.coef, foldHere.coef);
  assert.equal(openPool(1), WorkerPool.inline);
});

Deno.test("a logistic regression's label groups fitted on workers equal the groups fitted here in turn", async () => {
  // 5 labels in uneven, interleaved groups, on 2 and 3 workers (more workers than groups too).
  const { X: X5, Y: Y5 } = synthetic(300, 10, 5, 4, { noise: 0.2 });
  const grouped = (labelGroups: number[][], C = 2) =>
    new LogisticRegression({ C, classWeight: "balanced", labelGroups });
  const groups = balancedLabelGroups([5, 1, 1, 9, 2], 2);
  assert.deepEqual(groups, [[3], [0, 1, 2, 4]]);
  const here = await grouped([[0, 2, 4], [1, 3]]).fit(X5, Y5);
  const hereP = (await here.predictProba(X5)).data;
  const warmHere = await grouped(groups, 1).warmStartFrom(here).fit(X5, Y5);
  for (const workers of [2, 3]) {
    using pool = openPool(workers);
    const there = await grouped([[0, 2, 4], [1, 3]]).fit(X5, Y5, { pool });
    assert.equal(there.nLabels, 5);
    assert.deepEqual(there.coef, here.coef);
    assert.deepEqual(there.intercept, here.intercept);
    assert.deepEqual(there.nIter, here.nIter);
    assert.deepEqual(there.status, here.status);
    assert.deepEqual((await there.predictProba(X5)).data, hereP);
    const warm = await pool.fitParts(grouped(groups, 1).warmStartFrom(here), { X: X5, Y: Y5 });
    assert.deepEqual(warm.coef, warmHere.coef);
    assert.deepEqual(warm.nIter, warmHere.nIter);
  }
  // Every label exactly once.
  await assert.rejects(grouped([[0, 1], [1, 2, 3, 4]]).fit(X5, Y5), /label 1 .*repeated/);
  await assert.rejects(grouped([[0, 1], [3, 4]]).fit(X5, Y5), /covers 4 of the 5 labels/);
});

Deno.test("stacked, ensemble, thresholded and forest models fitted on a pool equal the serial fit bit for bit", async () => {
  const stacked = () =>
    new StackedClassifier({
      base: new LogisticRegression({ C: 4, classWeight: "balanced" }),
      stacker: new LogisticRegression({ C: 1, classWeight: "balanced" }),
      stackerLabelGroups: 2,
    });
  using pool = openPool(2);
  const s1 = await stacked().fit(X, Y);
  const s2 = await stacked().fit(X, Y, { pool });
  assert.deepEqual((await s2.predictProba(X)).data, (await s1.predictProba(X)).data);

  const ensemble = () =>
    new EnsembleClassifier({
      members: [stacked(), new MlpClassifier({ hiddenSizes: [16], epochs: 20, seed: 3 })],
    });
  const e1 = await ensemble().fit(X, Y);
  const e2 = await ensemble().fit(X, Y, { pool });
  assert.ok(e2.members![1] instanceof MlpClassifier);
  assert.deepEqual((await e2.predictProba(X)).data, (await e1.predictProba(X)).data);

  // The thresholded classifier's folds and its fit on all rows as tasks, one of them a whole
  // ensemble fitted inside a worker.
  const folds: number[] = [];
  const tuned = () => new ThresholdedClassifier({ estimator: ensemble(), folds: 3 });
  const t1 = await tuned().fit(X, Y);
  const t2 = await tuned().fit(X, Y, { pool, onFold: (k) => folds.push(k) });
  assert.deepEqual(folds, [0, 1, 2]);
  assert.deepEqual(t2.oof!.data, t1.oof!.data);
  assert.deepEqual(t2.thresholds, t1.thresholds);
  assert.deepEqual((await t2.predictProba(X)).data, (await t1.predictProba(X)).data);

  const forest = () => new RandomForestClassifier({ nEstimators: 12, maxDepth: 6, seed: 5 });
  const f1 = await forest().fit(X, Y);
  const f2 = await forest().fit(X, Y, { pool });
  assert.deepEqual((await f2.predictProba(X)).data, (await f1.predictProba(X)).data);
});

Deno.test("a task that throws fails with the task's name and the error; the pool goes on", async () => {
  using pool = openPool(2);
  const task = { module: new URL("./support/pool_tasks.ts", import.meta.url).href, name: "fail" };
  await assert.rejects(
    pool.run(task, { message: "bad input 7" }),
    /fail \(pool_tasks\.ts.*bad input 7/s,
  );
  const twice = { ...task, name: "twice" };
  assert.deepEqual(await pool.run(twice, Float32Array.of(1, 2)), Float32Array.of(2, 4));
  await assert.rejects(
    pool.run({ ...task, name: "missing" }, null),
    /exports no function of that name/,
  );
});

Deno.test("a cold and a warm-started stacker give the same probabilities to the solver's tolerance", async () => {
  const make = (warmStart: boolean) =>
    new StackedClassifier({
      base: new LogisticRegression({ C: 4, tol: 1e-7, ftol: 1e-14 }),
      stacker: new LogisticRegression({ C: 1, tol: 1e-7, ftol: 1e-14 }),
      warmStart,
    });
  const cold = await make(false).fit(X, Y);
  const warm = await make(true).fit(X, Y);
  const Pc = await cold.predictProba(X), Pw = await warm.predictProba(X);
  for (let i = 0; i < Pc.data.length; i++) {
    assert.ok(
      Math.abs(Pc.data[i] - Pw.data[i]) < 1e-3,
      `probability ${i}: ${Pc.data[i]} ${Pw.data[i]}`,
    );
  }
});
