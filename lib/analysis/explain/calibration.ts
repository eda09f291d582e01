/**
 * Can the probabilities be trusted? Reliability bins (predicted probability against the observed
 * frequency of the label) and the expected calibration error (ECE), over every (title, genre)
 * cell pooled or over chosen genres.
 *
 * Bins are **equal-width** on [0, 1] (`bins` of them, default 10; a probability of exactly 1
 * falls in the last bin). ECE = Σ_b (n_b / N) · |mean predicted_b − observed_b|: 0 for a
 * perfectly calibrated model, up to 1.
 *
 * @module
 */

import type { LabelMatrix, Matrix } from "../../core/matrix.ts";

/** One reliability bin. */
export interface ReliabilityBin {
  /** Lower and upper edge of the bin. */
  lo: number;
  hi: number;
  /** Cells (title × genre) whose probability falls in the bin. */
  count: number;
  /** Mean predicted probability of those cells (NaN when empty). */
  predicted: number;
  /** Share of those cells whose label is 1 (NaN when empty). */
  observed: number;
}

/** Reliability of one set of probabilities. */
export interface Reliability {
  bins: ReliabilityBin[];
  /** Expected calibration error (count-weighted mean |predicted − observed|). */
  ece: number;
  /** Largest |predicted − observed| over non-empty bins. */
  mce: number;
  /** Cells counted. */
  n: number;
  /** Mean predicted probability and positive rate over all counted cells. */
  meanPredicted: number;
  positiveRate: number;
}

/** Options for {@linkcode reliability}. */
export interface ReliabilityOptions {
  /** Equal-width bins on [0, 1] (default 10). */
  bins?: number;
  /** Label columns to pool (default all). */
  labels?: readonly number[];
}

/**
 * Reliability bins and ECE of `proba` against `yTrue`, pooled over the chosen label columns.
 *
 * @example
 * ```ts
 * import { fromRows, labelsFromRows } from "../../core/matrix.ts";
 * const y = labelsFromRows([[1], [0], [1], [0]]);
 * const p = fromRows([[0.5], [0.5], [0.5], [0.5]]);
 * reliability(y, p, { bins: 2 }).ece; // 0: half the cells predicted 0.5 are positive
 * ```
 */
export function reliability(
  yTrue: LabelMatrix,
  proba: Matrix<Float32Array | Float64Array>,
  options: ReliabilityOptions = {},
): Reliability {
  const nBins = options.bins ?? 10;
  if (!Number.isInteger(nBins) || nBins < 1) {
    throw new RangeError(`reliability: bins is ${nBins}; use a whole number ≥ 1`);
  }
  if (yTrue.rows !== proba.rows || yTrue.cols !== proba.cols) {
    throw new RangeError(
      `reliability: labels are ${yTrue.rows}×${yTrue.cols} but probabilities are ` +
        `${proba.rows}×${proba.cols}; pass the same titles and genres`,
    );
  }
  const L = yTrue.cols;
  const labels = options.labels ?? Array.from({ length: L }, (_, j) => j);
  for (const j of labels) {
    if (!Number.isInteger(j) || j < 0 || j >= L) {
      throw new RangeError(`reliability: label column ${j} is outside 0..${L - 1}`);
    }
  }
  const count = new Float64Array(nBins);
  const sumP = new Float64Array(nBins);
  const sumY = new Float64Array(nBins);
  const p = proba.data;
  const y = yTrue.data;
  for (let i = 0; i < yTrue.rows; i++) {
    const off = i * L;
    for (const j of labels) {
      const v = p[off + j];
      if (!(v >= 0 && v <= 1)) {
        throw new RangeError(
          `reliability: probability ${v} at row ${i}, column ${j} is outside [0, 1]`,
        );
      }
      const b = Math.min(nBins - 1, Math.floor(v * nBins));
      count[b]++;
      sumP[b] += v;
      sumY[b] += y[off + j];
    }
  }
  let n = 0;
  let allP = 0;
  let allY = 0;
  for (let b = 0; b < nBins; b++) {
    n += count[b];
    allP += sumP[b];
    allY += sumY[b];
  }
  let ece = 0;
  let mce = 0;
  const bins: ReliabilityBin[] = [];
  for (let b = 0; b < nBins; b++) {
    const c = count[b];
    const predicted = c > 0 ? sumP[b] / c : NaN;
    const observed = c > 0 ? sumY[b] / c : NaN;
    if (c > 0) {
      const gap = Math.abs(predicted - observed);
      ece += (c / n) * gap;
      mce = Math.max(mce, gap);
    }
    bins.push({ lo: b / nBins, hi: (b + 1) / nBins, count: c, predicted, observed });
  }
  return {
    bins,
    ece: n > 0 ? ece : NaN,
    mce,
    n,
    meanPredicted: n > 0 ? allP / n : NaN,
    positiveRate: n > 0 ? allY / n : NaN,
  };
}
