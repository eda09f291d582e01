/**
 * Synthetic multi-label problems for the model tests: gaussian features and labels from random
 * linear rules (or random labels a model must not learn).
 *
 * @module
 */

import type { LabelMatrix, Matrix } from "../../lib/core/matrix.ts";
import { RandomState } from "../../lib/core/mt19937.ts";

/** A standard normal draw (Box–Muller) from NumPy's legacy generator. */
export function gaussian(rng: RandomState): number {
  const u = 1 - rng.randomSample(), v = rng.randomSample();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** n×d gaussian features and L labels y = [x·w_j + bias + noise·ε > 0] (or random labels). */
export function synthetic(
  n: number,
  d: number,
  L: number,
  seed: number,
  { noise = 0, bias = 0, random = false }: { noise?: number; bias?: number; random?: boolean } = {},
): { X: Matrix; Y: LabelMatrix } {
  const rng = new RandomState(seed);
  const X = new Float32Array(n * d);
  for (let i = 0; i < X.length; i++) X[i] = gaussian(rng);
  const W = Array.from({ length: L }, () => Array.from({ length: d }, () => gaussian(rng)));
  const Y = new Uint8Array(n * L);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < L; j++) {
      let z = bias;
      for (let f = 0; f < d; f++) z += X[i * d + f] * W[j][f];
      z += noise * Math.sqrt(d) * gaussian(rng);
      Y[i * L + j] = random ? (rng.randomSample() < 0.3 ? 1 : 0) : z > 0 ? 1 : 0;
    }
  }
  return { X: { rows: n, cols: d, data: X }, Y: { rows: n, cols: L, data: Y } };
}

/** Splits rows into the first `at` and the rest. */
export function split<T extends { rows: number; cols: number; data: Float32Array | Uint8Array }>(
  m: T,
  at: number,
): [T, T] {
  const c = m.cols;
  return [
    { ...m, rows: at, data: m.data.slice(0, at * c) },
    { ...m, rows: m.rows - at, data: m.data.slice(at * c) },
  ];
}
