import assert from "node:assert/strict";
import { crossValPredictProba } from "../lib/model_selection/cross_val_predict.ts";
import type { EstimatorSpec, FittedState, MultiLabelEstimator } from "../lib/core/estimator.ts";
import { kFold } from "../lib/model_selection/k_fold.ts";
import { type LabelMatrix, type Matrix, type MatrixData, takeRows } from "../lib/core/matrix.ts";
import { binarize } from "../lib/metrics/multi_label_metrics.ts";
import { STUDY_GRID, tuneThresholds } from "../lib/model_selection/threshold_tuning.ts";

/** A tiny estimator for the tests: P(label) = feature value of the label's column, scaled. */
class ColumnEstimator implements MultiLabelEstimator {
  readonly kind = "column";
  readonly splitsFit = false;
  seen: Matrix<MatrixData>[] = [];
  scale = 1;
  /** Every clone made from this one (shared with the clones). */
  constructor(readonly clones: ColumnEstimator[] = []) {}
  fit(X: Matrix<MatrixData>, _Y: LabelMatrix): Promise<this> {
    this.seen.push(X);
    let max = 0;
    for (const v of X.data) max = Math.max(max, v);
    this.scale = max || 1;
    return Promise.resolve(this);
  }
  predictProba(X: Matrix<MatrixData>): Promise<Matrix> {
    return Promise.resolve({
      rows: X.rows,
      cols: X.cols,
      data: Float32Array.from(X.data, (v) => v / this.scale),
    });
  }
  async predict(X: Matrix<MatrixData>, t: number | ArrayLike<number> = 0.5): Promise<LabelMatrix> {
    return binarize(await this.predictProba(X), t);
  }
  spec(): EstimatorSpec {
    return { kind: this.kind, params: {} };
  }
  clone(): ColumnEstimator {
    const c = new ColumnEstimator(this.clones);
    this.clones.push(c);
    return c;
  }
  exportState(): FittedState {
    return { json: { scale: this.scale }, arrays: {}, parts: {} };
  }
  importState(state: FittedState): this {
    this.scale = state.json.scale as number;
    return this;
  }
}

function problem(n: number): { X: Matrix; Y: LabelMatrix } {
  // Column j holds a score; the label is 1 when the score exceeds 0.3 (label 0) or 0.7 (label 1).
  const X = { rows: n, cols: 2, data: new Float32Array(n * 2) };
  const Y = { rows: n, cols: 2, data: new Uint8Array(n * 2) };
  for (let i = 0; i < n; i++) {
    const s = ((i * 37) % n) / n;
    X.data[i * 2] = s;
    X.data[i * 2 + 1] = s;
    Y.data[i * 2] = s > 0.3 ? 1 : 0;
    Y.data[i * 2 + 1] = s > 0.7 ? 1 : 0;
  }
  return { X, Y };
}

Deno.test("crossValPredictProba fits each fold on its training rows only", async () => {
  const { X, Y } = problem(50);
  const folds = kFold(50, { nSplits: 5, seed: 1 });
  const prototype = new ColumnEstimator();
  const { proba: oof, models } = await crossValPredictProba(prototype, [X, Y], {
    folds,
    returnModels: true,
  });
  assert.equal(models!.length, 5);
  assert.deepEqual(models, prototype.clones);
  assert.deepEqual(prototype.seen, [], "the estimator given is not fitted, its clones are");
  for (const [k, m] of prototype.clones.entries()) {
    assert.deepEqual(m.seen[0].data, takeRows(X, folds[k].train).data);
  }
  assert.equal(oof.rows, 50);
  await assert.rejects(
    () => crossValPredictProba(new ColumnEstimator(), [X, Y], { folds: [folds[0]] }),
    /is in no fold's test rows/,
  );
  // Without returnModels the fold models are not returned (nor kept); the scores are the same.
  const again = await crossValPredictProba(new ColumnEstimator(), [X, Y], { folds });
  assert.equal(again.models, undefined);
  assert.deepEqual(again.proba.data, oof.data);
});

Deno.test("tuneThresholds finds each label's own threshold and the best global one", async () => {
  const { X, Y } = problem(200);
  const folds = kFold(200, { nSplits: 5, seed: 3 });
  const { proba: oof } = await crossValPredictProba(new ColumnEstimator(), [X, Y], { folds });
  const tuned = tuneThresholds(Y, oof, { folds });
  assert.equal(tuned.cvCurve.length, STUDY_GRID.length);
  assert.deepEqual(tuned.cvCurve.map((p) => p.threshold), STUDY_GRID);
  // Per-label thresholds recover the true cut points (scores are scaled by ~1/0.995).
  assert.ok(Math.abs(tuned.perLabel[0] - 0.3) <= 0.02, `label 0 got ${tuned.perLabel[0]}`);
  assert.ok(Math.abs(tuned.perLabel[1] - 0.7) <= 0.02, `label 1 got ${tuned.perLabel[1]}`);
  assert.ok(tuned.cvF1PerLabel > 0.97);
  assert.ok(tuned.cvF1PerLabel >= tuned.cvF1Global);
  // The global pick is the curve's best mean, and std is non-negative.
  const best = Math.max(...tuned.cvCurve.map((p) => p.mean));
  assert.equal(tuned.cvCurve.find((p) => p.threshold === tuned.globalThreshold)!.mean, best);
  assert.ok(tuned.cvCurve.every((p) => p.std >= 0));
  assert.throws(
    () => tuneThresholds(Y, { rows: 3, cols: 2, data: new Float32Array(6) }, { folds }),
    /200×2/,
  );
});

Deno.test("tuneThresholds keeps the global threshold for labels too rare to tune", () => {
  const Y: LabelMatrix = {
    rows: 10,
    cols: 1,
    data: new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
  };
  const oof: Matrix = { rows: 10, cols: 1, data: new Float32Array(10).fill(0.05) };
  oof.data[0] = 0.9;
  const folds = kFold(10, { nSplits: 2, seed: 0 });
  const tuned = tuneThresholds(Y, oof, { folds, minSupport: 5 });
  assert.equal(tuned.perLabel[0], tuned.globalThreshold);
});

Deno.test("thresholdEffects counts micro precision/recall and labels per title", async () => {
  const { thresholdEffects } = await import("../lib/analysis/threshold_effects.ts");
  const Y: LabelMatrix = { rows: 2, cols: 2, data: new Uint8Array([1, 0, 1, 1]) };
  const P: Matrix = { rows: 2, cols: 2, data: new Float32Array([0.9, 0.6, 0.4, 0.2]) };
  const [low, high] = thresholdEffects(Y, P, [0.3, 0.5]);
  // t=0.3: predicted {0,1},{0} → tp 2 of 3 predicted, 3 actual.
  assert.equal(low.precision_micro, 2 / 3);
  assert.equal(low.recall_micro, 2 / 3);
  assert.equal(low.labels_per_title, 1.5);
  // t=0.5: predicted {0,1},{} → tp 1 of 2, recall 1/3.
  assert.equal(high.precision_micro, 0.5);
  assert.equal(high.recall_micro, 1 / 3);
  assert.ok(Math.abs(high.f1_micro - 0.4) < 1e-12);
  assert.throws(() => thresholdEffects(Y, { rows: 1, cols: 2, data: new Float32Array(2) }, [0.5]));
});

Deno.test("folds fitted on workers give the very same out-of-fold probabilities and fold models", async () => {
  const { genreCountStrata, stratifiedKFold } = await import("../lib/model_selection/k_fold.ts");
  const { makeStudyLr } = await import("../lib/pipeline/model_catalog.ts");
  const { openPool } = await import("../lib/models/estimator_pool.ts");
  const n = 120;
  const X = { rows: n, cols: 3, data: new Float32Array(n * 3) };
  const Y = { rows: n, cols: 2, data: new Uint8Array(n * 2) };
  for (let i = 0; i < n; i++) {
    const a = ((i * 37) % n) / n;
    const b = ((i * 53) % n) / n;
    X.data.set([a, b, a * b], i * 3);
    Y.data.set([a > 0.5 ? 1 : 0, b > 0.3 ? 1 : 0], i * 2);
  }
  const folds = stratifiedKFold(genreCountStrata(Y), { nSplits: 3, seed: 1 });
  const here = await crossValPredictProba(makeStudyLr(), [X, Y], { folds });
  using pool = openPool(2);
  const seen: number[] = [];
  const there = await crossValPredictProba(makeStudyLr(), [X, Y], {
    folds,
    pool,
    onFold: (k) => seen.push(k),
    returnModels: true,
  });
  assert.deepEqual(there.proba.data, here.proba.data);
  assert.deepEqual(seen, [0, 1, 2], "reported in fold order");
  for (const [k, fold] of folds.entries()) {
    const p = await there.models![k].predictProba(takeRows(X, fold.test));
    assert.deepEqual(p.data, takeRows(here.proba, fold.test).data);
  }
});
