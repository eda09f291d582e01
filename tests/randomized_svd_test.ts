import assert from "node:assert/strict";
import { fromRows, type Matrix } from "../lib/core/matrix.ts";
import { randomizedSvd, SvdRankError } from "../lib/text/randomized_svd.ts";
import {
  assertCsr,
  csrFromDense,
  csrMatMul,
  csrToDense,
  csrTransposeMatMul,
  transposeCsr,
} from "../lib/text/sparse_matrix.ts";

/** Small deterministic generator for test data (independent of the library's own). */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 4294967296 - 0.5;
  };
}

/** `rows × cols` matrix with orthonormal columns (Gram–Schmidt twice, float64). */
function orthonormalColumns(rows: number, cols: number, rand: () => number): Float64Array {
  const q = new Float64Array(rows * cols);
  for (let j = 0; j < cols; j++) {
    for (let i = 0; i < rows; i++) q[i * cols + j] = rand();
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < j; p++) {
        let d = 0;
        for (let i = 0; i < rows; i++) d += q[i * cols + j] * q[i * cols + p];
        for (let i = 0; i < rows; i++) q[i * cols + j] -= d * q[i * cols + p];
      }
    }
    let norm = 0;
    for (let i = 0; i < rows; i++) norm += q[i * cols + j] ** 2;
    for (let i = 0; i < rows; i++) q[i * cols + j] /= Math.sqrt(norm);
  }
  return q;
}

/** A = U·diag(s)·Vᵀ with random orthonormal U, V; returns A (float32) and V. */
function lowRank(m: number, n: number, s: number[], seed: number) {
  const rand = lcg(seed);
  const r = s.length;
  const u = orthonormalColumns(m, r, rand);
  const v = orthonormalColumns(n, r, rand);
  const a = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let x = 0;
      for (let t = 0; t < r; t++) x += u[i * r + t] * s[t] * v[j * r + t];
      a[i * n + j] = x;
    }
  }
  return { a: { rows: m, cols: n, data: a } as Matrix, v };
}

function denseMul(a: Matrix, b: Matrix): Float64Array {
  const out = new Float64Array(a.rows * b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let t = 0; t < a.cols; t++) {
      for (let j = 0; j < b.cols; j++) {
        out[i * b.cols + j] += a.data[i * a.cols + t] * b.data[t * b.cols + j];
      }
    }
  }
  return out;
}

function transposeDense(a: Matrix): Matrix {
  const t = new Float32Array(a.rows * a.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < a.cols; j++) t[j * a.rows + i] = a.data[i * a.cols + j];
  }
  return { rows: a.cols, cols: a.rows, data: t };
}

Deno.test("sparse: CSR round trip, transpose and products match dense arithmetic", () => {
  const rand = lcg(3);
  const dense = fromRows(
    Array.from({ length: 7 }, () => Array.from({ length: 5 }, () => (rand() > 0.2 ? 0 : rand()))),
  );
  dense.data[0] = 0.25; // at least one value
  const a = csrFromDense(dense);
  assertCsr(a, "a");
  assert.deepEqual(csrToDense(a).data, dense.data);
  assert.deepEqual(csrToDense(transposeCsr(a)).data, transposeDense(dense).data);
  const b = fromRows(Array.from({ length: 5 }, () => [rand(), rand(), rand()]));
  const expected = denseMul(dense, b);
  const got = csrMatMul(a, b);
  for (let k = 0; k < expected.length; k++) assert.ok(Math.abs(got.data[k] - expected[k]) < 1e-6);
  const c = fromRows(Array.from({ length: 7 }, () => [rand(), rand()]));
  const expectedT = denseMul(transposeDense(dense), c);
  const gotT = csrTransposeMatMul(a, c);
  assert.equal(gotT.rows, 5);
  for (let k = 0; k < expectedT.length; k++) {
    assert.ok(Math.abs(gotT.data[k] - expectedT[k]) < 1e-6);
  }
  assert.throws(() => csrMatMul(a, c), /sparse matrix is 7×5 but the dense one is 7×2/);
  assert.throws(
    () => assertCsr({ ...a, indices: a.indices.map(() => 9) }, "X"),
    /X: row \d+ has column 9 out of order or outside 0..4/,
  );
});

Deno.test("randomizedSvd recovers the top singular values of a known low-rank matrix", async () => {
  const s = Array.from({ length: 30 }, (_, i) => 10 * 0.85 ** i);
  const { a, v } = lowRank(120, 80, s, 11);
  const k = 10;
  const svd = await randomizedSvd(csrFromDense(a), k, { nIter: 4 });
  assert.equal(svd.singularValues.length, k);
  assert.equal(svd.components.rows, k);
  assert.equal(svd.components.cols, 80);
  for (let i = 0; i < k; i++) {
    const rel = Math.abs(svd.singularValues[i] - s[i]) / s[i];
    assert.ok(rel < 1e-3, `singular value ${i}: ${svd.singularValues[i]} vs ${s[i]}`);
  }
  const c = svd.components.data;
  const n = 80;
  for (let i = 0; i < k; i++) {
    // Orthonormal rows, each the true right singular vector up to sign.
    for (let j = 0; j <= i; j++) {
      let d = 0;
      for (let t = 0; t < n; t++) d += c[i * n + t] * c[j * n + t];
      assert.ok(Math.abs(d - (i === j ? 1 : 0)) < 1e-4, `components ${i}·${j} = ${d}`);
    }
    let align = 0;
    for (let t = 0; t < n; t++) align += c[i * n + t] * v[t * 30 + i];
    assert.ok(Math.abs(Math.abs(align) - 1) < 1e-3, `component ${i} alignment ${align}`);
    // Sign convention: the largest-magnitude entry is positive.
    let best = 0;
    for (let t = 1; t < n; t++) if (Math.abs(c[i * n + t]) > Math.abs(c[i * n + best])) best = t;
    assert.ok(c[i * n + best] > 0);
  }
});

Deno.test("randomizedSvd: sketched power iterations on a taller matrix", async () => {
  // 2·(k + oversamples) < rows, so the sketched orthonormalisation path runs.
  const s = Array.from({ length: 40 }, (_, i) => 5 / (1 + 0.2 * i));
  const { a } = lowRank(400, 90, s, 5);
  const svd = await randomizedSvd(csrFromDense(a), 20, { nIter: 5 });
  for (let i = 0; i < 20; i++) {
    const rel = Math.abs(svd.singularValues[i] - s[i]) / s[i];
    assert.ok(rel < 1e-3, `singular value ${i}: ${svd.singularValues[i]} vs ${s[i]}`);
  }
});

Deno.test("randomizedSvd is deterministic for a seed: identical bytes twice", async () => {
  const { a } = lowRank(60, 50, [5, 4, 3, 2, 1, 0.5], 2);
  const x = csrFromDense(a);
  const one = await randomizedSvd(x, 4, { seed: 7 });
  const two = await randomizedSvd(x, 4, { seed: 7 });
  assert.deepEqual(two.components.data, one.components.data);
  assert.deepEqual(two.singularValues, one.singularValues);
  const other = await randomizedSvd(x, 4, { seed: 8 });
  for (let i = 0; i < 4; i++) {
    assert.ok(Math.abs(other.singularValues[i] - one.singularValues[i]) < 1e-4);
  }
});

Deno.test("randomizedSvd: too many components throws saying how many are possible", async () => {
  const { a } = lowRank(30, 20, [3, 2, 1], 4);
  const x = csrFromDense(a);
  await assert.rejects(() => randomizedSvd(x, 21), (err: unknown) => {
    assert.ok(err instanceof SvdRankError);
    assert.equal(err.possible, 20);
    assert.match(err.message, /asked for 21 components but a 30×20 matrix has at most 20/);
    return true;
  });
  // Rank 3: a fourth component does not exist.
  await assert.rejects(() => randomizedSvd(x, 4), (err: unknown) => {
    assert.ok(err instanceof SvdRankError);
    assert.equal(err.possible, 3);
    assert.match(err.message, /numerical rank 3.*at most 3 are possible/);
    return true;
  });
  const three = await randomizedSvd(x, 3);
  assert.ok(Math.abs(three.singularValues[2] - 1) < 1e-4);
  await assert.rejects(() => randomizedSvd(x, 0), /k must be a whole number >= 1, got 0/);
  await assert.rejects(() => randomizedSvd(x, 2, { nIter: -1 }), /nIter must be a whole number/);
  const zero = csrFromDense({ rows: 4, cols: 3, data: new Float32Array(12) });
  await assert.rejects(() => randomizedSvd(zero, 1), /numerical rank 0/);
});
