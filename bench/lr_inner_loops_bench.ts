/**
 * The logistic regression's two JavaScript inner loops, each against what it replaced, on the
 * shapes of the best model's base fit (6,229 rows; 1,081 parameters; 20 curvature pairs):
 *
 * 1. the per-row loss and sigmoid of a line-search step (`log1p(exp(−|z|))` and `1/(1 + e)`),
 *    with `Math.exp`/`Math.log1p` and with `lib/core/fast_exp.ts`: ns per row, and the largest
 *    difference of the summed loss;
 * 2. the L-BFGS search direction from 20 pairs: the two-loop recursion in JavaScript and the
 *    compact form on OpenBLAS `dgemv` (`lib/models/lbfgs_history.ts`): µs per direction, and
 *    their largest relative difference.
 *
 * Usage: npx deno run -A bench/lr_inner_loops_bench.ts
 *
 * @module
 */

import { expNonPositive, log1pUnit } from "../lib/core/fast_exp.ts";
import { nativeDgemv } from "../lib/core/native_blas.ts";
import {
  CompactHistory,
  type CurvatureHistory,
  TwoLoopHistory,
} from "../lib/models/lbfgs_history.ts";

const n = 6229, p = 1081, memory = 20;
let seed = 42;
const rand = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);

// Rows of a rare genre late in a fit: most logits well below 0, 5 % positives.
const y = Uint8Array.from({ length: n }, () => (rand() < 0.05 ? 1 : 0));
const z = Float64Array.from(y, (v) => (v ? 1 + rand() : -3 - 3 * rand()));
const u = Float32Array.from({ length: n }, () => (rand() - 0.5) * 0.1);
const r = new Float32Array(n);

function lossWithMath(alpha: number): number {
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const zi = z[i] + alpha * u[i];
    const e = Math.exp(-Math.abs(zi));
    const sg = zi >= 0 ? 1 / (1 + e) : e / (1 + e);
    const w = y[i] ? 3 : 0.6;
    loss += w * (Math.max(zi, 0) + Math.log1p(e) - y[i] * zi);
    r[i] = w * (sg - y[i]);
  }
  return loss;
}

function lossWithFastExp(alpha: number): number {
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const zi = z[i] + alpha * u[i];
    const e = expNonPositive(-Math.abs(zi));
    const inv = 1 / (1 + e);
    const sg = zi >= 0 ? inv : e * inv;
    const w = y[i] ? 3 : 0.6;
    loss += w * ((zi > 0 ? zi : 0) + log1pUnit(e) - y[i] * zi);
    r[i] = w * (sg - y[i]);
  }
  return loss;
}

function timed(run: () => void, reps: number): number {
  for (let k = 0; k < Math.max(10, reps / 10); k++) run();
  const t0 = performance.now();
  for (let k = 0; k < reps; k++) run();
  return (performance.now() - t0) / reps;
}

let worst = 0;
for (let k = 0; k < 20; k++) {
  const a = lossWithMath(k / 10), b = lossWithFastExp(k / 10);
  worst = Math.max(worst, Math.abs(a - b) / Math.abs(a));
}
const reps = 2000;
const mathNs = (timed(() => lossWithMath(0.5), reps) * 1e6) / n;
const fastNs = (timed(() => lossWithFastExp(0.5), reps) * 1e6) / n;
console.log(JSON.stringify({
  loop: "per-row loss and sigmoid",
  math_ns_per_row: +mathNs.toFixed(2),
  fast_exp_ns_per_row: +fastNs.toFixed(2),
  speedup: +(mathNs / fastNs).toFixed(2),
  largest_relative_loss_difference: +worst.toExponential(2),
}));

// Curvature pairs of a positive definite quadratic (y = A·s, A = I + a low-rank part).
const basis = Array.from({ length: 8 }, () => Float64Array.from({ length: p }, () => rand() - 0.5));
const pairs = Array.from({ length: memory + 5 }, () => {
  const s = Float64Array.from({ length: p }, () => rand() - 0.5), yv = Float64Array.from(s);
  for (const b of basis) {
    let c = 0;
    for (let j = 0; j < p; j++) c += b[j] * s[j];
    for (let j = 0; j < p; j++) yv[j] += c * b[j];
  }
  let sy = 0, yy = 0;
  for (let j = 0; j < p; j++) sy += s[j] * yv[j], yy += yv[j] * yv[j];
  return { s, y: yv, sy, yy };
});
const g = Float64Array.from({ length: p }, () => rand() - 0.5);
function filled(h: CurvatureHistory): CurvatureHistory {
  for (const q of pairs) h.push(q.s, q.y, q.sy, q.yy);
  return h;
}
const twoLoop = filled(new TwoLoopHistory(memory));
const dgemv = nativeDgemv();
const compact = dgemv ? filled(new CompactHistory(memory, p, dgemv)) : null;
const row: Record<string, unknown> = {
  loop: `L-BFGS direction, ${memory} pairs of ${p}`,
  two_loop_us: +(timed(() => twoLoop.direction(g), 20000) * 1000).toFixed(1),
};
if (compact) {
  row.compact_dgemv_us = +(timed(() => compact.direction(g), 20000) * 1000).toFixed(1);
  row.speedup = +((row.two_loop_us as number) / (row.compact_dgemv_us as number)).toFixed(2);
  const a = twoLoop.direction(g), b = compact.direction(g);
  let diff = 0, scale = 0;
  for (let j = 0; j < p; j++) {
    diff = Math.max(diff, Math.abs(a[j] - b[j])), scale = Math.max(scale, Math.abs(a[j]));
  }
  row.largest_relative_difference = +(diff / scale).toExponential(2);
  row.push_us = +(timed(() =>
    compact.push(pairs[0].s, pairs[0].y, pairs[0].sy, pairs[0].yy), 20000) * 1000)
    .toFixed(1);
} else {
  row.compact_dgemv_us = "OpenBLAS not installed";
}
console.log(JSON.stringify(row));
