import assert from "node:assert/strict";
import { minimizeLbfgs, wolfeLineSearch } from "../lib/models/lbfgs.ts";
import { LogisticRegression } from "../lib/models/logistic_regression.ts";
import { fromRows, labelsFromRows } from "../lib/core/matrix.ts";
import { f1Score, perLabelScores } from "../lib/metrics/multi_label_metrics.ts";
import { split, synthetic } from "./support/synthetic_multilabel.ts";

Deno.test("lbfgs: minimises Rosenbrock to [1, 1]", () => {
  const r = minimizeLbfgs(
    (x) => ({
      f: (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2,
      g: Float64Array.of(
        -2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2),
        200 * (x[1] - x[0] ** 2),
      ),
    }),
    Float64Array.of(-1.2, 1),
    { gtol: 1e-9, ftol: 0 },
  );
  assert.equal(r.status, "gtol");
  assert.ok(Math.abs(r.x[0] - 1) < 1e-6 && Math.abs(r.x[1] - 1) < 1e-6, `x = ${r.x}`);
  assert.ok(r.iterations < 100, `${r.iterations} iterations`);
});

Deno.test("lbfgs: Wolfe line search satisfies both conditions", () => {
  const phi = (a: number) => ({
    f: (a - 3) ** 2 + Math.sin(4 * a),
    df: 2 * (a - 3) + 4 * Math.cos(4 * a),
  });
  const { f: f0, df: df0 } = phi(0);
  const r = wolfeLineSearch(phi, f0, df0, { alpha0: 0.1 });
  assert.ok(r.ok);
  assert.ok(r.f <= f0 + 1e-4 * r.alpha * df0, "sufficient decrease");
  assert.ok(Math.abs(r.df) <= 0.9 * Math.abs(df0), "curvature");
  assert.equal(wolfeLineSearch(phi, f0, 1).ok, false, "an ascent direction is refused");
});

Deno.test("LogisticRegression matches scikit-learn's optimum on a fixture (plain and balanced)", async () => {
  const fx = JSON.parse(
    await Deno.readTextFile(new URL("./fixtures/lr_sklearn_small.json", import.meta.url)),
  );
  const X = fromRows(fx.X), Y = labelsFromRows(fx.Y);
  for (const [key, classWeight] of [["none", null], ["balanced", "balanced"]] as const) {
    for (const precondition of [true, false]) {
      const lr = new LogisticRegression({ classWeight, tol: 1e-7, ftol: 0, precondition });
      await lr.fit(X, Y);
      const want = fx.fits[key];
      for (let j = 0; j < 2; j++) {
        for (let f = 0; f < 3; f++) {
          const got = lr.coef![j * 3 + f];
          assert.ok(
            Math.abs(got - want.coef[j][f]) < 2e-4,
            `${key} precondition=${precondition} coef[${j}][${f}] ${got} vs ${want.coef[j][f]}`,
          );
        }
        assert.ok(
          Math.abs(lr.intercept![j] - want.intercept[j]) < 2e-4,
          `${key} intercept[${j}] ${lr.intercept![j]} vs ${want.intercept[j]}`,
        );
      }
      assert.ok(lr.status.every((s) => s !== "maxIter"), lr.status.join());
    }
  }
});

Deno.test("LogisticRegression learns a linearly separable multi-label problem", async () => {
  const { X, Y } = synthetic(700, 20, 5, 1, { noise: 0.05 });
  const [Xa, Xb] = split(X, 500), [Ya, Yb] = split(Y, 500);
  const lr = new LogisticRegression({ C: 10 });
  await lr.fit(Xa, Ya);
  const pred = await lr.predict(Xb, 0.5);
  const macro = f1Score(Yb, pred, { average: "macro" });
  assert.ok(macro > 0.9, `held-out F1 macro ${macro}`);
  assert.ok(lr.nIter.every((k) => k > 0 && k < 1000), `iterations ${lr.nIter}`);
});

Deno.test("LogisticRegression does not learn random labels (held-out F1 ≈ chance)", async () => {
  const { X, Y } = synthetic(1200, 20, 4, 2, { random: true });
  const [Xa, Xb] = split(X, 800), [Ya, Yb] = split(Y, 800);
  const lr = new LogisticRegression();
  await lr.fit(Xa, Ya);
  const P = await lr.predictProba(Xb);
  const pred = await lr.predict(Xb, 0.3); // threshold at the base rate so that it predicts positives
  const s = perLabelScores(Yb, pred);
  for (let j = 0; j < 4; j++) {
    let p = 0, q = 0;
    for (let i = 0; i < Yb.rows; i++) p += Yb.data[i * 4 + j], q += pred.data[i * 4 + j];
    p /= Yb.rows, q /= Yb.rows;
    const chance = (2 * p * q) / (p + q);
    assert.ok(Math.abs(s.f1[j] - chance) < 0.08, `label ${j}: F1 ${s.f1[j]} vs chance ${chance}`);
  }
  let spread = 0;
  for (const v of P.data) spread = Math.max(spread, Math.abs(v - 0.3));
  assert.ok(spread < 0.3, `probabilities stay near the base rate (max deviation ${spread})`);
});

Deno.test("LogisticRegression classWeight 'balanced' raises recall of a rare label", async () => {
  const { X, Y } = synthetic(1500, 10, 1, 3, { noise: 0.6, bias: -6 });
  const [Xa, Xb] = split(X, 1000), [Ya, Yb] = split(Y, 1000);
  const rate = Ya.data.reduce((s, v) => s + v, 0) / Ya.rows;
  assert.ok(rate > 0.005 && rate < 0.08, `rare label rate ${rate}`);
  const plain = await new LogisticRegression().fit(Xa, Ya);
  const bal = await new LogisticRegression({ classWeight: "balanced" }).fit(Xa, Ya);
  const rPlain = perLabelScores(Yb, await plain.predict(Xb)).recall[0];
  const rBal = perLabelScores(Yb, await bal.predict(Xb)).recall[0];
  assert.ok(rBal > rPlain + 0.2, `recall balanced ${rBal} vs plain ${rPlain}`);
});

Deno.test("LogisticRegression state round trip predicts identically", async () => {
  const { X, Y } = synthetic(300, 8, 3, 4, { noise: 0.3 });
  const lr = await new LogisticRegression({ classWeight: "balanced" }).fit(X, Y);
  const copy = lr.clone().importState(structuredClone(lr.exportState()));
  assert.deepEqual((await copy.predictProba(X)).data, (await lr.predictProba(X)).data);
  assert.deepEqual(
    (await copy.predict(X, [0.2, 0.5, 0.8])).data,
    (await lr.predict(X, [0.2, 0.5, 0.8])).data,
  );
  assert.deepEqual(copy.nIter, lr.nIter);
  const bad = lr.exportState();
  bad.arrays.coef = bad.arrays.coef.slice(0, 8);
  assert.throws(() => lr.clone().importState(bad), /arrays\.coef has 8 values, expected 24/);
});

Deno.test("LogisticRegression: a label constant in training predicts that constant", async () => {
  const X = fromRows([[0, 1], [1, 0], [1, 1], [0, 0]]);
  const Y = labelsFromRows([[0, 1], [1, 1], [1, 1], [0, 1]]);
  const lr = await new LogisticRegression().fit(X, Y);
  const P = await lr.predictProba(X);
  for (let i = 0; i < 4; i++) assert.equal(P.data[i * 2 + 1], 1);
  assert.deepEqual(lr.status[1], "constant");
});

Deno.test("LogisticRegression: clear errors for bad input", async () => {
  const X = fromRows([[0, 1], [1, 0], [1, 1]]);
  const Y = labelsFromRows([[0], [1], [1]]);
  const lr = new LogisticRegression();
  await assert.rejects(() => lr.predict(X), /call fit\(\)/);
  await assert.rejects(() => lr.fit(X, labelsFromRows([[0], [1]])), /3 rows but Y has 2/);
  await assert.rejects(
    () => lr.fit(fromRows([[0, 1], [NaN, 0], [1, 1]]), Y),
    /X\[1, 0\] is NaN/,
  );
  await assert.rejects(() => lr.fit(X, labelsFromRows([[0], [2], [1]])), /Y\[1, 0\] is 2/);
  await lr.fit(X, Y);
  await assert.rejects(
    () => lr.predictProba(fromRows([[1, 2, 3]])),
    /3 feature columns .* fitted on 2/,
  );
  await assert.rejects(() => lr.predict(X, [0.5, 0.5]), /2 thresholds for 1 label columns/);
  assert.throws(() => new LogisticRegression({ C: 0 }), /C must be > 0/);
});

/** scikit-learn's objective of label j, Σ w_i logloss_i + ‖β‖²/(2C), in float64. */
function objective(
  lr: LogisticRegression,
  X: { rows: number; cols: number; data: Float32Array },
  Y: { rows: number; cols: number; data: Uint8Array },
  j: number,
): number {
  const n = X.rows, d = X.cols, L = Y.cols, C = lr.options.C;
  let pos = 0;
  for (let i = 0; i < n; i++) pos += Y.data[i * L + j];
  const wp = n / (2 * pos), wn = n / (2 * (n - pos));
  let o = 0;
  for (let f = 0; f < d; f++) o += lr.coef![j * d + f] ** 2 / (2 * C);
  for (let i = 0; i < n; i++) {
    let z = lr.intercept![j];
    for (let f = 0; f < d; f++) z += X.data[i * d + f] * lr.coef![j * d + f];
    const y = Y.data[i * L + j];
    o += (y ? wp : wn) * (Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - y * z);
  }
  return o;
}

Deno.test("LogisticRegression warm start reaches the cold start's optimum in fewer iterations", async () => {
  const { X, Y } = synthetic(600, 15, 4, 3, { noise: 0.2 });
  const [Xa] = split(X, 480), [Ya] = split(Y, 480);
  const opts = { C: 2, classWeight: "balanced" as const, tol: 1e-7, ftol: 1e-14 };
  const full = await new LogisticRegression(opts).fit(X, Y);
  const cold = await new LogisticRegression(opts).fit(Xa, Ya);
  const warm = await new LogisticRegression(opts).warmStartFrom(full).fit(Xa, Ya);
  for (let j = 0; j < Y.cols; j++) {
    const oc = objective(cold, Xa, Ya, j), ow = objective(warm, Xa, Ya, j);
    assert.ok(Math.abs(oc - ow) <= 1e-6 * Math.abs(oc), `label ${j}: cold ${oc}, warm ${ow}`);
  }
  const Pc = await cold.predictProba(X), Pw = await warm.predictProba(X);
  for (let i = 0; i < Pc.data.length; i++) {
    assert.ok(Math.abs(Pc.data[i] - Pw.data[i]) < 1e-4, `probability ${i}`);
  }
  const sum = (a: number[]) => a.reduce((s, v) => s + v, 0);
  assert.ok(sum(warm.nIter) < sum(cold.nIter), `warm ${warm.nIter} vs cold ${cold.nIter}`);
  // Started at its own optimum, a fit has (almost) nothing left to do.
  const again = await new LogisticRegression(opts).warmStartFrom(cold).fit(Xa, Ya);
  assert.ok(again.nIter.every((k) => k <= 3), `iterations from the optimum ${again.nIter}`);
});

Deno.test("LogisticRegression warm start: clear errors for an unfitted or mismatched start", async () => {
  const { X, Y } = synthetic(100, 5, 2, 4);
  assert.throws(
    () => new LogisticRegression().warmStartFrom(new LogisticRegression()),
    /fit it first/,
  );
  const other = await new LogisticRegression().fit(split(X, 100)[0], split(Y, 100)[0]);
  const wide = { rows: X.rows, cols: X.cols + 1, data: new Float32Array(X.rows * (X.cols + 1)) };
  await assert.rejects(
    () => new LogisticRegression().warmStartFrom(other).fit(wide, Y),
    /warm start has 2 labels × 5 features, the data 2 × 6/,
  );
});
