/**
 * What a threshold does: micro precision, recall and F1, F1 macro and labels per title over a
 * grid of global thresholds.
 *
 * @module
 */

import type { LabelMatrix, Matrix } from "../core/matrix.ts";
import { f1MacroAt } from "../metrics/multi_label_metrics.ts";

/** Scores at one threshold. */
export interface ThresholdEffect {
  threshold: number;
  precision_micro: number;
  recall_micro: number;
  f1_micro: number;
  f1_macro: number;
  /** Mean number of predicted genres per title (the truth averages about 2.2). */
  labels_per_title: number;
}

/**
 * Scores of `proba >= t` against `Y` for every threshold `t` in `grid`.
 *
 * @example
 * ```ts
 * import type { LabelMatrix, Matrix } from "../core/matrix.ts";
 * declare const yTrain: LabelMatrix, oof: Matrix;
 * const effects = thresholdEffects(yTrain, oof, [0.1, 0.2, 0.3]);
 * ```
 */
export function thresholdEffects(
  Y: LabelMatrix,
  proba: Matrix,
  grid: readonly number[],
): ThresholdEffect[] {
  if (Y.rows !== proba.rows || Y.cols !== proba.cols) {
    throw new RangeError(
      `thresholdEffects: labels are ${Y.rows}×${Y.cols} but probabilities are ${proba.rows}×${proba.cols}`,
    );
  }
  return grid.map((t) => {
    let tp = 0, predicted = 0, actual = 0;
    for (let i = 0; i < Y.data.length; i++) {
      const p = proba.data[i] >= t ? 1 : 0;
      predicted += p;
      actual += Y.data[i];
      tp += p & Y.data[i];
    }
    const precision = predicted ? tp / predicted : 0;
    const recall = actual ? tp / actual : 0;
    return {
      threshold: t,
      precision_micro: precision,
      recall_micro: recall,
      f1_micro: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
      f1_macro: f1MacroAt(Y, proba, { threshold: t }),
      labels_per_title: Y.rows ? predicted / Y.rows : 0,
    };
  });
}
