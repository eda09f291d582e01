import assert from "node:assert/strict";
import { CompactHistory, TwoLoopHistory } from "../lib/models/lbfgs_history.ts";
import { nativeDgemv } from "../lib/core/native_blas.ts";
import { minimizeLbfgs } from "../lib/models/lbfgs.ts";

/** A seeded generator of floats in [-1, 1). */
function uniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

/** Curvature pairs of a random positive definite quadratic: y = A·s with A = BᵀB + I. */
function quadraticPairs(p: number, count: number, seed: number) {
  const rand = uniform(seed);
  const B = Float64Array.from({ length: p * p }, rand);
  const times = (s: Float64Array) => {
    const Bs = new Float64Array(p), y = Float64Array.from(s);
    for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) Bs[i] += B[i * p + j] * s[j];
    for (let j = 0; j < p; j++) for (let i = 0; i < p; i++) y[j] += B[i * p + j] * Bs[i];
    return y;
  };
  return Array.from({ length: count }, () => {
    const s = Float64Array.from({ length: p }, rand);
    const y = times(s);
    let sy = 0, yy = 0;
    for (let i = 0; i < p; i++) sy += s[i] * y[i], yy += y[i] * y[i];
    return { s, y, sy, yy };
  });
}

/** The two-loop recursion of the textbook, kept as plain as possible (the reference). */
function textbookDirection(pairs: ReturnType<typeof quadraticPairs>, g: Float64Array) {
  const q = Float64Array.from(g), a: number[] = [];
  for (let i = pairs.length - 1; i >= 0; i--) {
    const { s, y, sy } = pairs[i];
    a[i] = s.reduce((t, v, j) => t + v * q[j], 0) / sy;
    for (let j = 0; j < q.length; j++) q[j] -= a[i] * y[j];
  }
  const last = pairs[pairs.length - 1];
  for (let j = 0; j < q.length; j++) q[j] *= last.sy / last.yy;
  for (let i = 0; i < pairs.length; i++) {
    const { s, y, sy } = pairs[i];
    const b = y.reduce((t, v, j) => t + v * q[j], 0) / sy;
    for (let j = 0; j < q.length; j++) q[j] += (a[i] - b) * s[j];
  }
  return q.map((v) => -v);
}

function assertClose(got: Float64Array, want: Float64Array, what: string) {
  let scale = 0, err = 0;
  for (let i = 0; i < want.length; i++) {
    scale = Math.max(scale, Math.abs(want[i]));
    err = Math.max(err, Math.abs(got[i] - want[i]));
  }
  assert.ok(err <= 1e-10 * scale, `${what}: largest difference ${err} (scale ${scale})`);
}

const dgemv = nativeDgemv();

Deno.test("both pair stores give the textbook direction, before and after the ring wraps", () => {
  const p = 23, memory = 5;
  const pairs = quadraticPairs(p, 12, 7);
  const g = Float64Array.from({ length: p }, uniform(3));
  const stores = [
    new TwoLoopHistory(memory),
    ...(dgemv ? [new CompactHistory(memory, p, dgemv)] : []),
  ];
  for (const [k, pair] of pairs.entries()) {
    const kept = pairs.slice(Math.max(0, k + 1 - memory), k + 1);
    for (const store of stores) {
      store.push(pair.s, pair.y, pair.sy, pair.yy);
      assert.equal(store.size, kept.length);
      assertClose(store.direction(g), textbookDirection(kept, g), `${store.constructor.name} ${k}`);
    }
  }
  for (const store of stores) {
    store.clear();
    assert.equal(store.size, 0);
    assert.deepEqual([...store.direction(g)], [...g].map((v) => -v));
    store.push(pairs[0].s, pairs[0].y, pairs[0].sy, pairs[0].yy);
    assertClose(store.direction(g), textbookDirection([pairs[0]], g), "after clear");
  }
  if (!dgemv) console.log("OpenBLAS not installed: CompactHistory not exercised");
});

Deno.test("L-BFGS on the pair store in force minimises a quadratic in a few iterations", () => {
  // Without exact line searches L-BFGS is not finite on a quadratic; 3·p is a loose bound.
  const p = 8, rand = uniform(11);
  const B = Float64Array.from({ length: p * p }, rand), c = Float64Array.from({ length: p }, rand);
  const r = minimizeLbfgs(
    (x) => {
      // f = ½‖Bx‖² + ½‖x‖² − c·x
      const Bx = new Float64Array(p), g = new Float64Array(p);
      for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) Bx[i] += B[i * p + j] * x[j];
      let f = 0;
      for (let i = 0; i < p; i++) f += 0.5 * Bx[i] * Bx[i] + 0.5 * x[i] * x[i] - c[i] * x[i];
      for (let j = 0; j < p; j++) {
        g[j] = x[j] - c[j];
        for (let i = 0; i < p; i++) g[j] += B[i * p + j] * Bx[i];
      }
      return { f, g };
    },
    new Float64Array(p),
    { gtol: 1e-7, ftol: 0, memory: 10 },
  );
  assert.equal(r.status, "gtol");
  assert.ok(r.iterations <= 3 * p, `${r.iterations} iterations`);
});
