/**
 * A 2-D principal-component projection for plotting embeddings (subspace iteration on the
 * centred rows; no covariance matrix is formed).
 *
 * @module
 */

import type { Matrix } from "../core/matrix.ts";
import { RandomState } from "../core/mt19937.ts";

/** Options for {@linkcode pcaProject}. */
export interface PcaOptions {
  /** Number of components (default 2). */
  components?: number;
  /** Subspace iterations (default 50). */
  iterations?: number;
  /** Seed of the starting vectors (default 0). */
  seed?: number;
}

/** Projected coordinates and the share of variance each component explains. */
export interface PcaResult {
  /** rows × components, row-major. */
  coordinates: Matrix<Float64Array>;
  /** Fraction of total variance per component. */
  explainedVarianceRatio: number[];
}

/**
 * Projects rows onto their top principal components.
 *
 * @example
 * ```ts
 * import type { Matrix } from "../core/matrix.ts";
 * declare const embeddings: Matrix;
 * const { coordinates } = pcaProject(embeddings);
 * const [x0, y0] = coordinates.data.subarray(0, 2);
 * ```
 */
export function pcaProject(
  X: Matrix<Float32Array | Float64Array>,
  options: PcaOptions = {},
): PcaResult {
  const k = options.components ?? 2;
  const iters = options.iterations ?? 50;
  const { rows: n, cols: d, data } = X;
  if (n < 2 || d < k) {
    throw new RangeError(`pcaProject: need at least 2 rows and ${k} columns, got ${n}×${d}`);
  }
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) total += (data[i * d + j] - mean[j]) ** 2;
  }

  const rng = new RandomState(options.seed ?? 0);
  let V: Float64Array[] = Array.from(
    { length: k },
    () => Float64Array.from({ length: d }, () => rng.randomSample() - 0.5),
  );
  const proj = new Float64Array(n);
  const multiply = (v: Float64Array): Float64Array => {
    // (X - mean)^T (X - mean) v without forming the centred matrix.
    let mv = 0;
    for (let j = 0; j < d; j++) mv += mean[j] * v[j];
    for (let i = 0; i < n; i++) {
      let s = -mv;
      const o = i * d;
      for (let j = 0; j < d; j++) s += data[o + j] * v[j];
      proj[i] = s;
    }
    const out = new Float64Array(d);
    let ps = 0;
    for (let i = 0; i < n; i++) {
      const p = proj[i];
      ps += p;
      const o = i * d;
      for (let j = 0; j < d; j++) out[j] += data[o + j] * p;
    }
    for (let j = 0; j < d; j++) out[j] -= mean[j] * ps;
    return out;
  };
  const orthonormalise = (vs: Float64Array[]) => {
    for (let a = 0; a < vs.length; a++) {
      for (let b = 0; b < a; b++) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += vs[a][j] * vs[b][j];
        for (let j = 0; j < d; j++) vs[a][j] -= dot * vs[b][j];
      }
      let norm = 0;
      for (let j = 0; j < d; j++) norm += vs[a][j] ** 2;
      norm = Math.sqrt(norm) || 1;
      for (let j = 0; j < d; j++) vs[a][j] /= norm;
    }
  };
  orthonormalise(V);
  for (let it = 0; it < iters; it++) {
    V = V.map(multiply);
    orthonormalise(V);
  }
  const coords = new Float64Array(n * k);
  const ratios: number[] = [];
  for (let c = 0; c < k; c++) {
    const v = V[c];
    // Deterministic sign: largest |entry| positive.
    let arg = 0;
    for (let j = 1; j < d; j++) if (Math.abs(v[j]) > Math.abs(v[arg])) arg = j;
    const sign = v[arg] < 0 ? -1 : 1;
    let variance = 0;
    let mv = 0;
    for (let j = 0; j < d; j++) mv += mean[j] * v[j];
    for (let i = 0; i < n; i++) {
      let s = -mv;
      for (let j = 0; j < d; j++) s += data[i * d + j] * v[j];
      coords[i * k + c] = sign * s;
      variance += s * s;
    }
    ratios.push(total > 0 ? variance / total : 0);
  }
  return { coordinates: { rows: n, cols: k, data: coords }, explainedVarianceRatio: ratios };
}
