import assert from "node:assert/strict";
import { EnsembleClassifier } from "../lib/models/ensemble_classifier.ts";
import { LogisticRegression } from "../lib/models/logistic_regression.ts";
import type { Matrix } from "../lib/core/matrix.ts";
import { MlpClassifier } from "../lib/models/mlp_classifier.ts";
import { loadEstimator, saveEstimator } from "../lib/models/model_store.ts";
import { RandomForestClassifier } from "../lib/models/forest/random_forest_classifier.ts";
import { StackedClassifier } from "../lib/models/stacked_classifier.ts";

function problem(n: number, seed = 1) {
  let s = seed;
  const rand = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const X: Matrix = { rows: n, cols: 4, data: new Float32Array(n * 4) };
  const Y = { rows: n, cols: 3, data: new Uint8Array(n * 3) };
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 4; j++) X.data[i * 4 + j] = rand() * 2 - 1;
    Y.data[i * 3] = X.data[i * 4] > 0 ? 1 : 0;
    Y.data[i * 3 + 1] = X.data[i * 4 + 1] + X.data[i * 4 + 2] > 0 ? 1 : 0;
    Y.data[i * 3 + 2] = Y.data[i * 3] & Y.data[i * 3 + 1];
  }
  return { X, Y };
}

Deno.test("every model kind saves and reloads to identical probabilities", async () => {
  const { X, Y } = problem(160);
  const models = [
    new LogisticRegression({ C: 2 }),
    new MlpClassifier({ hiddenSizes: [8], epochs: 5, seed: 1 }),
    new RandomForestClassifier({ nEstimators: 4, workers: 0, progress: false }),
    new StackedClassifier(() => new LogisticRegression(), () => new LogisticRegression(), {
      nFolds: 2,
    }),
    new EnsembleClassifier([
      new LogisticRegression(),
      new RandomForestClassifier({ nEstimators: 3, workers: 0, progress: false }),
    ], { weights: [2, 1] }),
  ];
  const dir = await Deno.makeTempDir();
  try {
    for (const [i, model] of models.entries()) {
      await model.fit(X, Y);
      const before = await model.predictProba(X);
      const path = `${dir}/m${i}`;
      await saveEstimator(path, model);
      const loaded = await loadEstimator(path);
      assert.equal(loaded.kind, model.kind);
      assert.deepEqual((await loaded.predictProba(X)).data, before.data, model.kind);
    }
    await assert.rejects(() => loadEstimator(`${dir}/missing`), /deno task train/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
