import assert from "node:assert/strict";
import type { EstimatorSpec, FittedState, MultiLabelEstimator } from "../lib/core/estimator.ts";
import { LogisticRegression } from "../lib/models/logistic_regression.ts";
import type { LabelMatrix, Matrix, MatrixData } from "../lib/core/matrix.ts";
import { binarize } from "../lib/metrics/multi_label_metrics.ts";
import { loadEstimator, saveEstimator } from "../lib/models/model_store.ts";
import { RandomState } from "../lib/core/mt19937.ts";
import { StackedClassifier } from "../lib/models/stacked_classifier.ts";

/**
 * x uniform in (-1, 1)²; label 0 = x0 > 0, label 1 = x1 > 0, label 2 = both. Label 2 is a corner
 * of the plane, which a linear model on x cannot cut out but a linear model on the first two
 * labels' probabilities can (p0 + p1 > 1.5): the co-occurrence a stacker should pick up.
 */
function corners(n: number, seed: number): { X: Matrix; Y: LabelMatrix } {
  const rng = new RandomState(seed);
  const X = new Float32Array(n * 2);
  const Y = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const a = 2 * rng.randomSample() - 1, b = 2 * rng.randomSample() - 1;
    X[2 * i] = a;
    X[2 * i + 1] = b;
    Y[3 * i] = a > 0 ? 1 : 0;
    Y[3 * i + 1] = b > 0 ? 1 : 0;
    Y[3 * i + 2] = a > 0 && b > 0 ? 1 : 0;
  }
  return { X: { rows: n, cols: 2, data: X }, Y: { rows: n, cols: 3, data: Y } };
}

function accuracy(Y: LabelMatrix, pred: LabelMatrix, label: number): number {
  let ok = 0;
  for (let i = 0; i < Y.rows; i++) {
    ok += Y.data[i * Y.cols + label] === pred.data[i * Y.cols + label] ? 1 : 0;
  }
  return ok / Y.rows;
}

Deno.test("stacker learns label co-occurrence a linear base model cannot", async () => {
  const train = corners(600, 1);
  const test = corners(400, 2);
  const base = new LogisticRegression({ C: 100 });
  await base.fit(train.X, train.Y);
  const baseAcc = accuracy(test.Y, binarize(await base.predictProba(test.X), 0.5), 2);

  const stacked = new StackedClassifier({
    base: new LogisticRegression({ C: 100 }),
    stacker: new LogisticRegression({ C: 100 }),
  });
  await stacked.fit(train.X, train.Y);
  const P = await stacked.predictProba(test.X);
  assert.equal(P.rows, 400);
  assert.equal(P.cols, 3);
  for (const p of P.data) assert.ok(p >= 0 && p <= 1);
  const stackAcc = accuracy(test.Y, binarize(P, 0.5), 2);
  // A straight cut across the corner misses part of it; the stacker can cut it out exactly.
  assert.ok(baseAcc < 0.95, `base accuracy on the corner label ${baseAcc}`);
  console.log(`corner label accuracy: base ${baseAcc}, stacked ${stackAcc}`);
  assert.ok(stackAcc > 0.97 && stackAcc > baseAcc + 0.03, `stacked ${stackAcc} vs base ${baseAcc}`);
  // The easy labels stay easy.
  assert.ok(accuracy(test.Y, binarize(P, 0.5), 0) > 0.95);
});

/** A base model that memorises its training rows: perfect on them, clueless elsewhere. */
class Memoriser implements MultiLabelEstimator {
  readonly kind = "memoriser";
  readonly splitsFit = false;
  #seen = new Map<string, Uint8Array>();
  #cols = 0;
  fit(X: Matrix<MatrixData>, Y: LabelMatrix): Promise<this> {
    this.#cols = Y.cols;
    for (let i = 0; i < X.rows; i++) {
      const key = X.data.subarray(i * X.cols, (i + 1) * X.cols).join(",");
      this.#seen.set(key, Y.data.slice(i * Y.cols, (i + 1) * Y.cols));
    }
    return Promise.resolve(this);
  }
  predictProba(X: Matrix<MatrixData>): Promise<Matrix> {
    const out = new Float32Array(X.rows * this.#cols).fill(0.5);
    for (let i = 0; i < X.rows; i++) {
      const y = this.#seen.get(X.data.subarray(i * X.cols, (i + 1) * X.cols).join(","));
      if (y) { for (let j = 0; j < this.#cols; j++) out[i * this.#cols + j] = y[j]; }
    }
    return Promise.resolve({ rows: X.rows, cols: this.#cols, data: out });
  }
  async predict(X: Matrix<MatrixData>, t: number | ArrayLike<number> = 0.5): Promise<LabelMatrix> {
    return binarize(await this.predictProba(X), t);
  }
  spec(): EstimatorSpec {
    return { kind: this.kind, params: {} };
  }
  clone(): Memoriser {
    return new Memoriser();
  }
  exportState(): FittedState {
    throw new Error("Memoriser: not saveable");
  }
  importState(): this {
    throw new Error("Memoriser: not saveable");
  }
}

Deno.test("stacker is trained on out-of-fold base probabilities, not memorised ones", async () => {
  // Labels are coin flips unrelated to X. Were the stacker fed the memoriser's in-sample
  // probabilities (exact labels), it would learn "copy the base" and give near-0/1 scores on the
  // training rows; fed out-of-fold ones (always 0.5) it can only learn the base rate.
  const rng = new RandomState(7);
  const n = 300;
  const X = new Float32Array(n * 3);
  for (let i = 0; i < X.length; i++) X[i] = rng.randomSample();
  const Y = new Uint8Array(n * 2);
  for (let i = 0; i < Y.length; i++) Y[i] = rng.randomSample() < 0.3 ? 1 : 0;
  const data = { X: { rows: n, cols: 3, data: X }, Y: { rows: n, cols: 2, data: Y } };
  const model = new StackedClassifier({
    base: new Memoriser(),
    stacker: new LogisticRegression({ C: 1 }),
    passthrough: false,
  });
  await model.fit(data.X, data.Y);
  const P = await model.predictProba(data.X);
  for (let j = 0; j < 2; j++) {
    let rate = 0;
    for (let i = 0; i < n; i++) rate += Y[i * 2 + j] / n;
    for (let i = 0; i < n; i++) {
      assert.ok(
        Math.abs(P.data[i * 2 + j] - rate) < 0.05,
        `row ${i} label ${j}: ${P.data[i * 2 + j]} vs rate ${rate}`,
      );
    }
  }
});

Deno.test("save / load round trip predicts the same; a loaded model refits; errors say what to do", async () => {
  const { X, Y } = corners(200, 3);
  const model = new StackedClassifier({
    base: new LogisticRegression({ C: 10 }),
    stacker: new LogisticRegression({ C: 1 }),
    nFolds: 3,
    seed: 5,
  });
  await assert.rejects(() => Promise.resolve(model.predictProba(X)), /not fitted/);
  const dir = await Deno.makeTempDir();
  await assert.rejects(() => saveEstimator(dir, model), /not fitted; call fit\(\) first/);
  await model.fit(X, Y);
  await saveEstimator(dir, model);
  const saved = JSON.parse(await Deno.readTextFile(`${dir}/estimator.json`));
  assert.equal(saved.spec.params.nFolds, 3);
  assert.equal(saved.spec.params.base.params.C, 10);
  const copy = await loadEstimator(dir);
  assert.equal(copy.kind, "stacked");
  const a = await model.predictProba(X);
  const b = await copy.predictProba(X);
  assert.deepEqual(b.data, a.data);
  const again = await copy.clone().fit(X, Y);
  assert.deepEqual((await again.predictProba(X)).data, a.data);
  await Deno.writeTextFile(
    `${dir}/estimator.json`,
    JSON.stringify({
      ...saved,
      spec: {
        ...saved.spec,
        params: { ...saved.spec.params, base: { kind: "forest", params: {} } },
      },
    }),
  );
  await assert.rejects(() => loadEstimator(dir), /unknown estimator kind "forest"/);
  await assert.rejects(
    () => Promise.resolve(copy.predictProba({ rows: 1, cols: 5, data: new Float32Array(5) })),
    /5 feature columns but the model was fitted on 2/,
  );
  assert.throws(
    () =>
      new StackedClassifier({
        base: new LogisticRegression(),
        stacker: new LogisticRegression(),
        nFolds: 1,
      }),
    /nFolds is 1/,
  );
});
