import assert from "node:assert/strict";
import { join } from "node:path";
import { growTree, type TreeArrays } from "../lib/models/forest/decision_tree.ts";
import { FeatureBinner } from "../lib/models/forest/feature_binning.ts";
import { ForestRandom } from "../lib/models/forest/seeded_random.ts";
import type { LabelMatrix, Matrix } from "../lib/core/matrix.ts";
import { openPool } from "../lib/models/estimator_pool.ts";
import { loadEstimator, saveEstimator } from "../lib/models/model_store.ts";
import { RandomForestClassifier } from "../lib/models/forest/random_forest_classifier.ts";

/** Uniform features in [0, 1) from a seeded generator. */
function uniformMatrix(rows: number, cols: number, seed: number): Matrix {
  const rng = new ForestRandom(seed);
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = rng.random();
  return { rows, cols, data };
}

function labels(rows: number, cols: number, f: (i: number, j: number) => boolean): LabelMatrix {
  const data = new Uint8Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      data[i * cols + j] = f(i, j) ? 1 : 0;
    }
  }
  return { rows, cols, data };
}

function sliceRows<T extends Float32Array | Uint8Array>(
  m: { rows: number; cols: number; data: T },
  a: number,
  b: number,
): { rows: number; cols: number; data: T } {
  return { rows: b - a, cols: m.cols, data: m.data.slice(a * m.cols, b * m.cols) as T };
}

/** F1 of label j at threshold 0.5. */
function f1(Y: LabelMatrix, P: Matrix, j: number, t = 0.5): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < Y.rows; i++) {
    const y = Y.data[i * Y.cols + j];
    const p = P.data[i * P.cols + j] >= t ? 1 : 0;
    if (y && p) tp++;
    else if (p) fp++;
    else if (y) fn++;
  }
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
}

function accuracy(Y: LabelMatrix, P: Matrix, j: number): number {
  let ok = 0;
  for (let i = 0; i < Y.rows; i++) {
    if ((P.data[i * P.cols + j] >= 0.5 ? 1 : 0) === Y.data[i * Y.cols + j]) ok++;
  }
  return ok / Y.rows;
}

function treeDepth(t: TreeArrays): number {
  const depth = new Int32Array(t.nodeCount);
  let max = 0;
  for (let i = 0; i < t.nodeCount; i++) {
    if (t.left[i] >= 0) {
      depth[t.left[i]] = depth[i] + 1;
      depth[t.right[i]] = depth[i] + 1;
    }
    max = Math.max(max, depth[i]);
  }
  return max;
}

// Three learnable labels: a threshold, an XOR of two features, a sum threshold.
const X = uniformMatrix(700, 6, 1);
const Y = labels(700, 3, (i, j) => {
  const x = (k: number) => X.data[i * 6 + k];
  if (j === 0) return x(0) > 0.5;
  if (j === 1) return (x(1) > 0.5) !== (x(2) > 0.5);
  return x(3) + x(4) > 1;
});
const Xtr = sliceRows(X, 0, 500);
const Ytr = sliceRows(Y, 0, 500);
const Xte = sliceRows(X, 500, 700);
const Yte = sliceRows(Y, 500, 700);

Deno.test("FeatureBinner: codes agree with the real thresholds, out-of-range values go to end bins", () => {
  const A = uniformMatrix(300, 3, 7);
  // Column 2 has only three distinct values.
  for (let i = 0; i < 300; i++) A.data[i * 3 + 2] = i % 3;
  const binner = new FeatureBinner({ maxBins: 16 }).fit(A);
  assert.equal(binner.nBins(0), 16);
  assert.equal(binner.nBins(2), 3);
  assert.deepEqual(Array.from(binner.featureEdges(2)), [0.5, 1.5]);
  const B = uniformMatrix(200, 3, 8);
  for (let i = 0; i < 200; i++) B.data[i * 3] = (i - 100) / 10; // far outside [0, 1)
  const codes = binner.transform(B).codes;
  for (let j = 0; j < 3; j++) {
    const e = binner.featureEdges(j);
    for (let i = 0; i < 200; i++) {
      const x = B.data[i * 3 + j];
      const c = codes[j * 200 + i];
      assert.ok(c <= e.length);
      // code <= b  <=>  x <= e[b]
      for (let b = 0; b < e.length; b++) assert.equal(c <= b, x <= e[b]);
    }
  }
  assert.equal(codes[0], 0); // -10 → first bin
  assert.equal(codes[199], 15); // 9.9 → last bin
  // Training quantiles: bins hold roughly equal counts.
  const counts = new Array(16).fill(0);
  const own = binner.transform(A).codes;
  for (let i = 0; i < 300; i++) counts[own[i]]++;
  assert.ok(Math.min(...counts) >= 15 && Math.max(...counts) <= 25, `counts ${counts}`);
});

Deno.test("growTree: root split is the Gini-best split found by brute force; leaves hold weighted fractions", () => {
  const A = uniformMatrix(60, 4, 3);
  const y = new Uint8Array(60);
  const rng = new ForestRandom(5);
  for (let i = 0; i < 60; i++) y[i] = A.data[i * 4 + 2] + 0.3 * rng.random() > 0.6 ? 1 : 0;
  const w = new Float64Array(60);
  for (let i = 0; i < 60; i++) w[i] = 1 + (i % 3); // unequal sample weights
  const binner = new FeatureBinner().fit(A); // 60 distinct values: exact thresholds
  const tree = growTree({
    binned: binner.transform(A),
    edges: binner.edges,
    offsets: binner.offsets,
    targets: y,
    nOutputs: 1,
    sampleWeight: w,
  }, { maxDepth: 1 });
  // Brute force: weighted Gini decrease of every (feature, threshold between sorted values).
  let best = -Infinity;
  let bestF = -1;
  let bestT = 0;
  for (let f = 0; f < 4; f++) {
    const vals = [...new Set(Array.from({ length: 60 }, (_, i) => A.data[i * 4 + f]))].sort((
      a,
      b,
    ) => a - b);
    for (let k = 0; k + 1 < vals.length; k++) {
      const t = (vals[k] + vals[k + 1]) / 2;
      let wl = 0, pl = 0, wr = 0, pr = 0;
      for (let i = 0; i < 60; i++) {
        if (A.data[i * 4 + f] <= t) {
          wl += w[i];
          pl += w[i] * y[i];
        } else {
          wr += w[i];
          pr += w[i] * y[i];
        }
      }
      const gini = (p: number, W: number) => 1 - (p / W) ** 2 - (1 - p / W) ** 2;
      const score = -(wl * gini(pl, wl) + wr * gini(pr, wr));
      if (score > best + 1e-12) {
        best = score;
        bestF = f;
        bestT = t;
      }
    }
  }
  assert.equal(tree.nodeCount, 3);
  assert.equal(tree.feature[0], bestF);
  assert.ok(Math.abs(tree.threshold[0] - bestT) < 1e-6, `${tree.threshold[0]} vs ${bestT}`);
  // Leaf values: weighted fraction of class 1 among the rows routed there.
  let wl = 0, pl = 0;
  for (let i = 0; i < 60; i++) {
    if (A.data[i * 4 + bestF] <= tree.threshold[0]) {
      wl += w[i];
      pl += w[i] * y[i];
    }
  }
  assert.ok(Math.abs(tree.value[tree.left[0]] - pl / wl) < 1e-6);
});

Deno.test("RandomForestClassifier learns thresholds, XOR and sums on held-out rows (2 workers)", async () => {
  const rf = new RandomForestClassifier({ nEstimators: 40 });
  using pool = openPool(2);
  await rf.fit(Xtr, Ytr, { pool });
  const P = await rf.predictProba(Xte);
  assert.equal(P.rows, 200);
  assert.equal(P.cols, 3);
  for (let j = 0; j < 3; j++) {
    const s = f1(Yte, P, j);
    assert.ok(s > 0.85, `label ${j}: held-out F1 ${s.toFixed(3)} should be > 0.85`);
  }
  for (const p of P.data) assert.ok(p >= 0 && p <= 1);
  const yHat = await rf.predict(Xte, [0.5, 0.5, 0.5]);
  for (let i = 0; i < yHat.data.length; i++) assert.equal(yHat.data[i], P.data[i] >= 0.5 ? 1 : 0);
});

Deno.test("RandomForestClassifier does not learn labels that are independent of the features", async () => {
  const A = uniformMatrix(1200, 8, 11);
  const rng = new ForestRandom(99);
  const R = labels(1200, 1, () => rng.random() < 0.5);
  const rf = new RandomForestClassifier({ nEstimators: 30 });
  await rf.fit(sliceRows(A, 0, 800), sliceRows(R, 0, 800));
  const heldOut = accuracy(
    sliceRows(R, 800, 1200),
    await rf.predictProba(sliceRows(A, 800, 1200)),
    0,
  );
  const train = accuracy(sliceRows(R, 0, 800), await rf.predictProba(sliceRows(A, 0, 800)), 0);
  assert.ok(Math.abs(heldOut - 0.5) < 0.1, `held-out accuracy ${heldOut} should be near chance`);
  assert.ok(train > 0.85, `training accuracy ${train}: deep trees should memorise noise`);
});

Deno.test("class weighting raises the probabilities of a rare class", async () => {
  const A = uniformMatrix(1000, 4, 21);
  const rng = new ForestRandom(4);
  // ~10% positives, weakly tied to x0 (noisy).
  const R = labels(1000, 1, (i) => rng.random() < 0.02 + 0.16 * A.data[i * 4]);
  const fit = async (classWeight: "balanced_subsample" | "balanced" | null) => {
    const rf = new RandomForestClassifier({
      nEstimators: 30,
      classWeight,
      maxDepth: 6,
    });
    await rf.fit(A, R);
    const P = await rf.predictProba(uniformMatrix(400, 4, 22));
    let mean = 0;
    let positive = 0;
    for (const p of P.data) {
      mean += p / P.rows;
      if (p >= 0.5) positive++;
    }
    return { mean, positive };
  };
  const none = await fit(null);
  const sub = await fit("balanced_subsample");
  const bal = await fit("balanced");
  assert.ok(none.mean < 0.2, `unweighted mean P ${none.mean} should stay near the base rate`);
  assert.ok(sub.mean > none.mean + 0.2, `balanced_subsample mean ${sub.mean} vs ${none.mean}`);
  assert.ok(bal.mean > none.mean + 0.2, `balanced mean ${bal.mean} vs ${none.mean}`);
  assert.ok(sub.positive > none.positive + 50);
});

Deno.test("maxDepth and minSamplesSplit are honoured", async () => {
  const rf = new RandomForestClassifier({
    nEstimators: 5,
    maxDepth: 3,
  });
  await rf.fit(Xtr, Ytr);
  for (let j = 0; j < 3; j++) {
    for (let t = 0; t < 5; t++) assert.ok(treeDepth(rf.tree(j, t)) <= 3);
  }
  const deep = new RandomForestClassifier({
    nEstimators: 5,
    maxDepth: null,
  });
  await deep.fit(Xtr, Ytr);
  assert.ok(treeDepth(deep.tree(1, 0)) > 3);

  // Without bootstrap every training row is in the sample: count rows reaching each node.
  const A = uniformMatrix(400, 3, 31);
  const rng = new ForestRandom(6);
  const R = labels(400, 1, () => rng.random() < 0.4);
  const minSplit = 40;
  const mss = new RandomForestClassifier({
    nEstimators: 3,
    bootstrap: false,
    classWeight: null,
    minSamplesSplit: minSplit,
    maxDepth: null,
  });
  await mss.fit(A, R);
  for (let t = 0; t < 3; t++) {
    const tree = mss.tree(0, t);
    const reach = new Int32Array(tree.nodeCount);
    for (let i = 0; i < 400; i++) {
      let node = 0;
      reach[0]++;
      while (tree.feature[node] >= 0) {
        node = A.data[i * 3 + tree.feature[node]] <= tree.threshold[node]
          ? tree.left[node]
          : tree.right[node];
        reach[node]++;
      }
    }
    for (let n = 0; n < tree.nodeCount; n++) {
      if (tree.feature[n] >= 0) assert.ok(reach[n] >= minSplit, `node ${n} split with ${reach[n]}`);
      else if (reach[n] >= minSplit) {
        const v = tree.value[n];
        assert.ok(v === 0 || v === 1, `a leaf of ${reach[n]} rows with value ${v} should split`);
      }
    }
    assert.ok(tree.nodeCount > 7);
  }
});

Deno.test("same seed gives identical forests on 1, 2 and 3 workers; another seed differs", async () => {
  const proba = async (workers: number, seed = 42) => {
    using pool = openPool(workers);
    const rf = new RandomForestClassifier({ nEstimators: 12, seed });
    await rf.fit(Xtr, Ytr, { pool });
    return (await rf.predictProba(Xte)).data;
  };
  const a = await proba(2);
  assert.deepEqual(await proba(1), a);
  assert.deepEqual(await proba(3), a);
  assert.notDeepEqual(await proba(1, 7), a);
});

Deno.test("saved and loaded forests predict identically (per-label and multi-output)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rf_test_" });
  try {
    for (const multiOutput of [false, true]) {
      const rf = new RandomForestClassifier({
        nEstimators: 8,
        multiOutput,
      });
      await rf.fit(Xtr, Ytr);
      const sub = join(dir, multiOutput ? "multi" : "single");
      await saveEstimator(sub, rf);
      const back = await loadEstimator(sub) as RandomForestClassifier;
      assert.deepEqual(back.options, rf.options);
      assert.deepEqual((await back.predictProba(Xte)).data, (await rf.predictProba(Xte)).data);
    }
    await assert.rejects(loadEstimator(join(dir, "missing")), /estimator\.json/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("multi-output forest learns all labels with one set of trees", async () => {
  const rf = new RandomForestClassifier({
    nEstimators: 40,
    multiOutput: true,
  });
  await rf.fit(Xtr, Ytr);
  const tree = rf.tree(0, 0);
  assert.equal(tree.nOutputs, 3);
  assert.equal(tree.value.length, tree.nodeCount * 3);
  const P = await rf.predictProba(Xte);
  assert.equal(P.cols, 3);
  // A shared tree must serve all labels at once; the threshold label is easiest.
  assert.ok(f1(Yte, P, 0) > 0.85, `label 0 F1 ${f1(Yte, P, 0)}`);
  assert.ok(f1(Yte, P, 2) > 0.7, `label 2 F1 ${f1(Yte, P, 2)}`);
  assert.ok(f1(Yte, P, 1) > 0.6, `label 1 F1 ${f1(Yte, P, 1)}`);
});

Deno.test("clear errors for bad shapes, NaN features, bad labels and unfitted use", async () => {
  const rf = new RandomForestClassifier({ nEstimators: 2 });
  await assert.rejects(rf.predictProba(Xte), /not fitted/);
  await assert.rejects(rf.fit(Xtr, sliceRows(Ytr, 0, 499)), /500 rows but Y has 499/);
  const bad = { ...Xtr, data: Xtr.data.slice() };
  bad.data[3 * 6 + 4] = NaN;
  await assert.rejects(rf.fit(bad, Ytr), /X\[3, 4\] is NaN/);
  const twos = { ...Ytr, data: Ytr.data.map((v) => v * 2) };
  await assert.rejects(rf.fit(Xtr, twos), /must be 0 or 1/);
  await rf.fit(Xtr, Ytr);
  await assert.rejects(
    rf.predictProba({ rows: 1, cols: 5, data: new Float32Array(5) }),
    /5 feature columns/,
  );
  await assert.rejects(rf.predict(Xte, [0.5, 0.5]), /2 thresholds for 3 label columns/);
  assert.throws(() => new RandomForestClassifier({ maxFeatures: 0 }), /maxFeatures/);
  assert.throws(() => new RandomForestClassifier({ nEstimators: 0 }), /nEstimators/);
});
