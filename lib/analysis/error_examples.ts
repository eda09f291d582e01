/**
 * Example titles a model gets wrong, for the error-analysis notebook.
 *
 * @module
 */

import type { LabelMatrix } from "../core/matrix.ts";

/** One mis-predicted title. */
export interface ErrorExample {
  /** Row in the evaluated matrices. */
  row: number;
  /** Per-title F1 between true and predicted genre sets (0 = nothing right). */
  f1: number;
  actual: string[];
  predicted: string[];
  /** Predicted but not true. */
  extra: string[];
  /** True but not predicted. */
  missed: string[];
}

/**
 * The `k` titles with the lowest per-title F1 (ties: more errors first, then row order).
 *
 * @example
 * ```ts
 * import type { LabelMatrix } from "../core/matrix.ts";
 * declare const yTest: LabelMatrix, yPred: LabelMatrix, genres: string[];
 * const worst = worstPredictions(yTest, yPred, { names: genres, k: 10 });
 * ```
 */
export function worstPredictions(
  yTrue: LabelMatrix,
  yPred: LabelMatrix,
  options: { names: readonly string[]; k?: number },
): ErrorExample[] {
  if (yTrue.rows !== yPred.rows || yTrue.cols !== yPred.cols) {
    throw new RangeError(
      `worstPredictions: true labels are ${yTrue.rows}×${yTrue.cols}, predictions ${yPred.rows}×${yPred.cols}`,
    );
  }
  if (options.names.length !== yTrue.cols) {
    throw new RangeError(
      `worstPredictions: ${options.names.length} names for ${yTrue.cols} label columns`,
    );
  }
  const L = yTrue.cols;
  const all: ErrorExample[] = [];
  for (let i = 0; i < yTrue.rows; i++) {
    const actual: string[] = [],
      predicted: string[] = [],
      extra: string[] = [],
      missed: string[] = [];
    let tp = 0;
    for (let j = 0; j < L; j++) {
      const t = yTrue.data[i * L + j], p = yPred.data[i * L + j];
      if (t) actual.push(options.names[j]);
      if (p) predicted.push(options.names[j]);
      if (t && p) tp++;
      else if (p) extra.push(options.names[j]);
      else if (t) missed.push(options.names[j]);
    }
    const denom = actual.length + predicted.length;
    const f1 = denom === 0 ? 1 : (2 * tp) / denom;
    if (f1 < 1) all.push({ row: i, f1, actual, predicted, extra, missed });
  }
  all.sort((a, b) =>
    a.f1 - b.f1 || (b.extra.length + b.missed.length) - (a.extra.length + a.missed.length) ||
    a.row - b.row
  );
  return all.slice(0, options.k ?? 10);
}
