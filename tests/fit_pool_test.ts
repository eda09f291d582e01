import assert from "node:assert/strict";
import { EnsembleClassifier } from "../lib/models/ensemble_classifier.ts";
import { FitPool } from "../lib/models/fit_pool.ts";
import { balancedLabelGroups, LogisticRegression } from "../lib/models/logistic_regression.ts";
import { MlpClassifier } from "../lib/models/mlp_classifier.ts";
import { StackedClassifier } from "../lib/models/stacked_classifier.ts";
import { synthetic } from "./support/synthetic_multilabel.ts";

const { X, Y } = synthetic(400, 12, 4, 11, { noise: 0.2 });

Deno.test("FitPool fits a logistic regression (warm or cold) exactly as this thread does", async () => {
  const pool = FitPool.create(2)!;
  assert.ok(pool);
  try {
    const here = await new LogisticRegression({ C: 4 }).fit(X, Y);
    const all = [...Array(X.rows).keys()];
    const there = await pool.fit(new LogisticRegression({ C: 4 }), X, Y, { predictRows: all });
    assert.deepEqual(there.model.coef, here.coef);
    assert.deepEqual(there.model.intercept, here.intercept);
    assert.deepEqual(there.proba!.data, (await here.predictProba(X)).data);
    const warmHere = await new LogisticRegression({ C: 1 }).warmStartFrom(here).fit(X, Y);
    const warmThere = await pool.fit(new LogisticRegression({ C: 1 }).warmStartFrom(here), X, Y);
    assert.deepEqual(warmThere.model.coef, warmHere.coef);
    assert.deepEqual(warmThere.model.nIter, warmHere.nIter);
  } finally {
    pool.close();
  }
  assert.equal(FitPool.create(1), null);
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
    const pool = FitPool.create(workers)!;
    try {
      const there = await pool.fit(grouped([[0, 2, 4], [1, 3]]), X5, Y5, {
        predictRows: [...Array(X5.rows).keys()],
      });
      assert.equal(there.model.nLabels, 5);
      assert.deepEqual(there.model.coef, here.coef);
      assert.deepEqual(there.model.intercept, here.intercept);
      assert.deepEqual(there.model.nIter, here.nIter);
      assert.deepEqual(there.model.status, here.status);
      assert.deepEqual(there.proba!.data, hereP);
      const warm = await pool.fit(grouped(groups, 1).warmStartFrom(here), X5, Y5);
      assert.deepEqual(warm.model.coef, warmHere.coef);
      assert.deepEqual(warm.model.nIter, warmHere.nIter);
    } finally {
      pool.close();
    }
  }
  // Every label exactly once.
  await assert.rejects(grouped([[0, 1], [1, 2, 3, 4]]).fit(X5, Y5), /label 1 .*repeated/);
  await assert.rejects(grouped([[0, 1], [3, 4]]).fit(X5, Y5), /covers 4 of the 5 labels/);
});

Deno.test("stacked and ensemble models fitted on workers equal the serial fit bit for bit", async () => {
  const stacked = (workers: number) =>
    new StackedClassifier(
      () => new LogisticRegression({ C: 4, classWeight: "balanced" }),
      () => new LogisticRegression({ C: 1, classWeight: "balanced" }),
      { workers, stackerLabelGroups: 2 },
    );
  const folds: number[] = [];
  const s1 = await stacked(1).fit(X, Y);
  const s2 = new StackedClassifier(
    () => new LogisticRegression({ C: 4, classWeight: "balanced" }),
    () => new LogisticRegression({ C: 1, classWeight: "balanced" }),
    { workers: 2, stackerLabelGroups: 2, onFold: (k) => folds.push(k) },
  );
  await s2.fit(X, Y);
  assert.deepEqual(folds, [0, 1, 2, 3, 4]);
  assert.deepEqual((await s2.predictProba(X)).data, (await s1.predictProba(X)).data);

  const ensemble = (workers: number) =>
    new EnsembleClassifier([
      stacked(1),
      new MlpClassifier({ hiddenSizes: [16], epochs: 20, seed: 3 }),
    ], { workers });
  const e1 = await ensemble(1).fit(X, Y);
  const e2 = await ensemble(2).fit(X, Y);
  assert.ok(e2.members[1] instanceof MlpClassifier);
  assert.deepEqual((await e2.predictProba(X)).data, (await e1.predictProba(X)).data);
});

Deno.test("a cold and a warm-started stacker give the same probabilities to the solver's tolerance", async () => {
  const make = (warmStart: boolean) =>
    new StackedClassifier(
      () => new LogisticRegression({ C: 4, tol: 1e-7, ftol: 1e-14 }),
      () => new LogisticRegression({ C: 1, tol: 1e-7, ftol: 1e-14 }),
      { warmStart },
    );
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
