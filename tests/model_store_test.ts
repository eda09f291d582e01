import assert from "node:assert/strict";
import { join } from "node:path";
import type { MultiLabelEstimator } from "../lib/core/estimator.ts";
import { EnsembleClassifier } from "../lib/models/ensemble_classifier.ts";
import { LogisticRegression } from "../lib/models/logistic_regression.ts";
import type { Matrix } from "../lib/core/matrix.ts";
import { MlpClassifier } from "../lib/models/mlp_classifier.ts";
import { buildEstimator, loadEstimator, saveEstimator } from "../lib/models/model_store.ts";
import { RandomForestClassifier } from "../lib/models/forest/random_forest_classifier.ts";
import { StackedClassifier } from "../lib/models/stacked_classifier.ts";
import { ThresholdedClassifier } from "../lib/models/thresholded_classifier.ts";
import { readNpy, writeNpy } from "../lib/io/npy.ts";

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

/** One of every kind, unfitted. */
function everyKind(): MultiLabelEstimator[] {
  return [
    new LogisticRegression({ C: 2 }),
    new MlpClassifier({ hiddenSizes: [8], epochs: 5, seed: 1 }),
    new RandomForestClassifier({ nEstimators: 4 }),
    new StackedClassifier({
      base: new LogisticRegression(),
      stacker: new LogisticRegression(),
      nFolds: 2,
    }),
    new EnsembleClassifier({
      members: [new LogisticRegression(), new RandomForestClassifier({ nEstimators: 3 })],
      weights: [2, 1],
    }),
    new ThresholdedClassifier({ estimator: new LogisticRegression(), folds: 2 }),
  ];
}

Deno.test("every kind is its spec: built from it, cloned, saved, loaded, and refitted to the same model", async () => {
  const { X, Y } = problem(160);
  const dir = await Deno.makeTempDir();
  try {
    for (const [i, model] of everyKind().entries()) {
      const spec = model.spec();
      // The spec is plain JSON and builds the same estimator.
      assert.deepEqual(JSON.parse(JSON.stringify(spec)), spec);
      assert.deepEqual(buildEstimator(spec).spec(), spec, model.kind);
      assert.deepEqual(model.clone().spec(), spec);
      await model.fit(X, Y);
      const before = await model.predictProba(X);
      const path = join(dir, `m${i}`);
      await saveEstimator(path, model);
      const loaded = await loadEstimator(path);
      assert.equal(loaded.kind, model.kind);
      assert.deepEqual(loaded.spec(), spec);
      assert.deepEqual((await loaded.predictProba(X)).data, before.data, model.kind);
      // A loaded model can be cloned and refitted: the same model again.
      const refitted = await loaded.clone().fit(X, Y);
      assert.deepEqual((await refitted.predictProba(X)).data, before.data, `${model.kind} refit`);
    }
    await assert.rejects(() => loadEstimator(join(dir, "missing")), /deno task train/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a spec with an unknown kind or param is refused naming it", () => {
  assert.throws(
    () => buildEstimator({ kind: "svm" as "mlp", params: {} }),
    /unknown estimator kind "svm"; known: logistic_regression/,
  );
  assert.throws(
    () => buildEstimator({ kind: "logistic_regression", params: { c: 1 } }),
    /logistic_regression has no param "c"; its params are C, /,
  );
  assert.throws(
    () =>
      buildEstimator({
        kind: "thresholded",
        params: { estimator: { kind: "mlp", params: { hidden: [3] } } },
      }),
    /spec > thresholded: mlp has no param "hidden"/,
  );
});

Deno.test("a saved model whose numbers were tampered with is refused on load, naming the field", async () => {
  const { X, Y } = problem(120);
  const dir = await Deno.makeTempDir();
  try {
    const save = async (name: string, model: MultiLabelEstimator) => {
      const path = join(dir, name);
      await saveEstimator(path, await model.fit(X, Y));
      return path;
    };
    const edit = async (path: string, change: (json: Record<string, unknown>) => void) => {
      const file = join(path, "state.json");
      const json = JSON.parse(await Deno.readTextFile(file));
      change(json);
      await Deno.writeTextFile(file, JSON.stringify(json));
    };
    const tuned = () =>
      new ThresholdedClassifier({
        estimator: new LogisticRegression(),
        strategy: "per_genre",
        folds: 2,
      });
    // Thresholds: null (read as 0 would predict every genre), 7, "NaN", or disagreeing with the
    // tuning they came from.
    for (
      const [value, message] of [
        [null, /thresholds\[1\] must be a finite number, got null/],
        [7, /thresholds\[1\] is 7, above 1/],
        ["NaN", /thresholds\[1\] must be a finite number, got "NaN"/],
        [0.123, /thresholds\[1\] is 0\.123, but the "per_genre" strategy's tuning gives/],
      ] as const
    ) {
      const path = await save("tuned", tuned());
      await edit(path, (json) => (json.thresholds as unknown[])[1] = value);
      await assert.rejects(loadEstimator(path), message);
    }
    // Too few thresholds; a truncated array; a non-finite coefficient; a forest node pointing
    // back up its tree (a loop).
    let path = await save("tuned", tuned());
    await edit(path, (json) => (json.thresholds as unknown[]).pop());
    await assert.rejects(loadEstimator(path), /has 2 entries, expected 3/);
    path = await save("lr", new LogisticRegression());
    await writeNpy(join(path, "coef.npy"), new Float32Array(5));
    await assert.rejects(loadEstimator(path), /arrays\.coef has 5 values, expected 12/);
    await writeNpy(join(path, "coef.npy"), new Float32Array(12).fill(Infinity));
    await assert.rejects(loadEstimator(path), /arrays\.coef\[0\] is Infinity/);
    path = await save("rf", new RandomForestClassifier({ nEstimators: 2, maxDepth: 3 }));
    const l = (await readNpy(join(path, "left.npy"))).data as Int32Array;
    const split = l.findIndex((v) => v > 0);
    l[split] = 0;
    await writeNpy(join(path, "left.npy"), l);
    await assert.rejects(loadEstimator(path), /children 0,/);
    // The damaged file is named.
    await assert.rejects(loadEstimator(path), new RegExp(`${path}`.replaceAll("/", "\\/")));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
